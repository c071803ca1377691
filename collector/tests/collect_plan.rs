//! A collection built from a [`Request`] in code (what the demo, benchmarks and tests do)
//! gives the same snapshot as `gaps collect` with the same flags: the command layer only turns
//! flags into the request, and everything after that is shared.

mod common;

use std::path::Path;

use common::*;
use gaps_collector::collect::{Request, collect};
use gaps_collector::progress::Progress;
use gaps_core::snapshot::Snapshot;

/// The snapshot as JSON without what differs between two runs (the clock).
fn comparable(mut s: Snapshot) -> serde_json::Value {
    s.collected_at = String::new();
    if let Some(session) = s.session.as_mut() {
        session.deadline_ms = None;
    }
    serde_json::from_str(&s.to_json()).unwrap()
}

#[test]
fn a_request_built_in_code_collects_what_the_command_line_does() {
    let dir = tempfile::tempdir().unwrap();
    // The demo's service, database, log and registry (its own health server is gone by now).
    let demo = gaps_collector::demo::run_demo(dir.path()).expect("demo");
    let root = demo.snapshot.parent().unwrap().to_path_buf();
    let db = format!("sqlite://{}", root.join("demo.db").display());
    let source = root.join("service");
    let log = root.join("logs/fly.log");
    let gaps_md = root.join("gaps.md");
    let cli_out = root.join("cli.json");

    let plan = Request {
        database_url: Some(db.clone()),
        source: Some(source.clone()),
        logs: vec![log.clone()],
        gaps: Some(gaps_md.clone()),
        label: Some("plan".into()),
        ..Request::default()
    }
    .plan_in(&root)
    .expect("a valid request");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let from_code = runtime.block_on(collect(&plan, &Progress::silent()));
    assert!(from_code.code.data().is_some() && from_code.schema.data().is_some());

    let arg = |p: &Path| p.display().to_string();
    let o = gaps(
        &root,
        &[
            "collect",
            "--quiet",
            "--database-url",
            &db,
            "--source",
            &arg(&source),
            "--logs",
            &arg(&log),
            "--gaps",
            &arg(&gaps_md),
            "--label",
            "plan",
            "--out",
            &arg(&cli_out),
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let from_cli = Snapshot::from_json(&std::fs::read_to_string(&cli_out).unwrap()).unwrap();
    assert_eq!(comparable(from_code), comparable(from_cli));
}

#[test]
fn a_usage_error_in_a_request_is_the_command_lines_message() {
    let dir = tempfile::tempdir().unwrap();
    let err = Request {
        database_url: Some("oracle://scott:tiger@db/orcl".into()),
        ..Request::default()
    }
    .plan_in(dir.path())
    .unwrap_err()
    .to_string();
    let o = gaps(
        dir.path(),
        &["collect", "--database-url", "oracle://scott:tiger@db/orcl"],
    );
    assert_eq!(code(&o), 2);
    assert_eq!(stderr(&o).trim(), format!("gaps: error: {err}"));
}
