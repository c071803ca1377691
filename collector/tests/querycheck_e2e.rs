//! The query check end to end: the ignition-api example service with the query-check overlay
//! (`tests/fixtures/ignition-api-querycheck`) scanned by the real `gaps collect` against a real
//! throwaway PostgreSQL on which sqlx's own migrator applied migrations 0001..0014, leaving
//! the overlay's 0015 pending; then `gaps check --format json`. Expected lines are read from
//! the fixture text, so moving code in the fixture moves the expectation with it.

mod common;

use std::path::Path;

use gaps_core::Snapshot;
use gaps_core::querycheck::Outcome;
use gaps_tests::fixtures::fixture;
use gaps_tests::pg::cluster;
use serde_json::Value;

const REPOS: &str = "src/report_repos.rs";

/// Copies `from` into `to` recursively (hidden files included: `.gitignore` matters).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// sqlx's migrator applies the fixture's own migrations (0001..0014) for real.
fn migrate(url: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let pool = sqlx::PgPool::connect(url).await.expect("connect");
        sqlx::migrate::Migrator::new(fixture("ignition-api/migrations"))
            .await
            .expect("resolve migrations")
            .run(&pool)
            .await
            .expect("sqlx applies 0001..0014");
        pool.close().await;
    });
}

/// The 1-based line of the only line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    let hits: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(hits.len(), 1, "{needle:?} must be on exactly one line");
    hits[0] as u32
}

#[test]
fn queries_are_checked_on_a_real_database_with_pending_migration_links() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("ignition-api");
    copy_tree(&fixture("ignition-api"), &src);
    copy_tree(&fixture("ignition-api-querycheck"), &src);
    let repos = std::fs::read_to_string(src.join(REPOS)).unwrap();

    let db = cluster().create_database("qc_e2e");
    migrate(&db.url);

    let snap_path = dir.path().join("snap.json");
    let out = common::gaps(
        dir.path(),
        &[
            "collect",
            "--quiet",
            "--database-url",
            &db.url,
            "--source",
            src.to_str().unwrap(),
            "--out",
            snap_path.to_str().unwrap(),
        ],
    );
    let code = common::code(&out);
    assert!(
        code == 0 || code == 1,
        "collect exit {code}: {}",
        common::stderr(&out)
    );
    let snap = Snapshot::from_json(&std::fs::read_to_string(&snap_path).unwrap()).unwrap();
    let checks = snap
        .query_checks
        .data()
        .unwrap_or_else(|| panic!("query checks not collected: {:?}", snap.query_checks));
    let applied = snap
        .applied_migrations
        .data()
        .expect("migrations table read");
    assert_eq!(
        applied.rows.iter().map(|r| r.version).collect::<Vec<_>>(),
        (1..=14).collect::<Vec<i64>>()
    );

    // What the database itself said about the overlay's statements.
    let at = |needle: &str| {
        let line = line_of(&repos, needle);
        checks
            .statements
            .iter()
            .find(|s| s.file == REPOS && s.line == line)
            .unwrap_or_else(|| panic!("no statement at {REPOS}:{line} ({needle})"))
    };
    for valid in [
        "query_as::<_, HabitTitle>",
        "SELECT id, email_address FROM users",
        "query_as::<_, (Uuid, FocusStatus)>",
        "query_scalar::<_, i64>",
        "query_as::<_, HabitStreak>",
        "query_as::<_, HabitCard>",
    ] {
        assert_eq!(at(valid).outcome, Outcome::Ok, "{valid}");
    }

    let out = common::gaps(
        dir.path(),
        &[
            "check",
            snap_path.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(common::code(&out), 0, "{}", common::stderr(&out));
    let report: Value = serde_json::from_str(&common::stdout(&out)).unwrap();
    let findings = report["findings"].as_array().expect("findings").clone();
    let in_repos: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["file"] == REPOS && matches!(f["kind"].as_str(), Some(k) if k.starts_with("query_"))
        })
        .collect();
    let one = |kind: &str, line: u32| -> &Value {
        let hits: Vec<&&Value> = in_repos
            .iter()
            .filter(|f| f["kind"] == kind && f["line"] == line)
            .collect();
        assert_eq!(hits.len(), 1, "{kind} at {REPOS}:{line} in {in_repos:#?}");
        hits[0]
    };

    // The table only the pending 0015 creates: rejected where the FROM is, linked to 0015.
    let missing_table = one("query_invalid", line_of(&repos, "FROM weekly_reports"));
    assert_eq!(missing_table["details"]["sqlstate"], "42P01");
    assert_eq!(missing_table["table"], "weekly_reports");
    assert_eq!(missing_table["migration"], 15);
    let msg = missing_table["message"].as_str().unwrap();
    assert!(
        msg.contains("created by migrations/0015_weekly_reports.sql, which is pending"),
        "{msg}"
    );
    assert!(
        missing_table["next_step"]
            .as_str()
            .unwrap()
            .contains("apply the pending migration migrations/0015_weekly_reports.sql"),
        "{missing_table:#?}"
    );
    assert_eq!(
        missing_table["details"]["call_line"],
        line_of(&repos, "query_as::<_, WeeklyReport>")
    );

    // A misspelt column: rejected on the line of the column, no migration to blame.
    let wrong_column = one("query_invalid", line_of(&repos, "titel"));
    assert_eq!(wrong_column["details"]["sqlstate"], "42703");
    assert_eq!(wrong_column["column"], "titel");
    assert!(wrong_column.get("migration").is_none_or(Value::is_null));

    // A field the SELECT does not return.
    let cards = one(
        "query_result_mismatch",
        line_of(&repos, "query_as::<_, HabitCard>"),
    );
    assert_eq!(cards["column"], "reminder_time");
    assert!(
        cards["message"]
            .as_str()
            .unwrap()
            .contains("ColumnNotFound(\"reminder_time\")")
    );
    assert!(cards.get("migration").is_none_or(Value::is_null));

    // i32 over BIGINT, through a renamed field, in sqlx's own words.
    let streak = one(
        "query_result_mismatch",
        line_of(&repos, "query_as::<_, HabitStreak>"),
    );
    assert_eq!(streak["column"], "streak");
    assert_eq!(streak["details"]["field"], "days");
    assert_eq!(streak["severity"], "error");
    assert!(
        streak["message"].as_str().unwrap().contains(
            "mismatched types; Rust type `i32` (as SQL type `INT4`) is not compatible with SQL \
             type `INT8`"
        ),
        "{streak:#?}"
    );

    // `SELECT *` lacks the column the pending 0015 adds: linked to it.
    let colors = one(
        "query_result_mismatch",
        line_of(&repos, "query_as::<_, HabitColor>"),
    );
    assert_eq!(colors["column"], "color");
    assert_eq!(colors["migration"], 15);

    // The same `SELECT *` once 0015 ran: a service that prepared it before keeps the old row
    // type (issue 16's migration plan).
    let stale = one(
        "query_breaks_after_migration",
        line_of(&repos, "query_as::<_, HabitColor>"),
    );
    assert_eq!(stale["migration"], 15);

    // Nothing else in the file: the renamed field, the tuple, the enum and the scalar are
    // valid and not reported.
    assert_eq!(in_repos.len(), 6, "{in_repos:#?}");

    // The migration rules agree that 0015 is the pending one.
    assert!(
        findings
            .iter()
            .any(|f| f["kind"] == "migration_pending" && f["migration"] == 15),
        "{findings:#?}"
    );
}
