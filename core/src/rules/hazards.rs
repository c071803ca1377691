//! Findings from the migration plan, before the fix is run:
//!
//! - `migration_hazard`: a statement of a pending (or failed) migration that holds a lock for
//!   as long as it scans, builds an index on or rewrites a table that exists now (a warning;
//!   an error when the table is large), or that fails as written (an error). The message says
//!   the lock, what it blocks, the table's size now and the safe way.
//! - `migration_blocked`: a session that holds (or queues for) a lock now that a pending
//!   statement would wait behind, and, while waiting, make every later query on that table
//!   wait too; and another session holding sqlx's migration lock.
//! - `query_breaks_after_migration` (module `after`).
//!
//! A lock taken earlier in the same transaction stays held until the migration commits: a
//! slow statement after an `ALTER TABLE` on the same table blocks reads for its whole run.
//! `annotate` adds the plan to the next step of each pending migration's finding, so the fix
//! "run pending 0014" says what to do first.

mod after;

use std::collections::BTreeSet;

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::hazards::{
    Hazard, LockMode, MigrationPlan, PlanStatus, PlannedMigration, PlannedStatement, count,
    duration,
};
use crate::migrations::LocalMigrations;
use crate::schema::RelationName;
use crate::session::LockBlocker;
use crate::snapshot::Snapshot;

/// A session counts as a blocker when it is idle in a transaction, or its transaction has
/// been open this long: a short statement ends before a migration would notice.
const LONG_SECS: f64 = 5.0;

/// Every finding the plan supports.
pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let Some(plan) = s.migration_plan.data() else {
        return Vec::new();
    };
    let local = s.local_migrations.data();
    let mut out = Vec::new();
    for m in &plan.migrations {
        for (i, st) in m.statements.iter().enumerate() {
            for h in &st.hazards {
                out.push(hazard(plan, local, m, i, h));
            }
        }
    }
    out.extend(blocked(plan, local));
    out.extend(advisory(plan, s));
    out.extend(after::check(plan, s));
    out
}

/// A table for people: `events` when unqualified, `app.events` otherwise.
pub(crate) fn show(t: &RelationName) -> String {
    if t.schema.is_empty() {
        t.name.clone()
    } else {
        format!("{}.{}", t.schema, t.name)
    }
}

fn path_of(local: Option<&LocalMigrations>, file: &str) -> String {
    match local {
        Some(l) if !l.directory.is_empty() => {
            format!("{}/{file}", l.directory.trim_end_matches('/'))
        }
        _ => file.to_string(),
    }
}

/// "migration 14 line 3".
fn at(m: &PlannedMigration, st: &PlannedStatement) -> String {
    let what = match m.status {
        PlanStatus::Pending => "pending migration",
        PlanStatus::Failed => "failed migration",
    };
    format!("{what} {} ({}) line {}", m.version, m.file, st.line)
}

/// Whether the statements of `m` share one transaction (sqlx's BEGIN, or the implicit
/// transaction of a multi-statement query).
fn one_transaction(m: &PlannedMigration) -> bool {
    !m.no_transaction || m.statements.len() > 1
}

/// The strongest lock an earlier statement of the same transaction took on `table`.
fn held_before(m: &PlannedMigration, i: usize, table: &RelationName) -> Option<(LockMode, u32)> {
    if !one_transaction(m) {
        return None;
    }
    m.statements[..i]
        .iter()
        .flat_map(|st| {
            st.locks
                .iter()
                .filter(|l| &l.table == table)
                .map(move |l| (l.mode, st.line))
        })
        .max_by_key(|(mode, _)| *mode)
}

fn lock_timeout_advice(m: &PlannedMigration) -> &'static str {
    if m.lock_timeout.is_some() {
        ""
    } else {
        "; and start the file with SET lock_timeout = '5s' (and retry), so it gives up instead \
         of queueing behind a long transaction with every other query queued behind it"
    }
}

fn hazard(
    plan: &MigrationPlan,
    local: Option<&LocalMigrations>,
    m: &PlannedMigration,
    i: usize,
    h: &Hazard,
) -> Finding {
    let st = &m.statements[i];
    let table = h
        .table
        .clone()
        .or_else(|| st.locks.first().map(|l| l.table.clone()));
    let size = table.as_ref().and_then(|t| plan.size_of(t));
    let large = size.is_some_and(|z| plan.is_large(z));
    let severity = if h.fails || large {
        Severity::Error
    } else {
        Severity::Warning
    };
    let message = if h.fails {
        format!("{} ({}) {}", at(m, st), st.operation, h.message)
    } else {
        let t = table
            .as_ref()
            .map(show)
            .unwrap_or_else(|| "its table".into());
        let lock = table
            .as_ref()
            .and_then(|t| st.locks.iter().find(|l| &l.table == t))
            .map(|l| l.mode);
        let held = table.as_ref().and_then(|tb| held_before(m, i, tb));
        let blocking = match (lock, held) {
            (Some(a), Some((b, line))) if b > a => format!(
                "; the {} lock line {line} took in the same transaction is still held and makes \
                 {} on {t} wait until it ends",
                b.label(),
                b.blocks()
            ),
            (Some(a), _) => format!(
                "; its {} lock makes {} on {t} wait until it ends",
                a.label(),
                a.blocks()
            ),
            (None, Some((b, line))) => format!(
                "; the {} lock line {line} took is still held and makes {} on {t} wait until it \
                 ends",
                b.label(),
                b.blocks()
            ),
            (None, None) => String::new(),
        };
        let size_text = size
            .map(|z| format!("; {t} has {} now", z.describe()))
            .unwrap_or_default();
        format!(
            "{} ({} on {t}) {}{size_text}{blocking}",
            at(m, st),
            st.operation,
            h.message
        )
    };
    let next = if h.fails {
        h.safe.clone()
    } else {
        format!("{}{}", h.safe, lock_timeout_advice(m))
    };
    let mut f = Finding::new(
        FindingKind::MigrationHazard,
        severity,
        actions::MIGRATIONS,
        message,
    )
    .migration(m.version)
    .location(path_of(local, &m.file), Some(st.line))
    .next_step(next)
    .detail("rule", h.rule.clone())
    .detail("effect", st.effect.label())
    .detail("fails", h.fails);
    if let Some(t) = &table {
        if !t.schema.is_empty() {
            f = f.schema(t.schema.clone());
        }
        f = f.table(t.name.clone());
    }
    if let Some(code) = &h.sqlstate {
        f = f.detail("sqlstate", code.clone());
    }
    if let Some(z) = size {
        if let Some(r) = z.rows() {
            f = f.detail("rows", r);
        }
        if let Some(b) = z.bytes {
            f = f.detail("bytes", b);
        }
        f = f.detail("large", large);
    }
    if let Some(l) = st.strongest_lock(plan) {
        f = f.detail("lock", l.mode.label());
    }
    f
}

/// Whether a session holding or waiting for a lock counts as in the way.
fn in_the_way(b: &LockBlocker) -> bool {
    b.state
        .as_deref()
        .is_some_and(|s| s.starts_with("idle in transaction"))
        || b.age_secs.is_some_and(|a| a >= LONG_SECS)
}

/// "pid 4242 (role app, idle in transaction, transaction open 3 h, application api)".
pub(crate) fn who(b: &LockBlocker) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(r) = &b.role {
        parts.push(format!("role {r}"));
    }
    if let Some(s) = &b.state {
        parts.push(s.clone());
    }
    if let Some(a) = b.age_secs {
        parts.push(format!("transaction open {}", duration(a)));
    }
    if let Some(a) = b.application_name.as_deref().filter(|a| !a.is_empty()) {
        parts.push(format!("application {a}"));
    }
    if parts.is_empty() {
        format!("pid {}", b.pid)
    } else {
        format!("pid {} ({})", b.pid, parts.join(", "))
    }
}

/// The sessions in the way of each pending statement's lock, once per (migration, session,
/// table): the first statement that would wait for it.
fn blocked(plan: &MigrationPlan, local: Option<&LocalMigrations>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<(i64, i64, RelationName)> = BTreeSet::new();
    for m in &plan.migrations {
        for (i, st) in m.statements.iter().enumerate() {
            for lock in &st.locks {
                if plan.size_of(&lock.table).is_none()
                    || held_before(m, i, &lock.table).is_some_and(|(h, _)| h >= lock.mode)
                {
                    continue;
                }
                for b in plan.holders_on(&lock.table) {
                    let Some(mode) = LockMode::from_pg_locks(&b.mode) else {
                        continue;
                    };
                    if !mode.conflicts_with(lock.mode)
                        || !in_the_way(b)
                        || !seen.insert((m.version, b.pid, lock.table.clone()))
                    {
                        continue;
                    }
                    out.push(blocked_finding(
                        plan,
                        local,
                        m,
                        st,
                        lock.mode,
                        &lock.table,
                        b,
                        mode,
                    ));
                }
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn blocked_finding(
    plan: &MigrationPlan,
    local: Option<&LocalMigrations>,
    m: &PlannedMigration,
    st: &PlannedStatement,
    wanted: LockMode,
    table: &RelationName,
    b: &LockBlocker,
    mode: LockMode,
) -> Finding {
    let t = show(table);
    let holds = if b.granted {
        format!("holds {} on {t}", mode.label())
    } else {
        format!("is queued for {} on {t} ahead of it", mode.label())
    };
    let rows = plan
        .size_of(table)
        .and_then(|z| z.rows())
        .map(|r| format!(" ({} rows)", count(r)))
        .unwrap_or_default();
    let last = b
        .query
        .as_deref()
        .filter(|q| !q.trim().is_empty())
        .map(|q| format!("; its last statement: {}", prefix(q, 120)))
        .unwrap_or_default();
    let mut f = Finding::new(
        FindingKind::MigrationBlocked,
        Severity::Error,
        actions::MIGRATIONS,
        format!(
            "{} {holds}: {} ({}) needs {} and would wait for it; while it waits it makes {} \
             on {t}{rows} wait behind it{last}",
            who(b),
            at(m, st),
            st.operation,
            wanted.label(),
            wanted.blocks()
        ),
    )
    .migration(m.version)
    .location(path_of(local, &m.file), Some(st.line))
    .next_step(format!(
        "first end pid {pid} (SELECT pg_terminate_backend({pid})) or let its transaction \
         finish, then run the migration{}",
        if m.lock_timeout.is_some() {
            String::new()
        } else {
            " with SET lock_timeout = '5s' at the top of the file, so it gives up instead of \
             blocking the application"
                .into()
        },
        pid = b.pid
    ))
    .table(table.name.clone())
    .detail("pid", b.pid)
    .detail("mode", b.mode.clone())
    .detail("granted", b.granted)
    .detail("wanted", wanted.label());
    if !table.schema.is_empty() {
        f = f.schema(table.schema.clone());
    }
    if let Some(r) = &b.role {
        f = f.detail("role", r.clone());
    }
    if let Some(s) = &b.state {
        f = f.detail("state", s.clone());
    }
    if let Some(a) = b.age_secs {
        f = f.detail("age_secs", a);
    }
    if let Some(q) = &b.query {
        f = f.detail("query", prefix(q, 200));
    }
    f
}

/// The start of a (redacted) statement, on one line.
fn prefix(q: &str, max: usize) -> String {
    let one: String = q.split_whitespace().collect::<Vec<_>>().join(" ");
    match one.char_indices().nth(max) {
        Some((i, _)) => format!("{} ...", &one[..i]),
        None => one,
    }
}

/// Another session holding sqlx's migration lock: the pending migrations cannot start.
fn advisory(plan: &MigrationPlan, s: &Snapshot) -> Vec<Finding> {
    let Some(first) = plan.migrations.first() else {
        return Vec::new();
    };
    let Some(lock) = s
        .provider
        .data()
        .and_then(|p| p.server.as_ref())
        .and_then(|srv| srv.migration_lock.as_ref())
    else {
        return Vec::new();
    };
    lock.holders
        .iter()
        .filter(|h| h.granted)
        .map(|h| {
            let state = h.state.as_deref().unwrap_or("state unknown");
            Finding::new(
                FindingKind::MigrationBlocked,
                Severity::Error,
                actions::MIGRATIONS,
                format!(
                    "pid {} ({state}{}) holds sqlx's migration lock: `sqlx migrate run` waits for \
                     it before applying migration {} or any other",
                    h.pid,
                    h.user
                        .as_deref()
                        .map(|u| format!(", role {u}"))
                        .unwrap_or_default(),
                    first.version
                ),
            )
            .migration(first.version)
            .next_step(format!(
                "find out whether pid {pid} is another migrator still running; if it is stranded, \
                 end it (SELECT pg_terminate_backend({pid})) before running the migrations",
                pid = h.pid
            ))
            .detail("pid", h.pid)
            .detail("advisory_lock", lock.key)
        })
        .collect()
}

/// Adds what to do first to the next step of each pending (or failed) migration's finding:
/// the sessions to end and the statements to split, from the other findings of the plan.
pub(super) fn annotate(findings: &mut [Finding], s: &Snapshot) {
    let Some(plan) = s.migration_plan.data() else {
        return;
    };
    let notes: Vec<(i64, String)> = plan
        .migrations
        .iter()
        .filter_map(|m| {
            let related: Vec<&Finding> = findings
                .iter()
                .filter(|f| {
                    f.migration == Some(m.version)
                        && matches!(
                            f.kind,
                            FindingKind::MigrationBlocked
                                | FindingKind::MigrationHazard
                                | FindingKind::QueryBreaksAfterMigration
                        )
                })
                .collect();
            let mut parts: Vec<String> = Vec::new();
            for f in related
                .iter()
                .filter(|f| f.kind == FindingKind::MigrationBlocked)
            {
                parts.push(f.next_step.clone().unwrap_or_default());
            }
            for st in &m.statements {
                for h in &st.hazards {
                    let t = h
                        .table
                        .clone()
                        .or_else(|| st.locks.first().map(|l| l.table.clone()));
                    let size = t
                        .as_ref()
                        .and_then(|t| plan.size_of(t))
                        .map(|z| format!(", {}", z.describe()))
                        .unwrap_or_default();
                    let on = t
                        .as_ref()
                        .map(|t| format!(" on {}", show(t)))
                        .unwrap_or_default();
                    parts.push(format!(
                        "line {} ({}{on}{size}) {}: {}",
                        st.line, st.operation, h.message, h.safe
                    ));
                }
            }
            let breaks = related
                .iter()
                .filter(|f| {
                    f.kind == FindingKind::QueryBreaksAfterMigration
                        && f.severity == Severity::Error
                })
                .count();
            if breaks > 0 {
                parts.push(format!(
                    "{breaks} statement(s) of the deployed code fail once it ran: deploy the code \
                     that no longer uses what it drops or renames first"
                ));
            }
            if plan.migrations.last().map(|l| l.version) == Some(m.version)
                && let Some(fixed) = after::fixed_count(plan, s)
                && fixed > 0
            {
                parts.push(format!(
                    "once every pending migration ran, {fixed} statement(s) the database rejects \
                     now are accepted (checked on the scratch database)"
                ));
            }
            (!parts.is_empty()).then(|| (m.version, parts.join("; ")))
        })
        .collect();
    for f in findings.iter_mut().filter(|f| {
        matches!(
            f.kind,
            FindingKind::MigrationPending | FindingKind::MigrationFailed
        )
    }) {
        if let Some((_, note)) = notes.iter().find(|(v, _)| Some(*v) == f.migration) {
            let step = f.next_step.take().unwrap_or_default();
            f.next_step = Some(format!("{step}. Before you run it: {note}"));
        }
    }
}

#[cfg(test)]
mod tests;
