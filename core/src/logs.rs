//! Database-related log evidence: classified lines grouped by signature, with the identifiers
//! (table, column, SQLSTATE) kept.

use serde::{Deserialize, Serialize};

/// Classified log evidence from every `--logs` input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogsEvidence {}
