//! `gaps collect --all` on the real throwaway PostgreSQL cluster: a fleet of four targets in one
//! gaps.toml, one healthy (its service_role checked), one whose role may not read the
//! migrations table (a permission error), one whose server is unreachable and one whose URL
//! variable is unset. Each gets its own snapshot saying what happened, the healthy one is
//! complete, the unset one never falls back to DATABASE_URL, no password reaches a file or the
//! terminal, and the exit status says partial. `gaps check` of the four opens with the fleet
//! overview.

mod common;

use std::path::Path;
use std::process::Command;

use common::{base_files, source_with};
use gaps_core::snapshot::Snapshot;
use gaps_tests::pg;
use sqlx::Connection;

/// Applies the migrations of `dir` with sqlx's own migrator.
fn migrate(url: &str, dir: &Path) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let migrator = sqlx::migrate::Migrator::new(dir.to_path_buf())
            .await
            .expect("sqlx resolves the migrations");
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        migrator.run(&mut conn).await.expect("sqlx applies them");
        conn.close().await.expect("close");
    });
}

fn load(dir: &Path, name: &str) -> (String, Snapshot) {
    let text = std::fs::read_to_string(dir.join(format!("{name}.json")))
        .unwrap_or_else(|e| panic!("{name}.json: {e}"));
    let s = Snapshot::from_json(&text).unwrap_or_else(|e| panic!("{name}.json: {e}"));
    (text, s)
}

#[test]
fn one_target_failing_never_stops_the_others_and_each_failure_is_recorded() {
    let c = pg::cluster();
    let (src, migrations) = source_with(&base_files());
    let good = c.create_database("fleet_ok");
    migrate(&good.url, &migrations);
    // The role the healthy target's service connects as: gaps checks its privileges.
    let app = format!("{}_app", good.name);
    c.psql("postgres", &format!("CREATE ROLE \"{app}\" LOGIN;"))
        .unwrap();
    let denied = c.create_database("fleet_denied");
    migrate(&denied.url, &migrations);
    let role = format!("{}_ro", denied.name);
    c.psql("postgres", &format!("CREATE ROLE \"{role}\" LOGIN;"))
        .unwrap();
    // The role may connect and read the catalogs, but not the migrations table.
    c.psql(
        &denied.name,
        &format!("REVOKE ALL ON _sqlx_migrations FROM \"{role}\", PUBLIC;"),
    )
    .unwrap();

    let work = tempfile::tempdir().unwrap();
    let svc = work.path().join("svc");
    std::fs::rename(src.path(), &svc)
        .or_else(|_| copy_dir(src.path(), &svc))
        .unwrap();
    std::fs::write(
        work.path().join("gaps.toml"),
        format!(
            r#"
[[target]]
name = "ok"
database_url_env = "FLEET_OK_URL"
source = "svc"
service_role = "{app}"

[[target]]
name = "denied"
database_url_env = "FLEET_DENIED_URL"
source = "svc"

[[target]]
name = "down"
database_url_env = "FLEET_DOWN_URL"
source = "svc"

[[target]]
name = "unset"
database_url_env = "FLEET_UNSET_URL"
source = "svc"
"#
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gaps"))
        .args(["collect", "--all", "--jobs", "3", "--out-dir", "snaps"])
        .current_dir(work.path())
        .env(
            "FLEET_OK_URL",
            good.url_as("postgres", Some("okpass-s3cret")),
        )
        .env(
            "FLEET_DENIED_URL",
            denied.url_as(&role, Some("deniedpass-s3cret")),
        )
        .env(
            "FLEET_DOWN_URL",
            "postgres://gaps:downpass-s3cret@127.0.0.1:1/nowhere?connect_timeout=2",
        )
        .env_remove("FLEET_UNSET_URL")
        // A fleet target never falls back to DATABASE_URL: that is someone else's database.
        .env(
            "DATABASE_URL",
            good.url_as("postgres", Some("fallback-s3cret")),
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "partial fleet exits 1: {stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
    let snaps = work.path().join("snaps");

    let (text, ok) = load(&snaps, "ok");
    assert!(!ok.is_partial(), "the healthy target is complete: {text}");
    assert_eq!(ok.target.label.as_deref(), Some("ok"));
    assert_eq!(
        ok.applied_migrations.data().map(|a| a.rows.len()),
        Some(3),
        "its migrations were read"
    );
    assert!(stderr.contains("gaps: ok: complete"), "{stderr}");
    assert_eq!(
        ok.service.data().map(|s| s.role.as_str()),
        Some(app.as_str()),
        "the target's service_role is the role checked"
    );

    let (text, denied_snap) = load(&snaps, "denied");
    assert!(denied_snap.is_partial());
    assert!(denied_snap.database.data().is_some(), "it connected");
    let err = denied_snap
        .applied_migrations
        .error()
        .unwrap_or_else(|| panic!("the migrations table was refused: {text}"));
    assert!(err.message.contains("permission denied"), "{err:?}");
    assert!(stderr.contains("gaps: denied: partial"), "{stderr}");

    let (text, down) = load(&snaps, "down");
    let err = down.database.error().expect("unreachable is recorded");
    assert_eq!(err.during, "connecting to the database");
    assert!(
        down.local_migrations.data().is_some(),
        "the source is still read when the server is down"
    );
    assert!(stderr.contains("gaps: down: partial"), "{stderr}");
    assert!(!text.contains("s3cret"), "{text}");

    let (text, unset) = load(&snaps, "unset");
    let err = unset
        .database
        .error()
        .expect("the missing variable is recorded");
    assert!(
        err.message.contains("FLEET_UNSET_URL is not set"),
        "{err:?}"
    );
    assert!(
        unset.schema.data().is_none(),
        "DATABASE_URL was not used: {text}"
    );
    assert!(unset.target.database_url.is_none());

    for name in ["ok", "denied", "down", "unset"] {
        let (text, _) = load(&snaps, name);
        assert!(!text.contains("s3cret"), "{name}.json leaks a password");
    }
    assert!(
        stderr.contains("4 target(s): 1 complete, 3 partial"),
        "{stderr}"
    );

    // `gaps check DIR/*.json`: the overview first, one row per target, then each target.
    let files: Vec<String> = ["ok", "denied", "down", "unset"]
        .iter()
        .map(|n| format!("snaps/{n}.json"))
        .collect();
    let mut args = vec!["check"];
    args.extend(files.iter().map(String::as_str));
    let o = Command::new(env!("CARGO_BIN_EXE_gaps"))
        .args(&args)
        .current_dir(work.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        // What was not collected is a warning, never an error about the service.
        text.starts_with("Fleet: 4 target(s), 0 with errors, 3 partial\n"),
        "{text}"
    );
    let rows: Vec<&str> = text.lines().skip(3).take(4).collect();
    let row = |name: &str| {
        *rows
            .iter()
            .find(|r| r.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}: {text}"))
    };
    assert!(row("ok").ends_with("clean"), "{text}");
    assert!(row("down").contains("not collected: database"), "{text}");
    assert!(row("unset").contains("not collected: database"), "{text}");
    assert!(
        row("denied").contains("not collected: applied_migrations"),
        "{text}"
    );
    assert_eq!(
        rows.last().unwrap().split_whitespace().next(),
        Some("ok"),
        "the clean target comes last: {text}"
    );
    for name in ["ok", "denied", "down", "unset"] {
        assert!(text.contains(&format!("\n== {name} ==\n")), "{text}");
    }
    assert_eq!(o.status.code(), Some(0), "no error finding in any target");
    assert!(!text.contains("s3cret"));
    args.extend(["--fail-on", "warning"]);
    let o = Command::new(env!("CARGO_BIN_EXE_gaps"))
        .args(&args)
        .current_dir(work.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "the worst target decides");
}

#[test]
fn a_bad_fleet_file_is_a_usage_error_naming_it() {
    let work = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gaps"))
            .args(args)
            .current_dir(work.path())
            .output()
            .unwrap()
    };
    let o = run(&["collect", "--all"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("gaps.toml"));
    std::fs::write(
        work.path().join("fleet.toml"),
        "[[target]]\nname = \"a\"\ndatabase_url = \"postgres://u:pw-s3cret@h/db\"\n",
    )
    .unwrap();
    let o = run(&["collect", "--all", "--config", "fleet.toml"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("fleet.toml") && stderr.contains("database_url"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
    let o = run(&["collect", "--all", "--source", "."]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "--all takes its targets from the file"
    );
    let o = run(&["collect", "--out-dir", "snaps"]);
    assert_eq!(o.status.code(), Some(2), "--out-dir needs --all");
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), target)?;
        }
    }
    Ok(())
}
