//! `--write-gaps`: an updated copy of the registry in which every active action whose evidence
//! is complete moves to "Completed Actions", carrying what the registry's own "Action
//! Resolution Process" asks for: the completion date, the evidence (snapshot file and
//! sections) and the findings (which update UNKNOWN.md). Pure: text in, text out.

use gaps_core::finding::Finding;

use crate::status::{self, EvidenceState, Expectations};
use crate::view::{NamedSnapshot, RegistryDoc, expectations};

/// One action to move.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    /// Action id.
    pub action: String,
    /// YYYY-MM-DD the evidence was collected.
    pub date: String,
    /// The snapshot file holding the evidence.
    pub snapshot_file: String,
    /// Its sections that answer the action.
    pub sections: Vec<String>,
    /// The computed status line.
    pub summary: String,
    /// One line per finding: "error migration_failed: ...".
    pub findings: Vec<String>,
    /// UNKNOWN ids the action resolves.
    pub resolves: Vec<String>,
}

/// The actions that the snapshots answer completely (first snapshot that does, per action).
pub fn completions(
    doc: &RegistryDoc,
    snapshots: &[(NamedSnapshot, Vec<Finding>)],
) -> Vec<Completion> {
    let exp: Expectations = expectations(Some(&doc.registry));
    let mut out = Vec::new();
    for a in doc.registry.actions.iter().filter(|a| !a.completed) {
        if out.iter().any(|c: &Completion| c.action == a.id) {
            continue;
        }
        for (named, findings) in snapshots {
            let st = status::action_status(&a.id, &named.snapshot, findings, &exp);
            if st.state != EvidenceState::Complete {
                continue;
            }
            out.push(Completion {
                action: a.id.clone(),
                date: named.snapshot.collected_at.chars().take(10).collect(),
                snapshot_file: named.file.clone(),
                sections: st.sections.iter().map(|s| s.name.to_string()).collect(),
                summary: st.summary,
                findings: findings
                    .iter()
                    .filter(|f| f.action == a.id)
                    .map(|f| format!("{} {}: {}", f.severity.as_str(), f.kind.as_str(), f.message))
                    .collect(),
                resolves: a.resolves.clone(),
            });
            break;
        }
    }
    out
}

fn is_completed_heading(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("## ") && t.to_lowercase().contains("completed")
}

/// The registry text with `done` moved under "Completed Actions" (created before "Action
/// Resolution Process", or at the end, when absent). Other text is kept as it was.
pub fn updated_registry(doc: &RegistryDoc, done: &[Completion]) -> String {
    let lines: Vec<&str> = doc.text.lines().collect();
    let mut moved: Vec<String> = Vec::new();
    let mut skip = vec![false; lines.len()];
    for c in done {
        let Some(a) = doc
            .registry
            .actions
            .iter()
            .find(|a| a.id == c.action && !a.completed)
        else {
            continue;
        };
        let (start, end) = (a.span.0, a.span.1.min(lines.len()));
        let mut body: Vec<&str> = lines[start..end].to_vec();
        while body
            .last()
            .is_some_and(|l| l.trim().is_empty() || l.trim() == "---")
        {
            body.pop();
        }
        for s in skip.iter_mut().take(end).skip(start) {
            *s = true;
        }
        let mut block = body.join("\n");
        block.push_str(&format!(
            "\n\n**Completed:** {}  \n**Evidence:** `{}` (sections: {})  \n**Status:** {}  \n",
            c.date,
            c.snapshot_file,
            c.sections.join(", "),
            c.summary
        ));
        if c.findings.is_empty() {
            block.push_str("**Findings:** none\n");
        } else {
            block.push_str("**Findings** (update UNKNOWN.md");
            if !c.resolves.is_empty() {
                block.push_str(&format!(": {}", c.resolves.join(", ")));
            }
            block.push_str("):\n");
            for f in &c.findings {
                block.push_str(&format!("- {}\n", f.replace('\n', " ")));
            }
        }
        block.push_str("\n---\n");
        moved.push(block);
    }
    if moved.is_empty() {
        return doc.text.clone();
    }
    let kept: Vec<&str> = lines
        .iter()
        .zip(&skip)
        .filter(|(_, s)| !**s)
        .map(|(l, _)| *l)
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(kept.len() + moved.len());
    let completed_at = kept.iter().position(|l| is_completed_heading(l));
    match completed_at {
        Some(h) => {
            // Insert after the heading, dropping a "(None yet)" placeholder.
            let mut i = 0;
            while i < kept.len() {
                out.push(kept[i].to_string());
                if i == h {
                    let mut j = i + 1;
                    while j < kept.len() && kept[j].trim().is_empty() {
                        j += 1;
                    }
                    if j < kept.len() && kept[j].trim().eq_ignore_ascii_case("(none yet)") {
                        i = j;
                    }
                    out.push(String::new());
                    out.extend(moved.iter().map(|b| b.trim_end().to_string() + "\n"));
                }
                i += 1;
            }
        }
        None => {
            let before = kept
                .iter()
                .position(|l| {
                    l.trim().starts_with("## ") && l.to_lowercase().contains("resolution process")
                })
                .unwrap_or(kept.len());
            out.extend(kept[..before].iter().map(|l| l.to_string()));
            out.push("## Completed Actions".into());
            out.push(String::new());
            out.extend(moved.iter().map(|b| b.trim_end().to_string() + "\n"));
            out.extend(kept[before..].iter().map(|l| l.to_string()));
        }
    }
    let mut text = out.join("\n");
    if doc.text.ends_with('\n') && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaps_core::gapsmd as registry;
    use gaps_core::section::Section;
    use gaps_core::snapshot::{Snapshot, Target};

    fn doc() -> RegistryDoc {
        let text =
            crate::mojibake::repair(include_str!("../../tests/fixtures/gaps.md")).into_owned();
        RegistryDoc {
            file: "gaps.md".into(),
            registry: registry::parse(&text).unwrap(),
            text,
            repaired: true,
        }
    }

    fn with_health() -> Vec<(NamedSnapshot, Vec<Finding>)> {
        let mut s = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Target::default());
        s.health = Section::collected(Default::default());
        vec![(
            NamedSnapshot {
                file: "prod.json".into(),
                snapshot: s,
            },
            vec![],
        )]
    }

    #[test]
    fn complete_action_moves_to_completed_with_date_evidence_and_findings() {
        let d = doc();
        let done = completions(&d, &with_health());
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].action, "ACTION-006");
        let text = updated_registry(&d, &done);
        let reparsed = registry::parse(&text).unwrap();
        let a6 = reparsed.action("ACTION-006").unwrap();
        assert!(
            a6.completed,
            "ACTION-006 should sit under Completed Actions"
        );
        assert!(
            reparsed
                .actions
                .iter()
                .filter(|a| a.id != "ACTION-006")
                .all(|a| !a.completed)
        );
        assert_eq!(reparsed.actions.len(), 7);
        assert!(!text.contains("(None yet)"));
        assert!(text.contains("**Completed:** 2026-01-09"));
        assert!(text.contains("**Evidence:** `prod.json` (sections: health)"));
        assert!(text.contains("**Findings:** none"));
        // The expected response code block moved along with its action.
        let completed_at = text.find("## Completed Actions").unwrap();
        assert!(text[completed_at..].contains("\"schema_version\": 14"));
        assert!(text.contains("## Action Resolution Process"));
    }

    #[test]
    fn nothing_complete_leaves_the_text_unchanged() {
        let d = doc();
        let none: Vec<(NamedSnapshot, Vec<Finding>)> = vec![(
            NamedSnapshot {
                file: "s.json".into(),
                snapshot: Snapshot::new("0", "2026-01-09T00:00:00Z".into(), Target::default()),
            },
            vec![],
        )];
        assert!(completions(&d, &none).is_empty());
        assert_eq!(updated_registry(&d, &[]), d.text);
    }

    #[test]
    fn missing_completed_heading_is_created_before_the_process() {
        let text = "# R\n\n## Active Actions\n\n### ACTION-006: Health\n\n| **Owner** | me |\n\n---\n\n## Action Resolution Process\n\n1. x\n".to_string();
        let d = RegistryDoc {
            file: "g.md".into(),
            registry: registry::parse(&text).unwrap(),
            text,
            repaired: false,
        };
        let done = completions(&d, &with_health());
        let out = updated_registry(&d, &done);
        let c = out.find("## Completed Actions").unwrap();
        let p = out.find("## Action Resolution Process").unwrap();
        let a = out.find("### ACTION-006").unwrap();
        assert!(c < a && a < p, "{out}");
    }
}
