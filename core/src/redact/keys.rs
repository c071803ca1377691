//! Which names hold secrets: a JSON key, a header, a form field, an environment variable or a
//! `key=value` pair in a log line is secret by its name alone.

/// Stems that make a name secret wherever they appear (separators removed, lowercase):
/// `DB_PASSWORD`, `sslpassword`, `clientSecret`, `AWS_SECRET_ACCESS_KEY`, `X-Api-Key`.
const STEMS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "apikey",
    "privatekey",
    "accesskey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "credential",
    "authorization",
    "cookie",
    "pgpass",
];

/// Words that make a name secret when they are a whole part of it (`token`, `db_pass`,
/// `x-auth-token`, `TOKEN_TTL`), but not inside a longer word (`tokens`, `passed`, `bypass`).
const WORDS: &[&str] = &["token", "pass", "pwd", "pin"];

/// True when a field named `key` holds a secret by its name. Matching ignores case and the
/// separators `_`, `-`, `.` and spaces, and splits camelCase, so `db_password`, `dbPassword`,
/// `DB-PASSWORD`, `x-api-key`, `accessToken`, `AWS_SECRET_ACCESS_KEY` and `sslpassword` are all
/// secret, while `status`, `schema_version`, `passport`, `tokens` and `database` are not.
pub fn is_secret_key(key: &str) -> bool {
    if key.len() < 3 || key.len() > 200 {
        return false;
    }
    // Every stem and word holds one of these: most names (`uri`, `status`, `user_id`) are
    // rejected here without allocating.
    const CUES: &[&str] = &[
        "pas",
        "pwd",
        "secret",
        "key",
        "credential",
        "auth",
        "cookie",
        "token",
        "pin",
    ];
    if !CUES.iter().any(|c| contains_ignore_case(key, c)) {
        return false;
    }
    let compact: String = key
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if STEMS.iter().any(|s| compact.contains(s)) || compact.ends_with("token") {
        return true;
    }
    words(key).any(|w| WORDS.contains(&w.as_str()))
}

/// ASCII case-insensitive substring test (`needle` is lowercase).
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// The words of a name: split at non-alphanumerics and at camelCase humps, lowercase.
fn words(key: &str) -> impl Iterator<Item = String> + '_ {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_in_every_spelling() {
        for k in [
            "password",
            "DB_PASSWORD",
            "db_password",
            "dbPassword",
            "sslpassword",
            "PGPASSWORD",
            "passwd",
            "pwd",
            "db_pass",
            "secret",
            "client_secret",
            "clientSecret",
            "AWS_SECRET_ACCESS_KEY",
            "aws_secret_access_key",
            "JWT_SECRET_KEY",
            "STRIPE_SECRET",
            "token",
            "access_token",
            "accessToken",
            "GITHUB_TOKEN",
            "x-auth-token",
            "api_key",
            "apikey",
            "apiKey",
            "X-Api-Key",
            "access_key",
            "aws_access_key_id",
            "private_key",
            "credentials",
            "Authorization",
            "Cookie",
            "Set-Cookie",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
    }

    #[test]
    fn ordinary_names_are_not_secret() {
        for k in [
            "status",
            "schema_version",
            "passport",
            "passed",
            "bypass",
            "tokens",
            "tokenizer",
            "database",
            "database_url",
            "dsn",
            "user",
            "key",
            "keys",
            "version",
            "pinned",
            "",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }
}
