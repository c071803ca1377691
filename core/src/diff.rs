//! Schema diffs: expected vs live, and snapshot vs snapshot. Pure, shared by `gaps diff` and the
//! report's interactive viewer.
//!
//! One schema comparison serves both uses: the *left* side is the expected schema (or the older
//! snapshot) and the *right* side the live schema (or the newer snapshot). "Missing" means on the
//! left only (expected but absent; dropped since A), "unexpected" on the right only (nobody
//! expects it; added since A). Output is deterministic: tables sorted by (schema, name), columns
//! in the left side's ordinal order followed by right-only columns in theirs.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::actions;
use crate::finding::{Finding, Severity};
use crate::migrations::AppliedMigration;
use crate::schema::{Column, Schema, Table, TableKind};
use crate::section::Section;
use crate::snapshot::Snapshot;

/// The outcome of comparing one column or table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// On the left only: expected but absent from the live schema (or dropped since A).
    Missing,
    /// On the right only: present but not expected (or added since A).
    Unexpected,
    /// The data type differs.
    Type,
    /// NULL / NOT NULL differs.
    Nullability,
    /// The default expression differs.
    Default,
    /// Present on both sides and identical.
    Ok,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 6] = [
        Status::Missing,
        Status::Unexpected,
        Status::Type,
        Status::Nullability,
        Status::Default,
        Status::Ok,
    ];

    /// The snake_case name used in JSON and URL fragments.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::Unexpected => "unexpected",
            Status::Type => "type",
            Status::Nullability => "nullability",
            Status::Default => "default",
            Status::Ok => "ok",
        }
    }

    /// Parses [`Status::as_str`] back.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// A table's overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableStatus {
    /// On the left only.
    Missing,
    /// On the right only.
    Unexpected,
    /// On both sides, with at least one column (or its kind) differing.
    Altered,
    /// On both sides and identical in every compared respect.
    Ok,
}

impl TableStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Missing => "missing",
            TableStatus::Unexpected => "unexpected",
            TableStatus::Altered => "altered",
            TableStatus::Ok => "ok",
        }
    }

    /// The column-level status a table-level filter matches on (`None` for altered tables,
    /// which match through their columns).
    pub fn as_status(self) -> Option<Status> {
        match self {
            TableStatus::Missing => Some(Status::Missing),
            TableStatus::Unexpected => Some(Status::Unexpected),
            TableStatus::Ok => Some(Status::Ok),
            TableStatus::Altered => None,
        }
    }
}

/// One column compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDiff {
    /// Column name.
    pub name: String,
    /// Overall outcome: missing, unexpected, the first of `changes`, or ok.
    pub status: Status,
    /// Every respect in which the two sides differ (type, nullability, default), in that order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Status>,
    /// The column on the left (expected / A), if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<Column>,
    /// The column on the right (live / B), if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<Column>,
}

impl ColumnDiff {
    /// True when the status (or any change) is `s`.
    pub fn has(&self, s: Status) -> bool {
        self.status == s || self.changes.contains(&s)
    }

    /// How much the difference matters when the left side is what the code expects.
    pub fn severity(&self) -> Option<Severity> {
        status_severity(self.status)
    }

    /// The gaps.md action a column difference is evidence for.
    pub fn action(&self) -> Option<&'static str> {
        (self.status != Status::Ok).then_some(actions::COLUMNS)
    }
}

/// One table compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDiff {
    /// Schema name.
    pub schema: String,
    /// Table name.
    pub name: String,
    /// Overall outcome.
    pub status: TableStatus,
    /// Relation kind on the left, if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_kind: Option<TableKind>,
    /// Relation kind on the right, if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_kind: Option<TableKind>,
    /// Every column of either side.
    pub columns: Vec<ColumnDiff>,
}

impl TableDiff {
    /// `schema.name`, the key used in deep links.
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    /// True when anything about the table differs.
    pub fn differs(&self) -> bool {
        self.status != TableStatus::Ok
    }

    /// Severity of the table's own status (missing/unexpected), if it has one.
    pub fn severity(&self) -> Option<Severity> {
        match self.status {
            TableStatus::Missing => Some(Severity::Error),
            TableStatus::Unexpected => Some(Severity::Info),
            TableStatus::Altered => self.columns.iter().filter_map(|c| c.severity()).max(),
            TableStatus::Ok => None,
        }
    }

    /// The gaps.md action of the table's own status.
    pub fn action(&self) -> Option<&'static str> {
        match self.status {
            TableStatus::Missing | TableStatus::Unexpected => Some(actions::TABLES),
            TableStatus::Altered => Some(actions::COLUMNS),
            TableStatus::Ok => None,
        }
    }
}

/// Severity of a column-level status when the left side is what the code expects.
pub fn status_severity(s: Status) -> Option<Severity> {
    match s {
        Status::Missing | Status::Type => Some(Severity::Error),
        Status::Nullability => Some(Severity::Warning),
        Status::Unexpected | Status::Default => Some(Severity::Info),
        Status::Ok => None,
    }
}

/// Counts of a schema diff, always shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Tables on the left only.
    pub tables_missing: usize,
    /// Tables on the right only.
    pub tables_unexpected: usize,
    /// Tables on both sides that differ.
    pub tables_altered: usize,
    /// Tables identical on both sides.
    pub tables_ok: usize,
    /// Columns on the left only (in tables present on both sides).
    pub columns_missing: usize,
    /// Columns on the right only (in tables present on both sides).
    pub columns_unexpected: usize,
    /// Columns whose type differs.
    pub columns_type: usize,
    /// Columns whose nullability differs.
    pub columns_nullability: usize,
    /// Columns whose default differs.
    pub columns_default: usize,
    /// Columns identical on both sides.
    pub columns_ok: usize,
}

impl Summary {
    /// The number of columns (in tables on both sides) with status `s` or change `s`.
    pub fn columns(&self, s: Status) -> usize {
        match s {
            Status::Missing => self.columns_missing,
            Status::Unexpected => self.columns_unexpected,
            Status::Type => self.columns_type,
            Status::Nullability => self.columns_nullability,
            Status::Default => self.columns_default,
            Status::Ok => self.columns_ok,
        }
    }
}

/// A whole schema comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaDiff {
    /// Counts.
    pub summary: Summary,
    /// Every table of either side, sorted by (schema, name).
    pub tables: Vec<TableDiff>,
}

impl SchemaDiff {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| !t.differs())
    }

    /// Only the tables that differ.
    pub fn differing(&self) -> impl Iterator<Item = &TableDiff> {
        self.tables.iter().filter(|t| t.differs())
    }
}

/// Normalises a type name for comparison: case and runs of whitespace do not matter.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn column_changes(l: &Column, r: &Column) -> Vec<Status> {
    let mut changes = Vec::new();
    if norm(&l.data_type) != norm(&r.data_type) {
        changes.push(Status::Type);
    }
    if l.nullable != r.nullable {
        changes.push(Status::Nullability);
    }
    let d = |c: &Column| c.default.as_deref().map(str::trim).map(str::to_owned);
    if d(l) != d(r) {
        changes.push(Status::Default);
    }
    changes
}

fn sorted_columns(t: &Table) -> Vec<&Column> {
    let mut v: Vec<&Column> = t.columns.iter().collect();
    v.sort_by_key(|c| c.ordinal);
    v
}

fn one_sided(cols: &[&Column], status: Status, left: bool) -> Vec<ColumnDiff> {
    cols.iter()
        .map(|c| ColumnDiff {
            name: c.name.clone(),
            status,
            changes: Vec::new(),
            left: left.then(|| (*c).clone()),
            right: (!left).then(|| (*c).clone()),
        })
        .collect()
}

fn diff_table(l: Option<&Table>, r: Option<&Table>) -> TableDiff {
    let (schema, name) = match (l, r) {
        (Some(t), _) | (None, Some(t)) => (t.schema.clone(), t.name.clone()),
        (None, None) => unreachable!("a table is on at least one side"),
    };
    let (status, columns) = match (l, r) {
        (Some(l), None) => (
            TableStatus::Missing,
            one_sided(&sorted_columns(l), Status::Missing, true),
        ),
        (None, Some(r)) => (
            TableStatus::Unexpected,
            one_sided(&sorted_columns(r), Status::Unexpected, false),
        ),
        (Some(l), Some(r)) => {
            let lc = sorted_columns(l);
            let rc = sorted_columns(r);
            let rmap: BTreeMap<&str, &Column> = rc.iter().map(|c| (c.name.as_str(), *c)).collect();
            let lnames: BTreeSet<&str> = lc.iter().map(|c| c.name.as_str()).collect();
            let mut cols = Vec::with_capacity(lc.len().max(rc.len()));
            for c in &lc {
                cols.push(match rmap.get(c.name.as_str()) {
                    Some(rcol) => {
                        let changes = column_changes(c, rcol);
                        ColumnDiff {
                            name: c.name.clone(),
                            status: changes.first().copied().unwrap_or(Status::Ok),
                            changes,
                            left: Some((*c).clone()),
                            right: Some((*rcol).clone()),
                        }
                    }
                    None => ColumnDiff {
                        name: c.name.clone(),
                        status: Status::Missing,
                        changes: Vec::new(),
                        left: Some((*c).clone()),
                        right: None,
                    },
                });
            }
            for c in rc.iter().filter(|c| !lnames.contains(c.name.as_str())) {
                cols.push(ColumnDiff {
                    name: c.name.clone(),
                    status: Status::Unexpected,
                    changes: Vec::new(),
                    left: None,
                    right: Some((*c).clone()),
                });
            }
            let altered = l.kind != r.kind || cols.iter().any(|c| c.status != Status::Ok);
            let status = if altered {
                TableStatus::Altered
            } else {
                TableStatus::Ok
            };
            (status, cols)
        }
        (None, None) => unreachable!("a table is on at least one side"),
    };
    TableDiff {
        schema,
        name,
        status,
        left_kind: l.map(|t| t.kind),
        right_kind: r.map(|t| t.kind),
        columns,
    }
}

/// A table on the left and/or the right.
type Pair<'a> = (Option<&'a Table>, Option<&'a Table>);

/// Compares two schemas table by table and column by column. `left` is the expected schema (or
/// snapshot A), `right` the live one (or snapshot B).
pub fn diff_schemas(left: &Schema, right: &Schema) -> SchemaDiff {
    let mut keys: BTreeMap<(&str, &str), Pair<'_>> = BTreeMap::new();
    for t in &left.tables {
        keys.entry((&t.schema, &t.name)).or_default().0 = Some(t);
    }
    for t in &right.tables {
        keys.entry((&t.schema, &t.name)).or_default().1 = Some(t);
    }
    let tables: Vec<TableDiff> = keys.values().map(|(l, r)| diff_table(*l, *r)).collect();
    let mut summary = Summary::default();
    for t in &tables {
        match t.status {
            TableStatus::Missing => summary.tables_missing += 1,
            TableStatus::Unexpected => summary.tables_unexpected += 1,
            TableStatus::Altered => summary.tables_altered += 1,
            TableStatus::Ok => summary.tables_ok += 1,
        }
        if matches!(t.status, TableStatus::Altered | TableStatus::Ok) {
            for c in &t.columns {
                for s in std::iter::once(c.status).chain(c.changes.iter().skip(1).copied()) {
                    match s {
                        Status::Missing => summary.columns_missing += 1,
                        Status::Unexpected => summary.columns_unexpected += 1,
                        Status::Type => summary.columns_type += 1,
                        Status::Nullability => summary.columns_nullability += 1,
                        Status::Default => summary.columns_default += 1,
                        Status::Ok => summary.columns_ok += 1,
                    }
                }
            }
        }
    }
    SchemaDiff { summary, tables }
}

/// Either a comparison, or why it could not be made (a section missing on one side).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Compared<T> {
    /// Both sides had the evidence.
    Compared {
        /// The comparison.
        diff: T,
    },
    /// At least one side lacked it.
    Unavailable {
        /// Which side and why, e.g. "A: schema failed: permission denied".
        reason: String,
    },
}

impl<T> Compared<T> {
    /// The comparison, when it was made.
    pub fn diff(&self) -> Option<&T> {
        match self {
            Compared::Compared { diff } => Some(diff),
            Compared::Unavailable { .. } => None,
        }
    }
}

fn section_reason<T>(side: &str, what: &str, s: &Section<T>) -> Option<String> {
    match s {
        Section::Collected { .. } => None,
        Section::Failed { error } => Some(format!(
            "{side}: {what} could not be collected ({}: {})",
            error.during, error.message
        )),
        Section::Skipped { reason } => Some(format!("{side}: {what} was not collected ({reason})")),
    }
}

fn compare_sections<T, D>(
    what: &str,
    a: &Section<T>,
    b: &Section<T>,
    f: impl FnOnce(&T, &T) -> D,
) -> Compared<D> {
    match (a.data(), b.data()) {
        (Some(x), Some(y)) => Compared::Compared { diff: f(x, y) },
        _ => {
            let reasons: Vec<String> = [section_reason("A", what, a), section_reason("B", what, b)]
                .into_iter()
                .flatten()
                .collect();
            Compared::Unavailable {
                reason: reasons.join("; "),
            }
        }
    }
}

/// The live schema compared with the expected one, for one snapshot.
pub fn expected_vs_live(snapshot: &Snapshot) -> Compared<SchemaDiff> {
    let live = match section_reason("live", "the schema", &snapshot.schema) {
        Some(reason) => return Compared::Unavailable { reason },
        None => snapshot.schema.data(),
    };
    match (expected_schema(snapshot), live) {
        (Ok(expected), Some(live)) => Compared::Compared {
            diff: diff_schemas(expected, live),
        },
        (Err(reason), _) => Compared::Unavailable { reason },
        (_, None) => Compared::Unavailable {
            reason: "live: the schema was not collected".into(),
        },
    }
}

/// The expected schema of a snapshot, or why there is none.
fn expected_schema(snapshot: &Snapshot) -> Result<&Schema, String> {
    if let Some(reason) =
        section_reason("expected", "the expected schema", &snapshot.expected_schema)
    {
        return Err(reason);
    }
    // The code-expectations work is still giving ExpectedSchema its contents (a wrapped Schema);
    // until it lands there is nothing to compare against.
    Err("expected: this snapshot's expected schema carries no tables yet".into())
}

/// What happened to the migrations table between two snapshots.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MigrationsDiff {
    /// Rows in B that A did not have: migrations applied between the two.
    pub applied: Vec<AppliedMigration>,
    /// Rows in A that B no longer has (reverted, or a different database).
    pub removed: Vec<AppliedMigration>,
    /// Rows on both sides whose checksum, success or description changed.
    pub changed: Vec<MigrationChange>,
}

impl MigrationsDiff {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// A migration row present in both snapshots that changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MigrationChange {
    /// The version.
    pub version: i64,
    /// Description (from B).
    pub description: String,
    /// What changed, e.g. "success: false -> true".
    pub changes: Vec<String>,
}

fn diff_migrations(a: &[AppliedMigration], b: &[AppliedMigration]) -> MigrationsDiff {
    let am: BTreeMap<i64, &AppliedMigration> = a.iter().map(|m| (m.version, m)).collect();
    let bm: BTreeMap<i64, &AppliedMigration> = b.iter().map(|m| (m.version, m)).collect();
    let mut d = MigrationsDiff::default();
    for (v, m) in &bm {
        match am.get(v) {
            None => d.applied.push((*m).clone()),
            Some(old) => {
                let mut changes = Vec::new();
                if old.success != m.success {
                    changes.push(format!("success: {} -> {}", old.success, m.success));
                }
                if old.checksum != m.checksum {
                    changes.push(format!(
                        "checksum: {} -> {}",
                        short(&old.checksum),
                        short(&m.checksum)
                    ));
                }
                if old.description != m.description {
                    changes.push(format!(
                        "description: {:?} -> {:?}",
                        old.description, m.description
                    ));
                }
                if old.execution_time != m.execution_time
                    && (old.execution_time == -1 || m.execution_time == -1)
                {
                    changes.push(format!(
                        "execution_time: {} -> {}",
                        old.execution_time, m.execution_time
                    ));
                }
                if !changes.is_empty() {
                    d.changed.push(MigrationChange {
                        version: *v,
                        description: m.description.clone(),
                        changes,
                    });
                }
            }
        }
    }
    d.removed = am
        .iter()
        .filter(|(v, _)| !bm.contains_key(v))
        .map(|(_, m)| (*m).clone())
        .collect();
    d
}

fn short(hex: &str) -> &str {
    hex.get(..12).unwrap_or(hex)
}

/// Findings that appeared or cleared between two snapshots.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingsDiff {
    /// In B, not in A.
    pub appeared: Vec<Finding>,
    /// In A, not in B.
    pub cleared: Vec<Finding>,
    /// How many findings are in both.
    pub unchanged: usize,
}

impl FindingsDiff {
    /// True when no finding appeared or cleared.
    pub fn is_empty(&self) -> bool {
        self.appeared.is_empty() && self.cleared.is_empty()
    }
}

/// The identity of a finding across snapshots: what it is about, not its wording (messages may
/// carry counts) nor its line (code moves). The `section` detail tells apart the
/// subject-less `evidence_unavailable` findings.
type FindingKey<'a> = (
    crate::finding::FindingKind,
    &'a str,
    Option<i64>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn finding_key(f: &Finding) -> FindingKey<'_> {
    (
        f.kind,
        f.action.as_str(),
        f.migration,
        f.schema.as_deref(),
        f.table.as_deref(),
        f.column.as_deref(),
        f.file.as_deref(),
        f.details.get("section").and_then(|v| v.as_str()),
    )
}

/// Compares two lists of findings by identity (kind, action and subject).
pub fn diff_findings(a: &[Finding], b: &[Finding]) -> FindingsDiff {
    let ak: BTreeSet<FindingKey<'_>> = a.iter().map(finding_key).collect();
    let bk: BTreeSet<FindingKey<'_>> = b.iter().map(finding_key).collect();
    FindingsDiff {
        appeared: b
            .iter()
            .filter(|f| !ak.contains(&finding_key(f)))
            .cloned()
            .collect(),
        cleared: a
            .iter()
            .filter(|f| !bk.contains(&finding_key(f)))
            .cloned()
            .collect(),
        unchanged: b.iter().filter(|f| ak.contains(&finding_key(f))).count(),
    }
}

/// Which snapshot a side of a comparison is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotRef {
    /// `target.label`, else the redacted database URL, else "(unlabelled)".
    pub label: String,
    /// When it was collected.
    pub collected_at: String,
}

impl SnapshotRef {
    /// Describes a snapshot.
    pub fn of(s: &Snapshot) -> SnapshotRef {
        SnapshotRef {
            label: label(s),
            collected_at: s.collected_at.clone(),
        }
    }
}

/// A short human name for a snapshot.
pub fn label(s: &Snapshot) -> String {
    s.target
        .label
        .clone()
        .or_else(|| s.target.database_url.clone())
        .unwrap_or_else(|| "(unlabelled)".into())
}

/// Everything that changed between snapshot A and snapshot B.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotDiff {
    /// The older (left) snapshot.
    pub a: SnapshotRef,
    /// The newer (right) snapshot.
    pub b: SnapshotRef,
    /// Tables and columns added (unexpected), dropped (missing) and altered.
    pub schema: Compared<SchemaDiff>,
    /// Migrations applied between them.
    pub migrations: Compared<MigrationsDiff>,
    /// Findings that appeared or cleared.
    pub findings: FindingsDiff,
}

impl SnapshotDiff {
    /// True when any compared part differs. A part that could not be compared on one side
    /// counts as a difference only when the two sides disagree about having it.
    pub fn has_differences(&self) -> bool {
        let schema = match &self.schema {
            Compared::Compared { diff } => !diff.is_empty(),
            Compared::Unavailable { .. } => false,
        };
        let migrations = match &self.migrations {
            Compared::Compared { diff } => !diff.is_empty(),
            Compared::Unavailable { .. } => false,
        };
        schema || migrations || !self.findings.is_empty()
    }
}

/// Compares two snapshots: schema, migrations table and findings (via [`crate::rules::analyse`]).
pub fn diff_snapshots(a: &Snapshot, b: &Snapshot) -> SnapshotDiff {
    diff_snapshots_with_findings(a, b, &crate::rules::analyse(a), &crate::rules::analyse(b))
}

/// Like [`diff_snapshots`], with each snapshot's findings given rather than derived (the
/// in-page viewer receives them precomputed, so it need not carry the rules).
pub fn diff_snapshots_with_findings(
    a: &Snapshot,
    b: &Snapshot,
    findings_a: &[Finding],
    findings_b: &[Finding],
) -> SnapshotDiff {
    SnapshotDiff {
        a: SnapshotRef::of(a),
        b: SnapshotRef::of(b),
        schema: compare_sections("the schema", &a.schema, &b.schema, diff_schemas),
        migrations: compare_sections(
            "the migrations table",
            &a.applied_migrations,
            &b.applied_migrations,
            |x, y| diff_migrations(&x.rows, &y.rows),
        ),
        findings: diff_findings(findings_a, findings_b),
    }
}

#[cfg(test)]
mod tests;
