//! What the service's code expects: FromRow models, SQL statements found in the source, the
//! schema replayed from the migrations, and the live database's verdict on each statement.
//!
//! Filled in by the code-expectations work (models, queries, expected schema) and the
//! query-validation work (query checks).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Models and SQL statements found in the service's Rust source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CodeEvidence {}

/// The schema the migrations (and gaps.md) say should exist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectedSchema {}
