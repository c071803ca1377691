//! Before you run the fix: what the migrations sqlx would run next (pending, and a failed one
//! it would re-run) would do to the live database. Each file is read statement by statement
//! (Postgres: squawk's parser and rule set plus gaps' lock analysis; MySQL/MariaDB: gaps'
//! rules on sqlparser), then the live facts are read through the read-only session, one
//! statement each for every table at once (sizes, lock holders, the functions and extensions
//! the server has), and overrule or complete the verdicts (`refine`). The result is the
//! snapshot's `migration_plan`; `gaps_core::rules` turns it into findings.
//!
//! squawk-linter lives here rather than in `gaps-core`: core must build for wasm32 and stay
//! small for the report's viewer, and the analysis needs the migration files, which only the
//! collector reads. Everything here is pure except `live` (and `after`, which describes the
//! code on the scratch database).

pub mod after;
mod alter;
mod cst;
mod live;
mod mysql;
mod own;
mod postgres;
mod refine;
mod shape;
mod squawk;

use std::collections::BTreeSet;

use gaps_core::backend::Backend;
use gaps_core::code::replay::MigrationSource;
use gaps_core::hazards::{AfterCheck, MigrationPlan, PlanStatus, PlannedMigration, SizeThreshold};
use gaps_core::migrations::MigrationStatus;
use gaps_core::schema::{RelationName, Schema};
use gaps_core::section::Section;
use gaps_core::snapshot::Snapshot;

use crate::db::Session;
use crate::source::migrations_input;

pub use postgres::{Analysed, Facts, analyse as analyse_postgres};
pub use refine::{LiveFacts, binary_coercible, refine};

/// Settings of the plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// From which size a table is large.
    pub large_table: SizeThreshold,
}

/// The migrations sqlx would run next, with their status, in the order it runs them; or why
/// that cannot be told.
pub fn next_migrations(s: &Snapshot) -> Result<Vec<(MigrationSource, PlanStatus, bool)>, String> {
    let local = match &s.local_migrations {
        Section::Collected { data } => data,
        Section::Failed { error } => {
            return Err(format!(
                "the local migrations could not be read ({}: {})",
                error.during, error.message
            ));
        }
        Section::Skipped { reason } => return Err(format!("no local migrations: {reason}")),
    };
    let applied = match &s.applied_migrations {
        Section::Collected { data } => data.known().ok_or_else(|| {
            "the migrations table is hidden by the search_path, so which migrations are pending \
             is unknown"
                .to_string()
        })?,
        Section::Failed { error } => {
            return Err(format!(
                "the migrations table could not be read ({}: {}), so which migrations are \
                 pending is unknown",
                error.during, error.message
            ));
        }
        Section::Skipped { reason } => {
            return Err(format!("the migrations table was not read: {reason}"));
        }
    };
    let (sources, _) = migrations_input::from_section(local);
    Ok(sources
        .into_iter()
        .filter_map(|src| {
            let status = match applied.status(src.version) {
                MigrationStatus::Applied => return None,
                MigrationStatus::Pending => PlanStatus::Pending,
                MigrationStatus::Failed => PlanStatus::Failed,
            };
            let no_tx = local.up(src.version).is_some_and(|f| f.no_transaction);
            Some((src, status, no_tx))
        })
        .collect())
}

/// The `major.minor` of a Postgres `server_version` ("16.4 (Debian 16.4-1)" -> "16.4").
fn pg_version(s: &Snapshot) -> Option<String> {
    let v = &s.database.data()?.server_version;
    let v: String = v
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    (!v.is_empty()).then_some(v)
}

/// Analyses Postgres migrations without a database: each file read, squawk's verdicts and
/// gaps' own static rules attached. `pg_version` is the server's `major.minor`.
pub fn analyse_files(
    next: &[(MigrationSource, PlanStatus, bool)],
    pg_version: Option<&str>,
    live: Option<&Schema>,
) -> Vec<Analysed> {
    next.iter()
        .map(|(src, status, no_tx)| {
            let mut a = postgres::analyse(src, *status, *no_tx, live);
            let spans = a.spans.clone();
            squawk::attach(&mut a, &src.sql, pg_version, &spans);
            own::attach(&mut a);
            a
        })
        .collect()
}

/// The plan: the next migrations analysed, with the live facts read on `session`.
pub async fn collect(
    session: &mut Session,
    s: &Snapshot,
    after: AfterCheck,
    opts: &Options,
) -> Section<MigrationPlan> {
    let next = match next_migrations(s) {
        Ok(n) => n,
        Err(why) => return Section::skipped(why),
    };
    let live_schema = s.schema.data();
    let mut plan = MigrationPlan {
        backend: session.backend(),
        linter: squawk::LINTER.into(),
        server_version_num: None,
        large_table: opts.large_table,
        migrations: Vec::new(),
        tables: Vec::new(),
        lock_holders: Vec::new(),
        after,
        problems: Vec::new(),
    };
    match session.backend() {
        Backend::Postgres => {
            let version = pg_version(s);
            let mut analysed = analyse_files(&next, version.as_deref(), live_schema);
            let tables = tables_of(analysed.iter().map(|a| &a.migration));
            let functions: Vec<String> = analysed
                .iter()
                .flat_map(|a| a.facts.iter().flat_map(|f| f.functions.iter().cloned()))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let read = if next.is_empty() {
                live::Read::default()
            } else {
                live::postgres(session, &tables, &functions).await
            };
            refine(&mut analysed, &read.facts, live_schema);
            plan.server_version_num = read.facts.server_version_num;
            plan.migrations = analysed.into_iter().map(|a| a.migration).collect();
            plan.tables = read.facts.sizes;
            plan.lock_holders = read.holders;
            plan.problems = read.problems;
        }
        Backend::Mysql => {
            let version = s
                .database
                .data()
                .map(|d| d.server_version.clone())
                .unwrap_or_default();
            let server = mysql::Server::parse(&version);
            plan.linter = "gaps (MySQL/MariaDB rules on sqlparser)".into();
            plan.server_version_num =
                Some(server.version.0 * 10_000 + server.version.1 * 100 + server.version.2);
            let mut migrations: Vec<PlannedMigration> = next
                .iter()
                .map(|(src, status, _)| mysql::analyse(src, *status, server, live_schema))
                .collect();
            let tables = tables_of(migrations.iter());
            let read = if next.is_empty() {
                live::Read::default()
            } else {
                live::mysql(session, &tables).await
            };
            for m in &mut migrations {
                for st in &mut m.statements {
                    for l in &mut st.locks {
                        if let Some(r) = read.facts.resolved.get(&l.table) {
                            l.table = r.clone();
                        }
                    }
                    for h in &mut st.hazards {
                        if let Some(r) = h.table.as_ref().and_then(|t| read.facts.resolved.get(t)) {
                            h.table = Some(r.clone());
                        }
                    }
                }
            }
            plan.migrations = migrations;
            plan.tables = read.facts.sizes;
            plan.problems = read.problems;
        }
        Backend::Sqlite => {
            return Section::skipped(
                "SQLite locks the whole database file for a migration: there are no table \
                 locks or other sessions to weigh",
            );
        }
    }
    Section::collected(plan)
}

/// Every table the migrations lock, as written, once.
fn tables_of<'a>(migrations: impl Iterator<Item = &'a PlannedMigration>) -> Vec<RelationName> {
    migrations
        .flat_map(|m| m.statements.iter())
        .flat_map(|st| st.locks.iter().map(|l| l.table.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests;
