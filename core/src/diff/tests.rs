//! Unit tests of the schema, migration and findings comparisons.

use super::*;
use crate::migrations::AppliedMigrations;
use crate::schema::{Column, Schema, Table, TableKind};
use crate::snapshot::{Snapshot, Target};

fn col(ordinal: i32, name: &str, ty: &str, nullable: bool) -> Column {
    Column::new(ordinal, name, ty, nullable)
}

fn table(schema: &str, name: &str, columns: Vec<Column>) -> Table {
    Table::new(schema, name, TableKind::Table, columns)
}

fn schema(tables: Vec<Table>) -> Schema {
    let mut s = Schema {
        schemas: vec!["public".into()],
        tables,
        ..Schema::default()
    };
    s.canonicalize();
    s
}

fn users() -> Table {
    table(
        "public",
        "users",
        vec![
            col(1, "id", "bigint", false),
            col(2, "email", "text", false),
            col(3, "name", "text", true),
        ],
    )
}

#[test]
fn identical_schemas_have_no_differences() {
    let s = schema(vec![
        users(),
        table("public", "todos", vec![col(1, "id", "bigint", false)]),
    ]);
    let d = diff_schemas(&s, &s);
    assert!(d.is_empty());
    assert_eq!(d.differing().count(), 0);
    assert_eq!(d.summary.tables_ok, 2);
    assert_eq!(d.summary.columns_ok, 4);
    assert_eq!(d.summary.tables_missing + d.summary.tables_unexpected, 0);
    assert!(d.tables.iter().all(|t| t.status == TableStatus::Ok));
}

#[test]
fn missing_and_unexpected_tables_carry_their_columns() {
    let expected = schema(vec![users()]);
    let live = schema(vec![table(
        "public",
        "todos",
        vec![col(1, "id", "bigint", false)],
    )]);
    let d = diff_schemas(&expected, &live);
    assert!(!d.is_empty());
    let names: Vec<(String, TableStatus)> = d.tables.iter().map(|t| (t.key(), t.status)).collect();
    assert_eq!(
        names,
        vec![
            ("public.todos".to_string(), TableStatus::Unexpected),
            ("public.users".to_string(), TableStatus::Missing),
        ]
    );
    let users = &d.tables[1];
    assert_eq!(users.columns.len(), 3);
    assert!(
        users
            .columns
            .iter()
            .all(|c| c.status == Status::Missing && c.right.is_none())
    );
    assert_eq!(users.severity(), Some(Severity::Error));
    assert_eq!(users.action(), Some(crate::actions::TABLES));
    assert_eq!(d.summary.tables_missing, 1);
    assert_eq!(d.summary.tables_unexpected, 1);
    // Columns of one-sided tables are not counted as column differences.
    assert_eq!(d.summary.columns_missing, 0);
}

#[test]
fn column_type_nullability_and_default_are_each_detected() {
    let expected = schema(vec![users()]);
    let mut live_users = users();
    live_users.columns[0].data_type = "integer".into(); // id: type
    live_users.columns[1].nullable = true; // email: nullability
    live_users.columns[2].default = Some("'anon'::text".into()); // name: default
    live_users.columns.push(col(4, "extra", "text", true)); // unexpected
    let d = diff_schemas(&expected, &schema(vec![live_users]));
    let t = &d.tables[0];
    assert_eq!(t.status, TableStatus::Altered);
    let by_name: Vec<(&str, Status)> = t
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.status))
        .collect();
    assert_eq!(
        by_name,
        vec![
            ("id", Status::Type),
            ("email", Status::Nullability),
            ("name", Status::Default),
            ("extra", Status::Unexpected),
        ]
    );
    assert_eq!(d.summary.columns_type, 1);
    assert_eq!(d.summary.columns_nullability, 1);
    assert_eq!(d.summary.columns_default, 1);
    assert_eq!(d.summary.columns_unexpected, 1);
    assert_eq!(d.summary.columns_ok, 0);
    assert_eq!(t.severity(), Some(Severity::Error));
}

#[test]
fn a_column_with_two_changes_reports_both() {
    let expected = schema(vec![users()]);
    let mut live = users();
    live.columns[1].data_type = "varchar(10)".into();
    live.columns[1].nullable = true;
    let d = diff_schemas(&expected, &schema(vec![live]));
    let email = &d.tables[0].columns[1];
    assert_eq!(email.status, Status::Type);
    assert_eq!(email.changes, vec![Status::Type, Status::Nullability]);
    assert!(email.has(Status::Nullability));
    assert_eq!(d.summary.columns_type, 1);
    assert_eq!(d.summary.columns_nullability, 1);
}

#[test]
fn type_case_and_spacing_do_not_count_as_a_difference() {
    let expected = schema(vec![table(
        "public",
        "t",
        vec![col(1, "a", "TIMESTAMP  WITH TIME ZONE", true)],
    )]);
    let live = schema(vec![table(
        "public",
        "t",
        vec![col(1, "a", "timestamp with time zone", true)],
    )]);
    assert!(diff_schemas(&expected, &live).is_empty());
}

#[test]
fn column_order_and_ordinal_shift_is_not_a_difference() {
    let expected = schema(vec![table(
        "public",
        "t",
        vec![col(1, "a", "int", true), col(2, "b", "int", true)],
    )]);
    let live = schema(vec![table(
        "public",
        "t",
        vec![col(1, "a", "int", true), col(3, "b", "int", true)],
    )]);
    assert!(diff_schemas(&expected, &live).is_empty());
}

#[test]
fn same_table_name_in_two_schemas_is_two_tables() {
    let expected = schema(vec![table("public", "t", vec![])]);
    let live = schema(vec![table("audit", "t", vec![])]);
    let d = diff_schemas(&expected, &live);
    let keys: Vec<String> = d.tables.iter().map(|t| t.key()).collect();
    assert_eq!(keys, vec!["audit.t", "public.t"]);
}

#[test]
fn output_is_deterministic_whatever_the_input_order() {
    let a = Schema {
        tables: vec![users(), table("public", "a", vec![])],
        ..Schema::default()
    };
    let b = Schema {
        tables: vec![table("public", "a", vec![]), users()],
        ..Schema::default()
    };
    let other = schema(vec![table("public", "z", vec![])]);
    assert_eq!(
        serde_json::to_string(&diff_schemas(&a, &other)).unwrap(),
        serde_json::to_string(&diff_schemas(&b, &other)).unwrap()
    );
}

#[test]
fn view_kind_change_alters_the_table() {
    let expected = schema(vec![table("public", "t", vec![])]);
    let mut v = table("public", "t", vec![]);
    v.kind = TableKind::View;
    let d = diff_schemas(&expected, &schema(vec![v]));
    assert_eq!(d.tables[0].status, TableStatus::Altered);
}

fn migration(version: i64, success: bool, checksum: &str) -> AppliedMigration {
    AppliedMigration {
        version,
        description: format!("m{version}"),
        installed_on: None,
        success,
        checksum: checksum.into(),
        execution_time: 1000,
    }
}

fn snapshot(label: &str, s: Schema, rows: Vec<AppliedMigration>) -> Snapshot {
    let mut snap = Snapshot::new(
        "0.1.0",
        "2026-01-09T12:00:00Z".into(),
        Target {
            label: Some(label.into()),
            ..Target::default()
        },
    );
    snap.schema = Section::collected(s);
    snap.applied_migrations = Section::collected(AppliedMigrations {
        table_source: None,
        table: "public._sqlx_migrations".into(),
        present: true,
        rows,
    });
    snap
}

#[test]
fn identical_snapshots_have_no_differences() {
    let a = snapshot("a", schema(vec![users()]), vec![migration(1, true, "aa")]);
    let d = diff_snapshots(&a, &a);
    assert!(!d.has_differences());
    assert!(d.schema.diff().unwrap().is_empty());
    assert!(d.migrations.diff().unwrap().is_empty());
    assert!(d.findings.is_empty());
}

#[test]
fn migrations_applied_between_snapshots_are_listed() {
    let a = snapshot(
        "a",
        schema(vec![users()]),
        vec![migration(1, true, "aa"), migration(2, false, "bb")],
    );
    let b = snapshot(
        "b",
        schema(vec![
            users(),
            table("public", "todos", vec![col(1, "id", "bigint", false)]),
        ]),
        vec![
            migration(1, true, "aa"),
            migration(2, true, "cc"),
            migration(3, true, "dd"),
        ],
    );
    let d = diff_snapshots(&a, &b);
    assert!(d.has_differences());
    let m = d.migrations.diff().unwrap();
    assert_eq!(
        m.applied.iter().map(|m| m.version).collect::<Vec<_>>(),
        vec![3]
    );
    assert!(m.removed.is_empty());
    assert_eq!(m.changed.len(), 1);
    assert_eq!(m.changed[0].version, 2);
    assert_eq!(
        m.changed[0].changes,
        vec!["success: false -> true", "checksum: bb -> cc"]
    );
    let s = d.schema.diff().unwrap();
    assert_eq!(s.summary.tables_unexpected, 1, "todos was added");
    assert_eq!(d.a.label, "a");
    assert_eq!(d.b.label, "b");
}

#[test]
fn a_section_missing_on_one_side_is_unavailable_with_reason() {
    let a = snapshot("a", schema(vec![users()]), vec![]);
    let mut b = snapshot("b", schema(vec![users()]), vec![]);
    b.schema = Section::failed("reading pg_attribute", "permission denied");
    let d = diff_snapshots(&a, &b);
    match &d.schema {
        Compared::Unavailable { reason } => {
            assert!(reason.starts_with("B:"), "{reason}");
            assert!(reason.contains("permission denied"), "{reason}");
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
    // The schema is not compared, but the failure itself is a finding that appeared in B.
    assert!(d.has_differences());
    let kinds: Vec<_> = d.findings.appeared.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        vec![crate::finding::FindingKind::EvidenceUnavailable]
    );
}

#[test]
fn findings_are_matched_by_subject_not_wording() {
    use crate::finding::FindingKind;
    let f = |table: &str, msg: &str| {
        Finding::new(
            FindingKind::TableMissing,
            Severity::Error,
            "ACTION-004",
            msg,
        )
        .table(table)
    };
    let a = vec![
        f("users", "users is missing (3 queries)"),
        f("orders", "orders is missing"),
    ];
    let b = vec![
        f("users", "users is missing (5 queries)"),
        f("todos", "todos is missing"),
    ];
    let d = diff_findings(&a, &b);
    assert_eq!(d.unchanged, 1);
    assert_eq!(
        d.appeared
            .iter()
            .map(|f| f.table.as_deref())
            .collect::<Vec<_>>(),
        vec![Some("todos")]
    );
    assert_eq!(
        d.cleared
            .iter()
            .map(|f| f.table.as_deref())
            .collect::<Vec<_>>(),
        vec![Some("orders")]
    );
    assert!(diff_findings(&a, &a).is_empty());
}

#[test]
fn expected_vs_live_explains_what_is_missing() {
    let mut s = snapshot("a", schema(vec![users()]), vec![]);
    match expected_vs_live(&s) {
        Compared::Unavailable { reason } => assert!(reason.starts_with("expected:"), "{reason}"),
        other => panic!("{other:?}"),
    }
    s.schema = Section::skipped("no --database-url given");
    match expected_vs_live(&s) {
        Compared::Unavailable { reason } => {
            assert!(reason.contains("no --database-url"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn status_names_round_trip() {
    for s in Status::ALL {
        assert_eq!(Status::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
    }
    assert_eq!(Status::parse("bogus"), None);
}
