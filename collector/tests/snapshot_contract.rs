//! The output contracts: real `gaps collect` output (Postgres, SQLite, an unreachable server)
//! validates against the committed `core/snapshot.schema.json`, and `gaps check --format json`
//! validates against `core/check-output.schema.json` and deserialises into types written here
//! independently of gaps-core, so a silent change of either format fails a test.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use gaps_tests::pg;
use serde::Deserialize;

fn committed_schema() -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/snapshot.schema.json");
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn assert_valid(instance: &serde_json::Value, what: &str) {
    let validator = jsonschema::validator_for(&committed_schema()).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} does not match core/snapshot.schema.json:\n{}",
        errors.join("\n")
    );
}

fn collect_to(src: &Path, url: &str) -> serde_json::Value {
    let out = gaps(
        src,
        &[
            "collect",
            "--quiet",
            "--database-url",
            url,
            "--source",
            src.to_str().unwrap(),
            "--connect-timeout",
            "3",
            "--out",
            "-",
        ],
    );
    assert!(code(&out) <= 1, "{}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

/// A drifted folder (pending, failed, untimed, ignored, CRLF) for the given replay.
fn drifted_source() -> (tempfile::TempDir, PathBuf, Vec<Row>) {
    let mut files = base_files();
    files.push(("0004_more.sql", b"CREATE TABLE more (id int);\n"));
    let (src, dir) = source_with(&files);
    let mut rows = rows_as_sqlx_writes(&dir);
    rows[0].success = false;
    rows[1].execution_time = -1;
    rows.retain(|r| r.version != 3);
    std::fs::write(dir.join("0004_more.sql"), "CREATE TABLE more (id int);\r\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "x").unwrap();
    (src, dir, rows)
}

#[test]
fn real_postgres_snapshots_match_the_committed_schema() {
    let c = pg::cluster();
    let db = c.create_database("contract_pg");
    let (src, _dir, rows) = drifted_source();
    c.psql(&db.name, &postgres_replay_sql(&rows)).unwrap();
    let snap = collect_to(src.path(), &db.url_as("postgres", Some("pw-secret")));
    assert_eq!(
        snap["applied_migrations"]["status"], "collected",
        "{snap:#}"
    );
    assert!(!snap.to_string().contains("pw-secret"));
    assert_valid(&snap, "a Postgres snapshot");
    let absent = c.create_database("contract_pg_absent");
    assert_valid(
        &collect_to(src.path(), &absent.url),
        "a snapshot without a migrations table",
    );
}

#[test]
fn real_sqlite_and_unreachable_snapshots_match_the_committed_schema() {
    let (src, _dir, rows) = drifted_source();
    let db = src.path().join("app.db");
    sqlite_replay(&db, &rows);
    let snap = collect_to(src.path(), &format!("sqlite:{}", db.display()));
    assert_eq!(snap["local_migrations"]["status"], "collected");
    assert_valid(&snap, "a SQLite snapshot");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let failed = collect_to(src.path(), &format!("postgres://u@127.0.0.1:{port}/x"));
    assert_eq!(failed["applied_migrations"]["status"], "failed");
    assert_valid(&failed, "a snapshot of an unreachable server");
}

#[test]
fn the_schema_rejects_a_snapshot_of_the_wrong_shape() {
    let (src, _dir, rows) = drifted_source();
    let db = src.path().join("app.db");
    sqlite_replay(&db, &rows);
    let mut snap = collect_to(src.path(), &format!("sqlite:{}", db.display()));
    snap["applied_migrations"]["data"]["rows"][0]["checksum"] = serde_json::json!(42);
    let validator = jsonschema::validator_for(&committed_schema()).unwrap();
    assert!(
        !validator.is_valid(&snap),
        "a numeric checksum was accepted"
    );
}

// ---- `gaps check --format json`, read by types written for this test only ----

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckOutput {
    findings: Vec<ContractFinding>,
    causes: Vec<ContractCause>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ContractCause {
    id: String,
    severity: ContractSeverity,
    title: String,
    chain: Vec<String>,
    fix: Vec<ContractStep>,
    impact: serde_json::Map<String, serde_json::Value>,
    findings: Vec<usize>,
    #[serde(default)]
    blocks: Vec<String>,
    #[serde(default)]
    blocked_by: Vec<String>,
    #[serde(default)]
    conflicts: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ContractStep {
    text: String,
    command: Option<String>,
    sql: Option<String>,
}

fn check_schema() -> serde_json::Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/check-output.schema.json");
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
enum ContractSeverity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ContractFinding {
    kind: String,
    severity: ContractSeverity,
    action: String,
    message: String,
    next_step: Option<String>,
    migration: Option<i64>,
    schema: Option<String>,
    table: Option<String>,
    column: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    expected: Option<String>,
    live: Option<String>,
    details: Option<serde_json::Map<String, serde_json::Value>>,
    cause: String,
}

const MIGRATION_KINDS: [&str; 8] = [
    "migrations_table_missing",
    "migration_pending",
    "migration_failed",
    "migration_checksum_mismatch",
    "migration_missing_locally",
    "migration_ignored_file",
    "migration_not_timed",
    "migration_out_of_order",
];

#[test]
fn check_json_keeps_its_documented_shape() {
    let (src, _dir, rows) = drifted_source();
    let db = src.path().join("app.db");
    sqlite_replay(&db, &rows);
    let snap = collect_to(src.path(), &format!("sqlite:{}", db.display()));
    let path = src.path().join("s.json");
    std::fs::write(&path, snap.to_string()).unwrap();
    let out = gaps(
        src.path(),
        &["check", path.to_str().unwrap(), "--format", "json"],
    );
    assert_eq!(code(&out), 1);
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let validator = jsonschema::validator_for(&check_schema()).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "gaps check --format json does not match core/check-output.schema.json:\n{}",
        errors.join("\n")
    );
    let parsed: CheckOutput =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}\n{}", stdout(&out)));
    // Every finding is in exactly one cause, the one it names.
    let mut owner = vec![None; parsed.findings.len()];
    for c in &parsed.causes {
        for &i in &c.findings {
            assert!(
                owner[i].replace(c.id.as_str()).is_none(),
                "finding {i} twice"
            );
            assert_eq!(parsed.findings[i].cause, c.id);
        }
    }
    assert!(
        owner.iter().all(Option::is_some),
        "a finding without a cause"
    );
    let ids: Vec<&str> = parsed.causes.iter().map(|c| c.id.as_str()).collect();
    let pos = |id: &str| {
        ids.iter()
            .position(|x| *x == id)
            .unwrap_or_else(|| panic!("{id} in {ids:?}"))
    };
    // sqlx's order: restore the edited file, repair the dirty row, then run what is pending.
    assert!(
        pos("migration-4-edited") < pos("migration-1-failed"),
        "{ids:?}"
    );
    assert!(
        pos("migration-1-failed") < pos("migrations-pending"),
        "{ids:?}"
    );
    // A schema that rejects a wrong shape is a schema that checks something.
    let mut broken = value.clone();
    broken["causes"][0]["chain"] = serde_json::json!("not a list");
    assert!(!validator.is_valid(&broken));
    let migration: Vec<&ContractFinding> = parsed
        .findings
        .iter()
        .filter(|f| f.action == "ACTION-002")
        .collect();
    let mut seen: Vec<(&str, Option<i64>)> = migration
        .iter()
        .map(|f| (f.kind.as_str(), f.migration))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("migration_checksum_mismatch", Some(4)),
            ("migration_failed", Some(1)),
            ("migration_ignored_file", None),
            ("migration_not_timed", Some(2)),
            ("migration_out_of_order", Some(3)),
            ("migration_pending", Some(3)),
        ]
    );
    for f in &migration {
        assert!(
            MIGRATION_KINDS.contains(&f.kind.as_str()),
            "unknown kind {}",
            f.kind
        );
        assert!(!f.message.is_empty() && f.next_step.as_deref().is_some_and(|s| !s.is_empty()));
        assert!(f.file.is_some(), "{f:?}");
    }
    // Most severe first.
    let severities: Vec<&ContractSeverity> = parsed.findings.iter().map(|f| &f.severity).collect();
    assert!(
        severities.windows(2).all(|w| w[0] >= w[1]),
        "{severities:?}"
    );
}
