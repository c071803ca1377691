//! Finding rules for the health evidence.

use crate::finding::Finding;
use crate::snapshot::Snapshot;

/// Findings derived from the health evidence.
pub(super) fn check(_snapshot: &Snapshot) -> Vec<Finding> {
    Vec::new()
}
