//! `gaps check`: loads a snapshot, derives findings, prints them as text or JSON, and sets the
//! exit code from `--fail-on`.

use std::path::Path;

use anyhow::Context;
use gaps_core::escape::terminal as t;
use gaps_core::finding::{Finding, Severity};
use gaps_core::snapshot::Snapshot;

use crate::cli::{CheckArgs, EXIT_FINDINGS, EXIT_OK, FailOn, Format};

/// Reads and parses a snapshot file; errors name the file (and line/column when malformed).
pub fn load_snapshot(path: &Path) -> anyhow::Result<Snapshot> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .context("reading the snapshot from standard input")?
    } else {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        String::from_utf8(bytes).map_err(|e| {
            anyhow::anyhow!(
                "{} is not UTF-8 text (invalid byte at offset {})",
                path.display(),
                e.utf8_error().valid_up_to()
            )
        })?
    };
    Snapshot::from_json(&text).with_context(|| format!("loading snapshot {}", path.display()))
}

/// Runs `gaps check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let snapshot = load_snapshot(&args.snapshot)?;
    let findings = gaps_core::rules::analyse(&snapshot);
    let diagnosis = gaps_core::causes::diagnose(&snapshot, &findings);
    let text = match args.format {
        Format::Json => crate::diagnosis::json(&findings, &diagnosis),
        Format::Text => crate::diagnosis::text(
            &snapshot,
            &findings,
            &diagnosis,
            crate::diagnosis::TextOptions {
                color: crate::diagnosis::stdout_color(),
                findings: args.findings || args.verbose,
            },
        ),
    };
    crate::output::write_output(Path::new("-"), &text)?;
    Ok(exit_code(&findings, args.fail_on))
}

/// 1 when any finding reaches `fail_on`, else 0.
pub fn exit_code(findings: &[Finding], fail_on: FailOn) -> u8 {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if findings.iter().any(|f| f.severity >= t) => EXIT_FINDINGS,
        _ => EXIT_OK,
    }
}

/// `{"findings": [...]}` followed by a newline, with control, bidi and invisible characters
/// spelled as `\uXXXX` ([`gaps_core::escape::json_output`]) so it is safe on a terminal.
pub fn render_json(findings: &[Finding]) -> String {
    let s = serde_json::to_string_pretty(&serde_json::json!({ "findings": findings }))
        .expect("findings serialise");
    let mut s = gaps_core::escape::json_output(&s).into_owned();
    s.push('\n');
    s
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
