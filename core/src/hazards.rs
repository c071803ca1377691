//! Before running the fix: what the pending migrations would do to the live database and to
//! the running code. For every migration sqlx would run next (pending, and a failed one it
//! would re-run), each statement with the lock it takes, whether it rewrites or scans its
//! table, the table's size now, what makes it dangerous or makes it fail as written, and the
//! schema changes it makes; the sessions that hold locks on those tables now; and the code's
//! statements checked against the schema as it will be afterwards.
//!
//! The collector fills this in (the statement analysis needs a Postgres parser, the live facts
//! a session); the rules in `rules::hazards` turn it into `migration_hazard`,
//! `migration_blocked` and `query_breaks_after_migration` findings.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::code::expected::ExpectationMode;
use crate::querycheck::Outcome;
use crate::schema::RelationName;
use crate::session::LockBlocker;

mod lock;

pub use lock::LockMode;

/// Default: a table of this many rows (or more) is large, and a hazard on it an error.
pub const DEFAULT_LARGE_ROWS: u64 = 1_000_000;
/// Default: a table of this many bytes (or more, indexes and TOAST included) is large.
pub const DEFAULT_LARGE_BYTES: u64 = 1 << 30;

/// What running the pending migrations would do, as far as gaps could tell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MigrationPlan {
    /// The engine the migrations run on.
    pub backend: Backend,
    /// What judged the statements: `squawk-linter 2.68.0` (its rules, with gaps' lock
    /// analysis and live facts) on Postgres, gaps' own rules on MySQL/MariaDB.
    pub linter: String,
    /// The server's version as a number (`server_version_num` on Postgres, e.g. 160004;
    /// 100611 for MariaDB 10.6.11), when known. Rules that depend on it (a constant default
    /// is instant from Postgres 11, enum values usable in a transaction from 12) use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version_num: Option<u32>,
    /// From which size a table counts as large (a hazard on it is then an error).
    pub large_table: SizeThreshold,
    /// The migrations sqlx would run next, in the order it runs them.
    #[serde(default)]
    pub migrations: Vec<PlannedMigration>,
    /// The tables those migrations lock that exist now, with their size now.
    #[serde(default)]
    pub tables: Vec<TableSize>,
    /// Sessions that hold (or queue for) a lock on those tables now.
    #[serde(default)]
    pub lock_holders: Vec<RelationLocks>,
    /// The code's statements against the schema as it will be once the migrations ran.
    #[serde(default)]
    pub after: AfterCheck,
    /// Reads that failed, with why: what they would have told is unknown, not absent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

impl MigrationPlan {
    /// The size now of `table` (as resolved by the collector), when it exists now.
    pub fn size_of(&self, table: &RelationName) -> Option<&TableSize> {
        self.tables.iter().find(|t| &t.relation == table)
    }

    /// Whether `size` makes its table large by [`MigrationPlan::large_table`].
    pub fn is_large(&self, size: &TableSize) -> bool {
        size.rows()
            .is_some_and(|r| r >= self.large_table.rows as i64)
            || size
                .bytes
                .is_some_and(|b| b >= self.large_table.bytes as i64)
    }

    /// The sessions holding or queueing for a lock on `table`.
    pub fn holders_on(&self, table: &RelationName) -> &[LockBlocker] {
        self.lock_holders
            .iter()
            .find(|l| &l.relation == table)
            .map_or(&[], |l| l.sessions.as_slice())
    }
}

/// From which size a table counts as large.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SizeThreshold {
    /// Rows (estimated or counted).
    pub rows: u64,
    /// Bytes, indexes and TOAST included.
    pub bytes: u64,
}

impl Default for SizeThreshold {
    fn default() -> SizeThreshold {
        SizeThreshold {
            rows: DEFAULT_LARGE_ROWS,
            bytes: DEFAULT_LARGE_BYTES,
        }
    }
}

/// Where a migration stands: not applied yet, or applied part-way and failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// No row: `sqlx migrate run` applies it.
    Pending,
    /// A row with `success = false`: the fix re-runs it once the row is repaired.
    Failed,
}

/// One migration sqlx would run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedMigration {
    /// Version.
    pub version: i64,
    /// File, relative to the migrations folder.
    pub file: String,
    /// Pending or failed.
    pub status: PlanStatus,
    /// The file starts with `-- no-transaction`: sqlx sends it without BEGIN/COMMIT (several
    /// statements in it still run as one implicit transaction on Postgres).
    #[serde(default)]
    pub no_transaction: bool,
    /// The `lock_timeout` the file sets before its first statement that locks an existing
    /// table (`SET lock_timeout = '5s'`), when it sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lock_timeout: Option<String>,
    /// Its statements, in order.
    #[serde(default)]
    pub statements: Vec<PlannedStatement>,
    /// Parts of the file the parser could not read (line and message): nothing is said about
    /// them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_analysed: Vec<String>,
}

/// One statement of a migration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PlannedStatement {
    /// 1-based line of the statement in its file.
    pub line: u32,
    /// The statement, cut at 300 characters.
    pub sql: String,
    /// What it does, e.g. "ALTER TABLE ... ADD COLUMN", "CREATE INDEX".
    pub operation: String,
    /// The table locks it takes.
    #[serde(default)]
    pub locks: Vec<TableLock>,
    /// What it does to the table's data.
    pub effect: Effect,
    /// What makes it dangerous on the live database, or makes it fail as written.
    #[serde(default)]
    pub hazards: Vec<Hazard>,
    /// The tables and columns it drops, renames or reshapes (for the code that still uses
    /// them).
    #[serde(default)]
    pub changes: Vec<SchemaChange>,
}

impl PlannedStatement {
    /// The strongest lock it takes on an existing table of `plan`, with that table.
    pub fn strongest_lock<'a>(&'a self, plan: &MigrationPlan) -> Option<&'a TableLock> {
        self.locks
            .iter()
            .filter(|l| plan.size_of(&l.table).is_some())
            .max_by_key(|l| l.mode)
    }
}

/// A lock a statement takes on a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TableLock {
    /// The table: resolved to its schema when it exists now; as written otherwise (schema
    /// empty when unqualified).
    pub table: RelationName,
    /// The lock mode.
    pub mode: LockMode,
}

/// What a statement does to its table's data.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Touches no table (SET, CREATE FUNCTION, CREATE TYPE...).
    None,
    /// Changes the catalog only: instant once it has its lock.
    Metadata,
    /// Reads every row to validate a constraint.
    Scan,
    /// Reads every row to build an index.
    IndexBuild,
    /// Writes a new copy of the table and rebuilds its indexes.
    Rewrite,
    /// Changes rows (UPDATE, DELETE, INSERT ... SELECT): as slow as the rows it touches.
    Data,
    /// Not known.
    Unknown,
}

impl Effect {
    /// "instant (catalog only)", "scans the table", "rewrites the table"...
    pub fn label(self) -> &'static str {
        match self {
            Effect::None => "no table",
            Effect::Metadata => "instant (catalog only)",
            Effect::Scan => "scans the table",
            Effect::IndexBuild => "builds an index (reads the table)",
            Effect::Rewrite => "rewrites the table",
            Effect::Data => "changes rows",
            Effect::Unknown => "not known",
        }
    }

    /// True when the time it takes grows with the table.
    pub fn is_slow(self) -> bool {
        matches!(
            self,
            Effect::Scan | Effect::IndexBuild | Effect::Rewrite | Effect::Data
        )
    }
}

/// Something that makes a statement dangerous or makes it fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Hazard {
    /// The rule: squawk's rule name (`require-concurrent-index-creation`) or gaps' own
    /// (`gaps:enum-value-used-in-transaction`).
    pub rule: String,
    /// True when the statement fails as written (whatever the table's size).
    #[serde(default)]
    pub fails: bool,
    /// For a failing statement: the SQLSTATE it fails with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqlstate: Option<String>,
    /// What happens, in one sentence.
    pub message: String,
    /// The safe way to do the same.
    pub safe: String,
    /// The table it concerns, when one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<RelationName>,
}

/// What a statement does to the schema the code sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SchemaChange {
    /// What kind of change.
    pub kind: ChangeKind,
    /// The table (as written; schema empty when unqualified).
    pub table: RelationName,
    /// The column, for column changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The new name, for renames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_name: Option<String>,
}

/// Kinds of schema change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// `DROP TABLE`.
    DropTable,
    /// `ALTER TABLE ... RENAME TO`.
    RenameTable,
    /// `DROP COLUMN`.
    DropColumn,
    /// `RENAME COLUMN`.
    RenameColumn,
    /// `ALTER COLUMN ... TYPE`.
    AlterType,
    /// `ADD COLUMN`.
    AddColumn,
}

impl ChangeKind {
    /// True for the changes after which code using the old name fails.
    pub fn removes(self) -> bool {
        matches!(
            self,
            ChangeKind::DropTable
                | ChangeKind::RenameTable
                | ChangeKind::DropColumn
                | ChangeKind::RenameColumn
        )
    }

    /// "drops", "renames", "changes the type of", "adds".
    pub fn verb(self) -> &'static str {
        match self {
            ChangeKind::DropTable | ChangeKind::DropColumn => "drops",
            ChangeKind::RenameTable | ChangeKind::RenameColumn => "renames",
            ChangeKind::AlterType => "changes the type of",
            ChangeKind::AddColumn => "adds",
        }
    }
}

/// A table's size now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TableSize {
    /// The table.
    pub relation: RelationName,
    /// The planner's row estimate (`pg_class.reltuples`; `TABLE_ROWS` on MySQL); None when
    /// the table was never analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_rows: Option<i64>,
    /// Live rows counted by the statistics collector (`pg_stat_user_tables.n_live_tup`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_rows: Option<i64>,
    /// Bytes, indexes and TOAST included (`pg_total_relation_size`; data plus index length
    /// on MySQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<i64>,
    /// True when `bytes` is the catalog's page estimate (`relpages`), because another
    /// session's lock kept gaps from asking for the exact size.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bytes_estimated: bool,
}

impl TableSize {
    /// The best row count known: the larger of the estimate and the live count.
    pub fn rows(&self) -> Option<i64> {
        match (self.estimated_rows, self.live_rows) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// "2.1 M rows, 1.3 GB" for people.
    pub fn describe(&self) -> String {
        let rows = self
            .rows()
            .map_or("rows unknown".to_string(), |r| format!("{} rows", count(r)));
        match self.bytes {
            Some(b) => format!(
                "{rows}, {}{}",
                bytes(b),
                if self.bytes_estimated {
                    " (estimated)"
                } else {
                    ""
                }
            ),
            None => rows,
        }
    }
}

/// A row count for people: 950, 12.5 k, 2.1 M, 3.0 G.
pub fn count(n: i64) -> String {
    let f = n as f64;
    match n.abs() {
        0..1_000 => n.to_string(),
        1_000..1_000_000 => format!("{:.1} k", f / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} M", f / 1e6),
        _ => format!("{:.1} G", f / 1e9),
    }
}

/// A byte size for people: 512 B, 8.0 kB, 1.3 GB.
pub fn bytes(n: i64) -> String {
    let f = n as f64;
    match n.abs() {
        0..1_024 => format!("{n} B"),
        1_024..1_048_576 => format!("{:.1} kB", f / 1024.0),
        1_048_576..1_073_741_824 => format!("{:.1} MB", f / 1_048_576.0),
        _ => format!("{:.1} GB", f / 1_073_741_824.0),
    }
}

/// A duration for people: 42 s, 5 min, 3 h, 2 d.
pub fn duration(secs: f64) -> String {
    let s = secs.max(0.0);
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.0} h", s / 3600.0)
    } else {
        format!("{:.0} d", s / 86_400.0)
    }
}

/// The sessions holding or queueing for locks on one table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RelationLocks {
    /// The table.
    pub relation: RelationName,
    /// The sessions, holders first.
    #[serde(default)]
    pub sessions: Vec<LockBlocker>,
}

/// The code's statements against the schema after the migrations.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AfterCheck {
    /// How: `scratch` (the migrations applied to a scratch database, each statement described
    /// there: exact) or `replay` (the statements' tables and columns compared with what the
    /// migrations drop and rename: static).
    pub mode: ExpectationMode,
    /// In scratch mode, the scratch database's verdict on each statement site.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<AfterStatement>,
    /// Why scratch mode was not used or failed, when it was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scratch_error: Option<String>,
}

/// One statement site's verdict on the schema after the migrations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AfterStatement {
    /// Source file.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// The scratch database's verdict.
    pub outcome: Outcome,
}

#[cfg(test)]
mod tests;
