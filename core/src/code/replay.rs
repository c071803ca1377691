//! Replays migration files, in order, into an expected [`Schema`]: CREATE/DROP/ALTER TABLE
//! (add, drop, rename column; alter type; set/drop not null; set/drop default; rename table;
//! add/drop constraint), CREATE/DROP INDEX, CREATE/ALTER/DROP TYPE ... AS ENUM, CREATE DOMAIN,
//! CREATE SCHEMA and CREATE EXTENSION. Every other statement is listed as not modelled with
//! its file and line — never silently dropped. Unnamed indexes and constraints get the names
//! Postgres would give them (`pgnames`: `users_pkey`, `users_email_key`,
//! `posts_user_id_fkey`, shortened to 63 bytes, numbered when taken). Renames and drops carry
//! through to the keys, indexes and foreign keys that name the object, as in Postgres; column
//! ordinals keep the gaps dropped columns leave on Postgres.

mod pgnames;

use std::collections::BTreeMap;

use sqlparser::ast::{
    AlterColumnOperation, AlterIndexOperation, AlterTableOperation, AlterTypeAddValuePosition,
    AlterTypeOperation, ColumnDef, ColumnOption, ObjectName, ObjectType, RenameTableNameKind,
    SchemaName, Statement, TableConstraint, UserDefinedTypeRepresentation,
};
use sqlparser::parser::Parser;

use super::expected::{
    Domain, ExpectationMode, ExpectedSchema, NotModelled, ObjectKind, Origin, ReplayedMigration,
};
use super::sql::{dialect, ident_name, object_name, split_statements};
use crate::schema::{
    CheckConstraint, Column, EnumType, Extension, ForeignKey, Index, KeyConstraint, Schema, Table,
    TableKind,
};
use crate::snapshot::Backend;
use crate::typemap::{is_serial, normalize_sql_type};

/// One migration to replay.
#[derive(Debug, Clone)]
pub struct MigrationSource {
    /// Version.
    pub version: i64,
    /// File name (relative to the migrations directory).
    pub file: String,
    /// The file's text.
    pub sql: String,
}

struct Replay {
    backend: Backend,
    default_schema: String,
    out: ExpectedSchema,
    version: i64,
    file: String,
    line: u32,
    /// The last column number used per (schema, table): Postgres never reuses the number of
    /// a dropped column.
    last_attnum: BTreeMap<(String, String), i32>,
}

/// Replays `migrations` (already in the order sqlx applies them) into an expected schema.
/// Down migrations must not be passed.
pub fn replay(migrations: &[MigrationSource], backend: Backend) -> ExpectedSchema {
    let default_schema = match backend {
        Backend::Postgres => "public",
        Backend::Sqlite => "main",
        Backend::Mysql => "",
    }
    .to_string();
    let mut r = Replay {
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
    };
    let dialect = dialect(backend);
    for m in migrations {
        r.version = m.version;
        r.file = m.file.clone();
        let mut modelled = 0;
        let before = r.out.not_modelled.len();
        for piece in split_statements(&m.sql) {
            r.line = piece.line;
            match Parser::parse_sql(dialect.as_ref(), &piece.text) {
                Ok(stmts) => {
                    for s in &stmts {
                        r.statement(s, &piece.text);
                    }
                }
                Err(e) => {
                    let reason = unmodelled_reason(&piece.text)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("sqlparser cannot read it: {e}"));
                    r.not_modelled(&piece.text, reason);
                }
            }
            modelled += 1;
        }
        let skipped = (r.out.not_modelled.len() - before) as u32;
        r.out.migrations.push(ReplayedMigration {
            version: m.version,
            file: m.file.clone(),
            statements: modelled - skipped.min(modelled),
            not_modelled: skipped,
        });
    }
    r.out.schema.canonicalize();
    r.out.partial_tables.sort();
    r.out.partial_tables.dedup();
    r.out
}

fn leading_words(text: &str) -> String {
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

/// Why a statement of this kind is not modelled, when the kind alone says it.
fn unmodelled_reason(text: &str) -> Option<&'static str> {
    Some(match leading_words(text).as_str() {
        "DO" => "DO blocks run procedural code the replay cannot follow",
        w if w.contains("FUNCTION") || w.contains("PROCEDURE") => {
            "functions and procedures run code the replay cannot follow"
        }
        w if w.contains("TRIGGER") => "triggers are not modelled",
        "GRANT" | "REVOKE" => "privileges are not modelled",
        "EXECUTE" => "dynamic SQL cannot be followed",
        _ => return None,
    })
}

impl Replay {
    fn not_modelled(&mut self, text: &str, reason: impl Into<String>) {
        self.out.not_modelled.push(NotModelled {
            version: self.version,
            file: self.file.clone(),
            line: self.line,
            statement: leading_words(text),
            reason: reason.into(),
        });
    }

    fn origin(
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

    fn qualify(&self, name: &ObjectName) -> (String, String) {
        let (schema, table) = object_name(name);
        (schema.unwrap_or_else(|| self.default_schema.clone()), table)
    }

    fn table_index(&self, schema: &str, name: &str) -> Option<usize> {
        self.out
            .schema
            .tables
            .iter()
            .position(|t| t.schema == schema && t.name == name)
    }

    fn ty(&self, text: &str) -> String {
        normalize_sql_type(text, self.backend)
    }

    /// Whether `name` is taken in `schema` by a relation (table or index) or, when
    /// `constraints`, by a constraint. `current` is the table being built or altered, which is
    /// not in the list meanwhile.
    fn name_taken(&self, schema: &str, current: &Table, name: &str, relations: bool) -> bool {
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
    fn relation_name(&self, table: &Table, columns: Option<&[String]>, label: &str) -> String {
        let addition = columns.map(pgnames::name_addition);
        pgnames::choose(&table.name, addition.as_deref(), label, |n| {
            self.name_taken(&table.schema, table, n, true)
        })
    }

    /// The name Postgres gives an unnamed foreign key or CHECK (unique among the schema's
    /// constraints).
    fn constraint_name(&self, table: &Table, columns: Option<&[String]>, label: &str) -> String {
        let addition = columns.map(pgnames::name_addition);
        pgnames::choose(&table.name, addition.as_deref(), label, |n| {
            self.name_taken(&table.schema, table, n, false)
        })
    }

    /// The name Postgres gives an unnamed CHECK: `t_col_check` when the expression uses
    /// exactly one column, else `t_check`. `adding` is a column being defined, not yet in
    /// `table`.
    fn check_name(&self, table: &Table, adding: &str, expr: &str) -> String {
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
    fn next_ordinal(&mut self, table: &Table) -> i32 {
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
    fn referenced_key(&self, current: &Table, schema: &str, table: &str) -> Vec<String> {
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
    fn for_each_reference(
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

    fn statement(&mut self, stmt: &Statement, text: &str) {
        match stmt {
            Statement::CreateTable(ct) => {
                let (schema, name) = self.qualify(&ct.name);
                if self.table_index(&schema, &name).is_some() {
                    if !ct.if_not_exists {
                        self.not_modelled(
                            text,
                            format!("table {name} already exists at this point"),
                        );
                    }
                    return;
                }
                let mut table = Table {
                    schema: schema.clone(),
                    name: name.clone(),
                    kind: TableKind::Table,
                    columns: Vec::new(),
                    primary_key: None,
                    unique_constraints: Vec::new(),
                    check_constraints: Vec::new(),
                    foreign_keys: Vec::new(),
                    indexes: Vec::new(),
                };
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
            Statement::AlterTable(at) => {
                let (schema, name) = self.qualify(&at.name);
                let Some(mut idx) = self.table_index(&schema, &name) else {
                    if !at.if_exists {
                        self.not_modelled(
                            text,
                            format!("table {name} does not exist at this point"),
                        );
                    }
                    return;
                };
                for op in &at.operations {
                    idx = self.alter(idx, op, text);
                }
            }
            Statement::CreateIndex(ci) => {
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
            Statement::Drop {
                object_type, names, ..
            } => {
                for n in names {
                    let (schema, name) = self.qualify(n);
                    match object_type {
                        ObjectType::Table | ObjectType::View | ObjectType::MaterializedView => {
                            self.out
                                .schema
                                .tables
                                .retain(|t| !(t.schema == schema && t.name == name));
                            // Foreign keys into it go too (CASCADE; without it the drop fails).
                            for t in &mut self.out.schema.tables {
                                t.foreign_keys.retain(|f| {
                                    !(f.referenced_schema == schema && f.referenced_table == name)
                                });
                            }
                            self.last_attnum.remove(&(schema.clone(), name.clone()));
                            self.out.origins.retain(|o| {
                                !(o.table == name
                                    && o.schema == schema
                                    && o.kind != ObjectKind::Enum)
                            });
                        }
                        ObjectType::Index => {
                            for t in &mut self.out.schema.tables {
                                t.indexes.retain(|i| i.name != name);
                            }
                        }
                        ObjectType::Type => {
                            self.out.schema.enums.retain(|e| e.name != name);
                        }
                        _ => self.not_modelled(
                            text,
                            "only tables, views, indexes and types are modelled",
                        ),
                    }
                }
            }
            Statement::AlterIndex {
                name,
                operation: AlterIndexOperation::RenameIndex { index_name },
            } => {
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
                for o in &mut self.out.origins {
                    if o.schema == schema
                        && o.table == table
                        && matches!(o.kind, ObjectKind::Index | ObjectKind::Constraint)
                        && o.name.as_deref() == Some(old.as_str())
                    {
                        o.name = Some(new.clone());
                    }
                }
            }
            Statement::CreateType {
                name,
                representation,
            } => {
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
            Statement::AlterType(at) => {
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
            Statement::CreateDomain(d) => {
                let (schema, name) = self.qualify(&d.name);
                self.out.domains.push(Domain {
                    schema,
                    name,
                    base_type: self.ty(&d.data_type.to_string()),
                    not_null: false,
                });
            }
            Statement::CreateView(v) => {
                let (schema, name) = self.qualify(&v.name);
                self.out
                    .schema
                    .tables
                    .retain(|t| !(t.schema == schema && t.name == name));
                self.out.schema.tables.push(Table {
                    schema: schema.clone(),
                    name: name.clone(),
                    kind: if v.materialized {
                        TableKind::MaterializedView
                    } else {
                        TableKind::View
                    },
                    columns: Vec::new(),
                    primary_key: None,
                    unique_constraints: Vec::new(),
                    check_constraints: Vec::new(),
                    foreign_keys: Vec::new(),
                    indexes: Vec::new(),
                });
                self.out.partial_tables.push(name.clone());
                self.origin(ObjectKind::Table, &schema, &name, None, "create view");
            }
            Statement::CreateSchema { schema_name, .. } => {
                let n = match schema_name {
                    SchemaName::Simple(n) | SchemaName::NamedAuthorization(n, _) => {
                        object_name(n).1
                    }
                    SchemaName::UnnamedAuthorization(i) => ident_name(i),
                };
                self.out.schema.schemas.push(n);
            }
            Statement::CreateExtension(ce) => {
                let name = ident_name(&ce.name);
                if !self.out.schema.extensions.iter().any(|e| e.name == name) {
                    self.out.schema.extensions.push(Extension {
                        name,
                        version: String::new(),
                    });
                }
            }
            // Data changes and session statements leave the schema as it is.
            Statement::Insert(_)
            | Statement::Update(_)
            | Statement::Delete(_)
            | Statement::Query(_)
            | Statement::Set(_)
            | Statement::Comment { .. }
            | Statement::StartTransaction { .. }
            | Statement::Commit { .. } => {}
            _ => {
                let reason =
                    unmodelled_reason(text).unwrap_or("this kind of statement is not modelled");
                self.not_modelled(text, reason);
            }
        }
    }

    fn add_column(&mut self, table: &mut Table, c: &ColumnDef) {
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
                    let (rs, rt) = self.qualify(&fk.foreign_table);
                    let cols = vec![name.clone()];
                    let n =
                        cname.unwrap_or_else(|| self.constraint_name(table, Some(&cols), "fkey"));
                    let mut referred: Vec<String> =
                        fk.referred_columns.iter().map(ident_name).collect();
                    if referred.is_empty() {
                        referred = self.referenced_key(table, &rs, &rt);
                    }
                    self.add_fk(
                        table,
                        n,
                        cols,
                        rs,
                        rt,
                        referred,
                        fk.on_delete.map(|a| a.to_string()),
                        fk.on_update.map(|a| a.to_string()),
                    );
                }
                ColumnOption::Check(ck) => {
                    let expr = ck.expr.to_string();
                    let n = cname.unwrap_or_else(|| self.check_name(table, &name, &expr));
                    self.add_check(table, n, ck.expr.to_string());
                }
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

    #[allow(clippy::too_many_arguments)]
    fn add_fk(
        &mut self,
        table: &mut Table,
        name: String,
        columns: Vec<String>,
        referenced_schema: String,
        referenced_table: String,
        referenced_columns: Vec<String>,
        on_delete: Option<String>,
        on_update: Option<String>,
    ) {
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
            referenced_schema,
            referenced_table,
            referenced_columns,
            on_delete: on_delete
                .unwrap_or_else(|| "no action".into())
                .to_lowercase(),
            on_update: on_update
                .unwrap_or_else(|| "no action".into())
                .to_lowercase(),
        });
    }

    fn add_check(&mut self, table: &mut Table, name: String, expression: String) {
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

    fn add_constraint(&mut self, table: &mut Table, tc: &TableConstraint) {
        match tc {
            TableConstraint::PrimaryKey(pk) => {
                let cols = pk
                    .columns
                    .iter()
                    .map(|c| c.column.expr.to_string().to_lowercase())
                    .collect();
                let n = pk
                    .name
                    .as_ref()
                    .map(ident_name)
                    .unwrap_or_else(|| self.relation_name(table, None, "pkey"));
                self.set_primary_key(table, n, cols);
            }
            TableConstraint::Unique(u) => {
                let cols: Vec<String> = u
                    .columns
                    .iter()
                    .map(|c| c.column.expr.to_string().to_lowercase())
                    .collect();
                let n = u
                    .name
                    .as_ref()
                    .map(ident_name)
                    .unwrap_or_else(|| self.relation_name(table, Some(&cols), "key"));
                self.add_unique(table, n, cols);
            }
            TableConstraint::ForeignKey(fk) => {
                let cols: Vec<String> = fk.columns.iter().map(ident_name).collect();
                let (rs, rt) = self.qualify(&fk.foreign_table);
                let n = fk
                    .name
                    .as_ref()
                    .map(ident_name)
                    .unwrap_or_else(|| self.constraint_name(table, Some(&cols), "fkey"));
                let mut referred: Vec<String> =
                    fk.referred_columns.iter().map(ident_name).collect();
                if referred.is_empty() {
                    referred = self.referenced_key(table, &rs, &rt);
                }
                self.add_fk(
                    table,
                    n,
                    cols,
                    rs,
                    rt,
                    referred,
                    fk.on_delete.map(|a| a.to_string()),
                    fk.on_update.map(|a| a.to_string()),
                );
            }
            TableConstraint::Check(ck) => {
                let text = ck.expr.to_string();
                let n = ck
                    .name
                    .as_ref()
                    .map(ident_name)
                    .unwrap_or_else(|| self.check_name(table, "", &text));
                self.add_check(table, n, text);
            }
            _ => {}
        }
    }

    /// Applies one ALTER TABLE operation; returns the table's index (it moves on rename).
    fn alter(&mut self, idx: usize, op: &AlterTableOperation, text: &str) -> usize {
        let mut table = self.out.schema.tables.remove(idx);
        let (schema, tname) = (table.schema.clone(), table.name.clone());
        match op {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => {
                let exists = table.column(&ident_name(&column_def.name)).is_some();
                if !exists {
                    self.add_column(&mut table, column_def);
                } else if !if_not_exists {
                    self.not_modelled(text, "the column already exists at this point");
                }
            }
            AlterTableOperation::DropColumn { column_names, .. } => {
                for c in column_names {
                    let n = ident_name(c);
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
                    dangling(&mut table);
                    self.out.schema.tables.iter_mut().for_each(dangling);
                }
                if self.backend != Backend::Postgres {
                    // SQLite rebuilds the table: the remaining columns are renumbered.
                    for (i, c) in table.columns.iter_mut().enumerate() {
                        c.ordinal = i as i32 + 1;
                    }
                }
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let (old, new) = (ident_name(old_column_name), ident_name(new_column_name));
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
                self.for_each_reference(&mut table, &schema, &tname, |fk| {
                    follow(&mut fk.referenced_columns)
                });
                self.origin(ObjectKind::Column, &schema, &tname, Some(&new), "rename");
            }
            AlterTableOperation::RenameTable { table_name } => {
                let n = match table_name {
                    RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => object_name(n).1,
                };
                for o in &mut self.out.origins {
                    if o.table == tname && o.schema == schema && o.kind != ObjectKind::Enum {
                        o.table = n.clone();
                    }
                }
                self.for_each_reference(&mut table, &schema, &tname, |fk| {
                    fk.referenced_table = n.clone()
                });
                if let Some(last) = self.last_attnum.remove(&(schema.clone(), tname.clone())) {
                    self.last_attnum.insert((schema.clone(), n.clone()), last);
                }
                table.name = n.clone();
                self.origin(ObjectKind::Table, &schema, &n, None, "rename");
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                let n = ident_name(column_name);
                let Some(col) = table.columns.iter_mut().find(|c| c.name == n) else {
                    self.not_modelled(
                        text,
                        format!("column {tname}.{n} does not exist at this point"),
                    );
                    return self.put_back(table);
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
                        return self.put_back(table);
                    }
                };
                self.origin(ObjectKind::Column, &schema, &tname, Some(&n), action);
            }
            AlterTableOperation::AddConstraint { constraint, .. } => {
                self.add_constraint(&mut table, constraint);
            }
            AlterTableOperation::DropConstraint { name, .. } => {
                let n = ident_name(name);
                if table.primary_key.as_ref().is_some_and(|p| p.name == n) {
                    table.primary_key = None;
                }
                table.unique_constraints.retain(|c| c.name != n);
                table.check_constraints.retain(|c| c.name != n);
                table.foreign_keys.retain(|c| c.name != n);
                table.indexes.retain(|i| i.name != n);
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                let (old, new) = (ident_name(old_name), ident_name(new_name));
                rename_key(&mut table, &old, &new);
                for o in &mut self.out.origins {
                    if o.schema == schema
                        && o.table == tname
                        && matches!(o.kind, ObjectKind::Index | ObjectKind::Constraint)
                        && o.name.as_deref() == Some(old.as_str())
                    {
                        o.name = Some(new.clone());
                    }
                }
            }
            AlterTableOperation::EnableRowLevelSecurity
            | AlterTableOperation::DisableRowLevelSecurity
            | AlterTableOperation::ForceRowLevelSecurity
            | AlterTableOperation::NoForceRowLevelSecurity
            | AlterTableOperation::OwnerTo { .. } => {}
            _ => {
                self.out.partial_tables.push(tname.clone());
                self.not_modelled(text, "this ALTER TABLE operation is not modelled");
            }
        }
        self.put_back(table)
    }

    fn put_back(&mut self, table: Table) -> usize {
        self.out.schema.tables.push(table);
        self.out.schema.tables.len() - 1
    }
}

/// Renames an index or constraint of `table`: a key constraint and the index behind it share
/// the name, so renaming either renames both (as Postgres does).
fn rename_key(table: &mut Table, old: &str, new: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn m(version: i64, sql: &str) -> MigrationSource {
        MigrationSource {
            version,
            file: format!("{version:04}_m.sql"),
            sql: sql.to_string(),
        }
    }

    fn pg(ms: &[MigrationSource]) -> ExpectedSchema {
        replay(ms, Backend::Postgres)
    }

    #[test]
    fn create_table_models_types_nullability_keys_and_defaults() {
        let e = pg(&[m(
            1,
            "CREATE TABLE users (\n  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),\n  email VARCHAR(255) NOT NULL UNIQUE,\n  \
             n SERIAL,\n  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),\n  bio TEXT\n);",
        )]);
        let t = e.schema.table("public", "users").unwrap();
        let c = |n: &str| t.column(n).unwrap();
        assert_eq!(c("id").data_type, "uuid");
        assert!(!c("id").nullable);
        assert_eq!(c("email").data_type, "character varying(255)");
        assert_eq!(c("n").data_type, "integer");
        assert!(!c("n").nullable);
        assert_eq!(c("created_at").data_type, "timestamp with time zone");
        assert!(c("bio").nullable);
        assert_eq!(t.primary_key.as_ref().unwrap().name, "users_pkey");
        assert_eq!(t.unique_constraints[0].name, "users_email_key");
        assert!(e.not_modelled.is_empty(), "{:?}", e.not_modelled);
        let o = e
            .created_by(ObjectKind::Column, "users", Some("email"))
            .unwrap();
        assert_eq!((o.version, o.line), (1, 1));
    }

    #[test]
    fn alter_table_follows_every_modelled_change_in_order() {
        let e = pg(&[
            m(
                1,
                "CREATE TABLE habits (id BIGINT PRIMARY KEY, name TEXT, streak INT);",
            ),
            m(
                2,
                "ALTER TABLE habits ADD COLUMN archived BOOLEAN NOT NULL DEFAULT false;\n\
                 ALTER TABLE habits RENAME COLUMN name TO title;\n\
                 ALTER TABLE habits ALTER COLUMN title SET NOT NULL;\n\
                 ALTER TABLE habits ALTER COLUMN streak TYPE BIGINT;\n\
                 ALTER TABLE habits DROP COLUMN archived;\n\
                 ALTER TABLE habits ALTER COLUMN streak SET DEFAULT 0;",
            ),
            m(3, "ALTER TABLE habits RENAME TO user_habits;"),
        ]);
        assert!(e.schema.table("public", "habits").is_none());
        let t = e.schema.table("public", "user_habits").unwrap();
        let names: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["id", "title", "streak"]);
        assert!(!t.column("title").unwrap().nullable);
        assert_eq!(t.column("streak").unwrap().data_type, "bigint");
        assert_eq!(t.column("streak").unwrap().default.as_deref(), Some("0"));
        let rename = e
            .last_change(ObjectKind::Column, "user_habits", Some("title"))
            .unwrap();
        assert_eq!(
            (rename.version, rename.line, rename.action.as_str()),
            (2, 3, "set not null")
        );
        let created = e
            .created_by(ObjectKind::Table, "user_habits", None)
            .unwrap();
        assert_eq!(created.version, 1);
    }

    #[test]
    fn indexes_enums_and_domains_are_modelled() {
        let e = pg(&[m(
            1,
            "CREATE TYPE quest_status AS ENUM ('open', 'done');\n\
             ALTER TYPE quest_status ADD VALUE 'abandoned';\n\
             CREATE DOMAIN email AS citext;\n\
             CREATE TABLE quests (id INT PRIMARY KEY, status quest_status NOT NULL, owner email);\n\
             CREATE UNIQUE INDEX quests_owner_idx ON quests (owner);\n\
             CREATE INDEX ON quests (status);\n\
             DROP INDEX quests_owner_idx;",
        )]);
        assert_eq!(e.schema.enums[0].labels, ["open", "done", "abandoned"]);
        assert_eq!(e.domains[0].base_type, "citext");
        let t = e.schema.table("public", "quests").unwrap();
        assert_eq!(t.column("status").unwrap().data_type, "quest_status");
        let idx: Vec<&str> = t.indexes.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(idx, ["quests_pkey", "quests_status_idx"]);
    }

    #[test]
    fn unmodelled_statements_are_listed_with_file_and_line() {
        let e = pg(&[m(
            7,
            "CREATE TABLE a (id INT);\n\
             DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN CREATE TABLE b (id INT); END IF; END $$;\n\
             CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.x = now(); RETURN NEW; END $$ LANGUAGE plpgsql;\n\
             INSERT INTO a VALUES (1);",
        )]);
        assert!(e.schema.table("public", "a").is_some());
        assert_eq!(e.not_modelled.len(), 2, "{:?}", e.not_modelled);
        assert_eq!(e.not_modelled[0].line, 2);
        assert_eq!(e.not_modelled[0].statement, "DO");
        assert_eq!(e.not_modelled[1].line, 3);
        assert!(e.not_modelled[1].reason.contains("function"));
        assert_eq!(e.migrations[0].not_modelled, 2);
        assert_eq!(e.migrations[0].statements, 2);
    }

    #[test]
    fn drop_table_forgets_it_and_its_origins() {
        let e = pg(&[
            m(1, "CREATE TABLE t (id INT);"),
            m(2, "DROP TABLE IF EXISTS t;"),
        ]);
        assert!(e.schema.tables.is_empty());
        assert!(e.origins.iter().all(|o| o.table != "t"));
    }

    fn table<'e>(e: &'e ExpectedSchema, name: &str) -> &'e Table {
        e.schema
            .tables
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no table {name}"))
    }

    fn index_names(t: &Table) -> Vec<&str> {
        t.indexes.iter().map(|i| i.name.as_str()).collect()
    }

    #[test]
    fn a_renamed_column_is_renamed_in_every_key_index_check_and_reference() {
        let e = pg(&[
            m(
                1,
                "CREATE TABLE lines (invoice_id INT, position INT NOT NULL CHECK (position > 0), \
                 PRIMARY KEY (invoice_id, position), UNIQUE (position));\n\
                 CREATE INDEX ON lines (abs(position));\n\
                 CREATE TABLE notes (id INT, line_invoice INT, line_pos INT, \
                 FOREIGN KEY (line_invoice, line_pos) REFERENCES lines (invoice_id, position));",
            ),
            m(2, "ALTER TABLE lines RENAME COLUMN position TO line_no;"),
        ]);
        let t = table(&e, "lines");
        let pk = t.primary_key.as_ref().unwrap();
        assert_eq!(pk.columns, ["invoice_id", "line_no"]);
        assert_eq!(t.unique_constraints[0].columns, ["line_no"]);
        assert_eq!(t.check_constraints[0].expression, "line_no > 0");
        let abs = t
            .indexes
            .iter()
            .find(|i| i.name == "lines_abs_idx")
            .unwrap();
        assert_eq!(abs.columns, ["abs(line_no)"]);
        let fk = &table(&e, "notes").foreign_keys[0];
        assert_eq!(fk.referenced_columns, ["invoice_id", "line_no"]);
        assert!(e.not_modelled.is_empty() && e.partial_tables.is_empty());
    }

    #[test]
    fn a_renamed_table_is_followed_by_the_foreign_keys_into_it() {
        let e = pg(&[
            m(
                1,
                "CREATE TABLE owners (id INT PRIMARY KEY, boss INT REFERENCES owners (id));\n\
                 CREATE TABLE pets (id INT, owner_id INT REFERENCES owners);",
            ),
            m(2, "ALTER TABLE owners RENAME TO people;"),
        ]);
        let pets = table(&e, "pets");
        assert_eq!(pets.foreign_keys[0].referenced_table, "people");
        // Without a column list the reference is the primary key.
        assert_eq!(pets.foreign_keys[0].referenced_columns, ["id"]);
        let people = table(&e, "people");
        assert_eq!(people.foreign_keys[0].referenced_table, "people");
        // Postgres keeps the names the constraints got under the old table name.
        assert_eq!(people.primary_key.as_ref().unwrap().name, "owners_pkey");
    }

    #[test]
    fn dropping_a_table_or_column_drops_what_depends_on_it() {
        let e = pg(&[
            m(
                1,
                "CREATE TABLE owners (id INT PRIMARY KEY, code TEXT UNIQUE);\n\
                 CREATE TABLE pets (id INT PRIMARY KEY, owner_id INT REFERENCES owners (id), \
                 owner_code TEXT REFERENCES owners (code), name TEXT, legs INT CHECK (legs >= 0));\n\
                 CREATE INDEX ON pets (lower(name));",
            ),
            m(
                2,
                "DROP TABLE owners CASCADE;\n\
                 ALTER TABLE pets DROP COLUMN id, DROP COLUMN name, DROP COLUMN legs;",
            ),
        ]);
        let pets = table(&e, "pets");
        assert!(pets.foreign_keys.is_empty(), "{:?}", pets.foreign_keys);
        assert!(pets.primary_key.is_none());
        assert!(pets.indexes.is_empty(), "{:?}", pets.indexes);
        assert!(pets.check_constraints.is_empty());
    }

    #[test]
    fn postgres_keeps_the_numbers_of_dropped_columns_sqlite_does_not() {
        let sql = [
            m(1, "CREATE TABLE t (a INT, b INT, c INT);"),
            m(2, "ALTER TABLE t DROP COLUMN b;"),
            m(3, "ALTER TABLE t DROP COLUMN c;"),
            m(4, "ALTER TABLE t ADD COLUMN d INT;"),
        ];
        let ordinals = |e: &ExpectedSchema| -> Vec<(String, i32)> {
            table(e, "t")
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ordinal))
                .collect()
        };
        assert_eq!(
            ordinals(&pg(&sql)),
            [("a".to_string(), 1), ("d".to_string(), 4)]
        );
        assert_eq!(
            ordinals(&replay(&sql, Backend::Sqlite)),
            [("a".to_string(), 1), ("d".to_string(), 2)]
        );
    }

    #[test]
    fn unnamed_indexes_and_keys_get_the_names_postgres_gives_them() {
        let long = "a_table_with_a_really_quite_long_name_for_testing_identifiers";
        let e = pg(&[m(
            1,
            &format!(
                "CREATE TABLE {long} (a_column_with_a_really_quite_long_name_too BIGINT PRIMARY KEY, \
                 other_long_column_name_that_is_also_unique TEXT UNIQUE);\n\
                 CREATE INDEX ON {long} (other_long_column_name_that_is_also_unique);\n\
                 CREATE TABLE t (a INT, b INT CHECK (b > a), c INT, CHECK (c > 0));\n\
                 CREATE INDEX ON t (a);\n\
                 CREATE INDEX ON t (a);\n\
                 CREATE INDEX ON t ((a + b));\n\
                 CREATE INDEX ON t (lower(c::text));"
            ),
        )]);
        let lt = table(&e, long);
        assert_eq!(
            index_names(lt),
            [
                "a_table_with_a_really_quite_l_other_long_column_name_that_i_idx",
                "a_table_with_a_really_quite_l_other_long_column_name_that_i_key",
                "a_table_with_a_really_quite_long_name_for_testing_identifi_pkey",
            ]
        );
        let t = table(&e, "t");
        assert_eq!(
            index_names(t),
            ["t_a_idx", "t_a_idx1", "t_expr_idx", "t_lower_idx"]
        );
        let checks: Vec<&str> = t
            .check_constraints
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(checks, ["t_c_check", "t_check"]);
    }

    #[test]
    fn renaming_an_index_or_a_constraint_renames_the_pair() {
        let e = pg(&[
            m(
                1,
                "CREATE TABLE a (id INT PRIMARY KEY, n INT, CONSTRAINT a_n_uq UNIQUE (n));\n\
                 CREATE INDEX a_live ON a (n) WHERE n > 0;",
            ),
            m(
                2,
                "ALTER INDEX a_live RENAME TO a_n_live;\n\
                 ALTER INDEX a_pkey RENAME TO a_pk;\n\
                 ALTER TABLE a RENAME CONSTRAINT a_n_uq TO a_n_key;",
            ),
        ]);
        let t = table(&e, "a");
        assert_eq!(index_names(t), ["a_n_key", "a_n_live", "a_pk"]);
        assert_eq!(t.primary_key.as_ref().unwrap().name, "a_pk");
        assert_eq!(t.unique_constraints[0].name, "a_n_key");
        assert!(e.not_modelled.is_empty(), "{:?}", e.not_modelled);
        assert!(e.partial_tables.is_empty());
        let o = e
            .created_by(ObjectKind::Index, "a", Some("a_n_live"))
            .unwrap();
        assert_eq!(o.version, 1);
    }

    #[test]
    fn sqlite_dialect_replays_its_own_syntax() {
        let e = replay(
            &[m(
                1,
                "CREATE TABLE books (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, isbn TEXT);\n\
                 ALTER TABLE books ADD COLUMN pages INTEGER;\n\
                 CREATE TRIGGER bt AFTER INSERT ON books BEGIN UPDATE books SET pages = 0; END;",
            )],
            Backend::Sqlite,
        );
        let t = e.schema.table("main", "books").unwrap();
        assert_eq!(t.columns.len(), 4);
        assert_eq!(t.column("id").unwrap().data_type, "integer");
        assert_eq!(e.not_modelled.len(), 1);
        assert_eq!(e.not_modelled[0].line, 3);
    }

    #[test]
    fn unnamed_checks_get_the_names_postgres_gives_them() {
        // Names as PostgreSQL 15 chose them for this statement.
        let e = pg(&[m(
            1,
            "CREATE TABLE t (amount numeric CHECK (amount > 0), n int, y int CHECK (n < y), \
             CHECK (amount > 1), CONSTRAINT named CHECK (n > 0));",
        )]);
        let t = e.schema.table("public", "t").unwrap();
        let names: Vec<&str> = t
            .check_constraints
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["named", "t_amount_check", "t_amount_check1", "t_check"]
        );
        assert!(
            e.created_by(ObjectKind::Constraint, "t", Some("t_amount_check1"))
                .is_some()
        );
    }

    #[test]
    fn column_renames_and_drops_carry_over_to_constraints() {
        let e = pg(&[
            m(
                1,
                "CREATE TABLE users (id BIGINT PRIMARY KEY, score INT CHECK (score >= 0), \
                 cap INT, CHECK (score < cap));\n\
                 CREATE TABLE posts (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users (id));",
            ),
            m(
                2,
                "ALTER TABLE users RENAME COLUMN score TO points;\n\
                 ALTER TABLE users DROP COLUMN cap;\n\
                 ALTER TABLE users RENAME COLUMN id TO user_id;\n\
                 ALTER TABLE users RENAME TO members;\n\
                 ALTER TABLE members RENAME CONSTRAINT users_score_check TO points_positive;",
            ),
        ]);
        let t = e.schema.table("public", "members").unwrap();
        assert_eq!(t.check_constraints.len(), 1, "{:?}", t.check_constraints);
        assert_eq!(t.check_constraints[0].name, "points_positive");
        assert_eq!(t.check_constraints[0].expression, "points >= 0");
        assert_eq!(t.primary_key.as_ref().unwrap().columns, ["user_id"]);
        let fk = &e.schema.table("public", "posts").unwrap().foreign_keys[0];
        assert_eq!(fk.referenced_table, "members");
        assert_eq!(fk.referenced_columns, ["user_id"]);
        assert!(
            e.created_by(ObjectKind::Constraint, "members", Some("points_positive"))
                .is_some()
        );
        assert!(e.not_modelled.is_empty(), "{:?}", e.not_modelled);
    }
}
