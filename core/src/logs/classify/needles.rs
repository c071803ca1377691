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
