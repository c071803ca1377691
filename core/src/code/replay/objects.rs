//! The statements about objects other than a table's own definition: CREATE/DROP/ALTER INDEX,
//! DROP TABLE/VIEW/TYPE, CREATE/ALTER TYPE ... AS ENUM, CREATE DOMAIN, CREATE VIEW, CREATE
//! SCHEMA and CREATE EXTENSION, one handler each.

use sqlparser::ast::{
    AlterType, AlterTypeAddValuePosition, AlterTypeOperation, CreateDomain, CreateExtension,
    CreateIndex, CreateView, ObjectName, ObjectType, SchemaName, UserDefinedTypeRepresentation,
};

use super::pgnames;
use super::state::{Replay, rename_key};
use crate::code::expected::{Domain, ObjectKind};
use crate::code::sql::{ident_name, object_name};
use crate::schema::{EnumType, Extension, Index, Table, TableKind};

impl Replay {
    pub(super) fn create_index(&mut self, ci: &CreateIndex, text: &str) {
        let (schema, table) = self.qualify(&ci.table_name);
        let Some(idx) = self.table_index(&schema, &table) else {
            self.not_modelled(text, format!("table {table} does not exist at this point"));
            return;
        };
        let columns: Vec<String> = ci
            .columns
            .iter()
            .map(|c| match &c.column.expr {
                sqlparser::ast::Expr::Identifier(id) => ident_name(id),
                other => other.to_string(),
            })
            .collect();
        let name = match &ci.name {
            Some(n) => {
                let n = object_name(n).1;
                let t = &self.out.schema.tables[idx];
                if self.name_taken(&schema, t, &n, true) {
                    // IF NOT EXISTS, or an error that stops the migration.
                    return;
                }
                n
            }
            None => {
                let keys: Vec<String> = ci
                    .columns
                    .iter()
                    .map(|c| pgnames::index_column_name(&c.column.expr))
                    .collect();
                self.relation_name(&self.out.schema.tables[idx], Some(&keys), "idx")
            }
        };
        let t = &mut self.out.schema.tables[idx];
        t.indexes.push(Index {
            name: name.clone(),
            columns,
            unique: ci.unique,
            primary: false,
            definition: Some(text.to_string()),
        });
        self.origin(ObjectKind::Index, &schema, &table, Some(&name), "create");
    }

    pub(super) fn drop(&mut self, object_type: &ObjectType, names: &[ObjectName], text: &str) {
        for n in names {
            let (schema, name) = self.qualify(n);
            match object_type {
                ObjectType::Table | ObjectType::View | ObjectType::MaterializedView => {
                    self.drop_relation(&schema, &name)
                }
                ObjectType::Index => {
                    for t in &mut self.out.schema.tables {
                        t.indexes.retain(|i| i.name != name);
                    }
                }
                ObjectType::Type => {
                    self.out.schema.enums.retain(|e| e.name != name);
                }
                _ => self.not_modelled(text, "only tables, views, indexes and types are modelled"),
            }
        }
    }

    fn drop_relation(&mut self, schema: &str, name: &str) {
        if self.table_index(schema, name).is_some() {
            self.removal(schema, name, None, None);
        }
        self.out
            .schema
            .tables
            .retain(|t| !(t.schema == schema && t.name == name));
        // Foreign keys into it go too (CASCADE; without it the drop fails).
        for t in &mut self.out.schema.tables {
            t.foreign_keys
                .retain(|f| !(f.referenced_schema == schema && f.referenced_table == name));
        }
        self.last_attnum
            .remove(&(schema.to_string(), name.to_string()));
        self.out
            .origins
            .retain(|o| !(o.table == name && o.schema == schema && o.kind != ObjectKind::Enum));
    }

    pub(super) fn rename_index(&mut self, name: &ObjectName, index_name: &ObjectName, text: &str) {
        let (schema, old) = self.qualify(name);
        let new = object_name(index_name).1;
        let Some(t) = self
            .out
            .schema
            .tables
            .iter_mut()
            .find(|t| t.schema == schema && t.indexes.iter().any(|i| i.name == old))
        else {
            self.not_modelled(text, format!("index {old} is not known at this point"));
            return;
        };
        let table = t.name.clone();
        rename_key(t, &old, &new);
        self.rename_origins(&schema, &table, &old, &new);
    }

    pub(super) fn create_type(
        &mut self,
        name: &ObjectName,
        representation: Option<&UserDefinedTypeRepresentation>,
        text: &str,
    ) {
        let (schema, tname) = self.qualify(name);
        match representation {
            Some(UserDefinedTypeRepresentation::Enum { labels }) => {
                self.out.schema.enums.push(EnumType {
                    schema: schema.clone(),
                    name: tname.clone(),
                    labels: labels.iter().map(|l| l.value.clone()).collect(),
                });
                self.origin(ObjectKind::Enum, &schema, &tname, None, "create");
            }
            _ => self.not_modelled(text, "only enum types are modelled"),
        }
    }

    pub(super) fn alter_type(&mut self, at: &AlterType, text: &str) {
        let (_, tname) = self.qualify(&at.name);
        let Some(e) = self.out.schema.enums.iter_mut().find(|e| e.name == tname) else {
            self.not_modelled(text, format!("enum {tname} is not known at this point"));
            return;
        };
        match &at.operation {
            AlterTypeOperation::AddValue(v) => {
                if e.labels.contains(&v.value.value) {
                    return;
                }
                let pos = match &v.position {
                    Some(AlterTypeAddValuePosition::Before(b)) => {
                        e.labels.iter().position(|l| *l == b.value)
                    }
                    Some(AlterTypeAddValuePosition::After(a)) => {
                        e.labels.iter().position(|l| *l == a.value).map(|p| p + 1)
                    }
                    None => None,
                };
                match pos {
                    Some(p) => e.labels.insert(p, v.value.value.clone()),
                    None => e.labels.push(v.value.value.clone()),
                }
            }
            AlterTypeOperation::RenameValue(rv) => {
                for l in &mut e.labels {
                    if *l == rv.from.value {
                        *l = rv.to.value.clone();
                    }
                }
            }
            AlterTypeOperation::Rename(rn) => e.name = ident_name(&rn.new_name),
        }
    }

    pub(super) fn create_domain(&mut self, d: &CreateDomain) {
        let (schema, name) = self.qualify(&d.name);
        self.out.domains.push(Domain {
            schema,
            name,
            base_type: self.ty(&d.data_type.to_string()),
            not_null: false,
        });
    }

    pub(super) fn create_view(&mut self, v: &CreateView) {
        let (schema, name) = self.qualify(&v.name);
        self.out
            .schema
            .tables
            .retain(|t| !(t.schema == schema && t.name == name));
        let kind = if v.materialized {
            TableKind::MaterializedView
        } else {
            TableKind::View
        };
        self.out
            .schema
            .tables
            .push(Table::new(&schema, &name, kind, Vec::new()));
        self.out.partial_tables.push(name.clone());
        self.origin(ObjectKind::Table, &schema, &name, None, "create view");
    }

    pub(super) fn create_schema(&mut self, schema_name: &SchemaName) {
        let n = match schema_name {
            SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => object_name(n).1,
            SchemaName::UnnamedAuthorization(i) => ident_name(i),
        };
        self.out.schema.schemas.push(n);
    }

    pub(super) fn create_extension(&mut self, ce: &CreateExtension) {
        let name = ident_name(&ce.name);
        if !self.out.schema.extensions.iter().any(|e| e.name == name) {
            self.out.schema.extensions.push(Extension {
                name,
                version: String::new(),
            });
        }
    }
}
