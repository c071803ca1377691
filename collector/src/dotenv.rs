//! `DATABASE_URL` resolution as sqlx-cli does it: the flag, then the environment, then a `.env`
//! file in the current directory.

use std::path::Path;

/// Where the database URL came from (never the URL itself, which may hold a password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlSource {
    /// `--database-url`.
    Flag,
    /// The `DATABASE_URL` environment variable.
    Environment,
    /// `DATABASE_URL` in `./.env`.
    DotEnv,
}

/// Resolves the database URL: `flag`, else `$DATABASE_URL`, else `DATABASE_URL` in `dir/.env`.
pub fn resolve_database_url(flag: Option<&str>, dir: &Path) -> Option<(String, UrlSource)> {
    if let Some(url) = flag.filter(|s| !s.trim().is_empty()) {
        return Some((url.to_string(), UrlSource::Flag));
    }
    if let Ok(url) = std::env::var("DATABASE_URL")
        && !url.trim().is_empty()
    {
        return Some((url, UrlSource::Environment));
    }
    let text = std::fs::read_to_string(dir.join(".env")).ok()?;
    lookup(&text, "DATABASE_URL").map(|url| (url, UrlSource::DotEnv))
}

/// Finds `key` in dotenv text: `KEY=value`, optional `export`, quotes, `#` comments.
pub fn lookup(text: &str, key: &str) -> Option<String> {
    text.lines().rev().find_map(|line| {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let (k, v) = line.split_once('=')?;
        if k.trim() != key {
            return None;
        }
        let v = v.trim();
        let value = if let Some(inner) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            inner.to_string()
        } else if let Some(inner) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            inner.to_string()
        } else {
            v.split(" #").next().unwrap_or(v).trim().to_string()
        };
        (!value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_plain_quoted_and_exported_values() {
        assert_eq!(
            lookup("DATABASE_URL=sqlite:a.db\n", "DATABASE_URL").as_deref(),
            Some("sqlite:a.db")
        );
        assert_eq!(
            lookup(
                "# c\nexport DATABASE_URL=\"postgres://u@h/d\"\n",
                "DATABASE_URL"
            )
            .as_deref(),
            Some("postgres://u@h/d")
        );
        assert_eq!(
            lookup("DATABASE_URL='x' \n", "DATABASE_URL").as_deref(),
            Some("x")
        );
        assert_eq!(lookup("OTHER=1\n", "DATABASE_URL"), None);
    }

    #[test]
    fn later_assignment_wins() {
        assert_eq!(
            lookup("DATABASE_URL=a\nDATABASE_URL=b\n", "DATABASE_URL").as_deref(),
            Some("b")
        );
    }
}
