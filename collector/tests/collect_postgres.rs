//! `gaps collect` through the real binary against the real throwaway PostgreSQL: it only
//! reads (proven from the server's own statement log), works as a role that cannot write,
//! keeps the rest of the schema when one catalog is unreadable, never shows a password, and
//! records an unreachable server as failed sections with exit status 1.

use std::path::Path;
use std::process::{Command, Output};

use gaps_core::section::Section;
use gaps_core::snapshot::Snapshot;
use gaps_tests::{fixtures, pg};

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

fn run_collect(url: &str, out: &Path, extra: &[&str]) -> Output {
    Command::new(GAPS)
        .args(["collect", "--database-url", url, "--out"])
        .arg(out)
        .args(extra)
        .env_remove("DATABASE_URL")
        .output()
        .expect("gaps runs")
}

fn snapshot(out: &Path) -> Snapshot {
    Snapshot::from_json(&std::fs::read_to_string(out).expect("snapshot written"))
        .expect("snapshot parses")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The first keyword of a logged statement, after any leading `--` comment lines.
fn first_keyword(statement: &str) -> String {
    statement
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("--"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("")
        .trim_end_matches(';')
        .to_ascii_uppercase()
}

/// All collect may send: reads, transaction-local settings, and the transaction and savepoint
/// control that scope them (never RELEASE: every read ends with ROLLBACK TO SAVEPOINT).
const READ_ONLY_KEYWORDS: &[&str] = &["SELECT", "SET", "BEGIN", "SAVEPOINT", "ROLLBACK"];

/// Runs collect and returns every statement it sent (the log lines added by this run).
fn statements_of_collect(c: &pg::PgCluster, db: &pg::TestDb, out: &Path) -> Vec<String> {
    let before = c.logged_statements(&db.name).len();
    let o = run_collect(&db.url, out, &["-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    c.logged_statements(&db.name).split_off(before)
}

fn assert_read_only(sent: &[String]) {
    assert!(
        sent.iter().any(|s| s.contains("READ ONLY")),
        "the read-only transaction was logged: {sent:#?}"
    );
    assert!(
        sent.iter().any(|s| s.contains("pg_attribute")),
        "the catalog reads were logged: {sent:#?}"
    );
    for s in sent {
        // A simple query may hold several statements: each is checked.
        let code: String = s
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        for part in code.split(';').filter(|p| !p.trim().is_empty()) {
            let kw = first_keyword(part);
            assert!(
                READ_ONLY_KEYWORDS.contains(&kw.as_str()),
                "collect sent a statement that is not a read: {s}"
            );
        }
    }
}

#[test]
fn collect_sends_only_reads_even_when_the_migrations_table_is_absent() {
    let c = pg::cluster();
    let db = c.create_database("readonly_proof");
    c.psql_file(&db.name, &fixtures::fixture("schema/every_object.sql"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    let sent = statements_of_collect(c, &db, &dir.path().join("absent.json"));
    assert_read_only(&sent);
    // Nothing was created: no _sqlx_migrations appeared.
    assert_eq!(
        c.psql(
            &db.name,
            "SELECT to_regclass('public._sqlx_migrations') IS NULL"
        )
        .unwrap()
        .trim(),
        "t"
    );

    c.psql(
        &db.name,
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, \
         checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL); \
         INSERT INTO _sqlx_migrations VALUES (1, 'init', now(), true, '\\x00', 10)",
    )
    .unwrap();
    let sent = statements_of_collect(c, &db, &dir.path().join("present.json"));
    assert_read_only(&sent);
}

#[test]
fn first_keyword_skips_comments() {
    assert_eq!(first_keyword("-- what\n  select 1"), "SELECT");
    assert_eq!(first_keyword("CREATE TABLE x ()"), "CREATE");
    assert!(
        !READ_ONLY_KEYWORDS.contains(&first_keyword("-- a\nINSERT INTO t VALUES (1)").as_str())
    );
}

/// A LOGIN role with only CONNECT, USAGE and SELECT; returns its name. Proves it cannot write.
fn reader_role(c: &pg::PgCluster, db: &pg::TestDb) -> String {
    let role = format!("reader_{}", db.name);
    c.psql(
        &db.name,
        &format!(
            "CREATE ROLE \"{role}\" LOGIN; \
             REVOKE ALL ON DATABASE \"{db}\" FROM PUBLIC; \
             GRANT CONNECT ON DATABASE \"{db}\" TO \"{role}\"; \
             REVOKE CREATE ON SCHEMA public FROM PUBLIC; \
             GRANT USAGE ON SCHEMA public, billing TO \"{role}\"; \
             GRANT SELECT ON ALL TABLES IN SCHEMA public, billing TO \"{role}\"",
            db = db.name
        ),
    )
    .unwrap();
    let write = Command::new(c.bindir().join("psql"))
        .args([
            "-X",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-U",
            &role,
        ])
        .arg("-p")
        .arg(c.port().to_string())
        .arg("-d")
        .arg(&db.name)
        .arg("-c")
        .arg("CREATE TABLE gaps_write_probe (id int)")
        .output()
        .unwrap();
    assert!(
        !write.status.success(),
        "the reader role could write: the test would prove nothing"
    );
    role
}

#[test]
fn collect_succeeds_as_a_role_without_any_write_privilege() {
    let c = pg::cluster();
    let db = c.create_database("readonly_role");
    c.psql_file(&db.name, &fixtures::fixture("schema/every_object.sql"))
        .unwrap();
    let role = reader_role(c, &db);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let o = run_collect(&db.url_as(&role, None), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let snap = snapshot(&out);
    assert_eq!(
        snap.database.data().unwrap().current_user.as_deref(),
        Some(role.as_str())
    );
    let schema = snap.schema.data().expect("schema collected");
    assert!(schema.incomplete.is_empty(), "{:?}", schema.incomplete);
    assert!(schema.table("billing", "invoices").is_some());
    assert!(!snap.is_partial());
}

#[test]
fn an_unreadable_catalog_is_named_and_the_rest_of_the_schema_is_kept() {
    let c = pg::cluster();
    let db = c.create_database("partial_catalog");
    c.psql_file(&db.name, &fixtures::fixture("schema/every_object.sql"))
        .unwrap();
    let role = reader_role(c, &db);
    // pg_index is per database: this only affects the test's own database.
    c.psql(&db.name, "REVOKE SELECT ON pg_catalog.pg_index FROM PUBLIC")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let o = run_collect(&db.url_as(&role, None), &out, &[]);
    assert_eq!(o.status.code(), Some(1), "a partial collection exits 1");
    let snap = snapshot(&out);
    assert!(snap.is_partial());
    let schema = match &snap.schema {
        Section::Collected { data } => data,
        other => panic!("schema should still be collected: {other:?}"),
    };
    assert_eq!(schema.incomplete.len(), 1, "{:?}", schema.incomplete);
    let e = &schema.incomplete[0];
    assert!(e.during.contains("pg_index"), "{e:?}");
    assert!(e.message.contains("permission denied"), "{e:?}");
    let users = schema.table("public", "users").expect("tables kept");
    assert_eq!(users.columns.len(), 7, "columns kept");
    assert!(users.primary_key.is_some(), "constraints kept");
    assert!(users.indexes.is_empty(), "indexes were not readable");
    assert_eq!(
        schema.enums.len(),
        1,
        "catalogs after the failed one still ran"
    );
    assert!(!schema.extensions.is_empty());
    let err = stderr(&o);
    assert!(err.contains("pg_index") && err.contains("partial"), "{err}");
}

#[test]
fn a_password_in_the_url_appears_nowhere() {
    let c = pg::cluster();
    let db = c.create_database("password_redaction");
    c.psql_file(&db.name, &fixtures::fixture("schema/every_object.sql"))
        .unwrap();
    let url = db.url_as("postgres", Some("hunter2secret"));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let o = run_collect(&url, &out, &["--verbose"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("REDACTED"),
        "the target URL is kept, redacted"
    );
    for (what, s) in [
        ("snapshot", text.as_str()),
        ("stdout", &String::from_utf8_lossy(&o.stdout)),
        ("stderr", &stderr(&o)),
    ] {
        assert!(!s.contains("hunter2secret"), "password in {what}: {s}");
    }
    // And to stdout (`--out -`): the snapshot itself goes through the terminal.
    let o = Command::new(GAPS)
        .args(["collect", "--database-url", &url, "--out", "-"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("\"format_version\""));
    assert!(!stdout.contains("hunter2secret") && !stderr(&o).contains("hunter2secret"));
}

#[test]
fn an_unreachable_server_fails_the_database_sections_and_exits_1() {
    // A loopback port that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://app:hunter2secret@127.0.0.1:{port}/app?sslmode=prefer");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let o = run_collect(&url, &out, &["--connect-timeout", "5"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("could not connect") && err.contains(&port.to_string()),
        "clear error: {err}"
    );
    let text = std::fs::read_to_string(&out).expect("snapshot still written");
    assert!(!text.contains("hunter2secret") && !err.contains("hunter2secret"));
    let snap = Snapshot::from_json(&text).unwrap();
    assert!(snap.database.is_failed());
    assert!(snap.schema.is_failed());
    assert!(snap.applied_migrations.is_failed());
    assert!(
        snap.database.error().unwrap().message.contains("refused"),
        "{:?}",
        snap.database
    );
}

#[test]
fn sslmode_require_insists_on_tls() {
    // The test cluster has no certificate: with sslmode=require the client must refuse to
    // fall back to plain text (and say so), while sslmode=prefer connects.
    let c = pg::cluster();
    let db = c.create_database("sslmode");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let o = run_collect(&format!("{}?sslmode=require", db.url), &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let snap = snapshot(&out);
    let e = snap
        .database
        .error()
        .expect("connection refused without TLS");
    assert!(
        e.message.to_ascii_lowercase().contains("tls") || e.message.contains("SSL"),
        "{e:?}"
    );
    let o = run_collect(&format!("{}?sslmode=prefer", db.url), &out, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
