//! The classifier's needles, each with a prebuilt SIMD searcher, looked for at most once per
//! message (a classified line used to cost dozens of searches, each building its searcher).
//! `n!("...")` names a needle by its text and is checked when compiling: a needle missing from
//! [`NEEDLES`] is a build error.

use std::sync::LazyLock;

use std::cell::Cell;

use memchr::memmem::Finder;

/// Every string the classifier tests with `has` or finds with `at`.
pub(crate) const NEEDLES: &[&str] = &[
    "migration failed",
    "was previously applied but has been modified",
    "was previously applied but is missing",
    "is partially applied",
    "checking database migrations",
    " new migration",
    "schema is up to date",
    "prepared statement",
    "already exists",
    "does not exist",
    "no such ",
    " has no column named ",
    "constraint failed",
    "(code: ",
    "column ",
    "no column found for name",
    "columnnotfound(",
    "mismatched types",
    "unexpected null",
    "pool timed out",
    "pooltimedout",
    "too many clients",
    "too many connections",
    "remaining connection slots",
    "password authentication failed",
    "authentication failed for user",
    "canceling statement due to statement timeout",
    "statement timeout",
    "cancel",
    "deadlock detected",
    "in a read-only transaction",
    "permission denied for ",
    "violates unique constraint",
    "duplicate key value",
    "violates foreign key constraint",
    "violates not-null constraint",
    "connection refused",
    "connection reset",
    "connection closed",
    "unexpectedly",
    "tls",
    "ssl",
    "certificate",
    "error",
    "fail",
    "invalid",
    "unknownissuer",
    "not support",
    "expired",
    "refused",
    "error returned from database: ",
    "database_error",
    "internal_error",
    "code: \"",
    "sqlstate ",
    "sqlstate=",
    "sqlstate: ",
    "\"code\":\"",
];

/// The index of `needle` in [`NEEDLES`] (evaluated at compile time by `n!`).
pub(super) const fn index(needle: &str) -> usize {
    let mut i = 0;
    while i < NEEDLES.len() {
        if eq(NEEDLES[i].as_bytes(), needle.as_bytes()) {
            return i;
        }
        i += 1;
    }
    panic!("not a classifier needle: add it to NEEDLES")
}

const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The index of a needle, as a constant.
macro_rules! n {
    ($needle:literal) => {
        const { $crate::logs::classify::needles::index($needle) }
    };
}
pub(super) use n;

/// One prebuilt searcher per needle (building a searcher per search cost more than the search).
static FINDERS: LazyLock<Vec<Finder<'static>>> = LazyLock::new(|| {
    NEEDLES
        .iter()
        .map(|n| Finder::new(n.as_bytes()).into_owned())
        .collect()
});

/// Not looked for yet.
const UNKNOWN: u32 = u32::MAX;
/// Looked for and absent.
const ABSENT: u32 = u32::MAX - 1;

/// Where each needle first occurs in one lower-cased message, looked for on first use: a
/// classified line asks for about fifteen of them, and one SIMD search each is cheaper than one
/// pass that reports every occurrence of all of them.
pub(super) struct Found<'a> {
    lower: &'a str,
    first: [Cell<u32>; NEEDLES.len()],
}

impl<'a> Found<'a> {
    /// Nothing looked for yet in `lower`.
    pub(super) fn new(lower: &'a str) -> Found<'a> {
        Found {
            lower,
            first: std::array::from_fn(|_| Cell::new(UNKNOWN)),
        }
    }

    /// `lower.find(NEEDLES[i])`.
    pub(super) fn at(&self, i: usize) -> Option<usize> {
        let slot = &self.first[i];
        if slot.get() == UNKNOWN {
            let at = FINDERS[i].find(self.lower.as_bytes());
            // Messages are cut long before 4 GB (scan::MAX_LINE).
            slot.set(at.map_or(ABSENT, |a| a as u32));
        }
        let at = slot.get();
        (at != ABSENT).then_some(at as usize)
    }
}

std::thread_local! {
    /// Searchers for the other fixed strings the classifier looks for (`quoted_after(..,
    /// "relation ")` and friends), by the address of the string: building a searcher for every
    /// search cost more than the search on a log line.
    static STATIC_FINDERS: std::cell::RefCell<Vec<(usize, usize, Finder<'static>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `haystack.find(needle)` for a needle that is a string constant, with a searcher built once
/// per thread and needle.
pub(super) fn find_static(haystack: &str, needle: &'static str) -> Option<usize> {
    let id = (needle.as_ptr() as usize, needle.len());
    STATIC_FINDERS.with(|cell| {
        let mut finders = cell.borrow_mut();
        let i = match finders.iter().position(|(p, l, _)| (*p, *l) == id) {
            Some(i) => i,
            None => {
                finders.push((id.0, id.1, Finder::new(needle.as_bytes())));
                finders.len() - 1
            }
        };
        finders[i].2.find(haystack.as_bytes())
    })
}

/// `haystack.replace(from, to)` with the searcher of [`find_static`].
pub(super) fn replace_static(haystack: &str, from: &'static str, to: &str) -> String {
    let mut out = String::with_capacity(haystack.len());
    let mut rest = haystack;
    while let Some(i) = find_static(rest, from) {
        out.push_str(&rest[..i]);
        out.push_str(to);
        rest = &rest[i + from.len()..];
    }
    out.push_str(rest);
    out
}
