//! Helpers shared by the collector's integration tests: running the real `gaps` binary, and
//! writing migration folders whose rows are replayed exactly as sqlx writes them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the real `gaps` binary with `args` in `cwd`, without DATABASE_URL from the environment.
pub fn gaps(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaps"))
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .output()
        .expect("running the gaps binary")
}

/// Runs `gaps collect -q --database-url URL` plus `extra` into a temporary file and returns the
/// snapshot. A partial snapshot (exit 1) is returned too; any other exit fails the test with
/// gaps' stderr.
pub fn collect_snapshot(url: &str, extra: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("snap.json");
    let out_arg = out.to_str().expect("a UTF-8 temporary path");
    let mut args = vec!["collect", "--database-url", url, "--out", out_arg, "-q"];
    args.extend_from_slice(extra);
    let run = gaps(dir.path(), &args);
    assert!(code(&run) <= 1, "gaps {args:?}: {}", stderr(&run));
    let text = std::fs::read_to_string(&out).expect("the snapshot written");
    serde_json::from_str(&text).expect("the snapshot is JSON")
}

/// stdout of `out` as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stderr of `out` as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The exit code (panics on a signal).
pub fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal: {out:?}"))
}

/// The migration files every scenario starts from: a simple file, a reversible pair and a
/// no-transaction one.
pub const BASE: &[(&str, &str)] = &[
    (
        "0001_create_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    ),
    (
        "0002_create_todos.up.sql",
        "CREATE TABLE todos (id bigint PRIMARY KEY, title text);\n",
    ),
    ("0002_create_todos.down.sql", "DROP TABLE todos;\n"),
    (
        "0003_index_todos.sql",
        "-- no-transaction\nCREATE INDEX todos_title ON todos (title);\n",
    ),
];

/// Writes `files` into a fresh `migrations` folder under a temporary source directory.
pub fn source_with(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let src = tempfile::tempdir().expect("tempdir");
    let dir = src.path().join("migrations");
    std::fs::create_dir_all(&dir).expect("mkdir migrations");
    for (name, body) in files {
        std::fs::write(dir.join(name), body).expect("writing a migration");
    }
    (src, dir)
}

/// The base files as byte slices.
pub fn base_files() -> Vec<(&'static str, &'static [u8])> {
    BASE.iter().map(|(n, b)| (*n, b.as_bytes())).collect()
}

/// What sqlx itself resolves from `dir` (its own parser and checksums): the ground truth the
/// replayed rows are built from.
pub fn sqlx_resolve(dir: &Path) -> Vec<sqlx::migrate::Migration> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(sqlx::migrate::Migrator::new(dir.to_path_buf()))
        .expect("sqlx resolves the folder")
        .iter()
        .cloned()
        .collect()
}

/// One row to replay into `_sqlx_migrations`.
#[derive(Debug, Clone)]
pub struct Row {
    pub version: i64,
    pub description: String,
    pub success: bool,
    pub checksum: Vec<u8>,
    pub execution_time: i64,
}

/// The rows sqlx's migrator writes after applying every up migration sqlx resolves in `dir`.
pub fn rows_as_sqlx_writes(dir: &Path) -> Vec<Row> {
    sqlx_resolve(dir)
        .into_iter()
        .filter(|m| m.migration_type.is_up_migration())
        .map(|m| Row {
            version: m.version,
            description: m.description.to_string(),
            success: true,
            checksum: m.checksum.to_vec(),
            execution_time: 1_500_000,
        })
        .collect()
}

/// The schema the base migrations create, as sqlx would leave it after applying them (so that
/// a "clean" database really has every table and index its migrations create).
pub fn base_schema_sql() -> String {
    BASE.iter()
        .filter(|(name, _)| !name.ends_with(".down.sql"))
        .map(|(_, body)| body.replace("-- no-transaction\n", ""))
        .collect()
}

/// sqlx 0.9's Postgres DDL (ANCHORS.md) and INSERTs for `rows`, as one psql script.
pub fn postgres_replay_sql(rows: &[Row]) -> String {
    let mut sql = String::from(
        "CREATE TABLE _sqlx_migrations (\n    version BIGINT PRIMARY KEY,\n    description TEXT NOT NULL,\n    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),\n    success BOOLEAN NOT NULL,\n    checksum BYTEA NOT NULL,\n    execution_time BIGINT NOT NULL\n);\n",
    );
    for r in rows {
        sql.push_str(&format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ({}, '{}', {}, '\\x{}', {});\n",
            r.version,
            r.description.replace('\'', "''"),
            r.success,
            hex::encode(&r.checksum),
            r.execution_time
        ));
    }
    sql
}

/// Creates an SQLite file with sqlx 0.9's SQLite DDL and `rows`, through sqlx (not through the
/// collector).
pub fn sqlite_replay(path: &Path, rows: &[Row]) {
    use sqlx::Connection;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("open sqlite");
        sqlx::raw_sql(
            "CREATE TABLE _sqlx_migrations (\n    version BIGINT PRIMARY KEY,\n    description TEXT NOT NULL,\n    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    success BOOLEAN NOT NULL,\n    checksum BLOB NOT NULL,\n    execution_time BIGINT NOT NULL\n);",
        )
        .execute(&mut conn)
        .await
        .expect("create table");
        for r in rows {
            sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (?1, ?2, ?3, ?4, ?5)")
                .bind(r.version)
                .bind(&r.description)
                .bind(r.success)
                .bind(&r.checksum)
                .bind(r.execution_time)
                .execute(&mut conn)
                .await
                .expect("insert row");
        }
        conn.close().await.expect("close");
    });
}

/// Parses `gaps check --format json` output into (kind, migration) pairs.
pub fn kinds_and_versions(json: &str) -> Vec<(String, Option<i64>)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or("").to_string(),
                f["migration"].as_i64(),
            )
        })
        .collect()
}
