//! Property-based tests of the viewer's JSON reader and page-data parser, run natively: any
//! text is read or refused (never a panic), every valid JSON document is skipped whole,
//! strings and integers read back exactly, and mutated page data is read or refused with a
//! position. `scripts/fuzz` runs them with `PROPTEST_CASES` set high.

use proptest::prelude::*;

use crate::data::parse_data;
use crate::json::Reader;

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
