//! View models: small serialisable structs the templates render, built from snapshots,
//! findings and the parsed registry. Templates never see the domain types, so a template can
//! be overridden without knowing the snapshot format, and every string here is plain text
//! that tera escapes (the few pre-rendered HTML fields are named `*_html` / `*_svg`).
//!
//! The page, actions, migrations and schema views live here; the evidence sections with their
//! own model each have a module: [`logs`], [`health`], [`provider`] and [`code`].

pub mod code;
pub mod health;
pub mod logs;
pub mod provider;

use std::collections::{BTreeMap, BTreeSet};

use gaps_core::actions;
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::migrations::MigrationKind;
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use crate::charts::{self, PointStatus, TimelinePoint};
use crate::markdown::unknown_anchor;
use crate::registry::{Action, Registry};
use crate::status::{self, EvidenceState, Expectations, SectionRef};

/// Above this many live tables without a problem, the compact list is cut (the count stays).
pub const OK_TABLE_NAMES_LIMIT: usize = 20_000;

/// A link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Target, always an in-page `#anchor`.
    pub href: String,
    /// Link text.
    pub text: String,
}

/// The whole page.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// Page title.
    pub title: String,
    /// "gaps 0.1.0".
    pub tool: String,
    /// One entry per snapshot, in the order given.
    pub snapshots: Vec<SnapshotView>,
    /// True when there is more than one snapshot.
    pub multi: bool,
    /// The registry's actions (or gaps' built-in list when no gaps.md was given).
    pub actions: Vec<ActionView>,
    /// The rendered gaps.md, when given.
    pub registry: Option<RegistryView>,
    /// Every UNKNOWN-NNN with the actions that resolve it.
    pub unknowns: Vec<UnknownView>,
}

/// The rendered registry.
#[derive(Debug, Clone, Serialize)]
pub struct RegistryView {
    /// The file name as given.
    pub file: String,
    /// Sanitised HTML of the whole document.
    pub html: String,
    /// Parser warnings, each naming a line.
    pub warnings: Vec<String>,
    /// True when double-encoded UTF-8 was repaired.
    pub repaired: bool,
}

/// An UNKNOWN-NNN reference.
#[derive(Debug, Clone, Serialize)]
pub struct UnknownView {
    /// "UNKNOWN-004".
    pub id: String,
    /// "unknown-004".
    pub anchor: String,
    /// Actions whose Resolves row names it.
    pub resolved_by: Vec<Link>,
    /// Actions that mention it anywhere else.
    pub mentioned_by: Vec<Link>,
}

/// A priority.
#[derive(Debug, Clone, Serialize)]
pub struct PriorityView {
    /// "critical", "high"...
    pub level: String,
    /// As written, e.g. "🔴 Critical".
    pub label: String,
}

/// One action with its status per snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct ActionView {
    /// "ACTION-002".
    pub id: String,
    /// "action-002".
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Where it comes from: "gaps.md line 33" or "built-in".
    pub source: String,
    /// Priority.
    pub priority: Option<PriorityView>,
    /// Blocks.
    pub blocks: Option<String>,
    /// Owner.
    pub owner: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Steps.
    pub steps: Vec<String>,
    /// Evidence required.
    pub evidence_required: Option<String>,
    /// UNKNOWN links from the Resolves row.
    pub resolves: Vec<Link>,
    /// Resolves as written.
    pub resolves_text: Option<String>,
    /// Expected tables.
    pub expected_tables: Vec<String>,
    /// Critical tables.
    pub critical_tables: Vec<String>,
    /// Expected response body.
    pub expected_response: Option<String>,
    /// Already under Completed Actions in the registry.
    pub completed: bool,
    /// Other attributes.
    pub extra: Vec<(String, Vec<String>)>,
    /// The status against each snapshot.
    pub statuses: Vec<ActionStatusView>,
}

/// An action's status against one snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct ActionStatusView {
    /// Snapshot label.
    pub snapshot: String,
    /// Anchor of that snapshot's evidence.
    pub snapshot_anchor: String,
    /// complete / partial / missing / not_covered.
    pub state: EvidenceState,
    /// "evidence complete"...
    pub state_label: String,
    /// The computed one-liner.
    pub summary: String,
    /// The answering sections.
    pub sections: Vec<SectionRef>,
    /// Findings for this action.
    pub findings: Vec<FindingView>,
}

/// One finding, ready to print.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    /// error / warning / info.
    pub severity: String,
    /// A symbol that carries the severity without colour.
    pub icon: String,
    /// snake_case kind.
    pub kind: String,
    /// The action id.
    pub action: String,
    /// The message.
    pub message: String,
    /// What to do next.
    pub next_step: Option<String>,
    /// "file:line".
    pub location: Option<String>,
    /// "schema.table.column" or "migration 0013".
    pub subject: Option<String>,
    /// Expected value.
    pub expected: Option<String>,
    /// Live value.
    pub live: Option<String>,
}

/// Counts by severity.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    /// Errors.
    pub error: usize,
    /// Warnings.
    pub warning: usize,
    /// Infos.
    pub info: usize,
    /// All.
    pub total: usize,
}

/// Findings of one action in the summary.
#[derive(Debug, Clone, Serialize)]
pub struct ActionCount {
    /// Action id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Anchor of the action card.
    pub anchor: String,
    /// Counts.
    pub counts: Counts,
}

/// Everything shown for one snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotView {
    /// 1-based position.
    pub index: usize,
    /// "snap-1".
    pub anchor: String,
    /// The file name.
    pub file: String,
    /// Target label, or the file name.
    pub label: String,
    /// collected_at.
    pub collected_at: String,
    /// Redacted database URL.
    pub database_url: Option<String>,
    /// Backend name.
    pub backend: Option<String>,
    /// Writer version.
    pub tool_version: String,
    /// One sentence.
    pub verdict: String,
    /// Counts.
    pub counts: Counts,
    /// Counts per action.
    pub by_action: Vec<ActionCount>,
    /// Every section's status.
    pub sections: Vec<SectionRef>,
    /// Server identity rows.
    pub database: Vec<(String, String)>,
    /// Migrations.
    pub migrations: MigrationsView,
    /// Schema.
    pub schema: SchemaView,
    /// Code, expected schema and query checks.
    pub code: code::CodeView,
    /// Logs.
    pub logs: logs::LogsView,
    /// Health.
    pub health: health::HealthView,
    /// Provider.
    pub provider: provider::ProviderView,
    /// All findings.
    pub findings: Vec<FindingView>,
}

/// One migration row.
#[derive(Debug, Clone, Serialize)]
pub struct MigrationRow {
    /// "0013".
    pub version: String,
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
}

/// One column row of a table with differences.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnRow {
    /// Column name.
    pub name: String,
    /// What the code or migrations expect.
    pub expected: Option<String>,
    /// Live type (and NOT NULL).
    pub live: Option<String>,
    /// ok / missing / unexpected / type / nullability.
    pub status: String,
    /// Symbol.
    pub icon: String,
    /// Text.
    pub status_text: String,
}

/// A table with at least one finding.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    /// "public.users".
    pub name: String,
    /// Anchor.
    pub anchor: String,
    /// Table / view...
    pub kind: String,
    /// True when the table exists live.
    pub live: bool,
    /// Columns.
    pub columns: Vec<ColumnRow>,
    /// Its findings.
    pub findings: Vec<FindingView>,
}

/// Expected vs live schema.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaView {
    /// schema / expected_schema / code statuses.
    pub sections: Vec<SectionRef>,
    /// True when the live schema was collected.
    pub collected: bool,
    /// Number of live relations.
    pub live_tables: usize,
    /// Coverage numbers, when an expectation exists.
    pub coverage: Option<Coverage>,
    /// The coverage chart.
    pub chart_svg: Option<String>,
    /// Tables the evidence says should exist but do not.
    pub missing_tables: Vec<MissingTable>,
    /// Live tables nobody expects.
    pub unexpected_tables: Vec<String>,
    /// Tables with findings, in detail.
    pub problem_tables: Vec<TableView>,
    /// Live tables without findings (names only).
    pub ok_tables: Vec<String>,
    /// How many live tables have no finding.
    pub ok_count: usize,
    /// True when `ok_tables` was cut at [`OK_TABLE_NAMES_LIMIT`].
    pub ok_truncated: bool,
}

/// Present / missing / unexpected.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Expected tables present.
    pub present: usize,
    /// Expected tables missing.
    pub missing: usize,
    /// Live tables not expected.
    pub unexpected: usize,
    /// Expected in total.
    pub expected: usize,
}

/// A missing table and who expects it.
#[derive(Debug, Clone, Serialize)]
pub struct MissingTable {
    /// Table name.
    pub name: String,
    /// "gaps.md ACTION-004", "code: src/habits.rs:12"...
    pub expected_by: String,
}

/// A snapshot with the name of the file it came from.
#[derive(Debug, Clone)]
pub struct NamedSnapshot {
    /// The file name shown in the report.
    pub file: String,
    /// The snapshot.
    pub snapshot: Snapshot,
}

fn severity_icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✖",
        Severity::Warning => "▲",
        Severity::Info => "ℹ",
    }
}

/// A finding for display.
pub fn finding_view(f: &Finding) -> FindingView {
    let subject = if let Some(v) = f.migration {
        Some(format!("migration {}", status::version_label(v)))
    } else {
        let parts: Vec<&str> = [f.schema.as_deref(), f.table.as_deref(), f.column.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join("."))
    };
    FindingView {
        severity: f.severity.as_str().to_string(),
        icon: severity_icon(f.severity).to_string(),
        kind: f.kind.as_str(),
        action: f.action.clone(),
        message: f.message.clone(),
        next_step: f.next_step.clone(),
        location: f.file.as_ref().map(|file| match f.line {
            Some(l) => format!("{file}:{l}"),
            None => file.clone(),
        }),
        subject,
        expected: f.expected.clone(),
        live: f.live.clone(),
    }
}

fn counts<'a>(findings: impl Iterator<Item = &'a Finding>) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match f.severity {
            Severity::Error => c.error += 1,
            Severity::Warning => c.warning += 1,
            Severity::Info => c.info += 1,
        }
        c.total += 1;
    }
    c
}

/// "1 table", "3 tables".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The verdict in one sentence.
pub fn verdict(s: &Snapshot, findings: &[Finding]) -> String {
    let c = counts(findings.iter());
    let not_collected = s
        .section_statuses()
        .iter()
        .filter(|(_, st)| *st != gaps_core::snapshot::SectionStatus::Collected)
        .count();
    let gaps_note = if not_collected > 0 {
        format!(
            " ({} of {} evidence sections not collected)",
            not_collected,
            s.section_statuses().len()
        )
    } else {
        String::new()
    };
    if c.error > 0 {
        let first = findings
            .iter()
            .find(|f| f.severity == Severity::Error)
            .map(|f| f.message.trim_end_matches('.').to_string())
            .unwrap_or_default();
        format!(
            "Broken: {} and {}; the most serious is: {first}{gaps_note}.",
            plural(c.error, "error"),
            plural(c.warning, "warning")
        )
    } else if c.warning > 0 {
        format!(
            "At risk: no error but {}{gaps_note}.",
            plural(c.warning, "warning")
        )
    } else if not_collected == s.section_statuses().len() {
        "No evidence was collected, so nothing can be concluded yet.".to_string()
    } else {
        format!("No problem found in the collected evidence{gaps_note}.")
    }
}

fn migrations_view(s: &Snapshot, findings: &[Finding]) -> MigrationsView {
    let local = s.local_migrations.data();
    let applied = s.applied_migrations.data();
    let mut rows: BTreeMap<i64, MigrationRow> = BTreeMap::new();
    let mut points: BTreeMap<i64, TimelinePoint> = BTreeMap::new();
    if let Some(l) = local {
        for f in l.files.iter().filter(|f| f.kind != MigrationKind::Down) {
            rows.insert(
                f.version,
                MigrationRow {
                    version: status::version_label(f.version),
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
            let local_file = local.and_then(|l| {
                l.files
                    .iter()
                    .find(|f| f.version == r.version && f.kind != MigrationKind::Down)
            });
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
    }
}

fn column_kind(k: FindingKind) -> Option<(&'static str, &'static str)> {
    match k {
        FindingKind::ColumnMissing => Some(("missing", "✖")),
        FindingKind::ColumnUnexpected => Some(("unexpected", "＋")),
        FindingKind::ColumnTypeMismatch => Some(("type", "≠")),
        FindingKind::ColumnNullabilityMismatch => Some(("nullability", "≠")),
        FindingKind::DefaultMismatch => Some(("default", "≠")),
        _ => None,
    }
}

fn schema_view(s: &Snapshot, findings: &[Finding], exp: &Expectations) -> SchemaView {
    let sections = vec![
        status::section_ref(s, "schema"),
        status::section_ref(s, "expected_schema"),
        status::section_ref(s, "code"),
    ];
    let schema = s.schema.data();
    let table_findings: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.table.is_some() && f.kind != FindingKind::EvidenceUnavailable)
        .collect();
    let live_names: BTreeSet<&str> = schema
        .map(|sc| sc.tables.iter().map(|t| t.name.as_str()).collect())
        .unwrap_or_default();
    let mut by_table: BTreeMap<(String, String), Vec<&Finding>> = BTreeMap::new();
    for f in &table_findings {
        let t = f.table.clone().unwrap_or_default();
        let sc = f.schema.clone().unwrap_or_default();
        by_table.entry((sc, t)).or_default().push(f);
    }
    let mut missing: BTreeMap<String, String> = BTreeMap::new();
    for t in &exp.expected_tables {
        if schema.is_some() && !live_names.contains(t.as_str()) {
            missing.insert(t.clone(), "gaps.md ACTION-004 Expected Tables".into());
        }
    }
    let mut unexpected = Vec::new();
    let mut problem_tables = Vec::new();
    for ((sc, t), fs) in &by_table {
        let live_table = schema.and_then(|scm| {
            scm.tables
                .iter()
                .find(|x| x.name == *t && (sc.is_empty() || x.schema == *sc))
        });
        if fs.iter().any(|f| f.kind == FindingKind::TableMissing) {
            let who = fs
                .iter()
                .find(|f| f.kind == FindingKind::TableMissing)
                .and_then(|f| f.location_text())
                .unwrap_or_else(|| "the code or migrations".into());
            missing
                .entry(t.clone())
                .and_modify(|w| w.push_str(&format!("; {who}")))
                .or_insert(who);
        }
        if fs.iter().any(|f| f.kind == FindingKind::TableUnexpected) {
            unexpected.push(t.clone());
        }
        let mut columns: Vec<ColumnRow> = Vec::new();
        if let Some(lt) = live_table {
            for c in &lt.columns {
                let live = format!(
                    "{}{}",
                    c.data_type,
                    if c.nullable { "" } else { " NOT NULL" }
                );
                // A default mismatch is shown only when nothing worse is wrong with the column.
                let about = |f: &&&Finding| {
                    f.column.as_deref() == Some(c.name.as_str()) && column_kind(f.kind).is_some()
                };
                let problem = fs
                    .iter()
                    .filter(about)
                    .find(|f| f.kind != FindingKind::DefaultMismatch)
                    .or_else(|| fs.iter().find(about));
                columns.push(
                    match problem.and_then(|f| column_kind(f.kind).map(|k| (f, k))) {
                        Some((f, (st, icon))) => ColumnRow {
                            name: c.name.clone(),
                            expected: f.expected.clone(),
                            live: Some(live),
                            status: st.into(),
                            icon: icon.into(),
                            status_text: column_text(st, f),
                        },
                        None => ColumnRow {
                            name: c.name.clone(),
                            expected: None,
                            live: Some(live),
                            status: "ok".into(),
                            icon: "✔".into(),
                            status_text: "matches".into(),
                        },
                    },
                );
            }
        }
        for f in fs.iter().filter(|f| f.kind == FindingKind::ColumnMissing) {
            let name = f.column.clone().unwrap_or_default();
            if columns.iter().any(|c| c.name == name) {
                continue;
            }
            columns.push(ColumnRow {
                name,
                expected: f.expected.clone(),
                live: None,
                status: "missing".into(),
                icon: "✖".into(),
                status_text: column_text("missing", f),
            });
        }
        let label = if sc.is_empty() {
            t.clone()
        } else {
            format!("{sc}.{t}")
        };
        problem_tables.push(TableView {
            anchor: format!("table-{}", crate::markdown::slug(&label)),
            name: label,
            kind: live_table
                .map(|lt| format!("{:?}", lt.kind).to_lowercase())
                .unwrap_or_else(|| "absent".into()),
            live: live_table.is_some(),
            columns,
            findings: fs.iter().map(|f| finding_view(f)).collect(),
        });
    }
    let problem_names: BTreeSet<&str> = by_table.keys().map(|(_, t)| t.as_str()).collect();
    let ok: Vec<String> = schema
        .map(|sc| {
            sc.tables
                .iter()
                .filter(|t| !problem_names.contains(t.name.as_str()))
                .map(|t| {
                    if sc.schemas.len() > 1 {
                        format!("{}.{}", t.schema, t.name)
                    } else {
                        t.name.clone()
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let ok_count = ok.len();
    let ok_truncated = ok_count > OK_TABLE_NAMES_LIMIT;
    let expected_total: BTreeSet<&str> = exp
        .expected_tables
        .iter()
        .map(String::as_str)
        .chain(missing.keys().map(String::as_str))
        .collect();
    let coverage = (schema.is_some() && !expected_total.is_empty()).then(|| Coverage {
        present: expected_total.len() - missing.len(),
        missing: missing.len(),
        unexpected: unexpected.len(),
        expected: expected_total.len(),
    });
    let chart_svg = coverage
        .as_ref()
        .and_then(|c| charts::schema_coverage(c.present, c.missing, c.unexpected).ok());
    SchemaView {
        sections,
        collected: schema.is_some(),
        live_tables: schema.map(|sc| sc.tables.len()).unwrap_or(0),
        coverage,
        chart_svg,
        missing_tables: missing
            .into_iter()
            .map(|(name, expected_by)| MissingTable { name, expected_by })
            .collect(),
        unexpected_tables: unexpected,
        problem_tables,
        ok_tables: ok.into_iter().take(OK_TABLE_NAMES_LIMIT).collect(),
        ok_count,
        ok_truncated,
    }
}

fn column_text(status: &str, f: &Finding) -> String {
    match status {
        "missing" => format!(
            "missing in the live database{}",
            f.expected
                .as_deref()
                .map(|e| format!(" (expected {e})"))
                .unwrap_or_default()
        ),
        "unexpected" => "not expected by the code or migrations".into(),
        "type" => format!(
            "type mismatch: expected {}, live {}",
            f.expected.as_deref().unwrap_or("?"),
            f.live.as_deref().unwrap_or("?")
        ),
        "default" => format!(
            "default mismatch: expected {}, live {}",
            f.expected.as_deref().unwrap_or("?"),
            f.live.as_deref().unwrap_or("?")
        ),
        _ => format!(
            "nullability mismatch: expected {}, live {}",
            f.expected.as_deref().unwrap_or("?"),
            f.live.as_deref().unwrap_or("?")
        ),
    }
}

trait LocationText {
    fn location_text(&self) -> Option<String>;
}

impl LocationText for Finding {
    fn location_text(&self) -> Option<String> {
        self.file.as_ref().map(|file| match self.line {
            Some(l) => format!("{file}:{l}"),
            None => file.clone(),
        })
    }
}

fn snapshot_view(
    index: usize,
    named: &NamedSnapshot,
    findings: &[Finding],
    action_list: &[(String, String)],
    exp: &Expectations,
) -> SnapshotView {
    let s = &named.snapshot;
    let anchor = format!("snap-{index}");
    let mut by_action: Vec<ActionCount> = action_list
        .iter()
        .map(|(id, title)| ActionCount {
            id: id.clone(),
            title: title.clone(),
            anchor: crate::markdown::slug(id),
            counts: counts(findings.iter().filter(|f| &f.action == id)),
        })
        .collect();
    for f in findings {
        if !by_action.iter().any(|a| a.id == f.action) {
            by_action.push(ActionCount {
                id: f.action.clone(),
                title: actions::title(&f.action).unwrap_or("").to_string(),
                anchor: crate::markdown::slug(&f.action),
                counts: counts(findings.iter().filter(|g| g.action == f.action)),
            });
        }
    }
    let mut database = Vec::new();
    if let Some(d) = s.database.data() {
        database.push((
            "backend".to_string(),
            format!("{:?}", d.backend).to_lowercase(),
        ));
        database.push(("server version".to_string(), d.server_version.clone()));
        for (k, v) in [
            ("database", &d.database),
            ("current user", &d.current_user),
            ("search_path", &d.search_path),
        ] {
            if let Some(v) = v {
                database.push((k.to_string(), v.clone()));
            }
        }
    }
    let sections = s
        .section_statuses()
        .iter()
        .map(|(name, _)| status::section_ref(s, name))
        .collect();
    SnapshotView {
        index,
        anchor,
        file: named.file.clone(),
        label: s.target.label.clone().unwrap_or_else(|| named.file.clone()),
        collected_at: s.collected_at.clone(),
        database_url: s.target.database_url.clone(),
        backend: s.target.backend.map(|b| format!("{b:?}").to_lowercase()),
        tool_version: s.tool.version.clone(),
        verdict: verdict(s, findings),
        counts: counts(findings.iter()),
        by_action,
        sections,
        database,
        migrations: migrations_view(s, findings),
        schema: schema_view(s, findings, exp),
        code: code::code_view(s, findings),
        logs: logs::logs_view(s, findings),
        health: health::health_view(s, findings),
        provider: provider::provider_view(s, findings),
        findings: findings.iter().map(finding_view).collect(),
    }
}

fn action_view(
    a: &Action,
    source: String,
    snapshots: &[(NamedSnapshot, Vec<Finding>)],
    exp: &Expectations,
) -> ActionView {
    let statuses = snapshots
        .iter()
        .enumerate()
        .map(|(i, (named, findings))| {
            let st = status::action_status(&a.id, &named.snapshot, findings, exp);
            ActionStatusView {
                snapshot: named
                    .snapshot
                    .target
                    .label
                    .clone()
                    .unwrap_or_else(|| named.file.clone()),
                snapshot_anchor: format!("snap-{}", i + 1),
                state: st.state,
                state_label: st.state.label().to_string(),
                summary: st.summary,
                sections: st.sections,
                findings: findings
                    .iter()
                    .filter(|f| f.action == a.id)
                    .map(finding_view)
                    .collect(),
            }
        })
        .collect();
    ActionView {
        id: a.id.clone(),
        anchor: crate::markdown::slug(&a.id),
        title: a.title.clone(),
        source,
        priority: a.priority.as_ref().map(|p| PriorityView {
            level: p.level.as_str().to_string(),
            label: p.label.clone(),
        }),
        blocks: a.blocks.clone(),
        owner: a.owner.clone(),
        description: a.description.clone(),
        steps: a.steps.clone(),
        evidence_required: a.evidence_required.clone(),
        resolves: a
            .resolves
            .iter()
            .map(|u| Link {
                href: format!("#{}", unknown_anchor(u)),
                text: u.clone(),
            })
            .collect(),
        resolves_text: a.resolves_text.clone(),
        expected_tables: a.expected_tables.clone(),
        critical_tables: a.critical_tables.clone(),
        expected_response: a.expected_response.clone(),
        completed: a.completed,
        extra: a
            .extra
            .iter()
            .map(|x| (x.key.clone(), x.values.clone()))
            .collect(),
        statuses,
    }
}

/// The registry side of a report: its parsed form and rendered HTML.
#[derive(Debug, Clone)]
pub struct RegistryDoc {
    /// The file name shown.
    pub file: String,
    /// Text after mojibake repair.
    pub text: String,
    /// True when repaired.
    pub repaired: bool,
    /// Parsed form.
    pub registry: Registry,
}

/// Expectations the registry adds.
pub fn expectations(registry: Option<&Registry>) -> Expectations {
    let mut e = Expectations::default();
    if let Some(r) = registry {
        if let Some(a) = r.action(actions::TABLES) {
            e.expected_tables = a.expected_tables.clone();
        }
        if let Some(a) = r.action(actions::COLUMNS) {
            e.critical_tables = a.critical_tables.clone();
        }
    }
    e
}

/// Builds the page's view model.
pub fn report_view(
    snapshots: &[(NamedSnapshot, Vec<Finding>)],
    registry: Option<&RegistryDoc>,
) -> ReportView {
    let exp = expectations(registry.map(|r| &r.registry));
    let builtin: Vec<Action> = actions::ALL
        .iter()
        .map(|(id, title)| Action {
            id: id.to_string(),
            title: title.to_string(),
            ..Action::default()
        })
        .collect();
    let (list, from_registry): (Vec<&Action>, bool) = match registry {
        Some(r) if !r.registry.actions.is_empty() => (r.registry.actions.iter().collect(), true),
        _ => (builtin.iter().collect(), false),
    };
    let action_list: Vec<(String, String)> = list
        .iter()
        .map(|a| (a.id.clone(), a.title.clone()))
        .collect();
    let actions_v: Vec<ActionView> = list
        .iter()
        .map(|a| {
            let source = match registry {
                Some(r) if from_registry => format!("{} line {}", r.file, a.line),
                _ => "built-in (no gaps.md given)".to_string(),
            };
            action_view(a, source, snapshots, &exp)
        })
        .collect();
    let mut unknowns = Vec::new();
    if let Some(r) = registry {
        let lines: Vec<&str> = r.text.lines().collect();
        for u in &r.registry.unknowns {
            let resolved_by = r
                .registry
                .actions
                .iter()
                .filter(|a| a.resolves.contains(u))
                .map(|a| Link {
                    href: format!("#{}", crate::markdown::slug(&a.id)),
                    text: format!("{}: {}", a.id, a.title),
                })
                .collect();
            let mentioned_by = r
                .registry
                .actions
                .iter()
                .filter(|a| {
                    !a.resolves.contains(u)
                        && lines[a.span.0..a.span.1.min(lines.len())]
                            .iter()
                            .any(|l| l.contains(u.as_str()))
                })
                .map(|a| Link {
                    href: format!("#{}", crate::markdown::slug(&a.id)),
                    text: format!("{}: {}", a.id, a.title),
                })
                .collect();
            unknowns.push(UnknownView {
                id: u.clone(),
                anchor: unknown_anchor(u),
                resolved_by,
                mentioned_by,
            });
        }
    }
    let snaps: Vec<SnapshotView> = snapshots
        .iter()
        .enumerate()
        .map(|(i, (n, f))| snapshot_view(i + 1, n, f, &action_list, &exp))
        .collect();
    let title = match snaps.as_slice() {
        [one] => format!("gaps report: {}", one.label),
        many => format!(
            "gaps report: {}",
            many.iter()
                .map(|s| s.label.as_str())
                .collect::<Vec<_>>()
                .join(" vs ")
        ),
    };
    ReportView {
        title,
        tool: format!("gaps {}", env!("CARGO_PKG_VERSION")),
        multi: snaps.len() > 1,
        snapshots: snaps,
        actions: actions_v,
        registry: registry.map(|r| RegistryView {
            file: r.file.clone(),
            html: crate::markdown::render(&r.text),
            warnings: r.registry.warnings.clone(),
            repaired: r.repaired,
        }),
        unknowns,
    }
}
