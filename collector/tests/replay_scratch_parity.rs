//! Replay mode against scratch mode, through the real `gaps collect` on the real throwaway
//! PostgreSQL: the schema replayed from the migrations must be the one Postgres builds from
//! them (scratch mode applies them on a temporary database and inspects it: the exact one),
//! on every table the replay models — tables, columns (ordinal, name, type, nullability,
//! identity, generated), keys, foreign keys, indexes (expression keys compared as the rules
//! compare them, since the server prints an expression its own way), CHECK names and enums.
//! Tables the replay marks partial are skipped, and the test says which.
//!
//! Not compared: column defaults and CHECK expressions, whose spelling the replay keeps as
//! written (`'active'` where Postgres prints `'active'::focus_status`); comparing them is the
//! job of the rules that read them.

mod common;

use std::path::Path;

use common::{code, gaps, stderr};
use gaps_core::code::ExpectedSchema;
use gaps_core::code::expected::ExpectationMode;
use gaps_core::schema::Table;
use gaps_tests::fixtures::fixture;
use gaps_tests::pg;

/// `gaps collect` without a target database: the expected schema from `args`' migrations,
/// replayed, or applied to a scratch database on `scratch`.
fn expected_schema(dir: &Path, args: &[&str], scratch: Option<&str>) -> ExpectedSchema {
    let snap = dir.join(if scratch.is_some() {
        "scratch.json"
    } else {
        "replay.json"
    });
    let mut all = vec!["collect", "--quiet", "--out", snap.to_str().unwrap()];
    all.extend_from_slice(args);
    if let Some(url) = scratch {
        all.extend(["--scratch-database-url", url]);
    }
    let out = gaps(dir, &all);
    assert!(code(&out) <= 1, "collect failed: {}", stderr(&out));
    let text = std::fs::read_to_string(&snap).expect("snapshot written");
    let s = gaps_core::Snapshot::from_json(&text).expect("snapshot parses");
    s.expected_schema
        .data()
        .unwrap_or_else(|| panic!("no expected schema: {:?}", s.expected_schema))
        .clone()
}

/// Everything compared about one table, in a form whose `Debug` shows the difference.
fn shape(t: &Table) -> Vec<String> {
    let mut out: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            format!(
                "column {} {} {} {} identity={:?} generated={}",
                c.ordinal,
                c.name,
                c.data_type,
                if c.nullable { "null" } else { "not null" },
                c.identity,
                c.generated.is_some()
            )
        })
        .collect();
    if let Some(k) = &t.primary_key {
        out.push(format!("primary key {} {:?}", k.name, k.columns));
    }
    for k in &t.unique_constraints {
        out.push(format!("unique {} {:?}", k.name, k.columns));
    }
    for f in &t.foreign_keys {
        out.push(format!(
            "foreign key {} {:?} -> {}.{} {:?} on delete {} on update {}",
            f.name,
            f.columns,
            f.referenced_schema,
            f.referenced_table,
            f.referenced_columns,
            f.on_delete,
            f.on_update
        ));
    }
    // Index keys are compared on their own (see `disagreements`).
    for i in &t.indexes {
        out.push(format!(
            "index {} unique={} primary={}",
            i.name, i.unique, i.primary
        ));
    }
    for k in &t.check_constraints {
        out.push(format!("check {}", k.name));
    }
    out
}

/// The differences between the replayed and the scratch schema, one line each; and the
/// partial tables that were skipped.
fn disagreements(replay: &ExpectedSchema, scratch: &ExpectedSchema) -> (Vec<String>, Vec<String>) {
    let mut diffs = Vec::new();
    let mut skipped = Vec::new();
    for rt in &replay.schema.tables {
        if replay.partial_tables.contains(&rt.name) {
            skipped.push(rt.name.clone());
            continue;
        }
        let Some(st) = scratch.schema.table(&rt.schema, &rt.name) else {
            diffs.push(format!(
                "{}.{}: not in the scratch schema",
                rt.schema, rt.name
            ));
            continue;
        };
        let (r, s) = (shape(rt), shape(st));
        for line in r.iter().filter(|l| !s.contains(l)) {
            diffs.push(format!("{}: replay has {line}", rt.name));
        }
        for line in s.iter().filter(|l| !r.contains(l)) {
            diffs.push(format!("{}: scratch has {line}", rt.name));
        }
        // An expression key is printed by the server its own way; the rules compare keys with
        // `same_keys`, and so does this test.
        for ri in &rt.indexes {
            if let Some(si) = st.indexes.iter().find(|i| i.name == ri.name)
                && !ri.same_keys(si)
            {
                diffs.push(format!(
                    "{}: index {} keys: replay {:?}, scratch {:?}",
                    rt.name, ri.name, ri.columns, si.columns
                ));
            }
        }
    }
    for st in &scratch.schema.tables {
        if replay.schema.table(&st.schema, &st.name).is_none() {
            diffs.push(format!(
                "{}.{}: only in the scratch schema",
                st.schema, st.name
            ));
        }
    }
    if replay.schema.enums != scratch.schema.enums {
        diffs.push(format!(
            "enums: replay {:?}, scratch {:?}",
            replay.schema.enums, scratch.schema.enums
        ));
    }
    if replay.schema.schemas != scratch.schema.schemas {
        diffs.push(format!(
            "schemas: replay {:?}, scratch {:?}",
            replay.schema.schemas, scratch.schema.schemas
        ));
    }
    (diffs, skipped)
}

/// Replays and applies the same migrations (`args`), and returns the disagreements and the
/// skipped partial tables.
fn compare(args: &[&str]) -> (Vec<String>, Vec<String>, ExpectedSchema) {
    let c = pg::cluster();
    let dir = tempfile::tempdir().unwrap();
    let replay = expected_schema(dir.path(), args, None);
    assert_eq!(replay.mode, ExpectationMode::Replay);
    let scratch = expected_schema(dir.path(), args, Some(&c.url("postgres")));
    assert_eq!(
        scratch.mode,
        ExpectationMode::Scratch,
        "scratch mode failed: {:?}",
        scratch.scratch_error
    );
    let (diffs, skipped) = disagreements(&replay, &scratch);
    (diffs, skipped, replay)
}

#[test]
fn scratch_and_replay_agree_on_every_ignition_api_table() {
    let src = fixture("ignition-api");
    let (diffs, skipped, replay) = compare(&["--source", src.to_str().unwrap()]);
    // Every table is modelled: the DO block and the function of 0011 create none.
    assert!(skipped.is_empty(), "partial tables: {skipped:?}");
    assert_eq!(replay.schema.tables.len(), 41);
    assert!(
        diffs.is_empty(),
        "replay and scratch disagree:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn scratch_and_replay_agree_on_migrations_written_every_which_way() {
    let m = fixture("replay-shapes/migrations");
    let (diffs, skipped, replay) = compare(&["--migrations", m.to_str().unwrap()]);
    // The view's columns come from its query, which the replay does not follow: skipped.
    assert_eq!(skipped, ["pet_owners"]);
    assert!(replay.not_modelled.is_empty(), "{:#?}", replay.not_modelled);
    assert!(
        replay.schema.tables.len() >= 8,
        "{:?}",
        replay.schema.tables
    );
    assert!(
        diffs.is_empty(),
        "replay and scratch disagree:\n{}",
        diffs.join("\n")
    );
}
