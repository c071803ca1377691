//! Tests of the action statuses and the one-line summaries computed from the evidence.

use super::*;
use gaps_core::migrations::{AppliedMigration, LocalMigration};
use gaps_core::snapshot::Target;
use gaps_core::testing;

fn local(v: i64, checksum: &str) -> LocalMigration {
    LocalMigration {
        checksum: checksum.into(),
        checksum_normalized: checksum.into(),
        size: 10,
        ..testing::local(v, &format!("m{v}"))
    }
}

fn row(v: i64, success: bool, checksum: &str) -> AppliedMigration {
    AppliedMigration {
        installed_on: Some("2026-01-01T00:00:00Z".into()),
        success,
        checksum: checksum.into(),
        execution_time: 1_000_000,
        ..testing::applied(v, &format!("m{v}"))
    }
}

fn snapshot_14() -> Snapshot {
    let mut s = testing::snapshot();
    s.local_migrations = Section::collected(LocalMigrations {
        directory_source: "flag".into(),
        ..testing::local_migrations((1..=14).map(|v| local(v, "aa")).collect())
    });
    let mut rows: Vec<AppliedMigration> = (1..=12).map(|v| row(v, true, "aa")).collect();
    rows.push(row(13, false, "aa"));
    s.applied_migrations = Section::collected(AppliedMigrations {
        table: "_sqlx_migrations".into(),
        ..testing::applied_migrations(rows)
    });
    s
}

#[test]
fn action_002_counts_applied_failed_and_pending() {
    let s = snapshot_14();
    let st = action_status(actions::MIGRATIONS, &s, &[], &Expectations::default());
    assert_eq!(st.state, EvidenceState::Complete);
    assert_eq!(st.summary, "12 applied, 1 failed (0013), 1 pending (0014)");
}

#[test]
fn edited_and_db_only_migrations_are_named() {
    let mut s = snapshot_14();
    if let Section::Collected { data } = &mut s.applied_migrations {
        data.rows[6].checksum = "bb".into();
        data.rows.push(row(99, true, "cc"));
    }
    let text = migration_summary(s.applied_migrations.data(), s.local_migrations.data());
    assert!(
        text.contains("1 edited after being applied (0007)"),
        "{text}"
    );
    assert!(
        text.contains("1 applied but missing locally (0099)"),
        "{text}"
    );
    assert!(text.starts_with("13 applied"), "{text}");
}

#[test]
fn absent_migrations_table_says_nothing_ran() {
    let text = migration_summary(
        Some(&AppliedMigrations {
            present: false,
            ..testing::applied_migrations(vec![])
        }),
        snapshot_14().local_migrations.data(),
    );
    assert!(text.contains("does not exist"), "{text}");
    assert!(text.contains("14 local migrations pending"), "{text}");
}

#[test]
fn skipped_sections_give_no_evidence_with_the_reason() {
    let s = Snapshot::new("0", "t".into(), Target::default());
    let st = action_status(actions::HEALTH, &s, &[], &Expectations::default());
    assert_eq!(st.state, EvidenceState::Missing);
    assert!(st.summary.starts_with("health skipped"), "{}", st.summary);
    assert!(
        st.summary.contains("not collected by this version"),
        "{}",
        st.summary
    );
}

#[test]
fn partial_evidence_names_what_is_missing() {
    let mut s = snapshot_14();
    s.applied_migrations = Section::failed("reading _sqlx_migrations", "permission denied");
    let st = action_status(actions::MIGRATIONS, &s, &[], &Expectations::default());
    assert_eq!(st.state, EvidenceState::Partial);
    assert!(
        st.summary.contains("applied_migrations failed"),
        "{}",
        st.summary
    );
    assert!(
        st.sections[0]
            .note
            .as_deref()
            .unwrap()
            .contains("permission denied")
    );
}

#[test]
fn a_schema_read_in_part_is_partial_evidence_naming_what_was_not_read() {
    use gaps_core::schema::{Catalog, IncompleteCatalog, IncompleteCause, RelationName, Schema};
    let mut s = snapshot_14();
    let mut schema = Schema::default();
    schema.incomplete.push(IncompleteCatalog {
        relations: vec![RelationName {
            schema: "public".into(),
            name: "users".into(),
        }],
        ..IncompleteCatalog::new(
            "reading columns",
            "locked by pid 42",
            &[Catalog::Columns],
            IncompleteCause::Locked,
        )
    });
    s.schema = Section::collected(schema);
    let st = action_status(actions::TABLES, &s, &[], &Expectations::default());
    assert_eq!(st.state, EvidenceState::Partial);
    assert!(
        st.summary
            .contains("schema incomplete: columns of public.users not read"),
        "{}",
        st.summary
    );
    // Without the gap the same schema is complete evidence.
    s.schema = Section::collected(Schema::default());
    let st = action_status(actions::TABLES, &s, &[], &Expectations::default());
    assert_eq!(st.state, EvidenceState::Complete);
}

#[test]
fn a_migrations_table_hidden_by_the_search_path_is_not_called_absent() {
    let applied = AppliedMigrations {
        table: "_sqlx_migrations".into(),
        table_source: None,
        present: false,
        hidden_in: vec!["public._sqlx_migrations".into()],
        search_path: Some("missing_schema".into()),
        rows: Vec::new(),
    };
    let text = migration_summary(Some(&applied), None);
    assert!(
        text.contains("not on the search_path (missing_schema)"),
        "{text}"
    );
    assert!(!text.contains("no migration has run"), "{text}");
}

#[test]
fn action_005_counts_constraint_and_default_mismatches() {
    use gaps_core::finding::Severity;
    let s = snapshot_14();
    let f = |kind, table: &str, column: &str| {
        Finding::new(kind, Severity::Warning, actions::COLUMNS, "m")
            .table(table)
            .column(column)
    };
    let findings = [
        f(
            FindingKind::ConstraintMismatch,
            "orders",
            "orders_qty_check",
        ),
        f(FindingKind::DefaultMismatch, "orders", "status"),
        f(FindingKind::ColumnMissing, "users", "email"),
    ];
    let mine: Vec<&Finding> = findings.iter().collect();
    let text = columns_summary(&s, &mine, &Expectations::default());
    assert_eq!(
        text,
        "1 missing column(s), 1 constraint mismatch(es), 1 default mismatch(es) in 2 table(s)"
    );
}

#[test]
fn unknown_actions_are_not_covered() {
    let s = snapshot_14();
    let st = action_status("ACTION-042", &s, &[], &Expectations::default());
    assert_eq!(st.state, EvidenceState::NotCovered);
}

#[test]
fn health_and_provider_statuses_read_the_body_status_and_the_provider_name() {
    let s = crate::sample::evidence_snapshot();
    let findings = gaps_core::rules::analyse(&s);
    let exp = Expectations::default();
    let h = action_status(actions::HEALTH, &s, &findings, &exp);
    assert_eq!(h.summary, "healthy, schema_version 12 of 14");
    let p = action_status(actions::PROVIDER, &s, &findings, &exp);
    assert_eq!(p.summary, "Neon; a transaction-mode pooler is in use");
}
