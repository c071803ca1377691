//! The live database's verdict on each SQL statement found in the code (Parse/Describe, never
//! executed), and the pure logic around it: which statements can be described, mapping a
//! server error position back to a line of the Rust source, reading the table or column a
//! server error names, and comparing `.sqlx/` offline data with the live describe.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::backend::Backend;

/// The query-validation section of a snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QueryChecks {
    /// The engine that described the statements.
    pub backend: Backend,
    /// How many statements ended in each outcome.
    pub counts: QueryCounts,
    /// One entry per statement site, sorted by (file, line).
    #[serde(default)]
    pub statements: Vec<StatementCheck>,
    /// The `.sqlx/` offline data compared with the live database, when the folder exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offline: Option<OfflineCheck>,
    /// Why describing stopped before every statement was described (the collection deadline,
    /// a stalled server, a lost connection); the statements left are not checkable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
}

/// Totals over [`QueryChecks::statements`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QueryCounts {
    /// Statement sites seen.
    pub total: u32,
    /// Accepted by the database.
    pub ok: u32,
    /// Rejected by the database.
    pub rejected: u32,
    /// Not sent (SET/SHOW/transaction control, DDL, non-literal SQL, ...).
    pub not_checkable: u32,
}

impl QueryCounts {
    /// Counts the outcomes of `statements`.
    pub fn of(statements: &[StatementCheck]) -> QueryCounts {
        let mut c = QueryCounts {
            total: statements.len() as u32,
            ..QueryCounts::default()
        };
        for s in statements {
            match s.outcome {
                Outcome::Ok => c.ok += 1,
                Outcome::Rejected(_) => c.rejected += 1,
                Outcome::NotCheckable { .. } => c.not_checkable += 1,
            }
        }
        c
    }
}

/// One statement site and what the database said about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StatementCheck {
    /// Source file (relative to the scanned root).
    pub file: String,
    /// 1-based line of the call.
    pub line: u32,
    /// The sqlx API used, e.g. `sqlx::query_as`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<String>,
    /// The SQL text, when statically known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// What kind of statement it is, which decides how it is checked.
    pub kind: StatementKind,
    /// The database's verdict.
    pub outcome: Outcome,
    /// The result columns the database described (empty for statements without rows).
    #[serde(default)]
    pub columns: Vec<DescribedColumn>,
    /// The parameter types the database inferred, `$1` first.
    #[serde(default)]
    pub parameters: Vec<String>,
    /// The struct or tuple the rows decode into, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<TargetType>,
}

/// How a statement is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// SELECT / WITH / VALUES / TABLE: parsed and described, including nullability.
    Query,
    /// INSERT / UPDATE / DELETE / MERGE: only parsed (Parse + Describe of the statement).
    Modify,
    /// Session or transaction control (SET, SHOW, BEGIN, ...): never sent.
    Control,
    /// DDL and other utility statements: never sent.
    Utility,
    /// More than one statement in one string: cannot be prepared.
    Multiple,
    /// The SQL text is not known statically.
    Unknown,
}

/// The database's verdict on one statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Parsed (and described) without error.
    Ok,
    /// The database refused it.
    Rejected(Rejection),
    /// Not sent to the database, and why.
    NotCheckable {
        /// E.g. "SET cannot be prepared" or "SQL built with format!".
        reason: String,
    },
}

/// A server error for one statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Rejection {
    /// SQLSTATE, e.g. `42P01` (undefined table) or `42703` (undefined column). SQLite errors
    /// carry their extended result code here instead.
    pub sqlstate: String,
    /// The server's message.
    pub message: String,
    /// The server's DETAIL, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The server's HINT, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// 1-based character offset of the error in the SQL text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// The source line the position falls on (the call's line plus the SQL lines before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The table the error names, if it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The column the error names, if it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

/// One result column as the database describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DescribedColumn {
    /// Column name as sqlx sees it (what `FromRow` looks up).
    pub name: String,
    /// The SQL type, e.g. `INT8`, `TEXT`, `TIMESTAMPTZ`.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Whether the column can be NULL: `Some(false)` only when the database proves it cannot;
    /// `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
}

/// The Rust type a statement's rows decode into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TargetType {
    /// The type as written, e.g. `User` or `(i64, String)`.
    pub name: String,
    /// Struct (fields by name) or tuple (fields by position).
    pub shape: TargetShape,
    /// Fields in declaration order. Empty when the struct's definition was not found.
    #[serde(default)]
    pub fields: Vec<TargetField>,
    /// Where the struct is defined, `file:line`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defined_at: Option<String>,
}

/// How a target decodes its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetShape {
    /// A `FromRow` struct: each field looks up the column of its (renamed) name.
    Struct,
    /// A tuple: fields take columns by position.
    Tuple,
    /// `query_scalar`: the one field takes the first column.
    Scalar,
}

/// One field of a target type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TargetField {
    /// Rust field name (`0`, `1`, ... for tuples).
    pub name: String,
    /// The column it reads (after `rename`/`rename_all`); empty for tuples.
    #[serde(default)]
    pub column: String,
    /// The Rust type as written.
    pub rust_type: String,
    /// `#[sqlx(default)]`: a missing column is not an error.
    #[serde(default)]
    pub default: bool,
    /// `#[sqlx(skip)]`: never read from the row. (A `#[sqlx(flatten)]` field is replaced by
    /// the flattened model's own fields, or left out when that model was not found.)
    #[serde(default)]
    pub not_a_column: bool,
    /// `#[sqlx(json)]`: decoded as `Json<T>` from a JSON column.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub json: bool,
    /// `#[sqlx(try_from = "T")]`: decoded as T, then converted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub try_from: Option<String>,
}

/// The `.sqlx/` offline data compared with the live database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OfflineCheck {
    /// The folder that was read, relative to the source root.
    pub directory: String,
    /// One entry per `query-*.json`, sorted by file name.
    #[serde(default)]
    pub entries: Vec<OfflineEntry>,
    /// Files that could not be read or parsed.
    #[serde(default)]
    pub problems: Vec<OfflineProblem>,
}

/// One cached query and its live counterpart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OfflineEntry {
    /// File name, `query-<sha256>.json`.
    pub file: String,
    /// The cached query text.
    pub query: String,
    /// Whether a statement with this exact text is still in the source (None when the
    /// source was not scanned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_source: Option<bool>,
    /// The describe stored in the file.
    pub cached: OfflineDescribe,
    /// The live describe, or why there is none.
    pub live: LiveDescribe,
}

/// The live side of an offline comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LiveDescribe {
    /// Described now.
    Described(OfflineDescribe),
    /// The database rejects the cached query now.
    Rejected(Rejection),
    /// Not described (e.g. `--no-describe`, a timeout).
    NotDescribed {
        /// Why.
        reason: String,
    },
}

/// A describe in sqlx's offline spelling (`type_info` as sqlx serialises it, e.g. `Int8`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OfflineDescribe {
    /// Result columns.
    #[serde(default)]
    pub columns: Vec<OfflineColumn>,
    /// Parameter types.
    #[serde(default)]
    pub parameters: Vec<String>,
}

/// One column of an offline describe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OfflineColumn {
    /// Column name.
    pub name: String,
    /// `type_info` as sqlx serialises it (a string, or compact JSON for custom types).
    pub type_info: String,
    /// Nullability (None: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
}

/// A `.sqlx/` file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OfflineProblem {
    /// File name.
    pub file: String,
    /// What was wrong.
    pub message: String,
}

/// The differences between a cached describe and the live one, one sentence each; empty when
/// they agree. Nullability only counts when both sides know it.
pub fn offline_differences(cached: &OfflineDescribe, live: &OfflineDescribe) -> Vec<String> {
    let mut out = Vec::new();
    for c in &cached.columns {
        match live.columns.iter().find(|l| l.name == c.name) {
            None => out.push(format!("column {} ({}) is gone", c.name, c.type_info)),
            Some(l) => {
                if l.type_info != c.type_info {
                    out.push(format!(
                        "column {} was {} and is now {}",
                        c.name, c.type_info, l.type_info
                    ));
                }
                if let (Some(a), Some(b)) = (c.nullable, l.nullable)
                    && a != b
                {
                    out.push(format!(
                        "column {} was {} and is now {}",
                        c.name,
                        nullability(a),
                        nullability(b)
                    ));
                }
            }
        }
    }
    for l in &live.columns {
        if !cached.columns.iter().any(|c| c.name == l.name) {
            out.push(format!("column {} ({}) is new", l.name, l.type_info));
        }
    }
    if cached.parameters != live.parameters {
        out.push(format!(
            "parameters were ({}) and are now ({})",
            cached.parameters.join(", "),
            live.parameters.join(", ")
        ));
    }
    out
}

fn nullability(nullable: bool) -> &'static str {
    if nullable { "nullable" } else { "NOT NULL" }
}

/// Classifies a statement by its first keyword (comments and leading parentheses skipped),
/// and notices several statements in one string.
pub fn classify(sql: &str) -> StatementKind {
    let tokens = scan(sql);
    if tokens.statements > 1 {
        return StatementKind::Multiple;
    }
    let Some(first) = tokens.first_word else {
        return StatementKind::Utility;
    };
    match first.as_str() {
        "SELECT" | "WITH" | "VALUES" | "TABLE" => StatementKind::Query,
        "INSERT" | "UPDATE" | "DELETE" | "MERGE" => StatementKind::Modify,
        "SET" | "SHOW" | "RESET" | "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT"
        | "SAVEPOINT" | "RELEASE" | "PREPARE" | "EXECUTE" | "DEALLOCATE" | "DISCARD" | "LISTEN"
        | "UNLISTEN" | "NOTIFY" | "LOCK" | "PRAGMA" | "VACUUM" | "ANALYZE" | "CHECKPOINT" => {
            StatementKind::Control
        }
        _ => StatementKind::Utility,
    }
}

/// Why a statement of `kind` is not sent, or None when it is.
pub fn not_checkable_reason(kind: StatementKind, sql: &str) -> Option<String> {
    let word = scan(sql).first_word.unwrap_or_default();
    match kind {
        StatementKind::Query | StatementKind::Modify => None,
        StatementKind::Control => Some(format!(
            "{word} is session or transaction control: it cannot be described without running it"
        )),
        StatementKind::Utility => Some(format!(
            "{} is DDL or a utility statement: gaps never sends it to the target database",
            if word.is_empty() {
                "an empty statement".to_string()
            } else {
                word
            }
        )),
        StatementKind::Multiple => {
            Some("several statements in one string: a prepared statement holds exactly one".into())
        }
        StatementKind::Unknown => Some("the SQL text is not known statically".into()),
    }
}

struct Scan {
    first_word: Option<String>,
    statements: u32,
}

/// A small lexer that knows Postgres/SQLite quoting: '...', "...", $tag$...$tag$, -- and /* */
/// comments. Counts statements (non-empty text between top-level semicolons).
fn scan(sql: &str) -> Scan {
    let b = sql.as_bytes();
    let mut i = 0;
    let mut first_word = None;
    let mut statements = 0;
    let mut current_has_text = false;
    while i < b.len() {
        let c = b[i];
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 1;
            i += 2;
            while i < b.len() && depth > 0 {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
            continue;
        }
        if c == b';' {
            if current_has_text {
                statements += 1;
            }
            current_has_text = false;
            i += 1;
            continue;
        }
        if c.is_ascii_whitespace() || c == b'(' {
            i += 1;
            continue;
        }
        current_has_text = true;
        match c {
            b'\'' | b'"' | b'`' => {
                i += 1;
                while i < b.len() {
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                let start = i;
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                if j < b.len()
                    && b[j] == b'$'
                    && !b[i + 1..j].first().is_some_and(u8::is_ascii_digit)
                {
                    let tag = &sql[start..=j];
                    match sql[j + 1..].find(tag) {
                        Some(k) => i = j + 1 + k + tag.len(),
                        None => i = b.len(),
                    }
                } else {
                    i = j;
                }
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                if first_word.is_none() {
                    first_word = Some(sql[start..i].to_ascii_uppercase());
                }
            }
            _ => i += 1,
        }
    }
    if current_has_text {
        statements += 1;
    }
    Scan {
        first_word,
        statements,
    }
}

/// The source line of a 1-based character `position` in `sql`, when the SQL text starts on
/// `line`: the line plus the newlines before the position.
pub fn position_line(sql: &str, line: u32, position: u32) -> u32 {
    let before = sql
        .chars()
        .take(position.saturating_sub(1) as usize)
        .filter(|c| *c == '\n')
        .count();
    line + before as u32
}

/// The (table, column) a server error message names, for the messages Postgres and SQLite
/// give for a missing relation or column.
pub fn error_subject(message: &str) -> (Option<String>, Option<String>) {
    // Postgres: relation "x" does not exist / column "c" of relation "t" does not exist /
    // column "c" does not exist / column t.c does not exist.
    if let Some(rest) = message.strip_prefix("relation ") {
        return (quoted_or_word(rest), None);
    }
    if let Some(rest) = message.strip_prefix("column ") {
        let column = quoted_or_word(rest).map(|c| match c.rsplit_once('.') {
            Some((_, col)) if !rest.starts_with('"') => col.to_string(),
            _ => c,
        });
        let table = rest
            .find(" of relation ")
            .and_then(|i| quoted_or_word(&rest[i + 13..]));
        return (table, column);
    }
    // SQLite: no such table: t / no such column: c / table t has no column named c.
    if let Some(rest) = message.strip_prefix("no such table: ") {
        let name = rest.trim();
        let name = name.rsplit_once('.').map_or(name, |(_, t)| t);
        return (Some(name.to_string()), None);
    }
    if let Some(rest) = message.strip_prefix("no such column: ") {
        let name = rest.trim();
        let name = name.rsplit_once('.').map_or(name, |(_, c)| c);
        return (None, Some(name.to_string()));
    }
    if let Some(rest) = message.strip_prefix("table ")
        && let Some((table, column)) = rest.split_once(" has no column named ")
    {
        return (Some(table.to_string()), Some(column.trim().to_string()));
    }
    (None, None)
}

fn quoted_or_word(text: &str) -> Option<String> {
    if let Some(rest) = text.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    out.push('"');
                    chars.next();
                    continue;
                }
                return Some(out);
            }
            out.push(c);
        }
        None
    } else {
        let word: String = text.chars().take_while(|c| !c.is_whitespace()).collect();
        (!word.is_empty()).then_some(word)
    }
}

#[cfg(test)]
mod tests;
