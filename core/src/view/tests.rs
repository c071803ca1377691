//! Unit tests of the viewer's filters, search, windowing, fragment and keyboard model.

use super::*;
use crate::diff::{SchemaDiff, diff_schemas};
use crate::finding::FindingKind;
use crate::schema::Schema;
use crate::testing::{col, table};

/// expected: users(id, email, name), orders(id), same(id)
/// live:     users(id integer, email NULL, nick), todos(id), same(id)
fn sample() -> SchemaDiff {
    let expected = Schema {
        tables: vec![
            table(
                "users",
                vec![
                    col(1, "id", "bigint", false),
                    col(2, "email", "text", false),
                    col(3, "name", "text", true),
                ],
            ),
            table("orders", vec![col(1, "id", "bigint", false)]),
            table("same", vec![col(1, "id", "bigint", false)]),
        ],
        ..Schema::default()
    };
    let live = Schema {
        tables: vec![
            table(
                "users",
                vec![
                    col(1, "id", "integer", false),
                    col(2, "email", "text", true),
                    col(3, "nick", "text", true),
                ],
            ),
            table("todos", vec![col(1, "id", "bigint", false)]),
            table("same", vec![col(1, "id", "bigint", false)]),
        ],
        ..Schema::default()
    };
    diff_schemas(&expected, &live)
}

fn keys(diff: &SchemaDiff, state: &ViewState) -> Vec<String> {
    let f = filter(diff, &SearchIndex::new(diff), state);
    f.rows
        .iter()
        .map(|r| row_view(diff, *r, state).unwrap().key)
        .collect()
}

fn state() -> ViewState {
    ViewState::new(1)
}

#[test]
fn default_filters_show_differences_collapsed_and_hide_ok_tables() {
    let d = sample();
    assert_eq!(
        keys(&d, &state()),
        vec!["public.orders", "public.todos", "public.users"]
    );
}

#[test]
fn expanding_a_table_shows_its_differing_columns() {
    let d = sample();
    let mut s = state();
    s.expanded.insert("public.users".into());
    assert_eq!(
        keys(&d, &s),
        vec![
            "public.orders",
            "public.todos",
            "public.users",
            "public.users.id",
            "public.users.email",
            "public.users.name",
            "public.users.nick",
        ]
    );
}

#[test]
fn status_filter_type_shows_only_tables_with_type_changes() {
    let d = sample();
    let mut s = state();
    s.filters.statuses = [Status::Type].into();
    s.expanded.insert("public.users".into());
    assert_eq!(keys(&d, &s), vec!["public.users", "public.users.id"]);
    let f = filter(&d, &SearchIndex::new(&d), &s);
    assert_eq!((f.tables, f.columns), (1, 1));
}

#[test]
fn status_filter_ok_shows_only_identical_tables() {
    let d = sample();
    let mut s = state();
    s.filters.statuses = [Status::Ok].into();
    // users has no ok column; "same" is identical.
    assert_eq!(keys(&d, &s), vec!["public.same"]);
}

#[test]
fn missing_filter_matches_missing_tables_and_missing_columns() {
    let d = sample();
    let mut s = state();
    s.filters.statuses = [Status::Missing].into();
    s.expanded.insert("public.users".into());
    assert_eq!(
        keys(&d, &s),
        vec!["public.orders", "public.users", "public.users.name"]
    );
}

#[test]
fn severity_filter_error_hides_info_and_warning_rows() {
    let d = sample();
    let mut s = state();
    s.filters.severities = [Severity::Error].into();
    s.expanded.insert("public.users".into());
    // todos (unexpected: info), email (nullability: warning), nick (unexpected: info) hidden.
    assert_eq!(
        keys(&d, &s),
        vec![
            "public.orders",
            "public.users",
            "public.users.id",
            "public.users.name"
        ]
    );
}

#[test]
fn action_filter_tables_only() {
    let d = sample();
    let mut s = state();
    s.filters.actions = ["ACTION-004".to_string()].into();
    assert_eq!(keys(&d, &s), vec!["public.orders", "public.todos"]);
}

#[test]
fn no_matching_rows_is_an_empty_list_not_an_error() {
    let d = sample();
    let mut s = state();
    s.filters.query = "nothing-like-this".into();
    let f = filter(&d, &SearchIndex::new(&d), &s);
    assert!(f.rows.is_empty());
    assert_eq!((f.tables, f.columns), (0, 0));
}

#[test]
fn search_on_a_column_name_shows_that_column_under_its_table() {
    let d = sample();
    let mut s = state();
    s.filters.query = "EMA".into();
    assert_eq!(keys(&d, &s), vec!["public.users", "public.users.email"]);
    s.filters.query = "users.nick".into();
    assert_eq!(keys(&d, &s), vec!["public.users", "public.users.nick"]);
}

#[test]
fn search_on_a_table_name_keeps_it_collapsed() {
    let d = sample();
    let mut s = state();
    s.filters.query = "public.ord".into();
    assert_eq!(keys(&d, &s), vec!["public.orders"]);
}

#[test]
fn unified_and_side_by_side_layouts() {
    let d = sample();
    let mut s = state();
    s.expanded.insert("public.users".into());
    let f = filter(&d, &SearchIndex::new(&d), &s);
    let id = f.rows[3];
    let v = row_view(&d, id, &s).unwrap();
    assert_eq!(
        (v.status, v.left.as_str(), v.right.as_str()),
        ("type", "bigint NOT NULL", "integer NOT NULL")
    );
    s.layout = Layout::Unified;
    let v = row_view(&d, id, &s).unwrap();
    assert_eq!(v.left, "- bigint NOT NULL  + integer NOT NULL");
    assert_eq!(v.right, "");
    let orders = row_view(&d, f.rows[0], &s).unwrap();
    assert_eq!(orders.left, "- table (1 columns)");
    assert_eq!(orders.expanded, Some(false));
}

#[test]
fn compare_mode_says_added_and_dropped() {
    let d = sample();
    let s = ViewState::new(2);
    let f = filter(&d, &SearchIndex::new(&d), &s);
    let words: Vec<&str> = f
        .rows
        .iter()
        .map(|r| row_view(&d, *r, &s).unwrap().status)
        .collect();
    assert_eq!(words, vec!["dropped", "added", "altered"]);
}

#[test]
fn window_renders_only_visible_rows() {
    assert_eq!(window(10_000, 0.0, 600.0, 24.0, 5), 0..31);
    assert_eq!(window(10_000, 2400.0, 600.0, 24.0, 5), 95..131);
    assert_eq!(window(10, 2400.0, 600.0, 24.0, 5), 10..10);
    assert_eq!(window(0, 0.0, 600.0, 24.0, 5), 0..0);
    assert_eq!(window(100, -50.0, 600.0, 0.0, 5), 0..0);
    let w = window(10_000, 1e6, 600.0, 24.0, 5);
    assert!(w.len() <= 26 + 10, "{w:?}");
}

#[test]
fn fragment_round_trips_selection_and_filters() {
    let mut s = ViewState::new(3);
    s.selection = Selection::Compare { a: 2, b: 1 };
    s.filters.statuses = [Status::Missing, Status::Type].into();
    s.filters.severities = [Severity::Error].into();
    s.filters.actions = ["ACTION-005".to_string()].into();
    s.filters.query = "user email&x=#1".into();
    s.layout = Layout::Unified;
    s.expanded = ["public.users".to_string()].into();
    s.focus = Some("public.users".into());
    let text = to_fragment(&s);
    assert_eq!(
        text,
        "view=compare&a=2&b=1&status=missing%2Ctype&sev=error&action=ACTION-005&q=user%20email%26x%3D%231&layout=unified&open=public.users&t=public.users"
    );
    assert_eq!(from_fragment(&format!("#{text}"), 3), s);
}

#[test]
fn default_state_has_a_short_fragment() {
    assert_eq!(to_fragment(&ViewState::new(2)), "view=compare&a=0&b=1");
    assert_eq!(to_fragment(&ViewState::new(1)), "view=expected&s=0");
    assert_eq!(from_fragment("", 2), ViewState::new(2));
}

#[test]
fn bad_fragments_fall_back_to_defaults() {
    let s = from_fragment(
        "#view=compare&a=0&b=9&status=bogus,type&sev=fatal&layout=x&zzz=1",
        2,
    );
    assert_eq!(s.selection, Selection::Compare { a: 0, b: 1 });
    assert_eq!(s.filters.statuses, [Status::Type].into());
    assert!(s.filters.severities.is_empty());
    assert_eq!(s.layout, Layout::SideBySide);
    let s = from_fragment("#view=expected&s=abc%ZZ", 1);
    assert_eq!(s.selection, Selection::Expected { snapshot: 0 });
    let s = from_fragment("status=", 1);
    assert!(
        s.filters.statuses.is_empty(),
        "an explicit empty list shows nothing"
    );
}

#[test]
fn a_deep_link_to_a_table_expands_and_focuses_it() {
    let d = sample();
    let mut s = from_fragment("#view=expected&s=0&t=public.users", 1);
    assert!(s.expanded.contains("public.users"));
    let f = filter(&d, &SearchIndex::new(&d), &s);
    s.sync_cursor(&f.rows, &d);
    assert_eq!(
        row_view(&d, f.rows[s.cursor], &s).unwrap().key,
        "public.users"
    );
}

#[test]
fn keyboard_slash_j_k_enter() {
    let d = sample();
    let mut s = state();
    let idx = SearchIndex::new(&d);
    let rows = filter(&d, &idx, &s).rows;
    assert_eq!(s.on_key("/", false, &rows, &d), KeyEffect::FocusSearch);
    assert_eq!(
        s.on_key("j", true, &rows, &d),
        KeyEffect::Ignored,
        "typing j in search"
    );
    assert_eq!(s.on_key("Escape", true, &rows, &d), KeyEffect::BlurSearch);
    assert_eq!(s.on_key("j", false, &rows, &d), KeyEffect::Moved);
    assert_eq!(s.on_key("j", false, &rows, &d), KeyEffect::Moved);
    assert_eq!(
        s.on_key("j", false, &rows, &d),
        KeyEffect::Moved,
        "stays on the last row"
    );
    assert_eq!(s.cursor, 2);
    assert_eq!(s.focus.as_deref(), Some("public.users"));
    assert_eq!(s.on_key("Enter", false, &rows, &d), KeyEffect::Toggled);
    assert!(s.expanded.contains("public.users"));
    let rows = filter(&d, &idx, &s).rows;
    assert_eq!(rows.len(), 7);
    assert_eq!(s.on_key("j", false, &rows, &d), KeyEffect::Moved);
    assert_eq!(
        s.on_key("Enter", false, &rows, &d),
        KeyEffect::Toggled,
        "Enter on a column collapses its table"
    );
    assert!(!s.expanded.contains("public.users"));
    let rows = filter(&d, &idx, &s).rows;
    s.sync_cursor(&rows, &d);
    assert_eq!(s.cursor, 2, "cursor back on the collapsed table");
    assert_eq!(s.on_key("k", false, &rows, &d), KeyEffect::Moved);
    assert_eq!(s.cursor, 1);
    assert_eq!(s.on_key("x", false, &rows, &d), KeyEffect::Ignored);
}

#[test]
fn findings_filtered_by_severity_action_and_search() {
    let fs = vec![
        Finding::new(
            FindingKind::TableMissing,
            Severity::Error,
            "ACTION-004",
            "a",
        )
        .table("users"),
        Finding::new(
            FindingKind::ColumnUnexpected,
            Severity::Info,
            "ACTION-005",
            "b",
        )
        .table("orders")
        .column("note"),
        Finding::new(
            FindingKind::MigrationPending,
            Severity::Error,
            "ACTION-002",
            "c",
        ),
    ];
    let mut f = Filters::default();
    assert_eq!(filter_findings(&fs, &f).len(), 3);
    f.severities = [Severity::Error].into();
    assert_eq!(filter_findings(&fs, &f).len(), 2);
    f.actions = ["ACTION-004".to_string()].into();
    assert_eq!(filter_findings(&fs, &f)[0].message, "a");
    let f = Filters {
        query: "NOTE".into(),
        ..Filters::default()
    };
    assert_eq!(filter_findings(&fs, &f)[0].message, "b");
}

/// users with an index on email on the left; on the right that index dropped and a unique one
/// on name added.
fn indexed() -> SchemaDiff {
    use crate::schema::Index;
    let idx = |name: &str, col: &str, unique: bool| Index {
        name: name.into(),
        columns: vec![col.into()],
        unique,
        primary: false,
        definition: None,
    };
    let mut l = table("users", vec![col(1, "email", "text", false)]);
    l.indexes = vec![idx("users_email_idx", "email", false)];
    let mut r = l.clone();
    r.indexes = vec![idx("users_email_uidx", "email", true)];
    let left = Schema {
        tables: vec![l],
        ..Schema::default()
    };
    let right = Schema {
        tables: vec![r],
        ..Schema::default()
    };
    diff_schemas(&left, &right)
}

#[test]
fn constraint_and_index_rows_show_under_their_table_and_obey_the_filters() {
    let d = indexed();
    let mut s = ViewState::new(2);
    assert_eq!(keys(&d, &s), vec!["public.users"]);
    s.expanded.insert("public.users".into());
    assert_eq!(
        keys(&d, &s),
        vec![
            "public.users",
            "public.users/index/users_email_idx",
            "public.users/index/users_email_uidx"
        ]
    );
    let f = filter(&d, &SearchIndex::new(&d), &s);
    assert_eq!((f.tables, f.columns, f.constraints), (1, 0, 2));
    let v = row_view(&d, f.rows[1], &s).unwrap();
    assert_eq!(
        (v.status, v.name.as_str(), v.left.as_str(), v.right.as_str()),
        ("dropped", "index users_email_idx", "INDEX (email)", ABSENT)
    );
    s.filters.statuses = [Status::Unexpected].into();
    assert_eq!(
        keys(&d, &s),
        vec!["public.users", "public.users/index/users_email_uidx"]
    );
    s.filters.statuses = [Status::Type].into();
    assert!(keys(&d, &s).is_empty());
}

#[test]
fn search_finds_an_index_by_name_and_the_changed_filter_finds_a_changed_one() {
    let d = indexed();
    let mut s = state();
    s.filters.query = "UIDX".into();
    assert_eq!(
        keys(&d, &s),
        vec!["public.users", "public.users/index/users_email_uidx"]
    );
    // Same name, now unique: changed, a warning under ACTION-004.
    use crate::schema::Index;
    let mut l = table("t", vec![]);
    l.indexes = vec![Index {
        name: "t_a_idx".into(),
        columns: vec!["a".into()],
        unique: false,
        primary: false,
        definition: None,
    }];
    let mut r = l.clone();
    r.indexes[0].unique = true;
    let d = diff_schemas(
        &Schema {
            tables: vec![l],
            ..Schema::default()
        },
        &Schema {
            tables: vec![r],
            ..Schema::default()
        },
    );
    let mut s = state();
    s.filters.statuses = [Status::Changed].into();
    s.filters.severities = [Severity::Warning].into();
    s.filters.actions = ["ACTION-004".to_string()].into();
    s.expanded.insert("public.t".into());
    assert_eq!(keys(&d, &s), vec!["public.t", "public.t/index/t_a_idx"]);
    let f = filter(&d, &SearchIndex::new(&d), &s);
    s.layout = Layout::Unified;
    assert_eq!(
        row_view(&d, f.rows[1], &s).unwrap().left,
        "- INDEX (a)  + UNIQUE INDEX (a)"
    );
}

#[test]
fn expected_vs_live_rows_name_the_missing_column() {
    use crate::Section;
    use crate::code::ExpectedSchema;
    use crate::code::expected::ReplayedMigration;
    use crate::diff::{Compared, expected_vs_live};
    use crate::snapshot::{Snapshot, Target};
    let users = |cols: Vec<Column>| Schema {
        tables: vec![table("users", cols)],
        ..Schema::default()
    };
    let mut snap = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Target::default());
    snap.schema = Section::collected(users(vec![col(1, "id", "bigint", false)]));
    snap.expected_schema = Section::collected(ExpectedSchema {
        schema: users(vec![
            col(1, "id", "bigint", false),
            col(2, "email", "text", false),
        ]),
        migrations: vec![ReplayedMigration {
            version: 1,
            file: "0001_users.sql".into(),
            statements: 1,
            not_modelled: 0,
        }],
        ..ExpectedSchema::default()
    });
    let Compared::Compared { diff: d } = expected_vs_live(&snap) else {
        panic!("expected vs live was not compared");
    };
    let s = from_fragment("#view=expected&s=0&t=public.users", 1);
    assert_eq!(keys(&d, &s), vec!["public.users", "public.users.email"]);
    let f = filter(&d, &SearchIndex::new(&d), &s);
    let v = row_view(&d, f.rows[1], &s).unwrap();
    assert_eq!(
        (v.status, v.left.as_str(), v.right.as_str()),
        ("missing", "text NOT NULL", ABSENT)
    );
}

/// Without a search the index is not read: the first screen can be drawn before it is built,
/// and is the same screen. A search needs it (the page builds it first).
#[test]
fn without_a_search_the_rows_need_no_index() {
    let d = sample();
    let mut s = state();
    s.filters.statuses = Status::ALL.into_iter().collect();
    s.expanded.insert("public.users".into());
    let empty = SearchIndex::default();
    assert!(!empty.covers(&d) && SearchIndex::new(&d).covers(&d));
    assert_eq!(
        filter(&d, &empty, &s),
        filter(&d, &SearchIndex::new(&d), &s)
    );
    assert_eq!(filter(&d, &empty, &s).rows.len(), 5 + 3);
    s.filters.query = "email".into();
    assert!(filter(&d, &empty, &s).rows.is_empty());
    assert_eq!(filter(&d, &SearchIndex::new(&d), &s).columns, 1);
}

/// Ok tables are passed over without looking at their columns unless ok rows are shown: the
/// rows are those of a filter that looks at every column.
#[test]
fn ok_tables_are_skipped_only_when_ok_rows_are_hidden() {
    let d = sample();
    let idx = SearchIndex::new(&d);
    for q in ["", "id", "same", "same.id"] {
        let mut s = state();
        s.filters.query = q.into();
        s.expanded.insert("public.same".into());
        let hidden = filter(&d, &idx, &s);
        assert!(
            hidden
                .rows
                .iter()
                .all(|r| d.tables[r.table()].status != TableStatus::Ok),
            "{q}"
        );
        s.filters.statuses.insert(Status::Ok);
        let shown = filter(&d, &idx, &s);
        assert!(
            shown
                .rows
                .iter()
                .any(|r| d.tables[r.table()].key() == "public.same"),
            "{q}: {:?}",
            shown.rows
        );
    }
}
