//! CREATE TABLE and what a table is built from: columns (with their options) and the table
//! constraints. A FOREIGN KEY or a CHECK is the same thing written as a column option or as a
//! table constraint, so each has one helper that both spellings (and `ADD CONSTRAINT`) use.

use sqlparser::ast::{
    CheckConstraint as SqlCheck, ColumnDef, ColumnOption, CreateTable, ForeignKeyConstraint,
    IndexColumn, TableConstraint,
};

use super::state::Replay;
use crate::backend::Backend;
use crate::code::expected::ObjectKind;
use crate::code::sql::ident_name;
use crate::schema::{CheckConstraint, Column, ForeignKey, Index, KeyConstraint, Table, TableKind};
use crate::typemap::is_serial;

impl Replay {
    pub(super) fn create_table(&mut self, ct: &CreateTable, text: &str) {
        let (schema, name) = self.qualify(&ct.name);
        if self.table_index(&schema, &name).is_some() {
            if !ct.if_not_exists {
                self.not_modelled(text, format!("table {name} already exists at this point"));
            }
            return;
        }
        let mut table = Table::new(&schema, &name, TableKind::Table, Vec::new());
        self.origin(ObjectKind::Table, &schema, &name, None, "create");
        if ct.query.is_some() || ct.like.is_some() || ct.clone.is_some() {
            self.out.partial_tables.push(name.clone());
            self.not_modelled(text, "the columns come from a query or another table");
        }
        for c in &ct.columns {
            self.add_column(&mut table, c);
        }
        for tc in &ct.constraints {
            self.add_constraint(&mut table, tc);
        }
        self.out.schema.tables.push(table);
    }

    pub(super) fn add_column(&mut self, table: &mut Table, c: &ColumnDef) {
        let raw_type = c.data_type.to_string();
        let name = ident_name(&c.name);
        let mut col = Column {
            ordinal: self.next_ordinal(table),
            name: name.clone(),
            data_type: self.ty(&raw_type),
            nullable: true,
            default: None,
            identity: None,
            generated: None,
        };
        if is_serial(&raw_type) && self.backend == Backend::Postgres {
            col.nullable = false;
            col.default = Some(format!("nextval('{}_{}_seq'::regclass)", table.name, name));
        }
        for opt in &c.options {
            let cname = opt.name.as_ref().map(ident_name);
            match &opt.option {
                ColumnOption::NotNull => col.nullable = false,
                ColumnOption::Null => col.nullable = true,
                ColumnOption::Default(e) => col.default = Some(e.to_string()),
                ColumnOption::PrimaryKey(_) => {
                    col.nullable = false;
                    let n = cname.unwrap_or_else(|| self.relation_name(table, None, "pkey"));
                    self.set_primary_key(table, n, vec![name.clone()]);
                }
                ColumnOption::Unique(_) => {
                    let cols = vec![name.clone()];
                    let n = cname.unwrap_or_else(|| self.relation_name(table, Some(&cols), "key"));
                    self.add_unique(table, n, cols);
                }
                ColumnOption::ForeignKey(fk) => {
                    self.add_foreign_key(table, cname, vec![name.clone()], fk)
                }
                ColumnOption::Check(ck) => self.add_check(table, cname, &name, ck),
                other => {
                    let text = other.to_string().to_uppercase();
                    if text.contains("ALWAYS AS IDENTITY") {
                        col.identity = Some("always".into());
                        col.nullable = false;
                    } else if text.contains("BY DEFAULT AS IDENTITY") {
                        col.identity = Some("by_default".into());
                        col.nullable = false;
                    } else if text.starts_with("GENERATED") {
                        col.generated = Some(other.to_string());
                    }
                }
            }
        }
        self.origin(
            ObjectKind::Column,
            &table.schema.clone(),
            &table.name.clone(),
            Some(&name),
            "create",
        );
        table.columns.push(col);
    }

    /// A table constraint, in CREATE TABLE or `ALTER TABLE ... ADD CONSTRAINT`.
    pub(super) fn add_constraint(&mut self, table: &mut Table, tc: &TableConstraint) {
        match tc {
            TableConstraint::PrimaryKey(pk) => {
                let cols = key_columns(&pk.columns);
                let n = pk
                    .name
                    .as_ref()
                    .map(ident_name)
                    .unwrap_or_else(|| self.relation_name(table, None, "pkey"));
                self.set_primary_key(table, n, cols);
            }
            TableConstraint::Unique(u) => {
                let cols = key_columns(&u.columns);
                let n = u
                    .name
                    .as_ref()
                    .map(ident_name)
                    .unwrap_or_else(|| self.relation_name(table, Some(&cols), "key"));
                self.add_unique(table, n, cols);
            }
            TableConstraint::ForeignKey(fk) => {
                let cols = fk.columns.iter().map(ident_name).collect();
                self.add_foreign_key(table, fk.name.as_ref().map(ident_name), cols, fk);
            }
            TableConstraint::Check(ck) => {
                self.add_check(table, ck.name.as_ref().map(ident_name), "", ck)
            }
            _ => {}
        }
    }

    fn set_primary_key(&mut self, table: &mut Table, name: String, columns: Vec<String>) {
        for c in &mut table.columns {
            if columns.contains(&c.name) {
                c.nullable = false;
            }
        }
        table.indexes.push(Index {
            name: name.clone(),
            columns: columns.clone(),
            unique: true,
            primary: true,
            definition: None,
        });
        self.origin(
            ObjectKind::Constraint,
            &table.schema,
            &table.name,
            Some(&name),
            "create",
        );
        table.primary_key = Some(KeyConstraint { name, columns });
    }

    fn add_unique(&mut self, table: &mut Table, name: String, columns: Vec<String>) {
        table.indexes.push(Index {
            name: name.clone(),
            columns: columns.clone(),
            unique: true,
            primary: false,
            definition: None,
        });
        self.origin(
            ObjectKind::Constraint,
            &table.schema,
            &table.name,
            Some(&name),
            "create",
        );
        table
            .unique_constraints
            .push(KeyConstraint { name, columns });
    }

    /// A FOREIGN KEY on `columns` (the column itself when written as a column option), named
    /// `name` or as Postgres names it; `REFERENCES t` without columns means t's primary key.
    fn add_foreign_key(
        &mut self,
        table: &mut Table,
        name: Option<String>,
        columns: Vec<String>,
        fk: &ForeignKeyConstraint,
    ) {
        let (rs, rt) = self.qualify(&fk.foreign_table);
        let name = name.unwrap_or_else(|| self.constraint_name(table, Some(&columns), "fkey"));
        let mut referenced_columns: Vec<String> =
            fk.referred_columns.iter().map(ident_name).collect();
        if referenced_columns.is_empty() {
            referenced_columns = self.referenced_key(table, &rs, &rt);
        }
        let action = |a: Option<String>| a.unwrap_or_else(|| "no action".into()).to_lowercase();
        self.origin(
            ObjectKind::Constraint,
            &table.schema,
            &table.name,
            Some(&name),
            "create",
        );
        table.foreign_keys.push(ForeignKey {
            name,
            columns,
            referenced_schema: rs,
            referenced_table: rt,
            referenced_columns,
            on_delete: action(fk.on_delete.map(|a| a.to_string())),
            on_update: action(fk.on_update.map(|a| a.to_string())),
        });
    }

    /// A CHECK, named `name` or as Postgres names it; `adding` is the column it is an option
    /// of (not yet in `table`), empty for a table constraint.
    fn add_check(&mut self, table: &mut Table, name: Option<String>, adding: &str, ck: &SqlCheck) {
        let expression = ck.expr.to_string();
        let name = name.unwrap_or_else(|| self.check_name(table, adding, &expression));
        self.origin(
            ObjectKind::Constraint,
            &table.schema,
            &table.name,
            Some(&name),
            "create",
        );
        table
            .check_constraints
            .push(CheckConstraint { name, expression });
    }
}

/// The column names of a PRIMARY KEY or UNIQUE table constraint, as written, lowercased.
fn key_columns(columns: &[IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|c| c.column.expr.to_string().to_lowercase())
        .collect()
}
