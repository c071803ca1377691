//! The database provider, pooler and connection facts (ACTION-003).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Provider and connection evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProviderEvidence {}
