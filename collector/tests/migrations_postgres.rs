//! Migration state against a real throwaway PostgreSQL, through the real `gaps` binary: the
//! migrations table is created and filled by psql exactly as sqlx 0.9 writes it (its DDL, and
//! the checksums sqlx's own resolver computes), never by the collector.

mod common;

use common::*;
use gaps_tests::pg;

/// Collects `db` with `src` as the source and returns (snapshot JSON, check JSON, check exit).
fn collect_and_check(
    url: &str,
    src: &std::path::Path,
    extra: &[&str],
) -> (serde_json::Value, String, i32) {
    let snap = src.join("snapshot.json");
    let snap_s = snap.to_str().unwrap();
    let mut args = vec![
        "collect",
        "--quiet",
        "--database-url",
        url,
        "--source",
        src.to_str().unwrap(),
        "--out",
        snap_s,
    ];
    args.extend_from_slice(extra);
    let out = gaps(src, &args);
    assert!(
        code(&out) == 0 || code(&out) == 1,
        "collect failed: {}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&snap).expect("snapshot written");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let check = gaps(src, &["check", snap_s, "--format", "json"]);
    (value, stdout(&check), code(&check))
}

fn migration_findings(check_json: &str) -> Vec<(String, Option<i64>)> {
    let v: serde_json::Value = serde_json::from_str(check_json).unwrap();
    let mut out: Vec<(String, Option<i64>)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["action"] == "ACTION-002")
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["migration"].as_i64(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn clean_database_with_every_migration_applied_has_no_migration_findings() {
    let c = pg::cluster();
    let db = c.create_database("mig_clean");
    let (src, dir) = source_with(&base_files());
    let rows = rows_as_sqlx_writes(&dir);
    assert_eq!(rows.len(), 3, "sqlx resolves three up migrations");
    c.psql(&db.name, &base_schema_sql()).unwrap();
    c.psql(&db.name, &postgres_replay_sql(&rows)).unwrap();
    let before = c.logged_statements(&db.name).len();

    let (snap, check, exit) = collect_and_check(&db.url, src.path(), &[]);
    // Every statement the collector sent is a read or transaction control.
    let sent = c.logged_statements(&db.name).split_off(before);
    assert!(
        sent.iter().any(|s| s.contains("to_regclass")),
        "the migrations lookup was not logged: {sent:#?}"
    );
    for s in &sent {
        // The first keyword after any leading `--` comment lines of the catalog queries.
        let head = s
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("--"))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("")
            .to_ascii_uppercase();
        assert!(
            ["SELECT", "SET", "BEGIN", "SAVEPOINT", "ROLLBACK"].contains(&head.as_str()),
            "the collector sent {s}"
        );
    }
    assert_eq!(
        snap["applied_migrations"]["status"], "collected",
        "{snap:#}"
    );
    let applied = &snap["applied_migrations"]["data"];
    assert_eq!(applied["present"], true);
    assert_eq!(applied["table"], "public._sqlx_migrations");
    assert_eq!(applied["rows"].as_array().unwrap().len(), 3);
    let row = &applied["rows"][0];
    assert_eq!(row["version"], 1);
    assert_eq!(row["checksum"], hex::encode(&rows[0].checksum));
    assert_eq!(row["execution_time"], 1_500_000);
    let installed = row["installed_on"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(installed).is_ok(),
        "{installed}"
    );
    assert_eq!(
        snap["local_migrations"]["data"]["files"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(migration_findings(&check), vec![], "{check}");
    assert_eq!(exit, 0, "{check}");
}

#[test]
fn drifted_database_reports_each_problem_by_kind_and_migration() {
    let c = pg::cluster();
    let db = c.create_database("mig_drift");
    let mut files = base_files();
    files.push(("0004_add_tags.sql", b"CREATE TABLE tags (id int);\n"));
    files.push(("0005_add_notes.sql", b"CREATE TABLE notes (id int);\n"));
    files.push(("0006_add_flags.sql", b"CREATE TABLE flags (id int);\n"));
    let (src, dir) = source_with(&files);
    let mut rows = rows_as_sqlx_writes(&dir);
    // The database: 3 failed part-way, 4 skipped/interrupted (-1), 5 never applied.
    rows.iter_mut().find(|r| r.version == 3).unwrap().success = false;
    rows.iter_mut()
        .find(|r| r.version == 4)
        .unwrap()
        .execution_time = -1;
    rows.retain(|r| r.version != 5);
    c.psql(&db.name, &postgres_replay_sql(&rows)).unwrap();
    // The checkout: 1 edited, 2 re-saved with CRLF, 6 deleted (applied, no file), 7 new, one
    // misnamed file.
    std::fs::remove_file(dir.join("0006_add_flags.sql")).unwrap();
    std::fs::write(
        dir.join("0001_create_users.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("0002_create_todos.up.sql"),
        "CREATE TABLE todos (id bigint PRIMARY KEY, title text);\r\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("0007_add_archive.sql"),
        "CREATE TABLE archive (id int);\n",
    )
    .unwrap();
    std::fs::write(dir.join("0009-add-todos.sql"), "CREATE TABLE x (id int);\n").unwrap();

    let (_, check, exit) = collect_and_check(&db.url, src.path(), &[]);
    let s = |k: &str, v: Option<i64>| (k.to_string(), v);
    assert_eq!(
        migration_findings(&check),
        vec![
            s("migration_checksum_mismatch", Some(1)),
            s("migration_checksum_mismatch", Some(2)),
            s("migration_failed", Some(3)),
            s("migration_ignored_file", None),
            s("migration_missing_locally", Some(6)),
            s("migration_not_timed", Some(4)),
            s("migration_out_of_order", Some(5)),
            s("migration_pending", Some(5)),
            s("migration_pending", Some(7)),
        ],
        "{check}"
    );
    assert_eq!(exit, 1);
    let v: serde_json::Value = serde_json::from_str(&check).unwrap();
    let find = |kind: &str, m: Option<i64>| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["kind"] == kind && f["migration"].as_i64() == m)
            .unwrap()
            .clone()
    };
    assert_eq!(
        find("migration_checksum_mismatch", Some(1))["details"]["line_endings_only"],
        false
    );
    assert_eq!(
        find("migration_checksum_mismatch", Some(2))["details"]["line_endings_only"],
        true
    );
    let ignored = find("migration_ignored_file", None);
    assert!(
        ignored["file"]
            .as_str()
            .unwrap()
            .ends_with("migrations/0009-add-todos.sql"),
        "{ignored}"
    );
    assert_eq!(ignored["severity"], "warning");
    assert!(
        find("migration_pending", Some(7))["next_step"]
            .as_str()
            .unwrap()
            .contains("run migration 7")
    );

    // The text output a person reads: the diagnosis first, one cause per thing to fix, in the
    // order the fixes work; each finding (with its next step) under its cause with --findings.
    let snap = src.path().join("snapshot.json");
    let text = stdout(&gaps(src.path(), &["check", snap.to_str().unwrap()]));
    let plan: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains(" causes explain "))
        .collect();
    assert!(
        plan[0].contains("causes explain 11 errors and 3 warnings. Fix in this order:"),
        "{text}"
    );
    assert!(
        text.contains("Migration 0003 (index todos) failed part-way"),
        "{text}"
    );
    assert!(text.contains("(--findings lists them)"), "{text}");
    let listed = stdout(&gaps(
        src.path(),
        &["check", "--findings", snap.to_str().unwrap()],
    ));
    assert!(
        listed
            .lines()
            .any(|l| l.contains("migration_pending:") && l.contains("-> next: run migration 7")),
        "{listed}"
    );
}

#[test]
fn absent_migrations_table_is_reported_and_never_created() {
    let c = pg::cluster();
    let db = c.create_database("mig_absent");
    let (src, _dir) = source_with(&base_files());
    let (snap, check, exit) = collect_and_check(&db.url, src.path(), &[]);
    assert_eq!(
        snap["applied_migrations"]["data"]["present"], false,
        "{snap:#}"
    );
    assert_eq!(
        migration_findings(&check),
        vec![("migrations_table_missing".to_string(), None)]
    );
    assert_eq!(exit, 1);
    assert_eq!(
        c.psql(&db.name, "SELECT to_regclass('_sqlx_migrations') IS NULL")
            .unwrap()
            .trim(),
        "t"
    );
    let sent = c.logged_statements(&db.name);
    // Every statement begins (after its comment lines) with a read or transaction-control
    // keyword: a CREATE inside a string, such as has_schema_privilege(role, oid, 'CREATE'),
    // is a read.
    let first_keyword = |s: &str| {
        s.lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("--"))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("")
            .to_ascii_uppercase()
    };
    assert!(
        sent.iter().all(|s| matches!(
            first_keyword(s).as_str(),
            "SELECT" | "SET" | "BEGIN" | "SAVEPOINT" | "ROLLBACK" | "RELEASE" | "COMMIT" | "SHOW"
        )),
        "the collector sent more than reads: {sent:#?}"
    );
}

#[test]
fn table_name_comes_from_sqlx_toml_or_the_flag() {
    let c = pg::cluster();
    let db = c.create_database("mig_toml");
    let (src, dir) = source_with(&base_files());
    let rows = rows_as_sqlx_writes(&dir);
    let sql = postgres_replay_sql(&rows).replace("_sqlx_migrations", "app.schema_history");
    c.psql(
        &db.name,
        &format!("CREATE SCHEMA app; {}{sql}", base_schema_sql()),
    )
    .unwrap();

    // Default name: absent (the history lives elsewhere).
    let (snap, _, _) = collect_and_check(&db.url, src.path(), &[]);
    assert_eq!(snap["applied_migrations"]["data"]["present"], false);

    std::fs::write(
        src.path().join("sqlx.toml"),
        "[migrate]\ntable-name = \"app.schema_history\"\n",
    )
    .unwrap();
    let (snap, check, exit) = collect_and_check(&db.url, src.path(), &[]);
    let applied = &snap["applied_migrations"]["data"];
    assert_eq!(
        (applied["table"].as_str(), applied["table_source"].as_str()),
        (Some("app.schema_history"), Some("sqlx_toml"))
    );
    assert_eq!(applied["rows"].as_array().unwrap().len(), 3);
    assert_eq!(migration_findings(&check), vec![]);
    assert_eq!(exit, 0);

    let (snap, _, _) =
        collect_and_check(&db.url, src.path(), &["--migrations-table", "public.nope"]);
    let applied = &snap["applied_migrations"]["data"];
    assert_eq!(
        (
            applied["present"].as_bool(),
            applied["table_source"].as_str()
        ),
        (Some(false), Some("flag"))
    );
}

#[test]
fn unreadable_migrations_table_fails_only_that_section() {
    let c = pg::cluster();
    let db = c.create_database("mig_denied");
    let (src, dir) = source_with(&base_files());
    c.psql(&db.name, &postgres_replay_sql(&rows_as_sqlx_writes(&dir)))
        .unwrap();
    c.psql(
        &db.name,
        "CREATE ROLE gaps_nobody LOGIN; REVOKE ALL ON _sqlx_migrations FROM PUBLIC;",
    )
    .unwrap();
    let url = db.url_as("gaps_nobody", None);
    let snap = src.path().join("s.json");
    let out = gaps(
        src.path(),
        &[
            "collect",
            "--quiet",
            "--database-url",
            &url,
            "--source",
            src.path().to_str().unwrap(),
            "--out",
            snap.to_str().unwrap(),
        ],
    );
    assert_eq!(
        code(&out),
        1,
        "a partial snapshot exits 1: {}",
        stderr(&out)
    );
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    assert_eq!(v["applied_migrations"]["status"], "failed", "{v:#}");
    assert!(
        v["applied_migrations"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("permission denied"),
        "{v:#}"
    );
    assert_eq!(v["local_migrations"]["status"], "collected");
}
