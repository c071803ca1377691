//! The health endpoint's response (ACTION-006).

use serde::{Deserialize, Serialize};

/// What the health endpoint answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthEvidence {}
