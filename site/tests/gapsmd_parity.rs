//! Parity of the two gaps.md readers before they become one: the "Expected Tables" reader
//! `collect` uses (`gaps_core::code::gapsmd`) and the action registry the report parses
//! (`gaps_site::registry`). They name the same expected tables on the seed registry, the
//! demo's, and any registry in the documented form (`### ACTION-NNN: Title` sections with
//! attribute tables). Outside that form they read differently; each difference is pinned
//! here with both readings, so that the single parser that replaces them decides each one
//! knowingly.

use gaps_core::code::gapsmd;
use gaps_site::registry;
use proptest::prelude::*;

/// The expected tables as the registry reads them, in the shape the rules take: ACTION-004's
/// names that are plain identifiers, each once, in order.
fn from_registry(text: &str) -> Vec<String> {
    let reg = registry::parse(text).expect("within the limits");
    let mut out: Vec<String> = Vec::new();
    for a in reg.actions.iter().filter(|a| a.id == "ACTION-004") {
        for n in &a.expected_tables {
            let ok = !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if ok && !out.contains(n) {
                out.push(n.clone());
            }
        }
    }
    out
}

fn from_collect(text: &str) -> Vec<String> {
    gapsmd::expected_tables(text).expect("within the limits")
}

#[test]
fn both_readers_name_the_seed_registrys_41_expected_tables() {
    let text = include_str!("../../tests/fixtures/gaps.md");
    let tables = from_collect(text);
    assert_eq!(tables.len(), 41);
    assert_eq!(tables, from_registry(text));
}

#[test]
fn both_readers_name_the_demos_expected_tables() {
    let text = include_str!("../../collector/demo/gaps.md");
    assert_eq!(from_collect(text).len(), 41);
    assert_eq!(from_collect(text), from_registry(text));
}

/// Where the readers differ today: (text, collect's reading, the registry's reading).
const DIFFERENCES: &[(&str, &[&str], &[&str])] = &[
    // A plain markdown list under the key (not table rows).
    (
        "### ACTION-004: T\n| **Expected Tables** |\n- users\n* books, reading sessions\n",
        &["users", "books"],
        &[],
    ),
    // The key written as prose.
    (
        "## ACTION-004 tables\nExpected tables:\n- users\n",
        &["users"],
        &[],
    ),
    // Names given on the key's own row.
    (
        "### ACTION-004: T\n| **Expected Tables** | users, books |\n",
        &[],
        &["users", "books"],
    ),
    // A row that is not a bullet: the registry keeps it under the key, collect ends the list.
    (
        "### ACTION-004: T\n| **Expected Tables** |\n| - users |\n| books |\n",
        &["users"],
        &["users", "books"],
    ),
    // A heading inside a fenced code block ends the section for collect only.
    (
        "### ACTION-004: T\n```\n# not a heading\n```\n| **Expected Tables** |\n| - users |\n",
        &[],
        &["users"],
    ),
    // An action id written without its leading zeros.
    (
        "### ACTION-4: T\n| **Expected Tables** |\n| - users |\n",
        &[],
        &["users"],
    ),
    // Not a heading for the registry (seven #), an ACTION-004 section for collect.
    (
        "####### ACTION-004: T\n| **Expected Tables** |\n| - users |\n",
        &["users"],
        &[],
    ),
    // An unclosed backtick: a code span to the end of the row for the registry.
    (
        "### ACTION-004: T\n| **Expected Tables** |\n| - `users |\n",
        &["users"],
        &[],
    ),
    // "expected tables" anywhere in a line starts collect's list.
    (
        "### ACTION-004: T\n| **Evidence Required** | the expected tables list |\n| - users |\n",
        &["users"],
        &[],
    ),
];

#[test]
fn the_known_differences_read_as_pinned() {
    for (text, collect, registry) in DIFFERENCES {
        assert_eq!(from_collect(text), *collect, "collect on {text:?}");
        assert_eq!(from_registry(text), *registry, "registry on {text:?}");
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Registries in the documented form (the seed's): `### ACTION-00N: Title` sections, each an
/// attribute table whose "Expected Tables" list is `| - names |` rows, with prose paragraphs
/// and `---` between sections.
fn documented_form() -> impl Strategy<Value = String> {
    let attribute = prop_oneof![
        "\\| \\*\\*(Priority|Owner|Description|Evidence Required|Resolves)\\*\\* \\| [a-zA-Z0-9 ]{1,20} \\|",
        prop::collection::vec(
            prop::collection::vec(("[a-z_.]{1,10}", any::<bool>()), 1..5).prop_map(|names| {
                let names: Vec<String> = names
                    .into_iter()
                    .map(|(n, quoted)| if quoted { format!("`{n}`") } else { n })
                    .collect();
                format!("| - {} |", names.join(", "))
            }),
            0..5,
        )
        .prop_map(|rows| format!("| **Expected Tables** |\n{}", rows.join("\n"))),
    ];
    let section = (
        "ACTION-00[0-9]: [A-Za-z ]{0,12}",
        any::<bool>(),
        prop::collection::vec(attribute, 0..6),
    )
        .prop_map(|(heading, header, rows)| {
            let header = if header {
                "| Attribute | Value |\n|-----------|-------|\n"
            } else {
                ""
            };
            format!("### {heading}\n\n{header}{}\n\n---\n", rows.join("\n"))
        });
    let block = prop_oneof![
        section,
        "(## (Active|Completed) Actions|[A-Za-z][a-z ,.]{0,30})\n".prop_map(|s| s),
    ];
    prop::collection::vec(block, 0..8).prop_map(|b| format!("# gaps.md\n\n{}", b.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn both_readers_agree_on_the_documented_form(text in documented_form()) {
        prop_assert_eq!(from_collect(&text), from_registry(&text), "text:\n{}", text);
    }
}
