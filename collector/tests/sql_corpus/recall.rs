//! The recall of `query_invalid` against the database's own verdict. Every statically known
//! statement of drifted services (the ignition-api fixture with manual drift and a pending
//! migration, the job service with a dropped column and table) and every corpus case on its
//! schema without one object is prepared by the test itself on the drifted PostgreSQL
//! (`PREPARE`, after running the temporary tables the same function creates first, in a
//! transaction that is rolled back). A statement PREPARE refuses for a reason other than its
//! parameters' types must be reported as `query_invalid` at its call; one PREPARE accepts
//! must never be.

use std::path::Path;

use gaps_core::Snapshot;
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::querycheck::{StatementKind, classify};
use gaps_tests::fixtures::{fixture, seed_gaps_md};
use gaps_tests::pg;
use sqlx::Connection;

use crate::harness::{self, Engine};
use crate::support_sql::{collect_and_check, migrate, migrate_to, runtime};

/// One statement and what each side said.
struct Verdict {
    at: String,
    refused: bool,
    invalid: bool,
    any_error: bool,
}

/// `$N` replaced by NULL, to run a creating statement for real in the test's transaction.
fn with_nulls(sql: &str) -> String {
    let mut out = String::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|d| d.is_ascii_digit()) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
            out.push_str("NULL");
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether PREPARE refuses `sql` for a reason other than the types of its parameters, after
/// `setup` ran in the same (rolled back) transaction.
fn prepare_refuses(url: &str, setup: &[String], sql: &str) -> bool {
    runtime().block_on(async {
        let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
        sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
        for s in setup {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s.clone()))
                .execute(&mut conn)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        let r = sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PREPARE gaps_truth AS {sql}")))
            .execute(&mut conn)
            .await;
        sqlx::raw_sql("ROLLBACK").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        match r {
            Ok(_) => false,
            Err(e) => {
                let code = e
                    .as_database_error()
                    .and_then(|d| d.code())
                    .map(|c| c.into_owned())
                    .unwrap_or_default();
                !matches!(code.as_str(), "42P18" | "42P08")
            }
        }
    })
}

/// The verdicts for every describable statement of a collected service.
fn service(url: &str, snap: &Snapshot, fs: &[Finding], who: &str) -> Vec<Verdict> {
    let code = snap.code.data().expect("code");
    let mut out = Vec::new();
    for q in &code.queries {
        // A QueryBuilder's first fragment is not the statement it sends.
        let (Some(sql), None) = (q.sql.as_deref(), &q.not_checkable) else {
            continue;
        };
        if !matches!(classify(sql), StatementKind::Query | StatementKind::Modify) {
            continue;
        }
        let setup: Vec<String> = q
            .scope
            .depends_on
            .iter()
            .filter_map(|d| {
                code.queries
                    .iter()
                    .find(|c| c.file == d.file && c.line == d.line)
                    .and_then(|c| c.sql.as_deref())
                    .map(with_nulls)
            })
            .collect();
        let here = |f: &&Finding| {
            f.file.as_deref() == Some(q.file.as_str())
                && (f.details.get("call_line").and_then(|v| v.as_u64()) == Some(q.line as u64)
                    || f.line == Some(q.line))
        };
        out.push(Verdict {
            at: format!("{who} {}:{}", q.file, q.line),
            refused: prepare_refuses(url, &setup, sql),
            invalid: fs
                .iter()
                .filter(here)
                .any(|f| f.kind == FindingKind::QueryInvalid),
            any_error: fs
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .any(|f| here(&f) || f.message.contains(&format!("{}:{}", q.file, q.line))),
        });
    }
    out
}

fn drifted_ignition(dir: &Path) -> Vec<Verdict> {
    let db = pg::cluster().create_database("recall_ignition");
    let src = fixture("ignition-api");
    migrate_to(&db.url, &src.join("migrations"), Some(13));
    pg::cluster()
        .psql(
            &db.name,
            "DROP TABLE focus_pause_state;\n\
             ALTER TABLE habits DROP COLUMN archived;\n\
             ALTER TABLE quests ALTER COLUMN reward_xp TYPE bigint;\n\
             ALTER TABLE focus_sessions ALTER COLUMN duration_secs DROP NOT NULL;\n\
             DROP INDEX habits_user_id_idx;\n\
             ALTER TABLE goal_milestones DROP CONSTRAINT goal_milestones_goal_id_fkey;",
        )
        .unwrap();
    let gaps_md = seed_gaps_md();
    let (snap, fs) = collect_and_check(
        dir,
        &[
            "--database-url",
            &db.url,
            "--source",
            src.to_str().unwrap(),
            "--gaps",
            gaps_md.to_str().unwrap(),
        ],
    );
    service(&db.url, &snap, &fs, "ignition-api")
}

fn drifted_jobs(dir: &Path) -> Vec<Verdict> {
    let db = pg::cluster().create_database("recall_jobs");
    let src = fixture("jobs-service");
    migrate(&db.url, &src.join("migrations"));
    pg::cluster()
        .psql(
            &db.name,
            "ALTER TABLE jobs DROP COLUMN attempts; DROP TABLE job_events;",
        )
        .unwrap();
    let (snap, fs) = collect_and_check(
        dir,
        &["--database-url", &db.url, "--source", src.to_str().unwrap()],
    );
    service(&db.url, &snap, &fs, "jobs-service")
}

fn drifted_corpus() -> Vec<Verdict> {
    let mut out = Vec::new();
    for case in crate::all()
        .into_iter()
        .filter(|c| c.engines.contains(&Engine::Pg))
    {
        let sql = harness::spelled(case, Engine::Pg);
        let db = harness::database(Engine::Pg, Some(case.missing));
        let checks = harness::describe(&db, &sql);
        let fs = harness::findings(Engine::Pg, &db, &sql, Some(checks));
        out.push(Verdict {
            at: format!("corpus {}", case.name),
            refused: prepare_refuses(&db.url, &[], &sql),
            invalid: fs.iter().any(|f| f.kind == FindingKind::QueryInvalid),
            any_error: fs.iter().any(|f| f.severity == Severity::Error),
        });
    }
    out
}

#[test]
fn query_invalid_recall_against_prepare_on_drifted_services_is_at_least_95_percent() {
    let dir = tempfile::tempdir().unwrap();
    let ignition = dir.path().join("ignition");
    let jobs = dir.path().join("jobs");
    std::fs::create_dir_all(&ignition).unwrap();
    std::fs::create_dir_all(&jobs).unwrap();
    let mut all = drifted_ignition(&ignition);
    all.extend(drifted_jobs(&jobs));
    all.extend(drifted_corpus());

    let refused: Vec<&Verdict> = all.iter().filter(|v| v.refused).collect();
    let caught = refused.iter().filter(|v| v.invalid).count();
    let caught_any = refused.iter().filter(|v| v.any_error).count();
    let false_invalid: Vec<&str> = all
        .iter()
        .filter(|v| !v.refused && v.invalid)
        .map(|v| v.at.as_str())
        .collect();
    let missed: Vec<&str> = refused
        .iter()
        .filter(|v| !v.invalid)
        .map(|v| v.at.as_str())
        .collect();
    let recall = caught as f64 / refused.len().max(1) as f64;
    eprintln!(
        "query_invalid recall: {caught}/{} = {:.1}% ({} statements prepared; any error at the \
         statement: {caught_any}/{}); missed: {missed:?}",
        refused.len(),
        recall * 100.0,
        all.len(),
        refused.len()
    );
    assert!(
        refused.len() >= 150,
        "too few refused statements to measure: {}",
        refused.len()
    );
    assert!(recall >= 0.95, "recall {recall:.3}; missed: {missed:?}");
    let silent: Vec<&str> = refused
        .iter()
        .filter(|v| !v.any_error)
        .map(|v| v.at.as_str())
        .collect();
    assert!(
        silent.is_empty(),
        "statements refused with no error at all: {silent:?}"
    );
    assert!(
        false_invalid.is_empty(),
        "query_invalid where PREPARE accepts: {false_invalid:?}"
    );
}
