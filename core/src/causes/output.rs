//! `gaps check --format json`: the findings, each with the id of its cause, and the causes in
//! fix order. Its JSON Schema is committed (`core/check-output.schema.json`) and checked
//! against the types and against real output in tests.

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
