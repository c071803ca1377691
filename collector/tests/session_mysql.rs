//! The read-only session on a real MariaDB: a failing read inside `Session::isolated` is rolled
//! back to its savepoint and reported with what was being read, the next read still works in
//! the same transaction, and the transaction refuses writes.

use std::time::Duration;

use gaps_collector::db::{Conn, DbError, Session, SessionOptions};
use gaps_tests::mysql;

#[test]
fn a_failed_read_is_isolated_and_the_transaction_stays_read_only() {
    let s = mysql::server();
    let db = s.create_database("session");
    s.sql(
        &db.name,
        "CREATE TABLE t (id INT PRIMARY KEY); INSERT INTO t VALUES (1)",
    )
    .expect("schema");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let opts = SessionOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            ..SessionOptions::default()
        };
        let mut session = Session::open(&db.url, &opts).await.expect("session");
        let failed = session
            .isolated("reading a catalog that is not there", async |s| match s {
                Conn::Mysql(c) => sqlx::query("SELECT * FROM information_schema.NO_SUCH_VIEW")
                    .execute(&mut *c)
                    .await
                    .map(|_| ()),
                _ => unreachable!("a MySQL session"),
            })
            .await;
        let Err(DbError::Statement {
            during, message, ..
        }) = failed
        else {
            panic!("the bad read should fail: {failed:?}")
        };
        assert_eq!(during, "reading a catalog that is not there");
        assert!(message.contains("NO_SUCH_VIEW"), "{message}");

        let n: i64 = session
            .isolated("counting rows", async |s| match s {
                Conn::Mysql(c) => {
                    sqlx::query_scalar("SELECT COUNT(*) FROM t")
                        .fetch_one(&mut *c)
                        .await
                }
                _ => unreachable!("a MySQL session"),
            })
            .await
            .expect("the next read works in the same transaction");
        assert_eq!(n, 1);

        let write = session
            .isolated("a write", async |s| match s {
                Conn::Mysql(c) => sqlx::query("INSERT INTO t VALUES (2)")
                    .execute(&mut *c)
                    .await
                    .map(|_| ()),
                _ => unreachable!("a MySQL session"),
            })
            .await;
        let Err(DbError::Statement { message, .. }) = write else {
            panic!("the READ ONLY transaction accepted a write: {write:?}")
        };
        assert!(message.contains("READ ONLY"), "{message}");
        session.close().await;
    });
    assert_eq!(
        s.sql(&db.name, "SELECT COUNT(*) FROM t").unwrap().trim(),
        "1"
    );
}
