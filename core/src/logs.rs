//! Database-related log evidence: classified lines grouped by signature, with the identifiers
//! (table, column, SQLSTATE) kept.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Classified log evidence from every `--logs` input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LogsEvidence {}
