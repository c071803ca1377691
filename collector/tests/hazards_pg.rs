//! Before you run the fix, on the real throwaway PostgreSQL with real locks: a table of 300,000
//! rows, pending migrations with each hazard (and must-not-report twins of each), and a second
//! connection idle in a transaction. `gaps collect` (the real binary) reports each hazard with
//! the table's size and the blocker's pid, while the server's statement log shows it sent only
//! reads. Each claim is then made real: the ALTER times out behind the blocker (55P03), a
//! statement said to rewrite the table changes its relfilenode in a separate scratch database
//! (and one said not to does not), and each statement said to fail fails with that SQLSTATE
//! when sqlx's own migrator runs it. The after-migration check (scratch mode and replay):
//! code reading a column a pending migration renames is reported, code the migration makes
//! valid is not.

use std::path::Path;
use std::process::{Command, Output};

use gaps_core::code::expected::ExpectationMode;
use gaps_core::hazards::{Effect, MigrationPlan};
use gaps_core::snapshot::Snapshot;
use gaps_core::{Finding, FindingKind, Severity};
use gaps_tests::pg::{self, PgCluster, TestDb};
use sqlx::{Connection, Executor, PgConnection};

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

const INIT: &str = "\
CREATE TYPE mood AS ENUM ('ok', 'sad');
CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint, kind varchar(20), payload text,
    mood mood);
";

/// The pending migrations: (file, SQL). Each hazard, then its must-not-report twin.
const PENDING: &[(&str, &str)] = &[
    (
        "0002_token.sql",
        "ALTER TABLE events ADD COLUMN token uuid DEFAULT gen_random_uuid();\n",
    ),
    (
        "0003_kind_index.sql",
        "CREATE INDEX events_kind ON events (kind);\n",
    ),
    (
        "0004_user_fk.sql",
        "ALTER TABLE events ADD CONSTRAINT events_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n",
    ),
    (
        "0005_kind_not_null.sql",
        "ALTER TABLE events ALTER COLUMN kind SET NOT NULL;\n",
    ),
    (
        "0006_payload_index.sql",
        "CREATE INDEX CONCURRENTLY events_payload ON events (payload);\n",
    ),
    (
        "0007_mood.sql",
        "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE events SET mood = 'meh' WHERE id = 1;\n",
    ),
    (
        "0008_extension.sql",
        "CREATE EXTENSION IF NOT EXISTS gaps_no_such_extension;\n",
    ),
    (
        "0009_function.sql",
        "ALTER TABLE events ADD COLUMN h text DEFAULT gaps_no_such_fn();\n",
    ),
    (
        "0010_required.sql",
        "ALTER TABLE events ADD COLUMN must int NOT NULL;\n",
    ),
    (
        "0011_user_index.sql",
        "-- no-transaction\nCREATE INDEX CONCURRENTLY events_user ON events (user_id);\n",
    ),
    (
        "0012_flag.sql",
        "ALTER TABLE events ADD COLUMN flag boolean NOT NULL DEFAULT false;\n",
    ),
    (
        "0013_fk_not_valid.sql",
        "ALTER TABLE events ADD CONSTRAINT events_user_fk2 FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n",
    ),
    (
        "0014_widen.sql",
        "SET lock_timeout = '5s';\nALTER TABLE events ALTER COLUMN kind TYPE varchar(50);\n",
    ),
    (
        "0015_user_id_type.sql",
        "ALTER TABLE users ALTER COLUMN id TYPE int;\n",
    ),
];

/// The migrations that must not be reported as a hazard.
const MUST_NOT: &[i64] = &[11, 12, 13, 14];

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A service tree with `migrations/` (INIT and `pending`) and `src/main.rs`.
fn service(pending: &[(&str, &str)], main_rs: &str) -> tempfile::TempDir {
    let src = tempfile::tempdir().unwrap();
    let m = src.path().join("migrations");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::create_dir_all(src.path().join("src")).unwrap();
    std::fs::write(m.join("0001_init.sql"), INIT).unwrap();
    for (f, sql) in pending {
        std::fs::write(m.join(f), sql).unwrap();
    }
    std::fs::write(src.path().join("src/main.rs"), main_rs).unwrap();
    src
}

/// Applies the files of `files` with sqlx's own migrator; returns its error's SQLSTATE.
async fn migrate(url: &str, files: &[(&str, &str)]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    for (f, sql) in files {
        std::fs::write(dir.path().join(f), sql).unwrap();
    }
    let mut conn = PgConnection::connect(url).await.unwrap();
    let result = sqlx::migrate::Migrator::new(dir.path())
        .await
        .unwrap()
        .run(&mut conn)
        .await;
    conn.close().await.unwrap();
    match result {
        Ok(()) => Ok(()),
        Err(sqlx::migrate::MigrateError::ExecuteMigration(sqlx::Error::Database(e), _)) => {
            Err(e.code().unwrap_or_default().into_owned())
        }
        Err(e) => Err(format!("not a database error: {e}")),
    }
}

/// A database with INIT applied by sqlx and `events` filled with `rows` rows.
fn database(c: &PgCluster, hint: &str, rows: u32) -> TestDb {
    let db = c.create_database(hint);
    rt().block_on(migrate(&db.url, &[("0001_init.sql", INIT)]))
        .expect("INIT applies");
    c.psql(
        &db.name,
        &format!(
            "INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 1000) g; \
             INSERT INTO events SELECT g, 1 + g % 1000, 'k' || (g % 50), repeat('x', 40), 'ok' \
             FROM generate_series(1, {rows}) g; ANALYZE users, events"
        ),
    )
    .unwrap();
    db
}

fn collect(db: &TestDb, src: &Path, out: &Path, extra: &[&str]) -> Output {
    Command::new(GAPS)
        .args(["collect", "--database-url", &db.url, "--source"])
        .arg(src)
        .arg("--out")
        .arg(out)
        .args(["-q", "--lock-timeout", "1"])
        .args(extra)
        .env_remove("DATABASE_URL")
        .output()
        .expect("gaps runs")
}

fn load(out: &Path) -> (Snapshot, Vec<Finding>) {
    let snap = Snapshot::from_json(&std::fs::read_to_string(out).expect("snapshot written"))
        .expect("snapshot parses");
    let findings = gaps_core::rules::analyse(&snap);
    (snap, findings)
}

fn plan(snap: &Snapshot) -> &MigrationPlan {
    snap.migration_plan
        .data()
        .unwrap_or_else(|| panic!("no migration plan: {:?}", snap.migration_plan))
}

fn of(findings: &[Finding], kind: FindingKind, version: i64) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.kind == kind && f.migration == Some(version))
        .collect()
}

fn rules_of(findings: &[Finding], version: i64) -> Vec<String> {
    of(findings, FindingKind::MigrationHazard, version)
        .iter()
        .map(|f| f.details["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Every statement gaps sent is a read (or an EXPLAIN without ANALYZE), a transaction-local
/// setting or the transaction and savepoint control around them.
fn assert_only_reads(sent: &[String]) {
    assert!(
        sent.iter().any(|s| s.contains("READ ONLY")),
        "the read-only transaction was logged: {sent:#?}"
    );
    assert!(
        sent.iter().any(|s| s.contains("pg_total_relation_size")),
        "the size read was logged: {sent:#?}"
    );
    for s in sent {
        let code: String = s
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        for part in code.split(';').filter(|p| !p.trim().is_empty()) {
            let kw = part
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            // sqlx's nullability inference plans a described query (never runs it).
            let plan_only = kw == "EXPLAIN" && !part.to_ascii_uppercase().contains("ANALYZE");
            assert!(
                ["SELECT", "SET", "BEGIN", "SAVEPOINT", "ROLLBACK"].contains(&kw.as_str())
                    || plan_only,
                "collect sent a statement that is not a read: {s}"
            );
        }
    }
}

/// A second connection idle in a transaction that read `events`: it holds ACCESS SHARE.
async fn idle_reader(db: &TestDb) -> (PgConnection, i64) {
    let mut conn = PgConnection::connect(&db.url).await.unwrap();
    let pid: i64 = sqlx::query_scalar("SELECT pg_backend_pid()::int8")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    conn.execute("BEGIN; SELECT count(*) FROM events WHERE id = 1")
        .await
        .unwrap();
    (conn, pid)
}

const MAIN_RS: &str = r#"
pub async fn one(db: &sqlx::PgPool) -> Result<(i64,), sqlx::Error> {
    sqlx::query_as::<_, (i64,)>("SELECT id FROM events WHERE id = $1")
        .bind(1i64)
        .fetch_one(db)
        .await
}
"#;

#[test]
fn each_hazard_is_reported_with_the_table_size_and_the_blocker_and_each_claim_holds() {
    let c = pg::cluster();
    let db = database(c, "hazards", 300_000);
    let src = service(PENDING, MAIN_RS);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan.json");
    let rt = rt();
    let (holder, pid) = rt.block_on(idle_reader(&db));

    let before = c.logged_statements(&db.name).len();
    let o = collect(&db, src.path(), &out, &[]);
    let sent = c.logged_statements(&db.name).split_off(before);
    assert!(
        o.status.code() == Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_only_reads(&sent);

    let (snap, findings) = load(&out);
    let p = plan(&snap);
    assert_eq!(p.linter, "squawk-linter 2.68.0");
    assert_eq!(p.migrations.len(), PENDING.len(), "{:#?}", p.migrations);
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let events = p
        .tables
        .iter()
        .find(|t| t.relation.name == "events")
        .expect("events' size read");
    assert_eq!(events.relation.schema, "public");
    let rows = events.rows().unwrap();
    assert!((290_000..=310_000).contains(&rows), "{events:?}");
    assert!(events.bytes.unwrap() > 10 << 20, "{events:?}");
    assert!(!events.bytes_estimated);

    // Each hazard, with its size; under the default threshold (1 M rows) a warning.
    for (version, rule) in [
        (2, "adding-field-with-default"),
        (3, "require-concurrent-index-creation"),
        (4, "adding-foreign-key-constraint"),
        (5, "adding-not-nullable-field"),
        (15, "changing-column-type"),
    ] {
        let f = of(&findings, FindingKind::MigrationHazard, version);
        assert_eq!(
            rules_of(&findings, version),
            [rule],
            "migration {version}: {f:#?}"
        );
        assert_eq!(f[0].severity, Severity::Warning, "{f:#?}");
        assert_eq!(f[0].line, Some(1));
        let table = if version == 15 { "users" } else { "events" };
        assert_eq!(f[0].table.as_deref(), Some(table));
        if version != 15 {
            assert_eq!(f[0].details["rows"], rows, "{f:#?}");
            assert!(f[0].message.contains(" k rows"), "{}", f[0].message);
        }
        assert!(
            f[0].file
                .as_deref()
                .is_some_and(|p| p.contains(&format!("migrations/{version:04}_"))),
            "{f:#?}"
        );
    }
    // Each statement that fails as written, with the SQLSTATE it fails with.
    let mut failing: Vec<(i64, u32, String)> = Vec::new();
    for (version, rule, line) in [
        (6, "gaps:cannot-run-in-transaction", 1),
        (7, "gaps:enum-value-used-in-transaction", 2),
        (8, "gaps:extension-not-available", 1),
        (9, "gaps:function-missing", 1),
        (10, "adding-required-field", 1),
    ] {
        let f: Vec<&Finding> = of(&findings, FindingKind::MigrationHazard, version)
            .into_iter()
            .filter(|f| f.details["rule"] == rule)
            .collect();
        assert_eq!(f.len(), 1, "migration {version} {rule}: {findings:#?}");
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].line, Some(line));
        assert!(
            f[0].message.contains("fails as written"),
            "{}",
            f[0].message
        );
        failing.push((
            version,
            line,
            f[0].details["sqlstate"].as_str().unwrap().to_string(),
        ));
    }
    // Must not report.
    for version in MUST_NOT {
        assert!(
            of(&findings, FindingKind::MigrationHazard, *version).is_empty(),
            "migration {version}: {:#?}",
            of(&findings, FindingKind::MigrationHazard, *version)
        );
    }

    // The blocker: named with its pid wherever an ACCESS EXCLUSIVE would wait for it...
    let blocked = of(&findings, FindingKind::MigrationBlocked, 2);
    assert_eq!(blocked.len(), 1, "{findings:#?}");
    let b = blocked[0];
    assert_eq!(b.severity, Severity::Error);
    assert_eq!(b.details["pid"], pid);
    assert_eq!(b.details["state"], "idle in transaction");
    assert!(b.message.contains(&format!("pid {pid}")), "{}", b.message);
    assert!(
        b.message.contains("holds ACCESS SHARE on public.events"),
        "{}",
        b.message
    );
    assert!(
        b.message.contains("SELECT count(*) FROM events"),
        "{}",
        b.message
    );
    assert!(
        b.next_step
            .as_deref()
            .unwrap()
            .starts_with(&format!("first end pid {pid}"))
    );
    // ... and not where the lock does not conflict with a reader's (CREATE INDEX's SHARE, a
    // foreign key's SHARE ROW EXCLUSIVE).
    for version in [3, 4, 11, 13] {
        assert!(
            of(&findings, FindingKind::MigrationBlocked, version).is_empty(),
            "migration {version}"
        );
    }
    // The pending migration's next step says to end it first.
    let pending = of(&findings, FindingKind::MigrationPending, 2);
    assert!(
        pending[0]
            .next_step
            .as_deref()
            .unwrap()
            .contains(&format!("Before you run it: first end pid {pid}")),
        "{:?}",
        pending[0].next_step
    );
    // And the diagnosis: the cause whose fix runs the pending migrations starts its fix plan
    // with what to do before running them, the blocker first; the run itself comes after.
    let d = gaps_core::causes::diagnose(&snap, &findings);
    let run = d
        .causes
        .iter()
        .find(|c| c.id == "migrations-pending")
        .expect("a cause for the pending migrations");
    assert!(
        run.fix[0]
            .text
            .starts_with(&format!("Before running it: first end pid {pid}")),
        "{:#?}",
        run.fix
    );
    let runs_at = run
        .fix
        .iter()
        .position(|s| s.command.as_deref() == Some("sqlx migrate run"))
        .expect("the run step");
    assert!(
        run.fix[..runs_at]
            .iter()
            .all(|s| s.text.starts_with("Before running it: ")),
        "{:#?}",
        run.fix
    );
    let members: Vec<FindingKind> = run.findings.iter().map(|&i| findings[i].kind).collect();
    assert!(
        members.contains(&FindingKind::MigrationBlocked),
        "{members:?}"
    );
    assert!(
        members.contains(&FindingKind::MigrationHazard),
        "{members:?}"
    );

    // The blocker is real: the ALTER waits for it and times out.
    let code = rt.block_on(async {
        let mut conn = PgConnection::connect(&db.url).await.unwrap();
        conn.execute("SET lock_timeout = '300ms'").await.unwrap();
        let e = conn
            .execute("ALTER TABLE events ADD COLUMN probe int")
            .await
            .expect_err("the ALTER must wait for the idle transaction");
        e.as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned())
    });
    assert_eq!(code.as_deref(), Some("55P03"));
    drop(holder);

    // A larger-than threshold makes the same hazards errors.
    let out_large = dir.path().join("large.json");
    let o = collect(
        &db,
        src.path(),
        &out_large,
        &["--large-table-rows", "100000"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (_, large) = load(&out_large);
    let f = of(&large, FindingKind::MigrationHazard, 2);
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].details["large"], true);

    // Every rewrite claim, and every claim of no rewrite, holds in a separate scratch database.
    for version in [2, 12, 14, 15] {
        let st = &p
            .migrations
            .iter()
            .find(|m| m.version == version)
            .unwrap()
            .statements
            .last()
            .unwrap()
            .clone();
        let table = &st.locks[0].table.name;
        let copy = database(c, "hazards_rewrite", 2_000);
        let node = |c: &PgCluster| {
            c.psql(
                &copy.name,
                &format!("SELECT relfilenode FROM pg_class WHERE oid = '{table}'::regclass"),
            )
            .unwrap()
        };
        let before = node(c);
        let (_, sql) = PENDING
            .iter()
            .find(|(f, _)| f.starts_with(&format!("{version:04}_")))
            .unwrap();
        rt.block_on(migrate(
            &copy.url,
            &[
                ("0001_init.sql", INIT),
                (&format!("{version:04}_x.sql"), sql),
            ],
        ))
        .unwrap_or_else(|e| panic!("migration {version} applies: {e}"));
        let rewritten = node(c) != before;
        assert_eq!(
            rewritten,
            st.effect == Effect::Rewrite,
            "migration {version}: gaps says {:?}",
            st.effect
        );
    }

    // Every statement said to fail fails with that SQLSTATE when sqlx runs it.
    for (version, _, sqlstate) in failing {
        let copy = database(c, "hazards_fails", 3);
        let (file, sql) = PENDING
            .iter()
            .find(|(f, _)| f.starts_with(&format!("{version:04}_")))
            .unwrap();
        let got = rt.block_on(migrate(&copy.url, &[("0001_init.sql", INIT), (file, sql)]));
        assert_eq!(got, Err(sqlstate.clone()), "migration {version}");
    }
}

#[test]
fn create_index_concurrently_beside_another_statement_fails_even_without_a_transaction() {
    let c = pg::cluster();
    let copy = database(c, "hazards_cic", 3);
    let got = rt().block_on(migrate(
        &copy.url,
        &[
            ("0001_init.sql", INIT),
            (
                "0002_two.sql",
                "-- no-transaction\nCREATE INDEX CONCURRENTLY e_kind ON events (kind);\n\
                 CREATE INDEX CONCURRENTLY e_user ON events (user_id);\n",
            ),
        ],
    ));
    assert_eq!(got, Err("25001".to_string()));
    let next = vec![(
        gaps_core::code::replay::MigrationSource {
            version: 2,
            file: "0002_two.sql".into(),
            sql: "-- no-transaction\nCREATE INDEX CONCURRENTLY e_kind ON events (kind);\n\
                  CREATE INDEX CONCURRENTLY e_user ON events (user_id);\n"
                .into(),
        },
        gaps_core::hazards::PlanStatus::Pending,
        true,
    )];
    let analysed = gaps_collector::hazards::analyse_files(&next, Some("16.0"), None);
    let failing: Vec<&str> = analysed[0]
        .migration
        .statements
        .iter()
        .flat_map(|s| s.hazards.iter())
        .filter(|h| h.fails)
        .filter_map(|h| h.sqlstate.as_deref())
        .collect();
    assert_eq!(failing, ["25001", "25001"]);
}

const AFTER_RS: &str = r#"
pub async fn by_name(db: &sqlx::PgPool) -> Result<(i64, String), sqlx::Error> {
    sqlx::query_as::<_, (i64, String)>("SELECT id, name FROM users WHERE id = $1")
        .bind(1i64)
        .fetch_one(db)
        .await
}

pub async fn by_full_name(db: &sqlx::PgPool) -> Result<(i64, String), sqlx::Error> {
    sqlx::query_as::<_, (i64, String)>("SELECT id, full_name FROM users WHERE id = $1")
        .bind(1i64)
        .fetch_one(db)
        .await
}
"#;

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|l| l.contains(needle)).unwrap() as u32 + 1
}

#[test]
fn code_reading_a_column_a_pending_migration_renames_is_reported_and_code_it_fixes_is_not() {
    let c = pg::cluster();
    let db = database(c, "hazards_after", 10);
    let src = service(
        &[(
            "0002_rename.sql",
            "ALTER TABLE users RENAME COLUMN name TO full_name;\n",
        )],
        AFTER_RS,
    );
    let breaks_at = line_of(AFTER_RS, "\"SELECT id, name FROM users");
    let fixed_at = line_of(AFTER_RS, "full_name FROM users");
    let dir = tempfile::tempdir().unwrap();
    for scratch in [true, false] {
        let out = dir.path().join(format!("after-{scratch}.json"));
        let scratch_url = c.url("postgres");
        let extra: Vec<&str> = if scratch {
            vec!["--scratch-database-url", &scratch_url]
        } else {
            Vec::new()
        };
        let before = c.logged_statements(&db.name).len();
        let o = collect(&db, src.path(), &out, &extra);
        let sent = c.logged_statements(&db.name).split_off(before);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_only_reads(&sent);
        let (snap, findings) = load(&out);
        let p = plan(&snap);
        let mode = if scratch {
            ExpectationMode::Scratch
        } else {
            ExpectationMode::Replay
        };
        assert_eq!(p.after.mode, mode, "{:?}", p.after);
        let breaks: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.kind == FindingKind::QueryBreaksAfterMigration)
            .collect();
        assert_eq!(breaks.len(), 1, "scratch {scratch}: {breaks:#?}");
        let f = breaks[0];
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.file.as_deref(), Some("src/main.rs"));
        assert_eq!(f.line, Some(breaks_at), "{f:#?}");
        assert_eq!(f.migration, Some(2));
        assert_eq!(f.details["migration_line"], 1);
        assert_eq!(f.column.as_deref(), Some("name"));
        assert!(
            f.message.contains("renames it to full_name"),
            "{}",
            f.message
        );
        if scratch {
            assert!(f.message.contains("42703"), "{}", f.message);
            // The statement the migration makes valid is accepted on the scratch database,
            // and the pending migration says so.
            assert!(
                p.after.statements.iter().any(|a| a.line == fixed_at
                    && matches!(a.outcome, gaps_core::querycheck::Outcome::Ok))
            );
            let pending = of(&findings, FindingKind::MigrationPending, 2);
            assert!(
                pending[0].next_step.as_deref().unwrap().contains(
                    "1 statement(s) the database rejects now are accepted (checked on the scratch database)"
                ),
                "{:?}",
                pending[0].next_step
            );
        }
        assert!(
            findings
                .iter()
                .all(|f| f.kind != FindingKind::QueryBreaksAfterMigration
                    || f.line != Some(fixed_at)),
            "{findings:#?}"
        );
    }
}
