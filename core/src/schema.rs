//! The schema model shared by the live database and the expected schema: schemas, tables,
//! columns, keys, constraints, indexes, enum types and extensions.
//!
//! Collections are kept sorted (tables by schema then name, columns by ordinal) so that a
//! snapshot is deterministic and diffs are stable.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::backend::Backend;

mod incomplete;

pub use incomplete::{Catalog, IncompleteCatalog, IncompleteCause, RelationName};

/// Identity of the server a snapshot was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DatabaseInfo {
    /// Which engine.
    pub backend: Backend,
    /// The server's own version string (`SHOW server_version`, `sqlite_version()`).
    pub server_version: String,
    /// `current_database()`; for SQLite the file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// `current_user`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_user: Option<String>,
    /// `SHOW search_path`, as the server prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_path: Option<String>,
}

/// A whole database schema: what exists (live) or what should exist (expected).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Schema {
    /// Non-system schema names, sorted. SQLite has the single schema "main".
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Tables, views and similar relations, sorted by (schema, name).
    #[serde(default)]
    pub tables: Vec<Table>,
    /// Enum types with their labels in declaration order.
    #[serde(default)]
    pub enums: Vec<EnumType>,
    /// Installed extensions.
    #[serde(default)]
    pub extensions: Vec<Extension>,
    /// Catalogs that could not be read (a permission error, a lock, a timeout), whole or for
    /// some relations: the rest of the schema is still here, but what those catalogs describe
    /// is unknown (see [`Schema::sees`]). Non-empty means partial.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<IncompleteCatalog>,
}

impl Schema {
    /// Finds a relation by schema and name.
    pub fn table(&self, schema: &str, name: &str) -> Option<&Table> {
        self.tables
            .binary_search_by(|t| (t.schema.as_str(), t.name.as_str()).cmp(&(schema, name)))
            .ok()
            .map(|i| &self.tables[i])
    }

    /// The first table named `name` in canonical order (that is, in the first namespace that
    /// has one), found with one binary search per namespace instead of a scan: rules look up
    /// every expected table this way, which was quadratic at 50,000 tables outside `public`.
    /// Like [`Schema::table`], relies on the canonical order ([`Schema::canonicalize`]).
    pub fn first_named(&self, name: &str) -> Option<&Table> {
        let tables = &self.tables;
        let mut start = 0;
        while start < tables.len() {
            let namespace = tables[start].schema.as_str();
            let end = start + tables[start..].partition_point(|t| t.schema == namespace);
            if let Ok(i) = tables[start..end].binary_search_by(|t| t.name.as_str().cmp(name)) {
                return Some(&tables[start + i]);
            }
            start = end;
        }
        None
    }

    /// Sorts every collection into canonical order.
    pub fn canonicalize(&mut self) {
        self.schemas.sort();
        self.schemas.dedup();
        self.tables
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        for t in &mut self.tables {
            t.canonicalize();
        }
        self.enums
            .sort_by(|a, b| (&a.schema, &a.name).cmp(&(&b.schema, &b.name)));
        self.extensions.sort_by(|a, b| a.name.cmp(&b.name));
        self.incomplete
            .sort_by(|a, b| (&a.during, &a.message).cmp(&(&b.during, &b.message)));
    }

    /// True when some catalog could not be read (see [`Schema::incomplete`]).
    pub fn is_incomplete(&self) -> bool {
        !self.incomplete.is_empty()
    }

    /// Whether `catalog` was read for relation `schema.table`: false when a read that would
    /// have described it failed, or skipped that relation.
    pub fn sees(&self, catalog: Catalog, schema: &str, table: &str) -> bool {
        !self
            .incomplete
            .iter()
            .any(|e| e.hides(catalog, schema, table))
    }

    /// Whether `catalog` was read for every relation.
    pub fn sees_all(&self, catalog: Catalog) -> bool {
        !self
            .incomplete
            .iter()
            .any(|e| e.covers().contains(&catalog))
    }
}

/// What kind of relation a table entry is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// An ordinary table.
    Table,
    /// A partitioned (parent) table.
    PartitionedTable,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A foreign table.
    ForeignTable,
}

/// One relation with its columns and constraints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Table {
    /// Schema (namespace) name; "main" for SQLite.
    pub schema: String,
    /// Relation name.
    pub name: String,
    /// Table, view, ...
    pub kind: TableKind,
    /// Columns in ordinal order.
    #[serde(default)]
    pub columns: Vec<Column>,
    /// The primary key, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<KeyConstraint>,
    /// UNIQUE constraints.
    #[serde(default)]
    pub unique_constraints: Vec<KeyConstraint>,
    /// CHECK constraints.
    #[serde(default)]
    pub check_constraints: Vec<CheckConstraint>,
    /// FOREIGN KEY constraints.
    #[serde(default)]
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes (including those backing constraints).
    #[serde(default)]
    pub indexes: Vec<Index>,
}

impl Table {
    /// A relation with columns and no constraints or indexes yet.
    pub fn new(schema: &str, name: &str, kind: TableKind, columns: Vec<Column>) -> Table {
        Table {
            schema: schema.to_string(),
            name: name.to_string(),
            kind,
            columns,
            primary_key: None,
            unique_constraints: Vec::new(),
            check_constraints: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
        }
    }

    /// Finds a column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Sorts constraints and indexes by name and columns by ordinal.
    pub fn canonicalize(&mut self) {
        self.columns.sort_by_key(|c| c.ordinal);
        self.unique_constraints.sort_by(|a, b| a.name.cmp(&b.name));
        self.check_constraints.sort_by(|a, b| a.name.cmp(&b.name));
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Column {
    /// 1-based position.
    pub ordinal: i32,
    /// Column name.
    pub name: String,
    /// Type as the server prints it (`format_type` on Postgres, the declared type on SQLite).
    pub data_type: String,
    /// False when NOT NULL.
    pub nullable: bool,
    /// Default expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// "always" or "by_default" for identity columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// The generation expression of a generated column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
}

impl Column {
    /// A plain column: no default, identity or generation expression.
    pub fn new(ordinal: i32, name: &str, data_type: &str, nullable: bool) -> Column {
        Column {
            ordinal,
            name: name.to_string(),
            data_type: data_type.to_string(),
            nullable,
            default: None,
            identity: None,
            generated: None,
        }
    }
}

/// A primary key or UNIQUE constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KeyConstraint {
    /// Constraint name (SQLite: synthesised from the table when unnamed).
    pub name: String,
    /// Key columns in key order.
    pub columns: Vec<String>,
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CheckConstraint {
    /// Constraint name.
    pub name: String,
    /// The expression as the server prints it.
    pub expression: String,
}

/// A FOREIGN KEY constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ForeignKey {
    /// Constraint name.
    pub name: String,
    /// Referencing columns.
    pub columns: Vec<String>,
    /// Referenced table's schema.
    pub referenced_schema: String,
    /// Referenced table.
    pub referenced_table: String,
    /// Referenced columns.
    pub referenced_columns: Vec<String>,
    /// ON DELETE action, e.g. "cascade", "no action".
    pub on_delete: String,
    /// ON UPDATE action.
    pub on_update: String,
}

/// An index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Index {
    /// Index name.
    pub name: String,
    /// Indexed columns (expressions appear as written).
    pub columns: Vec<String>,
    /// True for a unique index.
    pub unique: bool,
    /// True when it backs the primary key.
    #[serde(default)]
    pub primary: bool,
    /// The full definition (`pg_get_indexdef`, or SQLite's CREATE INDEX text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
}

impl Index {
    /// Whether both indexes have the same keys in the same order (see [`same_index_key`]).
    pub fn same_keys(&self, other: &Index) -> bool {
        self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| same_index_key(a, b))
    }
}

/// Whether two index keys are the same: equal column names, or expressions that differ only
/// in how they are printed. The server prints an expression its own way
/// (`((data ->> 'kind'::text))` for a key written `(data ->> 'kind')`, `lower((c)::text)` for
/// `lower(c::TEXT)`), so expressions are compared without case, whitespace, parentheses and
/// `::type` casts. Plain column names are compared exactly (quoted names are case-sensitive).
pub fn same_index_key(a: &str, b: &str) -> bool {
    let is_name = |s: &str| s.chars().all(|c| c.is_alphanumeric() || c == '_');
    a == b || (!(is_name(a) && is_name(b)) && loose_expression(a) == loose_expression(b))
}

/// An expression without case, whitespace, parentheses and `::type` casts.
fn loose_expression(text: &str) -> String {
    const TYPE_WORDS: [&str; 6] = ["varying", "precision", "with", "without", "time", "zone"];
    let lower = text.to_lowercase();
    let mut out = String::new();
    let mut rest = lower.as_str();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("::") {
            // Skip the type name, including the words of multi-word names.
            let mut r = after.trim_start();
            loop {
                let end = r
                    .find(|c: char| !(c.is_alphanumeric() || "_.\"[]".contains(c)))
                    .unwrap_or(r.len());
                r = &r[end..];
                let next = r.trim_start();
                match TYPE_WORDS.iter().find(|w| {
                    next.starts_with(**w)
                        && !next[w.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                }) {
                    Some(w) if next.len() < r.len() => r = &next[w.len()..],
                    _ => break,
                }
            }
            rest = r;
            continue;
        }
        let mut chars = rest.chars();
        let c = chars.next().unwrap_or(' ');
        if !(c.is_whitespace() || c == '(' || c == ')') {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// A Postgres enum type (or MySQL inline enum, later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EnumType {
    /// Schema of the type.
    pub schema: String,
    /// Type name.
    pub name: String,
    /// Labels in sort order.
    pub labels: Vec<String>,
}

/// An installed extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Extension {
    /// Extension name.
    pub name: String,
    /// Installed version.
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_named_is_the_first_table_of_that_name_in_canonical_order() {
        let t = |s: &str, n: &str| Table::new(s, n, TableKind::Table, Vec::new());
        let mut schema = Schema {
            tables: (0..300)
                .flat_map(|i| {
                    let name = format!("t{i:03}");
                    [t("zeta", &name), t("billing", &name), t("auth", "users")]
                })
                .chain([t("zeta", "only_in_zeta"), t("billing", "users_x")])
                .collect(),
            ..Schema::default()
        };
        schema
            .tables
            .dedup_by(|a, b| a.schema == b.schema && a.name == b.name);
        schema.canonicalize();
        schema
            .tables
            .dedup_by(|a, b| a.schema == b.schema && a.name == b.name);
        for name in [
            "t000",
            "t150",
            "t299",
            "users",
            "only_in_zeta",
            "users_x",
            "nope",
            "",
        ] {
            let scan = schema.tables.iter().find(|t| t.name == name);
            assert_eq!(schema.first_named(name), scan, "{name}");
        }
        assert_eq!(schema.first_named("t007").unwrap().schema, "billing");
        assert_eq!(Schema::default().first_named("x"), None);
    }

    #[test]
    fn expression_keys_match_however_the_server_prints_them() {
        // Written in a migration, then as Postgres 15 prints it (pg_get_indexdef).
        for (written, printed) in [
            ("(a + b)", "((a + b))"),
            ("(data ->> 'kind')", "((data ->> 'kind'::text))"),
            ("lower(c::TEXT)", "lower((c)::text)"),
            ("LOWER( email )", "lower(email)"),
            ("(x::character varying)", "((x)::character varying)"),
            (
                "(at::timestamp with time zone)",
                "((at)::timestamp with time zone)",
            ),
        ] {
            assert!(same_index_key(written, printed), "{written} vs {printed}");
        }
    }

    #[test]
    fn different_keys_do_not_match() {
        assert!(!same_index_key("lower(email)", "upper(email)"));
        assert!(!same_index_key("(a + b)", "(a - b)"));
        assert!(!same_index_key("(data ->> 'kind')", "(data ->> 'type')"));
        // Quoted column names are case-sensitive.
        assert!(!same_index_key("Email", "email"));
        assert!(!same_index_key("a", "b"));
    }
}
