//! The classifier's needles, looked for in one Aho-Corasick pass over the lower-cased message
//! instead of one substring search each (a classified line used to cost dozens of searches).
//! `n!("...")` names a needle by its text and is checked when compiling: a needle missing from
//! [`NEEDLES`] is a build error.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

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

static AUTOMATON: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(NEEDLES)
        .expect("classifier needles build")
});

/// Where each needle first occurs in one lower-cased message.
pub(super) struct Found {
    first: [u32; NEEDLES.len()],
}

impl Found {
    /// Looks for every needle in `lower`, in one pass.
    pub(super) fn new(lower: &str) -> Found {
        let mut first = [u32::MAX; NEEDLES.len()];
        // Overlapping matches arrive in order of their end; a needle's first report is its
        // leftmost occurrence.
        for m in AUTOMATON.find_overlapping_iter(lower) {
            let slot = &mut first[m.pattern().as_usize()];
            if *slot == u32::MAX {
                *slot = m.start() as u32;
            }
        }
        Found { first }
    }

    /// `lower.find(NEEDLES[i])`.
    pub(super) fn at(&self, i: usize) -> Option<usize> {
        let at = self.first[i];
        (at != u32::MAX).then_some(at as usize)
    }
}
