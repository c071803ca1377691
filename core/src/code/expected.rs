//! The expected schema: what the local migrations (replayed, or applied to a scratch database)
//! and gaps.md say should exist, with the migration that created each object.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::schema::Schema;

/// The schema the migrations (and gaps.md) say should exist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectedSchema {
    /// How the expectation was produced.
    pub mode: ExpectationMode,
    /// The expected schema, in the same model (and type spelling) as the live one.
    #[serde(default)]
    pub schema: Schema,
    /// Domains (`CREATE DOMAIN name AS base`), so a column of a domain type can be checked
    /// against its base type.
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// Which migration statements created or reshaped each table, column, index and
    /// constraint, in replay order (the first entry for an object created it).
    #[serde(default)]
    pub origins: Vec<Origin>,
    /// Tables and columns a migration dropped or renamed away, in replay order: the names
    /// code still using them fails on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removals: Vec<Removal>,
    /// Tables whose columns the replay could not fully model (`CREATE TABLE ... AS`, views,
    /// an unmodelled ALTER): their live columns are never reported as unexpected.
    #[serde(default)]
    pub partial_tables: Vec<String>,
    /// Migration statements the replay does not model (DO blocks, functions, dynamic SQL,
    /// statements sqlparser cannot read). Never silently dropped.
    #[serde(default)]
    pub not_modelled: Vec<NotModelled>,
    /// The migrations that were replayed, in order.
    #[serde(default)]
    pub migrations: Vec<ReplayedMigration>,
    /// Tables gaps.md lists under ACTION-004 "Expected Tables" (when `--gaps` was given).
    #[serde(default)]
    pub gaps_md_tables: Vec<String>,
    /// The gaps.md file that was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gaps_md_file: Option<String>,
    /// The scratch server (redacted URL) the migrations were applied to, when scratch mode
    /// was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scratch_server: Option<String>,
    /// Why scratch mode failed; the expectation then falls back to the replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scratch_error: Option<String>,
}

impl ExpectedSchema {
    /// The statement that created a table (`name` None), column, index or constraint.
    pub fn created_by(&self, kind: ObjectKind, table: &str, name: Option<&str>) -> Option<&Origin> {
        self.origins
            .iter()
            .find(|o| o.kind == kind && o.table == table && o.name.as_deref() == name)
    }

    /// The last statement that created or changed the object.
    pub fn last_change(
        &self,
        kind: ObjectKind,
        table: &str,
        name: Option<&str>,
    ) -> Option<&Origin> {
        self.origins
            .iter()
            .rev()
            .find(|o| o.kind == kind && o.table == table && o.name.as_deref() == name)
    }
}

/// Which method produced an expected schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpectationMode {
    /// The migrations were replayed statement by statement with sqlparser (approximate:
    /// see `not_modelled`).
    #[default]
    Replay,
    /// The migrations were applied to a fresh temporary database and inspected with the same
    /// catalog code as the live database (exact).
    Scratch,
}

/// A domain over a base type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Domain {
    /// Schema.
    pub schema: String,
    /// Domain name.
    pub name: String,
    /// Base type, spelled like the server prints it.
    pub base_type: String,
    /// NOT NULL domain.
    #[serde(default)]
    pub not_null: bool,
}

/// What kind of object an origin is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// A table (name: None).
    Table,
    /// A column (name: the column).
    Column,
    /// An index (name: the index).
    Index,
    /// A constraint (name: the constraint).
    Constraint,
    /// An enum type (table: the type name, name: None).
    Enum,
}

/// The migration statement that created (or last reshaped) an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Origin {
    /// Table, column, index, constraint or enum.
    pub kind: ObjectKind,
    /// Schema.
    pub schema: String,
    /// Table (or enum type) name.
    pub table: String,
    /// Column, index or constraint name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the statement did: "create", "rename", "alter type", "set not null", ...
    pub action: String,
    /// Migration version.
    pub version: i64,
    /// Migration file (relative to the migrations directory).
    pub file: String,
    /// 1-based line of the statement in that file.
    pub line: u32,
}

/// A table or column a migration statement dropped or renamed: after it, the old name no
/// longer exists (unless a later statement creates it again: see [`ExpectedSchema::origins`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Removal {
    /// Table or column.
    pub kind: ObjectKind,
    /// Schema.
    pub schema: String,
    /// The table (its name before the statement, for a renamed table).
    pub table: String,
    /// The column (its name before the statement, for a renamed column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// "drop" or "rename".
    pub action: String,
    /// The new name of a renamed table or column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// Migration version.
    pub version: i64,
    /// Migration file (relative to the migrations directory).
    pub file: String,
    /// 1-based line of the statement in that file.
    pub line: u32,
}

/// A statement the replay did not model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NotModelled {
    /// Migration version.
    pub version: i64,
    /// Migration file.
    pub file: String,
    /// 1-based line of the statement.
    pub line: u32,
    /// The statement's leading words, e.g. "DO", "CREATE FUNCTION".
    pub statement: String,
    /// Why it was not modelled.
    pub reason: String,
}

/// One migration that was replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReplayedMigration {
    /// Version.
    pub version: i64,
    /// File.
    pub file: String,
    /// Statements modelled.
    pub statements: u32,
    /// Statements not modelled.
    pub not_modelled: u32,
}
