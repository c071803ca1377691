//! Tests of the log rules: one finding per signature, linked to the live schema and pending migrations, and no finding without a database error.

use super::*;
use crate::logs::LogsEvidence;
use crate::logs::scan::analyse_text;
use crate::migrations::LocalMigrations;
use crate::schema::{Column, Table, TableKind};
use crate::section::Section;
use crate::snapshot::Target;
use crate::testing::{applied, applied_migrations, local, local_migrations};

fn snap(logs: LogsEvidence) -> Snapshot {
    let mut s = Snapshot::new("0", "2026-01-09T13:00:00Z".into(), Target::default());
    s.logs = Section::collected(logs);
    s
}

fn table(name: &str, cols: &[&str]) -> Table {
    let columns = cols
        .iter()
        .enumerate()
        .map(|(i, c)| Column::new(i as i32 + 1, c, "bigint", false))
        .collect();
    Table::new("public", name, TableKind::Table, columns)
}

const LOG: &str = "2026-01-09T12:00:00Z app[148e272a] iad [info] database_error: relation \"focus_pause_state\" does not exist\n\
2026-01-09T12:01:00Z app[148e272a] iad [info] database_error: relation \"focus_pause_state\" does not exist\n\
2026-01-09T12:02:00Z app[148e272a] iad [info] database_error: column \"nickname\" of relation \"users\" does not exist\n";

#[test]
fn lines_past_the_signature_cap_are_reported_with_their_share() {
    let mut logs = analyse_text("fly.log", None, LOG.as_bytes());
    assert!(
        check(&snap(logs.clone()))
            .iter()
            .all(|f| !f.message.contains("not grouped"))
    );
    logs.inputs[0].classified_lines = 100;
    logs.ungrouped_lines = 53;
    let findings = check(&snap(logs));
    let f = findings
        .iter()
        .find(|f| f.message.contains("not grouped"))
        .expect("a finding for the ungrouped lines");
    assert_eq!(f.kind, FindingKind::EvidenceUnavailable);
    assert!(
        f.message
            .contains("53 classified log line(s) (53% of the 100"),
        "{}",
        f.message
    );
    assert!(f.message.contains("2000"), "{}", f.message);
}

#[test]
fn a_column_of_a_table_whose_columns_were_not_read_is_not_called_missing() {
    use crate::schema::{Catalog, IncompleteCatalog, IncompleteCause, RelationName};
    let mut s = snap(analyse_text("fly.log", None, LOG.as_bytes()));
    let mut schema = Schema {
        schemas: vec!["public".into()],
        tables: vec![table("users", &[])],
        ..Schema::default()
    };
    let said = |s: &Snapshot| {
        check(s)
            .into_iter()
            .find(|f| f.column.as_deref() == Some("nickname"))
            .map(|f| f.message)
            .unwrap_or_default()
    };
    s.schema = Section::collected(schema.clone());
    assert!(said(&s).contains("is missing from table users"), "control");
    schema.incomplete.push(IncompleteCatalog {
        relations: vec![RelationName {
            schema: "public".into(),
            name: "users".into(),
        }],
        ..IncompleteCatalog::new(
            "reading columns",
            "locked",
            &[Catalog::Columns],
            IncompleteCause::Locked,
        )
    });
    s.schema = Section::collected(schema);
    let m = said(&s);
    assert!(!m.contains("missing from table users"), "{m}");
}

#[test]
fn missing_table_is_linked_to_live_schema_and_pending_migration() {
    let mut s = snap(analyse_text("fly.log", None, LOG.as_bytes()));
    s.schema = Section::collected(Schema {
        schemas: vec!["public".into()],
        tables: vec![table("users", &["id", "email"])],
        ..Schema::default()
    });
    s.local_migrations = Section::collected(LocalMigrations {
        directory_source: "flag".into(),
        ..local_migrations(vec![
            local(1, "create users"),
            local(14, "create focus pause state"),
        ])
    });
    s.applied_migrations = Section::collected(applied_migrations(vec![applied(1, "create users")]));
    let f = check(&s);
    assert_eq!(f.len(), 2, "{f:#?}");
    let t = f
        .iter()
        .find(|f| f.table.as_deref() == Some("focus_pause_state"))
        .unwrap();
    assert_eq!(t.kind, FindingKind::LogDatabaseError);
    assert!(
        t.message
            .contains("table focus_pause_state is missing in the live database"),
        "{}",
        t.message
    );
    assert!(t.message.contains("pending migration 14"), "{}", t.message);
    assert_eq!(t.migration, Some(14));
    assert_eq!(t.details["count"], 2);
    assert_eq!(t.details["first_seen"], "2026-01-09T12:00:00Z");
    assert_eq!(t.details["last_seen"], "2026-01-09T12:01:00Z");
    let c = f
        .iter()
        .find(|f| f.column.as_deref() == Some("nickname"))
        .unwrap();
    assert!(
        c.message
            .contains("column nickname is missing from table users"),
        "{}",
        c.message
    );
}

#[test]
fn without_schema_evidence_the_finding_still_names_table_and_count() {
    let f = check(&snap(analyse_text("fly.log", None, LOG.as_bytes())));
    let t = f
        .iter()
        .find(|f| f.table.as_deref() == Some("focus_pause_state"))
        .unwrap();
    assert!(!t.message.contains("missing in the live"), "{}", t.message);
    assert!(t.message.contains("2 times"), "{}", t.message);
}

#[test]
fn table_present_now_is_said_so_not_called_missing() {
    let mut s = snap(analyse_text("fly.log", None, LOG.as_bytes()));
    s.schema = Section::collected(Schema {
        tables: vec![
            table("focus_pause_state", &["id"]),
            table("users", &["nickname"]),
        ],
        ..Schema::default()
    });
    let f = check(&s);
    assert!(
        f.iter().all(|f| !f.message.contains("is missing")),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|f| f.message.contains("exists in the live database now"))
    );
}

#[test]
fn pool_pooler_and_migration_kinds_get_their_own_findings() {
    let text = "pool timed out while waiting for an open connection\n\
error returned from database: prepared statement \"sqlx_s_1\" already exists\n\
Migration failed: error returned from database: syntax error while executing migration 7\n\
Checking database migrations...\nDatabase schema is up to date\n";
    let f = check(&snap(analyse_text("a", None, text.as_bytes())));
    let kinds: Vec<FindingKind> = f.iter().map(|f| f.kind).collect();
    assert_eq!(kinds.len(), 3, "{f:#?}");
    assert!(kinds.contains(&FindingKind::LogPoolExhaustion));
    assert!(kinds.contains(&FindingKind::LogPoolerIncompatibility));
    let m = f
        .iter()
        .find(|f| f.kind == FindingKind::LogMigrationFailure)
        .unwrap();
    assert_eq!(m.migration, Some(7));
    assert!(f.iter().all(|f| f.kind != FindingKind::LogDatabaseError));
}

#[test]
fn skipped_logs_give_no_findings() {
    let s = Snapshot::new("0", "2026-01-09T13:00:00Z".into(), Target::default());
    assert!(check(&s).is_empty());
}
