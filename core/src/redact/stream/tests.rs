//! The streaming snapshot functions against the `Value`-based reference they replaced
//! ([`crate::testing::reference`]): byte-identical text from `to_json`, equal snapshots from
//! `redact` and `from_json` (errors included), over the fixtures, a corpus of planted secrets,
//! hostile names and arbitrary strings in every kind of field.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::health::{HealthBody, HealthEvidence};
use crate::schema::{IncompleteCatalog, IncompleteCause};
use crate::section::Section;
use crate::snapshot::{LoadError, Outline, Snapshot};
use crate::testing::{self, Service, reference};

/// Secrets beyond the log lines of [`testing::SECRET_LOG_LINES`]: in URLs, SQL literals and
/// migration text, as the collector meets them.
const MORE_SECRETS: &[&str] = &[
    "postgres://app:xq7s42-dsn@db.internal:5432/app",
    "https://pub:xq7s48-sentry@o1.ingest.sentry.io/1",
    "http://probe:xq7s55-loc@127.0.0.1:8080/json?token=xq7s56-loc",
    "'sk_live_xq7s71migdefault'::text",
    "(api_key <> 'xq7s72-check'::text)",
    "ALTER ROLE app_owner PASSWORD 'xq7s73-mig'",
    "SELECT dblink_connect('host=replica password=xq7s74-mig')",
    "failed for KNOWNPW at h",
    "REDACTED",
];

/// Every planted secret: the log lines the collector's corpus test plants, then the rest.
fn corpus() -> impl Iterator<Item = &'static &'static str> {
    testing::SECRET_LOG_LINES.iter().chain(MORE_SECRETS)
}

/// Names and text that try to drive a terminal or reorder a page.
const HOSTILE: &[&str] = &[
    "a\u{1b}]0;pwned\u{7}b\u{1b}[31mc\u{0}d\re\u{9b}2Jf\u{202e}g\u{2066}h\u{200b}i\u{feff}j\u{e0041}k\u{fffe}",
    "tab\there\nnewline \"quoted\" back\\slash /solidus \u{7f}del \u{85}nel",
    "emoji 👩‍👩‍👧 עברית 日本語 \u{2028}\u{2029}",
    "",
];

/// Secrets the collector knows verbatim; `RED` is also inside the placeholder `REDACTED`.
fn known() -> Vec<String> {
    vec!["KNOWNPW".into(), "RED".into(), "xq7s90-dbpw".into()]
}

/// A health body holding `s` as keys, values and under secret keys.
fn body_of(s: &str) -> serde_json::Value {
    serde_json::json!({
        "status": s,
        "password": s,
        "token": 123,
        "api_key": null,
        s: {"nested": [s, {"db_password": [s]}], "ok": true},
        "REDACTED": s,
        "list": [s, 1.5, -2, {"url": s}],
    })
}

/// A snapshot with `s` planted in fields of every redaction class (Keep, Text, Sql, Url) and
/// in a JSON and a text health body.
fn planted(s: &str) -> Snapshot {
    let mut snap = Service::new()
        .migration(1, "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);")
        .applied(&[1])
        .logs(&format!(
            "2026-01-09T13:00:00Z app[1] iad [error] error returned from database: column \"x\" does not exist {s}\n"
        ))
        .health(r#"{"status":"ok"}"#)
        .snapshot();
    snap.target.label = Some(s.into());
    snap.target.database_url = Some(format!("postgres://u:{s}@h/db"));
    snap.target.source_dir = Some(s.into());
    let mut col = testing::col(1, s, "text", true);
    col.default = Some(s.into());
    col.generated = Some(format!("lower({s})"));
    let mut t = testing::table(s, vec![col, testing::col(2, "id", "bigint", false)]);
    t.check_constraints.push(testing::check(s, s));
    t.indexes.push(testing::index(
        s,
        &["id"],
        true,
        Some(&format!("CREATE INDEX {s}")),
    ));
    let mut schema = testing::schema(vec![t]);
    schema.incomplete.push(IncompleteCatalog::new(
        s,
        s,
        &[crate::schema::Catalog::Indexes],
        IncompleteCause::Permission,
    ));
    snap.schema = Section::collected(schema);
    snap.database = Section::failed(s, s);
    snap.code = Section::skipped(s);
    let mut headers = BTreeMap::new();
    headers.insert("server".to_string(), s.to_string());
    headers.insert(s.to_string(), "x".to_string());
    snap.health = Section::collected(HealthEvidence {
        url: format!("http://h/health?token={s}"),
        final_url: Some(s.into()),
        status: Some(200),
        headers,
        body: Some(HealthBody::Json {
            value: body_of(s),
            bytes: 10,
        }),
        ..HealthEvidence::default()
    });
    snap
}

/// The same with a text health body.
fn planted_text_body(s: &str) -> Snapshot {
    let mut snap = planted(s);
    if let Section::Collected { data } = &mut snap.health {
        data.body = Some(HealthBody::Text {
            text: s.into(),
            bytes: 3,
            truncated: false,
        });
    }
    snap
}

/// Every fixture the tests share, plus planted ones.
fn fixtures() -> Vec<Snapshot> {
    let mut all = vec![
        testing::snapshot(),
        testing::labelled("production"),
        testing::snapshot_of(
            "staging",
            vec![testing::table(
                "users",
                vec![testing::col(1, "id", "bigint", false)],
            )],
            vec![testing::applied(1, "init")],
        ),
    ];
    let mut full = testing::snapshot();
    full.service = Section::collected(testing::service_evidence("app"));
    all.push(full);
    for s in corpus().chain(HOSTILE) {
        all.push(planted(s));
        all.push(planted_text_body(s));
    }
    all
}

/// The three equivalences for one snapshot.
fn assert_equivalent(snap: &Snapshot) {
    let text = snap.to_json();
    assert_eq!(text, reference::to_json(snap), "to_json");
    let mut written = Vec::new();
    snap.write_json(std::io::BufWriter::new(&mut written))
        .unwrap();
    assert_eq!(written, text.as_bytes(), "write_json");

    for known in [vec![], known()] {
        let (mut new, mut old) = (snap.clone(), snap.clone());
        new.redact(&known);
        reference::redact(&mut old, &known);
        assert_eq!(new, old, "redact with {known:?}");

        // The one-pass write of a snapshot not yet redacted: when it says clean, its bytes
        // are the redacted snapshot's text; when redaction changes anything it never says so.
        let mut once = Vec::new();
        let clean = snap.write_json_if_clean(&mut once, &known).unwrap();
        if clean {
            assert_eq!(once, old.to_json().as_bytes(), "one pass with {known:?}");
        }
        if old != *snap {
            assert!(
                !clean,
                "one pass called clean what redaction changed, {known:?}"
            );
        }
    }

    assert_eq!(Outline::from_json(&text), Ok(Outline::of(snap)), "outline");

    let raw = serde_json::to_string(snap).unwrap();
    for t in [text.as_str(), raw.as_str(), &format!("\u{feff}{raw}")] {
        assert_eq!(
            Snapshot::from_json(t),
            reference::from_json(t),
            "from_json of {t}"
        );
    }
}

#[test]
fn the_streamed_functions_equal_the_value_reference_over_the_fixtures() {
    for snap in fixtures() {
        assert_equivalent(&snap);
    }
}

#[test]
fn the_one_pass_write_says_clean_only_when_nothing_is_redacted() {
    let clean = fixtures()[..4].to_vec();
    for snap in &clean {
        for known in [vec![], known()] {
            let mut once = Vec::new();
            assert!(snap.write_json_if_clean(&mut once, &known).unwrap());
            assert_eq!(once, snap.to_json().as_bytes());
        }
    }
    let mut planted = testing::snapshot();
    planted.target.label = Some("postgres://app:xq7s42-dsn@db.internal:5432/app".into());
    planted.target.database_url = planted.target.label.clone();
    let mut once = Vec::new();
    assert!(!planted.write_json_if_clean(&mut once, &[]).unwrap());
    assert!(!String::from_utf8(once).unwrap().contains("xq7s42-dsn"));
    // A known secret alone (in a free-text field) makes it unclean too.
    let mut label = testing::snapshot();
    label.target.label = Some("failed for KNOWNPW at h".into());
    let mut once = Vec::new();
    assert!(label.write_json_if_clean(&mut Vec::new(), &[]).unwrap());
    assert!(!label.write_json_if_clean(&mut once, &known()).unwrap());
    assert!(!String::from_utf8(once).unwrap().contains("KNOWNPW"));
}

#[test]
fn planted_secrets_do_not_reach_the_text() {
    // The secrets in SQL literals are SQL redaction's (tested with it), not free text's.
    for s in corpus().filter(|s| s.contains("xq7s") && !s.contains('\'')) {
        let text = planted(s).to_json();
        let lower = text.to_ascii_lowercase();
        // Identifiers (`Keep` fields: table and column names, source_dir) hold the planted
        // text on purpose, and SQL redaction goes by the statement's shape; the secret must
        // be gone from every free-text and URL field.
        let text_fields = [
            "\"label\"",
            "\"during\"",
            "\"message\"",
            "url\"",
            "\"reason\"",
        ];
        let redacted_only = lower
            .lines()
            .filter(|l| text_fields.iter().any(|f| l.trim_start().starts_with(f)));
        for line in redacted_only {
            assert!(!line.contains("xq7s"), "{s}: {line}");
        }
    }
}

#[test]
fn unsafe_characters_are_spelled_in_keys_and_values() {
    let text = planted(HOSTILE[0]).to_json();
    assert!(
        !text
            .chars()
            .any(|c| crate::escape::is_unsafe(c) && !matches!(c, '\n')),
        "{text}"
    );
    assert!(text.contains("\\u202e") && text.contains("\\udb40\\udc41"));
}

#[test]
fn from_json_errors_equal_the_reference() {
    let good = planted("x").to_json();
    let mut cases: Vec<String> = [
        "",
        "  \n",
        "\u{feff}",
        "[1,",
        "[1, 2]",
        "[{\"format_version\": 1}]",
        "\"text\"",
        "42",
        "-1.5e3",
        "null",
        "true",
        "{}",
        "{\"tables\": []}",
        "{\"format_version\": \"1\"}",
        "{\"format_version\": 99}",
        "{\"format_version\": 1.0}",
        "{\"format_version\": -1}",
        "{\"format_version\": 1}",
        "{\"format_version\": 99, \"format_version\": 1}",
        "{\"format_version\": 1, \"format_version\": 99}",
        "{\"format\\u005fversion\": 99}",
        "{\"format_version\": 1} trailing",
        "{\n  \"format_version\": 1,\n  oops\n}",
        "{\"format_version\":1,\"tool\":{\"name\":\"gaps\",\"version\":\"0.0.1\"},\n \"collected_at\":\"2026-01-09T12:00:00Z\",\"target\":{\"backend\":\"oracle\"}}",
        "{\"format_version\":1,\"tool\":{\"name\":\"gaps\",\"version\":\"0.0.1\"},\n \"collected_at\":\"2026-01-09T12:00:00Z\",\"target\":{}, \"unknown\": {\"message\": \"password=x\"}}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for cut in (0..good.len()).step_by(97) {
        if good.is_char_boundary(cut) {
            cases.push(good[..cut].to_string());
        }
    }
    cases.push(good.replace("\"collected\"", "\"gathered\""));
    cases.push(good.replace("\"ordinal\": 1", "\"ordinal\": \"one\""));
    for text in &cases {
        let expected = reference::from_json(text);
        assert_eq!(Snapshot::from_json(text), expected, "{text:?}");
        // The outline makes the same checks before the shape.
        match (Outline::from_json(text), expected) {
            (Ok(outline), Ok(snap)) => assert_eq!(outline, Outline::of(&snap), "{text:?}"),
            // A shape error deep in the evidence is not the outline's to see.
            (Ok(_) | Err(LoadError::Invalid { .. }), Err(LoadError::Invalid { .. })) => {}
            (outline, snap) => assert_eq!(outline.err(), snap.err(), "{text:?}"),
        }
    }
}

/// Secret-looking text, or anything at all.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(postgres://[a-z]{1,4}:[a-z0-9@%]{1,8}@h/db|password=[a-z ]{1,8}|Bearer [a-zA-Z0-9]{4,12}|ghp_[a-zA-Z0-9]{36}|KNOWNPW|RED|[\\x00-\\x1f\\x7f\\u{85}\\u{202e}\"\\\\]{1,4})",
        (
            "\\PC{0,12}",
            "(token=|sk_live_|AKIA|REDACTED|xq7s)",
            "\\PC{0,12}"
        )
            .prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_strings_in_every_field_class_stay_equivalent(s in text()) {
        assert_equivalent(&planted(&s));
        assert_equivalent(&planted_text_body(&s));
    }
}
