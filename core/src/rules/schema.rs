//! Finding rules for the schema evidence.

use crate::finding::Finding;
use crate::snapshot::Snapshot;

/// Findings derived from the schema evidence.
pub(super) fn check(_snapshot: &Snapshot) -> Vec<Finding> {
    Vec::new()
}
