//! Secret redaction: database URLs lose their password and secret query parameters before
//! they reach a snapshot, a report or the terminal.

/// Query parameters whose values are secrets.
const SECRET_PARAMS: &[&str] = &[
    "password",
    "pass",
    "pwd",
    "sslpassword",
    "token",
    "access_token",
    "api_key",
    "apikey",
    "secret",
    "sslkey",
];

/// The placeholder written in place of a secret.
pub const REDACTED: &str = "REDACTED";

/// Returns `url` with the password and any secret query parameters replaced by `REDACTED`.
/// Text that does not parse as a URL is returned with everything after the scheme removed, so
/// that an unparsable secret is never echoed.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return match url.split_once(':') {
            Some((scheme, _)) if !scheme.contains('/') && !scheme.contains('@') => {
                format!("{scheme}:{REDACTED}")
            }
            _ => REDACTED.to_string(),
        };
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some(REDACTED));
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str());
                (
                    k.into_owned(),
                    if secret {
                        REDACTED.to_string()
                    } else {
                        v.into_owned()
                    },
                )
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// Replaces every occurrence of each secret in `text` with `REDACTED`. Used on error messages
/// that a driver may have built from the URL.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(s.as_str(), REDACTED);
    }
    out
}

/// The secrets contained in a URL (password, secret parameter values), percent-decoded and raw.
pub fn secrets_in_url(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(parsed) = url::Url::parse(url) {
        if let Some(p) = parsed.password() {
            out.push(p.to_string());
            if let Ok(decoded) = percent_decode(p) {
                out.push(decoded);
            }
        }
        for (k, v) in parsed.query_pairs() {
            if SECRET_PARAMS.contains(&k.to_ascii_lowercase().as_str()) {
                out.push(v.into_owned());
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out.sort();
    out.dedup();
    out
}

fn percent_decode(s: &str) -> Result<String, std::string::FromUtf8Error> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_removed_from_postgres_url() {
        let r = redact_url("postgres://app:s3cr%40t@db.example.com:5432/app?sslmode=require");
        assert!(!r.contains("s3cr"), "{r}");
        assert!(r.contains("app:REDACTED@db.example.com"), "{r}");
        assert!(r.contains("sslmode=require"), "{r}");
    }

    #[test]
    fn secret_query_parameters_are_removed() {
        let r = redact_url("postgres://db/app?user=a&password=hunter22&sslmode=disable");
        assert!(!r.contains("hunter22"), "{r}");
        assert!(r.contains("user=a"));
    }

    #[test]
    fn url_without_secret_is_unchanged() {
        assert_eq!(redact_url("sqlite:demo.db"), "sqlite:demo.db");
    }

    #[test]
    fn unparsable_url_is_not_echoed() {
        let r = redact_url("not a url with hunter22");
        assert!(!r.contains("hunter22"));
    }

    #[test]
    fn secrets_are_found_decoded_and_raw() {
        let s = secrets_in_url("postgres://u:p%40ss@h/db?token=abcdef");
        assert!(s.contains(&"p%40ss".to_string()));
        assert!(s.contains(&"p@ss".to_string()));
        assert!(s.contains(&"abcdef".to_string()));
        assert_eq!(
            scrub("failed for p@ss at h", &s),
            "failed for REDACTED at h"
        );
    }
}
