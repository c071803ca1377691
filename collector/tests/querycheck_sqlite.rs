//! Query validation on a real SQLite file: sqlx's prepare/describe gives the parse check, with
//! SQLite's own messages naming the missing table or column, and nothing is written.

use std::time::Duration;

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};
use gaps_core::querycheck::Outcome;
use sqlx::Connection;

#[test]
fn sqlite_rejects_missing_table_and_column_and_accepts_valid_statements() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let url = format!("sqlite:{}", path.display());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc"))
            .await
            .unwrap();
        sqlx::raw_sql(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);
             INSERT INTO users (name) VALUES ('seed');",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();

        let opts = SessionOptions {
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
            ..SessionOptions::default()
        };
        let mut session = Session::open(&url, &opts).await.expect("session");
        let site = |line: u32, sql: &str| StatementInput {
            file: "src/db.rs".into(),
            line,
            sql: Some(sql.into()),
            ..StatementInput::default()
        };
        let inputs = vec![
            site(1, "SELECT id, name, email FROM users WHERE id = ?"),
            site(2, "DELETE FROM users"),
            site(3, "SELECT id FROM todos"),
            site(4, "SELECT nme FROM users"),
            site(5, "PRAGMA journal_mode"),
        ];
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

        let outcome = |line: u32| &checks.statements[line as usize - 1].outcome;
        assert_eq!(*outcome(1), Outcome::Ok, "{checks:#?}");
        assert_eq!(*outcome(2), Outcome::Ok, "{checks:#?}");
        let Outcome::Rejected(r) = outcome(3) else {
            panic!("{checks:#?}")
        };
        assert_eq!(r.table.as_deref(), Some("todos"), "{r:?}");
        let Outcome::Rejected(r) = outcome(4) else {
            panic!("{checks:#?}")
        };
        assert_eq!(r.column.as_deref(), Some("nme"), "{r:?}");
        assert!(matches!(outcome(5), Outcome::NotCheckable { .. }));
        let cols: Vec<_> = checks.statements[0]
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(cols, ["id", "name", "email"]);

        // The DELETE was only prepared.
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(n, 1);
    });
}
