//! The whole page: its title, the actions, the rendered registry with its UNKNOWN references,
//! and one part per snapshot.

use gaps_core::actions;
use gaps_core::finding::Finding;
use gaps_core::gapsmd::Action;
use serde::Serialize;

use super::actions::{ActionView, Link, action_view};
use super::input::{NamedSnapshot, RegistryDoc, expectations};
use super::snapshot::{SnapshotView, snapshot_view};
use crate::markdown::unknown_anchor;

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

/// Builds the page's view model.
pub fn report_view(
    snapshots: &[(NamedSnapshot, Vec<Finding>)],
    registry: Option<&RegistryDoc>,
) -> ReportView {
    let exp = expectations(registry.map(|r| &r.registry));
    let diagnoses: Vec<gaps_core::causes::Diagnosis> = snapshots
        .iter()
        .map(|(n, f)| gaps_core::causes::diagnose(&n.snapshot, f))
        .collect();
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
            action_view(a, source, snapshots, &diagnoses, &exp)
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
        .zip(&diagnoses)
        .enumerate()
        .map(|(i, ((n, f), d))| snapshot_view(i + 1, n, f, d, &action_list, &exp))
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
