//! `gaps check --format sarif`: the findings as a SARIF 2.1.0 log for code scanning (GitHub,
//! GitLab, Azure DevOps, IDE viewers), built from the `serde-sarif` types.
//!
//! - One rule per finding kind (all of them, so a rule's index never changes), with the kind's
//!   summary and help text ([`FindingKind::help`]).
//! - One result per finding: its level (error, warning, note), its message and next step, the
//!   cause it belongs to (in `properties.cause` and `partialFingerprints["gapsCause/v1"]`),
//!   and a stable fingerprint of its subject so a code-scanning service follows it between
//!   runs.
//! - Every result carries a location with a path from the repository root ([`RepoPaths`]):
//!   its own file and line when it has one inside the repository; else the first located
//!   finding or failing call site of its cause; else the service's `Cargo.toml`. GitHub
//!   rejects a whole upload when one result has no location, so the place chosen is said in
//!   `properties.anchoredAt`. Only when none of these exists does a result go without one.
//! - The causes in fix order ride in the run's property bag (`properties.gaps.causes`).

use std::collections::BTreeMap;

use gaps_core::causes::{Cause, Diagnosis};
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::snapshot::{FORMAT_VERSION, Snapshot};
use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, RunAutomationDetails,
    Sarif, Tool, ToolComponent,
};
use sha2::{Digest, Sha256};

use crate::repo_paths::RepoPaths;

/// The `$schema` written into the log: the OASIS SARIF 2.1.0 schema.
pub const SCHEMA_URI: &str = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json";

/// Where a result is shown when its finding has no file inside the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The finding's own file and line.
    Own,
    /// Another finding of the same cause.
    Cause,
    /// A failing call site of the cause.
    CallSite,
    /// The service's manifest (`Cargo.toml`).
    Manifest,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Own => "own",
            Anchor::Cause => "cause",
            Anchor::CallSite => "call site",
            Anchor::Manifest => "manifest",
        }
    }
}

/// The place to show finding `i`: a path from the repository root, a line, and how it was
/// chosen (see the module docs).
pub fn place(
    i: usize,
    findings: &[Finding],
    d: &Diagnosis,
    paths: &RepoPaths,
) -> Option<(String, Option<u32>, Anchor)> {
    if let Some((file, line)) = paths.of_finding(&findings[i]) {
        return Some((file.to_string(), line, Anchor::Own));
    }
    let cause = d.cause_of(i);
    if let Some(c) = cause {
        // A member with a line first: it points at the statement or the object.
        let mut members: Vec<(&str, Option<u32>)> = c
            .findings
            .iter()
            .filter_map(|&m| paths.of_finding(&findings[m]))
            .collect();
        members.sort_by_key(|(_, line)| line.is_none());
        if let Some((file, line)) = members.first() {
            return Some((file.to_string(), *line, Anchor::Cause));
        }
        for site in &c.impact.call_sites {
            let (file, line) = split_site(site);
            if let Some(p) = paths.get(file) {
                return Some((p.to_string(), line, Anchor::CallSite));
            }
        }
    }
    paths
        .anchor()
        .map(|a| (a.to_string(), None, Anchor::Manifest))
}

/// `src/db.rs:12` as (`src/db.rs`, 12).
fn split_site(site: &str) -> (&str, Option<u32>) {
    match site.rsplit_once(':') {
        Some((file, line)) => match line.parse() {
            Ok(n) => (file, Some(n)),
            Err(_) => (site, None),
        },
        None => (site, None),
    }
}

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn text(s: &str) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s).build()
}

fn rule(kind: FindingKind) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(kind.name())
        .name(kind.name())
        .short_description(text(kind.summary()))
        .full_description(text(kind.summary()))
        .help(
            MultiformatMessageString::builder()
                .text(kind.help())
                .markdown(kind.help())
                .build(),
        )
        .build()
}

/// A stable identity of what a finding is about (its kind and subject, not its wording or
/// line), so a code-scanning service matches it across runs.
fn fingerprint(f: &Finding) -> String {
    let subject = [
        f.kind.name(),
        f.schema.as_deref().unwrap_or(""),
        f.table.as_deref().unwrap_or(""),
        f.column.as_deref().unwrap_or(""),
        &f.migration.map(|v| v.to_string()).unwrap_or_default(),
        f.file.as_deref().unwrap_or(""),
    ]
    .join("\u{1f}");
    hex::encode(&Sha256::digest(subject.as_bytes())[..16])
}

fn message(f: &Finding, cause: Option<(usize, &Cause)>) -> String {
    let mut m = f.message.clone();
    if let Some(step) = &f.next_step {
        let stop = if step.ends_with(['.', '!', '?']) {
            ""
        } else {
            "."
        };
        m.push_str(&format!(" Next: {step}{stop}"));
    }
    if let Some((n, c)) = cause {
        m.push_str(&format!("\nCause {n}: {} [{}]", c.title, c.id));
    }
    m
}

fn result(i: usize, findings: &[Finding], d: &Diagnosis, paths: &RepoPaths) -> SarifResult {
    let f = &findings[i];
    let cause = d
        .of_finding
        .get(i)
        .and_then(|&c| d.causes.get(c).map(|cause| (c + 1, cause)));
    let mut props = BTreeMap::new();
    props.insert("action".to_string(), json!(f.action));
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("gapsFinding/v1".to_string(), fingerprint(f));
    if let Some((n, c)) = cause {
        props.insert("cause".to_string(), json!(c.id));
        props.insert("causeTitle".to_string(), json!(c.title));
        props.insert("causeRank".to_string(), json!(n));
        fingerprints.insert("gapsCause/v1".to_string(), c.id.clone());
    }
    let mut locations = Vec::new();
    if let Some((file, line, anchor)) = place(i, findings, d, paths) {
        if anchor != Anchor::Own {
            props.insert("anchoredAt".to_string(), json!(anchor.as_str()));
        }
        let artifact = ArtifactLocation::builder()
            .uri(file)
            .uri_base_id("%SRCROOT%")
            .build();
        let physical = match line {
            Some(l) => PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(Region::builder().start_line(i64::from(l.max(1))).build())
                .build(),
            None => PhysicalLocation::builder()
                .artifact_location(artifact)
                .build(),
        };
        locations.push(Location::builder().physical_location(physical).build());
    }
    let kind_index = FindingKind::ALL
        .iter()
        .position(|k| *k == f.kind)
        .expect("every kind is in ALL");
    let bag = PropertyBag::builder()
        .tags(vec![f.action.clone()])
        .additional_properties(props)
        .build();
    let r = SarifResult::builder()
        .rule_id(f.kind.name())
        .rule_index(kind_index as i64)
        .level(level(f.severity))
        .message(Message::builder().text(message(f, cause)).build())
        .partial_fingerprints(fingerprints)
        .properties(bag);
    if locations.is_empty() {
        r.build()
    } else {
        r.locations(locations).build()
    }
}

/// The SARIF log of one snapshot's findings (see the module docs).
pub fn sarif(snapshot: &Snapshot, findings: &[Finding], d: &Diagnosis, paths: &RepoPaths) -> Sarif {
    let name = snapshot.target.label.as_deref();
    log(vec![run(snapshot, findings, d, paths, name)])
}

/// A log of several runs: one per target of a fleet.
pub fn log(runs: Vec<Run>) -> Sarif {
    Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(runs)
        .build()
}

/// One snapshot's run. `name` (the target's) makes the run's category, `gaps/<name>/`: GitHub
/// keeps one analysis per category, so each target of a fleet keeps its own alerts.
pub fn run(
    snapshot: &Snapshot,
    findings: &[Finding],
    d: &Diagnosis,
    paths: &RepoPaths,
    name: Option<&str>,
) -> Run {
    let driver = ToolComponent::builder()
        .name("gaps")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(FindingKind::ALL.into_iter().map(rule).collect::<Vec<_>>())
        .build();
    let causes: Vec<serde_json::Value> = d
        .causes
        .iter()
        .map(|c| serde_json::to_value(c).expect("a cause serialises"))
        .collect();
    let mut run_props = BTreeMap::new();
    run_props.insert(
        "gaps".to_string(),
        json!({
            "snapshotFormatVersion": FORMAT_VERSION,
            "collectedAt": snapshot.collected_at,
            "target": snapshot.target.label,
            "headline": d.headline(findings),
            "causes": causes,
        }),
    );
    let category = match name {
        Some(l) => format!("gaps/{l}/"),
        None => "gaps/".to_string(),
    };
    Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .automation_details(RunAutomationDetails::builder().id(category).build())
        .results(
            (0..findings.len())
                .map(|i| result(i, findings, d, paths))
                .collect::<Vec<_>>(),
        )
        .properties(
            PropertyBag::builder()
                .additional_properties(run_props)
                .build(),
        )
        .build()
}

/// [`sarif`] as pretty JSON, safe to print ([`super::json::to_text`]).
pub fn to_text(log: &Sarif) -> String {
    super::json::to_text(&serde_json::to_value(log).expect("a SARIF log serialises"))
}

#[cfg(test)]
mod tests;
