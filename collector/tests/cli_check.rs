//! `gaps check` and `gaps collect` through the real binary: exit codes 0/1/2, `--format json`,
//! `--fail-on`, and clear errors for bad input (malformed or too-new snapshots, a bad URL
//! scheme, an unreachable database on a closed loopback port).

mod common;

use std::path::Path;

use common::*;
use gaps_core::migrations::{
    AppliedMigration, AppliedMigrations, IgnoreCause, IgnoredFile, LocalMigrations,
};
use gaps_core::section::Section;
use gaps_core::snapshot::Snapshot;
use gaps_core::testing;

fn snapshot(applied: Vec<AppliedMigration>, ignored: Vec<IgnoredFile>) -> Snapshot {
    let mut s = testing::snapshot();
    s.applied_migrations = Section::collected(AppliedMigrations {
        table_source: Some("default".into()),
        ..testing::applied_migrations(applied)
    });
    s.local_migrations = Section::collected(LocalMigrations {
        ignored,
        ..testing::local_migrations(vec![])
    });
    s
}

fn row(version: i64, success: bool) -> AppliedMigration {
    AppliedMigration {
        success,
        checksum: "ab".into(),
        execution_time: 5,
        ..testing::applied(version, "x")
    }
}

fn write(dir: &Path, name: &str, s: &Snapshot) -> String {
    let p = dir.join(name);
    std::fs::write(&p, s.to_json()).unwrap();
    p.to_str().unwrap().to_string()
}

fn readme() -> IgnoredFile {
    IgnoredFile {
        file: "README.md".into(),
        reason: "r".into(),
        cause: IgnoreCause::NoUnderscore,
        fatal: false,
    }
}

#[test]
fn exit_codes_follow_fail_on() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let clean = write(d, "clean.json", &snapshot(vec![], vec![]));
    // A failed row (error) but no local file for it: missing_locally is an error too.
    let broken = write(d, "broken.json", &snapshot(vec![row(1, false)], vec![]));
    let info_only = write(d, "info.json", &snapshot(vec![], vec![readme()]));
    let mut untimed = row(2, true);
    untimed.execution_time = -1;
    let mut warn = snapshot(vec![], vec![]);
    if let Section::Collected { data } = &mut warn.applied_migrations {
        data.rows.push(untimed);
    }
    warn.local_migrations = Section::skipped("no --source");
    let warning = write(d, "warn.json", &warn);

    let exit = |args: &[&str]| code(&gaps(d, args));
    assert_eq!(exit(&["check", &clean]), 0);
    assert_eq!(exit(&["check", &broken]), 1);
    assert_eq!(exit(&["check", &broken, "--fail-on", "never"]), 0);
    assert_eq!(
        exit(&["check", &warning]),
        0,
        "a warning does not fail at --fail-on error"
    );
    assert_eq!(exit(&["check", &warning, "--fail-on", "warning"]), 1);
    assert_eq!(
        exit(&["check", &info_only, "--fail-on", "warning"]),
        0,
        "info never fails"
    );
    assert_eq!(
        exit(&["check", &clean, "--fail-on", "sometimes"]),
        2,
        "usage error"
    );
}

#[test]
fn json_output_is_an_object_with_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = write(tmp.path(), "b.json", &snapshot(vec![row(1, false)], vec![]));
    let out = gaps(tmp.path(), &["check", &broken, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let findings = v["findings"].as_array().unwrap();
    let kinds: Vec<&str> = findings
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["migration_failed", "migration_missing_locally"]);
    assert!(
        findings.iter().all(|f| f["migration"] == 1
            && f["action"] == "ACTION-002"
            && f["severity"] == "error")
    );
    // Each finding names its cause, and the causes list their findings by index. The file
    // comes back before the dirty row is repaired (the repair needs to know what it does).
    let causes = v["causes"].as_array().unwrap();
    let ids: Vec<&str> = causes.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["migration-1-missing-locally", "migration-1-failed"]);
    assert_eq!(findings[0]["cause"], "migration-1-failed");
    assert_eq!(causes[1]["findings"], serde_json::json!([0]));
    assert_eq!(
        causes[1]["fix"][1]["sql"],
        "DELETE FROM public._sqlx_migrations WHERE version = 1;"
    );

    let clean = write(tmp.path(), "c.json", &snapshot(vec![], vec![]));
    let out = gaps(tmp.path(), &["check", &clean, "--format", "json"]);
    assert_eq!(
        stdout(&out),
        "{\n  \"findings\": [],\n  \"causes\": []\n}\n"
    );
}

#[test]
fn text_output_opens_with_the_causes_and_lists_findings_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let broken = write(tmp.path(), "b.json", &snapshot(vec![row(1, false)], vec![]));
    let text = stdout(&gaps(tmp.path(), &["check", &broken, "--fail-on", "never"]));
    let body: Vec<&str> = text.lines().skip(3).collect();
    assert_eq!(
        body[0], "2 causes explain 2 errors. Fix in this order:",
        "{text}"
    );
    assert_eq!(
        body[1],
        "   1. Migration 0001 (x) is applied but has no local file"
    );
    assert_eq!(body[2], "   2. Migration 0001 (x) failed part-way");
    // Piped: no colour, and the findings only on request.
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(!text.contains("migration_failed:"), "{text}");
    for flag in ["--findings", "--verbose"] {
        let text = stdout(&gaps(
            tmp.path(),
            &["check", &broken, flag, "--fail-on", "never"],
        ));
        assert!(text.contains("migration_failed:"), "{flag}: {text}");
    }
}

#[test]
fn text_output_says_no_findings_and_what_was_not_collected() {
    let tmp = tempfile::tempdir().unwrap();
    let clean = write(tmp.path(), "c.json", &snapshot(vec![], vec![]));
    let text = stdout(&gaps(tmp.path(), &["check", &clean]));
    assert!(text.contains("No findings."), "{text}");
    assert!(text.contains("not collected: database, schema"), "{text}");
}

#[test]
fn malformed_snapshot_names_file_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("bad.json");
    std::fs::write(&p, "{\n  \"format_version\": 1,\n  oops\n}\n").unwrap();
    let out = gaps(tmp.path(), &["check", p.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("bad.json") && err.contains("line 3, column 3"),
        "{err}"
    );
}

#[test]
fn too_new_snapshot_names_both_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("new.json");
    std::fs::write(&p, "{\"format_version\": 7, \"whatever\": true}").unwrap();
    let out = gaps(tmp.path(), &["check", p.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("new.json")
            && err.contains("format_version 7")
            && err.contains(&format!("up to {}", gaps_core::FORMAT_VERSION)),
        "{err}"
    );
}

#[test]
fn missing_and_non_utf8_snapshots_are_input_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = gaps(tmp.path(), &["check", "nope.json"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("nope.json"));
    let p = tmp.path().join("bin.json");
    std::fs::write(&p, b"{\"format_version\": 1, \"x\": \"\xff\"}").unwrap();
    let out = gaps(tmp.path(), &["check", p.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not UTF-8"), "{}", stderr(&out));
}

#[test]
fn bad_url_scheme_is_a_usage_error_without_the_password() {
    let tmp = tempfile::tempdir().unwrap();
    let out = gaps(
        tmp.path(),
        &[
            "collect",
            "--database-url",
            "oracle://scott:tiger-secret@127.0.0.1/db",
            "--out",
            "-",
        ],
    );
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("unsupported database URL") && err.contains("postgres://"),
        "{err}"
    );
    assert!(
        !err.contains("tiger-secret") && !stdout(&out).contains("tiger-secret"),
        "{err}"
    );
    assert!(!tmp.path().join("gaps-snapshot.json").exists());
}

#[test]
fn unreachable_database_is_recorded_and_exits_partial() {
    // A port that was free a moment ago on loopback: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (src, _dir) = source_with(&base_files());
    let url = format!("postgres://app:hunter2-secret@127.0.0.1:{port}/app");
    let out = gaps(
        src.path(),
        &[
            "collect",
            "--database-url",
            &url,
            "--source",
            src.path().to_str().unwrap(),
            "--connect-timeout",
            "3",
            "--out",
            "-",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(!text.contains("hunter2-secret") && !stderr(&out).contains("hunter2-secret"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["applied_migrations"]["status"], "failed");
    let msg = v["applied_migrations"]["error"]["message"]
        .as_str()
        .unwrap();
    assert!(msg.contains(&port.to_string()), "{msg}");
    // The local files were still read.
    assert_eq!(v["local_migrations"]["status"], "collected");
    // And check reports the missing evidence as a warning, not as a clean bill of health.
    let snap = src.path().join("s.json");
    std::fs::write(&snap, &text).unwrap();
    let check = gaps(
        src.path(),
        &["check", snap.to_str().unwrap(), "--format", "json"],
    );
    assert!(
        kinds_and_versions(&stdout(&check))
            .iter()
            .any(|(k, _)| k == "evidence_unavailable")
    );
}
