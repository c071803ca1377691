//! Tests of the viewer's data reading: the snapshot form and the compact form the report embeds.

use super::*;
use gaps_core::code::replay::{MigrationSource, replay};
use gaps_core::schema::{EnumType, Extension};

/// A snapshot using every field the viewer reads, and many it skips, serialised by
/// gaps-core; and its findings.
fn rich() -> (Snapshot, Vec<Finding>) {
    let mut s = gaps_site::sample::sample_snapshot();
    let sql = "CREATE TABLE users (id bigserial PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, \
               name text DEFAULT 'anon' CHECK (length(name) > 0));\n\
               CREATE TABLE todos (id bigint PRIMARY KEY, user_id bigint REFERENCES users ON DELETE CASCADE, \
               title text NOT NULL);\n\
               CREATE INDEX todos_user_idx ON todos (user_id);\n\
               CREATE VIEW open_todos AS SELECT * FROM todos;\n\
               DO $$ BEGIN PERFORM 1; END $$;\n";
    let e = replay(
        &[MigrationSource {
            version: 1,
            file: "0001_init.sql".into(),
            sql: sql.into(),
        }],
        Backend::Postgres,
    );
    assert!(!e.origins.is_empty() && !e.not_modelled.is_empty() && !e.partial_tables.is_empty());
    let t = |n: &str| e.schema.tables.iter().find(|t| t.name == n).unwrap();
    assert!(t("users").primary_key.is_some() && !t("users").check_constraints.is_empty());
    assert!(!t("users").unique_constraints.is_empty() && !t("todos").foreign_keys.is_empty());
    assert!(t("todos").indexes.iter().any(|i| i.definition.is_some()));
    let mut live = e.schema.clone();
    live.enums.push(EnumType {
        schema: "public".into(),
        name: "mood".into(),
        labels: vec!["ok".into()],
    });
    live.extensions.push(Extension {
        name: "pgcrypto".into(),
        version: "1.3".into(),
    });
    let users = live.tables.iter_mut().find(|t| t.name == "users").unwrap();
    users.columns[0].identity = Some("by_default".into());
    users.columns[0].generated = Some("stored".into());
    s.schema = Section::collected(live);
    s.expected_schema = Section::collected(e);
    let mut findings = gaps_site::sample::sample_findings();
    findings.push(
        Finding::new(
            FindingKind::EvidenceUnavailable,
            Severity::Warning,
            "ACTION-006",
            "health evidence could not be collected",
        )
        .detail("section", "health")
        .detail("count", 3.5),
    );
    (s, findings)
}

/// What the viewer keeps of a snapshot: the viewed sections, without what it skips.
fn viewed(s: &Snapshot) -> Snapshot {
    let mut v = Snapshot::new("", s.collected_at.clone(), s.target.clone());
    v.format_version = s.format_version;
    v.schema = s.schema.clone();
    if let Section::Collected { data } = &mut v.schema {
        data.enums.clear();
        data.extensions.clear();
        data.incomplete.clear();
    }
    v.applied_migrations = s.applied_migrations.clone();
    v.expected_schema = s.expected_schema.clone();
    if let Section::Collected { data: e } = &mut v.expected_schema {
        e.domains.clear();
        e.origins.clear();
        e.not_modelled.clear();
        e.gaps_md_tables.clear();
        e.gaps_md_file = None;
        e.scratch_server = None;
        e.scratch_error = None;
        e.schema.enums.clear();
        e.schema.extensions.clear();
    }
    v
}

#[test]
fn the_viewer_reads_what_gaps_core_writes() {
    let (s, findings) = rich();
    let mut failed = s.clone();
    failed.schema = Section::failed("reading pg_attribute", "permission denied");
    failed.applied_migrations = Section::skipped("no --database-url given");
    let text = serde_json::json!({
        "snapshots": [s, failed],
        "findings": [findings, []],
    })
    .to_string();
    let d = parse_data(&text).unwrap();
    assert_eq!(d.snapshots, vec![viewed(&s), viewed(&failed)]);
    assert_eq!(d.same_as_live, vec![Vec::new(), Vec::new()]);
    let mut want = findings.clone();
    want.last_mut().unwrap().details.remove("count");
    assert_eq!(d.findings, Some(vec![want, vec![]]));
    // Pretty-printed (as a person might paste it) reads the same.
    let pretty = serde_json::to_string_pretty(&serde_json::json!({"snapshots": [s]})).unwrap();
    assert_eq!(parse_data(&pretty).unwrap().snapshots, vec![viewed(&s)]);
}

#[test]
fn the_viewer_reads_the_compact_form_the_report_embeds() {
    let (mut s, findings) = rich();
    // Some expected tables equal to live ones (written as references), one differing,
    // a column with an ordinal that is not its position + 1.
    if let Section::Collected { data: e } = &mut s.expected_schema {
        let todos = e.schema.tables.iter_mut().find(|t| t.name == "todos");
        let todos = todos.unwrap();
        todos.columns[0].data_type = "smallint".into();
        todos.columns[1].ordinal = 9;
        // A table with columns and constraints equal on both sides.
        let mut accounts = e
            .schema
            .tables
            .iter()
            .find(|t| t.name == "users")
            .unwrap()
            .clone();
        accounts.name = "accounts".into();
        e.schema.tables.push(accounts.clone());
        if let Section::Collected { data: live } = &mut s.schema {
            live.tables.insert(0, accounts);
        }
    }
    let mut failed = s.clone();
    failed.schema = Section::failed("reading pg_attribute", "permission denied");
    let analysed = vec![
        (
            gaps_site::NamedSnapshot {
                file: "a.json".into(),
                snapshot: s.clone(),
            },
            findings.clone(),
        ),
        (
            gaps_site::NamedSnapshot {
                file: "b.json".into(),
                snapshot: failed.clone(),
            },
            vec![],
        ),
    ];
    let text = gaps_site::embed::data_json(&analysed);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tables = v["snapshots"][0]["expected_schema"]["data"]["schema"]["tables"]
        .as_array()
        .unwrap();
    assert!(tables.iter().any(serde_json::Value::is_number), "{text}");
    assert!(tables.iter().any(serde_json::Value::is_object), "{text}");
    let d = parse_data(&text).unwrap();
    let mut want = vec![viewed(&s), viewed(&failed)];
    for w in &mut want {
        if let Section::Collected { data: e } = &mut w.expected_schema {
            // Of the expected schema the page embeds what the viewer reads.
            e.removals.clear();
        }
    }
    assert_eq!(d.materialized(), want);
    // The tables written as references are placeholders for their live tables, not copies.
    let same = &d.same_as_live[0];
    let (e, live) = (&d.snapshots[0].expected_schema, &want[0].schema);
    let (e, live) = (
        &e.data().unwrap().schema.tables,
        &live.data().unwrap().tables,
    );
    assert_eq!(same.len(), e.len());
    assert_eq!(
        same.iter().flatten().count(),
        tables.iter().filter(|t| t.is_number()).count()
    );
    for (t, j) in e.iter().zip(same) {
        if let Some(j) = j {
            let l = &live[*j];
            assert_eq!((&t.schema, &t.name, t.kind), (&l.schema, &l.name, l.kind));
            assert!(t.columns.is_empty() && t.indexes.is_empty(), "{t:?}");
        }
    }
    assert!(same.iter().flatten().any(|j| !live[*j].columns.is_empty()));
    assert!(d.same_as_live[1].is_empty(), "no live schema, no reference");
    let mut wantf = findings.clone();
    wantf.last_mut().unwrap().details.remove("count");
    assert_eq!(d.findings, Some(vec![wantf, vec![]]));
}

#[test]
fn a_reference_to_a_live_table_that_is_not_there_is_refused() {
    let text = "{\"snapshots\": [{\"format_version\": 1, \"expected_schema\": \
                {\"status\": \"collected\", \"data\": {\"schema\": {\"tables\": [3]}}}}]}";
    let err = parse_data(text).unwrap_err();
    assert!(
        err.to_string()
            .contains("table 3 of the live schema is referred to, but it has 0 tables"),
        "{err}"
    );
    let err = parse_data(
        "{\"snapshots\": [{\"format_version\": 1, \"schema\": {\"status\": \"collected\", \
         \"data\": {\"tables\": [{\"name\": \"t\", \"columns\": [[\"id\"]]}]}}}]}",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("name, type and nullability"),
        "{err}"
    );
}

#[test]
fn a_field_of_the_wrong_type_is_named_with_its_position() {
    let text = "{\"snapshots\": [{\"format_version\": 1,\n \"target\": {\"label\": 7}}]}";
    let err = parse_data(text).unwrap_err();
    assert_eq!(
        err,
        DataError::Invalid {
            line: 2,
            column: 22,
            message: "expected a string".into()
        }
    );
    let err = parse_data("{\"snapshots\": [{\"collected_at\": \"x\"}]}").unwrap_err();
    assert!(
        err.to_string().contains("missing field `format_version`"),
        "{err}"
    );
    let err = parse_data(
        "{\"snapshots\": [{\"format_version\": 1, \"schema\": {\"status\": \"lost\"}}]}",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown section status `lost`"),
        "{err}"
    );
    let err = parse_data(
        "{\"snapshots\": [{\"format_version\": 1}], \"findings\": [[{\"kind\": \"nope\"}]]}",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown finding kind `nope`"),
        "{err}"
    );
    let err = parse_data("{}").unwrap_err();
    assert!(
        err.to_string().contains("missing field `snapshots`"),
        "{err}"
    );
}

fn snap() -> String {
    let mut s = Snapshot::new("0.1.0", "2026-01-09T12:00:00Z".into(), Target::default());
    s.target.label = Some("gaps".into());
    s.schema = Section::collected(Schema::default());
    s.to_json()
}

#[test]
fn two_snapshots_parse_keeping_the_viewed_sections() {
    let text = format!("{{\"snapshots\":[{},{}]}}", snap(), snap());
    let d = parse_data(&text).unwrap();
    assert_eq!(d.snapshots.len(), 2);
    assert!(d.snapshots[0].schema.data().is_some());
    assert_eq!(d.snapshots[0].collected_at, "2026-01-09T12:00:00Z");
    assert!(d.findings.is_none());
}

#[test]
fn escaped_lt_in_embedded_json_is_fine() {
    let text = format!(
        "{{\"snapshots\":[{}]}}",
        snap().replace("\"gaps\"", "\"ga\\u003cps\"")
    );
    let d = parse_data(&text).unwrap();
    assert_eq!(d.snapshots[0].target.label.as_deref(), Some("ga<ps"));
}

#[test]
fn bad_json_names_line_and_column() {
    let err = parse_data("{\"snapshots\": [\n nope]}").unwrap_err();
    assert!(matches!(err, DataError::Invalid { line: 2, .. }), "{err:?}");
    assert!(err.to_string().contains("line 2"));
}

#[test]
fn empty_newer_and_mismatched_data_are_refused_with_reasons() {
    assert_eq!(parse_data("{\"snapshots\":[]}"), Err(DataError::Empty));
    let newer = snap().replace("\"format_version\": 1", "\"format_version\": 7");
    let err = parse_data(&format!("{{\"snapshots\":[{newer}]}}")).unwrap_err();
    assert_eq!(err, DataError::TooNew { index: 0, found: 7 });
    let err = parse_data(&format!(
        "{{\"snapshots\":[{}],\"findings\":[[],[]]}}",
        snap()
    ));
    assert_eq!(
        err,
        Err(DataError::FindingsMismatch {
            snapshots: 1,
            findings: 2
        })
    );
}
