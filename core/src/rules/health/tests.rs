//! Tests of the health rules: unreachable, unhealthy, and schema_version against the migrations, and what they must not report.

use super::*;
use crate::health::{HealthError, HealthErrorKind, HealthEvidence, body_from_bytes};
use crate::migrations::{AppliedMigrations, LocalMigration, LocalMigrations};
use crate::section::Section;
use crate::snapshot::Target;
use crate::testing::{applied, applied_migrations, local_migrations};

fn snap(status: u16, body: &str) -> Snapshot {
    let mut s = Snapshot::new("0", "2026-01-09T13:00:00Z".into(), Target::default());
    s.health = Section::collected(HealthEvidence {
        url: "https://api.example.com/health".into(),
        reachable: true,
        status: Some(status),
        body: body_from_bytes(body.as_bytes(), false),
        ..HealthEvidence::default()
    });
    s
}

fn with_migrations(mut s: Snapshot, local: &[i64], applied: &[i64]) -> Snapshot {
    s.local_migrations = Section::collected(LocalMigrations {
        directory: "m".into(),
        directory_source: "flag".into(),
        ..local_migrations(
            local
                .iter()
                .map(|v| LocalMigration {
                    file: format!("{v}_d.sql"),
                    ..crate::testing::local(*v, "d")
                })
                .collect(),
        )
    });
    s.applied_migrations = Section::collected(AppliedMigrations {
        table: "_sqlx_migrations".into(),
        ..applied_migrations(applied.iter().map(|v| self::applied(*v, "d")).collect())
    });
    s
}

fn kinds(s: &Snapshot) -> Vec<FindingKind> {
    check(s).iter().map(|f| f.kind).collect()
}

#[test]
fn healthy_and_matching_gives_nothing() {
    let s = with_migrations(
        snap(200, r#"{"status":"healthy","schema_version":14}"#),
        &[1, 14],
        &[1, 14],
    );
    assert!(check(&s).is_empty());
}

#[test]
fn mismatch_names_all_three_versions() {
    let s = with_migrations(
        snap(200, r#"{"status":"healthy","schema_version":12}"#),
        &[12, 14],
        &[12],
    );
    let f = check(&s);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, FindingKind::HealthSchemaVersionMismatch);
    let m = &f[0].message;
    assert!(
        m.contains("schema_version 12")
            && m.contains("applied migration is 12")
            && m.contains("local migration is 14"),
        "{m}"
    );
}

#[test]
fn unhealthy_status_field_and_http_errors() {
    assert_eq!(
        kinds(&snap(200, r#"{"status":"unhealthy"}"#)),
        [
            FindingKind::HealthUnhealthy,
            FindingKind::HealthSchemaVersionMissing
        ]
    );
    let f = check(&snap(500, "Internal Server Error"));
    assert_eq!(f.len(), 1);
    assert!(f[0].message.contains("HTTP 500"), "{}", f[0].message);
}

#[test]
fn null_schema_version_is_a_warning() {
    let f = check(&snap(200, r#"{"status":"ok","schema_version":null}"#));
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].kind, f[0].severity),
        (FindingKind::HealthSchemaVersionMissing, Severity::Warning)
    );
}

#[test]
fn unreachable_is_one_error() {
    let mut s = Snapshot::new("0", "2026-01-09T13:00:00Z".into(), Target::default());
    s.health = Section::collected(HealthEvidence {
        url: "http://127.0.0.1:1/health".into(),
        reachable: false,
        error: Some(HealthError {
            kind: HealthErrorKind::ConnectionRefused,
            message: "refused".into(),
        }),
        ..HealthEvidence::default()
    });
    let f = check(&s);
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("connection_refused"),
        "{}",
        f[0].message
    );
}
