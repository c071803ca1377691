//! The health endpoint's response (ACTION-006).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the health endpoint answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HealthEvidence {}
