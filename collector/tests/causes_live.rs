//! The diagnosis end to end on real PostgreSQL: the ignition-api fixture's database built by
//! sqlx's own migrator and then drifted the ways production drifts (0006 edited after it was
//! applied, 0013 dirty after stopping part-way, 0014 pending, objects dropped and changed by
//! hand), with a log file and a health endpoint; `gaps collect` and `gaps check --format json`
//! through the real binary give the expected causes by id, members and fix order. The repair
//! SQL of the drift causes is then run by the database owner, and collecting again shows those
//! causes gone: the fix plan is checked against the real server, not only printed.
//!
//! A larger generated service (code ahead of its database by several migrations, hundreds of
//! statements) keeps the number of causes at the number of distinct missing objects and
//! migrations.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use common::{code, gaps, stderr, stdout};
use gaps_core::causes::CheckOutput;
use gaps_core::finding::{FindingKind, Severity};
use gaps_tests::fixtures::{fixture, seed_gaps_md};
use gaps_tests::pg::{self, TestDb};
use sqlx::Connection;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// A fresh database owned by a fresh login role, and that role's URL.
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

/// Applies the migrations of `dir` with sqlx's own migrator, up to `to`.
fn migrate_dir(url: &str, dir: &Path, to: i64) {
    runtime().block_on(async {
        let migrator = sqlx::migrate::Migrator::new(dir.to_path_buf())
            .await
            .expect("sqlx resolves the migrations");
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        migrator
            .run_to(to, &mut conn)
            .await
            .expect("sqlx applies the migrations");
        conn.close().await.expect("close");
    });
}

/// Runs `sql` as the role in `url`.
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

/// Serves `body` as JSON on a loopback port for as long as the test runs.
fn health_server(body: &'static str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/health", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(mut s) = s else { continue };
            let mut buf = [0u8; 2048];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

/// `gaps collect` then `gaps check --format json`.
fn collect_and_check(url: &str, dir: &Path, src: &Path, extra: &[&str]) -> CheckOutput {
    let snap = dir.join("snapshot.json");
    let mut args = vec![
        "collect",
        "--quiet",
        "--force",
        "--database-url",
        url,
        "--source",
        src.to_str().unwrap(),
        "--out",
        snap.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = gaps(dir, &args);
    assert_eq!(code(&out), 0, "collect was partial: {}", stderr(&out));
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
    serde_json::from_str(&stdout(&out)).expect("check prints its JSON contract")
}

/// Every cause with its findings, for failure messages.
fn show(o: &CheckOutput) -> String {
    let mut s = String::new();
    for c in &o.causes {
        s.push_str(&format!("{} [{}] {}\n", c.id, c.severity.as_str(), c.title));
        for &i in &c.findings {
            let f = &o.findings[i].finding;
            s.push_str(&format!(
                "    {} {}.{} {}:{} {}\n",
                f.kind.name(),
                f.table.as_deref().unwrap_or(""),
                f.column.as_deref().unwrap_or(""),
                f.file.as_deref().unwrap_or(""),
                f.line.unwrap_or(0),
                f.message
            ));
        }
    }
    s
}

/// The cause `id`: its member findings as (kind, table, column), sorted.
fn members(o: &CheckOutput, id: &str) -> Vec<(String, String, String)> {
    let c = o
        .causes
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no cause {id}:\n{}", show(o)));
    let mut m: Vec<(String, String, String)> = c
        .findings
        .iter()
        .map(|&i| {
            let f = &o.findings[i].finding;
            (
                f.kind.as_str(),
                f.table.clone().unwrap_or_default(),
                f.column.clone().unwrap_or_default(),
            )
        })
        .collect();
    m.sort();
    m
}

fn m(kind: FindingKind, table: &str, column: &str) -> (String, String, String) {
    (kind.as_str(), table.to_string(), column.to_string())
}

/// The fixture's migrations with 0006 as production applied it, before `target_date` was
/// added to the file.
fn migrations_as_applied(dir: &Path) -> PathBuf {
    let out = dir.join("applied-migrations");
    std::fs::create_dir_all(&out).unwrap();
    for e in std::fs::read_dir(fixture("ignition-api/migrations")).unwrap() {
        let e = e.unwrap();
        let mut text = std::fs::read_to_string(e.path()).unwrap();
        if e.file_name() == "0006_goals.sql" {
            text = text.replace(", target_date DATE", "");
            assert!(!text.contains("target_date"));
        }
        std::fs::write(out.join(e.file_name()), text).unwrap();
    }
    out
}

const LOG: &str = "\
2026-01-09T08:02:00.000Z app[148e272a] iad [error] database_error: error returned from database: relation \"focus_pause_state\" does not exist
2026-01-09T08:03:00.000Z app[148e272a] iad [error] database_error: error returned from database: relation \"focus_pause_state\" does not exist
2026-01-09T08:04:00.000Z app[148e272a] iad [error] database_error: error returned from database: relation \"focus_pause_state\" does not exist
2026-01-09T08:05:00.000Z app[148e272a] iad [error] database_error: error returned from database: column \"archived\" does not exist
2026-01-09T08:06:00.000Z app[148e272a] iad [error] database_error: error returned from database: relation \"feedback\" does not exist
2026-01-09T08:07:00.000Z app[148e272a] iad [error] internal_error: error occurred while decoding column \"reward_xp\": mismatched types; Rust type `i32` (as SQL type `INT4`) is not compatible with SQL type `INT8`
";

#[test]
fn the_drifted_ignition_database_gives_its_causes_in_the_order_sqlx_accepts() {
    let (_db, url) = owned_database("causes_drift");
    let dir = tempfile::tempdir().unwrap();
    // Production ran 0001..0013 with 0006 as it was then; 0014 is pending.
    migrate_dir(&url, &migrations_as_applied(dir.path()), 13);
    // 0013 stopped after its first table (as a non-transactional run leaves it: the row says
    // success = false), and the owner changed things by hand.
    as_owner(
        &url,
        "UPDATE _sqlx_migrations SET success = false WHERE version = 13;\n\
         DROP TABLE feedback;\n\
         DROP TABLE infobase_entries;\n\
         DROP TABLE focus_pause_state;\n\
         ALTER TABLE habits DROP COLUMN archived;\n\
         ALTER TABLE quests ALTER COLUMN reward_xp TYPE bigint;\n\
         ALTER TABLE focus_sessions ALTER COLUMN duration_secs DROP NOT NULL;\n\
         DROP INDEX habits_user_id_idx;\n\
         ALTER TABLE goal_milestones DROP CONSTRAINT goal_milestones_goal_id_fkey;",
    );
    let log = dir.path().join("fly.log");
    std::fs::write(&log, LOG).unwrap();
    let health = health_server(r#"{"status":"healthy","schema_version":12}"#);
    let gaps_md = seed_gaps_md();
    let src = fixture("ignition-api");
    let extra = [
        "--gaps",
        gaps_md.to_str().unwrap(),
        "--logs",
        log.to_str().unwrap(),
        "--health",
        health.as_str(),
    ];
    let o = collect_and_check(&url, dir.path(), &src, &extra);
    use FindingKind::*;

    // Every finding is in exactly one cause; every error finding has one.
    let mut seen = vec![0; o.findings.len()];
    for c in &o.causes {
        for &i in &c.findings {
            seen[i] += 1;
            assert_eq!(o.findings[i].cause, c.id);
        }
    }
    assert!(seen.iter().all(|n| *n == 1), "{}", show(&o));

    let ids: Vec<&str> = o.causes.iter().map(|c| c.id.as_str()).collect();
    let pos = |id: &str| {
        ids.iter()
            .position(|x| *x == id)
            .unwrap_or_else(|| panic!("no cause {id}:\n{}", show(&o)))
    };
    // sqlx's order: restore the edited 0006 and repair Dirty(13) before running 0014.
    assert_eq!(
        &ids[..2],
        ["migration-6-edited", "migration-13-failed"],
        "{}",
        show(&o)
    );
    assert!(pos("migration-13-failed") < pos("migrations-pending"));
    let pending = &o.causes[pos("migrations-pending")];
    assert_eq!(
        pending.blocked_by,
        ["migration-6-edited", "migration-13-failed"]
    );
    assert_eq!(
        o.causes[0].blocks,
        ["migration-13-failed", "migrations-pending"]
    );
    // Errors before warnings; the drift with the most log lines first among the rest.
    let severities: Vec<Severity> = o.causes.iter().map(|c| c.severity).collect();
    assert!(severities.windows(2).all(|w| w[0] >= w[1]), "{}", show(&o));
    assert_eq!(ids[2], "table-focus_pause_state-missing", "{}", show(&o));

    // The edit added goals.target_date, which this database never got.
    let edited = members(&o, "migration-6-edited");
    assert!(edited.contains(&m(MigrationChecksumMismatch, "", "")));
    assert!(
        edited.contains(&m(ColumnMissing, "goals", "target_date")),
        "{edited:?}"
    );
    assert!(
        edited.iter().any(|x| x.0 == "query_invalid"),
        "queries/goal_by_id.sql reads target_date: {edited:?}"
    );
    // 0013 stopped after `ideas`: the tables it did not get, the log line, nothing else.
    assert_eq!(
        members(&o, "migration-13-failed"),
        [
            m(LogDatabaseError, "feedback", ""),
            m(MigrationFailed, "", ""),
            m(TableMissing, "feedback", ""),
            m(TableMissing, "infobase_entries", ""),
        ]
    );
    let failed = &o.causes[1];
    let sql: Vec<&str> = failed.fix.iter().filter_map(|s| s.sql.as_deref()).collect();
    assert_eq!(
        sql,
        [
            "DROP TABLE IF EXISTS ideas;",
            "DELETE FROM public._sqlx_migrations WHERE version = 13;"
        ]
    );
    // 0014: its tables, its new column, its rename (both names), the User statements that
    // wait for it, and the health endpoint's schema_version.
    let p = members(&o, "migrations-pending");
    for want in [
        m(MigrationPending, "", ""),
        m(TableMissing, "prompt_templates", ""),
        m(TableMissing, "platform_settings", ""),
        m(ColumnMissing, "habits", "reminder_time"),
        m(ColumnMissing, "users", "name"),
        m(ColumnUnexpected, "users", "display_name"),
        m(HealthSchemaVersionMismatch, "", ""),
    ] {
        assert!(
            p.contains(&want),
            "{want:?} not in migrations-pending: {p:?}"
        );
    }
    assert_eq!(
        p.iter().filter(|x| x.0 == "query_result_mismatch").count(),
        2,
        "{p:?}"
    );
    // Each hand-made change is a cause of its own, with what it breaks.
    assert_eq!(
        members(&o, "table-focus_pause_state-missing"),
        [
            m(LogDatabaseError, "focus_pause_state", ""),
            m(QueryInvalid, "focus_pause_state", ""),
            m(TableMissing, "focus_pause_state", ""),
        ]
    );
    let t = &o.causes[2];
    assert_eq!(t.impact.log_lines, 3);
    assert_eq!(t.impact.call_sites, ["src/focus_repos.rs:26"]);
    let archived = members(&o, "column-habits-archived-missing");
    assert!(archived.contains(&m(ColumnMissing, "habits", "archived")));
    assert!(
        archived.contains(&m(QueryInvalid, "", "archived")),
        "{archived:?}"
    );
    assert!(
        archived.contains(&m(LogDatabaseError, "", "archived")),
        "{archived:?}"
    );
    let reward = members(&o, "column-quests-reward_xp-type");
    assert!(reward.contains(&m(ColumnTypeMismatch, "quests", "reward_xp")));
    assert!(
        reward.contains(&m(LogDatabaseError, "", "reward_xp")),
        "{reward:?}"
    );
    members(&o, "column-focus_sessions-duration_secs-nullable");
    assert_eq!(
        o.causes[pos("index-habits_user_id_idx-missing")].severity,
        Severity::Warning
    );
    members(&o, "constraint-goal_milestones_goal_id_fkey-missing");
    // Paths are relative to the source root.
    let edited_fix = &o.causes[0].fix[0];
    assert!(
        edited_fix
            .command
            .as_deref()
            .is_some_and(|c| c.ends_with("-- migrations/0006_goals.sql")),
        "{edited_fix:?}"
    );

    // The repair SQL of the drift causes, run by the owner, makes those causes go away.
    let drift = [
        "table-focus_pause_state-missing",
        "column-habits-archived-missing",
        "column-quests-reward_xp-type",
        "column-focus_sessions-duration_secs-nullable",
        "index-habits_user_id_idx-missing",
        "constraint-goal_milestones_goal_id_fkey-missing",
    ];
    for id in drift {
        let c = &o.causes[pos(id)];
        let sql: Vec<&str> = c.fix.iter().filter_map(|s| s.sql.as_deref()).collect();
        assert_eq!(sql.len(), 1, "{id}: {:?}", c.fix);
        as_owner(&url, sql[0]);
    }
    let again = collect_and_check(&url, dir.path(), &src, &extra);
    let left: Vec<&str> = again.causes.iter().map(|c| c.id.as_str()).collect();
    for id in drift {
        assert!(
            !left.contains(&id),
            "{id} is still there:\n{}",
            show(&again)
        );
    }
    for id in [
        "migration-6-edited",
        "migration-13-failed",
        "migrations-pending",
    ] {
        assert!(left.contains(&id), "{id} went away:\n{}", show(&again));
    }
}

/// Writes a service whose code is ahead of its database: `migrations` migrations, each a new
/// table `t_i` (and, from the seventh on, a column `extra_i` on an earlier table), with 20
/// statements per table, plus statements on `ghosts` tables and `stray` columns that no
/// migration creates. Returns the source root.
fn generated_service(root: &Path, migrations: usize, ghosts: usize, stray: usize) -> PathBuf {
    let src = root.join("svc");
    let mdir = src.join("migrations");
    std::fs::create_dir_all(&mdir).unwrap();
    std::fs::create_dir_all(src.join("src")).unwrap();
    std::fs::write(
        src.join("Cargo.toml"),
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    let mut main = String::from(
        "pub async fn migrate(pool: &sqlx::PgPool) {\n    sqlx::migrate!(\"./migrations\").run(pool).await.unwrap();\n}\n",
    );
    for i in 1..=migrations {
        let mut sql = format!(
            "CREATE TABLE t_{i} (id BIGINT PRIMARY KEY, a TEXT NOT NULL, b INTEGER, c TIMESTAMPTZ);\n"
        );
        if i > 6 {
            sql.push_str(&format!(
                "ALTER TABLE t_{} ADD COLUMN extra_{i} TEXT;\n",
                i - 6
            ));
        }
        std::fs::write(mdir.join(format!("{i:04}_step_{i}.sql")), sql).unwrap();
    }
    let statement = |table: &str, k: usize, extra: Option<&str>| -> String {
        let col = extra.unwrap_or("a");
        match k % 4 {
            0 => format!("SELECT id, {col} FROM {table} WHERE id = $1"),
            1 => format!("UPDATE {table} SET {col} = $1 WHERE id = $2"),
            2 => format!("SELECT count(*) FROM {table} WHERE {col} IS NOT NULL"),
            _ => format!("DELETE FROM {table} WHERE id = $1 AND {col} = $2"),
        }
    };
    let mut file = |name: &str, statements: Vec<String>| {
        let mut text = String::from("use sqlx::PgPool;\n\n");
        for (k, sql) in statements.iter().enumerate() {
            text.push_str(&format!(
                "pub async fn q{k}(pool: &PgPool) {{\n    sqlx::query(\"{sql}\").execute(pool).await.ok();\n}}\n\n"
            ));
        }
        std::fs::write(src.join("src").join(format!("{name}.rs")), text).unwrap();
        main.push_str(&format!("mod {name};\n"));
    };
    for i in 1..=migrations {
        let table = format!("t_{i}");
        // The table's own columns, and the column a later migration adds to it.
        let extra = (i + 6 <= migrations).then(|| format!("extra_{}", i + 6));
        let statements = (0..20)
            .map(|k| {
                let use_extra = k % 5 == 4;
                statement(&table, k, extra.as_deref().filter(|_| use_extra))
            })
            .collect();
        file(&format!("repo_{i}"), statements);
    }
    for g in 1..=ghosts {
        file(
            &format!("ghost_{g}"),
            (0..4)
                .map(|k| statement(&format!("ghost_{g}"), k, None))
                .collect(),
        );
    }
    file(
        "stray",
        (1..=stray)
            .flat_map(|s| (0..3).map(move |k| (s, k)))
            .map(|(s, k)| statement("t_1", k, Some(&format!("stray_{s}"))))
            .collect(),
    );
    std::fs::write(src.join("src/main.rs"), main).unwrap();
    src
}

#[test]
fn code_ahead_of_its_database_by_several_migrations_gives_one_cause_per_missing_thing() {
    const MIGRATIONS: usize = 14;
    const APPLIED: i64 = 6;
    const GHOSTS: usize = 5;
    const STRAY: usize = 3;
    let (_db, url) = owned_database("causes_scale");
    let dir = tempfile::tempdir().unwrap();
    let src = generated_service(dir.path(), MIGRATIONS, GHOSTS, STRAY);
    migrate_dir(&url, &src.join("migrations"), APPLIED);
    let o = collect_and_check(&url, dir.path(), &src, &[]);
    let statements = MIGRATIONS * 20 + GHOSTS * 4 + STRAY * 3;
    let errors = o
        .findings
        .iter()
        .filter(|f| f.finding.severity == Severity::Error)
        .count();
    // Hundreds of statements, most of them failing...
    assert!(statements > 300);
    assert!(errors > 200, "{errors} errors:\n{}", show(&o));
    // ...and the causes are the distinct things missing: the pending migrations (one run),
    // each table and each column no migration creates.
    let mut ids: Vec<&str> = o.causes.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    let mut want: Vec<String> = vec!["migrations-pending".into()];
    want.extend((1..=GHOSTS).map(|g| format!("table-ghost_{g}-missing")));
    want.extend((1..=STRAY).map(|s| format!("column-t_1-stray_{s}-missing")));
    want.sort();
    assert_eq!(ids, want, "{}", show(&o));
    let distinct_missing = (MIGRATIONS - APPLIED as usize) + GHOSTS + STRAY;
    assert!(
        o.causes.len() <= distinct_missing,
        "{} causes",
        o.causes.len()
    );
    let pending = o
        .causes
        .iter()
        .find(|c| c.id == "migrations-pending")
        .unwrap();
    assert_eq!(
        pending.title,
        "8 migrations have not been applied (0007..0014)"
    );
    // Every statement on a table or column a pending migration creates is under it, and
    // none of them is a fix step of its own.
    assert!(
        pending.impact.call_sites.len() >= 8 * 20,
        "{:?}",
        pending.impact
    );
    assert!(pending.fix.len() <= 3, "{:?}", pending.fix);
    let ghost = o
        .causes
        .iter()
        .find(|c| c.id == "table-ghost_1-missing")
        .unwrap();
    assert_eq!(ghost.impact.call_sites.len(), 4);
}
