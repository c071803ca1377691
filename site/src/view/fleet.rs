//! The fleet overview at the top of the Diagnosis section when a report holds several
//! snapshots (`gaps report DIR/*.json`): one row per target, the worst first, with its counts,
//! its first causes in fix order linking to their cards, and the sections that were not
//! collected; the target's name links to its own diagnosis.

use serde::Serialize;

use super::actions::Link;
use super::snapshot::SnapshotView;

/// How many causes a row names before "and N more".
const WORST: usize = 3;

/// One target's row.
#[derive(Debug, Clone, Serialize)]
pub struct FleetRow {
    /// The target's label.
    pub label: String,
    /// `#snap-N-diagnosis`: its diagnosis below.
    pub href: String,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Causes.
    pub causes: usize,
    /// Its first causes in fix order, linking to their cards.
    pub worst: Vec<Link>,
    /// Causes not named.
    pub more: usize,
    /// Sections that could not be collected.
    pub not_collected: Vec<String>,
}

/// The rows, worst target first (most errors, then most warnings, then by label); empty for a
/// single snapshot.
pub fn fleet_rows(snaps: &[SnapshotView]) -> Vec<FleetRow> {
    if snaps.len() < 2 {
        return Vec::new();
    }
    let mut rows: Vec<FleetRow> = snaps
        .iter()
        .map(|s| FleetRow {
            label: s.label.clone(),
            href: format!("#{}-diagnosis", s.anchor),
            errors: s.counts.error,
            warnings: s.counts.warning,
            causes: s.diagnosis.causes.len(),
            worst: s
                .diagnosis
                .causes
                .iter()
                .take(WORST)
                .map(|c| Link {
                    href: format!("#{}", c.anchor),
                    text: c.title.clone(),
                })
                .collect(),
            more: s.diagnosis.causes.len().saturating_sub(WORST),
            not_collected: s
                .sections
                .iter()
                .filter(|r| r.status == "failed")
                .map(|r| r.name.replace('_', " "))
                .collect(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.errors
            .cmp(&a.errors)
            .then(b.warnings.cmp(&a.warnings))
            .then(a.label.cmp(&b.label))
    });
    rows
}
