//! The database provider, pooler and connection facts (ACTION-003).

use serde::{Deserialize, Serialize};

/// Provider and connection evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderEvidence {}
