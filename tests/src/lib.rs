//! gaps-tests: the shared test harness. Starts real services for tests — a throwaway
//! PostgreSQL cluster and a throwaway MariaDB server per test process — and locates fixtures. Nothing here is mocked: a test
//! that needs a server gets a real one, or fails loudly saying why it could not start.

pub mod browser;
pub mod fixtures;
pub mod mysql;
pub mod pg;

use std::sync::atomic::{AtomicU32, Ordering};

static DATABASE_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database name unique within this test run: `hint` lower-cased with every other character
/// made `_` (at most 40), then the process id and a counter, so parallel tests and test
/// processes never share a database.
pub fn unique_database_name(hint: &str) -> String {
    let clean: String = hint
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    let n = DATABASE_COUNTER.fetch_add(1, Ordering::SeqCst);
    format!("{clean}_{}_{n}", std::process::id())
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_sanitised_and_never_repeat() {
        let a = super::unique_database_name("Drift-Test é");
        let b = super::unique_database_name("Drift-Test é");
        assert!(a.starts_with("drift_test___"), "{a}");
        assert!(
            a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{a}"
        );
        assert_ne!(a, b);
    }
}
