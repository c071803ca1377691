//! URLs: the password, secret query parameters and anything that looks like userinfo go,
//! whether or not the URL parses. A URL is never echoed as typed.

use super::percent::percent_decode;
use super::scrub::REDACTED;
use super::{keys::is_secret_key, text};

/// Query parameters that are secret although their names are not ([`is_secret_key`] covers
/// `password`, `sslpassword`, `token`, `api_key`, `secret` and the like).
const SECRET_PARAMS: &[&str] = &["sslkey", "auth"];

/// Returns `url` with its secrets replaced by `REDACTED`:
/// - the password of a URL that parses with userinfo (`postgres://u:PW@h/db`);
/// - when no userinfo was parsed, everything between the scheme and the last `@`
///   (`postgres:/u:PW@h/db`, `postgres:u:PW@h/db`, `u:PW@h/db`);
/// - the value of every secret query parameter (`?password=`, `?sslpassword=`, `?token=`), and
///   of any parameter whose decoded value holds a secret (`options=-c%20password%3Dx`);
/// - text that does not parse as a URL at all keeps only its scheme (`scheme:REDACTED`).
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return last_at(url).unwrap_or_else(|| scheme_only(url));
    };
    // A SQLite URL is a file path, where an `@` is just a character.
    let file = parsed.scheme().eq_ignore_ascii_case("sqlite");
    if parsed.username().is_empty() && parsed.password().is_none() && !file {
        // No userinfo was parsed, so an `@` anywhere means the text was meant as
        // `user:pw@host` (`postgres:/u:PW@h/db`, `postgres://u:1?w@h`): all of it goes.
        if let Some(redacted) = last_at(url) {
            return redacted;
        }
    } else if parsed.password().is_some() {
        let _ = parsed.set_password(Some(REDACTED));
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let redacted: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.clone(), redact_param(k, v)))
            .collect();
        if redacted != pairs {
            parsed.query_pairs_mut().clear().extend_pairs(redacted);
        }
    }
    if parsed.fragment().is_some_and(|f| text::redact_text(f) != f) {
        parsed.set_fragment(Some(REDACTED));
    }
    parsed.to_string()
}

/// The value a query parameter keeps: `REDACTED` for a secret name or a value whose decoded
/// text holds a secret (a password inside `options`, a URL with userinfo).
fn redact_param(key: &str, value: &str) -> String {
    if is_secret_key(key) || SECRET_PARAMS.contains(&key.to_ascii_lowercase().as_str()) {
        return REDACTED.to_string();
    }
    if text::redact_text(value) != value {
        return REDACTED.to_string();
    }
    value.to_string()
}

/// `scheme:REDACTED@rest` when `url` has an `@` after its scheme (`REDACTED@rest` without a
/// scheme), the rest itself redacted as text (`?password=`); `None` without an `@`.
fn last_at(url: &str) -> Option<String> {
    let at = url.rfind('@')?;
    let start = scheme_end(url).unwrap_or(0);
    if at < start {
        return None;
    }
    let slashes = url[start..at].bytes().take_while(|b| *b == b'/').count();
    Some(format!(
        "{}{REDACTED}@{}",
        &url[..start + slashes],
        text::redact_text(&url[at + 1..])
    ))
}

/// Text that is no URL: only its scheme is kept, never the rest.
fn scheme_only(url: &str) -> String {
    match scheme_end(url) {
        Some(end) => format!("{}{REDACTED}", &url[..end]),
        None => REDACTED.to_string(),
    }
}

/// The byte offset just after `scheme:` when `url` starts with a valid scheme.
fn scheme_end(url: &str) -> Option<usize> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(colon + 1)
}

/// The secrets contained in a URL (password, secret parameter values, a would-be userinfo
/// when none was parsed), percent-decoded and raw: what [`scrub`](super::scrub::scrub) removes from
/// driver messages built from it.
pub fn secrets_in_url(url: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        out.push(s.to_string());
        if let Some(decoded) = percent_decode(s) {
            out.push(decoded);
        }
    };
    match url::Url::parse(url) {
        Ok(parsed) => {
            if let Some(p) = parsed.password() {
                push(p);
            }
            if parsed.username().is_empty()
                && parsed.password().is_none()
                && let Some(ui) = would_be_userinfo(url)
            {
                push(ui);
                if let Some((_, pw)) = ui.split_once(':') {
                    push(pw);
                }
            }
            for (k, v) in parsed.query_pairs() {
                if redact_param(&k, &v) != v {
                    push(&v);
                }
            }
        }
        Err(_) => {
            if let Some(ui) = would_be_userinfo(url) {
                push(ui);
                if let Some((_, pw)) = ui.split_once(':') {
                    push(pw);
                }
            }
        }
    }
    out.retain(|s| !s.is_empty() && s != REDACTED);
    out.sort();
    out.dedup();
    out
}

/// Everything between the scheme (and its slashes) and the last `@`.
fn would_be_userinfo(url: &str) -> Option<&str> {
    let at = url.rfind('@')?;
    let start = scheme_end(url).unwrap_or(0);
    let ui = url.get(start..at)?.trim_start_matches('/');
    (!ui.is_empty()).then_some(ui)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_removed_from_a_postgres_url() {
        let r = redact_url("postgres://app:s3cr%40t@db.example.com:5432/app?sslmode=require");
        assert_eq!(
            r,
            "postgres://app:REDACTED@db.example.com:5432/app?sslmode=require"
        );
    }

    #[test]
    fn password_is_removed_from_mysql_and_mariadb_urls() {
        for scheme in ["mysql", "mariadb"] {
            let url = format!("{scheme}://app:p%40ss%3Aw0rd@127.0.0.1:3306/app?ssl-mode=required");
            assert_eq!(
                redact_url(&url),
                format!("{scheme}://app:REDACTED@127.0.0.1:3306/app?ssl-mode=required")
            );
            assert!(secrets_in_url(&url).contains(&"p@ss:w0rd".to_string()));
        }
    }

    #[test]
    fn userinfo_goes_when_the_url_does_not_parse_as_an_authority() {
        for (url, want) in [
            ("postgres:/u:PW1secret@h/db", "postgres:/REDACTED@h/db"),
            ("postgres:u:PW1secret@h/db", "postgres:REDACTED@h/db"),
            (
                "postgresql:///u:PW1secret@h/db",
                "postgresql:///REDACTED@h/db",
            ),
            ("u:PW1secret@h/db", "u:REDACTED@h/db"),
            (
                "postgres://u:p/w#PW1secret@h/db",
                "postgres://REDACTED@h/db",
            ),
            (
                "postgres://u:PW1secret@h:notaport/db",
                "postgres://REDACTED@h:notaport/db",
            ),
            ("u:p@ss:PW1secret@h", "u:REDACTED@h"),
        ] {
            let r = redact_url(url);
            assert_eq!(r, want, "{url}");
            let secrets = secrets_in_url(url);
            assert!(
                secrets.iter().any(|s| s.contains("PW1secret")),
                "{url}: {secrets:?}"
            );
        }
    }

    #[test]
    fn text_that_is_no_url_keeps_only_its_scheme() {
        assert_eq!(redact_url("not a url with hunter22"), "REDACTED");
        assert_eq!(redact_url("db.internal/app hunter22"), "REDACTED");
        assert!(!redact_url("hunter22@").contains("hunter22"));
    }

    #[test]
    fn secret_query_parameters_are_removed() {
        let r = redact_url(
            "postgres://db/app?user=a&password=hunter22&sslpassword=keypw9&sslmode=disable",
        );
        assert!(!r.contains("hunter22") && !r.contains("keypw9"), "{r}");
        assert!(r.contains("user=a") && r.contains("sslmode=disable"), "{r}");
    }

    #[test]
    fn options_holding_a_secret_are_removed() {
        let r = redact_url("postgres://db/app?options=-c%20app.password%3Doptsecret");
        assert!(!r.contains("optsecret"), "{r}");
        let r = redact_url("postgres://db/app?options=-c%20search_path%3Dx");
        assert!(r.contains("search_path"), "{r}");
    }

    #[test]
    fn urls_without_secrets_are_unchanged() {
        for u in [
            "sqlite:demo.db",
            "sqlite://data/app.db?mode=ro",
            "sqlite:/data/backup@2026.db",
            "postgres://app@db/app",
            "https://api.example.com/health",
            "mysql://root@127.0.0.1:3306/app",
        ] {
            assert_eq!(redact_url(u), u);
        }
    }

    #[test]
    fn redaction_is_idempotent() {
        for u in [
            "postgres://app:pw@db/app?password=x",
            "postgres:u:PW@h/db",
            "not a url",
        ] {
            let once = redact_url(u);
            assert_eq!(redact_url(&once), once, "{u}");
        }
    }
}
