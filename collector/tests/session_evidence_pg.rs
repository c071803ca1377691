//! What gaps cannot see is recorded as such, never blamed on the code or the migrations, on
//! the throwaway PostgreSQL: a system catalog the collecting role may not read
//! (`REVOKE SELECT ON pg_catalog.pg_enum`, done inside the test's own database, where those
//! privileges live), and a role-level `search_path` that hides the migrations table.

use std::path::Path;
use std::process::{Command, Output};

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};
use gaps_core::querycheck::Outcome;
use gaps_core::schema::{Catalog, IncompleteCause};
use gaps_core::snapshot::Snapshot;
use gaps_tests::pg::{self, TestDb};
use serde_json::Value;

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

fn collect(url: &str, src: &Path, out: &Path) -> Output {
    Command::new(GAPS)
        .args(["collect", "--quiet", "--database-url", url, "--source"])
        .arg(src)
        .arg("--out")
        .arg(out)
        .env_remove("DATABASE_URL")
        .output()
        .expect("gaps runs")
}

fn check_json(out: &Path) -> Vec<Value> {
    let o = Command::new(GAPS)
        .args(["check", "--format", "json", "--fail-on", "never"])
        .arg(out)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    v["findings"].as_array().cloned().unwrap_or_default()
}

fn snapshot(out: &Path) -> Snapshot {
    Snapshot::from_json(&std::fs::read_to_string(out).expect("snapshot written")).unwrap()
}

/// A login role unique to this test, with read access to the public schema of `db`.
fn reader(db: &TestDb, hint: &str) -> String {
    let role = format!("{hint}_{}", std::process::id());
    let c = pg::cluster();
    c.psql(
        "postgres",
        &format!("DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN"),
    )
    .unwrap();
    c.psql(
        &db.name,
        &format!(
            "GRANT USAGE ON SCHEMA public TO {role}; \
             GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"
        ),
    )
    .unwrap();
    role
}

fn source(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

const MOOD_SQL: &str = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); \
     CREATE TABLE diary (id bigint PRIMARY KEY, feeling mood NOT NULL)";

const DIARY_RS: &str = r#"
pub async fn feelings(db: &sqlx::PgPool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as::<_, (i64, String)>("SELECT id, feeling::text FROM diary")
        .fetch_all(db)
        .await
}

pub async fn moods(db: &sqlx::PgPool) -> Result<Vec<(i64,)>, sqlx::Error> {
    sqlx::query_as::<_, (i64,)>("SELECT id FROM diary WHERE feeling = 'ok'")
        .fetch_all(db)
        .await
}

pub async fn raw(db: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT id, feeling FROM diary").execute(db).await.map(|_| ())
}
"#;

#[test]
fn a_catalog_the_role_may_not_read_is_recorded_as_not_checkable_not_as_an_invalid_query() {
    let c = pg::cluster();
    let db = c.create_database("enum_revoked");
    c.psql(&db.name, MOOD_SQL).unwrap();
    let role = reader(&db, "noenum");
    // pg_catalog's privileges are per database: this changes only the test's own database.
    c.psql(&db.name, "REVOKE SELECT ON pg_catalog.pg_enum FROM PUBLIC")
        .unwrap();
    let src = source(&[("src/main.rs", DIARY_RS)]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    let url = db.url_as(&role, None);
    let before = c.logged_statements(&db.name).len();
    let o = collect(&url, src.path(), &out);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let snap = snapshot(&out);
    let schema = snap.schema.data().expect("the rest of the schema is read");
    let gap = schema
        .incomplete
        .iter()
        .find(|e| e.catalogs.contains(&Catalog::Enums))
        .unwrap_or_else(|| panic!("{:#?}", schema.incomplete));
    assert_eq!(gap.cause, Some(IncompleteCause::Permission));
    assert!(gap.message.contains("pg_enum"), "{gap:?}");
    assert_eq!(schema.table("public", "diary").unwrap().columns.len(), 2);

    // The statement whose result has the enum type cannot be described without pg_enum:
    // gaps says it could not read it; the other two are described as usual.
    let checks = snap.query_checks.data().expect("query checks");
    let raw = checks
        .statements
        .iter()
        .find(|s| s.sql.as_deref() == Some("SELECT id, feeling FROM diary"))
        .unwrap();
    match &raw.outcome {
        Outcome::NotCheckable { reason } => {
            assert!(reason.contains("gaps could not read pg_enum"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(checks.counts.ok, 2, "{checks:#?}");
    assert_eq!(checks.counts.rejected, 0, "{checks:#?}");

    let findings = check_json(&out);
    assert!(
        findings.iter().all(|f| f["kind"] != "query_invalid"),
        "{findings:#?}"
    );
    assert!(
        findings.iter().any(|f| f["kind"] == "evidence_incomplete"
            && f["message"].as_str().unwrap().contains("enum types")
            && f["details"]["cause"] == "permission"),
        "{findings:#?}"
    );

    // Only reads were sent (and EXPLAIN without ANALYZE). The one DEALLOCATE closes the statement sqlx prepared before its
    // type lookup failed (never cached, so no protocol Close would have closed it).
    let sent = c.logged_statements(&db.name).split_off(before);
    assert!(sent.iter().any(|s| s.contains("pg_enum")), "{sent:#?}");
    assert!(
        sent.iter().any(|s| s.starts_with("DEALLOCATE \"sqlx_s_")),
        "the statement left by the failed type lookup was not closed: {sent:#?}"
    );
    for s in &sent {
        let code: String = s
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        for part in code.split(';').filter(|p| !p.trim().is_empty()) {
            let part = part.trim_start().to_ascii_uppercase();
            assert!(
                ["SELECT", "SET", "BEGIN", "SAVEPOINT", "ROLLBACK"]
                    .iter()
                    .any(|k| part.starts_with(k))
                    || part.starts_with("DEALLOCATE \"SQLX_S_")
                    // sqlx's nullability inference: a plan, never run (no ANALYZE).
                    || (part.starts_with("EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE SQLX_S_")
                        && !part.contains("ANALYZE")),
                "collect sent a statement that is not a read: {s}"
            );
        }
    }
}

#[test]
fn a_statement_whose_type_lookup_fails_leaves_no_prepared_statement_behind() {
    let c = pg::cluster();
    let db = c.create_database("enum_leftover");
    c.psql(&db.name, MOOD_SQL).unwrap();
    let role = reader(&db, "noenum2");
    c.psql(&db.name, "REVOKE SELECT ON pg_catalog.pg_enum FROM PUBLIC")
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut session = Session::open(&db.url_as(&role, None), &SessionOptions::default())
            .await
            .unwrap();
        let input = StatementInput {
            file: "src/a.rs".into(),
            line: 1,
            sql: Some("SELECT id, feeling FROM diary".into()),
            ..StatementInput::default()
        };
        let checks = check(&mut session, &[input], &CheckOptions::default())
            .await
            .unwrap();
        assert!(
            matches!(&checks.statements[0].outcome, Outcome::NotCheckable { reason } if reason.contains("pg_enum")),
            "{checks:#?}"
        );
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_prepared_statements")
            .persistent(false)
            .fetch_one(session.postgres().unwrap())
            .await
            .unwrap();
        assert_eq!(left, 0, "the Parse that succeeded left a named statement");
        session.close().await;
    });
}

const MIGRATION: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n";

#[test]
fn a_role_search_path_that_hides_the_migrations_table_is_diagnosed_as_such() {
    let c = pg::cluster();
    let db = c.create_database("hidden_path");
    let src = source(&[
        ("migrations/0001_users.sql", MIGRATION),
        (
            "src/main.rs",
            "pub async fn n(db: &sqlx::PgPool) { let _ = sqlx::query(\"SELECT 1\").execute(db).await; }\n",
        ),
    ]);
    // sqlx's own migrator applies the migration, as the service's deploy would.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::migrate::Migrator::new(src.path().join("migrations"))
            .await
            .unwrap()
            .run(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let role = reader(&db, "hidden");
    c.psql(
        "postgres",
        &format!("ALTER ROLE {role} SET search_path = missing_schema"),
    )
    .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    let o = collect(&db.url_as(&role, None), src.path(), &out);
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let snap = snapshot(&out);
    let applied = snap.applied_migrations.data().expect("applied migrations");
    assert!(!applied.present);
    assert_eq!(
        applied.hidden_in,
        vec!["public._sqlx_migrations".to_string()]
    );
    assert_eq!(applied.search_path.as_deref(), Some("missing_schema"));

    let findings = check_json(&out);
    let kinds: Vec<&str> = findings
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"migrations_table_not_on_search_path"),
        "{findings:#?}"
    );
    for wrong in [
        "migrations_table_missing",
        "migration_pending",
        "migration_out_of_order",
    ] {
        assert!(!kinds.contains(&wrong), "{wrong}: {findings:#?}");
    }
    let f = findings
        .iter()
        .find(|f| f["kind"] == "migrations_table_not_on_search_path")
        .unwrap();
    let step = f["next_step"].as_str().unwrap();
    assert!(
        step.contains("search_path") && !step.contains("migrate run"),
        "{step}"
    );
    assert!(
        findings.iter().all(|f| !f["next_step"]
            .as_str()
            .unwrap_or("")
            .contains("run migration 1")),
        "{findings:#?}"
    );

    // Control: with the role's search_path reset, the same table is found and read.
    c.psql("postgres", &format!("ALTER ROLE {role} RESET search_path"))
        .unwrap();
    let out2 = dir.path().join("s2.json");
    let o = collect(&db.url_as(&role, None), src.path(), &out2);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let applied = snapshot(&out2).applied_migrations.data().cloned().unwrap();
    assert!(applied.present && applied.hidden_in.is_empty());
    assert_eq!(applied.rows.len(), 1);
}
