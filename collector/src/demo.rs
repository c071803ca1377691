//! `gaps demo`: the whole job on a bundled example service, with no server to set up. It
//! writes the service (migrations, Rust source, a fly.io log, gaps.md) into DIR, builds the
//! demo's own SQLite database by running the migrations itself with realistic drift (0004
//! edited after it was applied, 0005 failed part-way, 0006 pending so a table the code uses is
//! missing, a TEXT column the model reads as i32), serves a health response on a loopback
//! port, then runs the real collection, rules and report builder and returns what it wrote.
//!
//! The database built here is the demo's fixture, not a target: collection still only reads.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use sha2::{Digest, Sha384};
use sqlx::Connection;

use crate::collect::{Request, collect};
use crate::progress::Progress;
use crate::report::{viewer_scripts, write_report};

/// (file name, text) of every migration of the example service.
pub const MIGRATIONS: [(&str, &str); 6] = [
    (
        "0001_users.sql",
        include_str!("../demo/migrations/0001_users.sql"),
    ),
    (
        "0002_sessions.sql",
        include_str!("../demo/migrations/0002_sessions.sql"),
    ),
    (
        "0003_habits.sql",
        include_str!("../demo/migrations/0003_habits.sql"),
    ),
    (
        "0004_quests.sql",
        include_str!("../demo/migrations/0004_quests.sql"),
    ),
    (
        "0005_focus_sessions.sql",
        include_str!("../demo/migrations/0005_focus_sessions.sql"),
    ),
    (
        "0006_habit_completions.sql",
        include_str!("../demo/migrations/0006_habit_completions.sql"),
    ),
];

/// 0004 as it was when production applied it (the local file was edited since).
const QUESTS_AS_APPLIED: &str = include_str!("../demo/quests_as_applied.sql");

/// Other files of the example service, relative to its root.
const SERVICE_FILES: [(&str, &str); 4] = [
    ("Cargo.toml", include_str!("../demo/Cargo.toml")),
    ("src/main.rs", include_str!("../demo/src/main.rs")),
    ("src/models.rs", include_str!("../demo/src/models.rs")),
    ("src/repos.rs", include_str!("../demo/src/repos.rs")),
];

const FLY_LOG: &str = include_str!("../demo/logs/fly.log");
const HEALTH_JSON: &str = include_str!("../demo/health.json");
const GAPS_MD: &str = include_str!("../demo/gaps.md");

fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Writes the example service into `dir/service` and its log and registry beside it.
fn write_service(dir: &Path) -> anyhow::Result<()> {
    let service = dir.join("service");
    for (name, text) in MIGRATIONS {
        write(&service.join("migrations").join(name), text)?;
    }
    for (name, text) in SERVICE_FILES {
        write(&service.join(name), text)?;
    }
    write(&dir.join("logs").join("fly.log"), FLY_LOG)?;
    write(&dir.join("gaps.md"), GAPS_MD)?;
    Ok(())
}

/// Builds the demo database the way sqlx would have left it in production, drift included.
async fn build_database(path: &Path) -> anyhow::Result<()> {
    if path.exists() {
        std::fs::remove_file(path).with_context(|| format!("removing old {}", path.display()))?;
    }
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let mut conn = sqlx::SqliteConnection::connect_with(&opts)
        .await
        .with_context(|| format!("creating the demo database {}", path.display()))?;
    // sqlx's own bookkeeping table, as `sqlx migrate run` creates it on SQLite.
    sqlx::raw_sql(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
         checksum BLOB NOT NULL, execution_time BIGINT NOT NULL)",
    )
    .execute(&mut conn)
    .await
    .context("creating _sqlx_migrations in the demo database")?;
    for (i, (name, text)) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        let description = name
            .trim_end_matches(".sql")
            .split_once('_')
            .map(|(_, d)| d.replace('_', " "))
            .unwrap_or_default();
        let (applied_text, sql, success) = match version {
            4 => (QUESTS_AS_APPLIED, QUESTS_AS_APPLIED.to_string(), true),
            // Failed part-way: the table was created, the index statement failed.
            5 => (
                *text,
                text.split_inclusive(';').next().unwrap_or("").to_string(),
                false,
            ),
            6 => break,
            _ => (*text, text.to_string(), true),
        };
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .with_context(|| format!("running demo migration {name}"))?;
        let checksum = Sha384::digest(applied_text.as_bytes()).to_vec();
        let installed_on = format!("2025-12-{:02} 09:{:02}:00", 1 + version * 5, version * 7);
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(version)
        .bind(description)
        .bind(installed_on)
        .bind(success)
        .bind(checksum)
        .bind(1_800_000_i64 * version * version)
        .execute(&mut conn)
        .await
        .context("recording a demo migration")?;
    }
    conn.close().await.ok();
    Ok(())
}

/// Serves the demo health response on a loopback port until the returned guard is dropped.
struct HealthServer {
    url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl HealthServer {
    fn start() -> anyhow::Result<HealthServer> {
        let listener =
            TcpListener::bind("127.0.0.1:0").context("binding the demo health endpoint")?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}/health", listener.local_addr()?);
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::spawn(move || {
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut s, _)) => {
                        let _ = s.set_nonblocking(false);
                        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                        let mut buf = [0u8; 4096];
                        let _ = s.read(&mut buf);
                        let _ = write!(
                            s,
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
                            HEALTH_JSON.len(),
                            HEALTH_JSON
                        );
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Ok(HealthServer { url, stop })
    }
}

impl Drop for HealthServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What the demo produced.
#[derive(Debug, Clone)]
pub struct DemoOutput {
    /// The snapshot.
    pub snapshot: PathBuf,
    /// The report.
    pub report: PathBuf,
    /// The updated registry.
    pub gaps: PathBuf,
}

/// Runs the demo into `out`.
pub fn run_demo(out: &Path) -> anyhow::Result<DemoOutput> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let out = std::fs::canonicalize(out).with_context(|| format!("resolving {}", out.display()))?;
    write_service(&out)?;
    let db = out.join("demo.db");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(build_database(&db))?;
    let health = HealthServer::start()?;
    let snapshot_path = out.join("snapshot.json");
    // `Request::default()` is `gaps collect` without flags: the demo uses its defaults.
    let plan = Request {
        database_url: Some(format!("sqlite://{}", db.display())),
        source: Some(out.join("service")),
        logs: vec![out.join("logs/fly.log")],
        health: Some(health.url.clone()),
        gaps: Some(out.join("gaps.md")),
        label: Some("demo (habits-api)".into()),
        out: snapshot_path.clone(),
        quiet: true,
        ..Request::default()
    }
    .plan()
    .context("planning the demo's collection")?;
    let snapshot = runtime.block_on(collect(&plan, &Progress::new(plan.quiet, plan.verbose)));
    drop(health);
    crate::output::write_atomic(&snapshot_path, snapshot.to_json().as_bytes())?;
    let findings = gaps_core::rules::analyse(&snapshot);
    let diagnosis = gaps_core::causes::diagnose(&snapshot, &findings);
    eprint!(
        "{}",
        crate::render::diagnosis::text(
            &snapshot,
            &findings,
            &diagnosis,
            crate::render::diagnosis::TextOptions {
                color: crate::render::diagnosis::stderr_color(),
                findings: false,
            },
        )
    );
    let report_dir = out.join("report");
    let written = write_report(
        &crate::report::Request {
            snapshots: vec![snapshot_path.clone()],
            gaps: Some(out.join("gaps.md")),
            out: report_dir,
            templates: None,
            write_gaps: Some(out.join("gaps.updated.md")),
        },
        viewer_scripts(),
    )?;
    Ok(DemoOutput {
        snapshot: snapshot_path,
        report: written.index,
        gaps: out.join("gaps.updated.md"),
    })
}
