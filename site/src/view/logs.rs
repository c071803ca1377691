//! The logs section's view (ACTION-001, ACTION-007): one row per log signature (class,
//! signature, count, first and last seen, a redacted example line and the file it came from),
//! parse statistics per input file, the migration lifecycle lines, and the errors-over-time
//! chart.

use gaps_core::actions;
use gaps_core::finding::Finding;
use gaps_core::logs::{LogCategory, LogInput, LogKind, LogSignature, LogsEvidence, MigrationEvent};
use gaps_core::redact::redact_text;
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use super::findings::{FindingView, finding_view, plural};
use crate::charts::{self, LogSeries};
use crate::status::{self, SectionRef, version_label};

/// Signatures drawn in the chart (the most frequent error signatures).
pub const CHART_SERIES: usize = 6;

/// The logs section.
#[derive(Debug, Clone, Serialize)]
pub struct LogsView {
    /// The `logs` section's status.
    pub sections: Vec<SectionRef>,
    /// True when the logs were read.
    pub collected: bool,
    /// One sentence: lines, signatures, files, time span.
    pub summary: Option<String>,
    /// One row per signature, most frequent first.
    pub signatures: Vec<SignatureRow>,
    /// Classified lines not grouped because the signature cap was hit.
    pub ungrouped_lines: u64,
    /// Their share of all classified lines, in whole percent.
    pub ungrouped_percent: u64,
    /// Parse statistics per input.
    pub inputs: Vec<InputRow>,
    /// Migration lifecycle lines (ACTION-007), in input order.
    pub migration_events: Vec<EventRow>,
    /// Errors over time per signature.
    pub chart_svg: Option<String>,
    /// ACTION-001 and ACTION-007 findings.
    pub findings: Vec<FindingView>,
}

/// One log signature.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureRow {
    /// What the lines report, e.g. "undefined table".
    pub class: String,
    /// The family: database, decode, pool, pooler, connection, migration, service.
    pub category: String,
    /// A symbol for the family (the family is also written out).
    pub icon: String,
    /// What identifies the group: table, column, types, object, migration.
    pub signature: String,
    /// The stable signature key as stored in the snapshot.
    pub key: String,
    /// "sig-3": the row's id (after the snapshot's anchor), unique in the table.
    pub anchor: String,
    /// The key as stored, unredacted (an identifier), to match causes against.
    #[serde(skip)]
    pub raw_key: String,
    /// SQLSTATE, when known.
    pub sqlstate: Option<String>,
    /// The code as its engine names it: "SQLSTATE 42P01", "SQLite error 1 (SQLITE_ERROR)".
    pub code_label: Option<String>,
    /// Lines in the group.
    pub count: u64,
    /// Earliest timestamp.
    pub first_seen: Option<String>,
    /// Latest timestamp.
    pub last_seen: Option<String>,
    /// The first sample line, redacted.
    pub example: Option<String>,
    /// `file:line` of the example.
    pub example_at: Option<String>,
    /// Every input the lines came from.
    pub files: Vec<String>,
    /// "instances 148e272a (3); regions iad (3); paths /habits (2)".
    pub spread: Option<String>,
}

/// Parse statistics of one input.
#[derive(Debug, Clone, Serialize)]
pub struct InputRow {
    /// The path as given (`-` for standard input).
    pub name: String,
    /// "fly (detected)", "json (forced), gzip".
    pub format: String,
    /// Bytes read, for people.
    pub size: String,
    /// Lines read.
    pub lines: u64,
    /// Lines the prefilter picked.
    pub candidate_lines: u64,
    /// Lines grouped into a signature.
    pub classified_lines: u64,
    /// Irregular lines: invalid UTF-8, long, truncated, unparsed (only the non-zero ones).
    pub irregular: Vec<String>,
    /// Earliest and latest timestamps, "A to B".
    pub span: Option<String>,
    /// Why reading stopped early.
    pub error: Option<String>,
}

/// One migration lifecycle line.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    /// When.
    pub at: Option<String>,
    /// The Fly instance.
    pub instance: Option<String>,
    /// "checking migrations", "migration failed"...
    pub event: String,
    /// `ok`, `failed` or `info`: drives the icon and class.
    pub status: String,
    /// A symbol for the status.
    pub icon: String,
    /// The migration version, or the number applied.
    pub detail: Option<String>,
    /// The message, redacted.
    pub message: String,
    /// `file:line`.
    pub location: String,
}

fn category_name(c: LogCategory) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn category_icon(c: LogCategory) -> &'static str {
    match c {
        LogCategory::Database | LogCategory::Decode => "✖",
        LogCategory::Pool | LogCategory::Pooler | LogCategory::Connection => "▲",
        LogCategory::Migration => "⚙",
        LogCategory::Service => "ℹ",
    }
}

/// What identifies a signature, in words.
fn signature_text(s: &LogSignature) -> String {
    let mut parts = Vec::new();
    match (&s.table, &s.column) {
        (Some(t), Some(c)) => parts.push(format!("column {t}.{c}")),
        (Some(t), None) => parts.push(format!("table {t}")),
        (None, Some(c)) => parts.push(format!("column {c}")),
        (None, None) => {}
    }
    match (&s.rust_type, &s.sql_type) {
        (Some(r), Some(q)) => parts.push(format!("Rust {r} vs SQL {q}")),
        (Some(r), None) => parts.push(format!("Rust {r}")),
        (None, Some(q)) => parts.push(format!("SQL {q}")),
        (None, None) => {}
    }
    if let Some(o) = &s.object {
        parts.push(o.clone());
    }
    if let Some(m) = s.migration {
        parts.push(format!("migration {}", version_label(m)));
    }
    if parts.is_empty() {
        s.kind.title().to_string()
    } else {
        parts.join("; ")
    }
}

fn counts_text(what: &str, list: &[gaps_core::logs::NamedCount]) -> Option<String> {
    if list.is_empty() {
        return None;
    }
    let shown: Vec<String> = list
        .iter()
        .take(5)
        .map(|n| format!("{} ({})", n.name, n.count))
        .collect();
    let more = list.len().saturating_sub(5);
    Some(format!(
        "{what} {}{}",
        shown.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    ))
}

fn signature_row(s: &LogSignature) -> SignatureRow {
    let example = s.samples.first();
    let spread: Vec<String> = [
        counts_text("instances", &s.instances),
        counts_text("regions", &s.regions),
        counts_text("paths", &s.paths),
    ]
    .into_iter()
    .flatten()
    .collect();
    SignatureRow {
        class: s.kind.title().to_string(),
        category: category_name(s.category),
        icon: category_icon(s.category).to_string(),
        signature: redact_text(&signature_text(s)),
        key: redact_text(&s.key),
        anchor: String::new(),
        raw_key: s.key.clone(),
        sqlstate: s.sqlstate.clone(),
        code_label: s.sqlstate.as_deref().map(gaps_core::errcode::label),
        count: s.count,
        first_seen: s.first_seen.as_deref().map(time_text),
        last_seen: s.last_seen.as_deref().map(time_text),
        // Samples are redacted when collected; redacting again here also covers snapshots
        // written by another tool or an older gaps.
        example: example.map(|e| redact_text(&e.text)),
        example_at: example.map(|e| format!("{}:{}", e.input, e.line)),
        files: s.inputs.clone(),
        spread: (!spread.is_empty()).then(|| spread.join("; ")),
    }
}

/// An RFC 3339 UTC time for people: `2026-01-09T12:01:12Z` becomes `2026-01-09 12:01:12 UTC`
/// (which also lets a narrow table cell break between date and time). Other text is kept.
pub fn time_text(t: &str) -> String {
    match t.strip_suffix('Z') {
        Some(rest) if rest.len() >= 19 && rest.as_bytes()[10] == b'T' => {
            format!("{} {} UTC", &rest[..10], &rest[11..])
        }
        _ => t.to_string(),
    }
}

fn cut(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// Bytes for people: "1.4 KB", "1.08 GB".
pub fn size_text(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} KB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

fn input_row(i: &LogInput) -> InputRow {
    let format = serde_json::to_value(i.format)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut format = format!(
        "{format} ({})",
        if i.format_forced {
            "forced"
        } else {
            "detected"
        }
    );
    if i.compressed {
        format.push_str(", gzip");
    }
    let irregular = [
        (i.invalid_utf8_lines, "with invalid UTF-8"),
        (i.long_lines, "longer than 64 KB"),
        (i.truncated_lines, "cut at 1 MB"),
        (i.unparsed_lines, "not in the detected layout"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{} {what}", plural(n as usize, "line")))
    .collect();
    InputRow {
        name: i.name.clone(),
        format,
        size: size_text(i.bytes),
        lines: i.lines,
        candidate_lines: i.candidate_lines,
        classified_lines: i.classified_lines,
        irregular,
        span: match (&i.first_seen, &i.last_seen) {
            (Some(a), Some(b)) if a != b => Some(format!("{} to {}", time_text(a), time_text(b))),
            (Some(a), _) | (None, Some(a)) => Some(time_text(a)),
            (None, None) => None,
        },
        error: i.error.as_deref().map(redact_text),
    }
}

fn event_row(e: &MigrationEvent) -> EventRow {
    let (status, icon) = match e.kind {
        LogKind::MigrationFailed => ("failed", "✖"),
        LogKind::MigrationsApplied | LogKind::SchemaUpToDate => ("ok", "✔"),
        _ => ("info", "ℹ"),
    };
    let detail = match (e.migration, e.applied) {
        (Some(m), _) => Some(format!("migration {}", version_label(m))),
        (None, Some(n)) => Some(plural(n as usize, "migration") + " applied"),
        (None, None) => None,
    };
    EventRow {
        at: e.at.as_deref().map(time_text),
        instance: e.instance.clone(),
        event: e.kind.title().to_string(),
        status: status.into(),
        icon: icon.into(),
        detail,
        message: redact_text(&e.message),
        location: format!("{}:{}", e.input, e.line),
    }
}

fn is_error(kind: LogKind) -> bool {
    !matches!(
        kind,
        LogKind::MigrationCheck | LogKind::MigrationsApplied | LogKind::SchemaUpToDate
    )
}

fn chart(l: &LogsEvidence) -> Option<String> {
    let series: Vec<LogSeries> = l
        .signatures
        .iter()
        .filter(|s| is_error(s.kind) && !s.series.is_empty())
        .take(CHART_SERIES)
        .map(|s| LogSeries {
            label: format!("{} ({})", cut(&signature_text(s), 48), s.count),
            points: s.series.iter().map(|p| (p.epoch, p.count)).collect(),
        })
        .collect();
    if series.is_empty() {
        return None;
    }
    charts::log_errors(&series).ok()
}

fn summary(l: &LogsEvidence) -> String {
    let lines: u64 = l.inputs.iter().map(|i| i.lines).sum();
    let classified: u64 = l.signatures.iter().map(|s| s.count).sum();
    let first = l
        .inputs
        .iter()
        .filter_map(|i| i.first_seen.as_deref())
        .min();
    let last = l.inputs.iter().filter_map(|i| i.last_seen.as_deref()).max();
    let span = match (first, last) {
        (Some(a), Some(b)) => format!(", from {} to {}", time_text(a), time_text(b)),
        _ => String::new(),
    };
    format!(
        "{classified} of {} read from {} are database-related, grouped into {}{span}.",
        plural(lines as usize, "line"),
        plural(l.inputs.len(), "file"),
        plural(l.signatures.len(), "signature"),
    )
}

/// Ungrouped lines as a whole percentage of the classified lines (at least 1 when any).
fn ungrouped_percent(l: &gaps_core::logs::LogsEvidence) -> u64 {
    let classified: u64 = l.inputs.iter().map(|i| i.classified_lines).sum();
    match l.ungrouped_lines {
        0 => 0,
        n => (n * 100 / classified.max(n)).max(1),
    }
}

/// The logs view of a snapshot.
pub fn logs_view(s: &Snapshot, findings: &[Finding]) -> LogsView {
    let data = s.logs.data();
    LogsView {
        sections: vec![status::section_ref(s, "logs")],
        collected: data.is_some(),
        summary: data.map(summary),
        signatures: data
            .map(|l| {
                l.signatures
                    .iter()
                    .enumerate()
                    .map(|(i, sig)| SignatureRow {
                        anchor: format!("sig-{}", i + 1),
                        ..signature_row(sig)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ungrouped_lines: data.map(|l| l.ungrouped_lines).unwrap_or(0),
        ungrouped_percent: data.map(ungrouped_percent).unwrap_or(0),
        inputs: data
            .map(|l| l.inputs.iter().map(input_row).collect())
            .unwrap_or_default(),
        migration_events: data
            .map(|l| l.migration_events.iter().map(event_row).collect())
            .unwrap_or_default(),
        chart_svg: data.and_then(chart),
        findings: findings
            .iter()
            .filter(|f| f.action == actions::LOGS || f.action == actions::STARTUP_LOGS)
            .map(finding_view)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ungrouped_lines_are_shown_with_their_share_of_the_classified_lines() {
        let mut l = gaps_core::logs::scan::analyse_text(
            "fly.log",
            None,
            crate::sample::SAMPLE_LOG.as_bytes(),
        );
        assert_eq!(ungrouped_percent(&l), 0);
        l.inputs[0].classified_lines = 1000;
        l.ungrouped_lines = 530;
        assert_eq!(ungrouped_percent(&l), 53);
        l.ungrouped_lines = 1;
        assert_eq!(ungrouped_percent(&l), 1, "never shown as 0%");
    }

    #[test]
    fn utc_times_read_as_date_and_time() {
        assert_eq!(time_text("2026-01-09T12:01:12Z"), "2026-01-09 12:01:12 UTC");
        assert_eq!(
            time_text("2026-01-09T12:01:12.5Z"),
            "2026-01-09 12:01:12.5 UTC"
        );
        assert_eq!(time_text("yesterday"), "yesterday");
    }

    #[test]
    fn signatures_name_their_subject_and_examples_are_redacted_again() {
        let mut l = gaps_core::logs::scan::analyse_text(
            "fly.log",
            None,
            crate::sample::SAMPLE_LOG.as_bytes(),
        );
        // As if written by a tool that did not redact its samples.
        for sig in &mut l.signatures {
            for sample in &mut sig.samples {
                sample.text.push_str(" password=hunter2");
            }
        }
        let rows: Vec<SignatureRow> = l.signatures.iter().map(signature_row).collect();
        let table = rows.iter().find(|r| r.class == "undefined table").unwrap();
        assert_eq!(table.signature, "table habit_completions");
        assert_eq!(table.count, 2);
        assert_eq!(table.example_at.as_deref(), Some("fly.log:3"));
        let types = rows
            .iter()
            .find(|r| r.class == "sqlx: mismatched types")
            .unwrap();
        assert_eq!(types.signature, "column streak; Rust i32 vs SQL TEXT");
        assert!(
            rows.iter()
                .all(|r| !r.example.as_deref().unwrap_or("").contains("hunter2"))
        );
    }
}
