//! Property-based tests of what the report reads: the gaps.md registry as the report loads and
//! renders it (no panic, nothing unsafe, bounded depth; the parser's own properties are in
//! core's), and snapshot loading on mutated valid snapshots (a snapshot that loads re-serialises and
//! loads equal, and the rules and the diff run on it).
//!
//! `cargo test` runs a bounded number of cases; `scripts/fuzz` runs the same properties with
//! `PROPTEST_CASES` set high.

use gaps_core::snapshot::Snapshot;
use gaps_site::{markdown, sample};
use proptest::prelude::*;

/// `PROPTEST_CASES` when set, else the bounded default for `cargo test`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Text shaped like a registry (headings, attribute tables, steps, nested quotes and lists,
/// raw HTML, footnotes, UNKNOWN references) with noise.
fn registry_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "#{1,7} (ACTION|action|Action)-[0-9]{0,5}[:\\- —]{0,2}[A-Za-z ]{0,12}",
        "## (Completed|Active) Actions",
        "\\| \\*\\*(Priority|Blocks|Owner|Description|Steps|Evidence Required|Resolves|Expected Tables|Critical Tables|Expected Response)\\*\\* \\| [^\n]{0,30} \\|",
        "\\| (- |[0-9]+\\. )[a-z_`, |\\\\]{0,30} \\|",
        "[0-9]{1,3}\\. [^\n]{0,20}",
        "UNKNOWN-[0-9]{0,4}[^\n]{0,10}",
        "[>\\-*+ 0-9.]{0,70}x",
        "(<div>|</div>|<span>|</span>|<b>|</b>|<details>|</details>|<table>|<!--|-->|<a href=\"javascript:x\">|<img src=x onerror=y>|<script>){1,6}",
        "```[a-z]{0,4}",
        "\\[\\^[a-z0-9]{1,4}\\]:? [^\n]{0,10}",
        "[^\n]{0,40}",
    ];
    prop::collection::vec(line, 0..40).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(128)))]

    /// Rendering takes any text: no script or handler survives, and nesting stays bounded.
    #[test]
    fn markdown_renders_any_text_safely_and_shallow(text in registry_text()) {
        let html = markdown::render(&text);
        // Real tags only: text shows `<` as `&lt;`.
        for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("")) {
            let lower = tag.to_ascii_lowercase();
            prop_assert!(!lower.starts_with("script"), "{html}");
            prop_assert!(
                attribute_names(&lower).iter().all(|n| !n.starts_with("on")),
                "handler in <{tag}>: {html}"
            );
            prop_assert!(!lower.contains("javascript:"), "<{tag}>: {html}");
        }
        prop_assert!(!html.contains('\0'));
        prop_assert!(depth(&html) <= markdown::MAX_DEPTH + 1, "depth {}", depth(&html));
    }

    /// The registry loader takes any text (mojibake repair included).
    #[test]
    fn the_registry_loader_takes_any_text(text in ".{0,300}") {
        let _ = gaps_site::load_registry("gaps.md", &text);
    }
}

/// Attribute names of one serialised tag (`a href="x" title="y"`): values are always
/// double-quoted in the sanitiser's output, with `"` inside escaped.
fn attribute_names(tag: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = tag.split_once(' ').map_or("", |(_, r)| r);
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || rest.starts_with('/') {
            return names;
        }
        let end = rest.find(['=', ' ']).unwrap_or(rest.len());
        names.push(&rest[..end]);
        rest = &rest[end..];
        if let Some(value) = rest.strip_prefix("=\"") {
            rest = value.split_once('"').map_or("", |(_, r)| r);
        }
    }
}

/// Deepest element nesting of sanitised (well-formed) HTML.
fn depth(html: &str) -> usize {
    const VOID: &[&str] = &["br", "hr", "img", "input", "wbr", "col", "area"];
    let (mut d, mut max) = (0usize, 0usize);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        if tag.starts_with('/') {
            d = d.saturating_sub(1);
        } else if !tag.starts_with('!') {
            let name = tag.split([' ', '/']).next().unwrap_or("");
            if !VOID.contains(&name) {
                d += 1;
                max = max.max(d);
            }
        }
    }
    max
}

/// One way of damaging a snapshot's text.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut it at a fraction of its length.
    Truncate(f64),
    /// Overwrite one byte (at a fraction of the length) with an ASCII character.
    Byte(f64, char),
    /// Insert a JSON fragment at a fraction of the length.
    Insert(f64, String),
    /// Replace the value at the n-th node (pre-order) with another JSON value.
    Value(usize, serde_json::Value),
    /// Remove the n-th object member.
    Remove(usize),
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| serde_json::json!(f)),
        ".{0,12}".prop_map(serde_json::Value::String),
        prop::sample::select(vec![
            "collected",
            "failed",
            "skipped",
            "postgres",
            "sqlite",
            "mysql",
            "error",
            "warning",
            "table",
            "simple",
            "up",
            "down",
        ])
        .prop_map(|s| serde_json::Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (0.0..1.0f64).prop_map(Mutation::Truncate),
        (0.0..1.0f64, prop::char::range(' ', '~')).prop_map(|(a, c)| Mutation::Byte(a, c)),
        (
            0.0..1.0f64,
            prop::sample::select(vec![
                "{", "}", "[", "]", ",", ":", "\"", "null", "1e999", "-0"
            ])
        )
            .prop_map(|(a, s)| Mutation::Insert(a, s.to_string())),
        (any::<usize>(), json_value()).prop_map(|(n, v)| Mutation::Value(n, v)),
        any::<usize>().prop_map(Mutation::Remove),
    ]
}

/// Visits JSON nodes in pre-order, calling `f` on the n-th.
fn nth_node(
    v: &mut serde_json::Value,
    n: &mut usize,
    f: &mut dyn FnMut(&mut serde_json::Value),
) -> bool {
    if *n == 0 {
        f(v);
        return true;
    }
    *n -= 1;
    match v {
        serde_json::Value::Array(a) => a.iter_mut().any(|x| nth_node(x, n, f)),
        serde_json::Value::Object(o) => o.values_mut().any(|x| nth_node(x, n, f)),
        _ => false,
    }
}

fn count_nodes(v: &serde_json::Value) -> usize {
    1 + match v {
        serde_json::Value::Array(a) => a.iter().map(count_nodes).sum(),
        serde_json::Value::Object(o) => o.values().map(count_nodes).sum(),
        _ => 0,
    }
}

/// Removes the n-th object member (pre-order over objects' members).
fn remove_member(v: &mut serde_json::Value, n: &mut usize) -> bool {
    match v {
        serde_json::Value::Object(o) => {
            if *n < o.len() {
                let key = o.keys().nth(*n).cloned().unwrap();
                o.remove(&key);
                return true;
            }
            *n -= o.len();
            o.values_mut().any(|x| remove_member(x, n))
        }
        serde_json::Value::Array(a) => a.iter_mut().any(|x| remove_member(x, n)),
        _ => false,
    }
}

fn at(text: &str, fraction: f64) -> usize {
    let mut i = ((text.len() as f64) * fraction) as usize;
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}

fn mutate(text: &str, muts: &[Mutation]) -> String {
    let mut text = text.to_string();
    for m in muts {
        match m {
            Mutation::Truncate(f) => {
                let i = at(&text, *f);
                text.truncate(i);
            }
            Mutation::Byte(f, c) => {
                let i = at(&text, *f);
                if i < text.len() {
                    let end = i + text[i..].chars().next().map_or(0, char::len_utf8);
                    text.replace_range(i..end, &c.to_string());
                }
            }
            Mutation::Insert(f, s) => {
                let i = at(&text, *f);
                text.insert_str(i, s);
            }
            Mutation::Value(n, v) => {
                if let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(&text) {
                    let mut k = n % count_nodes(&doc);
                    nth_node(&mut doc, &mut k, &mut |x| *x = v.clone());
                    text = serde_json::to_string_pretty(&doc).unwrap();
                }
            }
            Mutation::Remove(n) => {
                if let Ok(mut doc) = serde_json::from_str::<serde_json::Value>(&text) {
                    let mut k = *n % 200;
                    remove_member(&mut doc, &mut k);
                    text = serde_json::to_string_pretty(&doc).unwrap();
                }
            }
        }
    }
    text
}

fn base_snapshots() -> Vec<String> {
    vec![
        sample::evidence_snapshot().to_json(),
        sample::sample_snapshot().to_json(),
        sample::large_snapshot(3, 4).0.to_json(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(64)))]

    /// A mutated snapshot either loads or is refused with a message; one that loads
    /// re-serialises and loads equal, and the rules and the diff run on it.
    #[test]
    fn mutated_snapshots_load_or_are_refused_never_panic(
        which in 0usize..3,
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let base = &base_snapshots()[which];
        let text = mutate(base, &muts);
        match Snapshot::from_json(&text) {
            Ok(s) => {
                let again = Snapshot::from_json(&s.to_json());
                prop_assert_eq!(again.as_ref(), Ok(&s));
                let findings = gaps_core::rules::analyse(&s);
                let _ = gaps_core::diff::diff_snapshots(&s, &s);
                let _ = gaps_core::diff::diff_snapshots(&Snapshot::from_json(base).unwrap(), &s);
                prop_assert!(findings.iter().all(|f| !f.message.is_empty()));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
