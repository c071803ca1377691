//! Tests of the syn walker: models, types, manual impls and SQL call sites in every form.

use super::*;

fn scan_text(files: &[(&str, &str)]) -> CodeEvidence {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        if name.ends_with(".rs") {
            paths.push(p);
        }
    }
    scan(dir.path(), &paths, Backend::Postgres)
}

#[test]
fn from_row_in_every_spelling_with_field_attributes() {
    let ev = scan_text(&[(
        "src/user_models.rs",
        r#"
use sqlx::FromRow;
#[derive(Debug, FromRow)]
pub struct A { id: i64 }
#[derive(sqlx::FromRow)]
#[sqlx(rename_all = "camelCase")]
pub struct B {
created_at: String,
#[sqlx(rename = "mail")] email: String,
#[sqlx(skip)] cache: Vec<u8>,
#[sqlx(default)] score: Option<i32>,
#[sqlx(flatten)] inner: A,
#[sqlx(json)] prefs: Prefs,
#[sqlx(try_from = "i64")] count: u64,
}
#[cfg_attr(feature = "db", derive(sqlx::FromRow), sqlx(rename_all = "UPPERCASE"))]
pub struct C { name: String }
/// Not a model: derives Debug only, and mentions FromRow in a doc comment.
#[derive(Debug)]
pub struct D { x: i32 }
"#,
    )]);
    let names: Vec<&str> = ev.models.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["A", "B", "C"]);
    let b = ev.model("B").unwrap();
    let f = |n: &str| b.fields.iter().find(|f| f.name == n).unwrap();
    assert_eq!(f("created_at").column, "createdAt");
    assert_eq!(f("email").column, "mail");
    assert!(f("cache").skip);
    assert!(f("score").default);
    assert!(f("inner").flatten);
    assert!(f("prefs").json);
    assert_eq!(f("count").try_from.as_deref(), Some("i64"));
    assert_eq!(f("score").rust_type, "Option<i32>");
    assert_eq!(f("email").line, 9);
    assert_eq!(ev.model("C").unwrap().fields[0].column, "NAME");
}

#[test]
fn a_field_line_is_its_name_not_the_doc_comment_or_attribute_above() {
    let ev = scan_text(&[(
        "src/m.rs",
        "#[derive(sqlx::FromRow)]\npub struct U {\n    /// Renamed by 0014.\n    /// Second doc line.\n    \
         pub name: Option<String>,\n    #[sqlx(rename = \"email_address\")]\n    pub email: String,\n}\n",
    )]);
    let u = ev.model("U").unwrap();
    let lines: Vec<(&str, u32)> = u.fields.iter().map(|f| (f.name.as_str(), f.line)).collect();
    assert_eq!(lines, [("name", 5), ("email", 7)]);
}

#[test]
fn sql_types_and_manual_impls_are_listed() {
    let ev = scan_text(&[(
        "src/types.rs",
        r#"
#[derive(sqlx::Type)]
#[sqlx(type_name = "quest_status", rename_all = "snake_case")]
enum QuestStatus { InProgress, #[sqlx(rename = "finished")] Done }
#[derive(sqlx::Type)]
#[repr(i32)]
enum Level { Low = 1 }
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct UserId(uuid::Uuid);
impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for Legacy {
fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
    Ok(Legacy { id: row.try_get("legacy_id")?, n: row.get::<i32, _>("n") })
}
}
"#,
    )]);
    let q = ev.sql_type("QuestStatus").unwrap();
    assert_eq!(q.labels, ["in_progress", "finished"]);
    assert_eq!(q.type_name.as_deref(), Some("quest_status"));
    assert_eq!(ev.sql_type("Level").unwrap().repr.as_deref(), Some("i32"));
    assert_eq!(
        ev.sql_type("UserId").unwrap().transparent.as_deref(),
        Some("uuid::Uuid")
    );
    assert_eq!(ev.manual_impls[0].name, "Legacy");
    assert_eq!(ev.manual_impls[0].columns, ["legacy_id", "n"]);
    let lines: Vec<(&str, u32)> = ev.manual_impls[0]
        .reads
        .iter()
        .map(|r| (r.column.as_str(), r.line))
        .collect();
    assert_eq!(lines, [("legacy_id", 13), ("n", 13)]);
}

#[test]
fn sql_is_found_in_every_form_with_targets_and_reasons() {
    let ev = scan_text(&[
        ("sql/by_id.sql", "SELECT * FROM goals WHERE id = $1"),
        ("Cargo.toml", "[package]\nname = \"x\"\n"),
        (
            "src/repos.rs",
            r##"
const LIST: &str = "SELECT * FROM habits";
// sqlx::query("SELECT * FROM commented_out")
async fn f(pool: &PgPool, table: &str) -> Result<Vec<User>, sqlx::Error> {
let a = sqlx::query("DELETE FROM sessions WHERE id = $1");
let b = sqlx::query_as::<_, Habit>(LIST);
let c = sqlx::query_as::<_, Goal>(include_str!("../sql/by_id.sql"));
let d = sqlx::query_scalar::<_, i64>(concat!("SELECT count(*) ", "FROM users"));
let e = sqlx::query(&format!("SELECT * FROM {table}"));
let g = sqlx::query!("SELECT id FROM users WHERE email = $1", email);
let h = sqlx::query_as!(User, r#"SELECT id, email FROM users"#);
let i = sqlx::query_file_as!(Goal, "sql/by_id.sql");
let mut qb = sqlx::QueryBuilder::<Postgres>::new("SELECT * FROM quests WHERE ");
let sql = "SELECT * FROM books";
let j = sqlx::query_as::<_, Book>(sql);
let k: Vec<Idea> = sqlx::query_as("SELECT * FROM ideas").fetch_all(pool).await?;
sqlx::query_as("SELECT * FROM users").fetch_all(pool).await
}
fn m() { let m = sqlx::migrate!("./db/migrations"); }
"##,
        ),
    ]);
    type Row<'a> = (
        u32,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let q: Vec<Row> = ev
        .queries
        .iter()
        .map(|q| {
            (
                q.line,
                q.api.as_str(),
                q.sql_origin.as_deref(),
                q.target.as_deref(),
                q.not_checkable.as_deref(),
            )
        })
        .collect();
    assert!(!ev.queries.iter().any(|q| {
        q.sql
            .as_deref()
            .is_some_and(|s| s.contains("commented_out"))
    }));
    assert_eq!(q[0], (5, "sqlx::query", Some("literal"), None, None));
    assert_eq!(
        q[1],
        (6, "sqlx::query_as", Some("const LIST"), Some("Habit"), None)
    );
    assert_eq!(q[2].2, Some("include_str ../sql/by_id.sql"));
    assert_eq!(q[3].2, Some("concat"));
    assert_eq!(q[3].3, Some("i64"));
    assert_eq!(q[4].4, Some("built at runtime with format!"));
    assert!(ev.queries[5].macro_checked);
    assert_eq!(q[6].3, Some("User"));
    assert_eq!(q[7].2, Some("query_file sql/by_id.sql"));
    assert_eq!(q[8].1, "QueryBuilder::new");
    assert!(q[8].4.unwrap().contains("QueryBuilder"));
    assert_eq!(
        q[9].2,
        Some("literal"),
        "a local literal binding is followed"
    );
    assert_eq!(
        (q[10].3, ev.queries[10].target_origin.as_deref()),
        (Some("Idea"), Some("let"))
    );
    assert_eq!(
        (q[11].3, ev.queries[11].target_origin.as_deref()),
        (Some("User"), Some("return"))
    );
    assert_eq!(ev.queries.len(), 12);
    assert_eq!(ev.migrate_macros[0].directory, "./db/migrations");
    assert_eq!(ev.migrate_macros[0].line, 19);
    let habits = ev.queries[1].access.as_ref().unwrap();
    assert_eq!(habits.statements[0].single_source_table(), Some("habits"));
}

#[test]
fn the_line_where_the_sql_text_starts_is_recorded_when_it_is_in_this_file() {
    let ev = scan_text(&[
        ("sql/q.sql", "SELECT 1"),
        (
            "src/consts.rs",
            "pub const ELSEWHERE: &str = \"SELECT 2\";\n",
        ),
        (
            "src/repos.rs",
            r##"
const HERE: &str =
"SELECT 3";
async fn f(pool: &PgPool) {
let a = sqlx::query_as::<_, (i64,)>(
    "SELECT id
       FROM t",
);
let b = sqlx::query(HERE);
let c = sqlx::query(ELSEWHERE);
let d = sqlx::query(include_str!("../sql/q.sql"));
let e = sqlx::query!(
    r#"SELECT 4"#
);
}
"##,
        ),
    ]);
    let lines: Vec<(u32, Option<u32>)> = ev.queries.iter().map(|q| (q.line, q.sql_line)).collect();
    assert_eq!(
        lines,
        [
            (5, Some(6)),
            (9, Some(3)),
            (10, None),
            (11, None),
            (12, Some(13))
        ]
    );
}

#[test]
fn bad_files_are_problems_not_panics() {
    let ev = scan_text(&[
        ("src/broken.rs", "fn x( {"),
        ("src/ok.rs", "#[derive(sqlx::FromRow)] struct A { id: i32 }"),
    ]);
    assert_eq!(ev.files_scanned, 1);
    assert_eq!(ev.problems.len(), 1);
    assert_eq!(ev.problems[0].file, "src/broken.rs");
    assert!(ev.problems[0].line.is_some());
    assert_eq!(ev.models.len(), 1);
}

#[test]
fn invalid_utf8_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.rs");
    std::fs::write(&p, b"fn a() {}\xff").unwrap();
    let ev = scan(dir.path(), &[p], Backend::Postgres);
    assert!(
        ev.problems[0].message.contains("UTF-8"),
        "{:?}",
        ev.problems
    );
}

#[test]
fn statements_after_a_temporary_table_in_the_same_function_depend_on_it() {
    let ev = scan_text(&[(
        "src/db/jobs.rs",
        r##"
impl Jobs {
    pub async fn purge(&self, tx: &mut PgConnection, days: i32) -> sqlx::Result<()> {
        sqlx::query(
            "create temporary table doomed on commit drop as (select id from jobs where finished_at < now() - make_interval(days => $1))",
        )
        .bind(days)
        .execute(&mut *tx)
        .await?;
        sqlx::query("delete from job_logs where job_id in (select id from doomed)")
            .execute(&mut *tx)
            .await?;
        Ok(())
    }

    pub async fn count(&self) -> sqlx::Result<i64> {
        sqlx::query_scalar("select count(*) from doomed").fetch_one(&self.pool).await
    }
}
pub async fn open(path: &str) -> sqlx::Result<SqlitePool> {
    let opts = SqliteConnectOptions::new().filename(path);
    SqlitePool::connect_with(opts).await
}
"##,
    )]);
    let reasons: Vec<Option<String>> = ev
        .queries
        .iter()
        .map(|q| q.not_described_reason())
        .collect();
    assert_eq!(reasons[0], None);
    assert_eq!(
        reasons[1].as_deref(),
        Some("depends on temporary table doomed created at src/db/jobs.rs:4")
    );
    // Another function: not linked by the scan (the crate-wide pass may).
    assert_eq!(reasons[2], None);
    assert_eq!(ev.connections.len(), 1, "{:?}", ev.connections);
    assert_eq!(ev.connections[0].api, ".filename");
    assert!(!ev.connections[0].service_url);
}

#[test]
fn settings_applied_to_every_connection_are_found_and_one_off_sets_are_not() {
    let ev = scan_text(&[(
        "src/db.rs",
        r#"
use sqlx::{Executor, postgres::{PgConnectOptions, PgPoolOptions}};
pub async fn pool(url: &str) -> sqlx::PgPool {
    let opts = PgConnectOptions::from_str(url).unwrap()
        .options([("statement_timeout", "5s"), ("application_name", "svc")]);
    PgPoolOptions::new()
        .after_connect(|conn, _meta| Box::pin(async move {
            conn.execute("SET search_path = app, public").await?;
            sqlx::query("SET lock_timeout = '3s'").execute(&mut *conn).await?;
            Ok(())
        }))
        .connect_with(opts).await.unwrap()
}
pub async fn report(pool: &sqlx::PgPool) {
    sqlx::query("SET idle_in_transaction_session_timeout = 1000").execute(pool).await.unwrap();
}
"#,
    )]);
    let got: Vec<(&str, &str, &str, u32)> = ev
        .session_settings
        .iter()
        .map(|s| (s.name.as_str(), s.value.as_str(), s.via.as_str(), s.line))
        .collect();
    assert_eq!(
        got,
        [
            ("lock_timeout", "3s", "after_connect", 9),
            ("search_path", "app, public", "after_connect", 8),
            ("statement_timeout", "5s", "connect_options", 5),
        ]
    );
}
