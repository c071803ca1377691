//! One snapshot's part of the page: its identity, the verdict sentence, the counts per action
//! and every evidence section's view.

use gaps_core::actions;
use gaps_core::causes::Diagnosis;
use gaps_core::finding::{Finding, Severity};
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use super::diagnosis::{DiagnosisView, Rendered, diagnosis_view};
use super::findings::{Counts, FindingView, counts, finding_view, plural};
use super::input::NamedSnapshot;
use super::migrations::{MigrationsView, migrations_view};
use super::schema::{SchemaView, schema_view};
use super::{code, health, logs, provider, service};
use crate::status::{self, Expectations, SectionRef};

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
    /// The causes, in fix order, with links to the evidence below.
    pub diagnosis: DiagnosisView,
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
    /// The service's role and session settings (shown in the provider section).
    pub service: service::ServiceView,
    /// All findings.
    pub findings: Vec<FindingView>,
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

pub(crate) fn snapshot_view(
    index: usize,
    named: &NamedSnapshot,
    findings: &[Finding],
    diagnosis: &Diagnosis,
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
    let migrations = migrations_view(s, findings);
    let schema = schema_view(s, findings, exp);
    let code = code::code_view(s, findings);
    let logs = logs::logs_view(s, findings);
    let diagnosis = diagnosis_view(
        findings,
        diagnosis,
        &Rendered {
            snap: &anchor,
            migrations: &migrations,
            schema: &schema,
            code: &code,
            logs: &logs,
        },
        action_list,
    );
    SnapshotView {
        diagnosis,
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
        migrations,
        schema,
        code,
        logs,
        health: health::health_view(s, findings),
        provider: provider::provider_view(s, findings),
        service: service::service_view(s),
        findings: findings.iter().map(finding_view).collect(),
    }
}
