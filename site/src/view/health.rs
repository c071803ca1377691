//! The health section's view (ACTION-006): the endpoint (redacted URL), the HTTP status and the
//! body's own status, `schema_version` against the newest local and applied migrations, the
//! response time, the recorded headers and the body's fields.

use gaps_core::actions;
use gaps_core::finding::Finding;
use gaps_core::health::{HealthBody, HealthEvidence, SchemaVersionField, is_healthy_status};
use gaps_core::redact::{REDACTED, is_secret_key, redact_text, redact_url};
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use super::findings::{FindingView, finding_view};
use crate::status::{self, SectionRef, version_label};

/// Body fields shown at most (the rest are counted).
pub const MAX_FIELDS: usize = 200;
/// A field's value is cut at this many characters.
pub const MAX_VALUE: usize = 300;
/// A text body is shown up to this many characters.
pub const MAX_TEXT: usize = 4000;

/// The health section.
#[derive(Debug, Clone, Serialize)]
pub struct HealthView {
    /// The `health` section's status.
    pub sections: Vec<SectionRef>,
    /// True when the endpoint was requested.
    pub collected: bool,
    /// The verdict in one sentence.
    pub summary: Option<String>,
    /// Labelled facts: endpoint, final URL, reachability, HTTP status, body status, response
    /// time, timeout.
    pub facts: Vec<Fact>,
    /// schema_version against the migrations.
    pub schema_version: Option<SchemaVersionView>,
    /// Recorded response headers.
    pub headers: Vec<(String, String)>,
    /// The JSON body's fields (nested keys joined with `.`).
    pub body_fields: Vec<(String, String)>,
    /// Fields left out beyond [`MAX_FIELDS`].
    pub body_fields_more: usize,
    /// A non-JSON body, cut at [`MAX_TEXT`].
    pub body_text: Option<String>,
    /// "110 bytes of JSON", "2.0 KB of text (cut at 64 KB)".
    pub body_note: Option<String>,
    /// ACTION-006 findings.
    pub findings: Vec<FindingView>,
}

/// A labelled value with a status that is also written out (never colour alone).
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    /// The label.
    pub label: String,
    /// The value.
    pub value: String,
    /// `ok`, `failed`, `warning` or empty: drives the icon and class.
    pub status: String,
    /// A symbol for the status, or empty.
    pub icon: String,
}

impl Fact {
    fn plain(label: &str, value: impl Into<String>) -> Fact {
        Fact {
            label: label.into(),
            value: value.into(),
            status: String::new(),
            icon: String::new(),
        }
    }

    fn with(label: &str, value: impl Into<String>, ok: bool) -> Fact {
        Fact {
            label: label.into(),
            value: value.into(),
            status: if ok { "ok" } else { "failed" }.into(),
            icon: if ok { "✔" } else { "✖" }.into(),
        }
    }
}

/// `schema_version` as reported, next to the migrations.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaVersionView {
    /// What the body says: "4", "null", "absent", "not JSON", or the odd value.
    pub reported: String,
    /// The newest local migration, e.g. "0006", when the local migrations were read.
    pub latest_local: Option<String>,
    /// The newest successfully applied migration.
    pub latest_applied: Option<String>,
    /// `ok`, `failed`, `warning` or `unknown`.
    pub status: String,
    /// A symbol for the status.
    pub icon: String,
    /// The comparison in words.
    pub verdict: String,
}

fn schema_version_view(h: &HealthEvidence, s: &Snapshot) -> Option<SchemaVersionView> {
    if !h.reachable {
        return None;
    }
    let local = s.local_migrations.data().and_then(|l| l.latest_version());
    let applied = s.applied_migrations.data().and_then(|a| a.latest_version());
    let (reported, status, verdict) = match h.schema_version() {
        SchemaVersionField::Version(v) => {
            let behind_local = local.is_some_and(|l| v < l);
            let other = local.is_some_and(|l| l != v) || applied.is_some_and(|a| a != v);
            let verdict = match (local, applied) {
                (None, None) => {
                    "nothing to compare with: neither the local nor the applied migrations were collected".to_string()
                }
                _ if !other => format!(
                    "matches the newest migration ({})",
                    version_label(local.or(applied).unwrap_or(v))
                ),
                (Some(l), _) if behind_local => format!(
                    "behind: the service runs schema {v}, the repository's newest migration is {} ({} not reflected)",
                    version_label(l),
                    super::findings::plural((l - v).max(0) as usize, "version")
                ),
                (_, Some(a)) if a != v => format!(
                    "differs from the database inspected, whose newest applied migration is {}: the service may read another database",
                    version_label(a)
                ),
                _ => format!(
                    "ahead of the local migrations ({}): the service runs a newer schema than this repository has",
                    local.map(version_label).unwrap_or_default()
                ),
            };
            let status = if local.is_none() && applied.is_none() {
                "unknown"
            } else if other {
                "failed"
            } else {
                "ok"
            };
            (v.to_string(), status, verdict)
        }
        SchemaVersionField::Null => (
            "null".to_string(),
            "warning",
            "the service found no applied migration (it reads _sqlx_migrations and gets no row)"
                .to_string(),
        ),
        SchemaVersionField::Absent => (
            "absent".to_string(),
            "warning",
            "the response has no schema_version field, so the running schema cannot be compared"
                .to_string(),
        ),
        SchemaVersionField::NotJson => (
            "not JSON".to_string(),
            "warning",
            "the body is not a JSON object, so it carries no schema_version".to_string(),
        ),
        SchemaVersionField::Other(o) => (
            redact_text(&o),
            "warning",
            "schema_version is not a number".to_string(),
        ),
    };
    let icon = match status {
        "ok" => "✔",
        "failed" => "✖",
        "warning" => "▲",
        _ => "?",
    };
    Some(SchemaVersionView {
        reported,
        latest_local: local.map(version_label),
        latest_applied: applied.map(version_label),
        status: status.into(),
        icon: icon.into(),
        verdict,
    })
}

fn cut(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>, more: &mut usize) {
    use serde_json::Value;
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, x) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                if is_secret_key(k) {
                    push(out, more, key, REDACTED.to_string());
                } else {
                    flatten(&key, x, out, more);
                }
            }
        }
        Value::String(s) => push(
            out,
            more,
            prefix.to_string(),
            cut(&redact_text(s), MAX_VALUE),
        ),
        other => push(
            out,
            more,
            prefix.to_string(),
            cut(&redact_text(&other.to_string()), MAX_VALUE),
        ),
    }
}

fn push(out: &mut Vec<(String, String)>, more: &mut usize, key: String, value: String) {
    if out.len() < MAX_FIELDS {
        out.push((if key.is_empty() { "(body)".into() } else { key }, value));
    } else {
        *more += 1;
    }
}

fn summary(h: &HealthEvidence, sv: Option<&SchemaVersionView>) -> String {
    if !h.reachable {
        let why = h
            .error
            .as_ref()
            .map(|e| redact_text(&e.message))
            .unwrap_or_else(|| "no response".into());
        return format!("Unreachable: {why}.");
    }
    let http = h
        .status
        .map(|c| format!("HTTP {c}"))
        .unwrap_or_else(|| "an answer".into());
    let body = match h.status_field() {
        Some(st) => format!(" with status \"{}\"", redact_text(&st)),
        None => String::new(),
    };
    let version = match sv {
        Some(v) => format!(
            "; schema_version {}{}",
            v.reported,
            v.latest_local
                .as_deref()
                .map(|l| format!(", newest local migration {l}"))
                .unwrap_or_default()
        ),
        None => String::new(),
    };
    format!("Answered {http}{body}{version}.")
}

/// The health view of a snapshot.
pub fn health_view(s: &Snapshot, findings: &[Finding]) -> HealthView {
    let h = s.health.data();
    let mut facts = Vec::new();
    let mut headers = Vec::new();
    let mut body_fields = Vec::new();
    let mut body_fields_more = 0;
    let mut body_text = None;
    let mut body_note = None;
    let sv = h.and_then(|h| schema_version_view(h, s));
    if let Some(h) = h {
        facts.push(Fact::plain("Endpoint", redact_url(&h.url)));
        if let Some(f) = &h.final_url {
            facts.push(Fact::plain("Answered from", redact_url(f)));
        }
        match &h.error {
            Some(e) => facts.push(Fact::with(
                "Reachable",
                format!(
                    "no: {} ({})",
                    redact_text(&e.message),
                    serde_json::to_value(e.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                ),
                false,
            )),
            None => facts.push(Fact::with(
                "Reachable",
                if h.reachable { "yes" } else { "no" },
                h.reachable,
            )),
        }
        if let Some(c) = h.status {
            facts.push(Fact::with(
                "HTTP status",
                c.to_string(),
                (200..300).contains(&c),
            ));
        }
        if let Some(st) = h.status_field() {
            facts.push(Fact::with(
                "Body status",
                redact_text(&st),
                is_healthy_status(&st),
            ));
        }
        if let Some(ms) = h.latency_ms {
            facts.push(Fact::plain("Response time", format!("{ms} ms")));
        }
        facts.push(Fact::plain("Timeout", format!("{} ms", h.timeout_ms)));
        headers = h
            .headers
            .iter()
            .map(|(k, v)| {
                let v = if is_secret_key(k) {
                    REDACTED.to_string()
                } else {
                    cut(&redact_text(v), MAX_VALUE)
                };
                (k.clone(), v)
            })
            .collect();
        match &h.body {
            Some(HealthBody::Json { value, bytes }) => {
                flatten("", value, &mut body_fields, &mut body_fields_more);
                body_note = Some(format!("{} of JSON", super::logs::size_text(*bytes)));
            }
            Some(HealthBody::Text {
                text,
                bytes,
                truncated,
            }) => {
                body_text = Some(cut(&redact_text(text), MAX_TEXT));
                body_note = Some(format!(
                    "{} of text{}",
                    super::logs::size_text(*bytes),
                    if *truncated { " (cut at 64 KB)" } else { "" }
                ));
            }
            None => body_note = Some("no body".into()),
        }
    }
    HealthView {
        sections: vec![status::section_ref(s, "health")],
        collected: h.is_some(),
        summary: h.map(|h| summary(h, sv.as_ref())),
        facts,
        schema_version: sv,
        headers,
        body_fields,
        body_fields_more,
        body_text,
        body_note,
        findings: findings
            .iter()
            .filter(|f| f.action == actions::HEALTH)
            .map(finding_view)
            .collect(),
    }
}

#[cfg(test)]
mod tests;
