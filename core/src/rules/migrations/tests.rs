//! Tests of the migration rules: what each reports against the migrations table and the files, and what it must never report.

use super::*;
use crate::migrations::{IgnoreCause, IgnoredFile, classify_entry};
use crate::testing::{self, local_migrations as local};

fn file(name: &str, sql: &str) -> LocalMigration {
    classify_entry(name, Some(sql.as_bytes()), &[]).unwrap()
}

fn row(version: i64, checksum: &str) -> AppliedMigration {
    AppliedMigration {
        installed_on: Some("2026-01-09T12:00:00Z".into()),
        checksum: checksum.to_string(),
        execution_time: 1_234_567,
        ..testing::applied(version, &format!("m{version}"))
    }
}

fn applied(rows: Vec<AppliedMigration>) -> AppliedMigrations {
    AppliedMigrations {
        table: "_sqlx_migrations".into(),
        table_source: Some("default".into()),
        ..testing::applied_migrations(rows)
    }
}

/// Three local files, all applied with the right checksums.
fn clean() -> (AppliedMigrations, LocalMigrations) {
    let files = vec![
        file("1_users.sql", "CREATE TABLE users (id int);\n"),
        file("2_todos.up.sql", "CREATE TABLE todos (id int);\n"),
        file("2_todos.down.sql", "DROP TABLE todos;\n"),
        file(
            "3_idx.sql",
            "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON todos(id);\n",
        ),
    ];
    let rows = vec![
        row(1, &files[0].checksum),
        row(2, &files[1].checksum),
        row(3, &files[3].checksum),
    ];
    (applied(rows), local(files))
}

fn kinds(f: &[Finding]) -> Vec<(FindingKind, Option<i64>)> {
    f.iter().map(|f| (f.kind, f.migration)).collect()
}

#[test]
fn clean_state_with_down_files_and_no_transaction_reports_nothing() {
    let (a, l) = clean();
    let f = check_sections(Some(&a), Some(&l));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn checksums_compare_case_insensitively() {
    let (mut a, l) = clean();
    a.rows[0].checksum = a.rows[0].checksum.to_ascii_uppercase();
    assert!(check_sections(Some(&a), Some(&l)).is_empty());
}

#[test]
fn a_table_hidden_by_the_search_path_is_diagnosed_as_such_not_as_missing() {
    let (mut a, l) = clean();
    a.present = false;
    a.rows.clear();
    a.hidden_in = vec!["public._sqlx_migrations".into()];
    a.search_path = Some("missing_schema".into());
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(
        kinds(&f),
        vec![(FindingKind::MigrationsTableNotOnSearchPath, None)]
    );
    assert!(
        f[0].message
            .contains("not on this session's search_path (missing_schema)")
            && f[0].message.contains("public._sqlx_migrations exists"),
        "{}",
        f[0].message
    );
    let step = f[0].next_step.as_deref().unwrap();
    assert!(
        step.contains("search_path") && step.contains("public"),
        "{step}"
    );
    assert!(
        !step.contains("run 0001") && !step.contains("sqlx migrate run"),
        "{step}"
    );
}

#[test]
fn absent_table_is_one_error_and_not_one_pending_per_file() {
    let (mut a, l) = clean();
    a.present = false;
    a.rows.clear();
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(kinds(&f), vec![(FindingKind::MigrationsTableMissing, None)]);
    assert_eq!(f[0].severity, Severity::Error);
    assert!(
        f[0].message
            .contains("none of the 3 local migrations (1..3)"),
        "{}",
        f[0].message
    );
    assert_eq!(f[0].action, "ACTION-002");
}

#[test]
fn absent_table_names_a_configured_table_name() {
    let mut a = applied(vec![]);
    a.present = false;
    a.table = "app._migrations".into();
    a.table_source = Some("sqlx_toml".into());
    let f = check_sections(Some(&a), None);
    assert!(f[0].message.contains("app._migrations") && f[0].message.contains("sqlx.toml"));
}

#[test]
fn unapplied_file_is_pending_with_a_next_step_naming_the_version() {
    let (mut a, l) = clean();
    a.rows.pop();
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(kinds(&f), vec![(FindingKind::MigrationPending, Some(3))]);
    assert_eq!(f[0].file.as_deref(), Some("migrations/3_idx.sql"));
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .contains("run migration 3 (`sqlx migrate run`)")
    );
    assert_eq!(f[0].details["no_transaction"], true);
}

#[test]
fn pending_below_the_highest_applied_is_also_out_of_order() {
    let (mut a, l) = clean();
    a.rows.remove(1);
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(
        kinds(&f),
        vec![
            (FindingKind::MigrationPending, Some(2)),
            (FindingKind::MigrationOutOfOrder, Some(2))
        ]
    );
    assert_eq!(f[1].details["highest_applied"], 3);
    assert_eq!(f[1].severity, Severity::Warning);
}

#[test]
fn a_pending_down_file_is_not_reported() {
    let (a, mut l) = clean();
    l.files
        .push(file("4_later.down.sql", "DROP TABLE later;\n"));
    assert!(check_sections(Some(&a), Some(&l)).is_empty());
}

#[test]
fn failed_row_is_an_error_naming_dirty() {
    let (mut a, l) = clean();
    a.rows[1].success = false;
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(kinds(&f), vec![(FindingKind::MigrationFailed, Some(2))]);
    assert!(f[0].message.contains("Dirty(2)"));
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .contains("DELETE FROM _sqlx_migrations WHERE version = 2")
    );
    assert_eq!(f[0].file.as_deref(), Some("migrations/2_todos.up.sql"));
}

#[test]
fn untimed_row_is_a_warning_but_a_timed_one_is_not() {
    let (mut a, l) = clean();
    a.rows[0].execution_time = -1;
    a.rows[1].execution_time = 0;
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(kinds(&f), vec![(FindingKind::MigrationNotTimed, Some(1))]);
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(f[0].message.contains("skipped") && f[0].message.contains("interrupted"));
}

#[test]
fn edited_file_is_a_real_edit_mismatch() {
    let (a, mut l) = clean();
    l.files[0] = file("1_users.sql", "CREATE TABLE users (id bigint);\n");
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(
        kinds(&f),
        vec![(FindingKind::MigrationChecksumMismatch, Some(1))]
    );
    assert_eq!(f[0].details["line_endings_only"], false);
    assert!(f[0].message.contains("edited"));
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .contains("restore the original migrations/1_users.sql")
    );
    assert!(!f[0].next_step.as_deref().unwrap().contains("revert"));
    assert_eq!(f[0].expected.as_deref(), Some(a.rows[0].checksum.as_str()));
}

#[test]
fn edited_reversible_migration_mentions_revert() {
    let (a, mut l) = clean();
    l.files[1] = file("2_todos.up.sql", "CREATE TABLE todos (id bigint);\n");
    let f = check_sections(Some(&a), Some(&l));
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .contains("sqlx migrate revert")
    );
}

#[test]
fn crlf_only_change_gets_the_line_ending_hint() {
    let (a, mut l) = clean();
    l.files[0] = file("1_users.sql", "CREATE TABLE users (id int);\r\n");
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(
        kinds(&f),
        vec![(FindingKind::MigrationChecksumMismatch, Some(1))]
    );
    assert_eq!(f[0].details["line_endings_only"], true);
    assert_eq!(f[0].details["applied_as"], "lf");
    assert!(f[0].message.contains("applied as LF") && f[0].message.contains("now has CRLF"));
    assert!(f[0].next_step.as_deref().unwrap().contains("do not revert"));
}

#[test]
fn applied_with_crlf_and_bom_now_lf_gets_the_hint_too() {
    let original = "\u{feff}CREATE TABLE users (id int);\r\n";
    let (mut a, mut l) = clean();
    a.rows[0].checksum = crate::migrations::sqlx_checksum(original, &[]);
    l.files[0] = file("1_users.sql", "CREATE TABLE users (id int);\n");
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(f[0].details["applied_as"], "crlf+bom");
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .contains("CRLF line endings and a BOM")
    );
}

#[test]
fn failed_row_is_not_also_a_checksum_mismatch() {
    let (mut a, l) = clean();
    a.rows[0].success = false;
    a.rows[0].checksum = "00".into();
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(kinds(&f), vec![(FindingKind::MigrationFailed, Some(1))]);
}

#[test]
fn row_without_a_local_file_is_missing_locally() {
    let (mut a, l) = clean();
    a.rows.push(row(4, "ab"));
    let f = check_sections(Some(&a), Some(&l));
    assert_eq!(
        kinds(&f),
        vec![(FindingKind::MigrationMissingLocally, Some(4))]
    );
    assert!(f[0].message.contains("VersionMissing(4)"));
    assert_eq!(f[0].details["installed_on"], "2026-01-09T12:00:00Z");
}

#[test]
fn a_row_whose_version_has_only_a_down_file_is_accepted_like_sqlx_does() {
    let (mut a, mut l) = clean();
    l.files.push(file("5_x.down.sql", "DROP TABLE x;\n"));
    a.rows.push(row(5, "ab"));
    assert!(check_sections(Some(&a), Some(&l)).is_empty());
}

#[test]
fn ignored_files_by_severity() {
    let (a, mut l) = clean();
    let ig = |file: &str, cause: IgnoreCause| IgnoredFile {
        file: file.into(),
        reason: "r".into(),
        cause,
        fatal: cause.is_fatal(),
    };
    l.ignored = vec![
        ig("0015-add-todos.sql", IgnoreCause::NoUnderscore),
        ig("README.md", IgnoreCause::NoUnderscore),
        ig("V1__init.sql", IgnoreCause::VersionNotInteger),
    ];
    let f = check_sections(Some(&a), Some(&l));
    let sev: Vec<(Severity, Option<&str>)> =
        f.iter().map(|f| (f.severity, f.file.as_deref())).collect();
    assert_eq!(
        sev,
        vec![
            (Severity::Warning, Some("migrations/0015-add-todos.sql")),
            (Severity::Info, Some("migrations/README.md")),
            (Severity::Error, Some("migrations/V1__init.sql")),
        ]
    );
    assert!(
        f.iter()
            .all(|f| f.kind == FindingKind::MigrationIgnoredFile)
    );
    assert!(
        f[2].next_step
            .as_deref()
            .unwrap()
            .contains("no migration at all")
    );
}

#[test]
fn without_local_files_only_row_facts_are_reported() {
    let (mut a, _) = clean();
    a.rows[0].success = false;
    a.rows.push(row(9, "ab"));
    let f = check_sections(Some(&a), None);
    assert_eq!(kinds(&f), vec![(FindingKind::MigrationFailed, Some(1))]);
}

#[test]
fn without_a_database_only_ignored_files_are_reported() {
    let (_, l) = clean();
    assert!(check_sections(None, Some(&l)).is_empty());
}

#[test]
fn every_finding_is_evidence_for_action_002_with_a_next_step() {
    let (mut a, mut l) = clean();
    a.rows[0].success = false;
    a.rows[1].execution_time = -1;
    a.rows.push(row(7, "ab"));
    l.files.push(file("4_new.sql", "SELECT 1;"));
    l.files[3] = file("3_idx.sql", "changed");
    let f = check_sections(Some(&a), Some(&l));
    assert!(f.len() >= 5, "{f:#?}");
    for x in &f {
        assert_eq!(x.action, "ACTION-002");
        assert!(
            x.next_step.as_deref().is_some_and(|s| !s.is_empty()),
            "{x:?}"
        );
    }
}
