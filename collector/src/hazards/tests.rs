//! The static rules (squawk's and gaps' own) with the live facts applied by hand: what each
//! hazard reports, and what it must not report.

use super::*;
use gaps_core::hazards::{Effect, Hazard, TableSize};
use gaps_core::testing::{col, migration_source, schema, table};

fn events() -> RelationName {
    RelationName {
        schema: "public".into(),
        name: "events".into(),
    }
}

/// Live facts: `events` exists with `rows` rows.
fn live(rows: i64) -> LiveFacts {
    let mut facts = LiveFacts {
        server_version_num: Some(160_004),
        sizes: vec![TableSize {
            relation: events(),
            estimated_rows: Some(rows),
            live_rows: Some(rows),
            bytes: Some(rows * 100),
            bytes_estimated: false,
        }],
        missing_functions: Some(Default::default()),
        available_extensions: Some(["pgcrypto".to_string()].into_iter().collect()),
        ..LiveFacts::default()
    };
    facts.resolved.insert(
        RelationName {
            schema: String::new(),
            name: "events".into(),
        },
        events(),
    );
    facts
}

fn live_schema() -> Schema {
    schema(vec![table(
        "events",
        vec![
            col(1, "id", "bigint", false),
            col(2, "kind", "character varying(20)", true),
            col(3, "payload", "text", true),
            col(4, "mood", "mood", true),
        ],
    )])
}

/// The hazards of every statement of the files, after the live facts, as (file index, line,
/// rule, fails).
fn run_with(
    files: &[(&str, bool)],
    facts: &LiveFacts,
    version: &str,
) -> Vec<(usize, u32, String, bool, Option<String>)> {
    let next: Vec<_> = files
        .iter()
        .enumerate()
        .map(|(i, (sql, no_tx))| {
            (
                migration_source(i as i64 + 1, sql),
                PlanStatus::Pending,
                *no_tx,
            )
        })
        .collect();
    let live_schema = live_schema();
    let mut analysed = analyse_files(&next, Some(version), Some(&live_schema));
    refine(&mut analysed, facts, Some(&live_schema));
    analysed
        .iter()
        .enumerate()
        .flat_map(|(i, a)| {
            a.migration.statements.iter().flat_map(move |st| {
                st.hazards.iter().map(move |h: &Hazard| {
                    (i, st.line, h.rule.clone(), h.fails, h.sqlstate.clone())
                })
            })
        })
        .collect()
}

fn run(files: &[(&str, bool)], rows: i64) -> Vec<(usize, u32, String, bool, Option<String>)> {
    run_with(files, &live(rows), "16.4")
}

fn rules(found: &[(usize, u32, String, bool, Option<String>)]) -> Vec<&str> {
    found.iter().map(|f| f.2.as_str()).collect()
}

#[test]
fn create_index_concurrently_fails_in_a_transaction_and_in_a_file_with_other_statements() {
    // squawk assumes a one-statement file runs outside a transaction; sqlx wraps it in one,
    // so gaps' own rule says it there.
    let found = run(
        &[("CREATE INDEX CONCURRENTLY i ON events (kind);", false)],
        10,
    );
    assert_eq!(rules(&found), ["gaps:cannot-run-in-transaction"]);
    assert!(found[0].3);
    assert_eq!(found[0].4.as_deref(), Some("25001"));
    let found = run(
        &[(
            "SELECT 1;
CREATE INDEX CONCURRENTLY i ON events (kind);",
            false,
        )],
        10,
    );
    assert_eq!(
        rules(&found),
        ["ban-concurrent-index-creation-in-transaction"]
    );
    assert_eq!(found[0].4.as_deref(), Some("25001"));

    let found = run(
        &[(
            "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON events (kind);\nSELECT 1;",
            true,
        )],
        10,
    );
    assert_eq!(rules(&found), ["gaps:cannot-run-in-transaction"]);
    assert_eq!(found[0].1, 2);

    // Must not report: alone in a `-- no-transaction` file.
    let found = run(
        &[(
            "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON events (kind);",
            true,
        )],
        10_000_000,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn index_builds_and_defaults_follow_squawk_and_the_server_version() {
    let found = run(&[("CREATE INDEX i ON events (kind);", false)], 10);
    assert_eq!(rules(&found), ["require-concurrent-index-creation"]);
    // Must not report: a constant default on Postgres 11+ is instant.
    assert!(
        run(
            &[("ALTER TABLE events ADD COLUMN k int DEFAULT 0;", false)],
            10
        )
        .is_empty()
    );
    // ... but not before 11.
    let mut old = live(10);
    old.server_version_num = Some(100_000);
    let found = run_with(
        &[("ALTER TABLE events ADD COLUMN k int DEFAULT 0;", false)],
        &old,
        "10.23",
    );
    assert_eq!(rules(&found), ["adding-field-with-default"]);
    let found = run(
        &[(
            "ALTER TABLE events ADD COLUMN k double precision DEFAULT random();",
            false,
        )],
        10,
    );
    assert_eq!(rules(&found), ["adding-field-with-default"]);
    // serial has no squawk rule: gaps' own rewrite rule says it.
    let found = run(&[("ALTER TABLE events ADD COLUMN n bigserial;", false)], 10);
    assert_eq!(rules(&found), ["gaps:table-rewrite"]);
}

#[test]
fn constraints_need_not_valid_and_a_foreign_key_is_said_once() {
    let found = run(
        &[(
            "ALTER TABLE events ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES users (id);",
            false,
        )],
        10,
    );
    assert_eq!(rules(&found), ["adding-foreign-key-constraint"]);
    // Must not report: NOT VALID, then VALIDATE.
    let found = run(
        &[
            (
                "ALTER TABLE events ADD CONSTRAINT fk FOREIGN KEY (id) REFERENCES users (id) NOT VALID;",
                false,
            ),
            ("ALTER TABLE events VALIDATE CONSTRAINT fk;", false),
        ],
        10,
    );
    assert!(found.is_empty(), "{found:?}");
    let found = run(
        &[("ALTER TABLE events ADD CONSTRAINT c CHECK (id > 0);", false)],
        10,
    );
    assert_eq!(rules(&found), ["constraint-missing-not-valid"]);
}

#[test]
fn a_table_created_by_a_pending_migration_is_empty_so_nothing_on_it_is_slow() {
    let found = run(
        &[
            ("CREATE TABLE fresh (id bigint, kind text);", false),
            (
                "CREATE INDEX fresh_kind ON fresh (kind);\n\
                 ALTER TABLE fresh ALTER COLUMN kind TYPE int USING 0;",
                false,
            ),
        ],
        10_000_000,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn type_changes_the_server_makes_in_place_are_not_rewrites() {
    // kind is varchar(20) live.
    for (sql, rewrites) in [
        (
            "ALTER TABLE events ALTER COLUMN kind TYPE varchar(50);",
            false,
        ),
        ("ALTER TABLE events ALTER COLUMN kind TYPE text;", false),
        (
            "ALTER TABLE events ALTER COLUMN kind TYPE varchar(10);",
            true,
        ),
        (
            "ALTER TABLE events ALTER COLUMN kind TYPE int USING kind::int;",
            true,
        ),
        (
            "ALTER TABLE events ALTER COLUMN payload TYPE varchar;",
            false,
        ),
        ("ALTER TABLE events ALTER COLUMN id TYPE int;", true),
    ] {
        let found = run(&[(sql, false)], 10);
        assert_eq!(
            rules(&found) == ["changing-column-type"],
            rewrites,
            "{sql}: {found:?}"
        );
    }
    assert!(binary_coercible("numeric(10,2)", "numeric(12,2)"));
    assert!(!binary_coercible("numeric(10,2)", "numeric(12,3)"));
    assert!(binary_coercible("numeric(10,2)", "numeric"));
    assert!(!binary_coercible("integer", "bigint"));
}

#[test]
fn set_not_null_skips_its_scan_behind_a_validated_check() {
    let found = run(
        &[("ALTER TABLE events ALTER COLUMN kind SET NOT NULL;", false)],
        10,
    );
    assert_eq!(rules(&found), ["adding-not-nullable-field"]);
    // Must not report: the check added NOT VALID and validated first.
    let found = run(
        &[
            (
                "ALTER TABLE events ADD CONSTRAINT kind_nn CHECK (kind IS NOT NULL) NOT VALID;",
                false,
            ),
            ("ALTER TABLE events VALIDATE CONSTRAINT kind_nn;", false),
            ("ALTER TABLE events ALTER COLUMN kind SET NOT NULL;", false),
        ],
        10,
    );
    assert!(found.is_empty(), "{found:?}");
    // Must not report: a validated check the live table already has.
    let mut facts = live(10);
    facts
        .not_null_checks
        .insert(events(), vec!["kind".to_string()]);
    let found = run_with(
        &[("ALTER TABLE events ALTER COLUMN kind SET NOT NULL;", false)],
        &facts,
        "16.4",
    );
    assert!(found.is_empty(), "{found:?}");
    // Must not report: the column is NOT NULL already.
    assert!(
        run(
            &[("ALTER TABLE events ALTER COLUMN id SET NOT NULL;", false)],
            10
        )
        .is_empty()
    );
}

#[test]
fn a_not_null_column_without_default_fails_only_on_a_table_with_rows() {
    let found = run(
        &[("ALTER TABLE events ADD COLUMN x int NOT NULL;", false)],
        5,
    );
    assert_eq!(rules(&found), ["adding-required-field"]);
    assert!(found[0].3);
    assert_eq!(found[0].4.as_deref(), Some("23502"));
    assert!(
        run(
            &[("ALTER TABLE events ADD COLUMN x int NOT NULL;", false)],
            0
        )
        .is_empty()
    );
}

#[test]
fn a_new_enum_value_used_in_its_own_transaction_fails() {
    let found = run(
        &[(
            "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE events SET mood = 'meh' WHERE id = 1;",
            false,
        )],
        10,
    );
    assert_eq!(rules(&found), ["gaps:enum-value-used-in-transaction"]);
    assert_eq!(found[0].1, 2);
    assert_eq!(found[0].4.as_deref(), Some("55P04"));
    // Must not report: added in one migration, used in the next.
    let found = run(
        &[
            ("ALTER TYPE mood ADD VALUE 'meh';", false),
            ("UPDATE events SET mood = 'meh' WHERE id = 1;", false),
        ],
        10,
    );
    assert!(found.is_empty(), "{found:?}");
    // Must not report: the same text on a table without that enum.
    let found = run(
        &[(
            "ALTER TYPE mood ADD VALUE 'meh';\nUPDATE notes SET body = 'meh';",
            false,
        )],
        10,
    );
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn functions_and_extensions_the_server_lacks_fail() {
    let mut facts = live(10);
    facts.missing_functions = Some(["uuid_generate_v7".to_string()].into_iter().collect());
    let found = run_with(
        &[(
            "ALTER TABLE events ADD COLUMN u uuid DEFAULT uuid_generate_v7();",
            false,
        )],
        &facts,
        "16.4",
    );
    assert!(
        found
            .iter()
            .any(|f| f.2 == "gaps:function-missing" && f.4.as_deref() == Some("42883")),
        "{found:?}"
    );
    // Must not report: an earlier pending migration creates it.
    let found = run_with(
        &[
            (
                "CREATE FUNCTION uuid_generate_v7() RETURNS uuid LANGUAGE sql AS $$ SELECT gen_random_uuid() $$;",
                false,
            ),
            ("CREATE TABLE t (u uuid DEFAULT uuid_generate_v7());", false),
        ],
        &facts,
        "16.4",
    );
    assert!(found.is_empty(), "{found:?}");
    let found = run(&[("CREATE EXTENSION IF NOT EXISTS postgis;", false)], 10);
    assert_eq!(rules(&found), ["gaps:extension-not-available"]);
    assert!(run(&[("CREATE EXTENSION IF NOT EXISTS pgcrypto;", false)], 10).is_empty());
}

#[test]
fn effects_follow_the_verdicts() {
    let next = vec![(
        migration_source(1, "ALTER TABLE events ALTER COLUMN kind TYPE varchar(50);"),
        PlanStatus::Pending,
        false,
    )];
    let s = live_schema();
    let mut a = analyse_files(&next, Some("16.4"), Some(&s));
    refine(&mut a, &live(10), Some(&s));
    assert_eq!(a[0].migration.statements[0].effect, Effect::Metadata);
    assert_eq!(a[0].migration.statements[0].locks[0].table, events());
}
