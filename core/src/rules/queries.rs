//! Finding rules for the queries evidence.

use crate::finding::Finding;
use crate::snapshot::Snapshot;

/// Findings derived from the queries evidence.
pub(super) fn check(_snapshot: &Snapshot) -> Vec<Finding> {
    Vec::new()
}
