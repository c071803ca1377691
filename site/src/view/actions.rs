//! The actions section: each gaps.md action (or gaps' built-in list) with its attributes and
//! its status against every snapshot.

use gaps_core::causes::Diagnosis;
use gaps_core::finding::Finding;
use gaps_core::gapsmd::Action;
use serde::Serialize;

use super::findings::{FindingView, finding_view};
use super::input::NamedSnapshot;
use crate::markdown::unknown_anchor;
use crate::status::{self, EvidenceState, Expectations, SectionRef};

/// A link.
#[derive(Debug, Clone, Serialize)]
pub struct Link {
    /// Target, always an in-page `#anchor`.
    pub href: String,
    /// Link text.
    pub text: String,
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
    /// The same findings grouped by cause, in fix order.
    pub groups: Vec<FindingGroup>,
}

/// The findings of one cause within an action's status.
#[derive(Debug, Clone, Serialize)]
pub struct FindingGroup {
    /// The group's id.
    pub anchor: String,
    /// The cause's place in the fix order, its title and a link to its card.
    pub cause: Link,
    /// The cause's id.
    pub cause_id: String,
    /// The cause's severity.
    pub severity: String,
    /// Its findings for this action.
    pub findings: Vec<FindingView>,
}

/// `findings` of `action` grouped by their cause in `d`, in fix order; each row gets an id.
fn groups(snap: &str, action: &str, findings: &[Finding], d: &Diagnosis) -> Vec<FindingGroup> {
    d.causes
        .iter()
        .enumerate()
        .filter_map(|(n, c)| {
            let rows: Vec<FindingView> = c
                .findings
                .iter()
                .filter(|&&i| findings[i].action == action)
                .map(|&i| FindingView {
                    anchor: Some(format!("{snap}-finding-{}", i + 1)),
                    ..finding_view(&findings[i])
                })
                .collect();
            (!rows.is_empty()).then(|| FindingGroup {
                anchor: super::anchors::group_anchor(snap, action, &c.id),
                cause: Link {
                    href: format!("#{}", super::anchors::cause_anchor(snap, &c.id)),
                    text: format!("{}. {}", n + 1, c.title),
                },
                cause_id: c.id.clone(),
                severity: c.severity.as_str().to_string(),
                findings: rows,
            })
        })
        .collect()
}

pub(crate) fn action_view(
    a: &Action,
    source: String,
    snapshots: &[(NamedSnapshot, Vec<Finding>)],
    diagnoses: &[Diagnosis],
    exp: &Expectations,
) -> ActionView {
    let statuses = snapshots
        .iter()
        .zip(diagnoses)
        .enumerate()
        .map(|(i, ((named, findings), d))| {
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
                groups: groups(&format!("snap-{}", i + 1), &a.id, findings, d),
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
