//! Provider and connection facts against the real throwaway PostgreSQL: version, TLS,
//! connection counts, and sqlx's migration lock held by a second connection during the
//! collection (then released, and not reported any more).

use std::process::Command;

use gaps_tests::pg;
use serde_json::Value;
use sqlx::Connection;

fn collect(url: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    let o = Command::new(env!("CARGO_BIN_EXE_gaps"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["collect", "--quiet", "--database-url", url, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(&out)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert!(
        !text.contains("pr0v1derpw"),
        "password leaked into the snapshot"
    );
    serde_json::from_str(&text).unwrap()
}

fn findings(snap: &Value) -> Vec<gaps_core::Finding> {
    let s = gaps_core::Snapshot::from_json(&snap.to_string()).unwrap();
    gaps_core::rules::analyse(&s)
}

#[tokio::test(flavor = "current_thread")]
async fn migration_lock_held_by_another_session_is_reported_with_its_holder() {
    let db = pg::cluster().create_database("provider_lock");
    let key = gaps_core::provider::sqlx_migration_lock_key(&db.name);
    let mut holder =
        sqlx::PgConnection::connect(&format!("{}?application_name=stuck-migrator", db.url))
            .await
            .unwrap();
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(key)
        .execute(&mut holder)
        .await
        .unwrap();
    let holder_pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut holder)
        .await
        .unwrap();
    // pg_locks itself shows the halves the collector looks for.
    let (hi, lo) = gaps_core::provider::lock_key_halves(key);
    let seen = pg::cluster()
        .psql(
            &db.name,
            &format!("SELECT count(*) FROM pg_locks WHERE locktype='advisory' AND classid={hi} AND objid={lo} AND objsubid=1"),
        )
        .unwrap();
    assert_eq!(seen.trim(), "1");

    let url = db.url_as("postgres", Some("pr0v1derpw"));
    let snap = tokio::task::spawn_blocking({
        let url = url.clone();
        move || collect(&url)
    })
    .await
    .unwrap();
    let p = &snap["provider"];
    assert_eq!(p["status"], "collected", "{p}");
    let d = &p["data"];
    assert_eq!(d["provider"], "local");
    let server = &d["server"];
    assert!(
        server["version"]
            .as_str()
            .unwrap()
            .starts_with("PostgreSQL")
    );
    assert_eq!(server["database"], db.name.as_str());
    assert_eq!(
        server["tls"]["in_use"], false,
        "the test cluster has no TLS"
    );
    assert_eq!(server["max_connections"], 200);
    assert!(server["current_connections"].as_i64().unwrap() >= 2);
    let lock = &server["migration_lock"];
    assert_eq!(lock["key"], key);
    let holders = lock["holders"].as_array().unwrap();
    assert_eq!(holders.len(), 1, "{lock}");
    assert_eq!(holders[0]["pid"], holder_pid);
    assert_eq!(holders[0]["granted"], true);
    assert_eq!(holders[0]["application_name"], "stuck-migrator");
    assert!(holders[0]["backend_start"].as_str().is_some());
    let f = findings(&snap);
    let held = f
        .iter()
        .find(|f| f.kind == gaps_core::FindingKind::MigrationLockHeld)
        .expect("migration_lock_held");
    assert!(
        held.message.contains(&holder_pid.to_string()),
        "{}",
        held.message
    );
    assert!(held.message.contains("stuck-migrator"), "{}", held.message);

    // Released: no holder, no finding.
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(key)
        .execute(&mut holder)
        .await
        .unwrap();
    let snap = tokio::task::spawn_blocking(move || collect(&url))
        .await
        .unwrap();
    assert_eq!(
        snap["provider"]["data"]["server"]["migration_lock"]["holders"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert!(
        findings(&snap)
            .iter()
            .all(|f| f.kind != gaps_core::FindingKind::MigrationLockHeld)
    );
    holder.close().await.unwrap();
}

#[test]
fn provider_reads_send_only_reads_to_the_server() {
    let db = pg::cluster().create_database("provider_readonly");
    let snap = collect(&db.url);
    assert_eq!(snap["provider"]["status"], "collected");
    let statements = pg::cluster().logged_statements(&db.name);
    assert!(
        statements.iter().any(|s| s.contains("pg_locks")),
        "the lock query was not sent: {statements:?}"
    );
    for stmt in &statements {
        let s = stmt.trim_start().to_ascii_uppercase();
        assert!(
            ![
                "CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE", "GRANT"
            ]
            .iter()
            .any(|b| s.starts_with(b)),
            "{stmt}"
        );
        assert!(!s.contains("PG_ADVISORY_LOCK"), "{stmt}");
    }
}

#[test]
fn without_a_database_url_the_provider_section_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    Command::new(env!("CARGO_BIN_EXE_gaps"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["collect", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(v["provider"]["status"], "skipped");
}
