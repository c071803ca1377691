//! Fixture builders for tests and benchmarks: columns, tables, schemas, constraints, migration
//! rows and files, migration sources and snapshots, each with fixed, deterministic values that
//! a test overrides with struct-update syntax (`AppliedMigration { success: false,
//! ..applied(3, "m3") }`), so that a new field is added here once rather than in every test.
//!
//! Compiled for core's own tests and with the `testing` feature, which the other crates turn on
//! in their dev-dependencies only: it is never part of a production build.

use crate::code::replay::MigrationSource;
use crate::migrations::{
    AppliedMigration, AppliedMigrations, LocalMigration, LocalMigrations, MigrationKind,
};
use crate::schema::{
    CheckConstraint, Column, ForeignKey, Index, KeyConstraint, Schema, Table, TableKind,
};
use crate::section::Section;
use crate::snapshot::{Snapshot, Target};

/// The `collected_at` of every fixture snapshot.
pub const COLLECTED_AT: &str = "2026-01-09T12:00:00Z";

/// Secrets in the shapes log lines carry them (URLs, key=value, headers, provider tokens, a
/// JWT, SQL), each marked `xq7sNN` so a test can look for it anywhere in the output: planted in
/// the collector's inputs by collector/tests/secrets_corpus.rs and into snapshots by core's
/// redaction tests.
pub const SECRET_LOG_LINES: [&str; 20] = [
    "connecting to postgres://app:xq7s01-log@db.internal:5432/app",
    "retry with postgres:/app:xq7s02-log@db/app",
    "retry with postgres:app:xq7s03-log@db/app",
    "dsn=postgres://db/app?sslmode=require&sslpassword=xq7s04-log",
    "password=xq7s05-log",
    "aws key AKIAXQ7S060000000000 in use",
    "AWS_SECRET_ACCESS_KEY=xq7s07-log",
    "aws_secret_access_key: xq7s08-log",
    "X-Api-Key: xq7s09-log",
    "Authorization: Bearer xq7s10",
    "token ghp_xq7s11aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "charge with sk_live_xq7s12aaaaaaaa",
    "slack xoxb-xq7s13-aaaaaaaaaa",
    "jwt eyJhbGciOiJIUzI1NiJ9.eyJ4cTdzMTQiOjF9.xq7s14sig",
    "GITHUB_TOKEN=xq7s15-log DB_PASSWORD=xq7s16-log JWT_SECRET=xq7s17-log",
    "statement: ALTER ROLE app PASSWORD 'xq7s18-log'",
    "dial postgres://db/app?options=-c%20app.password%3Dxq7s19-log",
    "Authorization: Basic xq7s20AAAA==",
    "client_secret=\"xq7s21 with spaces\"",
    "sk-proj-xq7s22aaaaaaaaaaaaaaaaaaaa",
];

/// A column with no default, identity or generation expression.
pub fn col(ordinal: i32, name: &str, data_type: &str, nullable: bool) -> Column {
    Column::new(ordinal, name, data_type, nullable)
}

/// A table in schema `public`.
pub fn table(name: &str, columns: Vec<Column>) -> Table {
    table_in("public", name, columns)
}

/// A table in `schema`.
pub fn table_in(schema: &str, name: &str, columns: Vec<Column>) -> Table {
    Table::new(schema, name, TableKind::Table, columns)
}

/// A schema of `tables` with the one namespace `public`, sorted as collection sorts it.
pub fn schema(tables: Vec<Table>) -> Schema {
    let mut s = Schema {
        schemas: vec!["public".into()],
        tables,
        ..Schema::default()
    };
    s.canonicalize();
    s
}

/// A primary key or UNIQUE constraint.
pub fn key(name: &str, columns: &[&str]) -> KeyConstraint {
    KeyConstraint {
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
    }
}

/// An index that is not the primary key's.
pub fn index(name: &str, columns: &[&str], unique: bool, definition: Option<&str>) -> Index {
    Index {
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        unique,
        primary: false,
        definition: definition.map(str::to_owned),
    }
}

/// A one-column foreign key to `public.table(id)`, ON UPDATE NO ACTION.
pub fn fk(name: &str, column: &str, table: &str, on_delete: &str) -> ForeignKey {
    ForeignKey {
        name: name.into(),
        columns: vec![column.into()],
        referenced_schema: "public".into(),
        referenced_table: table.into(),
        referenced_columns: vec!["id".into()],
        on_delete: on_delete.into(),
        on_update: "no action".into(),
    }
}

/// A CHECK constraint.
pub fn check(name: &str, expression: &str) -> CheckConstraint {
    CheckConstraint {
        name: name.into(),
        expression: expression.into(),
    }
}

/// A successful row of the migrations table: no `installed_on`, a 96-digit checksum, 1 µs.
pub fn applied(version: i64, description: &str) -> AppliedMigration {
    AppliedMigration {
        version,
        description: description.into(),
        installed_on: None,
        success: true,
        checksum: "ab".repeat(48),
        execution_time: 1000,
    }
}

/// The migrations table `public._sqlx_migrations`, present, holding `rows`.
pub fn applied_migrations(rows: Vec<AppliedMigration>) -> AppliedMigrations {
    AppliedMigrations {
        table: "public._sqlx_migrations".into(),
        table_source: None,
        present: true,
        hidden_in: Vec::new(),
        search_path: None,
        rows,
    }
}

/// A simple (not reversible) migration file `NNNN_description.sql` with empty checksums.
pub fn local(version: i64, description: &str) -> LocalMigration {
    LocalMigration {
        version,
        description: description.into(),
        kind: MigrationKind::Simple,
        file: format!("{version:04}_{}.sql", description.replace(' ', "_")),
        no_transaction: false,
        checksum: String::new(),
        checksum_normalized: String::new(),
        checksum_variants: Default::default(),
        has_crlf: false,
        has_bom: false,
        size: 0,
    }
}

/// The folder `migrations` (found by default) holding `files`, nothing ignored.
pub fn local_migrations(files: Vec<LocalMigration>) -> LocalMigrations {
    LocalMigrations {
        directory: "migrations".into(),
        directory_source: "default".into(),
        source_file: None,
        source_line: None,
        ignored_chars: Vec::new(),
        files,
        ignored: Vec::new(),
    }
}

/// Migration `version`, file `NNNN_m.sql`, for the replay.
pub fn migration_source(version: i64, sql: &str) -> MigrationSource {
    MigrationSource {
        version,
        file: format!("{version:04}_m.sql"),
        sql: sql.into(),
    }
}

/// An unlabelled snapshot with every section skipped, collected at [`COLLECTED_AT`].
pub fn snapshot() -> Snapshot {
    Snapshot::new("0.1.0", COLLECTED_AT.into(), Target::default())
}

/// [`snapshot`] labelled `label`.
pub fn labelled(label: &str) -> Snapshot {
    let mut s = snapshot();
    s.target.label = Some(label.into());
    s
}

/// A labelled snapshot whose live schema holds `tables` (in `public`) and whose migrations
/// table holds `rows`.
pub fn snapshot_of(label: &str, tables: Vec<Table>, rows: Vec<AppliedMigration>) -> Snapshot {
    let mut s = labelled(label);
    s.schema = Section::collected(schema(tables));
    s.applied_migrations = Section::collected(applied_migrations(rows));
    s
}

pub mod reference;
mod service;

pub use service::{Service, rejected};

/// A runtime `sqlx::query` call site at `file:line` with `sql` analysed for `backend`.
pub fn query_site(
    file: &str,
    line: u32,
    sql: &str,
    backend: crate::backend::Backend,
) -> crate::code::model::QuerySite {
    crate::code::model::QuerySite {
        file: file.into(),
        line,
        api: "sqlx::query".into(),
        macro_checked: false,
        sql: Some(sql.into()),
        sql_origin: Some("literal".into()),
        sql_line: None,
        target: None,
        target_origin: None,
        not_checkable: None,
        access: Some(crate::code::sql::analyse(sql, backend)),
        scope: Default::default(),
    }
}

/// Service evidence for `role` on Postgres with every part collected and empty: no table,
/// sequence or schema privilege, no setting, no trigger.
pub fn service_evidence(role: &str) -> crate::service::ServiceEvidence {
    use crate::service::{RoleFacts, RoleSource, ServiceEvidence, WriteHooks};
    ServiceEvidence {
        backend: crate::backend::Backend::Postgres,
        role: role.into(),
        role_source: RoleSource::Flag,
        role_facts: Section::collected(RoleFacts {
            superuser: false,
            connecting_user: "gaps".into(),
            active_roles: Vec::new(),
        }),
        tables: Section::collected(Vec::new()),
        columns: Section::collected(Vec::new()),
        sequences: Section::collected(Vec::new()),
        schemas: Section::collected(Vec::new()),
        functions: Section::collected(Vec::new()),
        default_privileges: Section::collected(Vec::new()),
        settings: Section::collected(Vec::new()),
        write_hooks: Section::collected(WriteHooks::default()),
    }
}

/// A table's size now: `rows` rows (estimated and live), 100 bytes a row.
pub fn table_size(schema: &str, name: &str, rows: i64) -> crate::hazards::TableSize {
    crate::hazards::TableSize {
        relation: crate::schema::RelationName {
            schema: schema.into(),
            name: name.into(),
        },
        estimated_rows: Some(rows),
        live_rows: Some(rows),
        bytes: Some(rows * 100),
        bytes_estimated: false,
    }
}

/// A statement of a planned migration, taking `locks` on tables of `public`.
pub fn planned_statement(
    line: u32,
    operation: &str,
    locks: &[(&str, crate::hazards::LockMode)],
    effect: crate::hazards::Effect,
) -> crate::hazards::PlannedStatement {
    crate::hazards::PlannedStatement {
        line,
        sql: format!("{operation} ..."),
        operation: operation.into(),
        locks: locks
            .iter()
            .map(|(t, mode)| crate::hazards::TableLock {
                table: crate::schema::RelationName {
                    schema: "public".into(),
                    name: (*t).into(),
                },
                mode: *mode,
            })
            .collect(),
        effect,
        hazards: Vec::new(),
        changes: Vec::new(),
    }
}

/// A pending migration `NNNN_m.sql` run in a transaction.
pub fn planned_migration(
    version: i64,
    statements: Vec<crate::hazards::PlannedStatement>,
) -> crate::hazards::PlannedMigration {
    crate::hazards::PlannedMigration {
        version,
        file: format!("{version:04}_m.sql"),
        status: crate::hazards::PlanStatus::Pending,
        no_transaction: false,
        lock_timeout: None,
        statements,
        not_analysed: Vec::new(),
    }
}

/// A Postgres plan of `migrations` over tables of `sizes`, default thresholds, replay mode.
pub fn migration_plan(
    migrations: Vec<crate::hazards::PlannedMigration>,
    sizes: Vec<crate::hazards::TableSize>,
) -> crate::hazards::MigrationPlan {
    crate::hazards::MigrationPlan {
        backend: crate::backend::Backend::Postgres,
        linter: "squawk-linter 2.68.0".into(),
        server_version_num: Some(160_004),
        large_table: crate::hazards::SizeThreshold::default(),
        migrations,
        tables: sizes,
        lock_holders: Vec::new(),
        after: crate::hazards::AfterCheck::default(),
        problems: Vec::new(),
    }
}

/// A session holding (`granted`) or waiting for `mode` (as pg_locks spells it).
pub fn lock_blocker(
    pid: i64,
    mode: &str,
    granted: bool,
    state: &str,
    age_secs: f64,
) -> crate::session::LockBlocker {
    crate::session::LockBlocker {
        pid,
        mode: mode.into(),
        granted,
        role: Some("app".into()),
        application_name: None,
        state: Some(state.into()),
        age_secs: Some(age_secs),
        query: Some("SELECT * FROM events WHERE id = $1".into()),
        blocked_by: Vec::new(),
    }
}
