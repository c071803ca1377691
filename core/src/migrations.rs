//! Migration evidence: the rows of sqlx's migrations table and the local migration files, with
//! sqlx's naming rules and checksums (SHA-384 over the file bytes, plus the LF-normalised and
//! BOM-stripped variants that tell a line-ending change apart from a real edit).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The default name of sqlx's bookkeeping table.
pub const DEFAULT_MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// What the database's migrations table holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppliedMigrations {
    /// The table that was read, e.g. `public._sqlx_migrations`.
    pub table: String,
    /// False when the table does not exist: migrations never ran against this database.
    pub present: bool,
    /// Every row, sorted by version.
    #[serde(default)]
    pub rows: Vec<AppliedMigration>,
}

/// One row of `_sqlx_migrations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppliedMigration {
    /// Migration version.
    pub version: i64,
    /// Description recorded by sqlx.
    pub description: String,
    /// When it was applied (RFC 3339), if the column could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub installed_on: Option<String>,
    /// False when the migration failed part-way (sqlx then refuses with `Dirty(version)`).
    pub success: bool,
    /// SHA-384 checksum recorded, lowercase hex.
    pub checksum: String,
    /// Execution time in nanoseconds; -1 means skipped or interrupted.
    pub execution_time: i64,
}

/// The migration files found in the service's repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocalMigrations {
    /// The directory that was read, as given or discovered.
    pub directory: String,
    /// How the directory was chosen: "flag", "migrate_macro" (from `sqlx::migrate!("...")` in
    /// the source, with file and line), or "default".
    pub directory_source: String,
    /// Migration files sqlx would run, sorted by (version, kind).
    #[serde(default)]
    pub files: Vec<LocalMigration>,
    /// Files in the directory that sqlx silently ignores, with the reason.
    #[serde(default)]
    pub ignored: Vec<IgnoredFile>,
}

/// Whether a file is a simple migration or one half of a reversible pair.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MigrationKind {
    /// `<VERSION>_<DESC>.sql`.
    Simple,
    /// `<VERSION>_<DESC>.up.sql`.
    Up,
    /// `<VERSION>_<DESC>.down.sql`.
    Down,
}

/// One local migration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LocalMigration {
    /// Version parsed from the file name.
    pub version: i64,
    /// Description as sqlx derives it (underscores become spaces).
    pub description: String,
    /// Simple, up or down.
    pub kind: MigrationKind,
    /// Path relative to the migrations directory.
    pub file: String,
    /// The file starts with `-- no-transaction`.
    #[serde(default)]
    pub no_transaction: bool,
    /// SHA-384 of the exact bytes, lowercase hex: what sqlx records.
    pub checksum: String,
    /// SHA-384 after CRLF -> LF normalisation and with a UTF-8 BOM removed.
    pub checksum_normalized: String,
    /// The file contains CR LF line endings.
    #[serde(default)]
    pub has_crlf: bool,
    /// The file starts with a UTF-8 byte-order mark.
    #[serde(default)]
    pub has_bom: bool,
    /// File size in bytes.
    pub size: u64,
}

/// A file in the migrations directory that sqlx would not run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IgnoredFile {
    /// Path relative to the migrations directory.
    pub file: String,
    /// Why sqlx ignores it, e.g. "version 'V1' is not an integer".
    pub reason: String,
}
