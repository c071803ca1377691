//! The migrations section: local files against the rows of the migrations table, one row per
//! version with its status, and the timeline chart.

use std::collections::BTreeMap;

use gaps_core::actions;
use gaps_core::finding::Finding;
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use super::findings::{FindingView, finding_view};
use super::hazards::{PlanView, plan_view};
use crate::charts::{self, PointStatus, TimelinePoint};
use crate::status::{self, SectionRef};

/// One migration row.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationRow {
    /// "0013".
    pub version: String,
    /// "migration-0013": the row's id (after the snapshot's anchor).
    pub anchor: String,
    /// Description.
    pub description: String,
    /// Local file.
    pub file: Option<String>,
    /// installed_on.
    pub installed_on: Option<String>,
    /// Execution time for people.
    pub execution: Option<String>,
    /// applied / failed / edited / not_timed / missing_locally / pending.
    pub status: String,
    /// Symbol for the status.
    pub icon: String,
    /// Text for the status.
    pub status_text: String,
}

/// Local vs applied migrations.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationsView {
    /// local_migrations status.
    pub local: SectionRef,
    /// applied_migrations status.
    pub applied: SectionRef,
    /// The ACTION-002 one-liner.
    pub summary: Option<String>,
    /// The migrations table read.
    pub table: Option<String>,
    /// The local directory read.
    pub directory: Option<String>,
    /// Rows by version.
    pub rows: Vec<MigrationRow>,
    /// Files sqlx ignores: (file, reason).
    pub ignored: Vec<(String, String)>,
    /// The timeline.
    pub chart_svg: Option<String>,
    /// ACTION-002 findings.
    pub findings: Vec<FindingView>,
    /// What running the pending migrations would do.
    pub plan: PlanView,
}

/// The id of migration `v`'s row, after the snapshot's anchor.
pub(crate) fn migration_anchor(v: i64) -> String {
    format!("migration-{}", status::version_label(v))
}

pub(crate) fn migrations_view(s: &Snapshot, findings: &[Finding]) -> MigrationsView {
    let local = s.local_migrations.data();
    let applied = s.applied_migrations.data();
    let mut rows: BTreeMap<i64, MigrationRow> = BTreeMap::new();
    let mut points: BTreeMap<i64, TimelinePoint> = BTreeMap::new();
    if let Some(l) = local {
        for f in l.files.iter().filter(|f| f.kind.is_applied()) {
            rows.insert(
                f.version,
                MigrationRow {
                    version: status::version_label(f.version),
                    anchor: migration_anchor(f.version),
                    description: f.description.clone(),
                    file: Some(f.file.clone()),
                    installed_on: None,
                    execution: None,
                    status: "pending".into(),
                    icon: "⏳".into(),
                    status_text: "pending: not applied".into(),
                },
            );
            points.insert(
                f.version,
                TimelinePoint {
                    label: status::version_label(f.version),
                    installed_at: None,
                    execution_ms: None,
                    status: PointStatus::Pending,
                },
            );
        }
    }
    if let Some(a) = applied {
        for r in &a.rows {
            let local_file = local.and_then(|l| l.up(r.version));
            let (st, icon, text, pst) = if !r.success {
                (
                    "failed",
                    "✖",
                    "failed: partially applied (sqlx reports Dirty)".to_string(),
                    PointStatus::Failed,
                )
            } else if let Some(f) =
                local_file.filter(|f| !f.checksum.eq_ignore_ascii_case(&r.checksum))
            {
                let why = if f.checksum_normalized.eq_ignore_ascii_case(&r.checksum) {
                    "checksum differs only by line endings or BOM"
                } else {
                    "checksum differs: the file was edited after it was applied"
                };
                ("edited", "✎", why.to_string(), PointStatus::Edited)
            } else if r.execution_time < 0 {
                (
                    "not_timed",
                    "▲",
                    "recorded with execution_time -1: skipped or interrupted".to_string(),
                    PointStatus::NotTimed,
                )
            } else if local.is_some() && local_file.is_none() {
                (
                    "missing_locally",
                    "?",
                    "applied, but no local file has this version".to_string(),
                    PointStatus::Applied,
                )
            } else {
                ("applied", "✔", "applied".to_string(), PointStatus::Applied)
            };
            let execution_ms = (r.execution_time >= 0).then(|| r.execution_time as f64 / 1e6);
            rows.insert(
                r.version,
                MigrationRow {
                    version: status::version_label(r.version),
                    anchor: migration_anchor(r.version),
                    description: r.description.clone(),
                    file: local_file.map(|f| f.file.clone()),
                    installed_on: r.installed_on.clone(),
                    execution: execution_ms.map(|ms| {
                        if ms >= 1000.0 {
                            format!("{:.2} s", ms / 1000.0)
                        } else {
                            format!("{ms:.1} ms")
                        }
                    }),
                    status: st.into(),
                    icon: icon.into(),
                    status_text: text,
                },
            );
            points.insert(
                r.version,
                TimelinePoint {
                    label: status::version_label(r.version),
                    installed_at: r.installed_on.as_deref().and_then(charts::parse_time),
                    execution_ms,
                    status: pst,
                },
            );
        }
    }
    let points: Vec<TimelinePoint> = points.into_values().collect();
    let chart_svg = if points.is_empty() || points.len() > 400 {
        None
    } else {
        charts::migration_timeline(&points).ok()
    };
    MigrationsView {
        local: status::section_ref(s, "local_migrations"),
        applied: status::section_ref(s, "applied_migrations"),
        summary: (local.is_some() || applied.is_some())
            .then(|| status::migration_summary(applied, local)),
        table: applied.map(|a| {
            if a.present {
                a.table.clone()
            } else {
                format!("{} (absent)", a.table)
            }
        }),
        directory: local.map(|l| format!("{} (from {})", l.directory, l.directory_source)),
        rows: rows.into_values().collect(),
        ignored: local
            .map(|l| {
                l.ignored
                    .iter()
                    .map(|i| (i.file.clone(), i.reason.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        chart_svg,
        findings: findings
            .iter()
            .filter(|f| f.action == actions::MIGRATIONS)
            .map(finding_view)
            .collect(),
        plan: plan_view(s, findings),
    }
}
