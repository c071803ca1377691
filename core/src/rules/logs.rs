//! Finding rules for the logs evidence: one finding per signature (database errors, pool
//! exhaustion, pooler incompatibilities, migration failures), linked to the schema evidence
//! when a signature names a table or column the live database lacks and to the pending
//! migration whose name says it creates it.

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::logs::{LogCategory, LogKind, LogSignature, LogsEvidence};
use crate::schema::{Catalog, Schema};
use crate::snapshot::Snapshot;

/// Findings derived from the logs evidence.
pub(super) fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let Some(logs) = snapshot.logs.data() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for input in &logs.inputs {
        if let Some(err) = &input.error {
            out.push(
                Finding::new(
                    FindingKind::EvidenceUnavailable,
                    Severity::Warning,
                    actions::LOGS,
                    format!(
                        "log input {} was read only in part ({} lines): {err}",
                        input.name, input.lines
                    ),
                )
                .location(input.name.clone(), None)
                .detail("section", "logs"),
            );
        }
    }
    if let Some(f) = ungrouped(logs) {
        out.push(f);
    }
    for sig in &logs.signatures {
        if let Some(f) = finding_for(sig, snapshot) {
            out.push(f);
        }
    }
    out
}

/// Classified lines past the signature cap were counted but not grouped: the per-signature
/// counts (and so every log finding) miss them, and `check` must say how many.
fn ungrouped(logs: &LogsEvidence) -> Option<Finding> {
    let lines = logs.ungrouped_lines;
    if lines == 0 {
        return None;
    }
    let classified: u64 = logs.inputs.iter().map(|i| i.classified_lines).sum();
    let share = lines as f64 * 100.0 / classified.max(lines) as f64;
    Some(
        Finding::new(
            FindingKind::EvidenceUnavailable,
            Severity::Warning,
            actions::LOGS,
            format!(
                "{lines} classified log line(s) ({share:.0}% of the {} classified) were not \
                 grouped: the logs hold more than {} distinct signatures, so the signatures and \
                 counts shown miss them",
                classified.max(lines),
                crate::logs::scan::MAX_SIGNATURES
            ),
        )
        .next_step(
            "narrow the logs (a shorter time window, or grep the service's error lines first) \
             and collect again, so every error line is grouped",
        )
        .detail("section", "logs")
        .detail("ungrouped_lines", lines)
        .detail("classified_lines", classified),
    )
}

fn finding_for(sig: &LogSignature, snapshot: &Snapshot) -> Option<Finding> {
    let seen = seen_text(sig);
    let f = match sig.kind {
        LogKind::MigrationCheck | LogKind::MigrationsApplied | LogKind::SchemaUpToDate => {
            return None;
        }
        LogKind::MigrationFailed => {
            let what = match (&sig.migration, &sig.object) {
                (Some(v), Some(o)) => format!("migration {v} {o}"),
                (Some(v), None) => format!("migration {v} failed"),
                (None, Some(o)) => format!("a migration {o}"),
                (None, None) => "a migration failed".to_string(),
            };
            let mut f = Finding::new(
                FindingKind::LogMigrationFailure,
                Severity::Error,
                actions::STARTUP_LOGS,
                format!("startup logs report: {what} ({seen})"),
            )
            .next_step(
                "read the sample line for the database error, fix the migration or the schema it \
                 collides with, then redeploy; check `_sqlx_migrations` for a success = false row",
            );
            if let Some(v) = sig.migration {
                f = f.migration(v);
            }
            f
        }
        LogKind::PoolTimeout | LogKind::TooManyConnections => {
            let limit = snapshot
                .provider
                .data()
                .and_then(|p| p.server.as_ref())
                .and_then(|s| s.max_connections)
                .map(|m| format!("; the server allows max_connections = {m}"))
                .unwrap_or_default();
            Finding::new(
                FindingKind::LogPoolExhaustion,
                Severity::Error,
                actions::LOGS,
                format!("{}: connections ran out ({seen}){limit}", sig.kind.title()),
            )
            .next_step(
                "check the pool's max_connections against the server's limit times the number of \
                 instances, and look for slow queries or leaked transactions holding connections",
            )
        }
        LogKind::PreparedStatementExists | LogKind::PreparedStatementMissing => {
            let pooler = snapshot
                .provider
                .data()
                .and_then(|p| p.pooler.as_ref())
                .map(|p| format!("; the URL goes through {} ({})", p.name, p.evidence))
                .unwrap_or_default();
            let stmt = sig
                .object
                .as_deref()
                .map(|o| format!(" \"{o}\""))
                .unwrap_or_default();
            Finding::new(
                FindingKind::LogPoolerIncompatibility,
                Severity::Error,
                actions::PROVIDER,
                format!(
                    "{}{stmt}: a transaction-mode pooler is sharing server connections between \
                     sqlx clients ({seen}){pooler}",
                    sig.kind.title()
                ),
            )
            .next_step(
                "connect the service over the provider's direct (unpooled) host, or use a pooler \
                 with prepared-statement support (PgBouncer >= 1.21 max_prepared_statements); \
                 always run migrations over the direct host",
            )
        }
        _ => {
            let severity = match sig.kind {
                LogKind::UniqueViolation
                | LogKind::ForeignKeyViolation
                | LogKind::ServiceInternalError => Severity::Warning,
                _ => Severity::Error,
            };
            let action = if sig.category == LogCategory::Connection {
                actions::PROVIDER
            } else {
                actions::LOGS
            };
            let subject = subject(sig);
            let (link, next) = schema_link(sig, snapshot);
            let mut f = Finding::new(
                FindingKind::LogDatabaseError,
                severity,
                action,
                format!("logs: {subject} ({seen}){link}"),
            );
            if let Some(n) = next {
                f = f.next_step(n);
            }
            f
        }
    };
    Some(decorate(f, sig, snapshot))
}

/// What a database error signature reports, each identifier named once: "undefined column
/// habits.is_active", "database error: database is locked (SQLite error 5 (SQLITE_BUSY))".
pub(crate) fn subject(sig: &LogSignature) -> String {
    let object = |t: &Option<String>, c: &Option<String>| match (t, c) {
        (Some(t), Some(c)) => Some(format!("{t}.{c}")),
        (Some(t), None) => Some(t.clone()),
        (None, Some(c)) => Some(c.clone()),
        (None, None) => None,
    };
    let mut s = match sig.kind {
        LogKind::UndefinedTable | LogKind::UndefinedColumn => {
            let title = sig.kind.title();
            match object(&sig.table, &sig.column) {
                Some(o) => format!("{title} {o}"),
                None => title.to_string(),
            }
        }
        LogKind::ColumnNotFound => match &sig.column {
            Some(c) => format!("sqlx: no column found for name {c}"),
            None => sig.kind.title().to_string(),
        },
        LogKind::TypeMismatch | LogKind::UnexpectedNull => {
            let mut s = sig.kind.title().to_string();
            if let Some(c) = &sig.column {
                s.push_str(&format!(" decoding column {c}"));
            }
            if let (Some(r), Some(t)) = (&sig.rust_type, &sig.sql_type) {
                s.push_str(&format!(": Rust type {r} vs SQL type {t}"));
            }
            s
        }
        LogKind::OtherDatabaseError => match &sig.object {
            Some(o) => format!("database error: {o}"),
            None => sig.kind.title().to_string(),
        },
        _ => {
            let mut s = sig.kind.title().to_string();
            if let Some(o) = object(&sig.table, &sig.column) {
                s.push_str(&format!(" on {o}"));
            }
            if let Some(o) = &sig.object {
                s.push_str(&format!(" ({o})"));
            }
            s
        }
    };
    if let Some(code) = sig
        .sqlstate
        .as_deref()
        .filter(|c| crate::errcode::is_sqlite_code(c))
    {
        s.push_str(&format!(" ({})", crate::errcode::label(code)));
    }
    s
}

fn seen_text(sig: &LogSignature) -> String {
    let times = if sig.count == 1 { "once" } else { "times" };
    let count = if sig.count == 1 {
        String::new()
    } else {
        format!("{} ", sig.count)
    };
    match (&sig.first_seen, &sig.last_seen) {
        (Some(a), Some(b)) if a != b => format!("{count}{times}, {a} to {b}"),
        (Some(a), _) => format!("{count}{times}, at {a}"),
        _ => format!("{count}{times}"),
    }
}

fn decorate(mut f: Finding, sig: &LogSignature, snapshot: &Snapshot) -> Finding {
    if let Some(t) = &sig.table {
        f = f.table(t.clone());
    }
    if let Some(c) = &sig.column {
        f = f.column(c.clone());
    }
    if let Some(s) = &sig.sql_type {
        f = f.live(s.clone());
    }
    if let Some(r) = &sig.rust_type {
        f = f.expected(r.clone());
    }
    f = f
        .detail("signature", sig.key.clone())
        .detail("log_kind", sig.kind.as_str())
        .detail("count", sig.count);
    if let Some(s) = &sig.sqlstate {
        f = f.detail("sqlstate", s.clone());
    }
    if let Some(a) = &sig.first_seen {
        f = f.detail("first_seen", a.clone());
    }
    if let Some(b) = &sig.last_seen {
        f = f.detail("last_seen", b.clone());
    }
    let names = |v: &[crate::logs::NamedCount]| -> Vec<String> {
        v.iter().map(|n| n.name.clone()).collect()
    };
    if !sig.instances.is_empty() {
        f = f.detail("instances", names(&sig.instances));
    }
    if !sig.regions.is_empty() {
        f = f.detail("regions", names(&sig.regions));
    }
    if !sig.paths.is_empty() {
        f = f.detail("paths", names(&sig.paths));
    }
    if let Some(s) = sig.samples.first() {
        f = f.detail("sample", s.text.clone());
        if f.file.is_none() {
            f = f.location(s.input.clone(), u32::try_from(s.line).ok());
        }
    }
    if let Some((version, desc)) = sig
        .table
        .as_deref()
        .and_then(|t| pending_migration_for(snapshot, t))
    {
        f = f
            .detail("pending_migration", version)
            .detail("pending_migration_description", desc);
        if f.migration.is_none() {
            f = f.migration(version);
        }
    }
    f
}

/// What the live schema says about the signature's table/column, for the message, and a next
/// step when it points somewhere.
fn schema_link(sig: &LogSignature, snapshot: &Snapshot) -> (String, Option<String>) {
    let Some(schema) = snapshot.schema.data() else {
        return (String::new(), None);
    };
    let pending = sig
        .table
        .as_deref()
        .and_then(|t| pending_migration_for(snapshot, t))
        .map(|(v, d)| format!("; pending migration {v} ({d}) looks like it creates it"))
        .unwrap_or_default();
    match (sig.table.as_deref(), sig.column.as_deref()) {
        (Some(t), None) => {
            if has_table(schema, t) {
                (
                    format!(
                        " — table {t} exists in the live database now (the errors predate its \
                         creation, or the service reads another database or search_path)"
                    ),
                    None,
                )
            } else {
                (
                    format!(" — table {t} is missing in the live database{pending}"),
                    Some(if pending.is_empty() {
                        format!("create table {t}: find the migration that should create it")
                    } else {
                        "run the pending migrations (sqlx migrate run) over the direct host".into()
                    }),
                )
            }
        }
        (Some(t), Some(c)) => match tables_named(schema, t).first() {
            None => (
                format!(" — table {t} is missing in the live database{pending}"),
                None,
            ),
            // Its columns were not read (locked, unreadable): nothing is said about them.
            Some(table) if !schema.sees(Catalog::Columns, &table.schema, &table.name) => {
                (String::new(), None)
            }
            Some(table) if table.column(c).is_none() => (
                format!(" — column {c} is missing from table {t} in the live database"),
                Some(format!(
                    "add column {t}.{c} with a migration, or fix the query"
                )),
            ),
            Some(table) => {
                let ty = table
                    .column(c)
                    .map(|col| col.data_type.clone())
                    .unwrap_or_default();
                (
                    format!(" — column {t}.{c} exists in the live database now ({ty})"),
                    None,
                )
            }
        },
        (None, Some(_)) if !schema.sees_all(Catalog::Columns) => (String::new(), None),
        (None, Some(c)) => {
            let with: Vec<String> = schema
                .tables
                .iter()
                .filter_map(|t| {
                    t.column(c)
                        .map(|col| format!("{} ({})", t.name, col.data_type))
                })
                .collect();
            if with.is_empty() {
                (
                    format!(" — no table in the live database has a column {c}"),
                    Some(format!(
                        "find the query or FromRow struct that reads {c} and the migration that \
                         should add it"
                    )),
                )
            } else {
                (
                    format!(" — live tables with a column {c}: {}", with.join(", ")),
                    None,
                )
            }
        }
        (None, None) => (String::new(), None),
    }
}

fn has_table(schema: &Schema, name: &str) -> bool {
    !tables_named(schema, name).is_empty()
}

fn tables_named<'a>(schema: &'a Schema, name: &str) -> Vec<&'a crate::schema::Table> {
    schema.tables.iter().filter(|t| t.name == name).collect()
}

/// A local migration not applied (or not successfully) whose description names `table`.
/// sqlx derives descriptions from file names with underscores turned into spaces, so
/// `0014_create_focus_pause_state.sql` has the description "create focus pause state".
fn pending_migration_for(snapshot: &Snapshot, table: &str) -> Option<(i64, String)> {
    let local = snapshot.local_migrations.data()?;
    if snapshot
        .applied_migrations
        .data()
        .is_some_and(|a| a.is_hidden())
    {
        // Which migrations ran is unknown: no migration can be called pending.
        return None;
    }
    let applied: Vec<i64> = snapshot
        .applied_migrations
        .data()
        .map(|a| {
            a.rows
                .iter()
                .filter(|r| r.success)
                .map(|r| r.version)
                .collect()
        })
        .unwrap_or_default();
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let want = squash(table);
    if want.is_empty() {
        return None;
    }
    local
        .files
        .iter()
        .filter(|f| f.kind.is_applied() && !applied.contains(&f.version))
        .find(|f| squash(&f.description).contains(&want))
        .map(|f| (f.version, f.description.clone()))
}

#[cfg(test)]
mod tests;
