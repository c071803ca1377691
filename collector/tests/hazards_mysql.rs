//! Before you run the fix, on the real throwaway MariaDB: DDL commits implicitly there, so a
//! migration of several statements that fails part-way leaves the database half-changed and
//! the migration dirty (proven with sqlx's own migrator), and an ALTER TABLE that cannot run in
//! place rebuilds the table (proven by the server refusing it with ALGORITHM=INPLACE, while the
//! must-not-report ADD COLUMN runs with ALGORITHM=INSTANT). `gaps collect` reports both with the
//! table's size, and nothing for the instant change.

use std::path::Path;
use std::process::Command;

use gaps_core::snapshot::Snapshot;
use gaps_core::{Finding, FindingKind, Severity};
use gaps_tests::mysql::{self, TestDb};
use sqlx::{Connection, Executor, MySqlConnection};

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

const INIT: &str = "CREATE TABLE events (id INT PRIMARY KEY, n INT, note VARCHAR(20));\n";

const PENDING: &[(&str, &str)] = &[
    (
        "0002_retype.sql",
        "ALTER TABLE events MODIFY COLUMN n BIGINT;\n",
    ),
    (
        "0003_two.sql",
        "CREATE TABLE audit (id INT PRIMARY KEY);\nALTER TABLE events ADD COLUMN extra INT;\n",
    ),
    (
        "0004_flag.sql",
        "ALTER TABLE events ADD COLUMN flag TINYINT NOT NULL DEFAULT 0;\n",
    ),
];

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn migrate(url: &str, files: &[(&str, &str)]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    for (f, sql) in files {
        std::fs::write(dir.path().join(f), sql).unwrap();
    }
    let mut conn = MySqlConnection::connect(url).await.unwrap();
    let r = sqlx::migrate::Migrator::new(dir.path())
        .await
        .unwrap()
        .run(&mut conn)
        .await;
    conn.close().await.unwrap();
    r.map_err(|e| e.to_string())
}

fn database(hint: &str, rows: u32) -> TestDb {
    let s = mysql::server();
    let db = s.create_database(hint);
    rt().block_on(migrate(&db.url, &[("0001_init.sql", INIT)]))
        .expect("INIT applies");
    s.sql(
        &db.name,
        &format!(
            "INSERT INTO events (id, n, note) SELECT seq, seq, 'x' FROM seq_1_to_{rows}; \
             ANALYZE TABLE events"
        ),
    )
    .unwrap();
    db
}

fn findings_of(out: &Path) -> Vec<Finding> {
    let snap = Snapshot::from_json(&std::fs::read_to_string(out).unwrap()).unwrap();
    gaps_core::rules::analyse(&snap)
}

fn hazards(findings: &[Finding], version: i64) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.kind == FindingKind::MigrationHazard && f.migration == Some(version))
        .collect()
}

#[test]
fn rebuilds_and_implicit_commits_are_reported_and_each_claim_holds() {
    let s = mysql::server();
    let db = database("hazards_my", 5_000);
    let src = tempfile::tempdir().unwrap();
    let m = src.path().join("migrations");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("0001_init.sql"), INIT).unwrap();
    for (f, sql) in PENDING {
        std::fs::write(m.join(f), sql).unwrap();
    }
    let out = src.path().join("plan.json");
    let o = Command::new(GAPS)
        .args(["collect", "-q", "--database-url", &db.url, "--source"])
        .arg(src.path())
        .arg("--out")
        .arg(&out)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let findings = findings_of(&out);

    let rebuild = hazards(&findings, 2);
    assert_eq!(rebuild.len(), 1, "{findings:#?}");
    assert_eq!(rebuild[0].details["rule"], "gaps:mysql-table-rebuild");
    assert_eq!(rebuild[0].severity, Severity::Warning);
    assert_eq!(rebuild[0].table.as_deref(), Some("events"));
    let rows = rebuild[0].details["rows"]
        .as_i64()
        .expect("the table's rows");
    assert!((2_500..=10_000).contains(&rows), "{rows}");
    assert!(
        rebuild[0].message.contains("rebuilds the table"),
        "{}",
        rebuild[0].message
    );

    let commit = hazards(&findings, 3);
    assert_eq!(commit.len(), 1, "{findings:#?}");
    assert_eq!(commit[0].details["rule"], "gaps:mysql-implicit-commit");
    assert_eq!(commit[0].line, Some(1));
    assert!(
        commit[0].message.contains("(line 2)"),
        "{}",
        commit[0].message
    );
    // Must not report: an ADD COLUMN MariaDB makes instantly.
    assert!(hazards(&findings, 4).is_empty(), "{findings:#?}");

    // The rebuild claim: the server cannot change the type in place; it adds the column
    // instantly.
    let copy = database("hazards_my_copy", 100);
    let refused = s.sql(
        &copy.name,
        "ALTER TABLE events MODIFY COLUMN n BIGINT, ALGORITHM=INPLACE",
    );
    assert!(refused.is_err(), "an in-place type change was accepted");
    assert!(
        refused
            .unwrap_err()
            .contains("ALGORITHM=INPLACE is not supported"),
        "the refusal names the algorithm"
    );
    s.sql(
        &copy.name,
        "ALTER TABLE events ADD COLUMN flag TINYINT NOT NULL DEFAULT 0, ALGORITHM=INSTANT",
    )
    .expect("the must-not-report ADD COLUMN is instant");

    // The implicit-commit claim: a file that fails at its second statement leaves the first
    // applied and the migration dirty.
    let half = database("hazards_my_half", 10);
    let failed = rt().block_on(migrate(
        &half.url,
        &[
            ("0001_init.sql", INIT),
            (
                "0002_two.sql",
                "CREATE TABLE audit (id INT PRIMARY KEY);\nALTER TABLE missing ADD COLUMN x INT;\n",
            ),
        ],
    ));
    assert!(failed.is_err(), "the second statement fails");
    let state = s
        .sql(
            &half.name,
            "SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
             AND TABLE_NAME = 'audit'), (SELECT success FROM _sqlx_migrations WHERE version = 2)",
        )
        .unwrap();
    assert_eq!(state.trim(), "1\t0", "audit stays, the row is dirty");
    // And the half-applied file cannot simply run again.
    rt().block_on(async {
        let mut conn = MySqlConnection::connect(&half.url).await.unwrap();
        let e = conn
            .execute("CREATE TABLE audit (id INT PRIMARY KEY)")
            .await
            .expect_err("audit exists");
        assert!(e.to_string().contains("already exists"), "{e}");
    });
}
