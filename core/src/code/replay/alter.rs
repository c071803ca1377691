//! ALTER TABLE, one handler per operation: add, drop, rename and alter a column, rename the
//! table, add, drop and rename a constraint. The table is taken out of the list while it is
//! altered (so that naming sees it once, as `current`) and put back after each operation.

use sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, ColumnDef, Ident, RenameTableNameKind,
};

use super::pgnames;
use super::state::{Replay, rename_key};
use crate::backend::Backend;
use crate::code::expected::ObjectKind;
use crate::code::sql::{ident_name, object_name};
use crate::schema::Table;
use crate::typemap::normalize_sql_type;

impl Replay {
    pub(super) fn alter_table(&mut self, at: &AlterTable, text: &str) {
        let (schema, name) = self.qualify(&at.name);
        let Some(mut idx) = self.table_index(&schema, &name) else {
            if !at.if_exists {
                self.not_modelled(text, format!("table {name} does not exist at this point"));
            }
            return;
        };
        for op in &at.operations {
            idx = self.alter(idx, op, text);
        }
    }

    /// Applies one ALTER TABLE operation; returns the table's index (it moves on rename).
    fn alter(&mut self, idx: usize, op: &AlterTableOperation, text: &str) -> usize {
        let mut table = self.out.schema.tables.remove(idx);
        match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => self.add_column_if_new(&mut table, column_def, *if_not_exists, text),
            AlterTableOperation::DropColumn { column_names, .. } => {
                self.drop_columns(&mut table, column_names)
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => self.rename_column(&mut table, old_column_name, new_column_name),
            AlterTableOperation::RenameTable { table_name } => {
                self.rename_table(&mut table, table_name)
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                self.alter_column(&mut table, column_name, op, text)
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                self.add_constraint(&mut table, constraint);
            }
            AlterTableOperation::DropConstraint { name, .. } => {
                drop_constraint(&mut table, &ident_name(name))
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                let (old, new) = (ident_name(old_name), ident_name(new_name));
                rename_key(&mut table, &old, &new);
                self.rename_origins(&table.schema, &table.name, &old, &new);
            }
            AlterTableOperation::EnableRowLevelSecurity
            | AlterTableOperation::DisableRowLevelSecurity
            | AlterTableOperation::ForceRowLevelSecurity
            | AlterTableOperation::NoForceRowLevelSecurity
            | AlterTableOperation::OwnerTo { .. } => {}
            _ => {
                self.out.partial_tables.push(table.name.clone());
                self.not_modelled(text, "this ALTER TABLE operation is not modelled");
            }
        }
        self.put_back(table)
    }

    fn add_column_if_new(
        &mut self,
        table: &mut Table,
        column_def: &ColumnDef,
        if_not_exists: bool,
        text: &str,
    ) {
        let exists = table.column(&ident_name(&column_def.name)).is_some();
        if !exists {
            self.add_column(table, column_def);
        } else if !if_not_exists {
            self.not_modelled(text, "the column already exists at this point");
        }
    }

    fn drop_columns(&mut self, table: &mut Table, column_names: &[Ident]) {
        let (schema, tname) = (table.schema.clone(), table.name.clone());
        for c in column_names {
            let n = ident_name(c);
            if table.column(&n).is_some() {
                self.removal(&schema, &tname, Some(&n), None);
            }
            // Postgres drops every index and constraint that involves the column, and
            // (with CASCADE) the foreign keys that reference it.
            table.columns.retain(|col| col.name != n);
            let mentions = |e: &str| pgnames::words(e).contains(&n.to_lowercase());
            table
                .indexes
                .retain(|i| !i.columns.iter().any(|c| *c == n || mentions(c)));
            table.unique_constraints.retain(|u| !u.columns.contains(&n));
            table.foreign_keys.retain(|f| !f.columns.contains(&n));
            table.check_constraints.retain(|k| !mentions(&k.expression));
            if table
                .primary_key
                .as_ref()
                .is_some_and(|k| k.columns.contains(&n))
            {
                table.primary_key = None;
            }
            let (s, t) = (schema.clone(), tname.clone());
            let dangling = |ts: &mut Table| {
                ts.foreign_keys.retain(|f| {
                    !(f.referenced_schema == s
                        && f.referenced_table == t
                        && f.referenced_columns.contains(&n))
                })
            };
            dangling(table);
            self.out.schema.tables.iter_mut().for_each(dangling);
        }
        if self.backend != Backend::Postgres {
            // SQLite rebuilds the table: the remaining columns are renumbered.
            for (i, c) in table.columns.iter_mut().enumerate() {
                c.ordinal = i as i32 + 1;
            }
        }
    }

    fn rename_column(&mut self, table: &mut Table, old: &Ident, new: &Ident) {
        let (schema, tname) = (table.schema.clone(), table.name.clone());
        let (old, new) = (ident_name(old), ident_name(new));
        self.removal(&schema, &tname, Some(&old), Some(&new));
        for c in &mut table.columns {
            if c.name == old {
                c.name = new.clone();
            }
        }
        // Keys, indexes (expressions too) and CHECKs follow the column, as do the
        // foreign keys that reference it.
        let follow = |cols: &mut Vec<String>| {
            for c in cols.iter_mut() {
                if *c == old {
                    *c = new.clone();
                }
            }
        };
        for i in &mut table.indexes {
            follow(&mut i.columns);
            for c in &mut i.columns {
                *c = pgnames::rename_word(c, &old, &new);
            }
        }
        if let Some(k) = &mut table.primary_key {
            follow(&mut k.columns);
        }
        for k in &mut table.unique_constraints {
            follow(&mut k.columns);
        }
        for k in &mut table.foreign_keys {
            follow(&mut k.columns);
        }
        for k in &mut table.check_constraints {
            k.expression = pgnames::rename_word(&k.expression, &old, &new);
        }
        self.for_each_reference(table, &schema, &tname, |fk| {
            follow(&mut fk.referenced_columns)
        });
        self.origin(ObjectKind::Column, &schema, &tname, Some(&new), "rename");
    }

    fn rename_table(&mut self, table: &mut Table, table_name: &RenameTableNameKind) {
        let (schema, tname) = (table.schema.clone(), table.name.clone());
        let n = match table_name {
            RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => object_name(n).1,
        };
        for o in &mut self.out.origins {
            if o.table == tname && o.schema == schema && o.kind != ObjectKind::Enum {
                o.table = n.clone();
            }
        }
        self.for_each_reference(table, &schema, &tname, |fk| fk.referenced_table = n.clone());
        if let Some(last) = self.last_attnum.remove(&(schema.clone(), tname.clone())) {
            self.last_attnum.insert((schema.clone(), n.clone()), last);
        }
        table.name = n.clone();
        self.removal(&schema, &tname, None, Some(&n));
        self.origin(ObjectKind::Table, &schema, &n, None, "rename");
    }

    fn alter_column(
        &mut self,
        table: &mut Table,
        column_name: &Ident,
        op: &AlterColumnOperation,
        text: &str,
    ) {
        let n = ident_name(column_name);
        let Some(col) = table.columns.iter_mut().find(|c| c.name == n) else {
            self.not_modelled(
                text,
                format!("column {}.{n} does not exist at this point", table.name),
            );
            return;
        };
        let action = match op {
            AlterColumnOperation::SetNotNull => {
                col.nullable = false;
                "set not null"
            }
            AlterColumnOperation::DropNotNull => {
                col.nullable = true;
                "drop not null"
            }
            AlterColumnOperation::SetDefault { value } => {
                col.default = Some(value.to_string());
                "set default"
            }
            AlterColumnOperation::DropDefault => {
                col.default = None;
                "drop default"
            }
            AlterColumnOperation::SetDataType { data_type, .. } => {
                col.data_type = normalize_sql_type(&data_type.to_string(), self.backend);
                "alter type"
            }
            _ => {
                self.not_modelled(text, "this column change is not modelled");
                return;
            }
        };
        self.origin(
            ObjectKind::Column,
            &table.schema,
            &table.name,
            Some(&n),
            action,
        );
    }
}

/// Drops constraint `n` (and the index behind a key constraint).
fn drop_constraint(table: &mut Table, n: &str) {
    if table.primary_key.as_ref().is_some_and(|p| p.name == n) {
        table.primary_key = None;
    }
    table.unique_constraints.retain(|c| c.name != n);
    table.check_constraints.retain(|c| c.name != n);
    table.foreign_keys.retain(|c| c.name != n);
    table.indexes.retain(|i| i.name != n);
}
