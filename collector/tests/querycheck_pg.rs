//! Query validation against a real throwaway PostgreSQL: rejected statements are reported with
//! their SQLSTATE, file and line; accepted ones are not; nothing is executed (the server's
//! statement log and the table contents prove it); no prepared statement outlives the check.

use std::time::Duration;

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};
use gaps_core::querycheck::{
    Outcome, QueryChecks, StatementCheck, TargetField, TargetShape, TargetType,
};
use gaps_core::{FindingKind, Section, Snapshot};
use gaps_tests::pg::{TestDb, cluster};
use sqlx::Row;

const SCHEMA: &str =
    "CREATE TABLE users (id bigserial PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE notes (id bigint PRIMARY KEY, user_id bigint REFERENCES users(id), body text NOT NULL);
INSERT INTO users (name) VALUES ('seed-row');";

fn fresh_db(hint: &str) -> TestDb {
    let db = cluster().create_database(hint);
    cluster().psql(&db.name, SCHEMA).expect("schema");
    db
}

fn opts() -> SessionOptions {
    SessionOptions {
        connect_timeout: Duration::from_secs(10),
        statement_timeout: Duration::from_secs(30),
        ..SessionOptions::default()
    }
}

fn site(file: &str, line: u32, sql: &str) -> StatementInput {
    StatementInput {
        file: file.into(),
        line,
        api: Some("sqlx::query".into()),
        sql: Some(sql.into()),
        ..StatementInput::default()
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Runs the check, then reads (in the same transaction) how many named statements are left
/// on the server and the session's statement_timeout.
fn run(
    db: &TestDb,
    inputs: &[StatementInput],
    check_opts: CheckOptions,
) -> (QueryChecks, i64, String) {
    rt().block_on(async {
        let mut session = Session::open(&db.url, &opts()).await.expect("session");
        let checks = check(&mut session, inputs, &check_opts)
            .await
            .expect("check");
        let Some(conn) = session.postgres() else {
            unreachable!()
        };
        let left: i64 = sqlx::raw_sql("SELECT count(*) FROM pg_prepared_statements")
            .fetch_one(&mut *conn)
            .await
            .expect("transaction still usable")
            .get(0);
        let timeout: String = sqlx::raw_sql("SHOW statement_timeout")
            .fetch_one(&mut *conn)
            .await
            .unwrap()
            .get(0);
        session.close().await;
        (checks, left, timeout)
    })
}

fn plain() -> CheckOptions {
    CheckOptions {
        timeout: Duration::from_secs(5),
        offline_dir: None,
        source_scanned: false,
        ..CheckOptions::default()
    }
}

fn at<'a>(checks: &'a QueryChecks, file: &str, line: u32) -> &'a StatementCheck {
    checks
        .statements
        .iter()
        .find(|s| s.file == file && s.line == line)
        .unwrap_or_else(|| panic!("no statement at {file}:{line}: {checks:#?}"))
}

const VALID_SELECT: &str = "SELECT id, name, email FROM users WHERE id = $1";
const VALID_INSERT: &str = "INSERT INTO users (name, email) VALUES ($1, $2) RETURNING id";
const VALID_DELETE: &str = "DELETE FROM users WHERE name <> $1";
const VALID_UPDATE: &str = "UPDATE users SET email = $1 WHERE id = $2";
const MISSING_TABLE: &str = "SELECT id, title\n  FROM todos\n WHERE done = false";
const MISSING_COLUMN: &str = "SELECT id,\n       nme\n  FROM users";
const INSERT_MISSING_COLUMN: &str = "INSERT INTO users (nam) VALUES ($1)";
const LEFT_JOIN: &str = "SELECT u.id, n.body FROM users u LEFT JOIN notes n ON n.user_id = u.id";

fn inputs() -> Vec<StatementInput> {
    vec![
        site("src/users.rs", 10, VALID_SELECT),
        site("src/users.rs", 20, VALID_INSERT),
        site("src/users.rs", 30, VALID_DELETE),
        site("src/users.rs", 35, VALID_UPDATE),
        site("src/todos.rs", 40, MISSING_TABLE),
        site("src/users.rs", 50, MISSING_COLUMN),
        site("src/users.rs", 60, INSERT_MISSING_COLUMN),
        site("src/notes.rs", 70, LEFT_JOIN),
        site("src/db.rs", 80, "SET search_path = app"),
        site("src/db.rs", 81, "BEGIN"),
        site("src/db.rs", 82, "DROP TABLE users"),
        site("src/db.rs", 83, "SELECT 1; DELETE FROM users"),
        // The same text at a second site is reported at both.
        site("src/other.rs", 90, MISSING_TABLE),
        StatementInput {
            file: "src/search.rs".into(),
            line: 100,
            sql_line: None,
            api: Some("sqlx::query".into()),
            sql: None,
            not_checkable: Some("SQL built with format!".into()),
            target: None,
        },
    ]
}

#[test]
fn invalid_statements_are_rejected_with_sqlstate_file_and_line_and_valid_ones_are_not() {
    let db = fresh_db("qc_invalid");
    let (checks, left, timeout) = run(&db, &inputs(), plain());

    for (file, line) in [
        ("src/users.rs", 10),
        ("src/users.rs", 20),
        ("src/users.rs", 30),
        ("src/users.rs", 35),
        ("src/notes.rs", 70),
    ] {
        assert_eq!(
            at(&checks, file, line).outcome,
            Outcome::Ok,
            "{file}:{line}: {checks:#?}"
        );
    }
    let Outcome::Rejected(r) = &at(&checks, "src/todos.rs", 40).outcome else {
        panic!("missing table accepted: {checks:#?}")
    };
    assert_eq!(r.sqlstate, "42P01");
    assert_eq!(r.table.as_deref(), Some("todos"));
    // "todos" is on the second line of the SQL, which starts at line 40.
    assert_eq!(r.line, Some(41), "{r:?}");

    let Outcome::Rejected(r) = &at(&checks, "src/users.rs", 50).outcome else {
        panic!("missing column accepted: {checks:#?}")
    };
    assert_eq!(r.sqlstate, "42703");
    assert_eq!(r.column.as_deref(), Some("nme"));
    assert_eq!(r.line, Some(51), "{r:?}");

    let Outcome::Rejected(r) = &at(&checks, "src/users.rs", 60).outcome else {
        panic!("INSERT with a missing column accepted: {checks:#?}")
    };
    assert_eq!(r.sqlstate, "42703");
    assert_eq!(
        (r.table.as_deref(), r.column.as_deref()),
        (Some("users"), Some("nam"))
    );
    assert!(matches!(
        at(&checks, "src/other.rs", 90).outcome,
        Outcome::Rejected(_)
    ));

    for line in [80, 81, 82, 83] {
        assert!(
            matches!(
                at(&checks, "src/db.rs", line).outcome,
                Outcome::NotCheckable { .. }
            ),
            "src/db.rs:{line}"
        );
    }
    assert!(matches!(
        at(&checks, "src/search.rs", 100).outcome,
        Outcome::NotCheckable { .. }
    ));
    assert_eq!(checks.counts.total, 14);
    assert_eq!(checks.counts.ok, 5);
    assert_eq!(checks.counts.rejected, 4);
    assert_eq!(checks.counts.not_checkable, 5);

    // Described result columns, types, nullability and parameter types.
    let sel = at(&checks, "src/users.rs", 10);
    let cols: Vec<_> = sel
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.type_name.as_str(), c.nullable))
        .collect();
    assert_eq!(
        cols,
        vec![
            ("id", "INT8", Some(false)),
            ("name", "TEXT", Some(false)),
            ("email", "TEXT", Some(true))
        ]
    );
    assert_eq!(sel.parameters, vec!["INT8".to_string()]);
    // (Outer-join nullability is sqlx's EXPLAIN-based inference, which errs towards
    // "nullable" depending on the plan; only catalog facts are asserted here.)
    assert_eq!(left, 0, "named prepared statements left on the server");
    assert_eq!(
        timeout, "30s",
        "the session's statement_timeout was not restored"
    );

    // Findings: one query_invalid per rejected site, none for the valid ones.
    let mut snap = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Default::default());
    snap.query_checks = Section::collected(checks);
    let findings = gaps_core::rules::analyse(&snap);
    let invalid: Vec<_> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::QueryInvalid)
        .collect();
    assert_eq!(invalid.len(), 4, "{findings:#?}");
    assert!(
        invalid
            .iter()
            .any(|f| f.file.as_deref() == Some("src/todos.rs")
                && f.line == Some(41)
                && f.table.as_deref() == Some("todos")
                && f.details["sqlstate"] == "42P01")
    );
    assert!(
        findings
            .iter()
            .all(|f| !(f.file.as_deref() == Some("src/users.rs") && f.line == Some(10)))
    );
}

#[test]
fn describing_executes_nothing_statement_log_and_rows_prove_it() {
    let db = fresh_db("qc_noexec");
    let (checks, _, _) = run(&db, &inputs(), plain());
    assert_eq!(checks.counts.ok, 5);

    // Nothing was inserted, deleted or updated, and the DROP was never sent.
    let rows = cluster()
        .psql(&db.name, "SELECT count(*), count(email) FROM users")
        .unwrap();
    assert_eq!(rows.trim(), "1|0");
    // Under log_statement=all the server logs every simple query ("statement: ...") and every
    // extended-protocol Execute ("execute <name>: ..."); Parse and Describe are not logged.
    let logged = cluster().logged_statements(&db.name);
    for sql in [
        VALID_SELECT,
        VALID_INSERT,
        VALID_DELETE,
        VALID_UPDATE,
        MISSING_TABLE,
        MISSING_COLUMN,
        INSERT_MISSING_COLUMN,
        LEFT_JOIN,
        "DROP TABLE users",
        "SET search_path = app",
    ] {
        assert!(
            !logged.iter().any(|l| l.contains(sql)),
            "executed: {sql}\n{logged:#?}"
        );
    }
    // What did run: the test's setup, the session's BEGIN and SET LOCALs, savepoints, sqlx's
    // type and nullability catalog queries and an EXPLAIN (never ANALYZE) of a prepared
    // statement.
    for l in &logged {
        let allowed = [
            "CREATE TABLE",
            "INSERT INTO users (name) VALUES ('seed-row')",
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            "SET LOCAL ",
            "SAVEPOINT gaps_",
            "ROLLBACK",
            "SELECT NOT attnotnull",
            "EXPLAIN (VERBOSE, FORMAT JSON) EXECUTE sqlx_s_",
            "SELECT count(*) FROM pg_prepared_statements",
            "SHOW statement_timeout",
            "SELECT count(*), count(email) FROM users",
        ];
        assert!(
            allowed.iter().any(|a| l.starts_with(a)) || l.contains("pg_catalog."),
            "unexpected statement sent: {l}\n{logged:#?}"
        );
        assert!(!l.contains("ANALYZE"), "{l}");
    }

    // Control: the same log does show an executed statement, so the check above can fail.
    let control = fresh_db("qc_control");
    rt().block_on(async {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&control.url)
            .await
            .unwrap();
        sqlx::query(VALID_SELECT)
            .bind(1i64)
            .fetch_all(&mut conn)
            .await
            .unwrap();
    });
    let logged = cluster().logged_statements(&control.name);
    assert!(
        logged.iter().any(|l| l.contains(VALID_SELECT)),
        "{logged:#?}"
    );
}

#[test]
fn struct_decoding_a_missing_column_is_a_result_mismatch() {
    let db = fresh_db("qc_mismatch");
    let field = |name: &str, ty: &str| TargetField {
        name: name.into(),
        column: name.into(),
        rust_type: ty.into(),
        default: false,
        not_a_column: false,
        json: false,
        try_from: None,
    };
    let target = TargetType {
        name: "User".into(),
        shape: TargetShape::Struct,
        fields: vec![
            field("id", "i64"),
            field("name", "String"),
            field("email", "Option<String>"),
        ],
        defined_at: Some("src/models.rs:3".into()),
    };
    let mut missing = site("src/users.rs", 12, "SELECT id, name FROM users");
    missing.target = Some(target.clone());
    let mut complete = site("src/users.rs", 22, "SELECT id, name, email FROM users");
    complete.target = Some(target);
    let (checks, _, _) = run(&db, &[missing, complete], plain());
    let mut snap = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Default::default());
    snap.query_checks = Section::collected(checks);
    let findings = gaps_core::rules::analyse(&snap);
    let mismatches: Vec<_> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::QueryResultMismatch)
        .collect();
    assert_eq!(mismatches.len(), 1, "{findings:#?}");
    assert_eq!(mismatches[0].column.as_deref(), Some("email"));
    assert_eq!(mismatches[0].line, Some(12));
    assert!(mismatches[0].message.contains("ColumnNotFound"));
}

#[test]
fn stale_sqlx_offline_entries_are_reported_and_current_ones_are_not() {
    let db = fresh_db("qc_offline");
    let source = gaps_tests::fixtures::fixture("sqlx-offline");
    let offline_dir = gaps_collector::querycheck::offline_dir(&source).expect(".sqlx found");
    assert_eq!(offline_dir.1, ".sqlx");
    let inputs = vec![
        site(
            "src/users.rs",
            5,
            "SELECT id, name FROM users WHERE id = $1",
        ),
        site("src/users.rs", 9, "SELECT id, email FROM users"),
    ];
    let (checks, left, _) = run(
        &db,
        &inputs,
        CheckOptions {
            timeout: Duration::from_secs(5),
            offline_dir: Some(offline_dir),
            source_scanned: true,
            ..CheckOptions::default()
        },
    );
    assert_eq!(left, 0);
    let offline = checks.offline.clone().expect("offline section");
    assert_eq!(offline.entries.len(), 3, "{offline:#?}");
    assert_eq!(offline.problems.len(), 1, "{offline:#?}");
    assert_eq!(offline.problems[0].file, "query-0000broken.json");

    let mut snap = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Default::default());
    snap.query_checks = Section::collected(checks);
    let stale: Vec<_> = gaps_core::rules::analyse(&snap)
        .into_iter()
        .filter(|f| f.kind == FindingKind::SqlxOfflineStale)
        .collect();
    assert_eq!(stale.len(), 2, "{stale:#?}");
    // email was cached as VARCHAR; the live column is TEXT.
    assert!(
        stale.iter().any(|f| f
            .message
            .contains("column email was Varchar and is now Text")),
        "{stale:#?}"
    );
    // The notes query is cached but no longer in the source.
    assert!(
        stale
            .iter()
            .any(
                |f| f.details.get("reason").and_then(|v| v.as_str()) == Some("not_in_source")
                    && f.details["query"] == "SELECT id, body FROM notes"
            ),
        "{stale:#?}"
    );
    // The current entry (same types, nullability and parameters) is not reported.
    assert!(
        stale
            .iter()
            .all(|f| f.details["query"] != "SELECT id, name FROM users WHERE id = $1"),
        "{stale:#?}"
    );
}
