use super::*;
use crate::querycheck::{
    OfflineColumn, OfflineDescribe, OfflineEntry, QueryChecks, QueryCounts, StatementKind,
};
use crate::section::Section;
use crate::snapshot::Target;

fn snapshot(statements: Vec<StatementCheck>, offline: Option<OfflineCheck>) -> Snapshot {
    let mut s = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Target::default());
    s.query_checks = Section::collected(QueryChecks {
        backend: Backend::Postgres,
        counts: QueryCounts::of(&statements),
        statements,
        offline,
        stopped: None,
    });
    s
}

fn stmt(sql: &str, outcome: Outcome) -> StatementCheck {
    StatementCheck {
        file: "src/users.rs".into(),
        line: 10,
        api: Some("sqlx::query_as".into()),
        sql: Some(sql.into()),
        kind: StatementKind::Query,
        outcome,
        columns: vec![],
        parameters: vec![],
        target: None,
    }
}

fn col(name: &str, nullable: Option<bool>) -> DescribedColumn {
    DescribedColumn {
        name: name.into(),
        type_name: "TEXT".into(),
        nullable,
    }
}

fn field(name: &str, ty: &str) -> TargetField {
    TargetField {
        name: name.into(),
        column: name.into(),
        rust_type: ty.into(),
        default: false,
        not_a_column: false,
        json: false,
        try_from: None,
    }
}

#[test]
fn rejected_statement_is_query_invalid_with_sqlstate_and_mapped_line() {
    let r = Rejection {
        sqlstate: "42P01".into(),
        message: "relation \"todos\" does not exist".into(),
        detail: None,
        hint: None,
        position: Some(20),
        line: Some(11),
        table: Some("todos".into()),
        column: None,
    };
    let f = check(&snapshot(
        vec![stmt("SELECT id\n FROM todos", Outcome::Rejected(r))],
        None,
    ));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, FindingKind::QueryInvalid);
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].table.as_deref(), Some("todos"));
    assert_eq!(
        (f[0].file.as_deref(), f[0].line),
        (Some("src/users.rs"), Some(11))
    );
    assert_eq!(f[0].details["sqlstate"], "42P01");
    assert_eq!(f[0].action, actions::TABLES);
}

#[test]
fn accepted_and_not_checkable_statements_are_not_reported() {
    let f = check(&snapshot(
        vec![
            stmt("SELECT 1", Outcome::Ok),
            stmt(
                "SET x = 1",
                Outcome::NotCheckable {
                    reason: "SET".into(),
                },
            ),
        ],
        None,
    ));
    assert!(f.is_empty(), "{f:?}");
}

#[test]
fn struct_field_without_a_result_column_is_a_mismatch() {
    let mut s = stmt("SELECT id, name FROM users", Outcome::Ok);
    s.columns = vec![typed("id", "INT8", Some(false)), col("name", Some(false))];
    let mut email = field("email", "Option<String>");
    let mut nick = field("nick", "String");
    nick.default = true;
    let mut skipped = field("cache", "String");
    skipped.not_a_column = true;
    email.column = "email".into();
    s.target = Some(TargetType {
        name: "User".into(),
        shape: TargetShape::Struct,
        fields: vec![
            field("id", "i64"),
            field("name", "String"),
            email,
            nick,
            skipped,
        ],
        defined_at: None,
    });
    let f = check(&snapshot(vec![s], None));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].kind, FindingKind::QueryResultMismatch);
    assert_eq!(f[0].column.as_deref(), Some("email"));
    assert!(f[0].message.contains("ColumnNotFound"));
}

#[test]
fn non_option_field_over_nullable_column_is_a_warning_option_field_is_not() {
    let mut s = stmt("SELECT u.name, n.body FROM u LEFT JOIN n", Outcome::Ok);
    s.columns = vec![col("name", Some(true)), col("body", Some(true))];
    s.target = Some(TargetType {
        name: "(Option<String>, String)".into(),
        shape: TargetShape::Tuple,
        fields: vec![field("0", "Option<String>"), field("1", "String")],
        defined_at: None,
    });
    let f = check(&snapshot(vec![s], None));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(f[0].column.as_deref(), Some("body"));
}

#[test]
fn tuple_wider_than_the_result_is_a_mismatch() {
    let mut s = stmt("SELECT id FROM users", Outcome::Ok);
    s.columns = vec![typed("id", "INT8", Some(false))];
    s.target = Some(TargetType {
        name: "(i64, String)".into(),
        shape: TargetShape::Tuple,
        fields: vec![field("0", "i64"), field("1", "String")],
        defined_at: None,
    });
    let f = check(&snapshot(vec![s], None));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].message.contains("ColumnIndexOutOfBounds"));
}

fn describe(ty: &str) -> OfflineDescribe {
    OfflineDescribe {
        columns: vec![OfflineColumn {
            name: "id".into(),
            type_info: ty.into(),
            nullable: Some(false),
        }],
        parameters: vec![],
    }
}

#[test]
fn offline_entries_that_changed_or_left_the_source_are_stale() {
    let entry = |file: &str, cached: &str, live: &str, in_source| OfflineEntry {
        file: file.into(),
        query: "SELECT id FROM users".into(),
        in_source,
        cached: describe(cached),
        live: LiveDescribe::Described(describe(live)),
    };
    let offline = OfflineCheck {
        directory: ".sqlx".into(),
        entries: vec![
            entry("query-a.json", "Int8", "Int8", Some(true)),
            entry("query-b.json", "Int4", "Int8", Some(true)),
            entry("query-c.json", "Int8", "Int8", Some(false)),
        ],
        problems: vec![],
    };
    let f = check(&snapshot(vec![], Some(offline)));
    assert_eq!(f.len(), 2, "{f:?}");
    assert!(f.iter().all(|f| f.kind == FindingKind::SqlxOfflineStale));
    assert!(
        f.iter()
            .any(|f| f.file.as_deref() == Some(".sqlx/query-b.json")
                && f.message.contains("was Int4 and is now Int8"))
    );
    assert!(
        f.iter()
            .any(|f| f.file.as_deref() == Some(".sqlx/query-c.json")
                && f.details["reason"] == "not_in_source")
    );
}

// ---- mismatched types -------------------------------------------------------------------

fn typed(name: &str, ty: &str, nullable: Option<bool>) -> DescribedColumn {
    DescribedColumn {
        name: name.into(),
        type_name: ty.into(),
        nullable,
    }
}

fn decoded(
    columns: Vec<DescribedColumn>,
    shape: TargetShape,
    name: &str,
    fields: Vec<TargetField>,
) -> StatementCheck {
    let mut s = stmt("SELECT ... FROM t", Outcome::Ok);
    s.line = 42;
    s.columns = columns;
    s.target = Some(TargetType {
        name: name.into(),
        shape,
        fields,
        defined_at: Some("src/models.rs:3".into()),
    });
    s
}

fn mismatches(f: &[Finding]) -> Vec<&Finding> {
    f.iter()
        .filter(|f| {
            f.kind == FindingKind::QueryResultMismatch && f.details.contains_key("sqlx_error")
        })
        .collect()
}

#[test]
fn i32_field_over_bigint_column_is_a_mismatch_in_sqlx_words() {
    let s = decoded(
        vec![
            typed("id", "INT8", Some(false)),
            typed("title", "TEXT", Some(false)),
        ],
        TargetShape::Struct,
        "Report",
        vec![field("id", "i32"), field("title", "String")],
    );
    let f = check(&snapshot(vec![s], None));
    assert_eq!(f.len(), 1, "{f:#?}");
    let m = &f[0];
    assert_eq!(m.kind, FindingKind::QueryResultMismatch);
    assert_eq!(m.severity, Severity::Error);
    assert_eq!(
        (m.file.as_deref(), m.line),
        (Some("src/users.rs"), Some(42))
    );
    assert_eq!(m.column.as_deref(), Some("id"));
    assert_eq!(m.details["field"], "id");
    assert_eq!(
        (m.expected.as_deref(), m.live.as_deref()),
        (Some("i32"), Some("INT8"))
    );
    let sqlx = "mismatched types; Rust type `i32` (as SQL type `INT4`) is not compatible \
                with SQL type `INT8`";
    assert!(m.message.contains(sqlx), "{}", m.message);
    assert!(m.message.contains("Report.id"), "{}", m.message);
    assert_eq!(
        m.details["sqlx_error"],
        format!("error occurred while decoding column \"id\": {sqlx}")
    );
    assert!(
        m.next_step.as_deref().unwrap().contains("i64"),
        "{:?}",
        m.next_step
    );
}

#[test]
fn compatible_pairs_and_option_over_nullable_are_not_mismatches() {
    let pairs = [
        ("i64", "INT8"),
        ("i32", "INT4"),
        ("i16", "INT2"),
        ("i8", "\"CHAR\""),
        ("f64", "FLOAT8"),
        ("String", "TEXT"),
        ("String", "VARCHAR"),
        ("String", "CHAR"),
        ("String", "NAME"),
        ("&'a str", "TEXT"),
        ("bool", "BOOL"),
        ("uuid::Uuid", "UUID"),
        ("chrono::DateTime<chrono::Utc>", "TIMESTAMPTZ"),
        ("NaiveDateTime", "TIMESTAMP"),
        ("NaiveDate", "DATE"),
        ("rust_decimal::Decimal", "NUMERIC"),
        ("serde_json::Value", "JSONB"),
        ("sqlx::types::Json<Settings>", "JSON"),
        ("Vec<String>", "TEXT[]"),
        ("Vec<i64>", "INT8[]"),
        ("Vec<u8>", "BYTEA"),
        ("Box<str>", "TEXT"),
    ];
    let columns: Vec<DescribedColumn> = pairs
        .iter()
        .enumerate()
        .map(|(i, (_, sql))| typed(&format!("c{i}"), sql, Some(false)))
        .collect();
    let fields: Vec<TargetField> = pairs
        .iter()
        .enumerate()
        .map(|(i, (rust, _))| field(&format!("c{i}"), rust))
        .collect();
    let mut all = vec![decoded(columns, TargetShape::Struct, "Wide", fields)];
    // Option<T> over a nullable column of T's type: neither a type nor a null finding.
    all.push(decoded(
        vec![
            typed("n", "INT8", Some(true)),
            typed("t", "TIMESTAMPTZ", None),
        ],
        TargetShape::Struct,
        "Opt",
        vec![
            field("n", "Option<i64>"),
            field("t", "Option<DateTime<Utc>>"),
        ],
    ));
    let f = check(&snapshot(all, None));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn unknown_custom_types_are_never_reported() {
    let s = decoded(
        vec![
            typed("r", "INT4RANGE", Some(false)),
            typed("p", "POINT", Some(false)),
            typed("m", "mood", Some(false)),
            typed("x", "TEXT", Some(false)),
            typed("rec", "RECORD", Some(false)),
        ],
        TargetShape::Struct,
        "Odd",
        vec![
            field("r", "PgRange<i32>"),
            field("p", "geo::Point"),
            field("m", "Mood"),
            field("x", "MyWrapper"),
            field("rec", "i64"),
        ],
    );
    let f = check(&snapshot(vec![s], None));
    assert!(f.is_empty(), "{f:#?}");
}

/// A snapshot whose code section defines sqlx::Type enums and whose expected schema has a
/// domain and an enum, as the model check reads them.
fn with_types(statements: Vec<StatementCheck>) -> Snapshot {
    use crate::code::expected::Domain;
    use crate::code::model::{CodeEvidence, SqlTypeDef};
    use crate::schema::EnumType;
    let mut s = snapshot(statements, None);
    let ty = |name: &str, type_name: Option<&str>, transparent: Option<&str>| SqlTypeDef {
        name: name.into(),
        file: "src/types.rs".into(),
        line: 1,
        type_name: type_name.map(str::to_string),
        rename_all: None,
        repr: None,
        transparent: transparent.map(str::to_string),
        labels: vec![],
    };
    s.code = Section::collected(CodeEvidence {
        sql_types: vec![
            ty("TaskStatus", Some("task_status"), None),
            ty("Kind", Some("text"), None),
            ty("UserId", None, Some("uuid::Uuid")),
        ],
        ..CodeEvidence::default()
    });
    let mut e = ExpectedSchema::default();
    e.domains.push(Domain {
        schema: "public".into(),
        name: "email".into(),
        base_type: "citext".into(),
        not_null: false,
    });
    e.schema.enums.push(EnumType {
        schema: "public".into(),
        name: "task_status".into(),
        labels: vec!["open".into(), "done".into()],
    });
    s.expected_schema = Section::collected(e);
    s
}

#[test]
fn enums_newtypes_and_domains_follow_their_sqlx_type_definitions() {
    let ok = decoded(
        vec![
            typed("status", "task_status", Some(false)),
            typed("kind", "TEXT", Some(false)),
            typed("user_id", "UUID", Some(false)),
            typed("email", "email", Some(false)),
            typed("statuses", "task_status[]", Some(false)),
        ],
        TargetShape::Struct,
        "Task",
        vec![
            field("status", "TaskStatus"),
            field("kind", "Kind"),
            field("user_id", "UserId"),
            field("email", "String"),
            field("statuses", "Vec<TaskStatus>"),
        ],
    );
    let f = check(&with_types(vec![ok]));
    assert!(f.is_empty(), "{f:#?}");

    let bad = decoded(
        vec![
            typed("status", "TEXT", Some(false)),
            typed("kind", "task_status", Some(false)),
            typed("user_id", "TEXT", Some(false)),
            typed("email", "email", Some(false)),
        ],
        TargetShape::Struct,
        "Task",
        vec![
            field("status", "TaskStatus"),
            field("kind", "Kind"),
            field("user_id", "UserId"),
            field("email", "i32"),
        ],
    );
    let f = check(&with_types(vec![bad]));
    let cols: Vec<&str> = mismatches(&f)
        .iter()
        .map(|f| f.column.as_deref().unwrap())
        .collect();
    assert_eq!(cols, ["status", "kind", "user_id", "email"], "{f:#?}");
    let status = &mismatches(&f)[0].message;
    assert!(
        status.contains("Rust type `TaskStatus` (as SQL type `task_status`)"),
        "{status}"
    );
    let user_id = &mismatches(&f)[2].message;
    assert!(user_id.contains("(as SQL type `UUID`)"), "{user_id}");
}

#[test]
fn renamed_skipped_default_json_and_try_from_fields_decode_as_sqlx_does() {
    let mut renamed = field("email", "i64");
    renamed.column = "email_address".into();
    let mut skipped = field("cache", "i64");
    skipped.not_a_column = true;
    let mut defaulted = field("nick", "i64");
    defaulted.default = true;
    let mut json = field("settings", "Option<Settings>");
    json.json = true;
    let mut converted = field("count", "u64");
    converted.try_from = Some("i64".into());
    let ok = decoded(
        vec![
            // The renamed field reads email_address; `email` is a different column.
            typed("email", "TEXT", Some(false)),
            typed("email_address", "INT8", Some(false)),
            typed("cache", "TEXT", Some(false)),
            typed("settings", "JSONB", Some(true)),
            typed("count", "INT8", Some(false)),
        ],
        TargetShape::Struct,
        "Account",
        vec![
            renamed.clone(),
            skipped.clone(),
            defaulted.clone(),
            json.clone(),
            converted.clone(),
        ],
    );
    let f = check(&snapshot(vec![ok], None));
    assert!(f.is_empty(), "{f:#?}");

    // The same fields over the wrong types: the renamed column, the json column and the
    // try_from type are what is checked.
    let bad = decoded(
        vec![
            typed("email", "INT8", Some(false)),
            typed("email_address", "TEXT", Some(false)),
            typed("settings", "TEXT", Some(true)),
            typed("count", "TEXT", Some(false)),
            typed("nick", "TEXT", Some(false)),
        ],
        TargetShape::Struct,
        "Account",
        vec![renamed, skipped, defaulted, json, converted],
    );
    let f = check(&snapshot(vec![bad], None));
    let count = mismatches(&f)[3];
    assert!(
        count
            .message
            .contains("field Account.count is u64 (decoded as i64 by try_from)"),
        "{}",
        count.message
    );
    let got: Vec<(&str, &str)> = mismatches(&f)
        .iter()
        .map(|f| (f.column.as_deref().unwrap(), f.expected.as_deref().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("email_address", "i64"),
            ("nick", "i64"),
            ("settings", "Json<Settings>"),
            ("count", "i64"),
        ],
        "{f:#?}"
    );
}

#[test]
fn tuples_are_checked_by_position_and_scalars_by_their_one_column() {
    let tuple = decoded(
        vec![
            typed("id", "INT8", Some(false)),
            typed("n", "INT8", Some(false)),
        ],
        TargetShape::Tuple,
        "(i64, i32)",
        vec![field("0", "i64"), field("1", "i32")],
    );
    let scalar = decoded(
        vec![
            typed("count", "INT8", Some(false)),
            typed("extra", "TEXT", Some(false)),
        ],
        TargetShape::Scalar,
        "i32",
        vec![field("0", "i32")],
    );
    let fine_scalar = decoded(
        vec![
            typed("count", "INT8", Some(false)),
            typed("extra", "TEXT", Some(false)),
        ],
        TargetShape::Scalar,
        "i64",
        vec![field("0", "i64")],
    );
    let f = check(&snapshot(vec![tuple, scalar, fine_scalar], None));
    let got: Vec<(&str, &str)> = mismatches(&f)
        .iter()
        .map(|f| {
            (
                f.details["target"].as_str().unwrap(),
                f.column.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [("(i64, i32)", "n"), ("i32", "count")], "{f:#?}");
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(
        mismatches(&f)[0]
            .message
            .contains("element 1 of (i64, i32)")
    );
    assert!(mismatches(&f)[1].message.contains("the scalar is i32"));

    let empty = decoded(vec![], TargetShape::Scalar, "i64", vec![field("0", "i64")]);
    let f = check(&snapshot(vec![empty], None));
    assert!(f[0].message.contains("ColumnIndexOutOfBounds"), "{f:#?}");
}

#[test]
fn sqlite_results_use_sqlites_names_and_affinities() {
    let s = decoded(
        vec![
            typed("id", "INTEGER", Some(false)),
            typed("name", "TEXT", Some(false)),
            typed("n", "BIGINT", Some(false)),
            typed("expr", "NULL", None),
        ],
        TargetShape::Struct,
        "Row",
        vec![
            field("id", "String"),
            field("name", "String"),
            field("n", "i32"),
            field("expr", "Option<i64>"),
        ],
    );
    let mut snap = snapshot(vec![], None);
    snap.query_checks = Section::collected(QueryChecks {
        backend: Backend::Sqlite,
        counts: QueryCounts::of(std::slice::from_ref(&s)),
        statements: vec![s],
        offline: None,
        stopped: None,
    });
    let f = check(&snap);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(
        f[0].message.contains(
            "Rust type `String` (as SQL type `TEXT`) is not compatible with SQL type `INTEGER`"
        ),
        "{}",
        f[0].message
    );
}

// ---- the pending migration that would fix it ---------------------------------------------

use crate::code::replay::{MigrationSource, replay};
use crate::migrations::{AppliedMigration, AppliedMigrations};

const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);",
    ),
    (
        "0002_habits.sql",
        "CREATE TABLE habits (id bigint PRIMARY KEY, user_id bigint NOT NULL);",
    ),
    (
        "0003_ideas.sql",
        "CREATE TABLE ideas (id bigint PRIMARY KEY, body text NOT NULL);\n\
         ALTER TABLE habits ADD COLUMN reminder_time time;",
    ),
];

/// A snapshot with `MIGRATIONS` (plus `extra`) replayed and versions `applied` recorded
/// (`failed`: recorded with success = false).
fn with_migrations(
    statements: Vec<StatementCheck>,
    extra: &[(&str, &str)],
    applied: &[i64],
    failed: &[i64],
) -> Snapshot {
    let mut s = snapshot(statements, None);
    let sources: Vec<MigrationSource> = MIGRATIONS
        .iter()
        .chain(extra)
        .map(|(file, sql)| MigrationSource {
            version: file[..4].parse().unwrap(),
            file: file.to_string(),
            sql: sql.to_string(),
        })
        .collect();
    s.expected_schema = Section::collected(replay(&sources, Backend::Postgres));
    let row = |v: i64, success: bool| AppliedMigration {
        version: v,
        description: "m".into(),
        installed_on: None,
        success,
        checksum: String::new(),
        execution_time: 1,
    };
    s.applied_migrations = Section::collected(AppliedMigrations {
        table: "public._sqlx_migrations".into(),
        table_source: None,
        present: true,
        hidden_in: Vec::new(),
        search_path: None,
        rows: applied
            .iter()
            .map(|v| row(*v, true))
            .chain(failed.iter().map(|v| row(*v, false)))
            .collect(),
    });
    s
}

/// Adds the source scan's record of the statement (its tables and output) to `s`.
fn with_site(mut s: Snapshot) -> Snapshot {
    use crate::code::model::{CodeEvidence, QuerySite};
    let Some(checks) = s.query_checks.data() else {
        return s;
    };
    let queries = checks
        .statements
        .iter()
        .map(|st| QuerySite {
            file: st.file.clone(),
            line: st.line,
            api: "sqlx::query_as".into(),
            macro_checked: false,
            sql: st.sql.clone(),
            sql_origin: Some("literal".into()),
            sql_line: None,
            target: None,
            target_origin: None,
            not_checkable: None,
            scope: Default::default(),
            access: st
                .sql
                .as_deref()
                .map(|sql| crate::code::sql::analyse(sql, Backend::Postgres)),
        })
        .collect();
    s.code = Section::collected(CodeEvidence {
        queries,
        ..CodeEvidence::default()
    });
    s
}

fn rejected(sql: &str, sqlstate: &str, message: &str) -> StatementCheck {
    let (table, column) = crate::querycheck::error_subject(message);
    stmt(
        sql,
        Outcome::Rejected(Rejection {
            sqlstate: sqlstate.into(),
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
            line: Some(10),
            table,
            column,
        }),
    )
}

fn missing_ideas() -> StatementCheck {
    rejected(
        "SELECT id, body FROM ideas",
        "42P01",
        "relation \"ideas\" does not exist",
    )
}

#[test]
fn a_missing_table_created_by_one_pending_migration_links_it() {
    let f = check(&with_migrations(vec![missing_ideas()], &[], &[1, 2], &[]));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].migration, Some(3));
    assert!(
        f[0].message
            .contains("created by 0003_ideas.sql, which is pending"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].details["fixed_by"], "0003_ideas.sql");
    let step = f[0].next_step.as_deref().unwrap();
    assert!(
        step.contains("apply the pending migration 0003_ideas.sql"),
        "{step}"
    );
}

#[test]
fn a_failed_migration_is_named_with_what_sqlx_needs_before_it_runs_again() {
    let f = check(&with_migrations(vec![missing_ideas()], &[], &[1, 2], &[3]));
    assert_eq!(f[0].migration, Some(3));
    assert!(f[0].message.contains("which is failed"), "{}", f[0].message);
    assert!(f[0].next_step.as_deref().unwrap().contains("Dirty(3)"));
}

#[test]
fn no_link_when_the_migration_is_applied_unknown_or_undone_later() {
    // Applied: the table vanished some other way.
    let f = check(&with_migrations(
        vec![missing_ideas()],
        &[],
        &[1, 2, 3],
        &[],
    ));
    assert_eq!(f[0].migration, None, "{f:#?}");
    assert!(!f[0].message.contains("pending"));
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .starts_with("create table ideas")
    );
    // No migrations table read: pending cannot be told.
    let mut s = with_migrations(vec![missing_ideas()], &[], &[1, 2], &[]);
    s.applied_migrations = Section::skipped("not asked");
    assert_eq!(check(&s)[0].migration, None);
    // A later pending migration drops it again: applying both leaves no table.
    let f = check(&with_migrations(
        vec![missing_ideas()],
        &[("0004_drop.sql", "DROP TABLE ideas;")],
        &[1, 2],
        &[],
    ));
    assert_eq!(f[0].migration, None, "{f:#?}");
}

#[test]
fn two_pending_migrations_creating_it_are_listed_and_neither_is_linked() {
    let missing = rejected(
        "SELECT id FROM notes",
        "42P01",
        "relation \"notes\" does not exist",
    );
    let f = check(&with_migrations(
        vec![missing],
        &[
            (
                "0004_drafts.sql",
                "CREATE TABLE drafts (id bigint PRIMARY KEY);",
            ),
            ("0005_rename.sql", "ALTER TABLE drafts RENAME TO notes;"),
        ],
        &[1, 2, 3],
        &[],
    ));
    assert_eq!(f[0].migration, None, "{f:#?}");
    assert_eq!(
        f[0].details["fixed_by_candidates"],
        serde_json::json!(["0004_drafts.sql (pending)", "0005_rename.sql (pending)"])
    );
    assert!(f[0].message.contains("more than one unapplied migration"));
}

#[test]
fn a_missing_column_is_linked_only_on_the_tables_the_statement_reads() {
    let col = || {
        rejected(
            "SELECT h.id, h.reminder_time FROM habits h",
            "42703",
            "column h.reminder_time does not exist",
        )
    };
    let f = check(&with_site(with_migrations(vec![col()], &[], &[1, 2], &[])));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].migration, Some(3), "{f:#?}");
    assert!(
        f[0].message
            .contains("created by 0003_ideas.sql, which is pending")
    );
    // Without the source scan the column's table is unknown: no guess.
    let f = check(&with_migrations(vec![col()], &[], &[1, 2], &[]));
    assert_eq!(f[0].migration, None, "{f:#?}");
    // The same column name on a table the statement does not read.
    let other = rejected(
        "SELECT reminder_time FROM users",
        "42703",
        "column \"reminder_time\" does not exist",
    );
    let f = check(&with_site(with_migrations(vec![other], &[], &[1, 2], &[])));
    assert_eq!(f[0].migration, None, "{f:#?}");
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .starts_with("add column reminder_time")
    );
}

#[test]
fn a_struct_field_a_select_star_lacks_is_linked_to_the_migration_adding_it() {
    let star = |sql: &str| {
        let mut s = stmt(sql, Outcome::Ok);
        s.columns = vec![
            typed("id", "INT8", Some(false)),
            typed("user_id", "INT8", Some(false)),
        ];
        s.target = Some(TargetType {
            name: "Habit".into(),
            shape: TargetShape::Struct,
            fields: vec![
                field("id", "i64"),
                field("user_id", "i64"),
                field("reminder_time", "Option<NaiveTime>"),
            ],
            defined_at: None,
        });
        s
    };
    let f = check(&with_site(with_migrations(
        vec![star("SELECT * FROM habits")],
        &[],
        &[1, 2],
        &[],
    )));
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].message.contains("ColumnNotFound(\"reminder_time\")"));
    assert_eq!(f[0].migration, Some(3), "{f:#?}");
    assert!(
        f[0].message
            .contains("created by 0003_ideas.sql, which is pending")
    );
    // A column list does not pick the column up once it exists: the SQL needs the fix.
    let f = check(&with_site(with_migrations(
        vec![star("SELECT id, user_id FROM habits")],
        &[],
        &[1, 2],
        &[],
    )));
    assert_eq!(f[0].migration, None, "{f:#?}");
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .starts_with("select reminder_time")
    );
}
