//! Secret redaction, the one module every output goes through: passwords, tokens and keys are
//! replaced by `REDACTED` before anything reaches a snapshot, a report or a terminal.
//!
//! - [`redact_url`]: a URL, whether or not it parses;
//! - [`redact_text`]: free text — log lines, driver and HTTP errors, health bodies, gaps.md;
//! - [`redact_sql`]: a SQL statement, keeping its shape;
//! - [`redact_json`]: a JSON document, by key at any depth and by value;
//! - [`redact_snapshot_value`]: a whole snapshot as a `Value`, field by field ([`snapshot`]);
//! - [`stream`]: the same redaction applied while a snapshot is serialised;
//! - [`scrub`]: secrets known verbatim (the password of `--database-url`), wherever they
//!   appear in a driver's message.
//!
//! Everything here is pure and linear in the length of its input.

mod json;
mod keys;
mod percent;
mod scrub;
pub mod snapshot;
mod sql;
pub mod stream;
mod text;
mod url;

pub use json::redact_json;
pub use keys::is_secret_key;
pub use scrub::{REDACTED, scrub};
pub use snapshot::redact_snapshot_value;
pub use sql::redact_sql;
pub use text::redact_text;
pub use url::{redact_url, secrets_in_url};

/// The same as [`redact_text`], under the name the log scanner and the report's views use for
/// one line.
pub fn redact_line(line: &str) -> String {
    redact_text(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_secrets_are_scrubbed_from_messages() {
        let s = secrets_in_url("postgres://u:p%40ss@h/db?token=abcdef");
        assert!(s.contains(&"p%40ss".to_string()));
        assert!(s.contains(&"p@ss".to_string()));
        assert!(s.contains(&"abcdef".to_string()));
        assert_eq!(
            scrub("failed for p@ss at h", &s),
            "failed for REDACTED at h"
        );
        assert_eq!(scrub("short ab", &["ab".to_string()]), "short ab");
    }
}
