//! Finding rules for the migrations evidence.

use crate::finding::Finding;
use crate::snapshot::Snapshot;

/// Findings derived from the migrations evidence.
pub(super) fn check(_snapshot: &Snapshot) -> Vec<Finding> {
    Vec::new()
}
