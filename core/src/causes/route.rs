//! Routing: what each finding is evidence *of* — a migration, a table or column (missing, or
//! different from what something expects), a family of findings that share one fix, or
//! nothing but itself. The match over [`FindingKind`] has no wildcard on purpose: a new kind
//! must be routed before it compiles (see the module docs of [`crate::causes`]).

use super::context::Ctx;
use crate::finding::{Finding, FindingKind, Severity};

/// A database object a finding names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Obj {
    /// A table (or view).
    Table(String),
    /// A column of a table.
    Column(String, String),
    /// An index of a table.
    Index(String, String),
    /// A constraint of a table.
    Constraint(String, String),
    /// An enum type. No rule names one yet; `enum_value_missing` (a value the live enum
    /// lacks) will route here.
    #[allow(dead_code)]
    Enum(String),
}

impl Obj {
    /// The table the object belongs to.
    pub fn table(&self) -> &str {
        match self {
            Obj::Table(t) | Obj::Column(t, _) | Obj::Index(t, _) | Obj::Constraint(t, _) => t,
            Obj::Enum(e) => e,
        }
    }
}

/// How a column-only finding (a log line, a result column) relates to the column it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Aspect {
    /// The column does not exist (or the statement does not return it).
    Missing,
    /// The column exists but its type or nullability disagrees.
    Differs,
}

/// Where a finding points, before the migration state decides its cause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// Already decided.
    Key(Key),
    /// An object that does not exist but should.
    Missing(Obj),
    /// An object that exists but differs from what is expected.
    Differs(Obj),
    /// A live object nothing expects.
    Unexpected(Obj),
    /// Whatever cause migration `v` has.
    Migration(i64),
    /// A column named without its table (a log line, a statement's result column): joins the
    /// one cause that has a column of that name. `field` is the (target type, field) of a
    /// result mismatch, its cause when nothing else claims it.
    Column {
        column: String,
        aspect: Aspect,
        field: Option<(String, String)>,
    },
    /// Joins the pending migrations' cause when there is one.
    Pending,
    /// A cause of its own.
    Own,
}

fn detail<'f>(f: &'f Finding, key: &str) -> Option<&'f str> {
    f.details.get(key).and_then(|v| v.as_str())
}

/// Routes one finding.
pub(super) fn route(ctx: &Ctx, f: &Finding) -> Route {
    use FindingKind::*;
    let table = f.table.clone();
    let column = f.column.clone();
    match f.kind {
        MigrationsTableMissing => Route::Key(Key::Pending),
        MigrationsTableNotOnSearchPath => Route::Key(Key::Hidden),
        MigrationPending | MigrationOutOfOrder => Route::Key(Key::Pending),
        MigrationFailed => version(f, Key::Failed),
        MigrationChecksumMismatch => version(f, Key::Edited),
        MigrationMissingLocally => version(f, Key::MissingLocally),
        MigrationNotTimed => version(f, Key::NotTimed),
        MigrationIgnoredFile => {
            if f.details.get("fatal") == Some(&serde_json::Value::Bool(true)) {
                Route::Key(Key::IgnoredFile(f.file.clone().unwrap_or_default()))
            } else {
                Route::Key(Key::Group("migration-files-ignored"))
            }
        }
        MigrationLockHeld => Route::Key(Key::MigrationLock),
        TableMissing if accepted(f) => Route::Key(Key::Group("static-analysis")),
        ColumnMissing if accepted(f) => Route::Key(Key::Group("static-analysis")),
        TableMissing if f.details.contains_key("only_gaps_md") => Route::Key(Key::GapsMdUnused),
        TableMissing => match table {
            Some(t) => Route::Missing(Obj::Table(t)),
            None => Route::Own,
        },
        ColumnMissing => match (table, column) {
            (Some(t), Some(c)) => Route::Missing(Obj::Column(t, c)),
            (None, Some(c)) => Route::Column {
                column: c,
                aspect: Aspect::Missing,
                field: None,
            },
            _ => Route::Own,
        },
        TableUnexpected => match table {
            Some(t) => Route::Unexpected(Obj::Table(t)),
            None => Route::Own,
        },
        ColumnUnexpected => match (table, column) {
            (Some(t), Some(c)) => Route::Unexpected(Obj::Column(t, c)),
            _ => Route::Own,
        },
        ColumnTypeMismatch | ColumnNullabilityMismatch | DefaultMismatch => match (table, column) {
            (Some(t), Some(c)) => Route::Differs(Obj::Column(t, c)),
            _ => Route::Own,
        },
        IndexMissing => match (table, detail(f, "index")) {
            (Some(t), Some(i)) => Route::Missing(Obj::Index(t, i.to_string())),
            _ => Route::Own,
        },
        ConstraintMismatch => {
            let name = detail(f, "constraint").map(str::to_string).or(column);
            match (table, name) {
                (Some(t), Some(k)) if absent(f) => Route::Missing(Obj::Constraint(t, k)),
                (Some(t), Some(k)) => Route::Differs(Obj::Constraint(t, k)),
                _ => Route::Own,
            }
        }
        QueryInvalid => invalid(ctx, f),
        QueryResultMismatch => result_mismatch(ctx, f),
        SqlxOfflineStale => Route::Key(Key::Group("sqlx-offline")),
        LogDatabaseError => log_error(f),
        LogMigrationFailure => match f.migration {
            Some(v) => Route::Migration(v),
            None => Route::Own,
        },
        LogPoolExhaustion | ConnectionsNearLimit => Route::Key(Key::Group("connections")),
        LogPoolerIncompatibility | ProviderPoolerInUse => Route::Key(Key::Group("pooler")),
        HealthUnreachable | HealthUnhealthy => Route::Key(Key::Group("health")),
        HealthSchemaVersionMismatch => Route::Pending,
        HealthSchemaVersionMissing => Route::Own,
        EvidenceUnavailable | EvidenceIncomplete => evidence(f),
        LockBlocked => Route::Key(Key::Group("locks")),
        // What the service role may do and the session it runs in: one cause each, joined by
        // the log lines that show the same error.
        PrivilegeMissing => Route::Key(Key::Group("privileges")),
        SearchPathMismatch => Route::Key(Key::Group("search-path")),
        // A statement the code must change (or a migration must default): its own cause.
        InsertMissingNotNull | EnumValueMissing | OnConflictTargetMissing => Route::Own,
        // What running a migration would do: part of the cause whose fix runs it.
        MigrationHazard | MigrationBlocked | QueryBreaksAfterMigration => match f.migration {
            Some(v) => Route::Migration(v),
            None => Route::Pending,
        },
    }
}

fn version(f: &Finding, key: fn(i64) -> Key) -> Route {
    match f.migration {
        Some(v) => Route::Key(key(v)),
        None => Route::Own,
    }
}

/// An `info` static analysis reports on a statement the database accepted.
fn accepted(f: &Finding) -> bool {
    f.severity == Severity::Info && f.live.as_deref() == Some("accepted by the database")
}

/// A constraint the database lacks (rather than one defined differently).
fn absent(f: &Finding) -> bool {
    f.live.as_deref().is_none_or(|l| l == "absent") && f.message.contains(" is missing")
}

/// A statement the database rejected: a missing table or column when the server says so.
fn invalid(ctx: &Ctx, f: &Finding) -> Route {
    let state = detail(f, "sqlstate").unwrap_or("");
    let message = f.live.as_deref().unwrap_or("");
    let missing_table = state == "42P01"
        || message.starts_with("no such table")
        || (state == "42S02" && f.table.is_some());
    let missing_column = state == "42703"
        || state == "42S22"
        || message.starts_with("no such column")
        || message.contains(" has no column named ");
    if let Some(v) = f.migration.filter(|_| f.details.contains_key("fixed_by")) {
        return Route::Migration(v);
    }
    match (&f.table, &f.column) {
        (Some(t), _) if missing_table => Route::Missing(Obj::Table(unqualified(t))),
        (Some(t), Some(c)) if missing_column => {
            Route::Missing(Obj::Column(unqualified(t), c.clone()))
        }
        (None, Some(c)) if missing_column => {
            let (file, line) = call_site(f);
            match table_lacking(ctx, &file, line, c) {
                Some(t) => Route::Missing(Obj::Column(t, c.clone())),
                None => Route::Column {
                    column: c.clone(),
                    aspect: Aspect::Missing,
                    field: None,
                },
            }
        }
        _ => Route::Own,
    }
}

/// The call site of a statement finding: its file and the line of the call.
fn call_site(f: &Finding) -> (String, u32) {
    let line = f
        .details
        .get("call_line")
        .and_then(|v| v.as_u64())
        .map(|l| l as u32)
        .or(f.line)
        .unwrap_or(0);
    (f.file.clone().unwrap_or_default(), line)
}

/// Of the tables a call site uses, the one that lacks `column` live (the statement names it
/// there, or it is the only one).
fn table_lacking(ctx: &Ctx, file: &str, line: u32, column: &str) -> Option<String> {
    let named = ctx.site_columns(file, line);
    let tables = ctx.site_tables(file, line);
    let lacks = |t: &str| {
        ctx.live_table(t)
            .is_some_and(|lt| lt.column(column).is_none() && !lt.columns.is_empty())
    };
    let by_name: Vec<&str> = named
        .iter()
        .filter(|(_, cols)| cols.contains(&column))
        .map(|(t, _)| *t)
        .filter(|t| lacks(t))
        .collect();
    if let [one] = by_name.as_slice() {
        return Some(one.to_string());
    }
    let lacking: Vec<&str> = tables.into_iter().filter(|t| lacks(t)).collect();
    match lacking.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// Of the tables a call site uses, the one that has `column` live.
fn table_having(ctx: &Ctx, file: &str, line: u32, column: &str) -> Option<String> {
    let having: Vec<&str> = ctx
        .site_tables(file, line)
        .into_iter()
        .filter(|t| {
            ctx.live_table(t)
                .is_some_and(|lt| lt.column(column).is_some())
        })
        .collect();
    match having.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

fn result_mismatch(ctx: &Ctx, f: &Finding) -> Route {
    if let Some(v) = f.migration.filter(|_| f.details.contains_key("fixed_by")) {
        return Route::Migration(v);
    }
    let Some(column) = f.column.clone() else {
        return Route::Own;
    };
    let field = match (detail(f, "target"), detail(f, "field")) {
        (Some(t), Some(x)) => Some((t.to_string(), x.to_string())),
        _ => None,
    };
    let (file, line) = call_site(f);
    // "which this statement does not return": the column is not in the result.
    let not_returned = f.message.contains("does not return");
    if not_returned {
        return match table_lacking(ctx, &file, line, &column) {
            Some(t) => Route::Missing(Obj::Column(t, column)),
            None => Route::Column {
                column,
                aspect: Aspect::Missing,
                field,
            },
        };
    }
    match table_having(ctx, &file, line, &column) {
        Some(t) => Route::Differs(Obj::Column(t, column)),
        None => Route::Column {
            column,
            aspect: Aspect::Differs,
            field,
        },
    }
}

fn log_error(f: &Finding) -> Route {
    let kind = detail(f, "log_kind").unwrap_or("");
    let table = f.table.clone().map(|t| unqualified(&t));
    let column = f.column.clone();
    match (kind, table, column) {
        ("undefined_table", Some(t), _) => Route::Missing(Obj::Table(t)),
        ("undefined_column", Some(t), Some(c)) => Route::Missing(Obj::Column(t, c)),
        ("undefined_column" | "column_not_found", None, Some(c)) => Route::Column {
            column: c,
            aspect: Aspect::Missing,
            field: None,
        },
        ("type_mismatch" | "unexpected_null", Some(t), Some(c)) => {
            Route::Differs(Obj::Column(t, c))
        }
        ("type_mismatch" | "unexpected_null", None, Some(c)) => Route::Column {
            column: c,
            aspect: Aspect::Differs,
            field: None,
        },
        ("permission_denied", _, _) => Route::Key(Key::Group("privileges")),
        ("connection_refused" | "connection_reset" | "tls" | "authentication_failed", _, _) => {
            Route::Key(Key::Group("connection"))
        }
        _ => Route::Own,
    }
}

fn evidence(f: &Finding) -> Route {
    let locked = matches!(detail(f, "cause"), Some("locked" | "lock_timeout"));
    if locked {
        return Route::Key(Key::Group("locks"));
    }
    match detail(f, "section") {
        Some(s) => Route::Key(Key::Evidence(s.to_string())),
        None => Route::Key(Key::Evidence("session".to_string())),
    }
}

/// `public.users` -> `users`.
fn unqualified(name: &str) -> String {
    name.rsplit('.').next().unwrap_or(name).to_string()
}

/// What a cause is about. Findings with the same key are one cause.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Key {
    /// A search_path hides the migrations table.
    Hidden,
    /// sqlx's advisory migration lock is held.
    MigrationLock,
    /// A migration file sqlx cannot read: it runs no migration at all.
    IgnoredFile(String),
    /// Migration `v` was edited after it was applied (`VersionMismatch`).
    Edited(i64),
    /// Migration `v` is applied but has no local file (`VersionMissing`).
    MissingLocally(i64),
    /// Migration `v` failed part-way (`Dirty`).
    Failed(i64),
    /// Migration `v` was skipped or interrupted before it was timed.
    NotTimed(i64),
    /// Every pending migration (or no migrations table at all).
    Pending,
    /// Applied migration `v` renamed or dropped names the code still uses.
    Removed(i64),
    /// One object: drift from the migrations, a code bug, or a field that does not decode.
    Object(Obj),
    /// A result column of a statement that names no table: (target type, field).
    Field(String, String),
    /// gaps.md's expected tables that nothing uses.
    GapsMdUnused,
    /// Evidence a section lacks.
    Evidence(String),
    /// A family of findings with one fix.
    Group(&'static str),
    /// Findings of one kind that explain nothing else (`info` only).
    Kind(FindingKind),
    /// A finding of its own (its index).
    Own(usize),
}
