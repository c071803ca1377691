//! Secret redaction, the one module every output goes through: passwords, tokens and keys are
//! replaced by `REDACTED` before anything reaches a snapshot, a report or a terminal.
//!
//! - [`redact_url`]: a URL, whether or not it parses;
//! - [`redact_text`]: free text — log lines, driver and HTTP errors, health bodies, gaps.md;
//! - [`redact_sql`]: a SQL statement, keeping its shape;
//! - [`redact_json`]: a JSON document, by key at any depth and by value;
//! - [`redact_snapshot_value`]: a whole snapshot, field by field ([`snapshot`]);
//! - [`scrub`]: secrets known verbatim (the password of `--database-url`), wherever they
//!   appear in a driver's message.
//!
//! Everything here is pure and linear in the length of its input.

mod json;
mod keys;
mod percent;
pub mod snapshot;
mod sql;
mod text;
mod url;

pub use json::redact_json;
pub use keys::is_secret_key;
pub use snapshot::redact_snapshot_value;
pub use sql::redact_sql;
pub use text::redact_text;
pub use url::{redact_url, secrets_in_url};

/// The placeholder written in place of a secret.
pub const REDACTED: &str = "REDACTED";

/// The same as [`redact_text`], under the name the log scanner and the report's views use for
/// one line.
pub fn redact_line(line: &str) -> String {
    redact_text(line)
}

/// Replaces every occurrence of each known secret (3 bytes or longer) in `text` with
/// `REDACTED`: for messages a driver may have built from the URL it was given.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = std::borrow::Cow::Borrowed(text);
    for s in secrets
        .iter()
        .filter(|s| s.len() >= 3 && s.as_str() != REDACTED)
    {
        if out.contains(s.as_str()) {
            out = std::borrow::Cow::Owned(out.replace(s.as_str(), REDACTED));
        }
    }
    out.into_owned()
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
