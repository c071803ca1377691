//! What replaces a secret ([`REDACTED`]), and the secrets gaps knows verbatim (the password of
//! `--database-url`) removed wherever a driver's message repeats them ([`scrub`]).

/// The placeholder written in place of a secret.
pub const REDACTED: &str = "REDACTED";

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
