//! Tests of the query-check logic: describable statements, error positions mapped to source lines, names read from server errors, offline data compared, counts.

use super::*;

#[test]
fn statements_are_classified_by_first_keyword() {
    assert_eq!(classify("SELECT 1"), StatementKind::Query);
    assert_eq!(classify("  -- c\n/* x */ (select 1)"), StatementKind::Query);
    assert_eq!(
        classify("with a as (select 1) select * from a"),
        StatementKind::Query
    );
    assert_eq!(classify("INSERT INTO t VALUES ($1)"), StatementKind::Modify);
    assert_eq!(classify("delete from t"), StatementKind::Modify);
    assert_eq!(classify("SET search_path = x"), StatementKind::Control);
    assert_eq!(classify("show server_version"), StatementKind::Control);
    assert_eq!(classify("BEGIN"), StatementKind::Control);
    assert_eq!(classify("CREATE TABLE t (id int)"), StatementKind::Utility);
    assert_eq!(classify(""), StatementKind::Utility);
}

#[test]
fn semicolons_inside_quotes_and_comments_are_not_statement_breaks() {
    assert_eq!(classify("SELECT ';' ; "), StatementKind::Query);
    assert_eq!(
        classify("SELECT $$a;b$$, \"x;y\" -- ;\n"),
        StatementKind::Query
    );
    assert_eq!(
        classify("SELECT $tag$ ; $tag$ /* ; */"),
        StatementKind::Query
    );
    assert_eq!(classify("SELECT 1; SELECT 2"), StatementKind::Multiple);
    // `$1;` is a parameter, not a dollar quote.
    assert_eq!(
        classify("SELECT $1; DELETE FROM t"),
        StatementKind::Multiple
    );
}

#[test]
fn not_checkable_reasons_name_the_keyword() {
    let r = not_checkable_reason(StatementKind::Control, "SET x = 1").unwrap();
    assert!(r.starts_with("SET "), "{r}");
    let r = not_checkable_reason(StatementKind::Utility, "drop table t").unwrap();
    assert!(r.starts_with("DROP "), "{r}");
    assert_eq!(not_checkable_reason(StatementKind::Query, "select 1"), None);
}

#[test]
fn error_position_maps_to_the_source_line() {
    let sql = "SELECT id,\n       nme\n  FROM users";
    let pos = sql.find("nme").unwrap() as u32 + 1;
    assert_eq!(position_line(sql, 40, pos), 41);
    assert_eq!(position_line(sql, 40, 1), 40);
    // Positions count characters, not bytes.
    let sql = "SELECT 'é',\nx";
    assert_eq!(position_line(sql, 1, 13), 2);
}

#[test]
fn error_messages_name_table_and_column() {
    assert_eq!(
        error_subject("relation \"todos\" does not exist"),
        (Some("todos".into()), None)
    );
    assert_eq!(
        error_subject("column \"nme\" does not exist"),
        (None, Some("nme".into()))
    );
    assert_eq!(
        error_subject("column u.nme does not exist"),
        (None, Some("nme".into()))
    );
    assert_eq!(
        error_subject("column \"x\" of relation \"users\" does not exist"),
        (Some("users".into()), Some("x".into()))
    );
    assert_eq!(
        error_subject("no such table: main.todos"),
        (Some("todos".into()), None)
    );
    assert_eq!(
        error_subject("table users has no column named x"),
        (Some("users".into()), Some("x".into()))
    );
    assert_eq!(
        error_subject("syntax error at or near \"FORM\""),
        (None, None)
    );
}

fn col(name: &str, ty: &str, nullable: Option<bool>) -> OfflineColumn {
    OfflineColumn {
        name: name.into(),
        type_info: ty.into(),
        nullable,
    }
}

#[test]
fn offline_comparison_reports_type_nullability_and_missing_columns() {
    let cached = OfflineDescribe {
        columns: vec![
            col("id", "Int8", Some(false)),
            col("title", "Text", Some(false)),
            col("done", "Bool", None),
        ],
        parameters: vec!["Int8".into()],
    };
    assert!(offline_differences(&cached, &cached).is_empty());
    let live = OfflineDescribe {
        columns: vec![
            col("id", "Int4", Some(false)),
            col("title", "Text", Some(true)),
            col("done", "Bool", Some(true)),
            col("extra", "Text", Some(true)),
        ],
        parameters: vec!["Int4".into()],
    };
    let d = offline_differences(&cached, &live);
    assert!(
        d.contains(&"column id was Int8 and is now Int4".to_string()),
        "{d:?}"
    );
    assert!(d.contains(&"column title was NOT NULL and is now nullable".to_string()));
    assert!(d.iter().any(|s| s.starts_with("column extra")));
    assert!(d.iter().any(|s| s.starts_with("parameters were (Int8)")));
    // `done`: unknown nullability on one side is not a difference.
    assert!(!d.iter().any(|s| s.starts_with("column done")), "{d:?}");
}

#[test]
fn counts_follow_outcomes() {
    let mk = |outcome| StatementCheck {
        file: "a.rs".into(),
        line: 1,
        api: None,
        sql: None,
        kind: StatementKind::Query,
        outcome,
        columns: vec![],
        parameters: vec![],
        target: None,
    };
    let c = QueryCounts::of(&[
        mk(Outcome::Ok),
        mk(Outcome::NotCheckable { reason: "x".into() }),
        mk(Outcome::Ok),
    ]);
    assert_eq!((c.total, c.ok, c.rejected, c.not_checkable), (3, 2, 0, 1));
}
