//! The SQL corpus: statement shapes real sqlx services send, each a named test checked on
//! real databases (PostgreSQL, SQLite, MariaDB, where its dialect applies) against a schema
//! where it is valid (no finding) and one without an object it uses (exactly that error).
//! See `sql_corpus/harness.rs` for what each case asserts.

mod common;
#[path = "sql_corpus/harness.rs"]
mod harness;
#[path = "sql_corpus/mysql.rs"]
mod mysql_cases;
#[path = "sql_corpus/portable.rs"]
mod portable;
#[path = "sql_corpus/postgres.rs"]
mod postgres;
#[path = "sql_corpus/recall.rs"]
mod recall;
#[path = "sql_corpus/sqlite.rs"]
mod sqlite_cases;
mod support_sql;

/// Every case of the corpus.
pub(crate) fn all() -> Vec<&'static harness::Case> {
    [
        portable::CASES,
        postgres::CASES,
        sqlite_cases::CASES,
        mysql_cases::CASES,
    ]
    .into_iter()
    .flatten()
    .collect()
}

#[test]
fn the_corpus_has_at_least_150_shapes_with_unique_names() {
    let cases = all();
    assert!(cases.len() >= 150, "{} cases", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort();
    let n = names.len();
    names.dedup();
    assert_eq!(names.len(), n, "two cases share a name");
    let runs: usize = cases.iter().map(|c| c.engines.len()).sum();
    eprintln!("{} shapes, {runs} engine runs", cases.len());
}

#[test]
fn placeholders_are_respelled_per_engine_outside_quotes() {
    let case = harness::Case {
        name: "x",
        engines: &[],
        missing: harness::table("t"),
        sql: "SELECT '$1', \"$2\" FROM t WHERE a = $1 AND b = $2",
        sqlite: None,
        mysql: None,
    };
    assert_eq!(
        harness::spelled(&case, harness::Engine::Lite),
        "SELECT '$1', \"$2\" FROM t WHERE a = ?1 AND b = ?2"
    );
    assert_eq!(
        harness::spelled(&case, harness::Engine::My),
        "SELECT '$1', \"$2\" FROM t WHERE a = ? AND b = ?"
    );
}
