//! Free text — log lines, driver and HTTP error messages, health bodies, gaps.md — searched
//! for secrets by shape and by name. Every rule is one linear pass (hand-written scans and
//! `regex`, which never backtracks), so a 1 MB line costs a few milliseconds, and redaction
//! runs only on text that is kept (samples, messages), never on every log line.

use std::sync::LazyLock;

use regex::Regex;

use super::keys::is_secret_key;

/// Known credential shapes, redacted wherever they appear: cloud and SaaS keys, JWTs and PEM
/// private keys.
static TOKEN_SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        // AWS access key ids (long-term, temporary, and the other IAM unique-id prefixes).
        r"(?-u:\b)(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}(?-u:\b)",
        // GitHub: personal, OAuth, user-to-server, server-to-server, refresh; fine-grained.
        r"|(?-u:\b)gh[pousr]_[A-Za-z0-9]{20,}",
        r"|(?-u:\b)github_pat_[A-Za-z0-9_]{20,}",
        // GitLab personal access tokens.
        r"|(?-u:\b)glpat-[A-Za-z0-9_\-]{20,}",
        // Stripe secret and restricted keys, live and test; webhook secrets.
        r"|(?-u:\b)(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{8,}",
        r"|(?-u:\b)whsec_[A-Za-z0-9]{16,}",
        // Slack bot/user/app/config tokens.
        r"|(?-u:\b)xox[abposr]-[A-Za-z0-9\-]{6,}",
        r"|(?-u:\b)xapp-[A-Za-z0-9\-]{10,}",
        // Google API keys.
        r"|(?-u:\b)AIza[0-9A-Za-z_\-]{35}",
        // npm tokens.
        r"|(?-u:\b)npm_[A-Za-z0-9]{36}",
        // OpenAI / Anthropic style keys.
        r"|(?-u:\b)sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}",
        // JWTs (a JSON header, base64url: `eyJ`), with whatever follows the first dot.
        r"|(?-u:\b)eyJ[A-Za-z0-9_\-]{6,}\.[A-Za-z0-9_\-]*(?:\.[A-Za-z0-9_\-]*)?",
        // PEM private keys, to their END line or the end of the text.
        r"|(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
    ))
    .expect("token shapes compile")
});

/// HTTP authorization schemes followed by a credential: `Bearer x`, `Basic dXNlcjpwdw==`.
static AUTH_SCHEMES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(bearer|basic)[ \t]+([A-Za-z0-9\-._~+/]+=*)")
        .expect("auth schemes compile")
});

/// SQL that sets a password: `PASSWORD 'x'`, `ENCRYPTED PASSWORD 'x'`, `PASSWORD = 'x'`,
/// `PASSWORD('x')`, MySQL's `IDENTIFIED BY 'x'`. The match ends at the opening quote.
static SQL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?-u:\b)(?:password|identified[ \t\r\n]+by)(?:[ \t\r\n]*[=(][ \t\r\n]*|[ \t\r\n]+)[eE]?['"]"#)
        .expect("sql password compiles")
});

/// Returns `text` with every secret replaced by `REDACTED`:
/// - URL userinfo (`scheme://user:PW@host`, and `scheme:user:PW@host` without `//`): everything
///   between the scheme and the last `@` of the word when it holds a `:`;
/// - values of secret names (`password=`, `DB_PASSWORD=`, `"token": "..."`, `X-Api-Key:`,
///   `Authorization: <scheme> <credential>`, `?sslpassword=`), quoted or not, and query values
///   whose percent-decoded text holds a secret (`options=-c%20password%3Dx`);
/// - `Bearer`/`Basic` credentials of any length;
/// - token shapes: AWS access keys, GitHub, GitLab, Stripe, Slack, Google, npm and OpenAI keys,
///   JWTs, PEM private keys;
/// - SQL passwords: `PASSWORD '...'`, `IDENTIFIED BY '...'`.
///
/// Everything else is kept, so identifiers (tables, columns, SQLSTATEs) survive.
pub fn redact_text(text: &str) -> String {
    splice(text, secret_ranges(text, true))
}

/// The byte ranges of `text` that are secrets, unsorted and possibly overlapping.
/// `decode` also looks inside percent-encoded query values (one level deep).
pub(crate) fn secret_ranges(text: &str, decode: bool) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    words(text, decode, &mut ranges);
    key_values(text, &mut ranges);
    auth_schemes(text, &mut ranges);
    for m in TOKEN_SHAPES.find_iter(text) {
        ranges.push((m.start(), m.end()));
    }
    sql_passwords(text, &mut ranges);
    ranges
}

/// Replaces each range (merged where they overlap or touch) with `REDACTED`.
pub(crate) fn splice(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    ranges.retain(|(s, e)| s < e);
    if ranges.is_empty() {
        return text.to_string();
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut i = 0;
    while i < ranges.len() {
        let (start, mut end) = ranges[i];
        i += 1;
        while i < ranges.len() && ranges[i].0 <= end {
            end = end.max(ranges[i].1);
            i += 1;
        }
        let start = start.max(pos);
        if end <= start {
            continue;
        }
        out.push_str(&text[pos..start]);
        out.push_str(super::scrub::REDACTED);
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Bytes that end a word for the URL rule: whitespace, quotes, angle brackets.
fn word_break(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'`' | b'<' | b'>')
}

/// Bytes that end an unquoted value after `key=`.
fn value_break(b: u8) -> bool {
    b.is_ascii_whitespace()
        || matches!(
            b,
            b'"' | b'\'' | b'`' | b'&' | b',' | b';' | b'}' | b')' | b']' | b'>' | b'<'
        )
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

fn is_scheme_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

/// The URL rule, word by word: userinfo before the last `@`, and percent-encoded query values
/// that hold a secret.
fn words(text: &str, decode: bool, out: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if word_break(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !word_break(bytes[i]) {
            i += 1;
        }
        let word = &bytes[start..i];
        if let Some(at) = memchr::memrchr(b'@', word)
            && let Some((from, to)) = userinfo(&word[..at])
        {
            out.push((start + from, start + to));
        }
        if decode && memchr::memchr(b'%', word).is_some() {
            encoded_values(text, start, i, out);
        }
    }
}

/// In `before_at` (a word up to its last `@`): the range of a would-be userinfo holding a
/// password, after the first valid `scheme:` and its slashes.
fn userinfo(before_at: &[u8]) -> Option<(usize, usize)> {
    let mut search = 0;
    while let Some(c) = memchr::memchr(b':', &before_at[search..]).map(|c| c + search) {
        search = c + 1;
        let mut s = c;
        while s > 0 && is_scheme_byte(before_at[s - 1]) {
            s -= 1;
        }
        // A scheme starts with a letter; digits and signs before it are not part of it.
        while s < c && !before_at[s].is_ascii_alphabetic() {
            s += 1;
        }
        if s == c {
            continue;
        }
        let rest = &before_at[c + 1..];
        let slashes = rest.iter().take_while(|b| **b == b'/').count();
        let ui = &rest[slashes..];
        // `user:pw`; without `//`, a leading `:` is a SQL cast (`col::jsonb@>`), not userinfo.
        if ui.is_empty() || memchr::memchr(b':', ui).is_none() || (slashes == 0 && ui[0] == b':') {
            return None;
        }
        // The user name stays; the password (from the first `:`) goes.
        let colon = memchr::memchr(b':', ui).expect("checked above");
        let password = &ui[colon + 1..];
        if password.is_empty() || password == super::scrub::REDACTED.as_bytes() {
            return None;
        }
        return Some((c + 1 + slashes + colon + 1, before_at.len()));
    }
    None
}

/// Query values in the word `text[start..end]` whose percent-decoded text holds a secret.
fn encoded_values(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let word = &text[start..end];
    let mut offset = 0;
    for part in word.split(['?', '&', ';']) {
        let part_start = start + offset;
        offset += part.len() + 1;
        let Some((_, value)) = part.split_once('=') else {
            continue;
        };
        if !value.contains('%') {
            continue;
        }
        let Some(decoded) = super::percent::percent_decode(value) else {
            continue;
        };
        if !secret_ranges(&decoded, false).is_empty() {
            let value_start = part_start + part.len() - value.len();
            out.push((value_start, value_start + value.len()));
        }
    }
}

/// `key=value`, `key: value`, `"key": "value"`, `key='value'` where the key's name is secret.
fn key_values(text: &str, out: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    // Separators inside a value already taken are part of that value: skipping them keeps
    // the scan linear (`password=password=...`).
    let mut covered = 0;
    for sep in memchr::memchr2_iter(b'=', b':', bytes) {
        if sep < covered {
            continue;
        }
        // `://` starts a URL, `::` is a cast or a path, `==` a comparison.
        let next = bytes.get(sep + 1).copied();
        if next == Some(b':') || next == Some(b'=') || sep > 0 && bytes[sep - 1] == b':' {
            continue;
        }
        if bytes[sep] == b':' && next == Some(b'/') && bytes.get(sep + 2) == Some(&b'/') {
            continue;
        }
        let mut k = sep;
        while k > 0 && bytes[k - 1] == b' ' && sep - k < 4 {
            k -= 1;
        }
        if k > 0 && matches!(bytes[k - 1], b'"' | b'\'') {
            k -= 1;
            // `\"password\":` inside JSON-escaped text.
            if k > 0 && bytes[k - 1] == b'\\' {
                k -= 1;
            }
        }
        let key_end = k;
        while k > 0 && is_key_byte(bytes[k - 1]) {
            k -= 1;
        }
        if k == key_end || !is_secret_key(&text[k..key_end]) {
            continue;
        }
        let authorization = text[k..key_end]
            .to_ascii_lowercase()
            .contains("authorization");
        if let Some(range) = value_after(bytes, sep + 1, authorization) {
            covered = range.1;
            out.push(range);
        }
    }
}

/// The value starting after a separator at `from`: quoted (to the closing quote, honouring
/// backslash escapes, or to the end), or bare (to a value break). An authorization value
/// takes its scheme word and the credential after it.
fn value_after(bytes: &[u8], from: usize, authorization: bool) -> Option<(usize, usize)> {
    let mut j = from;
    while j < bytes.len() && matches!(bytes[j], b' ' | b'\t') {
        j += 1;
    }
    // Inside JSON-escaped text (a log line holding JSON) the quotes come escaped: `\"pw\"`.
    if bytes.get(j) == Some(&b'\\') && matches!(bytes.get(j + 1), Some(b'"' | b'\'')) {
        let start = j + 2;
        let end = memchr::memmem::find(&bytes[start..], &bytes[j..j + 2])
            .map_or(bytes.len(), |n| start + n);
        return (end > start).then_some((start, end));
    }
    match bytes.get(j) {
        Some(&q @ (b'"' | b'\'')) => {
            let start = j + 1;
            let mut e = start;
            while e < bytes.len() && bytes[e] != q {
                e += if bytes[e] == b'\\' { 2 } else { 1 };
            }
            let e = e.min(bytes.len());
            (e > start).then_some((start, e))
        }
        Some(_) => {
            let start = j;
            let mut e = start;
            while e < bytes.len() && !value_break(bytes[e]) {
                e += 1;
            }
            if authorization
                && bytes[start..e].iter().all(u8::is_ascii_alphabetic)
                && bytes.get(e) == Some(&b' ')
                && bytes.get(e + 1).is_some_and(|b| !value_break(*b))
            {
                e += 1;
                while e < bytes.len() && !value_break(bytes[e]) {
                    e += 1;
                }
            }
            let value = &bytes[start..e];
            let placeholder = value == b"?"
                || (value.len() > 1
                    && value[0] == b'$'
                    && value[1..].iter().all(u8::is_ascii_digit))
                || matches!(value, b"null" | b"true" | b"false" | b"REDACTED");
            (e > start && !placeholder).then_some((start, e))
        }
        None => None,
    }
}

/// `Bearer <token>` of any length and `Basic <credentials>`, except in prose ("a bearer token",
/// "basic auth").
fn auth_schemes(text: &str, out: &mut Vec<(usize, usize)>) {
    for c in AUTH_SCHEMES.captures_iter(text) {
        let (Some(scheme), Some(token)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let t = token.as_str();
        let alpha = t.bytes().all(|b| b.is_ascii_alphabetic());
        let lower_word = alpha && t.bytes().all(|b| b.is_ascii_lowercase());
        let title_word = alpha && t[1..].bytes().all(|b| b.is_ascii_lowercase());
        let prose = match scheme.as_str().to_ascii_lowercase().as_str() {
            "bearer" => lower_word && scheme.as_str() == "bearer",
            _ => lower_word || title_word,
        };
        if !prose && t != super::scrub::REDACTED {
            out.push((token.start(), token.end()));
        }
    }
}

/// The quoted value after `PASSWORD` / `IDENTIFIED BY`, to its closing quote (doubled quotes
/// and backslashes escape) or the end of the text (a statement cut short).
fn sql_passwords(text: &str, out: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut covered = 0;
    for m in SQL_PASSWORD.find_iter(text) {
        if m.start() < covered {
            continue;
        }
        let q = bytes[m.end() - 1];
        let mut start = m.end();
        // Inside an outer literal the quotes are doubled: `EXECUTE 'ALTER ROLE x PASSWORD ''pw'''`.
        let doubled = bytes.get(start) == Some(&q)
            && bytes
                .get(start + 1)
                .is_some_and(|b| *b != q && !b.is_ascii_whitespace() && *b != b';' && *b != b')');
        if doubled {
            start += 1;
        }
        let mut e = start;
        while e < bytes.len() {
            if bytes[e] == b'\\' {
                e += 2;
                continue;
            }
            if bytes[e] == q {
                if doubled {
                    if bytes.get(e + 1) == Some(&q) {
                        break;
                    }
                } else if bytes.get(e + 1) == Some(&q) {
                    e += 2;
                    continue;
                } else {
                    break;
                }
            }
            e += 1;
        }
        let e = e.min(bytes.len());
        covered = e;
        if e > start {
            out.push((start, e));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_gone(text: &str, secrets: &[&str]) -> String {
        let r = redact_text(text);
        for s in secrets {
            assert!(!r.contains(s), "{s} leaked from {text:?}: {r:?}");
        }
        r
    }

    #[test]
    fn urls_lose_their_userinfo_with_or_without_slashes() {
        for (line, want) in [
            (
                "connect postgres://app:hunter22@db.internal:5432/app failed",
                "connect postgres://app:REDACTED@db.internal:5432/app failed",
            ),
            (
                "url=postgres:/u:hunter22@h/db",
                "url=postgres:/u:REDACTED@h/db",
            ),
            (
                "dsn postgres:u:hunter22@h/db",
                "dsn postgres:u:REDACTED@h/db",
            ),
            (
                "postgres://u:p@ss:hunter22@h/db",
                "postgres://u:REDACTED@h/db",
            ),
            (
                "\"postgres://:hunter22@h/db\"",
                "\"postgres://:REDACTED@h/db\"",
            ),
            (
                "mysql://root:hunter22@10.0.0.1/app",
                "mysql://root:REDACTED@10.0.0.1/app",
            ),
        ] {
            assert_eq!(redact_text(line), want);
        }
    }

    #[test]
    fn urls_and_text_without_userinfo_are_kept() {
        for line in [
            "GET https://api.example.com/users/alice@example.com 200",
            "mailto:alice@example.com",
            "SELECT data::jsonb@>'{}' FROM t",
            "at 12:30:45 user@host",
            "postgres://app@db/app",
        ] {
            assert_eq!(redact_text(line), line);
        }
    }

    #[test]
    fn secret_query_parameters_in_a_line() {
        assert_gone(
            "dial postgres://db/app?sslmode=require&sslpassword=keypw99&user=app",
            &["keypw99"],
        );
        assert_gone(
            "postgres://db/app?options=-c%20app.password%3Doptsecret9",
            &["optsecret9"],
        );
        let r = redact_text("postgres://db/app?options=-c%20search_path%3Dx");
        assert!(r.contains("search_path"), "{r}");
    }

    #[test]
    fn secret_names_lose_their_values() {
        let r = assert_gone(
            r#"password=s3cretpw DB_PASSWORD="quoted pw" "token":"tok_live_123" api_key: k-12345 X-Api-Key: xk99 AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG aws_secret_access_key: abcAWS JWT_SECRET_KEY=jwtsec GITHUB_TOKEN=short1 client_secret='cs9'"#,
            &[
                "s3cretpw",
                "quoted pw",
                "tok_live_123",
                "k-12345",
                "xk99",
                "wJalrXUtnFEMI",
                "abcAWS",
                "jwtsec",
                "short1",
                "cs9",
            ],
        );
        assert!(
            r.starts_with("password=REDACTED DB_PASSWORD=\"REDACTED\""),
            "{r}"
        );
    }

    #[test]
    fn values_quoted_inside_json_escaped_text() {
        let r = assert_gone(
            r#"{"msg":"client_secret=\"two words\" and \"password\":\"pw9\" ok"}"#,
            &["two words", "pw9"],
        );
        assert!(r.ends_with(r#" ok"}"#), "{r}");
    }

    #[test]
    fn authorization_headers_lose_scheme_and_credential() {
        assert_gone("Authorization: Token abc123def", &["abc123def"]);
        assert_gone("authorization: Bearer xyz", &["xyz"]);
        assert_gone("Authorization: Basic dXNlcjpwYXNz", &["dXNlcjpwYXNz"]);
        assert_gone("curl -H 'Authorization: Bearer q1'", &["q1"]);
        assert_gone("Bearer ab", &["ab"]);
        assert_gone("Cookie: session=cookie123; theme=dark", &["cookie123"]);
    }

    #[test]
    fn prose_about_credentials_is_kept() {
        for line in [
            r#"password authentication failed for user "app""#,
            "passed=3 tokens=5 bypass=1",
            "send a bearer token with basic auth",
            "the token expired",
            "column \"password\" of relation \"users\" does not exist",
            "UPDATE users SET password = $1 WHERE id = ?",
            "password: null",
        ] {
            assert_eq!(redact_text(line), line);
        }
    }

    #[test]
    fn token_shapes_anywhere() {
        assert_gone(
            concat!(
                "keys AKIAIOSFODNN7EXAMPLE ASIAY34FZKBOKMUTVV7A ",
                "ghp_1234567890abcdefghijABCDEFGHIJ123456 gho_abcdefghijklmnopqrstuvwx ",
                "ghs_abcdefghijklmnopqrstuvwx github_pat_11ABCDEFG0123456789_abcdefghijkl ",
                "sk_live_4eC39HqLyjWDarjtT1zdp7dc rk_live_abcdefgh12 sk_test_abcdef1234 ",
                "xoxb-1234-5678-abcdefgh xoxp-98765-abc ",
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-1 ",
                "AIzaSyA1234567890abcdefghijklmnopqrstuv glpat-abcdefghij0123456789"
            ),
            &[
                "AKIAIOSFODNN7EXAMPLE",
                "ASIAY34FZKBOKMUTVV7A",
                "ghp_1234567890",
                "gho_abcdef",
                "ghs_abcdef",
                "github_pat_11",
                "sk_live_4eC3",
                "rk_live_abc",
                "sk_test_abc",
                "xoxb-1234",
                "xoxp-98765",
                "eyJzdWIiOiIxIn0",
                "sig_nature",
                "AIzaSyA123",
                "glpat-abc",
            ],
        );
    }

    #[test]
    fn pem_private_keys_go_to_their_end_line() {
        let r = assert_gone(
            "key: -----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY----- done",
            &["MIIEpAIBAAKCAQEA"],
        );
        assert!(r.ends_with(" done"), "{r}");
        assert_gone("-----BEGIN PRIVATE KEY-----\nMIIEcut", &["MIIEcut"]);
    }

    #[test]
    fn sql_passwords_in_any_quoting() {
        for (sql, secret) in [
            ("ALTER ROLE app PASSWORD 'xyzzy1'", "xyzzy1"),
            (
                "alter role app with encrypted password 'it''s-xyzzy2'",
                "s-xyzzy2",
            ),
            ("CREATE USER u WITH PASSWORD = 'xyzzy3'", "xyzzy3"),
            ("CREATE USER 'u'@'%' IDENTIFIED BY 'xyzzy4'", "xyzzy4"),
            ("SET PASSWORD FOR u = PASSWORD('xyzzy5')", "xyzzy5"),
            ("ALTER ROLE app PASSWORD E'xy\\'zzy6'", "zzy6"),
            ("ALTER ROLE app PASSWORD 'xyzzy7 cut short", "xyzzy7"),
            ("EXECUTE 'ALTER ROLE x PASSWORD ''xyzzy8''';", "xyzzy8"),
            ("statement: ALTER USER app PASSWORD \"xyzzy9\"", "xyzzy9"),
        ] {
            assert_gone(sql, &[secret]);
        }
    }

    #[test]
    fn redaction_is_idempotent_and_keeps_identifiers() {
        let line = r#"ERROR relation "focus_pause_state" does not exist url=postgres://a:b@h password=x Bearer abc"#;
        let once = redact_text(line);
        assert_eq!(redact_text(&once), once);
        assert!(once.contains(r#"relation "focus_pause_state""#), "{once}");
    }

    #[test]
    fn hostile_shapes_are_redacted_whole() {
        // Shapes that make a naive scanner quadratic (each separator or quote rescanning the
        // rest); `scripts/bench-redact` shows their time growing linearly.
        let r = redact_text(&"password=".repeat(20_000));
        assert_eq!(r, "password=REDACTED");
        let r = redact_text(&format!("PASSWORD '{}", "x".repeat(200_000)));
        assert_eq!(r, "PASSWORD 'REDACTED");
        for same in [
            "a://".repeat(50_000),
            "a:".repeat(100_000),
            "@".repeat(200_000),
        ] {
            assert!(redact_text(&same) == same, "{} bytes changed", same.len());
        }
        let r = redact_text(&format!("{}=x", "tokentoken".repeat(20_000)));
        assert!(r.ends_with("=x"), "an absurdly long name is no secret name");
    }
}
