//! Query validation against a real throwaway MariaDB: statements are prepared
//! (COM_STMT_PREPARE), never executed — the server's general log and the table contents prove
//! it; a missing table or column is rejected with the server's SQLSTATE; valid reads are
//! described with their columns and parameters; writes, which MariaDB will not prepare inside
//! the read-only transaction, are recorded as not checkable with that reason.

use std::time::Duration;

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};
use gaps_core::querycheck::{Outcome, QueryChecks, StatementCheck};
use gaps_tests::mysql;

const SCHEMA: &str = "CREATE TABLE users (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, \
     name VARCHAR(100) NOT NULL, email TEXT NULL); \
     INSERT INTO users (name) VALUES ('seed-row')";

fn site(file: &str, line: u32, sql: &str) -> StatementInput {
    StatementInput {
        file: file.into(),
        line,
        api: Some("sqlx::query".into()),
        sql: Some(sql.into()),
        ..StatementInput::default()
    }
}

fn at<'a>(checks: &'a QueryChecks, file: &str, line: u32) -> &'a StatementCheck {
    checks
        .statements
        .iter()
        .find(|s| s.file == file && s.line == line)
        .unwrap_or_else(|| panic!("no statement at {file}:{line}: {checks:#?}"))
}

const VALID_SELECT: &str = "SELECT id, name, email FROM users WHERE id = ?";
const VALID_INSERT: &str = "INSERT INTO users (name, email) VALUES (?, ?)";
const VALID_DELETE: &str = "DELETE FROM users WHERE name <> ?";
const MISSING_TABLE: &str = "SELECT id, title FROM todos WHERE done = false";
const MISSING_COLUMN: &str = "SELECT id, nme FROM users";

#[test]
fn statements_are_prepared_not_executed_and_missing_objects_are_rejected() {
    let s = mysql::server();
    let db = s.create_database("qc_mysql");
    s.sql(&db.name, SCHEMA).expect("schema");
    let user = format!("qc_{}", std::process::id());
    s.sql(
        "",
        &format!(
            "CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY 'qcpw'; \
             GRANT SELECT, INSERT, DELETE ON `{}`.* TO '{user}'@'127.0.0.1'",
            db.name
        ),
    )
    .expect("account");
    s.enable_general_log().expect("general log");
    let inputs = vec![
        site("src/users.rs", 10, VALID_SELECT),
        site("src/users.rs", 20, VALID_INSERT),
        site("src/users.rs", 30, VALID_DELETE),
        site("src/todos.rs", 40, MISSING_TABLE),
        site("src/users.rs", 50, MISSING_COLUMN),
        site("src/db.rs", 80, "DROP TABLE users"),
    ];
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let checks = rt.block_on(async {
        let opts = SessionOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            ..SessionOptions::default()
        };
        let mut session = Session::open(&db.url_as(&user, Some("qcpw")), &opts)
            .await
            .expect("session");
        let checks = check(
            &mut session,
            &inputs,
            &CheckOptions {
                timeout: Duration::from_secs(5),
                offline_dir: None,
                source_scanned: false,
                ..CheckOptions::default()
            },
        )
        .await
        .expect("check");
        session.close().await;
        checks
    });

    // MariaDB refuses to prepare a write in a READ ONLY transaction: not checkable, said so.
    for line in [20, 30] {
        let Outcome::NotCheckable { reason } = &at(&checks, "src/users.rs", line).outcome else {
            panic!("line {line}: {checks:#?}")
        };
        assert!(reason.contains("read-only transaction"), "{reason}");
    }
    assert_eq!(
        at(&checks, "src/users.rs", 10).outcome,
        Outcome::Ok,
        "{checks:#?}"
    );
    let sel = at(&checks, "src/users.rs", 10);
    let cols: Vec<_> = sel
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.type_name.as_str(), c.nullable))
        .collect();
    assert_eq!(
        cols,
        vec![
            ("id", "BIGINT", Some(false)),
            ("name", "VARCHAR", Some(false)),
            ("email", "TEXT", Some(true))
        ]
    );
    assert_eq!(sel.parameters.len(), 1, "{sel:?}");

    let Outcome::Rejected(r) = &at(&checks, "src/todos.rs", 40).outcome else {
        panic!("missing table accepted: {checks:#?}")
    };
    assert_eq!(r.sqlstate, "42S02", "{r:?}");
    assert!(r.message.contains("todos"), "{r:?}");
    let Outcome::Rejected(r) = &at(&checks, "src/users.rs", 50).outcome else {
        panic!("missing column accepted: {checks:#?}")
    };
    assert_eq!(r.sqlstate, "42S22", "{r:?}");
    assert!(r.message.contains("nme"), "{r:?}");
    assert!(matches!(
        at(&checks, "src/db.rs", 80).outcome,
        Outcome::NotCheckable { .. }
    ));

    // Nothing ran: the seed row is alone and unchanged, the table is still there, and the
    // general log has no Execute for this account.
    let rows = s
        .sql(&db.name, "SELECT COUNT(*), COUNT(email) FROM users")
        .unwrap();
    assert_eq!(rows.trim(), "1\t0");
    let sent = s.logged_statements_of(&user).expect("general log");
    assert!(
        sent.iter()
            .any(|q| q.contains("SELECT id, name, email FROM users")),
        "the SELECT was prepared: {sent:#?}"
    );
    assert!(
        !sent.iter().any(|q| q.contains("DROP TABLE")),
        "DROP was sent: {sent:#?}"
    );
    let executed = s
        .sql(
            "",
            "SELECT COUNT(*) FROM mysql.general_log WHERE command_type = 'Execute' \
             AND CONVERT(argument USING utf8mb4) LIKE '%users%'",
        )
        .unwrap();
    assert_eq!(executed.trim(), "0", "a prepared statement was executed");
}
