use super::*;

/// The seed registry as written (double-encoded UTF-8 included: the report repairs that
/// before parsing; the structure does not depend on it).
fn seed() -> Registry {
    parse(include_str!("../../../tests/fixtures/gaps.md")).unwrap()
}

#[test]
fn seed_has_seven_active_actions_and_no_warnings() {
    let r = seed();
    assert_eq!(r.warnings, Vec::<String>::new());
    let ids: Vec<&str> = r.actions.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "ACTION-001",
            "ACTION-002",
            "ACTION-003",
            "ACTION-004",
            "ACTION-005",
            "ACTION-006",
            "ACTION-007"
        ]
    );
    assert!(r.actions.iter().all(|a| !a.completed));
    let title = r.title.as_deref().unwrap();
    assert!(
        title.starts_with("gaps.md ") && title.ends_with(" Action Items Registry"),
        "{title}"
    );
}

#[test]
fn seed_action_002_fields() {
    let r = seed();
    let a = r.action("ACTION-002").unwrap();
    assert_eq!(a.title, "Query Production Migration State");
    let p = a.priority.as_ref().unwrap();
    assert_eq!(p.level, PriorityLevel::Critical);
    assert!(p.label.ends_with(" Critical"), "{}", p.label);
    assert_eq!(a.blocks.as_deref(), Some("Phase 2: Schema Verification"));
    assert_eq!(a.owner.as_deref(), Some("TBD"));
    assert_eq!(a.steps.len(), 3);
    assert_eq!(a.steps[0], "Connect to production database");
    assert!(a.steps[1].starts_with("Run: `SELECT version"));
    assert_eq!(
        a.evidence_required.as_deref(),
        Some("Query results showing applied migrations")
    );
    assert_eq!(a.resolves, ["UNKNOWN-002", "UNKNOWN-003"]);
}

#[test]
fn seed_action_004_expected_tables_list() {
    let r = seed();
    let a = r.action("ACTION-004").unwrap();
    assert_eq!(a.expected_tables.len(), 41, "{:?}", a.expected_tables);
    assert_eq!(a.expected_tables[0], "users");
    assert!(a.expected_tables.contains(&"habit_completions".to_string()));
    assert_eq!(a.expected_tables.last().unwrap(), "platform_settings");
    assert_eq!(a.evidence_required.as_deref(), Some("Table list diff"));
    assert!(a.resolves.is_empty());
}

#[test]
fn seed_action_005_critical_tables_and_006_expected_response() {
    let r = seed();
    let a5 = r.action("ACTION-005").unwrap();
    assert_eq!(
        a5.critical_tables,
        [
            "users",
            "focus_sessions",
            "quests",
            "habits",
            "goals",
            "calendar_events"
        ]
    );
    let a6 = r.action("ACTION-006").unwrap();
    assert_eq!(a6.priority.as_ref().unwrap().level, PriorityLevel::Normal);
    let body = a6.expected_response.as_deref().unwrap();
    assert!(body.contains("\"schema_version\": 14"), "{body}");
    assert_eq!(a6.evidence_required.as_deref(), Some("HTTP response JSON"));
}

#[test]
fn seed_unknowns_are_collected() {
    let r = seed();
    assert_eq!(
        r.unknowns,
        [
            "UNKNOWN-001",
            "UNKNOWN-002",
            "UNKNOWN-003",
            "UNKNOWN-004",
            "UNKNOWN-005"
        ]
    );
    let a7 = r.action("ACTION-007").unwrap();
    assert_eq!(a7.resolves, ["UNKNOWN-003"]);
    assert_eq!(a7.resolves_text.as_deref(), Some("UNKNOWN-003 (partially)"));
}

#[test]
fn action_without_table_is_kept_with_a_warning() {
    let r = parse("## Active Actions\n\n### ACTION-010: Prose only\n\nJust text.\n").unwrap();
    assert_eq!(r.actions.len(), 1);
    assert_eq!(r.actions[0].title, "Prose only");
    assert!(r.actions[0].priority.is_none());
    assert_eq!(r.warnings.len(), 1);
    assert!(r.warnings[0].contains("line 3"), "{:?}", r.warnings);
    assert!(r.warnings[0].contains("no attribute table"));
}

#[test]
fn odd_headings_are_normalised_with_warnings() {
    let text = "## ACTION-8 - Level two, no colon\n\n| **Owner** | me |\n\n#### action-12: lower case\n\n### ACTION-X: no number\n";
    let r = parse(text).unwrap();
    let ids: Vec<&str> = r.actions.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["ACTION-008", "ACTION-012"]);
    assert_eq!(r.actions[0].title, "Level two, no colon");
    assert_eq!(r.actions[0].owner.as_deref(), Some("me"));
    assert!(r.warnings.iter().any(|w| w.starts_with("line 1:")));
    assert!(r.warnings.iter().any(|w| w.starts_with("line 5:")));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.starts_with("line 7:") && w.contains("no number")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn rows_without_a_key_and_unclosed_code_are_reported() {
    let text = "### ACTION-001: A\n\n| Attribute | Value |\n|---|---|\n| stray row |\n| **Expected Response** |\n```json\n{\n";
    let r = parse(text).unwrap();
    assert!(
        r.warnings.iter().any(|w| w.contains("stray row")),
        "{:?}",
        r.warnings
    );
    assert!(r.warnings.iter().any(|w| w.contains("never closed")));
    assert_eq!(r.actions[0].expected_response.as_deref(), Some("{"));
}

#[test]
fn pipes_inside_code_spans_stay_in_the_cell() {
    let r = parse("### ACTION-001: A\n\n| **Steps** |\n| 1. Run `a | b` now |\n").unwrap();
    assert_eq!(r.actions[0].steps, ["Run `a | b` now"]);
}

#[test]
fn duplicates_and_completed_zone_are_noticed() {
    let text = "## Active Actions\n### ACTION-001: A\n| **Owner** | x |\n## Completed Actions\n### ACTION-001: A again\n| **Owner** | y |\n";
    let r = parse(text).unwrap();
    assert_eq!(r.actions.len(), 2);
    assert!(!r.actions[0].completed);
    assert!(r.actions[1].completed);
    assert!(r.warnings.iter().any(|w| w.contains("more than once")));
}

#[test]
fn empty_document_says_no_actions() {
    let r = parse("").unwrap();
    assert!(r.actions.is_empty());
    assert_eq!(r.warnings.len(), 1);
}

#[test]
fn crlf_registry_parses_like_lf() {
    let lf = parse("### ACTION-001: A\n\n| **Owner** | x |\n").unwrap();
    let crlf = parse("### ACTION-001: A\r\n\r\n| **Owner** | x |\r\n").unwrap();
    assert_eq!(lf.actions[0].owner, crlf.actions[0].owner);
    assert_eq!(crlf.actions[0].title, "A");
}

#[test]
fn unknown_refs_need_digits() {
    assert_eq!(unknown_refs("UNKNOWN-x UNKNOWN-12."), vec![(10, 20)]);
}

#[test]
fn reads_the_seed_style_table_list() {
    let md = "### ACTION-003: x\n| **Expected Tables** |\n| - nope |\n\n\
              ### ACTION-004: Verify Table Existence\n| a | b |\n| **Expected Tables** |\n\
              | - users, accounts, sessions |\n| - `habits`, habit_completions |\n\
              | **Evidence Required** | Table list diff |\n| - not_a_table |\n\
              ### ACTION-005: y\n| - goals |\n";
    assert_eq!(
        expected_tables(md).unwrap(),
        [
            "users",
            "accounts",
            "sessions",
            "habits",
            "habit_completions"
        ]
    );
}

#[test]
fn a_table_list_may_be_a_plain_markdown_list_under_its_key() {
    let md = "### ACTION-004: Tables\nExpected tables:\n- users\n* books, reading sessions\n\n\
              Text that ends the list.\n- not_a_table\n";
    let r = parse(md).unwrap();
    assert_eq!(r.expected_tables(), ["users", "books"]);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.starts_with("line 4:") && w.contains("\"reading sessions\"")),
        "{:?}",
        r.warnings
    );
    let md = "### ACTION-004: Tables\n| **Expected Tables** |\n- users\n+ `books`\n";
    assert_eq!(expected_tables(md).unwrap(), ["users", "books"]);
    let md = "### ACTION-004: Tables\n**Critical Tables:**\n- users\n";
    assert_eq!(parse(md).unwrap().actions[0].critical_tables, ["users"]);
}

#[test]
fn names_on_the_keys_row_and_rows_below_it_both_count_each_once() {
    let md = "### ACTION-004: T\n| **Expected Tables** | users, books |\n| - books, goals |\n\
              | quests |\n";
    assert_eq!(
        expected_tables(md).unwrap(),
        ["users", "books", "goals", "quests"]
    );
}

#[test]
fn every_tables_action_section_counts_and_others_do_not() {
    let md = "### ACTION-004: A\n| **Expected Tables** |\n| - users |\n\
              ### ACTION-005: B\n| **Expected Tables** |\n| - goals |\n\
              ## Completed Actions\n### ACTION-4: again\n| **Expected Tables** |\n| - users, books |\n";
    assert_eq!(expected_tables(md).unwrap(), ["users", "books"]);
}

#[test]
fn headings_in_code_and_unclosed_backticks_do_not_cut_the_list() {
    let md = "### ACTION-004: T\n```\n# not a heading\n```\n| **Expected Tables** |\n\
              | - users |\n| - `books |\n";
    assert_eq!(expected_tables(md).unwrap(), ["users", "books"]);
}

#[test]
fn absent_section_gives_nothing() {
    assert!(expected_tables("# gaps\n- users\n").unwrap().is_empty());
    // Seven #s are not a heading; "expected tables" in a value is not the key.
    let md = "####### ACTION-004: T\n| **Expected Tables** |\n| - users |\n";
    assert!(expected_tables(md).unwrap().is_empty());
    let md = "### ACTION-004: T\n| **Evidence Required** | the expected tables |\n| - users |\n";
    assert!(expected_tables(md).unwrap().is_empty());
}

#[test]
fn text_over_the_limits_is_refused_like_the_gate_refuses_it() {
    let deep = format!("{}x\n", "> ".repeat(gapsmd_limits::MAX_NESTING + 1));
    assert_eq!(
        expected_tables(&deep).unwrap_err(),
        gapsmd_limits::check(&deep).unwrap_err()
    );
    assert_eq!(
        parse(&deep).unwrap_err(),
        gapsmd_limits::check(&deep).unwrap_err()
    );
}
