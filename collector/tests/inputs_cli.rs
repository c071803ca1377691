//! Bad input through the real binary: exit codes (2 for a usage error found before any work, 1
//! for an input named on the command line that could not be read), the output opened before
//! collecting, a good snapshot never replaced by a worse one nor a file that is not a snapshot
//! overwritten, one gaps.md loader for `collect` and `report`, and snapshots with a BOM or that
//! are not JSON objects.

mod common;

use std::path::Path;
use std::str::FromStr;

use common::*;
use gaps_core::snapshot::Snapshot;
use sqlx::{Connection, SqliteConnection};

fn sqlite_db(path: &Path) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let opts =
            sqlx::sqlite::SqliteConnectOptions::from_str(&format!("sqlite:{}", path.display()))
                .unwrap()
                .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&opts).await.unwrap();
        sqlx::raw_sql("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    });
}

#[test]
fn a_bad_out_fails_at_once_with_exit_2_before_anything_is_collected() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "FATAL:  sorry, too many clients already\n").unwrap();
    let o = gaps(
        dir.path(),
        &[
            "collect",
            "--verbose",
            "--logs",
            log.to_str().unwrap(),
            "--out",
            "/nonexistent-gaps-dir/snap.json",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("/nonexistent-gaps-dir/snap.json"), "{err}");
    assert!(
        !err.contains("classifying logs"),
        "nothing is collected before the output is known to work: {err}"
    );
    // A directory given as the file.
    let o = gaps(
        dir.path(),
        &["collect", "--out", dir.path().to_str().unwrap()],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
}

#[test]
fn an_empty_database_url_and_a_missing_source_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = gaps(
        dir.path(),
        &["collect", "--database-url", "", "--out", "s.json"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--database-url is empty"),
        "{}",
        stderr(&o)
    );
    let o = gaps(
        dir.path(),
        &[
            "collect",
            "--source",
            "/nonexistent/service",
            "--out",
            "s.json",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--source /nonexistent/service does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("s.json").exists());
}

#[test]
fn a_log_input_that_could_not_be_read_makes_the_collection_partial() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("ok.log");
    std::fs::write(&good, "FATAL:  sorry, too many clients already\n").unwrap();
    let o = gaps(
        dir.path(),
        &[
            "collect",
            "--logs",
            good.to_str().unwrap(),
            "--logs",
            "/nonexistent/gone.log",
            "--out",
            "s.json",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("could not read --logs /nonexistent/gone.log"),
        "{}",
        stderr(&o)
    );
    let snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).unwrap()).unwrap();
    assert_eq!(snap["logs"]["status"], "collected", "the good file is kept");
}

#[test]
fn a_failed_connection_never_replaces_a_good_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    sqlite_db(&db);
    let out = dir.path().join("prod.json");
    let url = format!("sqlite:{}", db.display());
    let o = gaps(
        dir.path(),
        &[
            "collect",
            "--database-url",
            &url,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let good = std::fs::read_to_string(&out).unwrap();

    let bad_url = format!("sqlite:{}", dir.path().join("missing/none.db").display());
    let o = gaps(
        dir.path(),
        &[
            "collect",
            "--quiet",
            "--database-url",
            &bad_url,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("kept the snapshot already at"), "{err}");
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        good,
        "the good one is untouched"
    );
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("prod.partial-") && n.ends_with(".json"))
        .collect();
    assert_eq!(beside.len(), 1, "{beside:?}");
    assert!(
        err.contains(&beside[0]),
        "stderr names where it went: {err}"
    );
    let partial =
        Snapshot::from_json(&std::fs::read_to_string(dir.path().join(&beside[0])).unwrap())
            .unwrap();
    assert!(partial.database.is_failed());

    // --force replaces it.
    let o = gaps(
        dir.path(),
        &[
            "collect",
            "--force",
            "--database-url",
            &bad_url,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&o), 1);
    let replaced = Snapshot::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(replaced.database.is_failed());
}

#[test]
fn a_file_at_out_that_is_not_a_snapshot_stops_the_collection_and_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.db");
    sqlite_db(&db);
    let url = format!("sqlite:{}", db.display());
    // Big enough that reading it takes a while next to the collection.
    let mine = format!("[{}\"mine\"]", "1, ".repeat(2_000_000));
    let notes = dir.path().join("notes.json");
    std::fs::write(&notes, &mine).unwrap();
    let o = gaps(
        dir.path(),
        &["collect", "--database-url", &url, "--out", "notes.json"],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("notes.json already exists and is not a gaps snapshot"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), mine);
    let files = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(files, 2, "nothing written beside it");
    // --force replaces it.
    let o = gaps(
        dir.path(),
        &[
            "collect",
            "--force",
            "--database-url",
            &url,
            "--out",
            "notes.json",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(Snapshot::from_json(&std::fs::read_to_string(&notes).unwrap()).is_ok());
}

#[test]
fn collect_and_report_refuse_the_same_binary_gaps_md() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("gaps.md");
    std::fs::write(&md, b"# gaps\n\x00\x01\x02\x7fELF").unwrap();
    let o = gaps(
        dir.path(),
        &["collect", "--gaps", md.to_str().unwrap(), "--out", "s.json"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let snap: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).unwrap()).unwrap();
    assert_eq!(snap["expected_schema"]["status"], "failed");
    let message = snap["expected_schema"]["error"]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("binary file"), "{message}");
    assert!(message.contains(md.to_str().unwrap()), "{message}");

    let o = gaps(
        dir.path(),
        &[
            "report",
            "s.json",
            "--gaps",
            md.to_str().unwrap(),
            "--out",
            "r",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("binary file"), "{}", stderr(&o));
    assert!(stderr(&o).contains(md.to_str().unwrap()), "{}", stderr(&o));
}

#[test]
fn a_too_deeply_nested_gaps_md_is_refused_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("gaps.md");
    std::fs::write(&md, format!("# gaps\n\n{} deep\n", ">".repeat(100_000))).unwrap();
    let snap = dir.path().join("s.json");
    std::fs::write(
        &snap,
        Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Default::default()).to_json(),
    )
    .unwrap();
    let o = gaps(
        dir.path(),
        &[
            "report",
            "s.json",
            "--gaps",
            md.to_str().unwrap(),
            "--out",
            "r",
        ],
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains(md.to_str().unwrap()), "{err}");
    assert!(err.contains("line 3 nests 100000"), "{err}");
}

#[test]
fn a_snapshot_with_a_bom_loads_and_a_json_array_is_not_a_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let s = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Default::default());
    std::fs::write(
        dir.path().join("bom.json"),
        format!("\u{feff}{}", s.to_json()),
    )
    .unwrap();
    let o = gaps(dir.path(), &["check", "bom.json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(dir.path().join("array.json"), "[{\"format_version\": 1}]").unwrap();
    let o = gaps(dir.path(), &["check", "array.json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("array.json: this is not a gaps snapshot: a snapshot is a JSON object, this file holds an array"),
        "{}",
        stderr(&o)
    );
}
