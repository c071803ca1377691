//! Tests of the health section's view.

use super::*;
use gaps_core::health::{HealthError, HealthErrorKind, body_from_bytes};
use gaps_core::section::Section;

fn with_body(body: &str) -> Snapshot {
    let mut s = crate::sample::sample_snapshot();
    s.health = Section::collected(HealthEvidence {
        url: "https://u:hunter2@svc.example.invalid/health?token=abc".into(),
        reachable: true,
        status: Some(200),
        body: body_from_bytes(body.as_bytes(), false),
        timeout_ms: 1000,
        ..HealthEvidence::default()
    });
    s
}

fn verdict(s: &Snapshot) -> (String, String) {
    let v = health_view(s, &[])
        .schema_version
        .expect("a schema_version row");
    (v.status, v.verdict)
}

#[test]
fn schema_version_is_compared_with_local_and_applied_migrations() {
    // Sample: local 0001..0014, applied successfully up to 0012.
    let (st, text) = verdict(&with_body(r#"{"schema_version":14}"#));
    assert_eq!(st, "failed");
    assert!(
        text.starts_with("differs from the database inspected"),
        "{text}"
    );
    let (st, text) = verdict(&with_body(r#"{"schema_version":12}"#));
    assert_eq!(st, "failed");
    assert!(
        text.contains("behind") && text.contains("2 versions"),
        "{text}"
    );
    let (st, text) = verdict(&with_body(r#"{"schema_version":15}"#));
    assert_eq!(st, "failed");
    assert!(text.starts_with("differs"), "{text}");
    let (st, _) = verdict(&with_body(r#"{"schema_version":null}"#));
    assert_eq!(st, "warning");
    let (st, text) = verdict(&with_body(r#"{"status":"ok"}"#));
    assert_eq!(st, "warning");
    assert!(text.contains("no schema_version"), "{text}");

    let mut s = with_body(r#"{"schema_version":14}"#);
    s.applied_migrations = Section::skipped("no database");
    let (st, text) = verdict(&s);
    assert_eq!(
        (st.as_str(), text.as_str()),
        ("ok", "matches the newest migration (0014)")
    );
}

#[test]
fn endpoint_secrets_and_secret_fields_are_redacted() {
    let v = health_view(
        &with_body(
            r#"{"status":"ok","db":{"password":"hunter2"},"note":"postgres://a:hunter2@h/d"}"#,
        ),
        &[],
    );
    let all = serde_json::to_string(&v).unwrap();
    assert!(!all.contains("hunter2") && !all.contains("abc"), "{all}");
    assert!(
        v.body_fields
            .contains(&("db.password".into(), REDACTED.into()))
    );
}

#[test]
fn unreachable_endpoint_says_why_and_has_no_version_row() {
    let mut s = crate::sample::sample_snapshot();
    s.health = Section::collected(HealthEvidence {
        url: "http://127.0.0.1:9/health".into(),
        reachable: false,
        error: Some(HealthError {
            kind: HealthErrorKind::ConnectionRefused,
            message: "connection refused".into(),
        }),
        timeout_ms: 1000,
        ..HealthEvidence::default()
    });
    let v = health_view(&s, &[]);
    assert_eq!(
        v.summary.as_deref(),
        Some("Unreachable: connection refused.")
    );
    assert!(v.schema_version.is_none());
    let reach = v.facts.iter().find(|f| f.label == "Reachable").unwrap();
    assert_eq!(reach.status, "failed");
    assert!(
        reach.value.contains("connection_refused"),
        "{}",
        reach.value
    );
}
