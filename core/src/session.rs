//! What happened to gaps' own database session: the limits it ran under, the relations it
//! found locked by other sessions (with who held the lock, for how long, doing what), and
//! whether it ended early (the collection deadline, a stalled server, a lost connection).
//!
//! This is evidence in its own right: a lock that stops gaps' catalog reads is the same lock
//! that stops the application's queries.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::schema::RelationName;

/// The database session of one collection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SessionReport {
    /// How long one read or describe could wait for a lock, in milliseconds.
    pub lock_timeout_ms: u64,
    /// How long one statement could run on the server, in milliseconds.
    pub statement_timeout_ms: u64,
    /// The whole collection's deadline, in milliseconds from its start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Relations another session held (or queued for) an exclusive lock on, sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locked: Vec<LockedRelation>,
    /// Set when the session was given up before every read was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_early: Option<SessionEnd>,
}

impl SessionReport {
    /// The entry for `relation`, created when missing.
    pub fn locked_entry(&mut self, relation: &RelationName) -> &mut LockedRelation {
        let i = match self.locked.iter().position(|l| &l.relation == relation) {
            Some(i) => i,
            None => {
                self.locked.push(LockedRelation {
                    relation: relation.clone(),
                    blockers: Vec::new(),
                    not_read: Vec::new(),
                });
                self.locked.len() - 1
            }
        };
        &mut self.locked[i]
    }

    /// Sorts relations by name and their blockers by pid.
    pub fn canonicalize(&mut self) {
        self.locked.sort_by(|a, b| a.relation.cmp(&b.relation));
        for l in &mut self.locked {
            l.blockers.sort_by_key(|b| (!b.granted, b.pid));
            l.blockers.dedup_by_key(|b| b.pid);
            l.not_read.sort();
            l.not_read.dedup();
        }
    }
}

/// A relation gaps could not read without queueing behind another session's lock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LockedRelation {
    /// The relation.
    pub relation: RelationName,
    /// The sessions holding or queueing for the conflicting lock.
    #[serde(default)]
    pub blockers: Vec<LockBlocker>,
    /// What gaps did not read because of it, e.g. "columns, constraints and indexes",
    /// "3 statements not described".
    #[serde(default)]
    pub not_read: Vec<String>,
}

/// One session holding, or waiting ahead of gaps for, a lock on a relation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LockBlocker {
    /// Server process id (Postgres `pid`, MySQL/MariaDB connection id).
    pub pid: i64,
    /// The lock mode, e.g. "AccessExclusiveLock" or "MDL_EXCLUSIVE".
    pub mode: String,
    /// True when it holds the lock; false when it waits for it (and gaps would queue behind).
    pub granted: bool,
    /// Its role (user name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Its `application_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_name: Option<String>,
    /// Its state ("active", "idle in transaction", ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Seconds since its transaction started (Postgres) or its statement started (MySQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_secs: Option<f64>,
    /// The start of its current or last query, redacted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// For a waiting session: the pids it waits for (`pg_blocking_pids`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_by: Vec<i64>,
}

/// Why the session was given up early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndCause {
    /// The collection's `--deadline` was reached.
    Deadline,
    /// The server did not answer one round trip within its client-side timeout.
    Stalled,
    /// The connection failed.
    ConnectionLost,
}

/// Where and why the session ended early. Everything read before is kept; what was not read
/// is marked as such in its section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SessionEnd {
    /// Why.
    pub cause: EndCause,
    /// What was being read.
    pub during: String,
    /// The full explanation.
    pub message: String,
}
