//! `gaps check --format github`: GitHub Actions workflow commands and a Markdown step summary.
//!
//! - One `::error` / `::warning` / `::notice` command per finding that has a file inside the
//!   repository (`file=` from the repository root, [`RepoPaths`], `line=` when known), titled
//!   with its kind and cause; a cause none of whose findings has such a file gets one command
//!   without a file, so nothing is silent in the run's annotations.
//! - Values are escaped as GitHub's own toolkit does (`@actions/core` `escapeData` and
//!   `escapeProperty`): `%` `\r` `\n` in the message, and also `:` `,` in a property, so a
//!   message cannot end the command or start another one; then control, bidi and invisible
//!   characters are spelled out ([`gaps_core::escape::terminal`]).
//! - [`summary`]: the diagnosis as Markdown for `$GITHUB_STEP_SUMMARY`: the headline, the
//!   causes in fix order, then each cause's chain, fix plan (commands and SQL in code blocks)
//!   and impact, and its findings folded away. Every value from the snapshot is escaped for
//!   Markdown, so a table name cannot inject a link, an image or HTML.

use gaps_core::causes::{Cause, Diagnosis};
use gaps_core::escape::{terminal, terminal_lines};
use gaps_core::finding::{Finding, Severity};
use gaps_core::snapshot::Snapshot;

use crate::repo_paths::RepoPaths;

/// A workflow command's message as `@actions/core` escapes it: `%`, `\r`, `\n`.
pub fn escape_data(s: &str) -> String {
    let s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    terminal(&s).into_owned()
}

/// A workflow command's property value as `@actions/core` escapes it: as [`escape_data`], and
/// `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn cause_label(d: &Diagnosis, i: usize) -> Option<(usize, &Cause)> {
    let c = *d.of_finding.get(i)?;
    d.causes.get(c).map(|cause| (c + 1, cause))
}

/// The workflow commands for `findings` (see the module docs), one per line; in a fleet,
/// `target` names the service in every title.
pub fn annotations(
    findings: &[Finding],
    d: &Diagnosis,
    paths: &RepoPaths,
    target: Option<&str>,
) -> String {
    let prefix = target.map(|t| format!("[{t}] ")).unwrap_or_default();
    let mut out = String::new();
    let mut shown = vec![false; d.causes.len()];
    for (i, f) in findings.iter().enumerate() {
        let Some((file, line)) = paths.of_finding(f) else {
            continue;
        };
        let cause = cause_label(d, i);
        let mut props = vec![format!("file={}", escape_property(file))];
        if let Some(l) = line {
            props.push(format!("line={l}"));
        }
        let title = match cause {
            Some((n, c)) => format!("{prefix}{} (cause {n}: {})", f.kind.name(), c.title),
            None => format!("{prefix}{}", f.kind.name()),
        };
        props.push(format!("title={}", escape_property(&title)));
        let mut message = f.message.clone();
        if let Some(step) = &f.next_step {
            message.push_str(&format!("\nNext: {step}"));
        }
        if let Some((n, c)) = cause {
            message.push_str(&format!("\nCause {n} [{}]: {}", c.id, c.title));
            shown[n - 1] = true;
        }
        out.push_str(&format!(
            "::{} {}::{}\n",
            command(f.severity),
            props.join(","),
            escape_data(&message)
        ));
    }
    for (n, c) in d.causes.iter().enumerate().filter(|(n, _)| !shown[*n]) {
        let title = format!("{prefix}gaps cause {}: {}", n + 1, c.title);
        let mut message = c.chain.join("\n-> ");
        if let Some(step) = c.fix.first() {
            message.push_str(&format!("\nFix: {}", step.text));
        }
        out.push_str(&format!(
            "::{} title={}::{}\n",
            command(c.severity),
            escape_property(&title),
            escape_data(&message)
        ));
    }
    out
}

/// `s` for Markdown text: on one line, every ASCII punctuation character that Markdown or
/// HTML could read backslash-escaped, unsafe characters spelled out.
pub fn md(s: &str) -> String {
    let s = terminal(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `code` in a fenced block longer than any backtick run inside it.
fn fenced(out: &mut String, indent: &str, lang: &str, code: &str) {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    out.push_str(&format!("{indent}{fence}{lang}\n"));
    for line in terminal_lines(code).lines() {
        out.push_str(&format!("{indent}{line}\n"));
    }
    out.push_str(&format!("{indent}{fence}\n"));
}

fn impact(c: &Cause) -> Vec<String> {
    let i = &c.impact;
    let mut parts = Vec::new();
    if i.log_lines > 0 {
        let window = match (&i.first_seen, &i.last_seen) {
            (Some(a), Some(b)) => format!(" ({} to {})", md(a), md(b)),
            _ => String::new(),
        };
        parts.push(format!("{} log lines{window}", i.log_lines));
    }
    if !i.call_sites.is_empty() {
        let sites: Vec<String> = i.call_sites.iter().map(|s| md(s)).collect();
        parts.push(format!("call sites {}", sites.join(", ")));
    }
    if !i.models.is_empty() {
        let models: Vec<String> = i.models.iter().map(|s| md(s)).collect();
        parts.push(format!("models {}", models.join(", ")));
    }
    if !i.endpoints.is_empty() {
        let e: Vec<String> = i.endpoints.iter().map(|s| md(s)).collect();
        parts.push(format!("requests {}", e.join(", ")));
    }
    parts
}

fn cause_section(out: &mut String, n: usize, c: &Cause, findings: &[Finding], d: &Diagnosis) {
    out.push_str(&format!(
        "\n### {n}. {} ({})\n\n",
        md(&c.title),
        c.severity.as_str()
    ));
    out.push_str(&format!("Cause id: {}\n\n", md(&c.id)));
    if !c.chain.is_empty() {
        out.push_str("**Why**\n\n");
        for (i, line) in c.chain.iter().enumerate() {
            let arrow = if i == 0 { "" } else { "→ " };
            out.push_str(&format!("- {arrow}{}\n", md(line)));
        }
        out.push('\n');
    }
    if !c.fix.is_empty() {
        out.push_str("**Fix**\n\n");
        for (i, step) in c.fix.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", i + 1, md(&step.text)));
            if let Some(cmd) = &step.command {
                fenced(out, "   ", "sh", cmd);
            }
            if let Some(sql) = &step.sql {
                fenced(out, "   ", "sql", sql);
            }
        }
        out.push('\n');
    }
    let order = |ids: &[String]| -> String {
        ids.iter()
            .map(|id| match d.causes.iter().position(|x| &x.id == id) {
                Some(p) => format!("{} ({})", p + 1, md(id)),
                None => md(id),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !c.blocked_by.is_empty() {
        out.push_str(&format!("After: fix {} first.\n\n", order(&c.blocked_by)));
    }
    if !c.blocks.is_empty() {
        out.push_str(&format!(
            "Blocks: sqlx refuses {} until this is fixed.\n\n",
            order(&c.blocks)
        ));
    }
    for note in &c.conflicts {
        out.push_str(&format!("Note: {}\n\n", md(note)));
    }
    let parts = impact(c);
    if !parts.is_empty() {
        out.push_str(&format!("**Impact**: {}\n\n", parts.join("; ")));
    }
    out.push_str(&format!(
        "<details><summary>{} finding{}</summary>\n\n",
        c.findings.len(),
        if c.findings.len() == 1 { "" } else { "s" }
    ));
    for &i in &c.findings {
        let f = &findings[i];
        let place = match (&f.file, f.line) {
            (Some(file), Some(l)) => format!(" ({}:{l})", md(file)),
            (Some(file), None) => format!(" ({})", md(file)),
            _ => String::new(),
        };
        out.push_str(&format!(
            "- {} {}: {}{place}\n",
            f.severity.as_str(),
            md(f.kind.name()),
            md(&f.message)
        ));
    }
    out.push_str("\n</details>\n");
}

/// The step summary in Markdown (see the module docs).
pub fn summary(snapshot: &Snapshot, findings: &[Finding], d: &Diagnosis) -> String {
    let target = snapshot
        .target
        .label
        .clone()
        .or_else(|| snapshot.target.database_url.clone())
        .unwrap_or_else(|| "(no database)".into());
    let mut out = format!(
        "## gaps check: {}\n\nCollected {}.\n\n",
        md(&target),
        md(&snapshot.collected_at)
    );
    if findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str(&format!("{}\n\n", md(&d.headline(findings))));
    out.push_str("| # | Severity | Cause | Findings |\n| ---: | --- | --- | ---: |\n");
    for (i, c) in d.causes.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            i + 1,
            c.severity.as_str(),
            md(&c.title),
            c.findings.len()
        ));
    }
    for (i, c) in d.causes.iter().enumerate() {
        cause_section(&mut out, i + 1, c, findings, d);
    }
    out
}

#[cfg(test)]
mod tests;
