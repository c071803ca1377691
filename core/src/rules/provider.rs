//! Finding rules for the provider evidence.

use crate::finding::Finding;
use crate::snapshot::Snapshot;

/// Findings derived from the provider evidence.
pub(super) fn check(_snapshot: &Snapshot) -> Vec<Finding> {
    Vec::new()
}
