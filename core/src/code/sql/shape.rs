//! What a statement does beyond naming tables and columns, as recorded in the snapshot: the
//! shape of each write (INSERT column list and row source, UPDATE targets, DELETE, the ON
//! CONFLICT target, IGNORE), the string literals compared with or written to a column, and
//! the functions it calls. The rules that Describe cannot stand in for read these: which
//! privileges a statement needs, which NOT NULL columns an INSERT leaves out, which enum
//! labels it sends and whether its conflict target has a unique index.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a write does to its table.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WriteKind {
    /// INSERT (MySQL's REPLACE too).
    Insert,
    /// UPDATE.
    Update,
    /// DELETE.
    Delete,
}

impl WriteKind {
    /// "INSERT", "UPDATE", "DELETE": the privilege it needs, as SQL spells it.
    pub fn privilege(self) -> &'static str {
        match self {
            WriteKind::Insert => "INSERT",
            WriteKind::Update => "UPDATE",
            WriteKind::Delete => "DELETE",
        }
    }
}

/// Where an INSERT's rows come from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum InsertSource {
    /// `VALUES (..), (..)`: at least one row, each `width` values wide (the widest row).
    Values {
        /// Values per row.
        width: u32,
    },
    /// `INSERT ... SELECT` (or any other query): as many rows as the query returns.
    Query,
    /// `DEFAULT VALUES`: one row, every column its default.
    DefaultValues,
    /// MySQL's `INSERT ... SET a = .., b = ..`: one row.
    Set,
}

impl InsertSource {
    /// True when the statement inserts at least one row whenever it runs (VALUES, DEFAULT
    /// VALUES, SET); a query may return none.
    pub fn always_inserts(self) -> bool {
        !matches!(self, InsertSource::Query)
    }
}

/// What ON CONFLICT does.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConflictAction {
    /// `DO NOTHING`.
    Nothing,
    /// `DO UPDATE SET ...` (or MySQL's `ON DUPLICATE KEY UPDATE`).
    Update,
}

/// The ON CONFLICT clause of an INSERT (Postgres, SQLite) or MySQL's ON DUPLICATE KEY UPDATE.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct ConflictShape {
    /// `ON CONFLICT (a, b)`: the target columns; empty without a column target.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// `ON CONFLICT ON CONSTRAINT name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// `ON CONFLICT (a) WHERE ...`: a predicate that may select a partial unique index.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub predicate: bool,
    /// DO NOTHING or DO UPDATE.
    pub action: ConflictAction,
}

/// One INSERT, UPDATE or DELETE of a statement (a data-modifying CTE included).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct WriteShape {
    /// What it does.
    pub kind: WriteKind,
    /// The target's schema, when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The target table, named as [`super::TableUse::name`] names it.
    pub table: String,
    /// INSERT: the column list as written (empty when the statement has none); UPDATE: the
    /// columns SET assigns when all of them are certainly the target's; DELETE: empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// INSERT: where its rows come from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<InsertSource>,
    /// MySQL's `INSERT IGNORE` or SQLite's `INSERT OR IGNORE`: a row that breaks a
    /// constraint is skipped (or given an implicit default) instead of failing the statement.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore: bool,
    /// The ON CONFLICT (or ON DUPLICATE KEY UPDATE) clause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<ConflictShape>,
}

impl WriteShape {
    /// True for an INSERT with a written column list (or MySQL's SET form, whose columns are
    /// the assigned ones).
    pub fn has_column_list(&self) -> bool {
        !self.columns.is_empty()
    }
}

/// A string literal compared with, or written to, a column of a real table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct LiteralUse {
    /// The real table.
    pub table: String,
    /// The column.
    pub column: String,
    /// The literal's value (never recorded for a column whose name looks secret).
    pub literal: String,
    /// True when it is written (INSERT VALUES, SET); false when compared (`=`, `<>`, `IN`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub written: bool,
}

/// A function the statement calls.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct FunctionUse {
    /// Its schema, when written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Its name (folded as the engine folds it).
    pub name: String,
    /// For `nextval`, `currval` and `setval` with a literal first argument: the sequence
    /// named there, as written inside the quotes (`app.orders_id_seq`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<String>,
}
