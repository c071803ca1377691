//! The settings the service's sessions run under, and where each comes from. PostgreSQL
//! applies them in this order, the later winning: the server's configuration, `ALTER ROLE ALL
//! SET`, `ALTER DATABASE SET`, `ALTER ROLE r SET`, `ALTER ROLE r IN DATABASE d SET`, then the
//! client's startup options (the DSN's `options=-c name=value`, sqlx's
//! `PgConnectOptions::options`); a `SET` the code runs in `after_connect` comes after all of
//! them. [`effective`] walks that order for the four settings that change what a statement
//! does (search_path, statement_timeout, lock_timeout, idle_in_transaction_session_timeout);
//! a level gaps could not see makes the value unknown, never guessed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The settings gaps reports for the service.
pub const SETTINGS: [&str; 4] = [
    "search_path",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
];

/// A setting the service's code applies to every connection it opens.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct CodeSetting {
    /// The setting, lowercase.
    pub name: String,
    /// Its value as written (quotes removed).
    pub value: String,
    /// Source file.
    pub file: String,
    /// Line.
    pub line: u32,
    /// How: `after_connect` (a SET run on each new connection) or `connect_options`
    /// (`PgConnectOptions::options`).
    pub via: String,
}

/// Where an effective setting comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettingSource {
    /// A SET the code runs in `after_connect`.
    AfterConnect,
    /// `PgConnectOptions::options` in the code.
    ConnectOptions,
    /// The DSN's `options=-c name=value`.
    Dsn,
    /// `ALTER ROLE r IN DATABASE d SET`.
    RoleInDatabase,
    /// `ALTER ROLE r SET`.
    Role,
    /// `ALTER DATABASE d SET`.
    Database,
    /// `ALTER ROLE ALL SET`.
    AllRoles,
    /// The server's configuration (or built-in default).
    Server,
    /// Not known: a level gaps could not see.
    Unknown,
}

impl SettingSource {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            SettingSource::AfterConnect => "SET in after_connect",
            SettingSource::ConnectOptions => "PgConnectOptions::options in the code",
            SettingSource::Dsn => "the connection URL's options",
            SettingSource::RoleInDatabase => "ALTER ROLE ... IN DATABASE ... SET",
            SettingSource::Role => "ALTER ROLE ... SET",
            SettingSource::Database => "ALTER DATABASE ... SET",
            SettingSource::AllRoles => "ALTER ROLE ALL SET",
            SettingSource::Server => "the server's configuration",
            SettingSource::Unknown => "unknown",
        }
    }
}

/// One setting as the service's sessions get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EffectiveSetting {
    /// The setting.
    pub name: String,
    /// Its value; None when a level that could set it was not readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Where the value comes from.
    pub source: SettingSource,
    /// Where exactly: `src/db.rs:14`, the role and database of an ALTER ROLE, the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The value in gaps' own session (what Describe ran under), when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gaps_value: Option<String>,
}

/// One row of `pg_db_role_setting`, its array split: None for "every role" / "every database".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSetting {
    /// The role, or None for ALTER DATABASE / ALTER ROLE ALL.
    pub role: Option<String>,
    /// The database, or None for every database.
    pub database: Option<String>,
    /// The setting.
    pub name: String,
    /// Its value as stored.
    pub value: String,
}

/// One setting of gaps' own session (`pg_settings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionValue {
    /// The setting.
    pub name: String,
    /// The value the session started with (`reset_val`, with its unit).
    pub reset: String,
    /// The value now (`SHOW`), with its unit.
    pub now: String,
}

/// What the effective settings are computed from.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    /// The service role.
    pub role: &'a str,
    /// The user gaps connected as.
    pub connecting_user: &'a str,
    /// The database.
    pub database: &'a str,
    /// `pg_db_role_setting` rows for this database (and every database), for the service
    /// role, gaps' own user and every role.
    pub role_settings: &'a [RoleSetting],
    /// gaps' own session values.
    pub session: &'a [SessionValue],
    /// The options of the URL gaps connected with.
    pub gaps_dsn: &'a [(String, String)],
    /// The service's own URL options and where the URL was found (`.env`), when known.
    pub service_dsn: Option<(&'a [(String, String)], &'a str)>,
    /// Settings the code applies.
    pub code: &'a [CodeSetting],
}

/// The effective value of each of [`SETTINGS`] for the service role.
pub fn effective(inputs: &Inputs) -> Vec<EffectiveSetting> {
    SETTINGS
        .iter()
        .map(|name| effective_one(inputs, name))
        .collect()
}

fn effective_one(i: &Inputs, name: &str) -> EffectiveSetting {
    let session = i.session.iter().find(|s| s.name == name);
    let mut out = EffectiveSetting {
        name: name.to_string(),
        value: None,
        source: SettingSource::Unknown,
        at: None,
        gaps_value: None,
    };
    let found = from_code(i, name)
        .or_else(|| from_dsn(i, name))
        .or_else(|| from_roles(i, name, session));
    if let Some((value, source, at)) = found {
        out.value = value;
        out.source = source;
        out.at = at;
    }
    // What gaps' own session had: search_path is never changed by gaps; the timeouts are
    // set for gaps' transaction only, so their session value is the one it started with.
    let gaps = session.map(|s| {
        if name == "search_path" {
            s.now.clone()
        } else {
            s.reset.clone()
        }
    });
    if gaps.is_some() && !same_value(gaps.as_deref(), out.value.as_deref()) {
        out.gaps_value = gaps;
    }
    out
}

/// Two values of a setting, compared without case, spaces and quotes, durations in
/// milliseconds (`7s` is `7000ms` is `7000`).
fn same_value(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |s: &str| {
        let t = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '"' && *c != '\'')
            .collect::<String>()
            .to_lowercase();
        match millis(&t) {
            Some(ms) => ms.to_string(),
            None => t,
        }
    };
    match (a, b) {
        (Some(a), Some(b)) => norm(a) == norm(b),
        _ => false,
    }
}

/// A duration setting's value in milliseconds: a number with no unit is milliseconds.
fn millis(v: &str) -> Option<u64> {
    let split = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let n: u64 = v[..split].parse().ok()?;
    let factor = match &v[split..] {
        "" | "ms" => 1,
        "s" => 1_000,
        "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

type Found = (Option<String>, SettingSource, Option<String>);

fn from_code(i: &Inputs, name: &str) -> Option<Found> {
    let pick = |via: &str| -> Option<Found> {
        let sites: Vec<&CodeSetting> = i
            .code
            .iter()
            .filter(|c| c.name == name && c.via == via)
            .collect();
        let first = sites.first()?;
        let source = if via == "after_connect" {
            SettingSource::AfterConnect
        } else {
            SettingSource::ConnectOptions
        };
        let at: Vec<String> = sites
            .iter()
            .map(|c| format!("{}:{}", c.file, c.line))
            .collect();
        // Several places setting different values: which one a connection gets is not known.
        let agree = sites
            .iter()
            .all(|c| same_value(Some(&c.value), Some(&first.value)));
        let value = agree.then(|| first.value.clone());
        Some((value, source, Some(at.join(", "))))
    };
    pick("after_connect").or_else(|| pick("connect_options"))
}

fn from_dsn(i: &Inputs, name: &str) -> Option<Found> {
    if let Some((opts, at)) = i.service_dsn
        && let Some((_, v)) = opts.iter().find(|(k, _)| k == name)
    {
        return Some((Some(v.clone()), SettingSource::Dsn, Some(at.to_string())));
    }
    if i.role == i.connecting_user
        && let Some((_, v)) = i.gaps_dsn.iter().find(|(k, _)| k == name)
    {
        return Some((
            Some(v.clone()),
            SettingSource::Dsn,
            Some("--database-url".to_string()),
        ));
    }
    None
}

fn from_roles(i: &Inputs, name: &str, session: Option<&SessionValue>) -> Option<Found> {
    let row = |role: Option<&str>, db: bool| {
        i.role_settings.iter().find(|r| {
            r.name == name
                && r.role.as_deref() == role
                && (r.database.as_deref() == Some(i.database)) == db
                && (db || r.database.is_none())
        })
    };
    let levels = [
        (Some(i.role), true, SettingSource::RoleInDatabase),
        (Some(i.role), false, SettingSource::Role),
        (None, true, SettingSource::Database),
        (None, false, SettingSource::AllRoles),
    ];
    for (role, db, source) in levels {
        if let Some(r) = row(role, db) {
            let at = match (role, db) {
                (Some(role), true) => format!("role {role} in database {}", i.database),
                (Some(role), false) => format!("role {role}"),
                (None, true) => format!("database {}", i.database),
                (None, false) => "every role".to_string(),
            };
            return Some((Some(r.value.clone()), source, Some(at)));
        }
    }
    // No role or database setting: the server's value. gaps' own session started with it
    // unless gaps' user has a setting of its own or gaps' URL sets it.
    let gaps_overrides = i.gaps_dsn.iter().any(|(k, _)| k == name)
        || i.role_settings
            .iter()
            .any(|r| r.name == name && r.role.as_deref() == Some(i.connecting_user));
    let session = session?;
    if gaps_overrides {
        return Some((None, SettingSource::Unknown, None));
    }
    Some((Some(session.reset.clone()), SettingSource::Server, None))
}

/// The `name=value` pairs of a PostgreSQL URL's `options` parameter (`-c name=value`,
/// `--name=value`), names lowercased, `-` in names read as `_`.
pub fn dsn_options(url: &str) -> Vec<(String, String)> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in parsed.query_pairs() {
        if k != "options" {
            continue;
        }
        let words = split_words(&v);
        let mut it = words.iter();
        while let Some(w) = it.next() {
            let pair = if w == "-c" {
                it.next().map(String::as_str)
            } else if let Some(rest) = w.strip_prefix("-c") {
                Some(rest)
            } else {
                w.strip_prefix("--")
            };
            if let Some((n, val)) = pair.and_then(|p| p.split_once('=')) {
                out.push((n.trim().to_lowercase().replace('-', "_"), val.to_string()));
            }
        }
    }
    out
}

/// libpq splits `options` on unescaped spaces; `\ ` keeps a space in a value.
fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The schemas of a search_path value, in order: quotes removed from quoted names, unquoted
/// names lowercased, `$user` kept as written.
pub fn search_path_schemas(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if let Some(inner) = s.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
                if inner == "$user" {
                    "$user".to_string()
                } else {
                    inner.replace("\"\"", "\"")
                }
            } else if let Some(inner) = s.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')) {
                inner.to_string()
            } else {
                s.to_lowercase()
            }
        })
        .collect()
}

/// The session settings a SQL text sets: `SET [SESSION] name = value` / `TO value` and
/// `set_config('name', 'value', false)`, for the settings of [`SETTINGS`]. `SET LOCAL` and
/// `set_config(..., true)` last one transaction and are left out.
pub fn settings_set_by(sql: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for piece in crate::code::sql::split_statements(sql) {
        let text = piece.text.trim();
        let lower = text.to_ascii_lowercase();
        let rest = if let Some(r) = lower.strip_prefix("set ") {
            r.trim_start()
        } else {
            if let Some(pair) = set_config(text) {
                out.push(pair);
            }
            continue;
        };
        let rest = rest.strip_prefix("session ").unwrap_or(rest).trim_start();
        if rest.starts_with("local ") {
            continue;
        }
        let name_end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let name = &rest[..name_end];
        if !SETTINGS.contains(&name) {
            continue;
        }
        // The value, in the original spelling (case of quoted names kept).
        let offset = text.len() - rest.len() + name_end;
        let after = text[offset..].trim_start();
        let value = after
            .strip_prefix('=')
            .or_else(|| {
                after
                    .get(..2)
                    .filter(|p| p.eq_ignore_ascii_case("to"))
                    .map(|_| &after[2..])
            })
            .map(str::trim);
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            out.push((name.to_string(), unquote_value(name, v)));
        }
    }
    out
}

/// `set_config('name', 'value', false)` in a SELECT.
fn set_config(text: &str) -> Option<(String, String)> {
    let lower = text.to_ascii_lowercase();
    let at = lower.find("set_config(")?;
    let args = &text[at + "set_config(".len()..];
    let close = args.rfind(')')?;
    let parts: Vec<&str> = args[..close].split(',').map(str::trim).collect();
    let [name, value @ .., local] = parts.as_slice() else {
        return None;
    };
    if !local.eq_ignore_ascii_case("false") {
        return None;
    }
    let strip = |s: &str| {
        s.strip_prefix('\'')
            .and_then(|x| x.strip_suffix('\''))
            .map(str::to_string)
    };
    let name = strip(name)?.to_lowercase();
    let value = strip(&value.join(","))?;
    SETTINGS.contains(&name.as_str()).then_some((name, value))
}

/// A SET value as the session will hold it: a single quoted literal loses its quotes; a
/// search_path list is kept as written.
fn unquote_value(name: &str, v: &str) -> String {
    if name != "search_path"
        && let Some(inner) = v.strip_prefix('\'').and_then(|x| x.strip_suffix('\''))
    {
        return inner.to_string();
    }
    if name == "search_path" {
        // 'app', 'public' and app, public are the same list.
        return v
            .split(',')
            .map(|s| {
                let s = s.trim();
                s.strip_prefix('\'')
                    .and_then(|x| x.strip_suffix('\''))
                    .unwrap_or(s)
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join(", ");
    }
    v.to_string()
}

#[cfg(test)]
mod tests;
