//! The database engines gaps inspects: a leaf of the model that the snapshot, the schema, the
//! query checks, the type table and the migration replay all name.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The database engines gaps inspects.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// PostgreSQL (and compatible hosted services).
    Postgres,
    /// SQLite files.
    Sqlite,
    /// MySQL or MariaDB.
    Mysql,
}
