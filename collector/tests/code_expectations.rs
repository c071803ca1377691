//! End to end through the real `gaps` binary on the ignition-api example service: what the
//! code and the migrations expect (models, queries, traps), and scratch mode against a real
//! throwaway PostgreSQL. The same service against live clean and drifted databases is in
//! `ignition_live.rs`.

use std::path::Path;
use std::process::Command;

use gaps_core::Snapshot;
use gaps_core::code::expected::{ExpectationMode, ObjectKind};
use gaps_core::code::model::MappingSource;
use gaps_tests::fixtures::{fixture, seed_gaps_md};
use gaps_tests::pg;

fn gaps(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gaps"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run gaps");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn collect(extra: &[&str], dir: &Path) -> Snapshot {
    let out = dir.join("snap.json");
    let src = fixture("ignition-api");
    let gaps_md = seed_gaps_md();
    let mut args = vec![
        "collect",
        "--quiet",
        "--source",
        src.to_str().unwrap(),
        "--gaps",
        gaps_md.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, _, err) = gaps(&args);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    Snapshot::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap()
}

#[test]
fn the_example_service_models_queries_and_traps_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let snap = collect(&[], dir.path());
    let code = snap.code.data().expect("code collected");
    let names: Vec<&str> = code.models.iter().map(|m| m.name.as_str()).collect();
    for n in [
        "User",
        "FocusSession",
        "Quest",
        "QuestWithProgress",
        "Habit",
        "Idea",
        "Goal",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    // .gitignore'd file and comments are not code.
    assert!(!names.contains(&"Ghost"));
    assert!(
        code.queries
            .iter()
            .all(|q| !q.sql.as_deref().unwrap_or("").contains("ghost"))
    );
    assert!(code.problems.is_empty(), "{:?}", code.problems);

    let user = code.model("User").unwrap();
    let email = user.fields.iter().find(|f| f.name == "email").unwrap();
    assert_eq!(email.column, "email_address");
    assert!(
        user.fields
            .iter()
            .any(|f| f.name == "session_cache" && f.skip)
    );
    assert_eq!(user.mapping.source, MappingSource::Query);
    assert_eq!(user.mapping.tables, ["users"]);
    let qwp = code.model("QuestWithProgress").unwrap();
    assert_eq!(qwp.mapping.source, MappingSource::Projection);
    assert_eq!(
        code.model("FocusSession").unwrap().mapping.tables,
        ["focus_sessions"]
    );
    assert_eq!(code.model("Idea").unwrap().mapping.tables, ["ideas"]);
    assert_eq!(code.model("Goal").unwrap().mapping.tables, ["goals"]);
    assert_eq!(code.manual_impls[0].columns, ["id", "email_address"]);
    assert_eq!(
        code.sql_type("FocusStatus").unwrap().labels,
        ["active", "paused", "completed"]
    );
    assert_eq!(code.migrate_macros[0].directory, "./migrations");

    let runtime = code
        .queries
        .iter()
        .find(|q| q.not_checkable.as_deref() == Some("runtime string (variable `sql`)"))
        .expect("the format!-built query is listed as not checkable");
    assert_eq!(runtime.file, "src/user_repos.rs");
    assert!(
        code.queries
            .iter()
            .any(|q| q.sql_origin.as_deref() == Some("const USER_BY_ID"))
    );
    assert!(
        code.queries
            .iter()
            .any(|q| q.sql_origin.as_deref() == Some("include_str ../queries/ideas_recent.sql"))
    );
    assert!(
        code.queries
            .iter()
            .any(|q| q.sql_origin.as_deref() == Some("query_file queries/goal_by_id.sql"))
    );
    assert!(code.queries.iter().any(|q| q.api == "QueryBuilder::new"));

    let e = snap.expected_schema.data().expect("expected schema");
    assert_eq!(e.mode, ExpectationMode::Replay);
    assert_eq!(e.migrations.len(), 14);
    assert_eq!(e.schema.tables.len(), 41);
    let nm: Vec<(&str, u32, &str)> = e
        .not_modelled
        .iter()
        .map(|n| (n.file.as_str(), n.line, n.statement.as_str()))
        .collect();
    assert_eq!(
        nm,
        [
            ("0011_reading.sql", 5, "DO"),
            ("0011_reading.sql", 12, "CREATE FUNCTION")
        ]
    );
    let ideas = e.created_by(ObjectKind::Table, "ideas", None).unwrap();
    assert_eq!(
        (ideas.version, ideas.file.as_str(), ideas.line),
        (13, "0013_ideas_feedback.sql", 1)
    );
    let users = e.schema.table("public", "users").unwrap();
    assert!(users.column("name").is_some() && users.column("display_name").is_none());
    assert_eq!(e.gaps_md_tables.len(), 41);

    // The code matches its migrations: no schema findings without a live database.
    let (code, out, err) = gaps(&[
        "check",
        dir.path().join("snap.json").to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 0, "{err}");
    let findings: serde_json::Value = serde_json::from_str(&out).unwrap();
    let schema_kinds = [
        "table_missing",
        "column_missing",
        "column_type_mismatch",
        "column_nullability_mismatch",
    ];
    let list = findings
        .as_array()
        .or_else(|| findings["findings"].as_array())
        .cloned()
        .unwrap_or_default();
    for f in &list {
        let k = f["kind"].as_str().unwrap_or("");
        assert!(!schema_kinds.contains(&k), "unexpected finding {f}");
    }
}

#[test]
fn gaps_md_tables_stand_when_the_local_migrations_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-migrations");
    // `collect` passes the seed gaps.md.
    let snap = collect(&["--migrations", missing.to_str().unwrap()], dir.path());
    let local = snap
        .local_migrations
        .error()
        .expect("local migrations failed");
    assert!(local.during.contains("no-such-migrations"), "{local:?}");
    let e = snap
        .expected_schema
        .data()
        .expect("gaps.md alone still gives an expectation");
    assert!(e.gaps_md_tables.iter().any(|t| t == "habits"), "{e:?}");
    // No second reading of some other folder: nothing is replayed, and the reason is kept.
    assert!(e.schema.tables.is_empty(), "nothing was replayed");
    let why = &e.schema.incomplete;
    assert_eq!(why.len(), 1, "{why:?}");
    assert_eq!(why[0].during, "reading the migration files to replay");
    assert!(
        why[0]
            .message
            .contains("local migrations could not be read")
            && why[0].message.contains("no-such-migrations"),
        "{why:?}"
    );
}

#[test]
fn without_gaps_md_unreadable_migrations_fail_the_expected_schema_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-migrations");
    let out = dir.path().join("snap.json");
    let (code, _, err) = gaps(&[
        "collect",
        "--quiet",
        "--migrations",
        missing.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let snap = Snapshot::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let e = snap
        .expected_schema
        .error()
        .expect("the expected schema is failed, not replayed from elsewhere");
    assert_eq!(e.during, "reading the migration files to replay");
    assert!(
        e.message.contains("local migrations could not be read")
            && e.message.contains("no-such-migrations"),
        "{e:?}"
    );
}

#[test]
fn scratch_mode_refuses_the_target_database() {
    let c = pg::cluster();
    let db = c.create_database("scratch_refuse");
    let dir = tempfile::tempdir().unwrap();
    let snap = collect(
        &[
            "--database-url",
            &db.url,
            "--scratch-database-url",
            &db.url_as("postgres", Some("pw")),
        ],
        dir.path(),
    );
    let e = snap.expected_schema.data().unwrap();
    assert_eq!(e.mode, ExpectationMode::Replay);
    assert!(
        e.scratch_error
            .as_deref()
            .unwrap_or("")
            .contains("refusing"),
        "{:?}",
        e.scratch_error
    );
    assert!(
        !e.scratch_server.as_deref().unwrap_or("").contains("pw"),
        "password leaked"
    );
    let tables = c
        .psql(
            &db.name,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        )
        .unwrap();
    assert_eq!(tables.trim(), "0", "the target database was written to");
}

#[test]
fn scratch_mode_applies_the_migrations_on_a_temporary_database_and_drops_it() {
    let c = pg::cluster();
    let target = c.create_database("scratch_target");
    let dir = tempfile::tempdir().unwrap();
    let scratch = c.url("postgres");
    let snap = collect(
        &[
            "--database-url",
            &target.url,
            "--scratch-database-url",
            &scratch,
        ],
        dir.path(),
    );
    let e = snap.expected_schema.data().unwrap();
    assert!(e.scratch_server.is_some());
    // Every migration ran for real on the scratch database and it was inspected (a failing
    // step would be named here). Agreement with the replay: tests/replay_scratch_parity.rs.
    assert_eq!(e.mode, ExpectationMode::Scratch, "{:?}", e.scratch_error);
    assert_eq!(e.schema.tables.len(), 41);
    let left = c
        .psql(
            "postgres",
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'gaps_scratch_%'",
        )
        .unwrap();
    assert_eq!(left.trim(), "0", "the scratch database was not dropped");
    let tables = c
        .psql(
            &target.name,
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        )
        .unwrap();
    assert_eq!(tables.trim(), "0", "the target database was written to");
    let scratch_stmts: Vec<String> = c
        .server_log()
        .lines()
        .filter(|l| l.contains("db=gaps_scratch_") && l.contains("CREATE TABLE ideas"))
        .map(str::to_string)
        .collect();
    assert!(
        !scratch_stmts.is_empty(),
        "migration 0013 did not run on the scratch database"
    );
}
