//! Line layouts: `fly logs` text, JSON lines (Fly's NATS shape, tracing-subscriber's JSON, any
//! `timestamp`/`level`/`message` object), tracing / env_logger text and PostgreSQL stderr logs.
//! [`detect`] votes over the first lines of an input; [`parse_line`] splits one line into
//! timestamp, instance, region, level and message.

use std::sync::LazyLock;

use memchr::memmem;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::time;

/// A log layout.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// `2026-01-09T12:00:00.123Z app[148e272a] iad [info] <message>`.
    Fly,
    /// One JSON object per line.
    Json,
    /// tracing-subscriber's or env_logger's text, or anything else line-oriented.
    #[default]
    Text,
    /// PostgreSQL server log (stderr) with a `log_line_prefix`.
    Postgres,
}

/// One line split into its parts. The message keeps everything needed for classification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedLine {
    /// Unix seconds, when the line has a timestamp.
    pub time: Option<i64>,
    /// Fly machine id.
    pub instance: Option<String>,
    /// Fly region.
    pub region: Option<String>,
    /// Level as written (info, ERROR, ...).
    pub level: Option<String>,
    /// The message text (for JSON: every string field flattened as `key=value`).
    pub message: String,
    /// A request path found in structured fields (JSON `path`/`uri`).
    pub path: Option<String>,
    /// False when the line did not have the expected layout (it is then read as plain text).
    pub matched: bool,
}

/// Picks the layout most of the first lines of `sample` have.
pub fn detect(sample: &[u8]) -> LogFormat {
    let mut votes = [0usize; 4];
    for line in sample
        .split(|b| *b == b'\n')
        .map(trim_cr)
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .take(32)
    {
        let f = if fly_prefix(line).is_some() {
            LogFormat::Fly
        } else if line.first() == Some(&b'{') {
            LogFormat::Json
        } else if postgres_split(line).is_some() {
            LogFormat::Postgres
        } else {
            LogFormat::Text
        };
        votes[f as usize] += 1;
    }
    let order = [
        LogFormat::Fly,
        LogFormat::Json,
        LogFormat::Text,
        LogFormat::Postgres,
    ];
    let mut best = LogFormat::Text;
    let mut best_votes = 0;
    for f in order {
        if votes[f as usize] > best_votes {
            best = f;
            best_votes = votes[f as usize];
        }
    }
    best
}

/// Splits `line` according to `format`; a line that does not match is returned as text.
pub fn parse_line(format: LogFormat, line: &[u8]) -> ParsedLine {
    let line = trim_cr(line);
    let parsed = match format {
        LogFormat::Fly => parse_fly(line),
        LogFormat::Json => parse_json(line),
        LogFormat::Postgres => parse_postgres(line),
        LogFormat::Text => Some(parse_text(line)),
    };
    parsed.unwrap_or_else(|| {
        let mut p = parse_text(line);
        p.matched = false;
        p
    })
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn lossy(b: &[u8]) -> String {
    // Valid UTF-8 (nearly every line) is checked and copied without the lossy decoder's
    // per-chunk walk.
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

/// The parts of a fly logs prefix: time, machine id, region, level, message offset.
type FlyPrefix<'a> = (i64, &'a [u8], &'a [u8], &'a [u8], usize);

/// `TS name[id] region [level] ` -> its parts.
fn fly_prefix(line: &[u8]) -> Option<FlyPrefix<'_>> {
    let (t, used) = time::parse_prefix(line)?;
    let rest = line.get(used..)?.strip_prefix(b" ")?;
    let mut parts = rest.splitn(4, |b| *b == b' ');
    let proc_ = parts.next()?;
    let open = proc_.iter().position(|b| *b == b'[')?;
    if !proc_.ends_with(b"]") || open == 0 {
        return None;
    }
    let id = &proc_[open + 1..proc_.len() - 1];
    let region = parts.next()?;
    if region.is_empty() || !region.iter().all(u8::is_ascii_alphanumeric) {
        return None;
    }
    let level_tok = parts.next()?;
    let (level, msg_off) = if level_tok.starts_with(b"[") {
        let close = level_tok.iter().position(|b| *b == b']')?;
        let level = &level_tok[1..close];
        // The message may follow the level without a space (`[info]2026-...`).
        let off = used + 1 + proc_.len() + 1 + region.len() + 1 + close + 1;
        (level, off)
    } else {
        return None;
    };
    Some((t, id, region, level, msg_off))
}

fn parse_fly(line: &[u8]) -> Option<ParsedLine> {
    let (t, id, region, level, off) = fly_prefix(line)?;
    let msg = line.get(off..).unwrap_or_default();
    let msg = msg.strip_prefix(b" ").unwrap_or(msg);
    // An app writing JSON to stdout shows up as JSON inside the fly line.
    let inner = if msg.first() == Some(&b'{') {
        parse_json(msg)
    } else {
        None
    };
    let mut p = inner.unwrap_or_else(|| parse_text(msg));
    p.time = Some(t);
    p.instance = Some(lossy(id));
    p.region = Some(lossy(region));
    if p.level.is_none() {
        p.level = Some(lossy(level));
    }
    p.matched = true;
    Some(p)
}

fn parse_text(line: &[u8]) -> ParsedLine {
    let mut p = ParsedLine {
        matched: true,
        ..ParsedLine::default()
    };
    // env_logger: `[2026-01-09T12:00:00Z ERROR target] message`
    let body = line.strip_prefix(b"[").unwrap_or(line);
    if let Some((t, used)) = time::parse_prefix(body) {
        p.time = Some(t);
        let rest = body[used..].trim_ascii_start();
        let word_end = rest
            .iter()
            .position(|b| *b == b' ' || *b == b']')
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        if is_level(word) {
            p.level = Some(lossy(word));
        }
    }
    p.message = lossy(line);
    p
}

fn is_level(w: &[u8]) -> bool {
    [
        "TRACE", "DEBUG", "INFO", "WARN", "WARNING", "ERROR", "FATAL", "CRITICAL",
    ]
    .iter()
    .any(|l| w.eq_ignore_ascii_case(l.as_bytes()))
}

/// The levels of a PostgreSQL stderr line, in the order [`postgres_split`] tries them.
const PG_LEVELS: [&str; 10] = [
    "ERROR:  ",
    "FATAL:  ",
    "PANIC:  ",
    "WARNING:  ",
    "LOG:  ",
    "STATEMENT:  ",
    "DETAIL:  ",
    "HINT:  ",
    "CONTEXT:  ",
    "NOTICE:  ",
];

/// Their searchers, built once.
static PG_LEVEL_FINDERS: LazyLock<Vec<memmem::Finder<'static>>> = LazyLock::new(|| {
    PG_LEVELS
        .iter()
        .map(|l| memmem::Finder::new(l.as_bytes()).into_owned())
        .collect()
});

/// Postgres stderr: `<prefix>LEVEL:  message`, where the prefix normally starts with `%m`/`%t`.
fn postgres_split(line: &[u8]) -> Option<(usize, &'static str)> {
    time::parse_prefix(line)?;
    let limit = line.len().min(400);
    let head = &line[..limit];
    PG_LEVELS
        .iter()
        .zip(PG_LEVEL_FINDERS.iter())
        .find_map(|(lvl, f)| f.find(head).map(|i| (i, &lvl[..lvl.len() - 3])))
}

fn parse_postgres(line: &[u8]) -> Option<ParsedLine> {
    let (i, level) = postgres_split(line)?;
    let (t, _) = time::parse_prefix(line)?;
    let msg = &line[i + level.len() + 3..];
    Some(ParsedLine {
        time: Some(t),
        level: Some(level.to_string()),
        message: format!("{level}: {}", lossy(msg)),
        matched: true,
        ..ParsedLine::default()
    })
}

const TIME_KEYS: [&str; 5] = ["timestamp", "time", "ts", "@timestamp", "datetime"];
const LEVEL_KEYS: [&str; 3] = ["level", "severity", "lvl"];
const PATH_KEYS: [&str; 6] = ["path", "uri", "request_path", "http.target", "route", "url"];

fn parse_json(line: &[u8]) -> Option<ParsedLine> {
    let value: serde_json::Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(_) => serde_json::from_str(&String::from_utf8_lossy(line)).ok()?,
    };
    let obj = value.as_object()?;
    let mut p = ParsedLine {
        matched: true,
        ..ParsedLine::default()
    };
    let mut parts: Vec<String> = Vec::new();
    flatten("", &value, &mut parts, &mut p, 0);
    // Fly's NATS shape: {"fly":{"app":{"instance":..},"region":..},"log":{"level":..},"message":..}
    if let Some(fly) = obj.get("fly") {
        p.instance = fly
            .pointer("/app/instance")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        p.region = fly
            .get("region")
            .and_then(|v| v.as_str())
            .map(str::to_owned);
    }
    if p.level.is_none() {
        p.level = obj
            .get("log")
            .and_then(|l| l.get("level"))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
    }
    p.message = parts.join(" ");
    Some(p)
}

fn flatten(
    prefix: &str,
    v: &serde_json::Value,
    out: &mut Vec<String>,
    p: &mut ParsedLine,
    depth: u32,
) {
    match v {
        serde_json::Value::Object(map) if depth < 6 => {
            for (k, child) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, child, out, p, depth + 1);
            }
        }
        serde_json::Value::String(s) => {
            let leaf = prefix.rsplit('.').next().unwrap_or(prefix);
            if p.time.is_none()
                && TIME_KEYS.contains(&leaf)
                && let Some(t) = time::parse(s)
            {
                p.time = Some(t);
                return;
            }
            if p.level.is_none() && LEVEL_KEYS.contains(&leaf) {
                p.level = Some(s.clone());
                return;
            }
            if p.path.is_none() && (PATH_KEYS.contains(&leaf) || PATH_KEYS.contains(&prefix)) {
                p.path = clean_path(s);
            }
            // A message that is itself JSON (tracing JSON inside Fly's JSON) is flattened too.
            if s.starts_with('{')
                && depth < 6
                && let Ok(inner) = serde_json::from_str::<serde_json::Value>(s)
            {
                flatten(prefix, &inner, out, p, depth + 1);
                return;
            }
            out.push(format!("{prefix}={s}"));
        }
        serde_json::Value::Null | serde_json::Value::Object(_) => {}
        other => out.push(format!("{prefix}={other}")),
    }
}

/// A request path without query string or fragment (they can carry tokens); None unless it
/// looks like a path.
pub fn clean_path(s: &str) -> Option<String> {
    let s = s.trim();
    // A byte loop: the paths are short, building a searcher for them cost more.
    let s = match memchr::memchr_iter(b':', s.as_bytes()).find(|&i| s[i..].starts_with("://")) {
        Some(i) => {
            let after = &s[i + 3..];
            &after[after.find('/')?..]
        }
        None => s,
    };
    if !s.starts_with('/') {
        return None;
    }
    let end = s.find(['?', '#']).unwrap_or(s.len());
    let p = &s[..end];
    (p.len() <= 200).then(|| p.to_string())
}

/// The keys [`path_in_text`] looks for, then the request methods.
const PATH_KEYS_IN_TEXT: [&str; 5] = ["uri=", "path=", "\"uri\":\"", "\"path\":\"", "url="];
const METHODS_IN_TEXT: [&str; 5] = ["GET /", "POST /", "PUT /", "PATCH /", "DELETE /"];

/// Their searchers, built once (building one per search cost more than searching).
static PATH_FINDERS: LazyLock<Vec<memmem::Finder<'static>>> = LazyLock::new(|| {
    PATH_KEYS_IN_TEXT
        .iter()
        .chain(&METHODS_IN_TEXT)
        .map(|k| memmem::Finder::new(k.as_bytes()).into_owned())
        .collect()
});

/// Finds a request path in free text: `uri=/x`, `path=/x`, `"path":"/x"`, `GET /x`.
pub fn path_in_text(text: &str) -> Option<String> {
    let finders = &*PATH_FINDERS;
    let find = |i: usize| finders[i].find(text.as_bytes());
    for (n, key) in PATH_KEYS_IN_TEXT.iter().enumerate() {
        if let Some(i) = find(n) {
            let rest = text[i + key.len()..].trim_start_matches('"');
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | ',' | '}' | ';'))
                .unwrap_or(rest.len());
            if let Some(p) = clean_path(&rest[..end]) {
                return Some(p);
            }
        }
    }
    for (n, method) in METHODS_IN_TEXT.iter().enumerate() {
        if let Some(i) = find(PATH_KEYS_IN_TEXT.len() + n) {
            let rest = &text[i + method.len() - 1..];
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"')
                .unwrap_or(rest.len());
            if let Some(p) = clean_path(&rest[..end]) {
                return Some(p);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fly_line_gives_instance_region_level_and_message() {
        let p = parse_line(
            LogFormat::Fly,
            b"2026-01-09T12:00:00.123Z app[148e272a] iad [info] database_error: boom",
        );
        assert!(p.matched);
        assert_eq!(p.instance.as_deref(), Some("148e272a"));
        assert_eq!(p.region.as_deref(), Some("iad"));
        assert_eq!(p.level.as_deref(), Some("info"));
        assert_eq!(p.message, "database_error: boom");
        assert_eq!(p.time, time::parse("2026-01-09T12:00:00Z"));
    }

    #[test]
    fn fly_nats_json_gives_instance_and_region() {
        let line = br#"{"event":{"provider":"app"},"fly":{"app":{"instance":"148e272a","name":"ignition-api"},"region":"ams"},"log":{"level":"error"},"message":"error returned from database: relation \"x\" does not exist","timestamp":"2026-01-09T12:00:00.5Z"}"#;
        let p = parse_line(LogFormat::Json, line);
        assert_eq!(p.instance.as_deref(), Some("148e272a"));
        assert_eq!(p.region.as_deref(), Some("ams"));
        assert_eq!(p.level.as_deref(), Some("error"));
        assert!(
            p.message.contains(r#"relation "x" does not exist"#),
            "{}",
            p.message
        );
        assert!(p.time.is_some());
    }

    #[test]
    fn tracing_json_fields_are_flattened_with_the_path() {
        let line = br#"{"timestamp":"2026-01-09T12:00:00Z","level":"ERROR","fields":{"message":"database_error","error":"no column found for name: paused_at"},"target":"api","span":{"method":"GET","uri":"/api/focus/pause?token=abc"}}"#;
        let p = parse_line(LogFormat::Json, line);
        assert_eq!(p.level.as_deref(), Some("ERROR"));
        assert_eq!(p.path.as_deref(), Some("/api/focus/pause"));
        assert!(
            p.message
                .contains("fields.error=no column found for name: paused_at")
        );
    }

    #[test]
    fn detection_votes_per_layout() {
        let fly =
            b"2026-01-09T12:00:00Z app[1] iad [info] a\n2026-01-09T12:00:01Z app[1] iad [info] b\n";
        assert_eq!(detect(fly), LogFormat::Fly);
        assert_eq!(
            detect(b"{\"msg\":\"a\"}\n{\"msg\":\"b\"}\n"),
            LogFormat::Json
        );
        let pg = b"2026-01-09 12:00:00.123 UTC [42] db=app user=app ERROR:  relation \"x\" does not exist\n";
        assert_eq!(detect(pg), LogFormat::Postgres);
        let tr = b"2026-01-09T12:00:00.123456Z ERROR api::db: database_error\n";
        assert_eq!(detect(tr), LogFormat::Text);
    }

    #[test]
    fn postgres_line_keeps_level_in_message() {
        let p = parse_line(
            LogFormat::Postgres,
            b"2026-01-09 12:00:00.123 UTC [42] db=app user=app ERROR:  relation \"x\" does not exist at character 15",
        );
        assert_eq!(p.level.as_deref(), Some("ERROR"));
        assert!(p.message.starts_with("ERROR: relation \"x\""));
    }

    #[test]
    fn mismatched_layout_falls_back_to_text() {
        let p = parse_line(LogFormat::Json, b"not json at all");
        assert!(!p.matched);
        assert_eq!(p.message, "not json at all");
    }

    #[test]
    fn paths_lose_their_query_string() {
        assert_eq!(
            path_in_text("request{method=GET uri=/api/x?token=s3cret version=HTTP/1.1}"),
            Some("/api/x".into())
        );
        assert_eq!(
            path_in_text("\"GET /health HTTP/1.1\""),
            Some("/health".into())
        );
        assert_eq!(path_in_text("nothing here"), None);
    }
}
