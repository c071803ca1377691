//! The finding rules: pure functions from a snapshot to findings. `gaps check`, the report and
//! the wasm viewer all call [`analyse`].

mod evidence;
mod hazards;
mod health;
mod logs;
mod migrations;
mod provider;
mod queries;
mod schema;
mod service;
mod session;
mod static_sql;
mod types;

use crate::finding::{Finding, sort_findings};
use crate::snapshot::Snapshot;

/// Every finding the snapshot's evidence supports, in reading order (most severe first).
pub fn analyse(snapshot: &Snapshot) -> Vec<Finding> {
    let mut findings = Vec::new();
    findings.extend(evidence::check(snapshot));
    findings.extend(migrations::check(snapshot));
    findings.extend(schema::check(snapshot));
    findings.extend(queries::check(snapshot));
    findings.extend(logs::check(snapshot));
    findings.extend(health::check(snapshot));
    findings.extend(provider::check(snapshot));
    findings.extend(session::check(snapshot));
    findings.extend(service::check(snapshot));
    findings.extend(hazards::check(snapshot));
    hazards::annotate(&mut findings, snapshot);
    crate::paths::relativize(&mut findings, &crate::paths::SourcePaths::of(snapshot));
    sort_findings(&mut findings);
    findings
}
