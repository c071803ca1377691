//! Unit tests of the schema, migration and findings comparisons.

use super::*;
use crate::backend::Backend;
use crate::code::ExpectedSchema;
use crate::finding::{Finding, Severity};
use crate::migrations::AppliedMigration;
use crate::schema::{ForeignKey, Schema, Table, TableKind};
use crate::section::Section;
use crate::snapshot::Snapshot;
use crate::testing::{applied, check, col, fk, index, key, schema, snapshot_of, table_in};

fn users() -> Table {
    table_in(
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
        table_in("public", "todos", vec![col(1, "id", "bigint", false)]),
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
    let live = schema(vec![table_in(
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
    let expected = schema(vec![table_in(
        "public",
        "t",
        vec![col(1, "a", "TIMESTAMP  WITH TIME ZONE", true)],
    )]);
    let live = schema(vec![table_in(
        "public",
        "t",
        vec![col(1, "a", "timestamp with time zone", true)],
    )]);
    assert!(diff_schemas(&expected, &live).is_empty());
}

#[test]
fn column_order_and_ordinal_shift_is_not_a_difference() {
    let expected = schema(vec![table_in(
        "public",
        "t",
        vec![col(1, "a", "int", true), col(2, "b", "int", true)],
    )]);
    let live = schema(vec![table_in(
        "public",
        "t",
        vec![col(1, "a", "int", true), col(3, "b", "int", true)],
    )]);
    assert!(diff_schemas(&expected, &live).is_empty());
}

#[test]
fn same_table_name_in_two_schemas_is_two_tables() {
    let expected = schema(vec![table_in("public", "t", vec![])]);
    let live = schema(vec![table_in("audit", "t", vec![])]);
    let d = diff_schemas(&expected, &live);
    let keys: Vec<String> = d.tables.iter().map(|t| t.key()).collect();
    assert_eq!(keys, vec!["audit.t", "public.t"]);
}

#[test]
fn output_is_deterministic_whatever_the_input_order() {
    let a = Schema {
        tables: vec![users(), table_in("public", "a", vec![])],
        ..Schema::default()
    };
    let b = Schema {
        tables: vec![table_in("public", "a", vec![]), users()],
        ..Schema::default()
    };
    let other = schema(vec![table_in("public", "z", vec![])]);
    assert_eq!(
        serde_json::to_string(&diff_schemas(&a, &other)).unwrap(),
        serde_json::to_string(&diff_schemas(&b, &other)).unwrap()
    );
}

#[test]
fn view_kind_change_alters_the_table() {
    let expected = schema(vec![table_in("public", "t", vec![])]);
    let mut v = table_in("public", "t", vec![]);
    v.kind = TableKind::View;
    let d = diff_schemas(&expected, &schema(vec![v]));
    assert_eq!(d.tables[0].status, TableStatus::Altered);
}

fn migration(version: i64, success: bool, checksum: &str) -> AppliedMigration {
    AppliedMigration {
        success,
        checksum: checksum.into(),
        ..applied(version, &format!("m{version}"))
    }
}

fn snapshot(label: &str, s: Schema, rows: Vec<AppliedMigration>) -> Snapshot {
    let mut snap = snapshot_of(label, Vec::new(), rows);
    snap.schema = Section::collected(s);
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
            table_in("public", "todos", vec![col(1, "id", "bigint", false)]),
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

/// todos(id, user_id, title) with a primary key, a foreign key to users, a check, a unique
/// constraint with its backing index, and a plain index: as Postgres' catalog reads it.
fn todos_live() -> Table {
    let mut t = table_in(
        "public",
        "todos",
        vec![
            col(1, "id", "bigint", false),
            col(2, "user_id", "bigint", false),
            col(3, "title", "text", false),
        ],
    );
    t.primary_key = Some(key("todos_pkey", &["id"]));
    t.unique_constraints = vec![key("todos_title_key", &["title"])];
    t.check_constraints = vec![check("todos_title_check", "CHECK ((length(title) > 0))")];
    t.foreign_keys = vec![fk("todos_user_id_fkey", "user_id", "users", "cascade")];
    let mut pk_index = index(
        "todos_pkey",
        &["id"],
        true,
        Some("CREATE UNIQUE INDEX todos_pkey ON public.todos USING btree (id)"),
    );
    pk_index.primary = true;
    t.indexes = vec![
        pk_index,
        index(
            "todos_title_key",
            &["title"],
            true,
            Some("CREATE UNIQUE INDEX todos_title_key ON public.todos USING btree (title)"),
        ),
        index(
            "todos_user_idx",
            &["user_id"],
            false,
            Some("CREATE INDEX todos_user_idx ON public.todos USING btree (user_id)"),
        ),
    ];
    t
}

fn constraint_rows(t: &TableDiff) -> Vec<(ConstraintKind, &str, Status)> {
    t.constraints
        .iter()
        .map(|c| (c.kind, c.name.as_str(), c.status))
        .collect()
}

#[test]
fn identical_constraints_and_indexes_are_ok_and_backing_indexes_are_not_listed_twice() {
    let s = schema(vec![todos_live()]);
    let d = diff_schemas(&s, &s);
    assert!(d.is_empty());
    assert_eq!(
        constraint_rows(&d.tables[0]),
        vec![
            (ConstraintKind::PrimaryKey, "todos_pkey", Status::Ok),
            (ConstraintKind::Unique, "todos_title_key", Status::Ok),
            (ConstraintKind::Check, "todos_title_check", Status::Ok),
            (ConstraintKind::ForeignKey, "todos_user_id_fkey", Status::Ok),
            (ConstraintKind::Index, "todos_user_idx", Status::Ok),
        ]
    );
    assert_eq!(d.summary.constraints_ok, 5);
}

#[test]
fn snapshot_vs_snapshot_reports_constraints_and_indexes_added_dropped_and_changed() {
    let a = schema(vec![todos_live()]);
    let mut t = todos_live();
    // Dropped: the plain index. Added: another one. Changed: the FK action, the check
    // expression, and an index whose columns are equal but whose definition is not.
    t.indexes.retain(|i| i.name != "todos_user_idx");
    t.indexes.push(index(
        "todos_title_idx",
        &["title"],
        false,
        Some("CREATE INDEX todos_title_idx ON public.todos USING btree (title)"),
    ));
    t.foreign_keys[0].on_delete = "restrict".into();
    t.check_constraints[0].expression = "CHECK ((length(title) > 1))".into();
    let mut a2 = todos_live();
    a2.name = "notes".into();
    let mut b2 = a2.clone();
    b2.indexes[2].definition =
        Some("CREATE INDEX todos_user_idx ON public.notes USING hash (user_id)".into());
    let a = schema(vec![a.tables[0].clone(), a2]);
    let d = diff_schemas(&a, &schema(vec![t, b2]));
    let todos = d.tables.iter().find(|t| t.name == "todos").unwrap();
    assert_eq!(todos.status, TableStatus::Altered);
    assert_eq!(
        constraint_rows(todos),
        vec![
            (ConstraintKind::PrimaryKey, "todos_pkey", Status::Ok),
            (ConstraintKind::Unique, "todos_title_key", Status::Ok),
            (ConstraintKind::Check, "todos_title_check", Status::Changed),
            (
                ConstraintKind::ForeignKey,
                "todos_user_id_fkey",
                Status::Changed
            ),
            (ConstraintKind::Index, "todos_user_idx", Status::Missing),
            (ConstraintKind::Index, "todos_title_idx", Status::Unexpected),
        ]
    );
    let fk = &todos.constraints[3];
    assert_eq!(
        fk.left.as_deref(),
        Some("FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE cascade")
    );
    assert_eq!(
        fk.right.as_deref(),
        Some("FOREIGN KEY (user_id) REFERENCES public.users (id) ON DELETE restrict")
    );
    assert_eq!(fk.severity(), Some(Severity::Warning));
    assert_eq!(fk.action(), Some(crate::actions::TABLES));
    // Same columns, another method: the short form is equal, so the definitions are shown.
    let notes = d.tables.iter().find(|t| t.name == "notes").unwrap();
    let idx = notes
        .constraints
        .iter()
        .find(|c| c.kind == ConstraintKind::Index)
        .unwrap();
    assert_eq!(idx.status, Status::Changed);
    assert!(
        idx.right.as_deref().unwrap().contains("USING hash"),
        "{idx:?}"
    );
    assert_eq!(d.summary.constraints_missing, 1);
    assert_eq!(d.summary.constraints_unexpected, 1);
    assert_eq!(d.summary.constraints_changed, 3);
    assert_eq!(d.summary.constraints_ok, 4 + 2);
    assert_eq!(d.summary.tables_altered, 2);
}

#[test]
fn a_renamed_primary_key_is_changed_not_dropped_and_added() {
    let a = schema(vec![todos_live()]);
    let mut t = todos_live();
    t.primary_key = Some(key("todos_id_pk", &["id"]));
    let d = diff_schemas(&a, &schema(vec![t]));
    assert_eq!(
        constraint_rows(&d.tables[0])[0],
        (ConstraintKind::PrimaryKey, "todos_pkey", Status::Changed)
    );
}

#[test]
fn a_dropped_table_lists_its_constraints_without_counting_them() {
    let a = schema(vec![todos_live()]);
    let d = diff_schemas(&a, &schema(vec![]));
    assert_eq!(d.tables[0].constraints.len(), 5);
    assert!(
        d.tables[0]
            .constraints
            .iter()
            .all(|c| c.status == Status::Missing && c.right.is_none())
    );
    assert_eq!(d.summary.constraints_missing, 0);
}

/// What the migration replay makes of todos: constraint names of its own (as when the live
/// database is SQLite), definitions printed by sqlparser, no backing-index definitions.
fn todos_expected() -> Table {
    let mut t = todos_live();
    t.primary_key = Some(key("todos_pkey", &["id"]));
    t.unique_constraints = vec![key("todos_title_uq", &["title"])];
    t.check_constraints = vec![check("todos_title_check", "length(title) > 0")];
    t.foreign_keys = vec![ForeignKey {
        referenced_columns: vec![],
        on_delete: "CASCADE".into(),
        ..fk("todos_user_fk", "user_id", "users", "cascade")
    }];
    t.indexes = vec![
        index("todos_title_uq", &["title"], true, None),
        index(
            "todos_user_idx",
            &["user_id"],
            false,
            Some("CREATE INDEX todos_user_idx ON todos (user_id)"),
        ),
    ];
    t
}

fn expected(tables: Vec<Table>, partial: &[&str]) -> ExpectedSchema {
    ExpectedSchema {
        schema: schema(tables),
        partial_tables: partial.iter().map(|p| p.to_string()).collect(),
        migrations: vec![crate::code::expected::ReplayedMigration {
            version: 1,
            file: "0001_init.sql".into(),
            statements: 3,
            not_modelled: 0,
        }],
        ..ExpectedSchema::default()
    }
}

#[test]
fn expected_vs_live_matches_constraints_by_shape_not_by_name_or_spelling() {
    let e = expected(vec![todos_expected()], &[]);
    let d = diff_expected(
        &e,
        &schema(vec![todos_live()]),
        Some(Backend::Postgres),
        &[],
    );
    assert!(d.is_empty(), "{:#?}", d.tables[0].constraints);
    assert_eq!(d.summary.constraints_ok, 5);
}

#[test]
fn expected_vs_live_reports_a_missing_index_and_a_changed_one() {
    let mut t = todos_expected();
    t.indexes
        .push(index("todos_title_idx", &["lower(title)"], false, None));
    t.indexes[1].unique = true;
    let e = expected(vec![t], &[]);
    let d = diff_expected(
        &e,
        &schema(vec![todos_live()]),
        Some(Backend::Postgres),
        &[],
    );
    let rows = constraint_rows(&d.tables[0]);
    assert!(
        rows.contains(&(ConstraintKind::Index, "todos_title_idx", Status::Missing)),
        "{rows:?}"
    );
    assert!(
        rows.contains(&(ConstraintKind::Index, "todos_user_idx", Status::Changed)),
        "{rows:?}"
    );
    assert_eq!(d.summary.constraints_missing, 1);
    assert_eq!(d.summary.constraints_changed, 1);
    // The expression index, once created, matches whatever Postgres prints for it.
    let mut live = todos_live();
    live.indexes[2].unique = true;
    live.indexes.push(index(
        "todos_title_idx",
        &["lower((title)::text)"],
        false,
        None,
    ));
    let d = diff_expected(&e, &schema(vec![live]), Some(Backend::Postgres), &[]);
    assert!(d.is_empty(), "{:#?}", d.tables[0].constraints);
}

#[test]
fn expected_checks_are_not_compared_against_sqlite_which_lists_none() {
    let e = expected(vec![todos_expected()], &[]);
    let mut live = todos_live();
    live.check_constraints.clear();
    let d = diff_expected(&e, &schema(vec![live.clone()]), Some(Backend::Sqlite), &[]);
    assert!(d.is_empty(), "{:#?}", d.tables[0].constraints);
    let d = diff_expected(&e, &schema(vec![live]), Some(Backend::Postgres), &[]);
    assert_eq!(
        constraint_rows(&d.tables[0])[2],
        (ConstraintKind::Check, "todos_title_check", Status::Missing)
    );
}

#[test]
fn expected_vs_live_ignores_spelling_of_defaults_types_and_primary_key_nullability() {
    let mut e = users();
    e.primary_key = Some(key("users_pkey", &["id"]));
    e.columns[2].default = Some("'anon'".into());
    e.columns[1].data_type = "varchar(20)".into();
    let mut live = e.clone();
    // SQLite's pragma says a non-INTEGER primary key column allows NULL.
    live.columns[0].nullable = true;
    live.columns[1].data_type = "character varying(20)".into();
    live.columns[2].default = Some("'anon'::text".into());
    let d = diff_expected(
        &expected(vec![e], &[]),
        &schema(vec![live]),
        Some(Backend::Postgres),
        &[],
    );
    assert!(d.is_empty(), "{:#?}", d.tables[0].columns);
}

#[test]
fn expected_vs_live_compares_the_replayed_schema() {
    let mut s = snapshot("a", schema(vec![users()]), vec![]);
    let mut live_users = users();
    live_users.columns.retain(|c| c.name != "email");
    live_users.columns.push(col(4, "nick", "text", true));
    let migrations_table = table_in(
        "public",
        "_sqlx_migrations",
        vec![col(1, "version", "bigint", false)],
    );
    let view_live = table_in("public", "report", vec![col(1, "n", "bigint", true)]);
    let mut view_expected = table_in("public", "report", vec![]);
    view_expected.kind = TableKind::View;
    let mut view_live = view_live;
    view_live.kind = TableKind::View;
    s.schema = Section::collected(schema(vec![live_users, migrations_table, view_live]));
    s.expected_schema = Section::collected(expected(vec![users(), view_expected], &["report"]));
    let d = match expected_vs_live(&s) {
        Compared::Compared { diff } => diff,
        other => panic!("{other:?}"),
    };
    let keys: Vec<(String, TableStatus)> = d.tables.iter().map(|t| (t.key(), t.status)).collect();
    assert_eq!(
        keys,
        vec![
            // The view the replay could not model has no unexpected columns; the migrations
            // table is nobody's difference.
            ("public.report".to_string(), TableStatus::Ok),
            ("public.users".to_string(), TableStatus::Altered),
        ]
    );
    let users = &d.tables[1];
    let cols: Vec<(&str, Status)> = users
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.status))
        .collect();
    assert_eq!(
        cols,
        vec![
            ("id", Status::Ok),
            ("email", Status::Missing),
            ("name", Status::Ok),
            ("nick", Status::Unexpected),
        ]
    );
    assert_eq!(d.summary.columns_missing, 1);
    assert_eq!(d.summary.columns_unexpected, 1);
}

#[test]
fn an_expected_schema_without_migrations_is_not_compared() {
    let mut s = snapshot("a", schema(vec![users()]), vec![]);
    s.expected_schema = Section::collected(ExpectedSchema::default());
    match expected_vs_live(&s) {
        Compared::Unavailable { reason } => {
            assert!(reason.contains("no local migration"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

/// A table with every kind of constraint and index, defaults, and columns out of ordinal order.
fn rich_table() -> Table {
    let mut t = table_in(
        "app",
        "orders",
        vec![
            col(3, "total", "numeric(10, 2)", true),
            col(1, "id", "bigint", true),
            col(2, "user_id", "bigint", false),
            col(4, "state", "text", false),
        ],
    );
    t.columns[0].default = Some("0".into());
    t.columns[3].default = Some("'new'::text".into());
    t.primary_key = Some(key("orders_pkey", &["id"]));
    t.unique_constraints = vec![key("orders_state_key", &["state", "user_id"])];
    t.check_constraints = vec![check("orders_total_check", "CHECK ((total >= 0))")];
    t.foreign_keys = vec![fk("orders_user_fk", "user_id", "users", "CASCADE")];
    t.indexes = vec![index("orders_user_idx", &["user_id"], false, None)];
    t
}

/// Equal tables take a shortcut (no pairing, no normalisation): it must give exactly what the
/// full comparison gives. A column's `identity` is not compared, so a table differing only
/// there goes the full way and must come out the same, but for that field.
#[test]
fn equal_tables_compare_as_the_full_comparison_does() {
    let t = rich_table();
    let mut other = t.clone();
    other.columns[1].identity = Some("ALWAYS".into());
    let strip = |mut d: SchemaDiff| {
        for c in d.tables.iter_mut().flat_map(|t| t.columns.iter_mut()) {
            for side in [c.left.as_mut(), c.right.as_mut()].into_iter().flatten() {
                side.identity = None;
            }
        }
        d
    };
    for backend in [Backend::Postgres, Backend::Sqlite, Backend::Mysql] {
        let expected = |s: &Table| ExpectedSchema {
            schema: schema(vec![s.clone()]),
            ..Default::default()
        };
        let shortcut = diff_expected(&expected(&t), &schema(vec![t.clone()]), Some(backend), &[]);
        let full = diff_expected(
            &expected(&t),
            &schema(vec![other.clone()]),
            Some(backend),
            &[],
        );
        assert_eq!(strip(shortcut.clone()), strip(full), "{backend:?}");
        let cons = &shortcut.tables[0].constraints;
        assert_eq!(cons.len(), if backend == Backend::Sqlite { 4 } else { 5 });
        assert!(
            cons.iter()
                .all(|c| c.status == Status::Ok && c.left == c.right)
        );
    }
    let shortcut = diff_schemas(&schema(vec![t.clone()]), &schema(vec![t.clone()]));
    let full = diff_schemas(&schema(vec![t.clone()]), &schema(vec![other]));
    assert_eq!(strip(shortcut.clone()), strip(full));
    let names: Vec<&str> = shortcut.tables[0]
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["id", "user_id", "total", "state"], "ordinal order");
}

/// Two columns of one name (a damaged snapshot) go the full way: each pairs with the last of
/// its namesakes, as before the shortcut.
#[test]
fn equal_tables_with_a_repeated_column_name_compare_in_full() {
    let t = table_in(
        "public",
        "dup",
        vec![col(1, "a", "bigint", false), col(2, "a", "text", true)],
    );
    let d = diff_schemas(&schema(vec![t.clone()]), &schema(vec![t]));
    let first = &d.tables[0].columns[0];
    assert_eq!(first.changes, vec![Status::Type, Status::Nullability]);
    assert_eq!(d.tables[0].status, TableStatus::Altered);
}

/// Texts spelled differently but equal once normalised are still no difference (the
/// normalisation runs when the texts differ).
#[test]
fn differently_spelled_equal_types_and_defaults_are_ok() {
    let mut l = rich_table();
    let mut r = rich_table();
    l.columns[0].data_type = "NUMERIC(10,2)".into();
    l.columns[3].default = Some("'new'".into());
    r.columns[0].default = Some("(0)".into());
    let e = ExpectedSchema {
        schema: schema(vec![l]),
        ..Default::default()
    };
    let d = diff_expected(&e, &schema(vec![r]), Some(Backend::Postgres), &[]);
    assert_eq!(d.tables[0].status, TableStatus::Ok, "{:?}", d.tables[0]);
}
