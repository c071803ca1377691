//! Attribution of statement sites to the databases of a project.

use std::collections::BTreeMap;

use super::*;
use crate::backend::Backend;
use crate::code::model::{MigrateMacro, SiteScope};
use crate::code::sql::analyse;

fn db(migrations: &str, at: &str, tables: &[&str], target: bool) -> ProjectDatabase {
    ProjectDatabase {
        migrations: migrations.into(),
        declared_at: vec![at.into()],
        tables: tables.iter().map(|t| t.to_string()).collect(),
        target,
        ..ProjectDatabase::default()
    }
}

fn site(file: &str, line: u32, sql: &str) -> QuerySite {
    QuerySite {
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
        access: Some(analyse(sql, Backend::Sqlite)),
        scope: SiteScope::default(),
    }
}

fn macro_at(file: &str, line: u32, dir: &str) -> MigrateMacro {
    MigrateMacro {
        file: file.into(),
        line,
        directory: dir.into(),
    }
}

/// A client crate with three databases on three pools and an importer of a foreign file.
fn project() -> CodeEvidence {
    CodeEvidence {
        databases: vec![
            db(
                "./migrations",
                "src/history/mod.rs:20",
                &["history", "settings"],
                true,
            ),
            db(
                "./record-migrations",
                "src/record/store.rs:30",
                &["store"],
                false,
            ),
            db(
                "./meta-migrations",
                "src/meta.rs:12",
                &["meta", "settings"],
                false,
            ),
        ],
        migrate_macros: vec![
            macro_at("src/history/mod.rs", 20, "./migrations"),
            macro_at("src/record/store.rs", 30, "./record-migrations"),
            macro_at("src/meta.rs", 12, "./meta-migrations"),
        ],
        connections: vec![
            ConnectionSite {
                file: "src/import/shell.rs".into(),
                line: 40,
                api: "SqlitePool::connect".into(),
                argument: "&url".into(),
                service_url: false,
            },
            // The service's own pool, opened in the crate root from a variable.
            ConnectionSite {
                file: "src/main.rs".into(),
                line: 8,
                api: ".connect".into(),
                argument: "& url".into(),
                service_url: false,
            },
            ConnectionSite {
                file: "src/record/store.rs".into(),
                line: 25,
                api: "SqliteConnectOptions::from_str".into(),
                argument: "path".into(),
                service_url: false,
            },
        ],
        queries: vec![
            site(
                "src/history/query.rs",
                5,
                "select id from history where id = ?1",
            ),
            site(
                "src/record/store.rs",
                50,
                "insert or ignore into store (id) values (?1)",
            ),
            site("src/meta.rs", 40, "select value from meta where key = ?1"),
            // Both ./migrations and ./meta-migrations create settings: the pool decides.
            site(
                "src/meta.rs",
                44,
                "select value from settings where key = ?1",
            ),
            site("src/history/mod.rs", 60, "select value from settings"),
            site(
                "src/import/shell.rs",
                70,
                "select cmd, ts from commands join places on places.id = commands.place_id",
            ),
            // No table: the pool's module decides.
            site("src/record/store.rs", 80, "select 1"),
            // A table no migration creates, in the module of the ./migrations pool.
            site("src/history/query.rs", 90, "select x from missing_here"),
            // The same outside every pool's module: the database being collected.
            site("src/cli.rs", 95, "select x from missing_here"),
        ],
        ..CodeEvidence::default()
    }
}

fn verdicts(code: &CodeEvidence) -> Vec<String> {
    code.queries
        .iter()
        .map(|q| match &q.scope.database {
            None => "plain".into(),
            Some(SiteDatabase::Target { how }) => format!("target/{how}"),
            Some(SiteDatabase::Other { migrations, how }) => format!("{migrations}/{how}"),
            Some(SiteDatabase::External { .. }) => "external".into(),
            Some(SiteDatabase::Excluded { pattern }) => format!("excluded {pattern}"),
        })
        .collect()
}

#[test]
fn each_statement_goes_to_the_database_whose_migrations_create_its_tables() {
    let mut code = project();
    attribute(&mut code, &BTreeMap::new());
    assert_eq!(
        verdicts(&code),
        [
            "target/tables",
            "./record-migrations/tables",
            "./meta-migrations/tables",
            "./meta-migrations/pool",
            "target/pool",
            "external",
            "./record-migrations/pool",
            "target/pool",
            "target/default",
        ]
    );
    let reason = code.queries[5].not_described_reason().unwrap();
    assert!(
        reason.starts_with("external database: src/import/shell.rs:40 opens its own connection"),
        "{reason}"
    );
    assert!(reason.contains("commands, places"), "{reason}");
    assert_eq!(
        code.queries[1].not_described_reason().as_deref(),
        Some("belongs to the database migrated by ./record-migrations")
    );
    assert!(code.queries[0].statically_checked());
    assert!(!code.queries[1].statically_checked());
    assert!(code.queries[7].statically_checked());
    assert!(code.queries[8].statically_checked());
}

#[test]
fn gaps_toml_decides_before_the_evidence_and_can_exclude() {
    let mut code = project();
    let mut hints = BTreeMap::new();
    hints.insert(
        "src/history/query.rs".to_string(),
        FileHint {
            database: Some("./meta-migrations".into()),
            excluded: None,
        },
    );
    hints.insert(
        "src/import/shell.rs".to_string(),
        FileHint {
            database: None,
            excluded: Some("src/import/**".into()),
        },
    );
    attribute(&mut code, &hints);
    let v = verdicts(&code);
    assert_eq!(v[0], "./meta-migrations/gaps_toml");
    assert_eq!(v[5], "excluded src/import/**");
}

#[test]
fn collecting_another_database_turns_the_attribution_around() {
    let mut code = project();
    for d in &mut code.databases {
        d.target = d.migrations == "./record-migrations";
    }
    attribute(&mut code, &BTreeMap::new());
    let v = verdicts(&code);
    assert_eq!(v[0], "./migrations/tables");
    assert_eq!(v[1], "target/tables");
    assert_eq!(v[7], "./migrations/pool");
    assert_eq!(v[8], "target/default");
}

#[test]
fn a_single_database_project_stays_plain_but_an_importer_is_still_external() {
    let mut code = project();
    code.databases.truncate(1);
    code.migrate_macros.truncate(1);
    attribute(&mut code, &BTreeMap::new());
    let v = verdicts(&code);
    assert_eq!(v[0], "plain");
    assert_eq!(v[5], "external");
    assert_eq!(v[7], "plain");
    assert_eq!(v[8], "plain");
}

#[test]
fn a_module_that_opens_the_service_pool_is_not_an_importer() {
    let mut code = project();
    code.connections.push(ConnectionSite {
        file: "src/db.rs".into(),
        line: 3,
        api: "PgPool::connect".into(),
        argument: "& url".into(),
        service_url: false,
    });
    code.queries
        .push(site("src/db.rs", 10, "select id from history"));
    code.queries
        .push(site("src/db.rs", 20, "select id from dropped_since"));
    attribute(&mut code, &BTreeMap::new());
    let v = verdicts(&code);
    assert_eq!(v[v.len() - 2], "target/tables");
    // It uses project tables elsewhere: a table no migration creates here is this
    // database's problem, not an external database.
    assert_eq!(v[v.len() - 1], "target/default");
}
