//! `gaps check --format json`: the findings, each with the id of its cause, and the causes in
//! fix order; for several snapshots (a fleet), one such entry per target in overview order.
//! Both JSON Schemas are committed (`core/check-output.schema.json`,
//! `core/fleet-check-output.schema.json`) and checked against the types and real output.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Cause, Diagnosis};
use crate::finding::Finding;

/// The document `gaps check --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckOutput {
    /// Every finding, most severe first, with its fields and its cause.
    pub findings: Vec<CheckFinding>,
    /// The causes, in the order to fix them; `findings` holds indexes into the list above.
    pub causes: Vec<Cause>,
}

/// A finding with the id of the cause it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckFinding {
    /// The finding's own fields.
    #[serde(flatten)]
    pub finding: Finding,
    /// The `id` of its cause in `causes`.
    pub cause: String,
}

/// The check output of `findings` and their diagnosis.
pub fn check_output(findings: &[Finding], diagnosis: &Diagnosis) -> CheckOutput {
    CheckOutput {
        findings: findings
            .iter()
            .enumerate()
            .map(|(i, f)| CheckFinding {
                finding: f.clone(),
                cause: diagnosis
                    .cause_of(i)
                    .map(|c| c.id.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        causes: diagnosis.causes.clone(),
    }
}

/// The JSON Schema of [`CheckOutput`].
pub fn check_output_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(CheckOutput)).expect("a schema serialises")
}

/// The document `gaps check --format json` prints for several snapshots (a fleet): the
/// overview is the order of `targets` (most errors first, then most warnings, then by name)
/// with each target's counts, and each target carries its own findings and causes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleetCheckOutput {
    /// Every target, worst first.
    pub targets: Vec<FleetTarget>,
}

/// One target of a fleet check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FleetTarget {
    /// Its name: the snapshot's label, else its file name (with the path added when two
    /// snapshots share a name).
    pub name: String,
    /// The snapshot file it was read from, as given on the command line.
    pub snapshot: String,
    /// How many error findings.
    pub errors: usize,
    /// How many warning findings.
    pub warnings: usize,
    /// Whether the snapshot is partial (a section failed, or the schema was not fully read).
    pub partial: bool,
    /// Sections that failed to collect, by name.
    pub not_collected: Vec<String>,
    /// Its findings and causes, as for one snapshot.
    #[serde(flatten)]
    pub check: CheckOutput,
}

/// The JSON Schema of [`FleetCheckOutput`].
pub fn fleet_check_output_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(FleetCheckOutput)).expect("a schema serialises")
}
