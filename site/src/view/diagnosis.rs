//! The Diagnosis section: one card per cause, in fix order, with its chain, its fix plan, and
//! links to the evidence rendered below it (the migration rows, the tables with differences,
//! the SQL call sites, the log signatures and the findings grouped in the action cards). Only
//! rows the page really renders are linked, so no link lands nowhere.

use std::collections::BTreeMap;

use gaps_core::causes::{Cause, Diagnosis};
use gaps_core::finding::{Finding, Severity};
use serde::Serialize;

use super::actions::Link;
use super::anchors::{cause_anchor, group_anchor};
use super::code::CodeView;
use super::logs::LogsView;
use super::migrations::{MigrationsView, migration_anchor};
use super::schema::SchemaView;
use crate::status;

/// Call sites linked from one card at most; the rest are counted.
const MAX_SITE_LINKS: usize = 12;

/// One step of a fix.
#[derive(Debug, Clone, Serialize)]
pub struct StepView {
    /// What to do.
    pub text: String,
    /// A shell command.
    pub command: Option<String>,
    /// SQL.
    pub sql: Option<String>,
}

/// One cause's card.
#[derive(Debug, Clone, Serialize)]
pub struct CauseView {
    /// 1-based place in the fix order.
    pub number: usize,
    /// Stable id.
    pub id: String,
    /// The card's id: `snap-1-cause-<id>`.
    pub anchor: String,
    /// error / warning / info.
    pub severity: String,
    /// A symbol that carries the severity without colour.
    pub icon: String,
    /// One line.
    pub title: String,
    /// Symptom to root.
    pub chain: Vec<String>,
    /// The fix, in order.
    pub fix: Vec<StepView>,
    /// Where the fix collides with something.
    pub conflicts: Vec<String>,
    /// Causes to fix first.
    pub after: Vec<Link>,
    /// Causes this one holds up.
    pub blocks: Vec<Link>,
    /// What it breaks, one phrase each.
    pub impact: Vec<String>,
    /// Links to the evidence rows below.
    pub evidence: Vec<Link>,
    /// Call sites not linked (over the limit, or not in the rendered table).
    pub evidence_more: usize,
    /// Links to its findings in the action cards, one per action.
    pub findings: Vec<Link>,
    /// Number of findings.
    pub finding_count: usize,
}

/// The Diagnosis of one snapshot.
#[derive(Debug, Clone, Serialize)]
pub struct DiagnosisView {
    /// "5 causes explain 17 errors and 2 warnings."
    pub headline: String,
    /// The cards, in fix order.
    pub causes: Vec<CauseView>,
}

fn icon(s: Severity) -> &'static str {
    match s {
        Severity::Error => "✖",
        Severity::Warning => "▲",
        Severity::Info => "ℹ",
    }
}

/// The rendered evidence rows a card may link to.
pub(crate) struct Rendered<'v> {
    /// The snapshot's anchor, e.g. `snap-1`.
    pub snap: &'v str,
    /// Migration rows.
    pub migrations: &'v MigrationsView,
    /// Tables with differences.
    pub schema: &'v SchemaView,
    /// Call sites.
    pub code: &'v CodeView,
    /// Log signatures.
    pub logs: &'v LogsView,
}

fn impact_phrases(c: &Cause) -> Vec<String> {
    let i = &c.impact;
    let mut out = Vec::new();
    if i.log_lines > 0 {
        let span = match (&i.first_seen, &i.last_seen) {
            (Some(a), Some(b)) if a != b => format!(
                ", {} to {}",
                super::logs::time_text(a),
                super::logs::time_text(b)
            ),
            (Some(a), _) => format!(", at {}", super::logs::time_text(a)),
            _ => String::new(),
        };
        out.push(format!(
            "{} log line{}{span}",
            i.log_lines,
            if i.log_lines == 1 { "" } else { "s" }
        ));
    }
    if !i.call_sites.is_empty() {
        out.push(format!(
            "{} failing call site{}",
            i.call_sites.len(),
            if i.call_sites.len() == 1 { "" } else { "s" }
        ));
    }
    if !i.models.is_empty() {
        out.push(format!("models {}", i.models.join(", ")));
    }
    if !i.endpoints.is_empty() {
        out.push(format!("requests {}", i.endpoints.join(", ")));
    }
    if !i.files.is_empty() {
        out.push(format!("files {}", i.files.join(", ")));
    }
    out
}

/// Links to the evidence rows the page renders for a cause, and how many were left out.
fn evidence(c: &Cause, r: &Rendered) -> (Vec<Link>, usize) {
    let mut out = Vec::new();
    for v in &c.impact.migrations {
        let anchor = migration_anchor(*v);
        if r.migrations.rows.iter().any(|row| row.anchor == anchor) {
            out.push(Link {
                href: format!("#{}-{anchor}", r.snap),
                text: format!("migration {}", status::version_label(*v)),
            });
        }
    }
    for t in &c.impact.tables {
        let found = r
            .schema
            .problem_tables
            .iter()
            .find(|pt| pt.name == *t || pt.name.rsplit('.').next() == Some(t.as_str()));
        if let Some(pt) = found {
            out.push(Link {
                href: format!("#{}-{}", r.snap, pt.anchor),
                text: format!("table {t}"),
            });
        }
    }
    let by_location: BTreeMap<&str, &str> = r
        .code
        .queries
        .iter()
        .map(|q| (q.location.as_str(), q.anchor.as_str()))
        .collect();
    let mut more = 0;
    let mut linked = 0;
    for s in &c.impact.call_sites {
        match by_location.get(s.as_str()) {
            Some(anchor) if linked < MAX_SITE_LINKS => {
                linked += 1;
                out.push(Link {
                    href: format!("#{}-{anchor}", r.snap),
                    text: s.clone(),
                });
            }
            _ => more += 1,
        }
    }
    for k in &c.impact.signatures {
        if let Some(row) = r.logs.signatures.iter().find(|s| s.raw_key == *k) {
            out.push(Link {
                href: format!("#{}-{}", r.snap, row.anchor),
                text: format!("log: {}", row.signature),
            });
        }
    }
    (out, more)
}

/// The Diagnosis view of one snapshot's findings.
pub(crate) fn diagnosis_view(
    findings: &[Finding],
    d: &Diagnosis,
    rendered: &Rendered,
    actions: &[(String, String)],
) -> DiagnosisView {
    let link_to = |id: &str| {
        let n = d.causes.iter().position(|c| c.id == id).map(|i| i + 1);
        let title = d
            .causes
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.title.as_str())
            .unwrap_or(id);
        Link {
            href: format!("#{}", cause_anchor(rendered.snap, id)),
            text: match n {
                Some(n) => format!("{n}. {title}"),
                None => title.to_string(),
            },
        }
    };
    let causes = d
        .causes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (evidence, evidence_more) = evidence(c, rendered);
            let mut by_action: BTreeMap<&str, usize> = BTreeMap::new();
            for &f in &c.findings {
                *by_action.entry(findings[f].action.as_str()).or_default() += 1;
            }
            let findings_links = by_action
                .into_iter()
                .filter(|(a, _)| actions.iter().any(|(id, _)| id == a))
                .map(|(a, n)| Link {
                    href: format!("#{}", group_anchor(rendered.snap, a, &c.id)),
                    text: format!("{a} ({n})"),
                })
                .collect();
            CauseView {
                number: i + 1,
                id: c.id.clone(),
                anchor: cause_anchor(rendered.snap, &c.id),
                severity: c.severity.as_str().to_string(),
                icon: icon(c.severity).to_string(),
                title: c.title.clone(),
                chain: c.chain.clone(),
                fix: c
                    .fix
                    .iter()
                    .map(|s| StepView {
                        text: s.text.clone(),
                        command: s.command.clone(),
                        sql: s.sql.clone(),
                    })
                    .collect(),
                conflicts: c.conflicts.clone(),
                after: c.blocked_by.iter().map(|id| link_to(id)).collect(),
                blocks: c.blocks.iter().map(|id| link_to(id)).collect(),
                impact: impact_phrases(c),
                evidence,
                evidence_more,
                findings: findings_links,
                finding_count: c.findings.len(),
            }
        })
        .collect();
    DiagnosisView {
        headline: d.headline(findings),
        causes,
    }
}
