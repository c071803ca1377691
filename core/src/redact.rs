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

/// Keys whose values are secrets in free text (`password=...`, `"token": "..."`).
const SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "pgpassword",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "api_key",
    "apikey",
    "authorization",
    "cookie",
];

/// True when a field named `key` (a JSON key, a header, a form field) holds a secret by its
/// name: one of the names [`redact_line`] redacts after `=` or `:`, alone or as the last part
/// of a `snake_case` / `kebab-case` name (`db_password`, `x-api-key`).
pub fn is_secret_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase().replace('-', "_");
    SECRET_KEYS.iter().any(|k| {
        lower == *k
            || lower
                .strip_suffix(k)
                .is_some_and(|rest| rest.ends_with('_'))
    })
}

/// Returns a log line with secrets replaced by `REDACTED`: the password of any URL
/// (`scheme://user:pw@host`), bearer/basic credentials, and the values of `password=`,
/// `token: `, `"secret":"..."`-style pairs. Everything else is kept, so identifiers survive.
pub fn redact_line(line: &str) -> String {
    let lower = line.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let stop = |b: u8| {
        b.is_ascii_whitespace()
            || matches!(b, b'"' | b'\'' | b'&' | b',' | b';' | b'}' | b')' | b'>')
    };

    // URL userinfo passwords.
    let mut from = 0;
    while let Some(i) = lower[from..].find("://").map(|i| i + from) {
        let start = i + 3;
        let mut end = start;
        while end < bytes.len() && !stop(bytes[end]) && !matches!(bytes[end], b'/' | b'?' | b'#') {
            end += 1;
        }
        if let Some(at) = lower[start..end].rfind('@').map(|a| a + start)
            && let Some(colon) = lower[start..at].find(':').map(|c| c + start)
            && colon + 1 < at
        {
            ranges.push((colon + 1, at));
        }
        from = start;
    }

    // Bearer / Basic credentials.
    for scheme in ["bearer ", "basic "] {
        let mut from = 0;
        while let Some(i) = lower[from..].find(scheme).map(|i| i + from) {
            let start = i + scheme.len();
            let mut end = start;
            while end < bytes.len() && !stop(bytes[end]) {
                end += 1;
            }
            if end - start >= 8 {
                ranges.push((start, end));
            }
            from = start;
        }
    }

    // key=value, key: value, "key":"value".
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(i) = lower[from..].find(key).map(|i| i + from) {
            from = i + key.len();
            let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            let boundary_after = bytes
                .get(from)
                .is_none_or(|b| !b.is_ascii_alphanumeric() && *b != b'_');
            if !boundary_before || !boundary_after {
                continue;
            }
            let mut j = from;
            if bytes.get(j) == Some(&b'"') || bytes.get(j) == Some(&b'\'') {
                j += 1;
            }
            while bytes.get(j) == Some(&b' ') {
                j += 1;
            }
            if !matches!(bytes.get(j), Some(b'=') | Some(b':')) {
                continue;
            }
            j += 1;
            while bytes.get(j) == Some(&b' ') {
                j += 1;
            }
            let quote = match bytes.get(j) {
                Some(q @ (b'"' | b'\'')) => {
                    j += 1;
                    Some(*q)
                }
                _ => None,
            };
            let start = j;
            // `Authorization: Bearer x` is handled above; here take the whole value.
            while j < bytes.len() {
                let b = bytes[j];
                let end = match quote {
                    Some(q) => b == q,
                    None => stop(b),
                };
                if end {
                    break;
                }
                j += 1;
            }
            if j > start {
                ranges.push((start, j));
            }
        }
    }

    if ranges.is_empty() {
        return line.to_string();
    }
    ranges.sort();
    let mut out = String::with_capacity(line.len());
    let mut pos = 0;
    for (s, e) in ranges {
        if e <= pos {
            continue;
        }
        let s = s.max(pos);
        out.push_str(&line[pos..s]);
        out.push_str(REDACTED);
        pos = e;
    }
    out.push_str(&line[pos..]);
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
    fn secret_field_names_are_recognised_alone_and_as_suffixes() {
        for k in [
            "password",
            "DB_PASSWORD",
            "x-api-key",
            "api_key",
            "Authorization",
            "token",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["status", "schema_version", "passport", "tokens", "database"] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn password_is_removed_from_postgres_url() {
        let r = redact_url("postgres://app:s3cr%40t@db.example.com:5432/app?sslmode=require");
        assert!(!r.contains("s3cr"), "{r}");
        assert!(r.contains("app:REDACTED@db.example.com"), "{r}");
        assert!(r.contains("sslmode=require"), "{r}");
    }

    #[test]
    fn password_is_removed_from_mysql_and_mariadb_urls() {
        for scheme in ["mysql", "mariadb"] {
            let url = format!("{scheme}://app:p%40ss%3Aw0rd@127.0.0.1:3306/app?ssl-mode=required");
            let r = redact_url(&url);
            assert_eq!(
                r,
                format!("{scheme}://app:REDACTED@127.0.0.1:3306/app?ssl-mode=required")
            );
            let secrets = secrets_in_url(&url);
            assert!(secrets.contains(&"p@ss:w0rd".to_string()), "{secrets:?}");
            assert_eq!(
                scrub("Access denied (p@ss:w0rd)", &secrets),
                "Access denied (REDACTED)"
            );
        }
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

    #[test]
    fn log_line_secrets_are_redacted_and_identifiers_kept() {
        let line = r#"connect postgres://app:hunter22@db.internal:5432/app failed; Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc password=s3cretpw "token":"tok_live_123" relation "focus_pause_state""#;
        let r = redact_line(line);
        for secret in [
            "hunter22",
            "eyJhbGciOiJIUzI1NiJ9",
            "s3cretpw",
            "tok_live_123",
        ] {
            assert!(!r.contains(secret), "{secret} leaked: {r}");
        }
        assert!(
            r.contains("postgres://app:REDACTED@db.internal:5432/app"),
            "{r}"
        );
        assert!(r.contains(r#"relation "focus_pause_state""#), "{r}");
    }

    #[test]
    fn words_that_only_look_like_keys_are_kept() {
        let line = r#"password authentication failed for user "app"; passed=3 tokens=5"#;
        assert_eq!(redact_line(line), line);
    }
}
