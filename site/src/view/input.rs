//! What the views are built from, besides the findings: the snapshots with their file names,
//! and the registry (gaps.md) with the expectations it adds.

use gaps_core::actions;
use gaps_core::gapsmd::Registry;
use gaps_core::snapshot::Snapshot;

use crate::status::Expectations;

/// A snapshot with the name of the file it came from.
#[derive(Debug, Clone)]
pub struct NamedSnapshot {
    /// The file name shown in the report.
    pub file: String,
    /// The snapshot.
    pub snapshot: Snapshot,
}

/// The registry side of a report: its parsed form and rendered HTML.
#[derive(Debug, Clone)]
pub struct RegistryDoc {
    /// The file name shown.
    pub file: String,
    /// Text after mojibake repair.
    pub text: String,
    /// True when repaired.
    pub repaired: bool,
    /// Parsed form.
    pub registry: Registry,
}

/// Expectations the registry adds.
pub fn expectations(registry: Option<&Registry>) -> Expectations {
    let mut e = Expectations::default();
    if let Some(r) = registry {
        if let Some(a) = r.action(actions::TABLES) {
            e.expected_tables = a.expected_tables.clone();
        }
        if let Some(a) = r.action(actions::COLUMNS) {
            e.critical_tables = a.critical_tables.clone();
        }
    }
    e
}
