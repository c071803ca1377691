//! Metadata locks on the throwaway MariaDB: gaps' reads and prepares leave no metadata lock
//! behind (proven from `information_schema.METADATA_LOCK_INFO`, and by an `ALTER TABLE` with
//! a one-second `lock_wait_timeout` that succeeds while gaps' session is still open), and a
//! table another connection holds with `LOCK TABLES ... WRITE` is not waited for: gaps names
//! the holder, and a read that reaches it anyway gives up after `lock_wait_timeout`.

use std::time::{Duration, Instant};

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};
use gaps_core::querycheck::Outcome;
use gaps_tests::mysql::{self, TestDb};
use sqlx::{Connection, Executor, MySqlConnection};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// MariaDB's metadata_lock_info plugin adds `information_schema.METADATA_LOCK_INFO`.
fn with_lock_info() {
    let s = mysql::server();
    if s.sql(
        "",
        "SELECT COUNT(*) FROM information_schema.METADATA_LOCK_INFO",
    )
    .is_err()
    {
        s.sql("", "INSTALL SONAME 'metadata_lock_info'")
            .expect("the metadata_lock_info plugin installs");
    }
}

fn fixture(hint: &str) -> TestDb {
    let s = mysql::server();
    let db = s.create_database(hint);
    s.sql(
        &db.name,
        "CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(20)); INSERT INTO t VALUES (1, 'a'); \
         CREATE VIEW v AS SELECT id FROM t; \
         CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
         checksum BLOB NOT NULL, execution_time BIGINT NOT NULL); \
         INSERT INTO _sqlx_migrations VALUES (1, 'init', NOW(), TRUE, X'00', 10)",
    )
    .expect("fixture");
    db
}

/// The metadata locks connection `id` holds on tables of `db`, as "table MODE".
fn mdl_of(db: &TestDb, id: i64) -> Vec<String> {
    mysql::server()
        .sql(
            "",
            &format!(
                "SELECT CONCAT(TABLE_NAME, ' ', LOCK_MODE) FROM information_schema.METADATA_LOCK_INFO \
                 WHERE THREAD_ID = {id} AND TABLE_SCHEMA = '{}' ORDER BY 1",
                db.name
            ),
        )
        .unwrap()
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

fn input(line: u32, sql: &str) -> StatementInput {
    StatementInput {
        file: "src/db.rs".into(),
        line,
        sql: Some(sql.into()),
        ..StatementInput::default()
    }
}

#[test]
fn reads_and_prepares_leave_no_metadata_lock_and_an_alter_goes_through_meanwhile() {
    with_lock_info();
    let db = fixture("mdl_free");
    rt().block_on(async {
        let mut session = Session::open(&db.url, &SessionOptions::default())
            .await
            .unwrap();
        let id: i64 = sqlx::query_scalar("SELECT CAST(CONNECTION_ID() AS SIGNED)")
            .persistent(false)
            .fetch_one(session.mysql().unwrap())
            .await
            .unwrap();
        let schema = gaps_collector::inspect::schema(&mut session).await;
        assert!(schema.data().is_some());
        let applied =
            gaps_collector::migrations::applied::read(&mut session, "_sqlx_migrations", "default")
                .await
                .unwrap();
        assert_eq!(applied.rows.len(), 1);
        let checks = check(
            &mut session,
            &[
                input(1, "SELECT id, name FROM t"),
                input(2, "SELECT id FROM v"),
            ],
            &CheckOptions::default(),
        )
        .await
        .unwrap();
        assert_eq!(checks.counts.ok, 2, "{checks:#?}");
        assert_eq!(mdl_of(&db, id), Vec::<String>::new());

        // While gaps' session is still open, a migration's ALTER on the very tables it read
        // does not wait.
        mysql::server()
            .sql(
                &db.name,
                "SET SESSION lock_wait_timeout = 1; \
                 ALTER TABLE _sqlx_migrations ADD COLUMN note INT; \
                 ALTER TABLE t ADD COLUMN extra INT",
            )
            .expect("the ALTERs do not wait for gaps");
        session.close().await;

        // Control: a plain read inside a transaction keeps its metadata lock, so the checks
        // above can fail.
        let mut plain = MySqlConnection::connect(&db.url).await.unwrap();
        let id: i64 = sqlx::query_scalar("SELECT CAST(CONNECTION_ID() AS SIGNED)")
            .fetch_one(&mut plain)
            .await
            .unwrap();
        plain.execute("START TRANSACTION READ ONLY").await.unwrap();
        plain.execute("SELECT COUNT(*) FROM t").await.unwrap();
        assert_eq!(mdl_of(&db, id), vec!["t MDL_SHARED_READ".to_string()]);
        let _ = plain.execute("ROLLBACK").await;
        let _ = plain.close().await;
    });
}

#[test]
fn a_table_locked_by_another_connection_is_named_and_not_waited_for() {
    with_lock_info();
    let db = fixture("mdl_held");
    rt().block_on(async {
        let mut holder = MySqlConnection::connect(&db.url).await.unwrap();
        let holder_id: i64 = sqlx::query_scalar("SELECT CAST(CONNECTION_ID() AS SIGNED)")
            .fetch_one(&mut holder)
            .await
            .unwrap();
        holder
            .execute("LOCK TABLES t WRITE, _sqlx_migrations WRITE")
            .await
            .unwrap();

        let opts = SessionOptions {
            lock_timeout: Duration::from_secs(1),
            ..SessionOptions::default()
        };
        let mut session = Session::open(&db.url, &opts).await.unwrap();
        let started = Instant::now();
        let checks = check(
            &mut session,
            &[input(1, "SELECT id, name FROM t")],
            &CheckOptions {
                lock_timeout: Duration::from_secs(1),
                ..CheckOptions::default()
            },
        )
        .await
        .unwrap();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(5), "took {took:?}");
        let reason = |line: u32| match &checks
            .statements
            .iter()
            .find(|s| s.line == line)
            .unwrap()
            .outcome
        {
            Outcome::NotCheckable { reason } => reason.clone(),
            other => panic!("line {line}: {other:?}"),
        };
        let direct = reason(1);
        assert!(
            direct.contains("is locked") && direct.contains(&format!("pid {holder_id}")),
            "{direct}"
        );
        let locked = &session.report.locked;
        let t = locked
            .iter()
            .find(|l| l.relation.name == "t")
            .unwrap_or_else(|| panic!("{locked:#?}"));
        let b = t
            .blockers
            .iter()
            .find(|b| b.pid == holder_id)
            .unwrap_or_else(|| panic!("{t:#?}"));
        assert_eq!(b.mode, "MDL_SHARED_NO_READ_WRITE");
        assert!(b.granted);
        assert_eq!(b.role.as_deref(), Some("root"));

        // A read that reaches the lock anyway (the migrations table) gives up after
        // lock_wait_timeout (one second), once, and says it was a lock.
        let started = Instant::now();
        let read =
            gaps_collector::migrations::applied::read(&mut session, "_sqlx_migrations", "default")
                .await;
        let took = started.elapsed();
        let Err(e) = read else {
            panic!("the locked migrations table was read: {read:?}")
        };
        assert!(e.is_lock_timeout(), "{e}");
        assert!(took < Duration::from_secs(4), "took {took:?}");
        // The session is still usable after the timeout.
        let schema = gaps_collector::inspect::schema(&mut session).await;
        assert!(schema.data().is_some(), "{schema:?}");
        session.close().await;
        holder.execute("UNLOCK TABLES").await.unwrap();
        holder.close().await.unwrap();
    });
}
