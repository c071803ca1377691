//! Real faults on the throwaway PostgreSQL, through the real `gaps` binary and the library:
//! a table another session holds ACCESS EXCLUSIVE (collect does not wait for it, names the
//! holder, and says nothing false about the table), an `ALTER TABLE` issued while gaps is
//! describing (it completes while gaps is still describing: gaps holds no lock between
//! statements), a server backend stopped with SIGSTOP (collect ends by its deadline with a
//! partial snapshot), and the proof from `pg_locks` that no relation lock outlives a read.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};
use gaps_core::querycheck::Outcome;
use gaps_core::schema::{Catalog, IncompleteCause};
use gaps_core::section::Section;
use gaps_core::session::EndCause;
use gaps_core::snapshot::Snapshot;
use gaps_tests::pg::{self, TestDb};
use serde_json::Value;
use sqlx::{Connection, Executor, PgConnection};

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

const MIGRATION: &str = "\
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL DEFAULT '', \
created_at timestamptz NOT NULL DEFAULT now());
CREATE INDEX users_email ON users (email);
CREATE TABLE todos (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), \
title text NOT NULL DEFAULT 'untitled' CHECK (title <> ''));
CREATE VIEW active_users AS SELECT id, email FROM users;
";

const MAIN_RS: &str = r#"
#[derive(sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
}

pub async fn user(db: &sqlx::PgPool) -> Result<User, sqlx::Error> {
    sqlx::query_as::<_, User>("SELECT id, email FROM users WHERE id = $1")
        .bind(1i64)
        .fetch_one(db)
        .await
}

pub async fn titles(db: &sqlx::PgPool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as::<_, (i64, String)>("SELECT id, title FROM todos")
        .fetch_all(db)
        .await
}

pub async fn active(db: &sqlx::PgPool) -> Result<Vec<(i64,)>, sqlx::Error> {
    sqlx::query_as::<_, (i64,)>("SELECT id FROM active_users")
        .fetch_all(db)
        .await
}
"#;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A service tree (`migrations/`, `src/`) whose migration sqlx's own migrator applies to `db`.
fn service(db: &TestDb, main_rs: &str) -> tempfile::TempDir {
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("migrations")).unwrap();
    std::fs::create_dir_all(src.path().join("src")).unwrap();
    std::fs::write(src.path().join("migrations/0001_init.sql"), MIGRATION).unwrap();
    std::fs::write(src.path().join("src/main.rs"), main_rs).unwrap();
    let dir = src.path().join("migrations");
    rt().block_on(async {
        let mut conn = PgConnection::connect(&db.url).await.unwrap();
        sqlx::migrate::Migrator::new(dir)
            .await
            .unwrap()
            .run(&mut conn)
            .await
            .expect("sqlx applies the migration");
        conn.close().await.unwrap();
    });
    src
}

fn collect_args(db: &TestDb, src: &Path, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "collect".into(),
        "--database-url".into(),
        db.url.clone(),
        "--source".into(),
        src.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn run(args: &[String]) -> Output {
    Command::new(GAPS)
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("gaps runs")
}

fn spawn(args: &[String]) -> Child {
    Command::new(GAPS)
        .args(args)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gaps starts")
}

fn snapshot(out: &Path) -> Snapshot {
    Snapshot::from_json(&std::fs::read_to_string(out).expect("snapshot written"))
        .expect("snapshot parses")
}

fn check_json(out: &Path) -> Value {
    let o = Command::new(GAPS)
        .args(["check", "--format", "json", "--fail-on", "never"])
        .arg(out)
        .output()
        .unwrap();
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

fn findings(v: &Value) -> Vec<Value> {
    v["findings"].as_array().cloned().unwrap_or_default()
}

/// Holds a lock from another connection for as long as it lives.
struct Holder {
    conn: PgConnection,
    pid: i64,
}

async fn hold(db: &TestDb, sql: &str) -> Holder {
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    let pid: i64 = sqlx::query_scalar("SELECT pg_backend_pid()::int8")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.execute(sqlx::AssertSqlSafe(format!("BEGIN; {sql}")))
        .await
        .unwrap();
    Holder { conn, pid }
}

#[test]
fn a_table_locked_access_exclusive_is_not_waited_for_its_holder_is_named_and_nothing_false_is_said()
{
    let c = pg::cluster();
    let db = c.create_database("lock_held");
    let src = service(&db, MAIN_RS);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("locked.json");
    let rt = rt();
    let holder = rt.block_on(hold(&db, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE"));

    let started = Instant::now();
    let o = run(&collect_args(
        &db,
        src.path(),
        &out,
        &["--lock-timeout", "1", "--deadline", "60"],
    ));
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    // Partial (1), and long before its deadline: before this, the columns, constraints and
    // indexes reads each waited the full statement timeout behind the lock.
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(took < Duration::from_secs(20), "collect took {took:?}");
    assert!(
        stderr.contains("public.users is locked") && stderr.contains(&holder.pid.to_string()),
        "{stderr}"
    );

    let snap = snapshot(&out);
    let session = snap.session.as_ref().expect("session report");
    assert_eq!(session.lock_timeout_ms, 1000);
    let users = session
        .locked
        .iter()
        .find(|l| l.relation.name == "users")
        .unwrap_or_else(|| panic!("users not recorded as locked: {session:#?}"));
    let b = users
        .blockers
        .iter()
        .find(|b| b.pid == holder.pid)
        .unwrap_or_else(|| panic!("the holder's pid is not named: {users:#?}"));
    assert!(b.granted && b.mode == "AccessExclusiveLock", "{b:?}");
    assert_eq!(b.role.as_deref(), Some("postgres"));
    assert_eq!(b.state.as_deref(), Some("idle in transaction"));
    assert!(b.age_secs.is_some_and(|a| a >= 0.0));
    assert!(
        b.query
            .as_deref()
            .is_some_and(|q| q.contains("LOCK TABLE users")),
        "{b:?}"
    );
    assert!(
        users.not_read.iter().any(|w| w.contains("columns")),
        "{users:#?}"
    );

    // The schema: users' catalogs are recorded as not read (by relation); todos is complete.
    let schema = snap.schema.data().expect("schema collected");
    let gap = schema
        .incomplete
        .iter()
        .find(|e| e.relations.iter().any(|r| r.name == "users"))
        .unwrap_or_else(|| panic!("no incomplete entry for users: {:#?}", schema.incomplete));
    assert_eq!(gap.cause, Some(IncompleteCause::Locked));
    assert!(gap.catalogs.contains(&Catalog::Columns) && gap.catalogs.contains(&Catalog::Indexes));
    assert!(!schema.sees(Catalog::Columns, "public", "users"));
    assert!(schema.sees(Catalog::Columns, "public", "todos"));
    let todos = schema.table("public", "todos").unwrap();
    assert_eq!(todos.columns.len(), 3, "{todos:#?}");
    assert_eq!(todos.foreign_keys.len(), 1);

    // The statements on users were not sent; the one through a view waited one lock
    // timeout and was not retried. None is blamed on the code.
    let checks = snap.query_checks.data().expect("query checks");
    for st in &checks.statements {
        let sql = st.sql.as_deref().unwrap_or("");
        match &st.outcome {
            Outcome::NotCheckable { reason } if sql.contains("FROM users") => {
                assert!(reason.contains("public.users is locked"), "{reason}");
                assert!(reason.contains(&holder.pid.to_string()), "{reason}");
            }
            Outcome::NotCheckable { reason } if sql.contains("active_users") => {
                assert!(reason.contains("waited more than 1.0s"), "{reason}");
                assert!(reason.contains("not retried"), "{reason}");
            }
            Outcome::Ok if sql.contains("FROM todos") => {}
            other => panic!("{sql}: {other:?}"),
        }
    }

    let report = check_json(&out);
    let all = findings(&report);
    let lock = all
        .iter()
        .find(|f| f["kind"] == "lock_blocked")
        .unwrap_or_else(|| panic!("no lock_blocked finding: {all:#?}"));
    assert_eq!(lock["table"], "users");
    assert!(
        lock["details"]["pids"]
            .as_array()
            .unwrap()
            .contains(&Value::from(holder.pid)),
        "{lock:#}"
    );
    assert!(
        lock["message"]
            .as_str()
            .unwrap()
            .contains("LOCK TABLE users")
    );
    assert!(lock["next_step"].as_str().is_some());
    assert!(
        all.iter().any(|f| f["kind"] == "evidence_incomplete"
            && f["details"]["relations"] == serde_json::json!(["public.users"])),
        "{all:#?}"
    );
    for f in &all {
        let kind = f["kind"].as_str().unwrap();
        assert!(
            !(f["table"] == "users"
                && [
                    "column_missing",
                    "column_unexpected",
                    "column_type_mismatch",
                    "column_nullability_mismatch",
                    "index_missing",
                    "constraint_mismatch",
                    "default_mismatch",
                ]
                .contains(&kind)),
            "a false finding for the locked table: {f:#}"
        );
        assert_ne!(kind, "query_invalid", "{f:#}");
        assert_ne!(kind, "table_missing", "{f:#}");
    }

    // The report shows both: the lock as a finding, the schema as partial evidence.
    let page = dir.path().join("report");
    let o = Command::new(GAPS)
        .arg("report")
        .arg(&out)
        .arg("--out")
        .arg(&page)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(page.join("index.html")).unwrap();
    for text in [
        "<code class=\"kind\">lock_blocked</code> public.users is locked (AccessExclusiveLock)",
        "<code class=\"kind\">evidence_incomplete</code> the live schema is incomplete",
        "schema incomplete: columns",
    ] {
        assert!(html.contains(text), "the report lacks {text:?}");
    }

    // Control: once the lock is gone, the same collect reads users completely.
    rt.block_on(async {
        let Holder { mut conn, .. } = holder;
        conn.execute("ROLLBACK").await.unwrap();
        conn.close().await.unwrap();
    });
    let out2 = dir.path().join("free.json");
    let o = run(&collect_args(
        &db,
        src.path(),
        &out2,
        &["--lock-timeout", "1"],
    ));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let snap = snapshot(&out2);
    let schema = snap.schema.data().unwrap();
    assert!(schema.incomplete.is_empty(), "{:#?}", schema.incomplete);
    assert_eq!(schema.table("public", "users").unwrap().columns.len(), 3);
    assert!(snap.session.unwrap().locked.is_empty());
    let all = findings(&check_json(&out2));
    assert!(
        !all.iter()
            .any(|f| f["kind"] == "lock_blocked" || f["kind"] == "evidence_incomplete"),
        "{all:#?}"
    );
}

/// A source file with `n` distinct statements on `t_alter`, so describing takes a while.
fn many_statements(n: usize) -> String {
    let mut text = String::from("pub async fn all(db: &sqlx::PgPool) {\n");
    for i in 0..n {
        text.push_str(&format!(
            "    let _ = sqlx::query(\"SELECT id + {i} FROM t_alter\").execute(db).await;\n"
        ));
    }
    text.push_str("}\n");
    text
}

fn service_with_many(db: &TestDb, n: usize) -> tempfile::TempDir {
    pg::cluster()
        .psql(&db.name, "CREATE TABLE t_alter (id bigint PRIMARY KEY)")
        .unwrap();
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("src")).unwrap();
    std::fs::write(src.path().join("src/main.rs"), many_statements(n)).unwrap();
    src
}

/// gaps' backend pid once it is describing one of the generated statements.
fn describing_backend(db: &TestDb, child: &mut Child, limit: Duration) -> i64 {
    let started = Instant::now();
    loop {
        let pid = pg::cluster()
            .psql(
                &db.name,
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'gaps' \
                 AND query LIKE 'SELECT id + %' LIMIT 1",
            )
            .unwrap();
        if let Ok(pid) = pid.trim().parse::<i64>() {
            return pid;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("gaps ended ({status}) before it was seen describing");
        }
        assert!(
            started.elapsed() < limit,
            "gaps was not seen describing within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_alter_table_issued_while_gaps_describes_completes_while_gaps_is_still_describing() {
    let db = pg::cluster().create_database("alter_during");
    let n = 3000;
    let src = service_with_many(&db, n);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    let mut child = spawn(&collect_args(
        &db,
        src.path(),
        &out,
        &["--verbose", "--deadline", "300"],
    ));
    describing_backend(&db, &mut child, Duration::from_secs(120));

    // A migration's ALTER, from another connection, while gaps has already described
    // statements on this table. Before, gaps kept their ACCESS SHARE locks until its
    // transaction ended, and the ALTER (and every query behind it) waited that long.
    let alter_took = rt().block_on(async {
        let mut conn = PgConnection::connect(&db.url).await.unwrap();
        conn.execute("SET lock_timeout = '60s'").await.unwrap();
        let started = Instant::now();
        conn.execute("ALTER TABLE t_alter ADD COLUMN added_meanwhile int")
            .await
            .expect("the ALTER completes");
        let took = started.elapsed();
        conn.close().await.unwrap();
        took
    });
    let still_describing = child.try_wait().unwrap().is_none();
    let status = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&status.stderr).into_owned();
    assert!(
        still_describing,
        "gaps had finished before the ALTER did (ALTER took {alter_took:?}): it held a lock"
    );
    assert!(
        alter_took < Duration::from_secs(10),
        "ALTER took {alter_took:?}"
    );
    assert!(status.status.code().is_some_and(|c| c <= 1), "{stderr}");

    // Progress names the phase and the count.
    assert!(
        stderr.contains("gaps: describing ") && stderr.contains("/3,000 statements"),
        "{stderr}"
    );
    let snap = snapshot(&out);
    let checks = snap.query_checks.data().expect("query checks");
    assert_eq!(checks.statements.len(), n);
    assert!(checks.counts.ok as usize > n / 2, "{:?}", checks.counts);
    assert_eq!(checks.counts.rejected, 0, "{:?}", checks.counts);
}

/// Sends SIGCONT to a stopped backend when dropped, whatever the test's outcome.
struct Stopped(i64);

impl Drop for Stopped {
    fn drop(&mut self) {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(self.0 as libc::pid_t, libc::SIGCONT) };
    }
}

#[test]
fn a_backend_stopped_with_sigstop_ends_collect_by_its_deadline_with_a_partial_snapshot() {
    let db = pg::cluster().create_database("sigstop");
    let src = service_with_many(&db, 3000);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    let deadline = 12;
    let started = Instant::now();
    let mut child = spawn(&collect_args(
        &db,
        src.path(),
        &out,
        &[
            "--deadline",
            &deadline.to_string(),
            "--statement-timeout",
            "3",
        ],
    ));
    let pid = describing_backend(&db, &mut child, Duration::from_secs(deadline - 2));
    // SAFETY: kill has no memory-safety preconditions.
    assert_eq!(unsafe { libc::kill(pid as libc::pid_t, libc::SIGSTOP) }, 0);
    let _resume = Stopped(pid);

    let limit = Duration::from_secs(deadline + 5);
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("collect still running {limit:?} after it started (deadline {deadline}s)");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let took = started.elapsed();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took <= Duration::from_secs(deadline + 3), "took {took:?}");
    assert!(stderr.contains("ended early"), "{stderr}");

    let snap = snapshot(&out);
    assert!(snap.is_partial());
    assert!(
        matches!(snap.schema, Section::Collected { .. }),
        "{:?}",
        snap.schema
    );
    let end = snap
        .session
        .as_ref()
        .and_then(|s| s.ended_early.clone())
        .expect("the early end is recorded");
    assert!(
        matches!(end.cause, EndCause::Stalled | EndCause::Deadline),
        "{end:?}"
    );
    let checks = snap
        .query_checks
        .data()
        .expect("what was described is kept");
    assert!(checks.stopped.is_some());
    assert!(checks.counts.ok > 0, "{:?}", checks.counts);
    assert!(
        checks.statements.iter().any(|s| matches!(
            &s.outcome,
            Outcome::NotCheckable { reason } if reason.starts_with("not described")
        )),
        "{:?}",
        checks.counts
    );
    let all = findings(&check_json(&out));
    assert!(
        all.iter().any(|f| f["kind"] == "evidence_incomplete"),
        "{all:#?}"
    );
}

/// Relation locks gaps' backend holds right now, seen from another connection.
fn relation_locks_of(db: &TestDb, pid: i64) -> Vec<String> {
    pg::cluster()
        .psql(
            &db.name,
            &format!(
                "SELECT relation::regclass::text || ' ' || mode FROM pg_locks \
                 WHERE pid = {pid} AND locktype = 'relation' ORDER BY 1"
            ),
        )
        .unwrap()
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn no_relation_lock_outlives_a_read_and_prepared_statements_survive_the_rollback() {
    let db = pg::cluster().create_database("no_lock_kept");
    let src = service(&db, MAIN_RS);
    drop(src);
    rt().block_on(async {
        let mut session = Session::open(&db.url, &SessionOptions::default())
            .await
            .unwrap();
        // Unnamed, so the count of named statements below is gaps' alone.
        let pid: i64 = sqlx::query_scalar("SELECT pg_backend_pid()::int8")
            .persistent(false)
            .fetch_one(session.postgres().unwrap())
            .await
            .unwrap();
        let schema = gaps_collector::inspect::schema(&mut session).await;
        assert!(schema.data().is_some_and(|s| s.incomplete.is_empty()));
        assert_eq!(relation_locks_of(&db, pid), Vec::<String>::new());
        let applied =
            gaps_collector::migrations::applied::read(&mut session, "_sqlx_migrations", "default")
                .await
                .unwrap();
        assert_eq!(applied.rows.len(), 1);
        assert_eq!(relation_locks_of(&db, pid), Vec::<String>::new());

        let inputs: Vec<StatementInput> = ["SELECT id, email FROM users", "SELECT id FROM todos"]
            .iter()
            .enumerate()
            .map(|(i, sql)| StatementInput {
                file: "src/a.rs".into(),
                line: i as u32 + 1,
                sql: Some(sql.to_string()),
                ..StatementInput::default()
            })
            .collect();
        let checks = check(&mut session, &inputs, &CheckOptions::default())
            .await
            .unwrap();
        assert_eq!(checks.counts.ok, 2, "{checks:#?}");
        assert_eq!(relation_locks_of(&db, pid), Vec::<String>::new());
        let conn = session.postgres().unwrap();
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_prepared_statements")
            .persistent(false)
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(left, 0, "a named statement outlived the check");

        // A statement prepared inside a savepoint that is rolled back stays prepared, so
        // sqlx's cached handle is still good afterwards.
        conn.execute("SAVEPOINT probe").await.unwrap();
        conn.describe(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(
            "SELECT id FROM users".to_string(),
        )))
        .await
        .unwrap();
        conn.execute("ROLLBACK TO SAVEPOINT probe").await.unwrap();
        let again = conn
            .describe(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(
                "SELECT id FROM users".to_string(),
            )))
            .await
            .expect("the cached statement is usable after the rollback");
        assert_eq!(again.columns.len(), 1);
        conn.clear_cached_statements().await.unwrap();
        session.close().await;

        // Control: a plain read in a transaction does hold its lock, so the checks above
        // can fail.
        let mut plain = PgConnection::connect(&db.url).await.unwrap();
        let pid: i64 = sqlx::query_scalar("SELECT pg_backend_pid()::int8")
            .fetch_one(&mut plain)
            .await
            .unwrap();
        plain
            .execute("BEGIN; SELECT count(*) FROM users")
            .await
            .unwrap();
        let held = relation_locks_of(&db, pid);
        assert!(
            held.contains(&"users AccessShareLock".to_string()),
            "{held:?}"
        );
        let _ = plain.execute("ROLLBACK").await;
        let _ = plain.close().await;
    });
}

#[test]
fn an_alter_queued_behind_a_long_transaction_is_named_with_the_pid_it_waits_for() {
    let c = pg::cluster();
    let db = c.create_database("lock_queued");
    let src = service(&db, MAIN_RS);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("queued.json");
    let rt = rt();
    // A long transaction holds ACCESS SHARE on users; a migration's ALTER queues behind it
    // for ACCESS EXCLUSIVE, and every later reader of users would queue behind the ALTER.
    let reader = rt.block_on(hold(&db, "SELECT count(*) FROM users"));
    let mut alter = Command::new(c.bindir().join("psql"))
        .args(["-X", "-q", "-h", "127.0.0.1", "-U", "postgres", "-p"])
        .arg(c.port().to_string())
        .args(["-d", &db.name, "-c"])
        .arg("SET lock_timeout = '60s'; ALTER TABLE users ADD COLUMN nickname text")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let alter_pid = loop {
        let pid = c
            .psql(
                &db.name,
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' \
                 AND query LIKE 'SET lock_timeout%ALTER TABLE users%'",
            )
            .unwrap();
        if let Ok(pid) = pid.trim().parse::<i64>() {
            break pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    };

    let started = Instant::now();
    let o = run(&collect_args(
        &db,
        src.path(),
        &out,
        &["--lock-timeout", "1", "--deadline", "60"],
    ));
    let took = started.elapsed();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(took < Duration::from_secs(20), "collect took {took:?}");
    let snap = snapshot(&out);
    let users = snap
        .session
        .as_ref()
        .and_then(|s| s.locked.iter().find(|l| l.relation.name == "users"))
        .cloned()
        .expect("users recorded as locked");
    let queued = users
        .blockers
        .iter()
        .find(|b| b.pid == alter_pid)
        .unwrap_or_else(|| panic!("the queued ALTER is not named: {users:#?}"));
    assert!(!queued.granted);
    assert_eq!(queued.blocked_by, vec![reader.pid], "{queued:?}");
    let all = findings(&check_json(&out));
    let lock = all
        .iter()
        .find(|f| f["kind"] == "lock_blocked")
        .unwrap_or_else(|| panic!("{all:#?}"));
    let message = lock["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("queued for by pid {alter_pid}"))
            && message.contains(&format!("itself waiting for pid {}", reader.pid)),
        "{message}"
    );
    assert!(
        lock["next_step"]
            .as_str()
            .unwrap()
            .contains(&format!("pid {}", reader.pid)),
        "{lock:#}"
    );
    assert!(
        all.iter()
            .all(|f| !(f["table"] == "users" && f["kind"] == "column_missing")),
        "{all:#?}"
    );

    // The reader ends; the ALTER then completes.
    rt.block_on(async {
        let Holder { mut conn, .. } = reader;
        conn.execute("ROLLBACK").await.unwrap();
        conn.close().await.unwrap();
    });
    assert!(alter.wait().unwrap().success());
}
