//! `gaps check` over several snapshots (a fleet, `gaps check DIR/*.json`): an overview first,
//! one row per target with its counts and its worst causes, worst target first, then each
//! target's own diagnosis under a heading with its name. As text for the terminal, as
//! Markdown for a CI step summary and as JSON for programs. Every value from a snapshot is
//! escaped.

use gaps_core::causes::{Diagnosis, FleetCheckOutput, FleetTarget, check_output};
use gaps_core::escape::terminal as t;
use gaps_core::finding::{Finding, Severity};
use gaps_core::snapshot::Snapshot;

use super::github::md;

/// One target of the fleet, checked.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// Its name (the snapshot's label, else its file name).
    pub name: &'a str,
    /// The snapshot file it was read from, as given.
    pub file: &'a str,
    /// Its snapshot.
    pub snapshot: &'a Snapshot,
    /// Its findings.
    pub findings: &'a [Finding],
    /// Their causes.
    pub diagnosis: &'a Diagnosis,
}

impl Item<'_> {
    fn count(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == s).count()
    }

    /// Sections that failed, by name.
    fn failed(&self) -> Vec<&'static str> {
        self.snapshot
            .section_statuses()
            .into_iter()
            .filter(|(_, s)| *s == gaps_core::snapshot::SectionStatus::Failed)
            .map(|(n, _)| n)
            .collect()
    }

    /// The first `n` causes in fix order, and how many more there are.
    fn worst(&self, n: usize) -> (Vec<&str>, usize) {
        let c = &self.diagnosis.causes;
        (
            c.iter().take(n).map(|c| c.title.as_str()).collect(),
            c.len().saturating_sub(n),
        )
    }
}

/// The targets in overview order: most errors first, then most warnings, then by name.
pub fn ordered<'a>(items: &[Item<'a>]) -> Vec<Item<'a>> {
    let mut v = items.to_vec();
    v.sort_by(|a, b| {
        b.count(Severity::Error)
            .cmp(&a.count(Severity::Error))
            .then(b.count(Severity::Warning).cmp(&a.count(Severity::Warning)))
            .then(a.name.cmp(b.name))
    });
    v
}

/// The overview as text: a headline and one row per target.
pub fn text_overview(items: &[Item<'_>]) -> String {
    let ordered = ordered(items);
    let with_errors = ordered
        .iter()
        .filter(|i| i.count(Severity::Error) > 0)
        .count();
    let partial = ordered.iter().filter(|i| i.snapshot.is_partial()).count();
    let mut out = format!(
        "Fleet: {} target(s), {with_errors} with errors, {partial} partial\n\n",
        ordered.len()
    );
    let width = ordered
        .iter()
        .map(|i| t(i.name).chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    out.push_str(&format!(
        "  {:<width$}  errors  warnings  causes  worst causes\n",
        "target"
    ));
    for i in &ordered {
        let (worst, more) = i.worst(2);
        let mut causes: Vec<String> = worst
            .iter()
            .enumerate()
            .map(|(n, title)| format!("{}. {}", n + 1, t(title)))
            .collect();
        if more > 0 {
            causes.push(format!("(+{more} more)"));
        }
        let failed = i.failed();
        if !failed.is_empty() {
            causes.push(format!("[not collected: {}]", failed.join(", ")));
        }
        if causes.is_empty() {
            causes.push("clean".into());
        }
        out.push_str(&format!(
            "  {:<width$}  {:>6}  {:>8}  {:>6}  {}\n",
            t(i.name),
            i.count(Severity::Error),
            i.count(Severity::Warning),
            i.diagnosis.causes.len(),
            causes.join("; ")
        ));
    }
    out
}

/// The overview as JSON (`gaps check --format json` over several snapshots,
/// [`FleetCheckOutput`]): targets worst first, each with its counts, findings and causes.
pub fn json(items: &[Item<'_>]) -> String {
    let output = FleetCheckOutput {
        targets: ordered(items)
            .iter()
            .map(|i| FleetTarget {
                name: i.name.to_string(),
                snapshot: i.file.to_string(),
                errors: i.count(Severity::Error),
                warnings: i.count(Severity::Warning),
                partial: i.snapshot.is_partial(),
                not_collected: i.failed().into_iter().map(String::from).collect(),
                check: check_output(i.findings, i.diagnosis),
            })
            .collect(),
    };
    super::json::to_text(&serde_json::to_value(output).expect("the fleet output serialises"))
}

/// The heading above one target's section in the text output.
pub fn text_heading(item: &Item<'_>) -> String {
    format!("\n== {} ==\n", t(item.name))
}

/// The overview as Markdown, each target linking to its section of the step summary.
pub fn markdown_overview(items: &[Item<'_>]) -> String {
    let ordered = ordered(items);
    let mut out = format!(
        "# gaps fleet: {} target(s)\n\n| Target | Errors | Warnings | Causes | Worst causes |\n| --- | ---: | ---: | ---: | --- |\n",
        ordered.len()
    );
    for i in &ordered {
        let (worst, more) = i.worst(2);
        let mut causes: Vec<String> = worst.iter().map(|w| md(w)).collect();
        if more > 0 {
            causes.push(format!("\\+{more} more"));
        }
        let failed = i.failed();
        if !failed.is_empty() {
            causes.push(format!("not collected: {}", failed.join(", ")));
        }
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} |\n",
            md(i.name),
            anchor(&heading_text(i)),
            i.count(Severity::Error),
            i.count(Severity::Warning),
            i.diagnosis.causes.len(),
            if causes.is_empty() {
                "clean".to_string()
            } else {
                causes.join("; ")
            }
        ));
    }
    out.push('\n');
    out
}

/// The text of the `##` heading [`super::github::summary`] writes for a target.
fn heading_text(i: &Item<'_>) -> String {
    let target = i
        .snapshot
        .target
        .label
        .clone()
        .or_else(|| i.snapshot.target.database_url.clone())
        .unwrap_or_else(|| "(no database)".into());
    format!("gaps check: {target}")
}

/// The anchor GitHub gives a heading: lowercase, punctuation other than `-` and `_` dropped,
/// spaces as `-`.
pub fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaps_core::testing::{Service, rejected};

    fn item_parts(label: &str, broken: bool) -> (Snapshot, Vec<Finding>, Diagnosis) {
        let mut svc = Service::new()
            .migration(1, "CREATE TABLE users (id BIGINT PRIMARY KEY);")
            .applied(&[1]);
        if broken {
            svc = svc.query(
                "src/a.rs",
                3,
                "SELECT id FROM todos",
                rejected(
                    "42P01",
                    "relation \"todos\" does not exist",
                    Some("todos"),
                    None,
                ),
            );
        }
        let mut s = svc.snapshot();
        s.target.label = Some(label.into());
        let f = gaps_core::rules::analyse(&s);
        let d = gaps_core::causes::diagnose(&s, &f);
        (s, f, d)
    }

    fn item<'a>(
        name: &'a str,
        file: &'a str,
        p: &'a (Snapshot, Vec<Finding>, Diagnosis),
    ) -> Item<'a> {
        Item {
            name,
            file,
            snapshot: &p.0,
            findings: &p.1,
            diagnosis: &p.2,
        }
    }

    #[test]
    fn the_overview_puts_the_worst_target_first_with_its_worst_causes() {
        let (a, z) = (
            item_parts("alpha", false),
            item_parts("zeta \u{1b}[31m", true),
        );
        let items = [
            item("alpha", "alpha.json", &a),
            item("zeta \u{1b}[31m", "zeta.json", &z),
        ];
        let d2 = &z.2;
        let text = text_overview(&items);
        let rows: Vec<&str> = text.lines().skip(3).collect();
        assert!(
            rows[0].trim_start().starts_with("zeta \\u{1b}[31m"),
            "{text}"
        );
        assert!(
            rows[0].contains(&format!("1. {}", d2.causes[0].title)),
            "{text}"
        );
        assert!(rows[1].trim_start().starts_with("alpha") && rows[1].ends_with("clean"));
        assert!(!text.contains('\u{1b}'));
        assert!(text.starts_with("Fleet: 2 target(s), 1 with errors, 0 partial"));
        let md_text = markdown_overview(&items);
        assert!(
            md_text.contains("| [alpha](#gaps-check-alpha) | 0 | 0 | 0 | clean |"),
            "{md_text}"
        );
    }

    #[test]
    fn the_json_overview_lists_targets_worst_first_with_their_causes() {
        let (a, z) = (
            item_parts("alpha", false),
            item_parts("zeta \u{1b}[31m", true),
        );
        let items = [
            item("alpha", "alpha.json", &a),
            item("zeta \u{1b}[31m", "zeta.json", &z),
        ];
        let (f2, d2) = (&z.1, &z.2);
        let text = json(&items);
        assert!(!text.contains('\u{1b}'), "{text}");
        let out: FleetCheckOutput = serde_json::from_str(&text).unwrap();
        let names: Vec<&str> = out.targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["zeta \u{1b}[31m", "alpha"]);
        assert_eq!(out.targets[0].snapshot, "zeta.json");
        assert_eq!(
            out.targets[0].errors,
            f2.iter().filter(|f| f.severity == Severity::Error).count()
        );
        assert!(out.targets[0].errors > 0);
        assert_eq!(out.targets[0].check.causes, d2.causes);
        assert_eq!(out.targets[1].errors, 0);
        assert!(out.targets[1].check.causes.is_empty());
    }

    #[test]
    fn anchors_follow_githubs_heading_ids() {
        assert_eq!(
            anchor("gaps check: demo (habits-api)"),
            "gaps-check-demo-habits-api"
        );
    }
}
