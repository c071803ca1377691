//! The replay's state and the bookkeeping every statement handler shares: where a statement
//! came from (not-modelled entries and origins), qualifying names, finding tables, and naming
//! unnamed objects the way Postgres does among the objects that exist at this point.

use std::collections::BTreeMap;

use sqlparser::ast::ObjectName;

use super::pgnames;
use crate::backend::Backend;
use crate::code::expected::{
    ExpectationMode, ExpectedSchema, NotModelled, ObjectKind, Origin, Removal,
};
use crate::code::sql::object_name;
use crate::schema::{ForeignKey, Schema, Table};
use crate::typemap::normalize_sql_type;

/// The schema built so far, and the position of the statement being replayed.
pub(super) struct Replay {
    pub(super) backend: Backend,
    pub(super) default_schema: String,
    pub(super) out: ExpectedSchema,
    pub(super) version: i64,
    pub(super) file: String,
    pub(super) line: u32,
    /// The last column number used per (schema, table): Postgres never reuses the number of
    /// a dropped column.
    pub(super) last_attnum: BTreeMap<(String, String), i32>,
}

impl Replay {
    /// An empty replay of `backend` migrations: only the default schema exists.
    pub(super) fn new(backend: Backend) -> Replay {
        let default_schema = match backend {
            Backend::Postgres => "public",
            Backend::Sqlite => "main",
            Backend::Mysql => "",
        }
        .to_string();
        Replay {
            backend,
            out: ExpectedSchema {
                mode: ExpectationMode::Replay,
                schema: Schema {
                    schemas: vec![default_schema.clone()],
                    ..Schema::default()
                },
                ..ExpectedSchema::default()
            },
            default_schema,
            version: 0,
            file: String::new(),
            line: 0,
            last_attnum: BTreeMap::new(),
        }
    }

    pub(super) fn not_modelled(&mut self, text: &str, reason: impl Into<String>) {
        self.out.not_modelled.push(NotModelled {
            version: self.version,
            file: self.file.clone(),
            line: self.line,
            statement: leading_words(text),
            reason: reason.into(),
        });
    }

    pub(super) fn origin(
        &mut self,
        kind: ObjectKind,
        schema: &str,
        table: &str,
        name: Option<&str>,
        action: &str,
    ) {
        self.out.origins.push(Origin {
            kind,
            schema: schema.to_string(),
            table: table.to_string(),
            name: name.map(str::to_string),
            action: action.to_string(),
            version: self.version,
            file: self.file.clone(),
            line: self.line,
        });
    }

    /// Records that this statement dropped (`renamed_to` None) or renamed a table (`column`
    /// None) or column.
    pub(super) fn removal(
        &mut self,
        schema: &str,
        table: &str,
        column: Option<&str>,
        renamed_to: Option<&str>,
    ) {
        self.out.removals.push(Removal {
            kind: if column.is_some() {
                ObjectKind::Column
            } else {
                ObjectKind::Table
            },
            schema: schema.to_string(),
            table: table.to_string(),
            name: column.map(str::to_string),
            action: if renamed_to.is_some() {
                "rename"
            } else {
                "drop"
            }
            .to_string(),
            renamed_to: renamed_to.map(str::to_string),
            version: self.version,
            file: self.file.clone(),
            line: self.line,
        });
    }

    /// The origins of index or constraint `old` of (schema, table) follow its rename.
    pub(super) fn rename_origins(&mut self, schema: &str, table: &str, old: &str, new: &str) {
        for o in &mut self.out.origins {
            if o.schema == schema
                && o.table == table
                && matches!(o.kind, ObjectKind::Index | ObjectKind::Constraint)
                && o.name.as_deref() == Some(old)
            {
                o.name = Some(new.to_string());
            }
        }
    }

    pub(super) fn qualify(&self, name: &ObjectName) -> (String, String) {
        let (schema, table) = object_name(name);
        (schema.unwrap_or_else(|| self.default_schema.clone()), table)
    }

    pub(super) fn table_index(&self, schema: &str, name: &str) -> Option<usize> {
        self.out
            .schema
            .tables
            .iter()
            .position(|t| t.schema == schema && t.name == name)
    }

    pub(super) fn ty(&self, text: &str) -> String {
        normalize_sql_type(text, self.backend)
    }

    /// Puts back a table taken out of the list to be altered; returns its new index.
    pub(super) fn put_back(&mut self, table: Table) -> usize {
        self.out.schema.tables.push(table);
        self.out.schema.tables.len() - 1
    }

    /// Whether `name` is taken in `schema` by a constraint or, when `relations`, by a relation
    /// (table or index). `current` is the table being built or altered, which is not in the list
    /// meanwhile.
    pub(super) fn name_taken(
        &self,
        schema: &str,
        current: &Table,
        name: &str,
        relations: bool,
    ) -> bool {
        let in_table = |t: &Table| {
            (relations && (t.name == name || t.indexes.iter().any(|i| i.name == name)))
                || t.primary_key.as_ref().is_some_and(|k| k.name == name)
                || t.unique_constraints.iter().any(|k| k.name == name)
                || t.check_constraints.iter().any(|k| k.name == name)
                || t.foreign_keys.iter().any(|k| k.name == name)
        };
        in_table(current)
            || self
                .out
                .schema
                .tables
                .iter()
                .filter(|t| t.schema == schema)
                .any(in_table)
    }

    /// The name Postgres gives an unnamed index or key (a relation name: unique among the
    /// schema's relations and constraints).
    pub(super) fn relation_name(
        &self,
        table: &Table,
        columns: Option<&[String]>,
        label: &str,
    ) -> String {
        self.choose_name(table, columns, label, true)
    }

    /// The name Postgres gives an unnamed foreign key or CHECK (unique among the schema's
    /// constraints).
    pub(super) fn constraint_name(
        &self,
        table: &Table,
        columns: Option<&[String]>,
        label: &str,
    ) -> String {
        self.choose_name(table, columns, label, false)
    }

    /// `table_columns_label`, numbered when taken among the schema's constraints (and, when
    /// `relations`, its tables and indexes).
    fn choose_name(
        &self,
        table: &Table,
        columns: Option<&[String]>,
        label: &str,
        relations: bool,
    ) -> String {
        let addition = columns.map(pgnames::name_addition);
        pgnames::choose(&table.name, addition.as_deref(), label, |n| {
            self.name_taken(&table.schema, table, n, relations)
        })
    }

    /// The name Postgres gives an unnamed CHECK: `t_col_check` when the expression uses
    /// exactly one column, else `t_check`. `adding` is a column being defined, not yet in
    /// `table`.
    pub(super) fn check_name(&self, table: &Table, adding: &str, expr: &str) -> String {
        let used: Vec<String> = pgnames::words(expr)
            .into_iter()
            .filter(|w| {
                table.columns.iter().any(|c| c.name.to_lowercase() == *w)
                    || adding.to_lowercase() == *w
            })
            .collect();
        match used.as_slice() {
            [one] => self.constraint_name(table, Some(std::slice::from_ref(one)), "check"),
            _ => self.constraint_name(table, None, "check"),
        }
    }

    /// The ordinal of a column added to `table` now.
    pub(super) fn next_ordinal(&mut self, table: &Table) -> i32 {
        if self.backend != Backend::Postgres {
            return table.columns.len() as i32 + 1;
        }
        let last = self
            .last_attnum
            .entry((table.schema.clone(), table.name.clone()))
            .or_insert_with(|| table.columns.iter().map(|c| c.ordinal).max().unwrap_or(0));
        *last += 1;
        *last
    }

    /// The primary key columns of a referenced table (`REFERENCES t` without a column list).
    pub(super) fn referenced_key(&self, current: &Table, schema: &str, table: &str) -> Vec<String> {
        let t = if current.schema == schema && current.name == table {
            Some(current)
        } else {
            self.out
                .schema
                .tables
                .iter()
                .find(|t| t.schema == schema && t.name == table)
        };
        t.and_then(|t| t.primary_key.as_ref())
            .map(|k| k.columns.clone())
            .unwrap_or_default()
    }

    /// Every foreign key, in `current` and in the other tables, that references
    /// (schema, table).
    pub(super) fn for_each_reference(
        &mut self,
        current: &mut Table,
        schema: &str,
        table: &str,
        mut f: impl FnMut(&mut ForeignKey),
    ) {
        for t in std::iter::once(current).chain(self.out.schema.tables.iter_mut()) {
            for fk in &mut t.foreign_keys {
                if fk.referenced_schema == schema && fk.referenced_table == table {
                    f(fk);
                }
            }
        }
    }
}

/// The statement's kind as its first words say it (`CREATE TABLE`, `CREATE FUNCTION` for
/// `CREATE OR REPLACE FUNCTION`, `GRANT`), for the not-modelled list.
pub(super) fn leading_words(text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .take(4)
        .map(|w| w.to_ascii_uppercase())
        .collect();
    match words.first().map(String::as_str) {
        Some("CREATE") | Some("ALTER") | Some("DROP") => {
            let mut w = words.clone();
            if w.get(1).map(String::as_str) == Some("OR") {
                // CREATE OR REPLACE FUNCTION -> CREATE FUNCTION
                w.drain(1..3);
            }
            w.truncate(2);
            w.join(" ")
        }
        Some(w) => w.to_string(),
        None => String::new(),
    }
}

/// Renames an index or constraint of `table`: a key constraint and the index behind it share
/// the name, so renaming either renames both (as Postgres does).
pub(super) fn rename_key(table: &mut Table, old: &str, new: &str) {
    let set = |n: &mut String| {
        if n == old {
            *n = new.to_string();
        }
    };
    table.indexes.iter_mut().for_each(|i| set(&mut i.name));
    if let Some(k) = &mut table.primary_key {
        set(&mut k.name);
    }
    table
        .unique_constraints
        .iter_mut()
        .for_each(|k| set(&mut k.name));
    table
        .check_constraints
        .iter_mut()
        .for_each(|k| set(&mut k.name));
    table.foreign_keys.iter_mut().for_each(|k| set(&mut k.name));
}
