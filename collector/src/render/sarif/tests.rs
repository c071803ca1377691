//! The SARIF renderer on a built service: every finding a result with a location, the anchor
//! chain when a finding has no file of its own, and nothing unanchored when nothing is known.

use std::collections::BTreeMap;

use gaps_core::testing::{Service, rejected};

use super::*;

/// 0002 pending (its table missing, used by a statement) and a log line about the table.
fn service() -> (Snapshot, Vec<Finding>, Diagnosis) {
    let s = Service::new()
        .migration(1, "CREATE TABLE users (id BIGINT PRIMARY KEY);")
        .migration(2, "CREATE TABLE todos (id BIGINT PRIMARY KEY);")
        .applied(&[1])
        .query(
            "src/todos.rs",
            7,
            "SELECT id FROM todos",
            rejected(
                "42P01",
                "relation \"todos\" does not exist",
                Some("todos"),
                None,
            ),
        )
        .snapshot();
    let f = gaps_core::rules::analyse(&s);
    let d = gaps_core::causes::diagnose(&s, &f);
    (s, f, d)
}

fn paths(findings: &[Finding], anchor: Option<&str>) -> RepoPaths {
    let map: BTreeMap<String, String> = findings
        .iter()
        .filter_map(|f| f.file.clone())
        .filter(|f| f.starts_with("src/"))
        .map(|f| (f.clone(), format!("svc/{f}")))
        .collect();
    RepoPaths::new(map, anchor.map(str::to_string))
}

#[test]
fn every_finding_is_one_result_under_its_kinds_rule_with_its_cause() {
    let (s, f, d) = service();
    assert!(!f.is_empty());
    let v = serde_json::to_value(sarif(&s, &f, &d, &paths(&f, Some("svc/Cargo.toml")))).unwrap();
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), FindingKind::ALL.len());
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), f.len());
    for (r, finding) in results.iter().zip(&f) {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], finding.kind.name());
        assert!(rules[index]["help"]["text"].as_str().unwrap().len() > 20);
        let cause = r["properties"]["cause"].as_str().unwrap();
        assert_eq!(r["partialFingerprints"]["gapsCause/v1"], cause);
        assert!(d.causes.iter().any(|c| c.id == cause));
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_else(|| panic!("no location: {r}"));
        assert!(uri.starts_with("svc/"), "{uri}");
    }
    assert_eq!(
        run["properties"]["gaps"]["causes"]
            .as_array()
            .unwrap()
            .len(),
        d.causes.len()
    );
}

#[test]
fn a_finding_without_a_file_is_anchored_at_its_cause_then_the_manifest() {
    let (_, f, d) = service();
    let statement = f
        .iter()
        .position(|x| x.kind == FindingKind::QueryInvalid)
        .unwrap();
    assert_eq!(
        place(statement, &f, &d, &paths(&f, None)),
        Some(("svc/src/todos.rs".into(), Some(7), Anchor::Own))
    );
    let table = f
        .iter()
        .position(|x| x.kind == FindingKind::TableMissing)
        .unwrap();
    // The missing table (its file is the migration, outside this map) and the statement it
    // breaks are one cause: the table's result is shown at the statement.
    assert_eq!(
        d.cause_of(table).map(|c| &c.id),
        d.cause_of(statement).map(|c| &c.id)
    );
    assert_eq!(
        place(table, &f, &d, &paths(&f, None)),
        Some(("svc/src/todos.rs".into(), Some(7), Anchor::Cause))
    );
    // Nothing of the repository known but its manifest: every result lands there.
    let manifest_only = RepoPaths::new(BTreeMap::new(), Some("Cargo.toml".into()));
    for i in 0..f.len() {
        assert_eq!(
            place(i, &f, &d, &manifest_only),
            Some(("Cargo.toml".into(), None, Anchor::Manifest))
        );
    }
    // Nothing at all: no made-up place.
    let none = RepoPaths::default();
    assert!((0..f.len()).all(|i| place(i, &f, &d, &none).is_none()));
}

#[test]
fn the_fingerprint_follows_the_subject_not_the_wording_or_line() {
    let a = Finding::new(
        FindingKind::ColumnMissing,
        Severity::Error,
        "ACTION-004",
        "one",
    )
    .table("t")
    .column("c")
    .location("src/a.rs", Some(3));
    let mut b = a.clone();
    b.message = "two".into();
    b.line = Some(40);
    assert_eq!(fingerprint(&a), fingerprint(&b));
    let other = a.clone().column("d");
    assert_ne!(fingerprint(&a), fingerprint(&other));
}

#[test]
fn call_sites_split_at_the_last_colon() {
    assert_eq!(split_site("src/db.rs:12"), ("src/db.rs", Some(12)));
    assert_eq!(split_site("src/db.rs"), ("src/db.rs", None));
    assert_eq!(split_site("C:/x.rs"), ("C:/x.rs", None));
}
