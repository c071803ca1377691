//! The ignition-api example service against live PostgreSQL databases built from its own
//! migrations by sqlx's migrator (so `_sqlx_migrations` holds exactly what sqlx writes, with
//! sqlx's own checksums), through the real `gaps collect` and `gaps check` binaries: a clean
//! database yields none of the drift findings, and a drifted one (manual DDL by the database
//! owner, the last migration not applied) yields each drift finding with its subject. The
//! harder replay-shapes migrations, applied the same way, yield no finding at all.

mod common;

use std::path::{Path, PathBuf};

use common::{code, gaps, stderr, stdout};
use gaps_core::Snapshot;
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_tests::fixtures::{fixture, seed_gaps_md};
use gaps_tests::pg::{self, TestDb};
use sqlx::Connection;

/// The number of migrations in the fixture.
const LAST: i64 = 14;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A fresh database owned by a fresh login role, and that role's URL: the service's own
/// credentials, with which the migrations run and the drift is done.
fn owned_database(hint: &str) -> (TestDb, String) {
    let c = pg::cluster();
    let db = c.create_database(hint);
    let owner = format!("{}_owner", db.name);
    c.psql(
        "postgres",
        &format!(
            "CREATE ROLE \"{owner}\" LOGIN; ALTER DATABASE \"{}\" OWNER TO \"{owner}\";",
            db.name
        ),
    )
    .unwrap_or_else(|e| panic!("creating the owner of {}: {e}", db.name));
    let url = db.url_as(&owner, None);
    (db, url)
}

/// Applies the fixture's migrations with sqlx's own migrator (all of them, or up to `to`).
fn migrate(url: &str, to: Option<i64>) {
    migrate_dir(url, &fixture("ignition-api/migrations"), to)
}

/// Applies the migrations of `dir` with sqlx's own migrator (all of them, or up to `to`).
fn migrate_dir(url: &str, dir: &Path, to: Option<i64>) {
    runtime().block_on(async {
        let migrator = sqlx::migrate::Migrator::new(dir.to_path_buf())
            .await
            .expect("sqlx resolves the fixture's migrations");
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        match to {
            Some(v) => migrator.run_to(v, &mut conn).await,
            None => migrator.run(&mut conn).await,
        }
        .expect("sqlx applies the fixture's migrations");
        conn.close().await.expect("close");
    });
}

/// Runs `sql` as the role in `url` (not as the superuser).
fn as_owner(url: &str, sql: &str) {
    runtime().block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.expect("close");
    });
}

/// `gaps collect` on `url` with the fixture as the source, then `gaps check --format json`:
/// the snapshot and the findings.
fn collect_and_check(url: &str, dir: &Path) -> (Snapshot, Vec<Finding>) {
    let snap = dir.join("snapshot.json");
    let src: PathBuf = fixture("ignition-api");
    let gaps_md = seed_gaps_md();
    let out = gaps(
        dir,
        &[
            "collect",
            "--quiet",
            "--database-url",
            url,
            "--source",
            src.to_str().unwrap(),
            "--gaps",
            gaps_md.to_str().unwrap(),
            "--out",
            snap.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "collect was partial: {}", stderr(&out));
    let snapshot = Snapshot::from_json(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    let out = gaps(
        dir,
        &[
            "check",
            snap.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(code(&out), 0, "check failed: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("check prints JSON");
    let findings = serde_json::from_value(v["findings"].clone()).expect("findings parse");
    (snapshot, findings)
}

/// One line per finding, for failure messages.
fn show(fs: &[Finding]) -> String {
    fs.iter()
        .map(|f| {
            format!(
                "{} {} {}.{} {}:{} m={:?} {:?}: {}",
                f.kind.as_str(),
                f.severity.as_str(),
                f.table.as_deref().unwrap_or(""),
                f.column.as_deref().unwrap_or(""),
                f.file.as_deref().unwrap_or(""),
                f.line.unwrap_or(0),
                f.migration,
                f.details,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The kinds a database that matches its migrations and code must never produce.
const DRIFT_KINDS: &[FindingKind] = &[
    FindingKind::TableMissing,
    FindingKind::TableUnexpected,
    FindingKind::ColumnMissing,
    FindingKind::ColumnUnexpected,
    FindingKind::ColumnTypeMismatch,
    FindingKind::ColumnNullabilityMismatch,
    FindingKind::IndexMissing,
    FindingKind::ConstraintMismatch,
    FindingKind::QueryInvalid,
    FindingKind::QueryResultMismatch,
    FindingKind::MigrationsTableMissing,
    FindingKind::MigrationPending,
    FindingKind::MigrationFailed,
    FindingKind::MigrationChecksumMismatch,
    FindingKind::MigrationMissingLocally,
    FindingKind::MigrationIgnoredFile,
    FindingKind::MigrationNotTimed,
    FindingKind::MigrationOutOfOrder,
    FindingKind::EvidenceUnavailable,
];

fn assert_clean(snap: &Snapshot, fs: &[Finding], who: &str) {
    // The evidence really is there, so "no finding" is not "nothing was looked at".
    let local = snap.local_migrations.data().expect("local migrations");
    let applied = snap.applied_migrations.data().expect("applied migrations");
    assert_eq!(applied.rows.len(), LAST as usize, "{who}");
    for (row, file) in applied.rows.iter().zip(&local.files) {
        assert_eq!(
            (row.version, row.success, &row.checksum),
            (file.version, true, &file.checksum),
            "{who}: sqlx's row and the local file disagree"
        );
    }
    let live = snap.schema.data().expect("live schema");
    let expected = snap.expected_schema.data().expect("expected schema");
    assert_eq!(expected.schema.tables.len(), 41, "{who}");
    assert_eq!(
        live.tables.len(),
        42,
        "{who}: 41 tables and _sqlx_migrations"
    );
    let checks = snap.query_checks.data().expect("query checks");
    assert_eq!(checks.counts.rejected, 0, "{who}: {:#?}", checks.statements);
    // Every statically known statement was described; only the format!-built one and the
    // QueryBuilder fragment cannot be.
    assert_eq!(
        (
            checks.counts.total,
            checks.counts.ok,
            checks.counts.not_checkable
        ),
        (16, 14, 2),
        "{who}"
    );
    // An Option field over a NOT NULL column is information, not drift.
    let drift: Vec<Finding> = fs
        .iter()
        .filter(|f| DRIFT_KINDS.contains(&f.kind))
        .filter(|f| {
            !(f.kind == FindingKind::ColumnNullabilityMismatch && f.severity == Severity::Info)
        })
        .cloned()
        .collect();
    assert!(
        drift.is_empty(),
        "{who}: false alarms on a clean database:\n{}",
        show(&drift)
    );
    let serious: Vec<Finding> = fs
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .cloned()
        .collect();
    assert!(serious.is_empty(), "{who}: {}", show(&serious));
}

#[test]
fn clean_database_built_by_sqlx_has_none_of_the_drift_findings() {
    let c = pg::cluster();
    let (db, url) = owned_database("ignition_clean");
    migrate(&url, None);
    let dir = tempfile::tempdir().unwrap();
    let (snap, fs) = collect_and_check(&url, dir.path());
    assert_clean(&snap, &fs, "as the owner");
    // The same as a role that can only read (the usual credentials for gaps).
    let reader = format!("{}_reader", db.name);
    c.psql(
        "postgres",
        &format!("CREATE ROLE \"{reader}\" LOGIN IN ROLE pg_read_all_data"),
    )
    .unwrap();
    let (snap, fs) = collect_and_check(&db.url_as(&reader, None), dir.path());
    // Without --service-role, gaps' own read-only role does not stand in for the service's:
    // its missing write privileges are not reported (they would all be false), and the report
    // says privileges were not judged.
    let (not_judged, rest): (Vec<Finding>, Vec<Finding>) = fs.into_iter().partition(|f| {
        f.kind == FindingKind::EvidenceUnavailable
            && f.details.get("part").and_then(|v| v.as_str()) == Some("privileges")
    });
    assert_eq!(not_judged.len(), 1, "{}", show(&rest));
    assert_eq!(not_judged[0].severity, Severity::Info);
    assert!(rest.iter().all(|f| f.kind != FindingKind::PrivilegeMissing));
    assert_clean(&snap, &rest, "as a read-only role");
}

/// The finding of `kind` about `table`.`column` (`""` for none), or a failure listing them all.
fn find<'f>(fs: &'f [Finding], kind: FindingKind, table: &str, column: &str) -> &'f Finding {
    fs.iter()
        .find(|f| {
            f.kind == kind
                && f.table.as_deref().unwrap_or("") == table
                && f.column.as_deref().unwrap_or("") == column
        })
        .unwrap_or_else(|| {
            panic!(
                "no {} finding for {table}.{column} in:\n{}",
                kind.as_str(),
                show(fs)
            )
        })
}

/// Asserts severity, location and migration of a finding.
fn at(f: &Finding, severity: Severity, file: &str, line: u32, migration: Option<i64>) {
    assert_eq!(
        (f.severity, f.file.as_deref(), f.line, f.migration),
        (severity, Some(file), Some(line), migration),
        "{}",
        show(std::slice::from_ref(f))
    );
}

/// The other evidence locations merged into a finding (`details.also`).
fn also(f: &Finding) -> Vec<&str> {
    f.details
        .get("also")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn drifted_database_reports_each_drift_by_kind_and_subject() {
    use FindingKind::*;
    let (_db, url) = owned_database("ignition_drift");
    // The deploy ran the migrations up to 0013; 0014 is pending.
    migrate(&url, Some(LAST - 1));
    // Manual changes by the database owner that no migration records.
    as_owner(
        &url,
        "DROP TABLE focus_pause_state;\n\
         ALTER TABLE habits DROP COLUMN archived;\n\
         ALTER TABLE quests ALTER COLUMN reward_xp TYPE bigint;\n\
         ALTER TABLE focus_sessions ALTER COLUMN duration_secs DROP NOT NULL;\n\
         DROP INDEX habits_user_id_idx;\n\
         ALTER TABLE goal_milestones DROP CONSTRAINT goal_milestones_goal_id_fkey;",
    );
    let dir = tempfile::tempdir().unwrap();
    let (_snap, fs) = collect_and_check(&url, dir.path());

    // The pending migration, and everything it would create.
    let f = fs
        .iter()
        .find(|f| f.kind == MigrationPending)
        .unwrap_or_else(|| panic!("migration 14 is not pending:\n{}", show(&fs)));
    assert_eq!((f.severity, f.migration), (Severity::Error, Some(14)));
    let file = f.file.as_deref().unwrap_or("");
    assert!(file.ends_with("0014_platform.sql"), "{file}");
    for (table, line) in [("prompt_templates", 1), ("platform_settings", 2)] {
        let f = find(&fs, TableMissing, table, "");
        at(
            f,
            Severity::Error,
            "migrations/0014_platform.sql",
            line,
            Some(14),
        );
        assert!(f.message.contains("which is pending"), "{}", f.message);
    }
    let f = find(&fs, ColumnMissing, "habits", "reminder_time");
    at(
        f,
        Severity::Error,
        "migrations/0014_platform.sql",
        3,
        Some(14),
    );
    assert_eq!(also(f), ["src/habit_models.rs:12"]);
    let f = find(&fs, ColumnMissing, "users", "name");
    at(
        f,
        Severity::Error,
        "migrations/0014_platform.sql",
        4,
        Some(14),
    );
    assert!(
        f.message.contains("renamed by migration 0014"),
        "{}",
        f.message
    );
    assert_eq!(also(f), ["src/user_models.rs:12"]);
    // Until 0014 runs, the old name is what the database has, and `User` cannot load.
    find(&fs, ColumnUnexpected, "users", "display_name");
    for line in [9, 14] {
        assert!(
            fs.iter().any(|f| f.kind == QueryResultMismatch
                && f.file.as_deref() == Some("src/user_repos.rs")
                && f.line == Some(line)
                && f.message.contains("User.name")),
            "User.name at src/user_repos.rs:{line}:\n{}",
            show(&fs)
        );
    }

    // The dropped table: the migration that created it, and the query that now fails.
    let f = find(&fs, TableMissing, "focus_pause_state", "");
    at(f, Severity::Error, "migrations/0003_focus.sql", 11, Some(3));
    assert!(f.message.contains("recorded as applied"), "{}", f.message);
    assert!(f.message.contains("src/focus_repos.rs:26"), "{}", f.message);
    let f = find(&fs, QueryInvalid, "focus_pause_state", "");
    at(f, Severity::Error, "src/focus_repos.rs", 26, None);
    assert_eq!(f.details["sqlstate"], "42P01");

    // The dropped column: the migration, the model field and the query that reads it.
    let f = find(&fs, ColumnMissing, "habits", "archived");
    at(f, Severity::Error, "migrations/0005_habits.sql", 1, Some(5));
    assert_eq!(also(f), ["src/habit_models.rs:10", "src/habit_repos.rs:7"]);
    let f = find(&fs, QueryInvalid, "", "archived");
    at(f, Severity::Error, "src/habit_repos.rs", 7, None);
    assert_eq!(f.details["sqlstate"], "42703");

    // The changed type: the migrations say integer, and `Quest.reward_xp: i32` cannot
    // decode bigint.
    let f = find(&fs, ColumnTypeMismatch, "quests", "reward_xp");
    at(f, Severity::Error, "migrations/0004_quests.sql", 1, Some(4));
    assert_eq!(
        (f.expected.as_deref(), f.live.as_deref()),
        (Some("integer"), Some("bigint"))
    );
    assert_eq!(also(f), ["src/quest_models.rs:7"]);

    // NOT NULL dropped under a non-Option field: an error, pointing at the field as well.
    let f = find(
        &fs,
        ColumnNullabilityMismatch,
        "focus_sessions",
        "duration_secs",
    );
    at(f, Severity::Error, "migrations/0003_focus.sql", 2, Some(3));
    assert_eq!(also(f), ["src/focus_models.rs:19"]);

    // The dropped index and foreign key.
    let f = find(&fs, IndexMissing, "habits", "");
    at(
        f,
        Severity::Warning,
        "migrations/0005_habits.sql",
        8,
        Some(5),
    );
    assert_eq!(f.details["index"], "habits_user_id_idx");
    let f = find(
        &fs,
        ConstraintMismatch,
        "goal_milestones",
        "goal_milestones_goal_id_fkey",
    );
    at(
        f,
        Severity::Warning,
        "migrations/0006_goals.sql",
        2,
        Some(6),
    );

    // Nothing else of the drift kinds: every other table, column, index, key and query is
    // fine. (Query result checks beyond User.name are left to their own tests.)
    let mut got: Vec<(String, String, String)> = fs
        .iter()
        .filter(|f| DRIFT_KINDS.contains(&f.kind) && f.kind != QueryResultMismatch)
        .map(|f| {
            (
                f.kind.as_str(),
                f.table.clone().unwrap_or_default(),
                f.column.clone().unwrap_or_default(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String)> = [
        (ColumnMissing, "habits", "archived"),
        (ColumnMissing, "habits", "reminder_time"),
        (ColumnMissing, "users", "name"),
        (ColumnNullabilityMismatch, "focus_sessions", "duration_secs"),
        (ColumnTypeMismatch, "quests", "reward_xp"),
        (ColumnUnexpected, "users", "display_name"),
        (
            ConstraintMismatch,
            "goal_milestones",
            "goal_milestones_goal_id_fkey",
        ),
        (IndexMissing, "habits", ""),
        (MigrationPending, "", ""),
        (QueryInvalid, "", "archived"),
        (QueryInvalid, "focus_pause_state", ""),
        (TableMissing, "focus_pause_state", ""),
        (TableMissing, "platform_settings", ""),
        (TableMissing, "prompt_templates", ""),
    ]
    .into_iter()
    .map(|(k, t, c)| (k.as_str(), t.to_string(), c.to_string()))
    .collect();
    want.sort();
    assert_eq!(got, want, "{}", show(&fs));
}

/// The harder migrations of the replay-shapes fixture (renames, drops, unnamed and long-named
/// keys, expression indexes, multi-dimensional arrays) applied by sqlx: the replay of the same
/// files must not see drift in the database they built.
#[test]
fn clean_database_from_hard_migrations_has_no_schema_finding() {
    let (_db, url) = owned_database("shapes_clean");
    let migrations = fixture("replay-shapes/migrations");
    migrate_dir(&url, &migrations, None);
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snapshot.json");
    let out = gaps(
        dir.path(),
        &[
            "collect",
            "--quiet",
            "--database-url",
            &url,
            "--migrations",
            migrations.to_str().unwrap(),
            "--out",
            snap.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "collect was partial: {}", stderr(&out));
    let out = gaps(
        dir.path(),
        &["check", snap.to_str().unwrap(), "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("check prints JSON");
    let fs: Vec<Finding> = serde_json::from_value(v["findings"].clone()).unwrap();
    assert!(fs.is_empty(), "{}", show(&fs));
    assert_eq!(code(&out), 0);
}
