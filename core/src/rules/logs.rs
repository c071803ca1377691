//! Finding rules for the logs evidence.

use crate::finding::Finding;
use crate::snapshot::Snapshot;

/// Findings derived from the logs evidence.
pub(super) fn check(_snapshot: &Snapshot) -> Vec<Finding> {
    Vec::new()
}
