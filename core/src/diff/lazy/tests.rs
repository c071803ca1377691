//! The lazy comparison against the full one: over generated schemas of the three backends
//! (one-sided, equal, altered, partial and duplicate-column tables, every kind of constraint)
//! and generated view states, [`LazyDiff`] gives the same counts, rows, row texts, search
//! results, keyboard moves and, compared in full, the same [`SchemaDiff`] as
//! `expected_vs_live` / `diff_snapshots`; and it compares only the tables whose columns it
//! must show.

use std::rc::Rc;

use proptest::prelude::*;

use super::*;
use crate::actions;
use crate::code::ExpectedSchema;
use crate::code::expected::ReplayedMigration;
use crate::diff::{diff_snapshots_with_findings, expected_vs_live};
use crate::finding::Severity;
use crate::schema::Column;
use crate::section::Section;
use crate::testing::{check, col, fk, index, key, snapshot_of, table_in};
use crate::view::{Layout, SearchIndex, Selection, ViewState, filter, row_view};

const NAMES: [&str; 6] = [
    "users",
    "orders",
    "Items",
    "same",
    "_sqlx_migrations",
    "sqlite_seq",
];
const COLUMNS: [&str; 5] = ["id", "email", "name", "Nick", "created_at"];
const TYPES: [&str; 5] = ["integer", "bigint", "text", "character varying(20)", "INT"];
const DEFAULTS: [Option<&str>; 3] = [None, Some("0"), Some("'a'::text")];
const QUERIES: [&str; 9] = [
    "",
    "us",
    "ID",
    "public.users",
    "users.e",
    "pk",
    "_idx",
    "zz",
    " ",
];

/// One table's shape: which columns (type, nullability, default variant each), and which
/// constraints.
#[derive(Debug, Clone)]
struct Shape {
    schema: bool,
    columns: Vec<(usize, usize, bool, usize)>,
    pk: bool,
    unique: bool,
    check: bool,
    fk: bool,
    index: bool,
    view: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        any::<bool>(),
        prop::collection::vec(
            (0..COLUMNS.len(), 0..TYPES.len(), any::<bool>(), 0..3usize),
            0..5,
        ),
        any::<[bool; 6]>(),
    )
        .prop_map(|(schema, columns, b)| Shape {
            schema,
            columns,
            pk: b[0],
            unique: b[1],
            check: b[2],
            fk: b[3],
            index: b[4],
            view: b[5] && b[0] && b[1],
        })
}

fn build(name: &str, s: &Shape) -> Table {
    let cols = s
        .columns
        .iter()
        .enumerate()
        .map(|(i, &(n, ty, null, d))| Column {
            default: DEFAULTS[d].map(str::to_owned),
            ..col(i as i32 + 1, COLUMNS[n], TYPES[ty], null)
        })
        .collect();
    let mut t = table_in(if s.schema { "public" } else { "app" }, name, cols);
    if s.view {
        t.kind = TableKind::View;
    }
    if s.pk {
        t.primary_key = Some(key(&format!("{name}_pkey"), &["id"]));
    }
    if s.unique {
        t.unique_constraints
            .push(key(&format!("{name}_email_key"), &["email"]));
        t.indexes
            .push(index(&format!("{name}_email_key"), &["email"], true, None));
    }
    if s.check {
        t.check_constraints
            .push(check(&format!("{name}_chk"), "CHECK ((id > 0))"));
    }
    if s.fk {
        t.foreign_keys
            .push(fk(&format!("{name}_user_fk"), "id", "users", "cascade"));
    }
    if s.index {
        t.indexes
            .push(index(&format!("{name}_name_idx"), &["name"], false, None));
    }
    t
}

/// A side: for each name, absent or a shape (a shape index shared between the sides makes
/// equal tables).
type Side = Vec<Option<usize>>;

fn side() -> impl Strategy<Value = Side> {
    prop::collection::vec(prop::option::weighted(0.8, 0..4usize), NAMES.len())
}

fn tables(side: &Side, shapes: &[Shape]) -> Vec<Table> {
    side.iter()
        .zip(NAMES)
        .filter_map(|(s, n)| s.map(|s| build(n, &shapes[s])))
        .collect()
}

/// Two snapshots of `backend`, each with an expected schema (`partial` names the tables the
/// replay could not model).
fn snapshots(
    backend: Backend,
    shapes: &[Shape],
    sides: [&Side; 3],
    partial: &[bool],
) -> (Snapshot, Snapshot) {
    let expected = ExpectedSchema {
        schema: crate::testing::schema(tables(sides[0], shapes)),
        migrations: vec![ReplayedMigration {
            version: 1,
            file: "0001_init.sql".into(),
            statements: 1,
            not_modelled: 0,
        }],
        partial_tables: NAMES
            .iter()
            .zip(partial)
            .filter(|(_, p)| **p)
            .map(|(n, _)| n.to_string())
            .collect(),
        ..ExpectedSchema::default()
    };
    let make = |label: &str, side: &Side| {
        let mut s = snapshot_of(label, tables(side, shapes), Vec::new());
        s.target.backend = Some(backend);
        s.expected_schema = Section::collected(expected.clone());
        s
    };
    (make("a", sides[1]), make("b", sides[2]))
}

fn state() -> impl Strategy<Value = ViewState> {
    (
        prop::collection::vec(any::<bool>(), Status::ALL.len()),
        prop::collection::vec(any::<bool>(), 3),
        prop::collection::vec(any::<bool>(), 2),
        0..QUERIES.len(),
        prop::collection::vec(any::<bool>(), NAMES.len() * 2),
        any::<bool>(),
        0..12usize,
    )
        .prop_map(|(st, sev, act, q, exp, unified, cursor)| {
            let mut s = ViewState::new(1);
            s.filters.statuses = Status::ALL
                .into_iter()
                .zip(st)
                .filter(|(_, on)| *on)
                .map(|(s, _)| s)
                .collect();
            s.filters.severities = [Severity::Error, Severity::Warning, Severity::Info]
                .into_iter()
                .zip(sev)
                .filter(|(_, on)| *on)
                .map(|(s, _)| s)
                .collect();
            s.filters.actions = [actions::TABLES, actions::COLUMNS]
                .into_iter()
                .zip(act)
                .filter(|(_, on)| *on)
                .map(|(a, _)| a.to_string())
                .collect();
            s.filters.query = QUERIES[q].into();
            let keys = ["public", "app"]
                .into_iter()
                .flat_map(|s| NAMES.map(|n| format!("{s}.{n}")));
            s.expanded = keys
                .zip(exp)
                .filter(|(_, on)| *on)
                .map(|(k, _)| k)
                .collect();
            if unified {
                s.layout = Layout::Unified;
            }
            s.cursor = cursor;
            s
        })
}

/// Everything the view shows of `diff` in `state`, and where the keys lead.
fn shown(diff: &impl Tables, index: &SearchIndex, state: &ViewState) -> Vec<String> {
    let f = filter(diff, index, state);
    let mut out = vec![format!(
        "{} tables, {} columns, {} constraints, {:?}",
        f.tables,
        f.columns,
        f.constraints,
        diff.summary()
    )];
    out.extend(
        f.rows
            .iter()
            .map(|r| format!("{r:?} {:?}", row_view(diff, *r, state))),
    );
    let mut s = state.clone();
    for k in ["j", "j", "Enter", "k", "ArrowDown", "Enter", "/"] {
        let effect = s.on_key(k, false, &f.rows, diff);
        s.sync_cursor(&f.rows, diff);
        out.push(format!(
            "{k}: {effect:?} {:?} {} {:?}",
            s.focus, s.cursor, s.expanded
        ));
    }
    out
}

/// The lazy and the full comparison show the same in `state`, and compared in full are equal.
fn same(eager: &SchemaDiff, lazy: &LazyDiff, state: &ViewState) -> Result<(), TestCaseError> {
    let (ei, li) = (SearchIndex::new(eager), SearchIndex::new(lazy));
    prop_assert_eq!(shown(eager, &ei, state), shown(lazy, &li, state));
    if state.filters.query.trim().is_empty() {
        // The first screen is drawn before the index is built.
        let none = SearchIndex::default();
        prop_assert_eq!(shown(eager, &none, state), shown(lazy, &none, state));
    }
    prop_assert_eq!(&lazy.to_schema_diff(), eager);
    Ok(())
}

/// `s` with each expected table equal to a live table of the same name replaced by a
/// placeholder holding only its schema and name, and where those live tables are.
fn sharing(s: &Snapshot) -> (Snapshot, Vec<Option<usize>>) {
    let mut s = s.clone();
    let live = s
        .schema
        .data()
        .map(|l| l.tables.clone())
        .unwrap_or_default();
    let mut same = Vec::new();
    if let Section::Collected { data: e } = &mut s.expected_schema {
        for t in &mut e.schema.tables {
            let j = live.iter().position(|l| l == t);
            if j.is_some() {
                *t = Table::new(&t.schema, &t.name, TableKind::Table, Vec::new());
            }
            same.push(j);
        }
    }
    (s, same)
}

const BACKENDS: [Backend; 3] = [Backend::Postgres, Backend::Mysql, Backend::Sqlite];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn lazy_comparisons_show_what_full_ones_show(
        backend in 0..BACKENDS.len(),
        shapes in prop::collection::vec(shape(), 4),
        expected in side(),
        a in side(),
        b in side(),
        partial in prop::collection::vec(any::<bool>(), NAMES.len()),
        states in prop::collection::vec(state(), 4),
    ) {
        let (a, b) = snapshots(BACKENDS[backend], &shapes, [&expected, &a, &b], &partial);
        let (a, b) = (Rc::new(a), Rc::new(b));
        let Compared::Compared { diff: eager } = expected_vs_live(&a) else {
            return Err(TestCaseError::fail("expected vs live was not compared"));
        };
        let Compared::Compared { diff: lazy } = LazyDiff::expected_vs_live(a.clone()) else {
            return Err(TestCaseError::fail("lazily, expected vs live was not compared"));
        };
        for s in &states {
            same(&eager, &lazy, s)?;
        }
        // Each expected table equal to a live one replaced by a placeholder that the live one
        // stands in for (the viewer's reading of the page's compact form): the same again.
        let (shared, same_as_live) = sharing(&a);
        let Compared::Compared { diff: lazy } =
            LazyDiff::expected_vs_live_sharing(Rc::new(shared), same_as_live.into())
        else {
            return Err(TestCaseError::fail("sharing, expected vs live was not compared"));
        };
        for s in &states {
            same(&eager, &lazy, s)?;
        }
        let Compared::Compared { diff: eager } = diff_snapshots_with_findings(&a, &b, &[], &[]).schema
        else {
            return Err(TestCaseError::fail("A vs B was not compared"));
        };
        let Compared::Compared { diff: lazy } = LazyDiff::snapshots(a, b) else {
            return Err(TestCaseError::fail("lazily, A vs B was not compared"));
        };
        for s in &states {
            let s = ViewState { selection: Selection::Compare { a: 0, b: 1 }, ..s.clone() };
            same(&eager, &lazy, &s)?;
        }
    }
}

/// A large schema against a small expectation: the first screen compares only the tables that
/// differ on both sides; expanding a one-sided table compares that table alone.
#[test]
fn only_the_tables_shown_in_full_are_compared() {
    let shapes = [Shape {
        schema: true,
        columns: vec![(0, 0, false, 0), (1, 2, true, 1)],
        pk: true,
        unique: true,
        check: true,
        fk: true,
        index: true,
        view: false,
    }];
    let mut altered = shapes[0].clone();
    altered.columns[1].1 = 1;
    let live: Vec<Table> = (0..500)
        .map(|i| build(&format!("t{i:03}"), &shapes[0]))
        .collect();
    let mut expected = vec![build("t000", &shapes[0]), build("t001", &altered)];
    expected.push(build("gone", &shapes[0]));
    let mut snap = snapshot_of("big", live, Vec::new());
    snap.expected_schema = Section::collected(ExpectedSchema {
        schema: crate::testing::schema(expected),
        migrations: vec![ReplayedMigration {
            version: 1,
            file: "0001_init.sql".into(),
            statements: 1,
            not_modelled: 0,
        }],
        ..ExpectedSchema::default()
    });
    let Compared::Compared { diff } = LazyDiff::expected_vs_live(Rc::new(snap.clone())) else {
        panic!("not compared");
    };
    assert_eq!(diff.count(), 501);
    assert_eq!(
        diff.compared(),
        1,
        "only the altered table is compared up front"
    );
    let mut state = ViewState::new(1);
    let first = filter(&diff, &SearchIndex::default(), &state);
    assert_eq!(first.tables, 500);
    assert_eq!(first.columns, 2 + 2 * 498 + 1);
    for r in &first.rows {
        row_view(&diff, *r, &state).unwrap();
    }
    assert_eq!(
        diff.compared(),
        1,
        "drawing collapsed tables compares nothing"
    );
    state.expanded.insert("public.t250".into());
    let rows = filter(&diff, &SearchIndex::default(), &state).rows;
    for r in &rows {
        row_view(&diff, *r, &state).unwrap();
    }
    assert_eq!(diff.compared(), 2, "expanding a table compares it");
    let Compared::Compared { diff: eager } = expected_vs_live(&snap) else {
        panic!("not compared");
    };
    assert_eq!(diff.to_schema_diff(), eager);
}
