//! Diffs: schema vs schema (`diff/schema.rs`: expected vs live, or snapshot A vs B) and snapshot
//! vs snapshot (`diff/snapshot.rs`: the schema, the migrations table and the findings). Pure, shared by
//! `gaps diff` and the report's interactive viewer.
//!
//! One schema comparison serves both uses: the *left* side is the expected schema (or the older
//! snapshot) and the *right* side the live schema (or the newer snapshot). "Missing" means on the
//! left only (expected but absent; dropped since A), "unexpected" on the right only (nobody
//! expects it; added since A). Output is deterministic: tables sorted by (schema, name), columns
//! in the left side's ordinal order followed by right-only columns in theirs, then constraints
//! and indexes (see [`constraints`]) grouped by kind.

pub mod constraints;
mod lazy;
mod schema;
mod snapshot;
mod sorted;
mod status;

pub use constraints::{ConstraintDiff, ConstraintKind};
pub use lazy::{LazyDiff, SideCounts, TableHead, Tables, Uniform};
pub use schema::{
    ColumnDiff, SchemaDiff, Summary, TableDiff, TableStatus, diff_expected, diff_schemas,
};
pub use snapshot::{
    Compared, FindingsDiff, MigrationChange, MigrationsDiff, SnapshotDiff, SnapshotRef,
    diff_findings, diff_migrations_and_findings, diff_snapshots, diff_snapshots_with_findings,
    expected_vs_live, label,
};
pub use status::{Sides, Status, status_severity};

#[cfg(test)]
mod tests;
