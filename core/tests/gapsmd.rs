//! The one gaps.md parser (`gaps_core::gapsmd`), which replaced two readers (collect's
//! "Expected Tables" reader and the report's registry) after a parity test showed they agreed
//! on the seed registry, the demo's and 20,000 registries of the documented form, and pinned
//! where they differed. What `collect` expects is ACTION-004's list as the report shows it: on
//! the seed, the demo and the documented form (checked here against the names the generator
//! put there), and for each shape the two used to read differently, one reading.

use gaps_core::gapsmd::{self, TABLES_ACTION};
use proptest::prelude::*;

/// ACTION-004's tables as the report's registry lists them.
fn shown(text: &str) -> Vec<String> {
    let reg = gapsmd::parse(text).expect("within the limits");
    let mut out: Vec<String> = Vec::new();
    for a in reg.actions.iter().filter(|a| a.id == TABLES_ACTION) {
        for n in &a.expected_tables {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
    }
    out
}

fn expected(text: &str) -> Vec<String> {
    gapsmd::expected_tables(text).expect("within the limits")
}

#[test]
fn the_seed_registry_expects_its_41_tables() {
    let text = include_str!("../../tests/fixtures/gaps.md");
    let tables = expected(text);
    assert_eq!(tables.len(), 41);
    assert_eq!(tables[0], "users");
    assert_eq!(tables[40], "platform_settings");
    assert_eq!(tables, shown(text));
}

#[test]
fn the_demos_registry_expects_its_own_six_tables() {
    let text = include_str!("../../collector/demo/gaps.md");
    assert_eq!(expected(text).len(), 6);
    assert_eq!(expected(text), shown(text));
}

/// The shapes the two former readers read differently, and the one reading now.
const FORMERLY_DIFFERENT: &[(&str, &[&str])] = &[
    // A plain markdown list under the key (collect read it, the registry did not).
    (
        "### ACTION-004: T\n| **Expected Tables** |\n- users\n* books, reading sessions\n",
        &["users", "books"],
    ),
    // The key written as prose (collect read it).
    (
        "## ACTION-004 tables\nExpected tables:\n- users\n",
        &["users"],
    ),
    // Names on the key's own row (the registry read them).
    (
        "### ACTION-004: T\n| **Expected Tables** | users, books |\n",
        &["users", "books"],
    ),
    // A row that is not a bullet stays under the key (the registry's reading).
    (
        "### ACTION-004: T\n| **Expected Tables** |\n| - users |\n| books |\n",
        &["users", "books"],
    ),
    // A heading inside a fenced code block is code (the registry's reading).
    (
        "### ACTION-004: T\n```\n# not a heading\n```\n| **Expected Tables** |\n| - users |\n",
        &["users"],
    ),
    // An action id without its leading zeros (the registry's reading).
    (
        "### ACTION-4: T\n| **Expected Tables** |\n| - users |\n",
        &["users"],
    ),
    // Seven #s are not a heading (the registry's reading).
    (
        "####### ACTION-004: T\n| **Expected Tables** |\n| - users |\n",
        &[],
    ),
    // An unclosed backtick is a literal backtick (collect's reading).
    (
        "### ACTION-004: T\n| **Expected Tables** |\n| - `users |\n",
        &["users"],
    ),
    // "expected tables" inside another attribute's value is not the key (the registry's).
    (
        "### ACTION-004: T\n| **Evidence Required** | the expected tables list |\n| - users |\n",
        &[],
    ),
];

#[test]
fn shapes_the_former_readers_disagreed_on_read_one_way() {
    for (text, want) in FORMERLY_DIFFERENT {
        assert_eq!(expected(text), *want, "collect on {text:?}");
        assert_eq!(shown(text), *want, "the report on {text:?}");
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One section of a registry in the documented form: its action number, whether it has the
/// `| Attribute | Value |` header, and its rows (`Ok` an attribute with a value, `Err` an
/// "Expected Tables" key with rows of names, each name maybe in backticks).
type Section = (u8, bool, Vec<Result<String, Vec<Vec<(String, bool)>>>>);

fn section() -> impl Strategy<Value = Section> {
    let attribute = prop_oneof![
        "\\*\\*(Priority|Owner|Description|Evidence Required|Resolves)\\*\\* \\| [a-zA-Z0-9 ]{1,20}"
            .prop_map(Ok),
        prop::collection::vec(
            prop::collection::vec(("[a-z_.]{1,10}", any::<bool>()), 1..5),
            0..5
        )
        .prop_map(Err),
    ];
    (
        0u8..10,
        any::<bool>(),
        prop::collection::vec(attribute, 0..6),
    )
}

/// The registry's text, and the tables ACTION-004 lists in it.
fn render(sections: &[(Section, String)]) -> (String, Vec<String>) {
    let mut text = String::from("# gaps.md\n\n## Active Actions\n\n");
    let mut want: Vec<String> = Vec::new();
    for ((number, header, rows), prose) in sections {
        text.push_str(&format!("### ACTION-00{number}: Title\n\n"));
        if *header {
            text.push_str("| Attribute | Value |\n|-----------|-------|\n");
        }
        for row in rows {
            match row {
                Ok(attribute) => text.push_str(&format!("| {attribute} |\n")),
                Err(lists) => {
                    text.push_str("| **Expected Tables** |\n");
                    for names in lists {
                        let cells: Vec<String> = names
                            .iter()
                            .map(|(n, quoted)| if *quoted { format!("`{n}`") } else { n.clone() })
                            .collect();
                        text.push_str(&format!("| - {} |\n", cells.join(", ")));
                        if *number == 4 {
                            for (n, _) in names {
                                if !want.contains(n) {
                                    want.push(n.clone());
                                }
                            }
                        }
                    }
                }
            }
        }
        text.push_str(&format!("\n---\n\n{prose}\n\n"));
    }
    (text, want)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// In the documented form, collect expects exactly the names written under ACTION-004's
    /// "Expected Tables", in order, each once, and the report lists the same.
    #[test]
    fn the_documented_form_expects_what_is_written(
        sections in prop::collection::vec((section(), "[A-Za-z][a-z ,.]{0,30}"), 0..8),
    ) {
        let (text, want) = render(&sections);
        prop_assert_eq!(&expected(&text), &want, "text:\n{}", text);
        prop_assert_eq!(shown(&text), want);
    }
}
