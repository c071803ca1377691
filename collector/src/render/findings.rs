//! Findings for `gaps check` and `gaps demo`: grouped by action as text for people, or as JSON
//! for programs.

use gaps_core::escape::terminal as t;
use gaps_core::finding::{Finding, Severity};
use gaps_core::snapshot::Snapshot;

/// `{"findings": [...]}` followed by a newline, with control, bidi and invisible characters
/// spelled as `\uXXXX` ([`gaps_core::escape::json_output`]) so it is safe on a terminal.
pub fn render_json(findings: &[Finding]) -> String {
    super::json::to_text(&serde_json::json!({ "findings": findings }))
}

/// Findings grouped by action, most severe first, one line each with the next step. Every
/// value from the snapshot is escaped ([`gaps_core::escape::terminal`]): a table name or a log
/// line cannot drive the terminal or forge a line.
pub fn render_text(snapshot: &Snapshot, findings: &[Finding]) -> String {
    let mut out = String::new();
    let target = snapshot
        .target
        .label
        .clone()
        .or_else(|| snapshot.target.database_url.clone())
        .unwrap_or_else(|| "(no database)".into());
    out.push_str(&format!(
        "gaps check: {} (collected {})\n",
        t(&target),
        t(&snapshot.collected_at)
    ));
    let skipped = skipped_sections(snapshot);
    if !skipped.is_empty() {
        out.push_str(&format!("not collected: {}\n", skipped.join(", ")));
    }
    if findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    let mut actions: Vec<&str> = findings.iter().map(|f| f.action.as_str()).collect();
    actions.sort();
    actions.dedup();
    // Actions with the most severe findings first.
    actions.sort_by_key(|a| {
        std::cmp::Reverse(
            findings
                .iter()
                .filter(|f| f.action == *a)
                .map(|f| f.severity)
                .max(),
        )
    });
    for action in actions {
        let title = gaps_core::actions::title(action).unwrap_or("");
        out.push_str(&format!("\n{} {title}\n", t(action)));
        for f in findings.iter().filter(|f| f.action == action) {
            out.push_str(&format!("  {:<7} ", f.severity.as_str()));
            if let Some(subject) = subject(f) {
                out.push_str(&format!("[{}] ", t(&subject)));
            }
            out.push_str(&format!("{}: {}", f.kind.as_str(), t(&f.message)));
            if let Some(step) = &f.next_step {
                out.push_str(&format!(" -> next: {}", t(step)));
            }
            out.push('\n');
        }
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "\n{} error(s), {} warning(s), {} info\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    out
}

/// The object a finding is about, in the words a person searches for: `migration 13`,
/// `public.users.email`, `src/db.rs:12`.
fn subject(f: &Finding) -> Option<String> {
    if let Some(v) = f.migration {
        return Some(format!("migration {v}"));
    }
    let object: Vec<&str> = [&f.schema, &f.table, &f.column]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .collect();
    if !object.is_empty() {
        return Some(object.join("."));
    }
    f.file.as_ref().map(|file| match f.line {
        Some(line) => format!("{file}:{line}"),
        None => file.clone(),
    })
}

/// Sections that were not attempted, so a clean result is not mistaken for a full check.
fn skipped_sections(snapshot: &Snapshot) -> Vec<&'static str> {
    snapshot
        .section_statuses()
        .into_iter()
        .filter(|(_, s)| *s == gaps_core::snapshot::SectionStatus::Skipped)
        .map(|(name, _)| name)
        .collect()
}
