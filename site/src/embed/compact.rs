//! The compact form of the schemas the page embeds for the diff viewer: what the viewer reads
//! (`report-wasm/src/data.rs`) and nothing else, in fewer bytes than the snapshot's own form.
//!
//! - a column is an array `[name, data_type, nullable, default, identity, generated, ordinal]`
//!   with trailing `null`s left out, and `ordinal` `null` when it is the column's position + 1
//!   (it almost always is);
//! - a table leaves out `kind` when it is `table` and its empty constraint and index lists;
//! - an expected table equal to the live table of the same name is the live table's position
//!   in the live `tables` list (a number), so a schema that matches its migrations is not
//!   embedded twice;
//! - of the live schema only `schemas` and `tables` are kept, of the expected schema only the
//!   mode, the schema, the partial tables and the replayed migrations (the viewer reads no
//!   more: the origins, domains and enums are shown by the server-rendered page or not at all).
//!
//! For a 50,000-table schema this is several times smaller before compression and about half
//! the gzip of the snapshot form; the viewer also parses it faster.

use std::collections::HashMap;

use gaps_core::code::ExpectedSchema;
use gaps_core::code::expected::{ExpectationMode, ReplayedMigration};
use gaps_core::schema::{
    CheckConstraint, Column, ForeignKey, Index, KeyConstraint, Schema, Table, TableKind,
};
use gaps_core::section::Section;
use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

/// A column as an array (see the module documentation).
pub struct CompactColumn<'a> {
    column: &'a Column,
    position: usize,
}

impl Serialize for CompactColumn<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.column;
        let ordinal = (i64::from(c.ordinal) != self.position as i64 + 1).then_some(c.ordinal);
        let len = if ordinal.is_some() {
            7
        } else if c.generated.is_some() {
            6
        } else if c.identity.is_some() {
            5
        } else if c.default.is_some() {
            4
        } else {
            3
        };
        let mut seq = s.serialize_seq(Some(len))?;
        seq.serialize_element(&c.name)?;
        seq.serialize_element(&c.data_type)?;
        seq.serialize_element(&c.nullable)?;
        let tail = [
            c.default.as_deref(),
            c.identity.as_deref(),
            c.generated.as_deref(),
        ];
        for v in tail.iter().take(len.min(6) - 3) {
            seq.serialize_element(v)?;
        }
        if let Some(o) = ordinal {
            seq.serialize_element(&o)?;
        }
        seq.end()
    }
}

fn is_table(k: &TableKind) -> bool {
    *k == TableKind::Table
}

/// A table without its empty lists and default kind.
#[derive(Serialize)]
pub struct CompactTable<'a> {
    schema: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "is_table")]
    kind: TableKind,
    columns: Vec<CompactColumn<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_key: Option<&'a KeyConstraint>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unique_constraints: &'a [KeyConstraint],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    check_constraints: &'a [CheckConstraint],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    foreign_keys: &'a [ForeignKey],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    indexes: &'a [Index],
}

impl<'a> CompactTable<'a> {
    fn of(t: &'a Table) -> Self {
        CompactTable {
            schema: &t.schema,
            name: &t.name,
            kind: t.kind,
            columns: t
                .columns
                .iter()
                .enumerate()
                .map(|(position, column)| CompactColumn { column, position })
                .collect(),
            primary_key: t.primary_key.as_ref(),
            unique_constraints: &t.unique_constraints,
            check_constraints: &t.check_constraints,
            foreign_keys: &t.foreign_keys,
            indexes: &t.indexes,
        }
    }
}

/// A table, or the position of the equal live table.
#[derive(Serialize)]
#[serde(untagged)]
pub enum TableRef<'a> {
    /// Equal to the live table at this position.
    Live(usize),
    /// Written out.
    Table(CompactTable<'a>),
}

/// A schema's namespaces and tables.
#[derive(Serialize)]
pub struct CompactSchema<'a> {
    schemas: &'a [String],
    tables: Vec<TableRef<'a>>,
}

impl<'a> CompactSchema<'a> {
    /// The live schema, every table written out.
    pub fn live(s: &'a Schema) -> Self {
        CompactSchema {
            schemas: &s.schemas,
            tables: s
                .tables
                .iter()
                .map(|t| TableRef::Table(CompactTable::of(t)))
                .collect(),
        }
    }

    /// An expected schema, each table equal to a live one written as that one's position.
    pub fn expected(s: &'a Schema, live: Option<&'a Schema>) -> Self {
        let index: HashMap<(&str, &str), (usize, &Table)> = live
            .map(|l| {
                l.tables
                    .iter()
                    .enumerate()
                    .map(|(i, t)| ((t.schema.as_str(), t.name.as_str()), (i, t)))
                    .collect()
            })
            .unwrap_or_default();
        CompactSchema {
            schemas: &s.schemas,
            tables: s
                .tables
                .iter()
                .map(|t| match index.get(&(t.schema.as_str(), t.name.as_str())) {
                    Some((i, live)) if *live == t => TableRef::Live(*i),
                    _ => TableRef::Table(CompactTable::of(t)),
                })
                .collect(),
        }
    }
}

/// What the viewer reads of the expected schema.
#[derive(Serialize)]
pub struct CompactExpected<'a> {
    mode: ExpectationMode,
    schema: CompactSchema<'a>,
    partial_tables: &'a [String],
    migrations: &'a [ReplayedMigration],
}

impl<'a> CompactExpected<'a> {
    /// The expected schema against the live one.
    pub fn of(e: &'a ExpectedSchema, live: Option<&'a Schema>) -> Self {
        CompactExpected {
            mode: e.mode,
            schema: CompactSchema::expected(&e.schema, live),
            partial_tables: &e.partial_tables,
            migrations: &e.migrations,
        }
    }
}

/// The same section with its data mapped (the status, error and reason kept).
pub fn map_section<'a, T, U>(s: &'a Section<T>, f: impl FnOnce(&'a T) -> U) -> Section<U> {
    match s {
        Section::Collected { data } => Section::Collected { data: f(data) },
        Section::Failed { error } => Section::Failed {
            error: error.clone(),
        },
        Section::Skipped { reason } => Section::Skipped {
            reason: reason.clone(),
        },
    }
}
