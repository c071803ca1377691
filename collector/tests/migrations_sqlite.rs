//! Migration state in real SQLite files through the real `gaps` binary: a database migrated by
//! sqlx's own migrator must be clean, and a drifted one must show each problem.

mod common;

use std::path::Path;

use common::*;

/// Runs sqlx's real migrator over `dir` into a new SQLite file at `db`.
fn migrate_with_sqlx(db: &Path, dir: &Path) {
    use sqlx::Connection;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rwc", db.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let m = sqlx::migrate::Migrator::new(dir.to_path_buf())
            .await
            .unwrap();
        m.run_direct(None, &mut conn, false).await.unwrap();
        conn.close().await.unwrap();
    });
}

fn collect(src: &Path, db: &Path, extra: &[&str]) -> (serde_json::Value, std::process::Output) {
    let snap = src.join("snapshot.json");
    let url = format!("sqlite:{}", db.display());
    let mut args = vec![
        "collect",
        "--quiet",
        "--database-url",
        &url,
        "--out",
        snap.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = gaps(src, &args);
    let text =
        std::fs::read_to_string(&snap).unwrap_or_else(|_| panic!("no snapshot: {}", stderr(&out)));
    (serde_json::from_str(&text).unwrap(), out)
}

fn check_json(src: &Path) -> (Vec<(String, Option<i64>)>, i32) {
    let snap = src.join("snapshot.json");
    let out = gaps(src, &["check", snap.to_str().unwrap(), "--format", "json"]);
    let mut v: Vec<_> = kinds_and_versions(&stdout(&out))
        .into_iter()
        .filter(|(k, _)| k.starts_with("migration"))
        .collect();
    v.sort();
    (v, code(&out))
}

#[test]
fn database_migrated_by_sqlx_itself_is_clean() {
    let (src, dir) = source_with(&base_files());
    let db = src.path().join("app.db");
    migrate_with_sqlx(&db, &dir);
    let (snap, out) = collect(src.path(), &db, &["--source", src.path().to_str().unwrap()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let applied = &snap["applied_migrations"]["data"];
    assert_eq!(applied["present"], true, "{snap:#}");
    assert_eq!(applied["table"], "main._sqlx_migrations");
    let rows = applied["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|r| r["success"] == true && r["execution_time"].as_i64().unwrap() >= 0)
    );
    let installed = rows[0]["installed_on"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(installed).is_ok(),
        "{installed}"
    );
    let (findings, exit) = check_json(src.path());
    assert_eq!(findings, vec![]);
    assert_eq!(exit, 0);
}

#[test]
fn drifted_sqlite_database_reports_each_problem() {
    let mut files = base_files();
    files.push(("0004_add_tags.sql", b"CREATE TABLE tags (id int);\n"));
    files.push(("0005_add_flags.sql", b"CREATE TABLE flags (id int);\n"));
    let (src, dir) = source_with(&files);
    let mut rows = rows_as_sqlx_writes(&dir);
    rows.iter_mut().find(|r| r.version == 1).unwrap().success = false;
    rows.iter_mut()
        .find(|r| r.version == 3)
        .unwrap()
        .execution_time = -1;
    rows.retain(|r| r.version != 4);
    let db = src.path().join("app.db");
    sqlite_replay(&db, &rows);
    // BOM added to 2 (not a real edit), 5 deleted, and a file with an upper-case extension.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(BASE[1].1.as_bytes());
    std::fs::write(dir.join("0002_create_todos.up.sql"), bom).unwrap();
    std::fs::remove_file(dir.join("0005_add_flags.sql")).unwrap();
    std::fs::write(dir.join("0006_add_x.SQL"), "SELECT 1;\n").unwrap();
    let (snap, _) = collect(src.path(), &db, &["--source", src.path().to_str().unwrap()]);
    let files = snap["local_migrations"]["data"]["files"]
        .as_array()
        .unwrap();
    let two = files
        .iter()
        .find(|f| f["file"] == "0002_create_todos.up.sql")
        .unwrap();
    assert_eq!(
        (two["has_bom"].as_bool(), two["has_crlf"].as_bool()),
        (Some(true), Some(false))
    );
    let s = |k: &str, v: Option<i64>| (k.to_string(), v);
    let (findings, exit) = check_json(src.path());
    assert_eq!(
        findings,
        vec![
            s("migration_checksum_mismatch", Some(2)),
            s("migration_failed", Some(1)),
            s("migration_ignored_file", None),
            s("migration_missing_locally", Some(5)),
            s("migration_not_timed", Some(3)),
            s("migration_out_of_order", Some(4)),
            s("migration_pending", Some(4)),
        ]
    );
    assert_eq!(exit, 1);
}

#[test]
fn folder_named_in_sqlx_migrate_macro_is_used_with_its_file_and_line() {
    let src = tempfile::tempdir().unwrap();
    let dir = src.path().join("db/sql");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(src.path().join("src")).unwrap();
    std::fs::write(src.path().join("Cargo.toml"), "[package]\nname = \"svc\"\n").unwrap();
    std::fs::write(
        src.path().join("src/main.rs"),
        "use sqlx::migrate::Migrator;\n\nstatic MIGRATOR: Migrator = sqlx::migrate!(\"db/sql\");\n",
    )
    .unwrap();
    for (name, body) in BASE {
        std::fs::write(dir.join(name), body).unwrap();
    }
    let db = src.path().join("app.db");
    migrate_with_sqlx(&db, &dir);
    let (snap, _) = collect(src.path(), &db, &["--source", src.path().to_str().unwrap()]);
    let local = &snap["local_migrations"]["data"];
    assert_eq!(local["directory_source"], "migrate_macro", "{snap:#}");
    assert_eq!(
        (local["source_file"].as_str(), local["source_line"].as_u64()),
        (Some("src/main.rs"), Some(3))
    );
    assert!(local["directory"].as_str().unwrap().ends_with("db/sql"));
    assert_eq!(check_json(src.path()).0, vec![]);
}

#[test]
fn absent_table_in_sqlite_is_recorded_without_creating_it() {
    let (src, _dir) = source_with(&base_files());
    let db = src.path().join("empty.db");
    sqlite_replay(&db, &[]);
    // Drop the table again through sqlx so the file exists but holds no migrations table.
    {
        use sqlx::Connection;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
                .await
                .unwrap();
            sqlx::raw_sql("DROP TABLE _sqlx_migrations; CREATE TABLE other (id int);")
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        });
    }
    let before = std::fs::read(&db).unwrap();
    let (snap, _) = collect(src.path(), &db, &["--source", src.path().to_str().unwrap()]);
    assert_eq!(
        snap["applied_migrations"]["data"]["present"], false,
        "{snap:#}"
    );
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the SQLite file changed"
    );
    assert_eq!(
        check_json(src.path()).0,
        vec![("migrations_table_missing".to_string(), None)]
    );
}
