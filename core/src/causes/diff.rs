//! Causes between two snapshots: which appeared, which disappeared, and which changed (by id,
//! the slug of the cause's subject, so the same problem is matched across snapshots).

use serde::{Deserialize, Serialize};

use super::Cause;
use crate::finding::Severity;

/// A cause named in a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseRef {
    /// Its id.
    pub id: String,
    /// Its severity.
    pub severity: Severity,
    /// Its title.
    pub title: String,
    /// How many findings it explains.
    pub findings: usize,
}

impl CauseRef {
    fn of(c: &Cause) -> CauseRef {
        CauseRef {
            id: c.id.clone(),
            severity: c.severity,
            title: c.title.clone(),
            findings: c.findings.len(),
        }
    }
}

/// A cause present in both snapshots that is not the same in both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseChange {
    /// The cause as it is in B.
    pub cause: CauseRef,
    /// What changed, one phrase each: "severity warning -> error", "findings 3 -> 5".
    pub changes: Vec<String>,
}

/// Causes that appeared, disappeared or changed between A and B.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CausesDiff {
    /// In B, not in A.
    pub appeared: Vec<CauseRef>,
    /// In A, not in B.
    pub disappeared: Vec<CauseRef>,
    /// In both, different.
    pub changed: Vec<CauseChange>,
    /// In both, the same.
    pub unchanged: usize,
}

impl CausesDiff {
    /// True when no cause appeared, disappeared or changed.
    pub fn is_empty(&self) -> bool {
        self.appeared.is_empty() && self.disappeared.is_empty() && self.changed.is_empty()
    }
}

/// Compares the causes of A with those of B.
pub fn diff_causes(a: &[Cause], b: &[Cause]) -> CausesDiff {
    let mut d = CausesDiff::default();
    for cb in b {
        match a.iter().find(|ca| ca.id == cb.id) {
            None => d.appeared.push(CauseRef::of(cb)),
            Some(ca) => {
                let mut changes = Vec::new();
                if ca.severity != cb.severity {
                    changes.push(format!(
                        "severity {} -> {}",
                        ca.severity.as_str(),
                        cb.severity.as_str()
                    ));
                }
                if ca.findings.len() != cb.findings.len() {
                    changes.push(format!(
                        "findings {} -> {}",
                        ca.findings.len(),
                        cb.findings.len()
                    ));
                }
                if ca.impact.log_lines != cb.impact.log_lines {
                    changes.push(format!(
                        "log lines {} -> {}",
                        ca.impact.log_lines, cb.impact.log_lines
                    ));
                }
                if ca.impact.call_sites != cb.impact.call_sites {
                    changes.push(format!(
                        "failing call sites {} -> {}",
                        ca.impact.call_sites.len(),
                        cb.impact.call_sites.len()
                    ));
                }
                if ca.title != cb.title {
                    changes.push(format!("was: {}", ca.title));
                }
                if changes.is_empty() {
                    d.unchanged += 1;
                } else {
                    d.changed.push(CauseChange {
                        cause: CauseRef::of(cb),
                        changes,
                    });
                }
            }
        }
    }
    d.disappeared = a
        .iter()
        .filter(|ca| !b.iter().any(|cb| cb.id == ca.id))
        .map(CauseRef::of)
        .collect();
    d
}
