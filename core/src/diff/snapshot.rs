//! Snapshot vs snapshot (and a snapshot's expected vs live schema): the schema diff of each
//! pair of sections that both sides have, the migrations table's rows, and the findings that
//! appeared or cleared; a section missing on either side is [`Compared::Unavailable`] with the
//! reason.

use serde::{Deserialize, Serialize};

use super::schema::{SchemaDiff, diff_expected, diff_schemas};
use super::sorted::Sorted;
use crate::code::ExpectedSchema;
use crate::finding::{Finding, FindingKind};
use crate::migrations::{AppliedMigration, DEFAULT_MIGRATIONS_TABLE};
use crate::schema::Schema;
use crate::section::Section;
use crate::snapshot::Snapshot;

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

pub(super) fn compare_sections<T, D>(
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
    match expected_and_live(snapshot) {
        Ok((expected, live, ignored)) => Compared::Compared {
            diff: diff_expected(expected, live, snapshot.target.backend, &ignored),
        },
        Err(reason) => Compared::Unavailable { reason },
    }
}

/// What [`expected_vs_live`] compares: the expected schema, the live one and the live tables
/// left out (the migrations table), or why they cannot be compared.
pub(super) fn expected_and_live(
    snapshot: &Snapshot,
) -> Result<(&ExpectedSchema, &Schema, Vec<&str>), String> {
    if let Some(reason) = section_reason("live", "the schema", &snapshot.schema) {
        return Err(reason);
    }
    let expected = expected_schema(snapshot)?;
    let live = snapshot
        .schema
        .data()
        .ok_or_else(|| "live: the schema was not collected".to_string())?;
    // sqlx's own bookkeeping table is expected by no migration, and is no difference.
    let applied = snapshot
        .applied_migrations
        .data()
        .map(|a| a.table.rsplit('.').next().unwrap_or(""));
    let ignored: Vec<&str> = [Some(DEFAULT_MIGRATIONS_TABLE), applied]
        .into_iter()
        .flatten()
        .collect();
    Ok((expected, live, ignored))
}

/// The expected schema of a snapshot, or why there is none.
fn expected_schema(snapshot: &Snapshot) -> Result<&ExpectedSchema, String> {
    if let Some(reason) =
        section_reason("expected", "the expected schema", &snapshot.expected_schema)
    {
        return Err(reason);
    }
    match snapshot.expected_schema.data() {
        Some(e) if e.migrations.is_empty() && e.schema.tables.is_empty() => Err(
            "expected: no local migration was replayed, so nothing says what should exist".into(),
        ),
        Some(e) => Ok(e),
        None => Err("expected: the expected schema was not collected".into()),
    }
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
    let order = |x: &[AppliedMigration]| {
        let s = Sorted::new(x.len(), &|p, q| x[p].version.cmp(&x[q].version));
        let unique = s.unique(&|p, q| x[p].version == x[q].version);
        (s, unique)
    };
    let ((sa, ua), (sb, ub)) = (order(a), order(b));
    let find = |s: &Sorted, x: &[AppliedMigration], v: i64| s.find(&|i| x[i].version.cmp(&v));
    let mut d = MigrationsDiff::default();
    for m in ub.iter().map(|&i| &b[i]) {
        let v = &m.version;
        match find(&sa, a, *v).map(|i| &a[i]) {
            None => d.applied.push(m.clone()),
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
                        "description: \"{}\" -> \"{}\"",
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
    d.removed = ua
        .iter()
        .map(|&i| &a[i])
        .filter(|m| find(&sb, b, m.version).is_none())
        .cloned()
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
    FindingKind,
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
    fn keys(x: &[Finding]) -> (Vec<FindingKey<'_>>, Sorted) {
        let k: Vec<FindingKey<'_>> = x.iter().map(finding_key).collect();
        let s = Sorted::new(k.len(), &|p, q| k[p].cmp(&k[q]));
        (k, s)
    }
    let ((ak, sa), (bk, sb)) = (keys(a), keys(b));
    let has = |k: &[FindingKey<'_>], s: &Sorted, key: &FindingKey<'_>| {
        s.find(&|i| k[i].cmp(key)).is_some()
    };
    FindingsDiff {
        appeared: b
            .iter()
            .zip(&bk)
            .filter(|(_, key)| !has(&ak, &sa, key))
            .map(|(f, _)| f.clone())
            .collect(),
        cleared: a
            .iter()
            .zip(&ak)
            .filter(|(_, key)| !has(&bk, &sb, key))
            .map(|(f, _)| f.clone())
            .collect(),
        unchanged: bk.iter().filter(|key| has(&ak, &sa, key)).count(),
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

/// The migrations table and the findings of two snapshots compared: what [`SnapshotDiff`]
/// holds besides the schema (the viewer compares the schema table by table, see
/// [`super::LazyDiff`]).
pub fn diff_migrations_and_findings(
    a: &Snapshot,
    b: &Snapshot,
    findings_a: &[Finding],
    findings_b: &[Finding],
) -> (Compared<MigrationsDiff>, FindingsDiff) {
    (
        compare_sections(
            "the migrations table",
            &a.applied_migrations,
            &b.applied_migrations,
            |x, y| diff_migrations(&x.rows, &y.rows),
        ),
        diff_findings(findings_a, findings_b),
    )
}

/// Like [`diff_snapshots`], with each snapshot's findings given rather than derived (the
/// in-page viewer receives them precomputed, so it need not carry the rules).
pub fn diff_snapshots_with_findings(
    a: &Snapshot,
    b: &Snapshot,
    findings_a: &[Finding],
    findings_b: &[Finding],
) -> SnapshotDiff {
    let (migrations, findings) = diff_migrations_and_findings(a, b, findings_a, findings_b);
    SnapshotDiff {
        a: SnapshotRef::of(a),
        b: SnapshotRef::of(b),
        schema: compare_sections("the schema", &a.schema, &b.schema, diff_schemas),
        migrations,
        findings,
    }
}
