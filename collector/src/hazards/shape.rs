//! What one Postgres statement of a migration was found to do ([`Shape`]: its locks, effect
//! and schema changes) and the facts the live checks need about it ([`Facts`]); filled by the
//! statement readers (`postgres`, `alter`).

use gaps_core::hazards::{ChangeKind, Effect, LockMode, SchemaChange, TableLock};
use gaps_core::schema::RelationName;

/// What the live checks need to know about one statement beyond the plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    /// Functions it calls (name folded, without schema).
    pub functions: Vec<String>,
    /// Functions, procedures or aggregates it creates.
    pub creates_functions: Vec<String>,
    /// The extension it creates.
    pub extension: Option<String>,
    /// Columns it makes NOT NULL: (table as written, column).
    pub set_not_null: Vec<(RelationName, String)>,
    /// Columns it adds as NOT NULL without a default: they fail on a table with rows.
    pub required_columns: Vec<(RelationName, String)>,
    /// Column type changes: (table, column, new type as written, has USING).
    pub type_changes: Vec<(RelationName, String, String, bool)>,
    /// `CHECK (col IS NOT NULL)` constraints it adds: (table, column, constraint, NOT VALID).
    pub not_null_checks: Vec<(RelationName, String, String, bool)>,
    /// Constraints it validates: (table, constraint).
    pub validates: Vec<(RelationName, String)>,
    /// The enum value it adds: (type, label).
    pub enum_value: Option<(String, String)>,
    /// Its string literals' values.
    pub strings: Vec<String>,
    /// Its text, lowercased (to see whether it names a type or table).
    pub lower: String,
    /// It cannot run inside a transaction block (CREATE/DROP INDEX CONCURRENTLY, REINDEX
    /// CONCURRENTLY, VACUUM): the words that say so.
    pub no_transaction_block: Option<String>,
    /// It creates this table (so the table is new, and empty, when later statements lock it).
    pub creates_table: Option<RelationName>,
}

/// What one statement was found to do, before it becomes a `PlannedStatement`.
#[derive(Debug, Default)]
pub(super) struct Shape {
    pub operation: String,
    pub locks: Vec<TableLock>,
    pub effect: Option<Effect>,
    pub changes: Vec<SchemaChange>,
}

impl Shape {
    pub(super) fn lock(&mut self, table: RelationName, mode: LockMode) {
        match self.locks.iter_mut().find(|l| l.table == table) {
            Some(l) => l.mode = l.mode.max(mode),
            None => self.locks.push(TableLock { table, mode }),
        }
    }

    /// Keeps the slowest effect: a rewrite outweighs an index build, which outweighs a scan.
    pub(super) fn effect(&mut self, effect: Effect) {
        let rank = |e: Effect| match e {
            Effect::None => 0,
            Effect::Unknown => 1,
            Effect::Metadata => 2,
            Effect::Data => 3,
            Effect::Scan => 4,
            Effect::IndexBuild => 5,
            Effect::Rewrite => 6,
        };
        if self.effect.is_none_or(|e| rank(effect) > rank(e)) {
            self.effect = Some(effect);
        }
    }

    pub(super) fn change(
        &mut self,
        kind: ChangeKind,
        table: &RelationName,
        column: Option<String>,
        new_name: Option<String>,
    ) {
        self.changes.push(SchemaChange {
            kind,
            table: table.clone(),
            column,
            new_name,
        });
    }
}
