//! `query_breaks_after_migration`: the code that is deployed now against the schema as it will
//! be once the pending migrations ran (expand/contract).
//!
//! - An error for a statement the database accepts now that uses a table or column a pending
//!   migration drops or renames, when no later migration brings it back. In scratch mode the
//!   scratch database (every migration applied) must reject the statement too: its verdict
//!   wins over the static reading, both ways. Without a scratch database the replay decides
//!   (the statement's tables and columns, the expected schema after every migration).
//! - A warning for `SELECT *` or `RETURNING *` on a table a pending migration reshapes (adds,
//!   drops, renames or retypes a column): a running service that prepared the statement before
//!   fails with 0A000 "cached plan must not change result type" (Postgres).
//!
//! A statement the database rejects now and accepts afterwards is not a finding here: the rules
//! that report it already name the migration that creates what it lacks; `fixed_count` says
//! how many there are, for the pending migration's next step.

use crate::actions;
use crate::backend::Backend;
use crate::code::expected::ExpectationMode;
use crate::code::model::QuerySite;
use crate::finding::{Finding, FindingKind, Severity};
use crate::hazards::{ChangeKind, MigrationPlan, PlannedMigration, SchemaChange};
use crate::querycheck::{Outcome, StatementCheck};
use crate::snapshot::Snapshot;

use super::show;

/// A schema change with where it is made.
struct Made<'a> {
    change: &'a SchemaChange,
    m: &'a PlannedMigration,
    line: u32,
}

fn changes(plan: &MigrationPlan) -> Vec<Made<'_>> {
    plan.migrations
        .iter()
        .flat_map(|m| {
            m.statements.iter().flat_map(move |st| {
                st.changes.iter().map(move |c| Made {
                    change: c,
                    m,
                    line: st.line,
                })
            })
        })
        .collect()
}

fn same_table(change: &SchemaChange, schema: Option<&str>, name: &str) -> bool {
    change.table.name == name
        && (change.table.schema.is_empty() || schema.is_none_or(|s| s == change.table.schema))
}

/// Whether the expected schema (every migration applied) still has the object.
fn still_there(s: &Snapshot, c: &SchemaChange) -> bool {
    let Some(expected) = s.expected_schema.data() else {
        return false;
    };
    let table = expected.schema.tables.iter().find(|t| {
        t.name == c.table.name && (c.table.schema.is_empty() || t.schema == c.table.schema)
    });
    match c.kind {
        ChangeKind::DropTable | ChangeKind::RenameTable => table.is_some(),
        _ => table.is_some_and(|t| {
            c.column
                .as_deref()
                .is_some_and(|col| t.columns.iter().any(|x| x.name == col))
        }),
    }
}

/// The removals a site's statement uses.
fn used_removals<'a>(site: &QuerySite, made: &'a [Made<'a>]) -> Vec<&'a Made<'a>> {
    let Some(access) = &site.access else {
        return Vec::new();
    };
    made.iter()
        .filter(|m| m.change.kind.removes())
        .filter(|m| {
            access.statements.iter().any(|a| match m.change.kind {
                ChangeKind::DropTable | ChangeKind::RenameTable => a
                    .tables
                    .iter()
                    .any(|t| same_table(m.change, t.schema.as_deref(), &t.name)),
                _ => a.columns.iter().any(|c| {
                    same_table(m.change, None, &c.table)
                        && m.change.column.as_deref() == Some(c.column.as_str())
                }),
            })
        })
        .collect()
}

fn after_outcome<'a>(plan: &'a MigrationPlan, check: &StatementCheck) -> Option<&'a Outcome> {
    (plan.after.mode == ExpectationMode::Scratch)
        .then(|| {
            plan.after
                .statements
                .iter()
                .find(|a| a.file == check.file && a.line == check.line)
                .map(|a| &a.outcome)
        })
        .flatten()
}

/// Every finding about the deployed code after the migrations.
pub(super) fn check(plan: &MigrationPlan, s: &Snapshot) -> Vec<Finding> {
    let (Some(checks), Some(code)) = (s.query_checks.data(), s.code.data()) else {
        return Vec::new();
    };
    if plan.migrations.is_empty() {
        return Vec::new();
    }
    let made = changes(plan);
    let mut out = Vec::new();
    for check in checks
        .statements
        .iter()
        .filter(|c| matches!(c.outcome, Outcome::Ok))
    {
        let Some(site) = code
            .queries
            .iter()
            .find(|q| q.file == check.file && q.line == check.line)
        else {
            continue;
        };
        let used: Vec<&Made> = used_removals(site, &made)
            .into_iter()
            .filter(|m| !still_there(s, m.change))
            .collect();
        let after = after_outcome(plan, check);
        let broken: Option<(&Made, Option<String>)> = match after {
            // The scratch database accepts it: whatever the static reading says, it works.
            Some(Outcome::Ok) => None,
            Some(Outcome::Rejected(r)) => {
                let named = made.iter().filter(|m| m.change.kind.removes()).find(|m| {
                    match (&r.column, &m.change.column) {
                        (Some(rc), Some(mc)) => rc == mc,
                        (None, None) => r.table.as_deref() == Some(m.change.table.name.as_str()),
                        _ => false,
                    }
                });
                named
                    .or(used.first().copied())
                    .map(|m| (m, Some(format!("{} {}", r.sqlstate, r.message))))
            }
            _ => used.first().map(|m| (*m, None)),
        };
        if let Some((m, verdict)) = broken {
            out.push(breaks(check, m, verdict, plan.after.mode));
            continue;
        }
        if plan.backend == Backend::Postgres
            && let Some(f) = star(check, site, &made)
        {
            out.push(f);
        }
    }
    out
}

fn what(c: &SchemaChange) -> String {
    match (&c.column, c.kind) {
        (Some(col), _) => format!("column {}.{col}", show(&c.table)),
        (None, _) => format!("table {}", show(&c.table)),
    }
}

fn at(m: &Made) -> String {
    format!(
        "pending migration {} ({}) line {}",
        m.m.version, m.m.file, m.line
    )
}

fn breaks(
    check: &StatementCheck,
    m: &Made,
    verdict: Option<String>,
    mode: ExpectationMode,
) -> Finding {
    let c = m.change;
    let how = match (&c.new_name, c.kind) {
        (Some(n), ChangeKind::RenameColumn | ChangeKind::RenameTable) => {
            format!("renames it to {n}")
        }
        _ => c.kind.verb().to_string() + " it",
    };
    let evidence = match verdict {
        Some(v) => format!("the scratch database, with every migration applied, rejects it: {v}"),
        None => "by the replay of the migrations (no scratch database)".to_string(),
    };
    let mut f = Finding::new(
        FindingKind::QueryBreaksAfterMigration,
        Severity::Error,
        actions::MIGRATIONS,
        format!(
            "{}:{} uses {}, and {} {how}: the statement the database accepts now fails as soon \
             as the migration runs ({evidence})",
            check.file,
            check.line,
            what(c),
            at(m)
        ),
    )
    .migration(m.m.version)
    .location(check.file.clone(), Some(check.line))
    .table(c.table.name.clone())
    .next_step(format!(
        "expand, then contract: deploy code that no longer uses {}{} before running migration \
         {}; keep the old name until every running instance has the new code (for a rename: \
         add the new column, backfill, switch the code, drop the old one in a later migration)",
        what(c),
        c.new_name
            .as_deref()
            .map(|n| format!(" (use {n}, or read both)"))
            .unwrap_or_default(),
        m.m.version
    ))
    .detail(
        "mode",
        match mode {
            ExpectationMode::Scratch => "scratch",
            ExpectationMode::Replay => "replay",
        },
    )
    .detail("migration_line", m.line)
    .detail("migration_file", m.m.file.clone());
    if let Some(col) = &c.column {
        f = f.column(col.clone());
    }
    f
}

/// `SELECT *` / `RETURNING *` on a table a pending migration reshapes.
fn star(check: &StatementCheck, site: &QuerySite, made: &[Made]) -> Option<Finding> {
    let access = site.access.as_ref()?;
    let (table, m) = access.statements.iter().find_map(|a| {
        a.output.iter().filter(|o| o.star).find_map(|o| {
            let tables: Vec<&str> = match &o.table {
                Some(t) => vec![t.as_str()],
                None => a.tables.iter().map(|t| t.name.as_str()).collect(),
            };
            tables.into_iter().find_map(|t| {
                made.iter()
                    .find(|m| m.change.column.is_some() && same_table(m.change, None, t))
                    .map(|m| (t.to_string(), m))
            })
        })
    })?;
    let c = m.change;
    Some(
        Finding::new(
            FindingKind::QueryBreaksAfterMigration,
            Severity::Warning,
            actions::MIGRATIONS,
            format!(
                "{}:{} reads * from {table}, and {} {} {}: a running service that prepared it \
                 before keeps the old row type and fails with 0A000 \"cached plan must not \
                 change result type\" until its connections are replaced",
                check.file,
                check.line,
                at(m),
                c.kind.verb(),
                what(c)
            ),
        )
        .migration(m.m.version)
        .location(check.file.clone(), Some(check.line))
        .table(table)
        .next_step(
            "list the columns instead of *, or restart the service (new connections, new \
             prepared statements) right after the migration",
        )
        .detail("reason", "cached_plan")
        .detail("migration_line", m.line),
    )
}

/// In scratch mode: how many statements the database rejects now and the scratch database
/// accepts (they start working once the migrations ran).
pub(super) fn fixed_count(plan: &MigrationPlan, s: &Snapshot) -> Option<usize> {
    let checks = s.query_checks.data()?;
    if plan.after.mode != ExpectationMode::Scratch {
        return None;
    }
    Some(
        checks
            .statements
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Rejected(_)))
            .filter(|c| matches!(after_outcome(plan, c), Some(Outcome::Ok)))
            .count(),
    )
}
