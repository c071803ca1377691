//! The classifier: names the database problem one log message reports and keeps its
//! identifiers (table, column, SQLSTATE, constraint, prepared statement, migration version).
//! Pure and allocation-light; it only ever sees lines the prefilter picked.

mod needles;

#[cfg(test)]
pub(crate) use needles::NEEDLES;

use super::LogKind;
use needles::{Found, n};

/// What a message reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// The kind of problem.
    pub kind: LogKind,
    /// SQLSTATE from the line, else the kind's own.
    pub sqlstate: Option<String>,
    /// Table named by the message.
    pub table: Option<String>,
    /// Column named by the message.
    pub column: Option<String>,
    /// Constraint, statement name, user, statement kind or normalised message.
    pub object: Option<String>,
    /// Rust type of a decode mismatch.
    pub rust_type: Option<String>,
    /// SQL type of a decode mismatch.
    pub sql_type: Option<String>,
    /// Migration version.
    pub migration: Option<i64>,
    /// "Applied N new migration(s)": N.
    pub applied: Option<u64>,
}

impl Classification {
    fn new(kind: LogKind) -> Self {
        Classification {
            kind,
            sqlstate: kind.default_sqlstate().map(str::to_owned),
            table: None,
            column: None,
            object: None,
            rust_type: None,
            sql_type: None,
            migration: None,
            applied: None,
        }
    }
    fn table(mut self, t: Option<String>) -> Self {
        self.table = t;
        self
    }
    fn column(mut self, c: Option<String>) -> Self {
        self.column = c;
        self
    }
    fn object(mut self, o: Option<String>) -> Self {
        self.object = o;
        self
    }
}

/// Literals of which at least one occurs in every line [`classify`] can classify. The scanner
/// searches raw bytes for them and parses only the lines that contain one.
pub const PREFILTER: &[&str] = &[
    "does not exist",
    "already exists",
    "no column found",
    "ColumnNotFound",
    "mismatched types",
    "unexpected null",
    "UnexpectedNull",
    "pool timed out",
    "PoolTimedOut",
    "too many",
    "remaining connection slots",
    "onnection refused",
    "onnection reset",
    "authentication failed",
    "statement timeout",
    "deadlock",
    "read-only transaction",
    "ermission denied",
    "violates",
    "TLS",
    "tls",
    "SSL",
    "ssl",
    "ertificate",
    "database_error",
    "internal_error",
    "sqlx",
    "SQLSTATE",
    "sqlstate",
    "error returned from database",
    "no such table",
    "no such column",
    "has no column named",
    "constraint failed",
    "(code: ",
    "igration",
    "schema is up to date",
    "ERROR:  ",
    "FATAL:  ",
    "PANIC:  ",
];

/// Classifies one message. Returns None for lines that are not database problems or
/// migration lifecycle events (e.g. an info-level `sqlx::query` log line).
pub fn classify(message: &str) -> Option<Classification> {
    // JSON and Debug output escape quotes; identifiers are read from the unescaped text.
    let unescaped;
    let msg = if find(message, "\\\"").is_some() {
        unescaped = needles::replace_static(
            &needles::replace_static(message, "\\\\\"", "\""),
            "\\\"",
            "\"",
        );
        unescaped.as_str()
    } else {
        message
    };
    let lower = msg.to_ascii_lowercase();
    let found = Found::new(&lower);
    let mut c = classify_inner(msg, &lower, &found)?;
    if let Some(code) = sqlstate_in(msg, &lower, &found) {
        c.sqlstate = Some(code);
    }
    Some(c)
}

fn classify_inner(msg: &str, lower: &str, found: &Found) -> Option<Classification> {
    // `has(n!("s"))` is `lower.contains("s")` and `at(n!("s"))` is `lower.find("s")`: every
    // needle was looked for once, in one pass (see `needles`).
    let has = |i: usize| found.at(i).is_some();
    let at = |i: usize| found.at(i);
    use LogKind::*;

    // Migration lifecycle first: a failure message quotes the database error inside it.
    if let Some(i) = at(n!("migration failed")) {
        let mut c = Classification::new(MigrationFailed);
        c.migration = number_after(lower, "while executing migration ")
            .or_else(|| number_after(&lower[i..], "migration "));
        c.table = quoted_after(msg, lower, "relation ");
        return Some(c);
    }
    for (needle, what) in [
        (
            n!("was previously applied but has been modified"),
            "modified after it was applied",
        ),
        (
            n!("was previously applied but is missing"),
            "applied but missing locally",
        ),
        (n!("is partially applied"), "partially applied (dirty)"),
    ] {
        if let Some(i) = at(needle) {
            let mut c = Classification::new(MigrationFailed).object(Some(what.to_string()));
            c.migration = last_number(&lower[..i]);
            return Some(c);
        }
    }
    if has(n!("checking database migrations")) {
        return Some(Classification::new(MigrationCheck));
    }
    if let Some(i) = at(n!(" new migration")) {
        let mut c = Classification::new(MigrationsApplied);
        c.applied = last_number(&lower[..i]).map(|n| n.max(0) as u64);
        if lower[..i].contains("applied") {
            return Some(c);
        }
    }
    if has(n!("schema is up to date")) {
        return Some(Classification::new(SchemaUpToDate));
    }

    // Pooler incompatibilities (transaction-mode PgBouncer and friends).
    if has(n!("prepared statement")) {
        if has(n!("already exists")) {
            return Some(
                Classification::new(PreparedStatementExists).object(quoted_after(
                    msg,
                    lower,
                    "prepared statement ",
                )),
            );
        }
        if has(n!("does not exist")) {
            return Some(
                Classification::new(PreparedStatementMissing).object(quoted_after(
                    msg,
                    lower,
                    "prepared statement ",
                )),
            );
        }
    }

    // SQLite's own messages (sqlx shows them as `(code: 1) no such table: x`). Each of them
    // holds one of these three, which are looked for once instead of every SQLite phrase.
    if (has(n!("no such ")) || has(n!(" has no column named ")) || has(n!("constraint failed")))
        && let Some(c) = sqlite(msg, lower)
    {
        return Some(c);
    }

    // Undefined column / table.
    if has(n!("does not exist")) {
        if let Some(i) = at(n!("column ")) {
            let rest_lower = &lower[i..];
            if find(rest_lower, "does not exist").is_some() {
                let col = quoted_after(msg, lower, "column ").or_else(|| {
                    // `column u.paused_at does not exist`
                    let start = i + "column ".len();
                    let word: String = msg[start..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
                        .collect();
                    word.rsplit('.')
                        .next()
                        .map(str::to_owned)
                        .filter(|w| !w.is_empty())
                });
                let table = quoted_after(msg, lower, "of relation ").map(unqualify);
                if col.is_some() {
                    return Some(
                        Classification::new(UndefinedColumn)
                            .table(table)
                            .column(col),
                    );
                }
            }
        }
        if let Some(t) = quoted_after(msg, lower, "relation ") {
            return Some(Classification::new(UndefinedTable).table(Some(unqualify(t))));
        }
        if let Some(t) = quoted_after(msg, lower, "table ") {
            return Some(Classification::new(UndefinedTable).table(Some(unqualify(t))));
        }
    }

    // sqlx decode errors.
    if has(n!("no column found for name")) || has(n!("columnnotfound(")) {
        let col = after_token(msg, lower, "no column found for name: ")
            .or_else(|| quoted_after(msg, lower, "columnnotfound("));
        return Some(Classification::new(ColumnNotFound).column(col));
    }
    if has(n!("mismatched types")) {
        let mut c = Classification::new(TypeMismatch).column(decode_column(msg, lower));
        c.rust_type = backticked_after(msg, lower, "rust type ");
        c.sql_type = backticked_after(msg, lower, "compatible with sql type ");
        return Some(c);
    }
    if has(n!("unexpected null")) {
        return Some(Classification::new(UnexpectedNull).column(decode_column(msg, lower)));
    }

    // Pool and connection limits.
    if has(n!("pool timed out")) || has(n!("pooltimedout")) {
        return Some(Classification::new(PoolTimeout));
    }
    if has(n!("too many clients"))
        || has(n!("too many connections"))
        || has(n!("remaining connection slots"))
    {
        return Some(Classification::new(TooManyConnections));
    }
    if has(n!("password authentication failed")) || has(n!("authentication failed for user")) {
        return Some(
            Classification::new(AuthenticationFailed).object(quoted_after(msg, lower, "for user ")),
        );
    }

    // Statement-level errors.
    if has(n!("canceling statement due to statement timeout"))
        || (has(n!("statement timeout")) && has(n!("cancel")))
    {
        return Some(Classification::new(StatementTimeout));
    }
    if has(n!("deadlock detected")) {
        return Some(Classification::new(Deadlock));
    }
    if let Some(i) = at(n!("in a read-only transaction")) {
        let object = lower[..i]
            .rfind("cannot execute ")
            .map(|j| msg[j + "cannot execute ".len()..i].trim().to_string());
        return Some(Classification::new(ReadOnlyTransaction).object(object));
    }
    if let Some(i) = at(n!("permission denied for ")) {
        let rest = &lower[i + "permission denied for ".len()..];
        let (what, name_lower) = rest.split_once(' ').unwrap_or((rest, ""));
        let start = msg.len() - name_lower.len();
        let name: String = msg[start..]
            .trim_matches('"')
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
            .collect();
        let c = Classification::new(PermissionDenied);
        return Some(if matches!(what, "table" | "relation" | "view") {
            c.table(Some(unqualify(name)))
        } else {
            c.object(Some(format!("{what} {name}").trim().to_string()))
        });
    }
    if has(n!("violates unique constraint")) || has(n!("duplicate key value")) {
        return Some(
            Classification::new(UniqueViolation)
                .object(quoted_after(msg, lower, "unique constraint "))
                .table(quoted_after(msg, lower, "on table ")),
        );
    }
    if has(n!("violates foreign key constraint")) {
        return Some(
            Classification::new(ForeignKeyViolation)
                .object(quoted_after(msg, lower, "foreign key constraint "))
                .table(quoted_after(msg, lower, "on table ").map(unqualify)),
        );
    }
    if has(n!("violates not-null constraint")) {
        return Some(
            Classification::new(NotNullViolation)
                .column(quoted_after(msg, lower, "column "))
                .table(quoted_after(msg, lower, "of relation ").map(unqualify)),
        );
    }

    // Connection problems.
    if has(n!("connection refused")) {
        return Some(Classification::new(ConnectionRefused));
    }
    if has(n!("connection reset")) || (has(n!("connection closed")) && has(n!("unexpectedly"))) {
        return Some(Classification::new(ConnectionReset));
    }
    if (has(n!("tls")) || has(n!("ssl")) || has(n!("certificate")))
        && [
            n!("error"),
            n!("fail"),
            n!("invalid"),
            n!("unknownissuer"),
            n!("not support"),
            n!("expired"),
            n!("refused"),
        ]
        .into_iter()
        .any(has)
    {
        return Some(Classification::new(Tls));
    }

    // Anything else the database returned.
    let pg_error = ["error: ", "fatal: ", "panic: "]
        .iter()
        .any(|p| lower.starts_with(p));
    if let Some(i) = at(n!("error returned from database: ")) {
        let text = &msg[i + "error returned from database: ".len()..];
        // SQLite's `(code: 1) ...`: the code is kept as the line's code, not in the text.
        let text = match text
            .strip_prefix("(code: ")
            .and_then(|r| r.split_once(") "))
        {
            Some((code, rest)) if code.bytes().all(|b| b.is_ascii_digit()) => rest,
            _ => text,
        };
        return Some(Classification::new(OtherDatabaseError).object(Some(normalise(text))));
    }
    if pg_error {
        let text = msg
            .split_once(": ")
            .map(|(_, t)| t.trim_start())
            .unwrap_or(msg);
        // Verbose logs put the SQLSTATE first (`ERROR:  22P02: ...`); it is kept separately.
        let text = match text.get(..5) {
            Some(code) if is_sqlstate(code) && text.get(5..7) == Some(": ") => &text[7..],
            _ => text,
        };
        return Some(Classification::new(OtherDatabaseError).object(Some(normalise(text))));
    }
    if let Some(code) = sqlstate_in(msg, lower, found) {
        return Some(Classification::new(OtherDatabaseError).object(Some(code)));
    }

    // The service's markers.
    if has(n!("database_error")) {
        return Some(Classification::new(ServiceDatabaseError));
    }
    if has(n!("internal_error")) {
        return Some(Classification::new(ServiceInternalError));
    }
    None
}

/// `haystack.find(needle)` with a SIMD searcher built once per needle (see `needles`).
fn find(haystack: &str, needle: &'static str) -> Option<usize> {
    needles::find_static(haystack, needle)
}

/// SQLite's messages for a missing table or column and for constraint failures.
fn sqlite(msg: &str, lower: &str) -> Option<Classification> {
    use LogKind::*;
    if let Some(t) = after_token(msg, lower, "no such table: ") {
        return Some(Classification::new(UndefinedTable).table(Some(unqualify(t))));
    }
    if let Some(c) = after_token(msg, lower, "no such column: ") {
        // `u.nickname`: the qualifier may be an alias, so no table is claimed.
        let column = c.rsplit('.').next().unwrap_or(&c).to_string();
        return Some(Classification::new(UndefinedColumn).column(Some(column)));
    }
    if let Some(i) = lower.find(" has no column named ") {
        let table = lower[..i]
            .rfind("table ")
            .map(|j| msg[j + "table ".len()..i].trim().to_string())
            .filter(|t| !t.is_empty() && !t.contains(' '));
        let column = after_token(msg, lower, " has no column named ");
        return Some(
            Classification::new(UndefinedColumn)
                .table(table.map(unqualify))
                .column(column),
        );
    }
    let failed = |key: &'static str| after_token(msg, lower, key);
    if let Some(cols) = failed("unique constraint failed: ") {
        let table = cols.split_once('.').map(|(t, _)| t.to_string());
        return Some(
            Classification::new(UniqueViolation)
                .object(Some(cols))
                .table(table),
        );
    }
    if let Some(col) = failed("not null constraint failed: ") {
        let (table, column) = match col.split_once('.') {
            Some((t, c)) => (Some(t.to_string()), Some(c.to_string())),
            None => (None, Some(col)),
        };
        return Some(
            Classification::new(NotNullViolation)
                .table(table)
                .column(column),
        );
    }
    if lower.contains("foreign key constraint failed") {
        return Some(Classification::new(ForeignKeyViolation));
    }
    None
}

/// Drops a schema qualifier: `public.users` -> `users`.
fn unqualify(name: String) -> String {
    match name.rsplit_once('.') {
        Some((_, t)) if !t.is_empty() => t.to_string(),
        _ => name,
    }
}

/// The `"quoted"` identifier right after `key` (matched case-insensitively).
fn quoted_after(msg: &str, lower: &str, key: &'static str) -> Option<String> {
    let i = find(lower, key)? + key.len();
    let rest = msg.get(i..)?.trim_start();
    let rest = rest.strip_prefix('"')?;
    let end = rest.find('"')?;
    let id = &rest[..end];
    (!id.is_empty() && id.len() <= 128).then(|| id.to_string())
}

/// The `` `backticked` `` text right after `key`.
fn backticked_after(msg: &str, lower: &str, key: &'static str) -> Option<String> {
    let i = find(lower, key)? + key.len();
    let rest = msg.get(i..)?.strip_prefix('`')?;
    let end = rest.find('`')?;
    Some(rest[..end].to_string())
}

/// The identifier token after `key` (up to whitespace, quote, comma or bracket).
fn after_token(msg: &str, lower: &str, key: &'static str) -> Option<String> {
    let i = find(lower, key)? + key.len();
    let rest = msg.get(i..)?.trim_start_matches(['"', '`', '\'']);
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '`' | '\'' | ',' | ')' | '}' | ';'))
        .unwrap_or(rest.len());
    let id = &rest[..end];
    (!id.is_empty()).then(|| id.to_string())
}

/// The column of a sqlx `ColumnDecode` error: `error occurred while decoding column "x"` or
/// `ColumnDecode { index: "\"x\"", ... }`.
fn decode_column(msg: &str, lower: &str) -> Option<String> {
    quoted_after(msg, lower, "decoding column ")
        .or_else(|| {
            let i = find(lower, "index: ")? + "index: ".len();
            let rest = msg.get(i..)?.trim_start_matches('"');
            let end = rest.find('"')?;
            let id = &rest[..end];
            (!id.is_empty() && !id.chars().all(|c| c.is_ascii_digit())).then(|| id.to_string())
        })
        .or_else(|| after_token(msg, lower, "column: "))
}

fn number_after(lower: &str, key: &'static str) -> Option<i64> {
    let i = find(lower, key)? + key.len();
    let digits: String = lower[i..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The last run of ASCII digits in `text`, as a number. The character before the run may be
/// any character, several bytes long included (log lines are not ASCII).
fn last_number(text: &str) -> Option<i64> {
    let end = text.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = text[..end]
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_ascii_digit())
        .map_or(0, |(i, c)| i + c.len_utf8());
    text[start..end].parse().ok()
}

/// A SQLSTATE named on the line: `code: "42P01"`, `SQLSTATE 42P01`, `sqlstate=42P01`, or
/// PostgreSQL's verbose `ERROR:  42P01: ...`.
fn sqlstate_in(msg: &str, lower: &str, found: &Found) -> Option<String> {
    for (needle, key) in [
        (n!("code: \""), "code: \""),
        (n!("sqlstate "), "sqlstate "),
        (n!("sqlstate="), "sqlstate="),
        (n!("sqlstate: "), "sqlstate: "),
        (n!("\"code\":\""), "\"code\":\""),
    ] {
        if let Some(i) = found.at(needle) {
            let cand = msg.get(i + key.len()..i + key.len() + 5)?;
            if is_sqlstate(cand) {
                return Some(cand.to_string());
            }
        }
    }
    // sqlx's SQLite errors: `(code: 2067) UNIQUE constraint failed: ...`.
    if let Some(i) = found.at(n!("(code: ")) {
        let digits: String = msg[i + "(code: ".len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if crate::errcode::is_sqlite_code(&digits)
            && msg[i + "(code: ".len() + digits.len()..].starts_with(')')
        {
            return Some(digits);
        }
    }
    for prefix in ["error:", "fatal:"] {
        if lower.starts_with(prefix) {
            let rest = msg[prefix.len()..].trim_start();
            if let Some(cand) = rest.get(..5)
                && rest.get(5..6) == Some(":")
                && is_sqlstate(cand)
            {
                return Some(cand.to_string());
            }
        }
    }
    None
}

fn is_sqlstate(s: &str) -> bool {
    s.len() == 5
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        && s.bytes().take(2).all(|b| b.is_ascii_alphanumeric())
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// A grouping form of an unclassified message: quoted strings and numbers replaced, cut.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(100));
    let mut in_quote = false;
    let mut last_digit = false;
    for ch in text.chars() {
        if in_quote {
            if ch == '"' {
                in_quote = false;
            }
            continue;
        }
        match ch {
            '"' => {
                in_quote = true;
                out.push_str("\"?\"");
            }
            c if c.is_ascii_digit() => {
                if !last_digit {
                    out.push('N');
                }
                last_digit = true;
                continue;
            }
            c => out.push(c),
        }
        last_digit = false;
        if out.len() >= 100 {
            break;
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests;
