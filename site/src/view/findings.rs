//! What every section shows the same way: a finding ready to print, counts by severity, and
//! the "3 tables" wording the summaries use.

use gaps_core::finding::{Finding, Severity};
use serde::Serialize;

use crate::status;

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
    /// The row's id, where the page lists the finding in its cause's group of an action.
    pub anchor: Option<String>,
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
        anchor: None,
    }
}

pub(crate) fn counts<'a>(findings: impl Iterator<Item = &'a Finding>) -> Counts {
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
