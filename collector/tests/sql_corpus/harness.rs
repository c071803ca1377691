//! The SQL corpus harness. A case is one statement as a real sqlx service sends it, the
//! engines its dialect applies to, and one object it uses. On each engine the statement is
//! checked twice on real databases, exactly as `gaps collect` + `gaps check` would (live
//! schema inspection, the database's describe, static analysis, the finding rules):
//!
//! - against the corpus schema (`tests/fixtures/sql-corpus/<engine>.sql`), where it is valid:
//!   no finding about it at all, with and without the database's verdict (so that the static
//!   analysis alone is shown not to misread it);
//! - against the same schema without that one object: at least one error, and every error
//!   names exactly that object.
//!
//! The statement is written in Postgres spelling; SQLite's `$N` become `?N` and MySQL's `?`
//! (in order) unless the case spells the statement for that engine itself.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};
use gaps_core::backend::Backend;
use gaps_core::code::model::{CodeEvidence, QuerySite};
use gaps_core::code::sql::analyse;
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::querycheck::{Outcome, QueryChecks};
use gaps_core::schema::Schema;
use gaps_core::section::Section;
use gaps_core::snapshot::{Snapshot, Target};
use gaps_tests::fixtures::fixture;
use gaps_tests::{mysql, pg};

/// The engines a case runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Engine {
    /// PostgreSQL (the throwaway cluster).
    Pg,
    /// SQLite (files).
    Lite,
    /// MariaDB (the throwaway server).
    My,
}

impl Engine {
    fn backend(self) -> Backend {
        match self {
            Engine::Pg => Backend::Postgres,
            Engine::Lite => Backend::Sqlite,
            Engine::My => Backend::Mysql,
        }
    }
}

/// The one object the broken schema lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Missing {
    /// A table (`schema.table` allowed).
    Table(&'static str),
    /// A view.
    View(&'static str),
    /// A column of a table.
    Column(&'static str, &'static str),
}

/// The table `name` is missing.
pub const fn table(name: &'static str) -> Missing {
    Missing::Table(name)
}

/// The view `name` is missing.
pub const fn view(name: &'static str) -> Missing {
    Missing::View(name)
}

/// Column `column` of `table` is missing.
pub const fn column(table: &'static str, column: &'static str) -> Missing {
    Missing::Column(table, column)
}

/// One statement shape.
#[derive(Debug)]
pub struct Case {
    /// The test's name.
    pub name: &'static str,
    /// Where the dialect applies.
    pub engines: &'static [Engine],
    /// What the broken schema lacks.
    pub missing: Missing,
    /// The statement, Postgres spelling.
    pub sql: &'static str,
    /// SQLite's spelling, when more than the placeholders differ.
    pub sqlite: Option<&'static str>,
    /// MySQL's spelling, when more than the placeholders differ.
    pub mysql: Option<&'static str>,
}

/// Defines cases and one `#[test]` per case.
#[macro_export]
macro_rules! corpus {
    (@opt) => { None };
    (@opt $e:expr) => { Some($e) };
    ($( $(#[$doc:meta])* $name:ident {
        engines: [$($engine:ident),+],
        missing: $missing:expr,
        sql: $sql:expr
        $(, sqlite: $sqlite:expr)?
        $(, mysql: $mysql:expr)?
        $(,)?
    } )*) => {
        /// Every case of this file.
        pub const CASES: &[$crate::harness::Case] = &[$(
            $crate::harness::Case {
                name: stringify!($name),
                engines: &[$($crate::harness::Engine::$engine),+],
                missing: $missing,
                sql: $sql,
                sqlite: $crate::corpus!(@opt $($sqlite)?),
                mysql: $crate::corpus!(@opt $($mysql)?),
            },
        )*];
        $(
            $(#[$doc])*
            #[test]
            fn $name() {
                $crate::harness::run(CASES, stringify!($name));
            }
        )*
    };
}

/// The statement as `engine` spells it.
pub fn spelled(case: &Case, engine: Engine) -> String {
    match engine {
        Engine::Pg => case.sql.to_string(),
        Engine::Lite => case
            .sqlite
            .map(str::to_string)
            .unwrap_or_else(|| placeholders(case.sql, |n| format!("?{n}"))),
        Engine::My => case.mysql.map(str::to_string).unwrap_or_else(|| {
            let mut next = 1;
            placeholders(case.sql, |n| {
                assert_eq!(
                    n, next,
                    "{}: MySQL binds `?` by position; spell the statement for MySQL",
                    case.name
                );
                next += 1;
                "?".to_string()
            })
        }),
    }
}

/// Rewrites every `$N` outside quotes.
fn placeholders(sql: &str, mut f: impl FnMut(u32) -> String) -> String {
    let mut out = String::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '$' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) => {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                let n: u32 = chars[i + 1..j].iter().collect::<String>().parse().unwrap();
                out.push_str(&f(n));
                i = j;
                continue;
            }
            None => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// A database of one engine with the corpus schema (minus one object), and its inspected
/// live schema.
pub struct Db {
    /// Its URL.
    pub url: String,
    schema: Schema,
}

type Key = (Engine, Option<Missing>);

fn databases() -> &'static Mutex<HashMap<Key, Arc<Db>>> {
    static DBS: OnceLock<Mutex<HashMap<Key, Arc<Db>>>> = OnceLock::new();
    DBS.get_or_init(|| Mutex::new(HashMap::new()))
}

fn sqlite_dir() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("tempdir"))
        .path()
}

fn quoted(engine: Engine, name: &str) -> String {
    let q = if engine == Engine::My { '`' } else { '"' };
    name.split('.')
        .map(|p| format!("{q}{p}{q}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// The DDL that removes `missing` (a view on a removed table or column first where the
/// engine would refuse otherwise).
fn removal(engine: Engine, missing: Missing) -> String {
    let cascade = if engine == Engine::Pg { " CASCADE" } else { "" };
    let touches_users = matches!(
        missing,
        Missing::Table("users") | Missing::Column("users", _)
    );
    let mut sql = String::new();
    if engine != Engine::Pg && touches_users {
        sql.push_str("DROP VIEW active_users;\n");
    }
    sql.push_str(&match missing {
        Missing::Table(t) => format!("DROP TABLE {}{cascade};", quoted(engine, t)),
        Missing::View(v) => format!("DROP VIEW {}{cascade};", quoted(engine, v)),
        Missing::Column(t, c) => format!(
            "ALTER TABLE {} DROP COLUMN {}{cascade};",
            quoted(engine, t),
            quoted(engine, c)
        ),
    });
    sql
}

/// SQLite cannot drop a key or referencing column: the (empty) table is rebuilt without it.
async fn sqlite_without_column(conn: &mut sqlx::SqliteConnection, t: &str, c: &str) -> String {
    use sqlx::Row;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info(\"{t}\")")))
        .fetch_all(&mut *conn)
        .await
        .expect("table_info");
    let keep: Vec<String> = rows
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .filter(|n| n != c)
        .map(|n| format!("\"{n}\""))
        .collect();
    let mut sql = String::new();
    if t == "users" {
        sql.push_str("DROP VIEW active_users;\n");
    }
    sql.push_str(&format!(
        "CREATE TABLE \"gaps_rebuilt\" AS SELECT {} FROM \"{t}\";\nDROP TABLE \"{t}\";\n\
         ALTER TABLE \"gaps_rebuilt\" RENAME TO \"{t}\";",
        keep.join(", ")
    ));
    sql
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn opts() -> SessionOptions {
    SessionOptions {
        connect_timeout: Duration::from_secs(20),
        statement_timeout: Duration::from_secs(30),
        ..SessionOptions::default()
    }
}

fn create(engine: Engine, missing: Option<Missing>) -> Db {
    let schema_file = fixture(match engine {
        Engine::Pg => "sql-corpus/postgres.sql",
        Engine::Lite => "sql-corpus/sqlite.sql",
        Engine::My => "sql-corpus/mysql.sql",
    });
    let hint = match missing {
        None => "corpus_valid".to_string(),
        Some(m) => format!("corpus_{m:?}"),
    };
    let url = match engine {
        Engine::Pg => {
            let c = pg::cluster();
            let db = c.create_database(&hint);
            c.psql_file(&db.name, &schema_file).expect("corpus schema");
            if let Some(m) = missing {
                c.psql(&db.name, &removal(engine, m))
                    .unwrap_or_else(|e| panic!("removing {m:?}: {e}"));
            }
            db.url
        }
        Engine::My => {
            let s = mysql::server();
            let db = s.create_database(&hint);
            s.sql_file(&db.name, &schema_file).expect("corpus schema");
            if let Some(m) = missing {
                let first = s.sql(&db.name, &removal(engine, m));
                if let (Err(e), Missing::Column(t, c)) = (&first, m) {
                    // A column of a composite primary key goes with the key.
                    assert!(e.contains("1072"), "removing {m:?}: {e}");
                    s.sql(
                        &db.name,
                        &format!("ALTER TABLE `{t}` DROP PRIMARY KEY, DROP COLUMN `{c}`"),
                    )
                    .unwrap_or_else(|e| panic!("removing {m:?}: {e}"));
                } else {
                    first.unwrap_or_else(|e| panic!("removing {m:?}: {e}"));
                }
            }
            db.url
        }
        Engine::Lite => {
            let path = sqlite_dir().join(format!("{}.db", gaps_tests::unique_database_name(&hint)));
            let sql = std::fs::read_to_string(&schema_file).expect("corpus schema");
            runtime().block_on(async {
                use sqlx::Connection;
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await.expect("open");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .expect("corpus schema");
                if let Some(m) = missing {
                    let removal = match m {
                        Missing::Column(t, c) => sqlite_without_column(&mut conn, t, c).await,
                        other => removal(engine, other),
                    };
                    sqlx::raw_sql(sqlx::AssertSqlSafe(removal.clone()))
                        .execute(&mut conn)
                        .await
                        .unwrap_or_else(|e| panic!("{removal}: {e}"));
                }
                conn.close().await.expect("close");
            });
            format!("sqlite:{}", path.display())
        }
    };
    let schema = runtime().block_on(async {
        let mut session = Session::open(&url, &opts()).await.expect("session");
        let s = gaps_collector::inspect::schema(&mut session).await;
        session.close().await;
        match s {
            Section::Collected { data } => data,
            other => panic!("inspecting the corpus schema: {other:?}"),
        }
    });
    Db { url, schema }
}

/// The database of `engine` with the corpus schema without `missing`, created on first use.
pub fn database(engine: Engine, missing: Option<Missing>) -> Arc<Db> {
    let mut map = databases().lock().unwrap_or_else(|e| e.into_inner());
    map.entry((engine, missing))
        .or_insert_with(|| Arc::new(create(engine, missing)))
        .clone()
}

/// The live database's verdict on `sql`.
pub fn describe(db: &Db, sql: &str) -> QueryChecks {
    let input = StatementInput {
        file: "src/corpus.rs".into(),
        line: 10,
        api: Some("sqlx::query".into()),
        sql: Some(sql.to_string()),
        ..StatementInput::default()
    };
    runtime().block_on(async {
        let mut session = Session::open(&db.url, &opts()).await.expect("session");
        let checks = check(
            &mut session,
            &[input],
            &CheckOptions {
                timeout: Duration::from_secs(10),
                offline_dir: None,
                source_scanned: false,
                ..CheckOptions::default()
            },
        )
        .await
        .expect("describe");
        session.close().await;
        checks
    })
}

/// The findings `gaps check` gives for the one statement, with the database's verdict (when
/// given) and without it.
pub fn findings(engine: Engine, db: &Db, sql: &str, checks: Option<QueryChecks>) -> Vec<Finding> {
    let backend = engine.backend();
    let mut s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
    s.target.backend = Some(backend);
    s.schema = Section::collected(db.schema.clone());
    s.code = Section::collected(CodeEvidence {
        queries: vec![QuerySite {
            file: "src/corpus.rs".into(),
            line: 10,
            api: "sqlx::query".into(),
            macro_checked: false,
            sql: Some(sql.to_string()),
            sql_origin: Some("literal".into()),
            sql_line: Some(11),
            target: None,
            target_origin: None,
            not_checkable: None,
            access: Some(analyse(sql, backend)),
            scope: Default::default(),
        }],
        ..CodeEvidence::default()
    });
    if let Some(c) = checks {
        s.query_checks = Section::collected(c);
    }
    gaps_core::rules::analyse(&s)
}

const ABOUT_STATEMENTS: &[FindingKind] = &[
    FindingKind::TableMissing,
    FindingKind::ColumnMissing,
    FindingKind::QueryInvalid,
    FindingKind::QueryResultMismatch,
];

fn show(fs: &[&Finding]) -> String {
    fs.iter()
        .map(|f| {
            format!(
                "    {} {} table={:?} column={:?}: {}",
                f.kind.as_str(),
                f.severity.as_str(),
                f.table,
                f.column,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `f` names exactly `missing`.
fn names(f: &Finding, missing: Missing) -> bool {
    let last = |t: &str| t.rsplit('.').next().unwrap_or(t).to_ascii_lowercase();
    let same = |a: &Option<String>, b: &str| a.as_deref().is_some_and(|a| last(a) == last(b));
    match missing {
        Missing::Table(t) | Missing::View(t) => {
            same(&f.table, t)
                || (f.table.is_none() && f.column.is_none() && f.message.contains(&last(t)))
        }
        Missing::Column(t, c) => {
            let column_ok = same(&f.column, c)
                || (f.column.is_none()
                    && f.message
                        .to_ascii_lowercase()
                        .contains(&c.to_ascii_lowercase()));
            let table_ok = f.table.is_none() || same(&f.table, t);
            column_ok && table_ok
        }
    }
}

/// Checks one case on one engine; returns what went wrong.
fn check_case(case: &Case, engine: Engine) -> Vec<String> {
    let sql = spelled(case, engine);
    let mut problems = Vec::new();

    // Valid: the database accepts it (or cannot describe it) and nothing is reported.
    let valid = database(engine, None);
    let checks = describe(&valid, &sql);
    if let Outcome::Rejected(r) = &checks.statements[0].outcome {
        problems.push(format!(
            "the corpus schema does not make it valid: {} {}",
            r.sqlstate, r.message
        ));
    }
    for (with_db, checks) in [(true, Some(checks)), (false, None)] {
        let fs = findings(engine, &valid, &sql, checks);
        let bad: Vec<&Finding> = fs
            .iter()
            .filter(|f| ABOUT_STATEMENTS.contains(&f.kind) || f.severity >= Severity::Warning)
            .collect();
        if !bad.is_empty() {
            problems.push(format!(
                "valid schema, {}: reported\n{}",
                if with_db {
                    "with the database's verdict"
                } else {
                    "static analysis alone"
                },
                show(&bad)
            ));
        }
    }

    // Broken: the right error, and no other.
    let broken = database(engine, Some(case.missing));
    let checks = describe(&broken, &sql);
    for (with_db, checks) in [(true, Some(checks)), (false, None)] {
        let fs = findings(engine, &broken, &sql, checks);
        let errors: Vec<&Finding> = fs
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        let wrong: Vec<&Finding> = errors
            .iter()
            .copied()
            .filter(|f| !ABOUT_STATEMENTS.contains(&f.kind) || !names(f, case.missing))
            .collect();
        if !wrong.is_empty() {
            problems.push(format!(
                "without {:?}, {}: an error about something else\n{}",
                case.missing,
                if with_db {
                    "with the database's verdict"
                } else {
                    "static analysis alone"
                },
                show(&wrong)
            ));
        }
        let mut kinds: Vec<FindingKind> = errors.iter().map(|f| f.kind).collect();
        kinds.sort();
        let n = kinds.len();
        kinds.dedup();
        if kinds.len() != n {
            problems.push(format!(
                "without {:?}: the same error twice\n{}",
                case.missing,
                show(&errors)
            ));
        }
        if with_db && errors.is_empty() {
            problems.push(format!(
                "without {:?}: no error at all (the database's verdict: {:?})",
                case.missing,
                describe(&broken, &sql).statements[0].outcome
            ));
        }
    }
    problems
}

/// Runs the case named `name` on every engine it applies to.
pub fn run(cases: &[Case], name: &str) {
    let case = cases
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    let mut report = Vec::new();
    for &engine in case.engines {
        for p in check_case(case, engine) {
            report.push(format!(
                "[{engine:?}] {p}\n    sql: {}",
                spelled(case, engine)
            ));
        }
    }
    assert!(report.is_empty(), "{name}:\n{}", report.join("\n"));
}
