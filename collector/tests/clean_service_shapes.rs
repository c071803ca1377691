//! The clean-service false alarms, as regression tests through the real `gaps collect` and
//! `gaps check` on a real PostgreSQL built by sqlx from the service's own migrations: a
//! data-modifying CTE, a plain CTE used by two statements, `make_interval` with named
//! arguments, and a temporary table followed by five deletes that use it. Every statement is
//! accepted by the database (or depends on the temporary table), so there must be no error.

mod common;
mod support_sql;

use gaps_core::querycheck::{Outcome, StatementKind};
use gaps_tests::fixtures::fixture;
use gaps_tests::pg;
use support_sql::{collect_and_check, errors, migrate, show};

#[test]
fn the_clean_job_service_has_no_error_finding() {
    let db = pg::cluster().create_database("jobs_clean");
    let src = fixture("jobs-service");
    migrate(&db.url, &src.join("migrations"));
    let dir = tempfile::tempdir().unwrap();
    let (snap, fs) = collect_and_check(
        dir.path(),
        &["--database-url", &db.url, "--source", src.to_str().unwrap()],
    );
    let errs = errors(&fs);
    assert!(errs.is_empty(), "false errors:\n{}", show(&errs));
    let serious: Vec<_> = fs
        .iter()
        .filter(|f| f.severity >= gaps_core::finding::Severity::Warning)
        .cloned()
        .collect();
    assert!(serious.is_empty(), "{}", show(&serious));

    let checks = snap.query_checks.data().expect("query checks");
    let at = |line: u32| {
        checks
            .statements
            .iter()
            .find(|s| s.file == "src/db/jobs.rs" && s.line == line)
            .unwrap_or_else(|| panic!("no statement at src/db/jobs.rs:{line}: {checks:#?}"))
    };
    // The data-modifying CTE, the plain CTE twice and the two make_interval updates: the
    // database accepts every one.
    for line in [36, 56, 80, 98, 109] {
        assert_eq!(
            at(line).outcome,
            Outcome::Ok,
            "line {line}: {:#?}",
            at(line)
        );
    }
    // The temporary table: its DDL is not checkable (never sent), the five deletes depend on
    // it and say where it is created.
    let create = at(122);
    assert_eq!(create.kind, StatementKind::Utility);
    match &create.outcome {
        Outcome::NotCheckable { reason } => {
            assert!(reason.contains("read-only transaction"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    for line in [133, 136, 139, 142, 145] {
        match &at(line).outcome {
            Outcome::NotCheckable { reason } => assert_eq!(
                reason, "depends on temporary table doomed created at src/db/jobs.rs:122",
                "line {line}"
            ),
            other => panic!("line {line}: {other:?}"),
        }
        assert_eq!(at(line).kind, StatementKind::Modify);
    }
    // The statement after `SET LOCAL search_path` reads the tenant's table.
    let tenant = checks
        .statements
        .iter()
        .find(|s| s.file == "src/db/tenants.rs" && s.line == 9)
        .expect("tenant statement");
    match &tenant.outcome {
        Outcome::NotCheckable { reason } => {
            assert!(
                reason.contains("search_path set at src/db/tenants.rs:6"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(checks.counts.rejected, 0);
}

/// The same service with a column and a table the code uses gone: the errors are still
/// reported, by the database for the statements it checks and by static analysis for the one
/// it cannot (a delete that depends on the temporary table).
#[test]
fn the_drifted_job_service_still_reports_what_is_missing() {
    let db = pg::cluster().create_database("jobs_drift");
    let src = fixture("jobs-service");
    migrate(&db.url, &src.join("migrations"));
    pg::cluster()
        .psql(
            &db.name,
            "ALTER TABLE jobs DROP COLUMN attempts; DROP TABLE job_events;",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (_snap, fs) = collect_and_check(
        dir.path(),
        &["--database-url", &db.url, "--source", src.to_str().unwrap()],
    );
    let errs = errors(&fs);
    let mut got: Vec<(String, String, String, u32)> = errs
        .iter()
        .map(|f| {
            (
                f.kind.as_str(),
                f.table.clone().unwrap_or_default(),
                f.column.clone().unwrap_or_default(),
                f.line.unwrap_or(0),
            )
        })
        .collect();
    got.sort();
    // attempts: the claim UPDATE and the peek SELECT are rejected by the database;
    // job_events: the delete depends on the temporary table, so static analysis reports it.
    let want_kinds: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
    assert!(want_kinds.contains(&"table_missing"), "{}", show(&errs));
    assert!(
        errs.iter()
            .any(|f| f.kind.as_str() == "table_missing" && f.table.as_deref() == Some("job_events")),
        "{}",
        show(&errs)
    );
    let invalid_lines: Vec<u32> = errs
        .iter()
        .filter(|f| f.kind.as_str() == "query_invalid")
        .map(|f| f.details["call_line"].as_u64().unwrap() as u32)
        .collect();
    assert_eq!(invalid_lines, [56, 80], "{}", show(&errs));
    for f in &errs {
        let names_it =
            f.column.as_deref() == Some("attempts") || f.table.as_deref() == Some("job_events");
        assert!(
            names_it,
            "an error about something else: {}",
            show(std::slice::from_ref(f))
        );
    }
}
