//! Postgres table lock modes and their conflict table (the documentation's "Conflicting Lock
//! Modes"): which held lock makes a migration's statement wait, and what that statement then
//! blocks while it waits in the queue.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A table lock mode, weakest first. MySQL/MariaDB statements are mapped onto the same scale
/// (a metadata-lock upgrade that blocks reads and writes is `AccessExclusive`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LockMode {
    /// ACCESS SHARE: SELECT.
    AccessShare,
    /// ROW SHARE: SELECT FOR UPDATE/SHARE.
    RowShare,
    /// ROW EXCLUSIVE: INSERT, UPDATE, DELETE.
    RowExclusive,
    /// SHARE UPDATE EXCLUSIVE: VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT.
    ShareUpdateExclusive,
    /// SHARE: CREATE INDEX.
    Share,
    /// SHARE ROW EXCLUSIVE: CREATE TRIGGER, ADD FOREIGN KEY.
    ShareRowExclusive,
    /// EXCLUSIVE: REFRESH MATERIALIZED VIEW CONCURRENTLY.
    Exclusive,
    /// ACCESS EXCLUSIVE: most ALTER TABLE forms, DROP, TRUNCATE.
    AccessExclusive,
}

impl LockMode {
    /// Every mode, weakest first.
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    /// "ACCESS EXCLUSIVE", as the documentation spells it.
    pub fn label(self) -> &'static str {
        match self {
            LockMode::AccessShare => "ACCESS SHARE",
            LockMode::RowShare => "ROW SHARE",
            LockMode::RowExclusive => "ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
            LockMode::Share => "SHARE",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::Exclusive => "EXCLUSIVE",
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
        }
    }

    /// The mode of a `pg_locks.mode` value (`AccessShareLock`...); None for other lock kinds.
    pub fn from_pg_locks(mode: &str) -> Option<LockMode> {
        // A lock on one of the table's indexes is reported as "<mode> on index <name>".
        let mode = mode.split(" on index ").next().unwrap_or(mode);
        Some(match mode {
            "AccessShareLock" => LockMode::AccessShare,
            "RowShareLock" => LockMode::RowShare,
            "RowExclusiveLock" => LockMode::RowExclusive,
            "ShareUpdateExclusiveLock" => LockMode::ShareUpdateExclusive,
            "ShareLock" => LockMode::Share,
            "ShareRowExclusiveLock" => LockMode::ShareRowExclusive,
            "ExclusiveLock" => LockMode::Exclusive,
            "AccessExclusiveLock" => LockMode::AccessExclusive,
            _ => return None,
        })
    }

    /// Whether a session holding `self` makes a request for `other` wait (symmetric).
    pub fn conflicts_with(self, other: LockMode) -> bool {
        use LockMode::*;
        let conflicting: &[LockMode] = match self {
            AccessShare => &[AccessExclusive],
            RowShare => &[Exclusive, AccessExclusive],
            RowExclusive => &[Share, ShareRowExclusive, Exclusive, AccessExclusive],
            ShareUpdateExclusive => &[
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Share => &[
                RowExclusive,
                ShareUpdateExclusive,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            ShareRowExclusive => &[
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Exclusive => &[
                RowShare,
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            AccessExclusive => &Self::ALL,
        };
        conflicting.contains(&other)
    }

    /// What the application can no longer do on the table while a statement holds, or waits
    /// in the queue for, this mode: "reads and writes", "writes"...
    pub fn blocks(self) -> &'static str {
        use LockMode::*;
        let reads = self.conflicts_with(AccessShare);
        let writes = self.conflicts_with(RowExclusive);
        let locking_reads = self.conflicts_with(RowShare);
        match (reads, writes, locking_reads) {
            (true, _, _) => "every query (reads included)",
            (false, true, true) => "writes and SELECT ... FOR UPDATE",
            (false, true, false) => "writes (INSERT, UPDATE, DELETE)",
            _ => "other schema changes, VACUUM and ANALYZE (not reads or writes)",
        }
    }

    /// True when it keeps the application from reading or writing the table.
    pub fn blocks_the_application(self) -> bool {
        self.conflicts_with(LockMode::RowExclusive)
    }
}

impl std::fmt::Display for LockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}
