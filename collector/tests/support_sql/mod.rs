//! Helpers for the SQL-shape tests: migrating real databases with sqlx's own migrator,
//! running the real `gaps collect` and `gaps check`, and reading the findings.
#![allow(dead_code)]

use std::path::Path;

use gaps_core::Snapshot;
use gaps_core::finding::{Finding, Severity};
use sqlx::Connection;

/// A current-thread runtime for the blocking test helpers.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Applies every migration of `dir` to the database at `url` with sqlx's own migrator.
pub fn migrate(url: &str, dir: &Path) {
    migrate_to(url, dir, None)
}

/// Applies the migrations of `dir` up to version `to` (all when None) with sqlx's migrator.
pub fn migrate_to(url: &str, dir: &Path, to: Option<i64>) {
    runtime().block_on(async {
        let migrator = sqlx::migrate::Migrator::new(dir.to_path_buf())
            .await
            .unwrap_or_else(|e| panic!("sqlx resolves {}: {e}", dir.display()));
        if url.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
            migrator.run(&mut conn).await.expect("sqlx migrates");
            conn.close().await.expect("close");
        } else if url.starts_with("mysql:") {
            let mut conn = sqlx::MySqlConnection::connect(url).await.expect("connect");
            migrator.run(&mut conn).await.expect("sqlx migrates");
            conn.close().await.expect("close");
        } else {
            let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
            match to {
                Some(v) => migrator.run_to(v, &mut conn).await,
                None => migrator.run(&mut conn).await,
            }
            .expect("sqlx migrates");
            conn.close().await.expect("close");
        }
    });
}

/// Runs `sql` (several statements) on the SQLite file at `url`.
pub fn sqlite_exec(url: &str, sql: &str) {
    runtime().block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(url).await.expect("connect");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.expect("close");
    });
}

/// `gaps collect` with `args` (plus `--quiet --out`), then `gaps check --format json`: the
/// snapshot and every finding. Panics with stderr when collect is partial.
pub fn collect_and_check(dir: &Path, args: &[&str]) -> (Snapshot, Vec<Finding>) {
    let snap = dir.join("snapshot.json");
    let mut all: Vec<&str> = vec!["collect", "--quiet"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", snap.to_str().unwrap()]);
    let out = super::common::gaps(dir, &all);
    assert_eq!(
        super::common::code(&out),
        0,
        "collect was partial: {}",
        super::common::stderr(&out)
    );
    let snapshot = Snapshot::from_json(&std::fs::read_to_string(&snap).unwrap()).unwrap();
    let out = super::common::gaps(
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
    assert_eq!(
        super::common::code(&out),
        0,
        "{}",
        super::common::stderr(&out)
    );
    let v: serde_json::Value =
        serde_json::from_str(&super::common::stdout(&out)).expect("check prints JSON");
    let findings = serde_json::from_value(v["findings"].clone()).expect("findings parse");
    (snapshot, findings)
}

/// One line per finding, for failure messages.
pub fn show(fs: &[Finding]) -> String {
    fs.iter()
        .map(|f| {
            format!(
                "{} {} {}.{} {}:{}: {}",
                f.kind.as_str(),
                f.severity.as_str(),
                f.table.as_deref().unwrap_or(""),
                f.column.as_deref().unwrap_or(""),
                f.file.as_deref().unwrap_or(""),
                f.line.unwrap_or(0),
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The error-level findings.
pub fn errors(fs: &[Finding]) -> Vec<Finding> {
    fs.iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect()
}
