//! Property-based tests of the viewer's JSON reader and page-data parser, run natively: any
//! text is read or refused (never a panic), every valid JSON document is skipped whole,
//! strings and integers read back exactly, and mutated page data is read or refused with a
//! position. `scripts/fuzz` runs them with `PROPTEST_CASES` set high.

use proptest::prelude::*;

use crate::data::parse_data;
use crate::json::Reader;
use gaps_core::Section;
use gaps_core::snapshot::Snapshot;
use std::rc::Rc;

/// `PROPTEST_CASES` when set, else the bounded default for `cargo test`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<u64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| serde_json::json!(f)),
        any::<String>().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn skip_all(text: &str) -> Result<(), crate::json::Error> {
    let mut r = Reader::new(text);
    r.skip()?;
    r.end()
}

/// A page's data as `gaps report` embeds it.
fn page_data() -> String {
    let s = gaps_site::sample::evidence_snapshot();
    let f = gaps_core::rules::analyse(&s);
    serde_json::json!({ "snapshots": [s], "findings": [f] }).to_string()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// Every JSON document serde_json writes, compact or pretty, is skipped whole.
    #[test]
    fn any_valid_json_is_skipped_whole(v in json_value()) {
        prop_assert!(skip_all(&v.to_string()).is_ok(), "{v}");
        prop_assert!(skip_all(&serde_json::to_string_pretty(&v).unwrap()).is_ok());
    }

    /// Any text: read or refused, and what the reader accepts is JSON.
    #[test]
    fn any_text_is_read_or_refused(text in any::<String>()) {
        if skip_all(&text).is_ok() {
            prop_assert!(serde_json::from_str::<serde_json::Value>(&text).is_ok(), "{text:?}");
        }
        let _ = parse_data(&text);
    }

    /// Strings and integers read back exactly, escapes included.
    #[test]
    fn strings_and_integers_read_back_exactly(s in any::<String>(), n in any::<i64>()) {
        let text = serde_json::to_string(&s).unwrap();
        prop_assert_eq!(Reader::new(&text).string().unwrap(), s);
        prop_assert_eq!(Reader::new(&n.to_string()).int().unwrap(), n);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    /// Damaged page data is read or refused (with a position), never a panic.
    #[test]
    fn mutated_page_data_is_read_or_refused(
        edits in prop::collection::vec((0.0..1.0f64, 0u8..3, prop::char::range(' ', '~')), 1..4),
    ) {
        let mut text = page_data();
        for (at, kind, c) in edits {
            let mut i = ((text.len() as f64) * at) as usize;
            while i < text.len() && !text.is_char_boundary(i) {
                i += 1;
            }
            match kind {
                0 => text.truncate(i),
                1 => text.insert(i.min(text.len()), c),
                _ if i < text.len() => {
                    let end = i + text[i..].chars().next().map_or(0, char::len_utf8);
                    text.replace_range(i..end, &c.to_string());
                }
                _ => {}
            }
        }
        if let Err(e) = parse_data(&text) {
            prop_assert!(!e.to_string().is_empty());
        }
    }
}

/// The page's snapshots as the viewer reads them (expected tables equal to live ones kept as
/// placeholders), which live tables those stand for, and the snapshots materialized.
struct Page {
    read: Vec<Rc<Snapshot>>,
    same_as_live: Vec<Rc<[Option<usize>]>>,
    full: Vec<Rc<Snapshot>>,
}

/// Two realistic snapshots (an expected schema with missing and altered tables, in the page's
/// compact form) as `gaps report` embeds them, read back by the viewer's reader.
fn realistic_page() -> Page {
    use gaps_site::view::NamedSnapshot;
    let a = gaps_site::sample::large::realistic_snapshot(120);
    let b = gaps_site::sample::large::realistic_snapshot(90);
    let analysed: Vec<(NamedSnapshot, Vec<gaps_core::finding::Finding>)> = [a, b]
        .into_iter()
        .map(|snapshot| {
            let file = "s.json".into();
            (NamedSnapshot { file, snapshot }, Vec::new())
        })
        .collect();
    let data = gaps_site::embed::data_json(&analysed);
    let page = parse_data(&data).expect("the page's own data reads back");
    let full = page.materialized().into_iter().map(Rc::new).collect();
    Page {
        read: page.snapshots.into_iter().map(Rc::new).collect(),
        same_as_live: page.same_as_live.into_iter().map(Into::into).collect(),
        full,
    }
}

/// The page's data holds expected tables written as live ones, and the viewer keeps them as
/// placeholders: what the property below compares is not the materialized snapshot twice.
#[test]
fn the_realistic_page_has_expected_tables_standing_for_live_ones() {
    let page = realistic_page();
    let shared = page.same_as_live[0].iter().flatten().count();
    assert!(shared > 50, "{shared} expected tables stand for live ones");
    assert_ne!(page.read[0], page.full[0]);
    let Section::Collected { data: e } = &page.read[0].expected_schema else {
        panic!("no expected schema");
    };
    assert_eq!(e.schema.tables.len(), page.same_as_live[0].len());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    /// On the page's data as the viewer reads it (expected tables equal to live ones kept as
    /// placeholders the live ones stand for), the lazy comparison it draws from shows the same
    /// rows, row texts and counts as the full comparison of the materialized snapshots, and
    /// compared in full is that comparison, expected vs live and A vs B.
    #[test]
    fn the_viewers_lazy_comparison_shows_the_full_ones_rows(
        statuses in prop::collection::vec(any::<bool>(), 7),
        query in prop::sample::select(vec!["", "id", "_1", "public.", "email", "pkey", "zz"]),
        expand in prop::collection::vec(0..200usize, 0..6),
        compare in any::<bool>(),
    ) {
        use gaps_core::diff::{Compared, LazyDiff, Status, Tables, diff_migrations_and_findings, diff_snapshots_with_findings, expected_vs_live};
        use gaps_core::view::{SearchIndex, ViewState, filter, row_view};
        let page = realistic_page();
        let (full, read) = (&page.full, &page.read);
        let (eager, lazy) = if compare {
            let d = diff_snapshots_with_findings(&full[0], &full[1], &[], &[]);
            prop_assert_eq!((d.migrations, d.findings), diff_migrations_and_findings(&read[0], &read[1], &[], &[]));
            (d.schema, LazyDiff::snapshots(read[0].clone(), read[1].clone()))
        } else {
            (
                expected_vs_live(&full[0]),
                LazyDiff::expected_vs_live_sharing(read[0].clone(), page.same_as_live[0].clone()),
            )
        };
        let (Compared::Compared { diff: eager }, Compared::Compared { diff: lazy }) = (eager, lazy) else {
            return Err(TestCaseError::fail("not compared"));
        };
        let mut state = ViewState::new(if compare { 2 } else { 1 });
        state.filters.statuses = Status::ALL.into_iter().zip(statuses).filter(|(_, on)| *on).map(|(s, _)| s).collect();
        state.filters.query = query.into();
        for i in expand {
            if let Some(t) = eager.tables.get(i) {
                state.expanded.insert(t.key());
            }
        }
        let shown = |d: &dyn Fn(&ViewState) -> Vec<String>| d(&state);
        let of_eager = shown(&|s| {
            let f = filter(&eager, &SearchIndex::new(&eager), s);
            let mut v = vec![format!("{} {} {}", f.tables, f.columns, f.constraints)];
            v.extend(f.rows.iter().map(|r| format!("{:?}", row_view(&eager, *r, s))));
            v
        });
        let of_lazy = shown(&|s| {
            let f = filter(&lazy, &SearchIndex::new(&lazy), s);
            let mut v = vec![format!("{} {} {}", f.tables, f.columns, f.constraints)];
            v.extend(f.rows.iter().map(|r| format!("{:?}", row_view(&lazy, *r, s))));
            v
        });
        prop_assert_eq!(of_eager, of_lazy);
        prop_assert_eq!(lazy.summary(), &eager.summary);
        prop_assert_eq!(lazy.to_schema_diff(), eager);
    }
}
