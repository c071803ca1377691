//! Replays migration files, in order, into an expected [`Schema`]: CREATE/DROP/ALTER TABLE
//! (add, drop, rename column; alter type; set/drop not null; set/drop default; rename table;
//! add/drop constraint), CREATE/DROP INDEX, CREATE/ALTER/DROP TYPE ... AS ENUM, CREATE DOMAIN,
//! CREATE SCHEMA and CREATE EXTENSION. Every other statement is listed as not modelled with
//! its file and line — never silently dropped. Unnamed constraints get Postgres' default names
//! (`users_pkey`, `users_email_key`, `posts_user_id_fkey`).

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, AlterTypeAddValuePosition, AlterTypeOperation,
    ColumnDef, ColumnOption, ObjectName, ObjectType, RenameTableNameKind, SchemaName, Statement,
    TableConstraint, UserDefinedTypeRepresentation,
};
use sqlparser::parser::Parser;

use super::expected::{
    Domain, ExpectationMode, ExpectedSchema, NotModelled, ObjectKind, Origin, ReplayedMigration,
};
use super::expr;
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

fn pg_name(parts: &[&str], suffix: &str) -> String {
    let mut s = parts.join("_");
    s.push('_');
    s.push_str(suffix);
    s.chars().take(63).collect()
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
                    Some(n) => object_name(n).1,
                    None => {
                        let mut parts: Vec<&str> = vec![&table];
                        parts.extend(columns.iter().map(String::as_str));
                        pg_name(&parts, "idx")
                    }
                };
                let t = &mut self.out.schema.tables[idx];
                if t.indexes.iter().any(|i| i.name == name) {
                    return;
                }
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
            ordinal: table.columns.len() as i32 + 1,
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
                    let n = cname.unwrap_or_else(|| format!("{}_pkey", table.name));
                    self.set_primary_key(table, n, vec![name.clone()]);
                }
                ColumnOption::Unique(_) => {
                    let n = cname.unwrap_or_else(|| pg_name(&[&table.name, &name], "key"));
                    self.add_unique(table, n, vec![name.clone()]);
                }
                ColumnOption::ForeignKey(fk) => {
                    let (rs, rt) = self.qualify(&fk.foreign_table);
                    let n = cname.unwrap_or_else(|| pg_name(&[&table.name, &name], "fkey"));
                    self.add_fk(
                        table,
                        n,
                        vec![name.clone()],
                        rs,
                        rt,
                        fk.referred_columns.iter().map(ident_name).collect(),
                        fk.on_delete.map(|a| a.to_string()),
                        fk.on_update.map(|a| a.to_string()),
                    );
                }
                ColumnOption::Check(ck) => {
                    let text = ck.expr.to_string();
                    let n = cname.unwrap_or_else(|| self.check_name(table, Some(&name), &text));
                    self.add_check(table, n, text);
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

    /// The name Postgres gives an unnamed CHECK: `{table}_{column}_check` when the expression
    /// references exactly one column, else `{table}_check`; a taken name gets `1`, `2`, ...
    /// `adding` is the column being defined, not yet in `table`.
    fn check_name(&self, table: &Table, adding: Option<&str>, expression: &str) -> String {
        let cols = expr::referenced_columns(expression, self.backend);
        let cols: Vec<&String> = cols
            .iter()
            .filter(|c| table.column(c).is_some() || adding == Some(c.as_str()))
            .collect();
        let base = match cols.as_slice() {
            [only] => pg_name(&[&table.name, only], "check"),
            _ => pg_name(&[&table.name], "check"),
        };
        let taken = |n: &str| {
            table.check_constraints.iter().any(|c| c.name == n)
                || table.unique_constraints.iter().any(|c| c.name == n)
                || table.foreign_keys.iter().any(|c| c.name == n)
                || table.primary_key.as_ref().is_some_and(|c| c.name == n)
        };
        if !taken(&base) {
            return base;
        }
        (1..)
            .map(|i| format!("{base}{i}"))
            .find(|n| !taken(n))
            .unwrap_or(base)
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
                    .unwrap_or_else(|| format!("{}_pkey", table.name));
                self.set_primary_key(table, n, cols);
            }
            TableConstraint::Unique(u) => {
                let cols: Vec<String> = u
                    .columns
                    .iter()
                    .map(|c| c.column.expr.to_string().to_lowercase())
                    .collect();
                let n = u.name.as_ref().map(ident_name).unwrap_or_else(|| {
                    let mut parts: Vec<&str> = vec![&table.name];
                    parts.extend(cols.iter().map(String::as_str));
                    pg_name(&parts, "key")
                });
                self.add_unique(table, n, cols);
            }
            TableConstraint::ForeignKey(fk) => {
                let cols: Vec<String> = fk.columns.iter().map(ident_name).collect();
                let (rs, rt) = self.qualify(&fk.foreign_table);
                let n = fk.name.as_ref().map(ident_name).unwrap_or_else(|| {
                    let mut parts: Vec<&str> = vec![&table.name];
                    parts.extend(cols.iter().map(String::as_str));
                    pg_name(&parts, "fkey")
                });
                self.add_fk(
                    table,
                    n,
                    cols,
                    rs,
                    rt,
                    fk.referred_columns.iter().map(ident_name).collect(),
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
                    .unwrap_or_else(|| self.check_name(table, None, &text));
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
                    table.columns.retain(|col| col.name != n);
                    table.indexes.retain(|i| !i.columns.contains(&n));
                    table.unique_constraints.retain(|u| !u.columns.contains(&n));
                    table.foreign_keys.retain(|f| !f.columns.contains(&n));
                    // Postgres drops the constraints that involve the column with it.
                    if table
                        .primary_key
                        .as_ref()
                        .is_some_and(|p| p.columns.contains(&n))
                    {
                        table.primary_key = None;
                    }
                    let backend = self.backend;
                    table
                        .check_constraints
                        .retain(|k| !expr::referenced_columns(&k.expression, backend).contains(&n));
                }
                for (i, c) in table.columns.iter_mut().enumerate() {
                    c.ordinal = i as i32 + 1;
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
                let rename = |cols: &mut Vec<String>| {
                    for c in cols.iter_mut() {
                        if *c == old {
                            *c = new.clone();
                        }
                    }
                };
                for i in &mut table.indexes {
                    rename(&mut i.columns);
                }
                if let Some(pk) = &mut table.primary_key {
                    rename(&mut pk.columns);
                }
                for u in &mut table.unique_constraints {
                    rename(&mut u.columns);
                }
                for f in &mut table.foreign_keys {
                    rename(&mut f.columns);
                    if f.referenced_table == tname && f.referenced_schema == schema {
                        rename(&mut f.referenced_columns);
                    }
                }
                for other in &mut self.out.schema.tables {
                    for f in &mut other.foreign_keys {
                        if f.referenced_table == tname && f.referenced_schema == schema {
                            rename(&mut f.referenced_columns);
                        }
                    }
                }
                // Postgres keeps constraints by column number: their text follows the rename.
                for k in &mut table.check_constraints {
                    if let Some(t) = expr::rename_column(&k.expression, &old, &new, self.backend) {
                        k.expression = t;
                    }
                }
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
                // Foreign keys follow the referenced table (by oid) to its new name.
                for f in self
                    .out
                    .schema
                    .tables
                    .iter_mut()
                    .flat_map(|t| t.foreign_keys.iter_mut())
                    .chain(table.foreign_keys.iter_mut())
                {
                    if f.referenced_table == tname && f.referenced_schema == schema {
                        f.referenced_table = n.clone();
                    }
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
                let names = table
                    .primary_key
                    .iter_mut()
                    .map(|k| &mut k.name)
                    .chain(table.unique_constraints.iter_mut().map(|k| &mut k.name))
                    .chain(table.check_constraints.iter_mut().map(|k| &mut k.name))
                    .chain(table.foreign_keys.iter_mut().map(|k| &mut k.name))
                    .chain(table.indexes.iter_mut().map(|k| &mut k.name));
                for n in names {
                    if *n == old {
                        *n = new.clone();
                    }
                }
                for o in &mut self.out.origins {
                    if o.kind == ObjectKind::Constraint
                        && o.table == tname
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
