//! Finding rules for migration state (ACTION-002): the rows of sqlx's migrations table against
//! the local migration files, judged the way sqlx 0.9's migrator judges them (`Dirty`,
//! `VersionMismatch`, `VersionMissing`, pending and ignored files), plus what sqlx hides
//! (untimed rows, out-of-order versions, files it skips without a word).

use std::collections::BTreeSet;

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::migrations::{
    AppliedMigration, AppliedMigrations, LocalMigration, LocalMigrations, MigrationStatus,
};
use crate::snapshot::Snapshot;

/// Findings derived from the migrations evidence.
pub(super) fn check(snapshot: &Snapshot) -> Vec<Finding> {
    check_sections(
        snapshot.applied_migrations.data(),
        snapshot.local_migrations.data(),
    )
}

/// The rules over whichever of the two sections were collected.
pub fn check_sections(
    applied: Option<&AppliedMigrations>,
    local: Option<&LocalMigrations>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(local) = local {
        out.extend(ignored_files(local));
    }
    let Some(applied) = applied else {
        return out;
    };
    if applied.is_hidden() {
        out.push(hidden_by_search_path(applied));
        return out;
    }
    if !applied.present {
        out.push(table_missing(applied, local));
        return out;
    }
    let table = &applied.table;
    for row in &applied.rows {
        if !row.success {
            out.push(failed(table, row, local));
        } else if row.execution_time == -1 {
            out.push(not_timed(row, local));
        }
    }
    let Some(local) = local else {
        return out;
    };
    let applied_versions: BTreeSet<i64> = applied.rows.iter().map(|r| r.version).collect();
    let highest = applied_versions.last().copied();
    for row in &applied.rows {
        match local.up(row.version) {
            Some(file) if row.success && !checksum_matches(&row.checksum, &file.checksum) => {
                out.push(checksum_mismatch(row, file, local));
            }
            Some(_) => {}
            None if !local.has_version(row.version) => out.push(missing_locally(table, row, local)),
            // Only a .down.sql has this version: sqlx accepts that, and so do we.
            None => {}
        }
    }
    for file in local.files.iter().filter(|f| f.kind.is_applied()) {
        if applied.status(file.version) != MigrationStatus::Pending {
            continue;
        }
        out.push(pending(file, local));
        if let Some(h) = highest.filter(|h| *h > file.version) {
            out.push(out_of_order(file, h, local));
        }
    }
    out
}

fn checksum_matches(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `migrations/0013_x.sql`: the path a person types, relative to the repository when known.
fn path_of(local: Option<&LocalMigrations>, file: &str) -> String {
    match local {
        Some(l) if !l.directory.is_empty() => {
            format!("{}/{file}", l.directory.trim_end_matches('/'))
        }
        _ => file.to_string(),
    }
}

fn finding(kind: FindingKind, severity: Severity, message: String) -> Finding {
    Finding::new(kind, severity, actions::MIGRATIONS, message)
}

fn table_missing(applied: &AppliedMigrations, local: Option<&LocalMigrations>) -> Finding {
    let ups: Vec<&LocalMigration> = local
        .map(|l| l.files.iter().filter(|f| f.kind.is_applied()).collect())
        .unwrap_or_default();
    let what = match (ups.first(), ups.last()) {
        (Some(first), Some(last)) => format!(
            ": none of the {} local migrations ({}..{}) has been applied",
            ups.len(),
            first.version,
            last.version
        ),
        _ => String::new(),
    };
    let name_hint = match applied.table_source.as_deref() {
        Some("flag") => " (the name came from --migrations-table; check it)",
        Some("sqlx_toml") => " (the name came from sqlx.toml's [migrate] table-name; check it)",
        _ => "",
    };
    let severity = if ups.is_empty() {
        Severity::Warning
    } else {
        Severity::Error
    };
    finding(
        FindingKind::MigrationsTableMissing,
        severity,
        format!(
            "the migrations table {} does not exist in this database{name_hint}{what}",
            applied.table
        ),
    )
    .next_step(
        "confirm DATABASE_URL names the database the service uses (fly postgres attach creates one named after the app), then run `sqlx migrate run` against the direct (non-pooled) host",
    )
    .detail("table", applied.table.clone())
    .detail("local_migrations", ups.len())
}

/// The table exists in another schema: the session's search_path hides it. Which migrations
/// ran is unknown (sqlx, with this search_path, would not find them either).
fn hidden_by_search_path(applied: &AppliedMigrations) -> Finding {
    let path = applied.search_path.as_deref().unwrap_or("unknown");
    finding(
        FindingKind::MigrationsTableNotOnSearchPath,
        Severity::Error,
        format!(
            "the migrations table {} is not on this session's search_path ({path}), but {} \
             exists in this database: the search_path (a role or database setting?) hides it, \
             so sqlx finds no migrations table; which migrations ran is not known from here",
            applied.table,
            applied.hidden_in.join(", ")
        ),
    )
    .next_step(format!(
        "fix the search_path of the service's role (ALTER ROLE ... RESET search_path, or one that \
         includes {}), or give sqlx the schema-qualified table name ([migrate] table-name)",
        applied
            .hidden_in
            .first()
            .and_then(|t| t.split('.').next())
            .unwrap_or("the table's schema")
    ))
    .detail("table", applied.table.clone())
    .detail("search_path", path.to_string())
    .detail("found_in", applied.hidden_in.clone())
}

fn failed(table: &str, row: &AppliedMigration, local: Option<&LocalMigrations>) -> Finding {
    let mut f = finding(
        FindingKind::MigrationFailed,
        Severity::Error,
        format!(
            "migration {} ({}) is recorded with success = false: it stopped part-way, and sqlx refuses every further migration with Dirty({})",
            row.version, row.description, row.version
        ),
    )
    .migration(row.version)
    .next_step(format!(
        "check which objects of migration {v} exist (ACTION-004), finish or undo them by hand, then `DELETE FROM {table} WHERE version = {v}` and run `sqlx migrate run` again",
        v = row.version
    ));
    if let Some(file) = local.and_then(|l| l.up(row.version)) {
        f = f.location(path_of(local, &file.file), None);
    }
    with_installed(f, row)
}

fn not_timed(row: &AppliedMigration, local: Option<&LocalMigrations>) -> Finding {
    let mut f = finding(
        FindingKind::MigrationNotTimed,
        Severity::Warning,
        format!(
            "migration {} ({}) has execution_time -1: it was skipped (`sqlx migrate override skip`) or interrupted before sqlx timed it, so its SQL may never have run",
            row.version, row.description
        ),
    )
    .migration(row.version)
    .next_step(format!(
        "compare the live schema with what migration {} creates (ACTION-004) before trusting this row",
        row.version
    ));
    if let Some(file) = local.and_then(|l| l.up(row.version)) {
        f = f.location(path_of(local, &file.file), None);
    }
    with_installed(f, row)
}

fn checksum_mismatch(
    row: &AppliedMigration,
    file: &LocalMigration,
    local: &LocalMigrations,
) -> Finding {
    let path = path_of(Some(local), &file.file);
    let applied = row.checksum.to_ascii_lowercase();
    let variant = file
        .checksum_variants
        .iter()
        .find(|(_, sum)| **sum == applied)
        .map(|(k, _)| k.clone())
        .or_else(|| (file.checksum_normalized == applied).then(|| "lf".to_string()));
    let has_down = local
        .files
        .iter()
        .any(|f| f.version == file.version && !f.kind.is_applied());
    let (message, step) = match &variant {
        Some(v) => {
            let (endings, bom) = describe_variant(v);
            let now = format!(
                "{}{}",
                if file.has_crlf { "CRLF" } else { "LF" },
                if file.has_bom { " with a BOM" } else { "" }
            );
            (
                format!(
                    "migration {} ({path}) differs from the applied one only in line endings or BOM: it was applied as {endings}{bom}, the file now has {now}; sqlx still refuses with VersionMismatch({})",
                    file.version, file.version
                ),
                format!(
                    "save {path} with {endings} line endings{} (the SQL is unchanged; do not revert), and pin it with `*.sql -text` or `eol=lf` in .gitattributes",
                    if bom.is_empty() {
                        " and no BOM"
                    } else {
                        " and a BOM"
                    }
                ),
            )
        }
        None => (
            format!(
                "migration {} ({path}) was edited after it was applied: its checksum no longer matches the database's, and sqlx refuses with VersionMismatch({})",
                file.version, file.version
            ),
            format!(
                "restore the original {path} (`git log -p -- {path}`); if the change is wanted, put it in a new migration{}",
                if has_down {
                    ", or `sqlx migrate revert` and apply the edited file again (loses that migration's data)"
                } else {
                    ""
                }
            ),
        ),
    };
    let mut f = finding(
        FindingKind::MigrationChecksumMismatch,
        Severity::Error,
        message,
    )
    .migration(file.version)
    .location(path, None)
    .expected(applied.clone())
    .live(file.checksum.clone())
    .next_step(step)
    .detail("line_endings_only", variant.is_some());
    if let Some(v) = variant {
        f = f.detail("applied_as", v);
    }
    with_installed(f, row)
}

/// ("LF", "") or ("CRLF", " with a BOM") from a variant key.
fn describe_variant(key: &str) -> (&'static str, &'static str) {
    let endings = if key.starts_with("crlf") {
        "CRLF"
    } else {
        "LF"
    };
    let bom = if key.ends_with("+bom") {
        " with a BOM"
    } else {
        ""
    };
    (endings, bom)
}

fn missing_locally(table: &str, row: &AppliedMigration, local: &LocalMigrations) -> Finding {
    let dir = local.directory.trim_end_matches('/');
    let f = finding(
        FindingKind::MigrationMissingLocally,
        Severity::Error,
        format!(
            "migration {} ({}) is applied in {table} but {dir} has no file with that version: the deployed code is newer than this checkout, or the file was renamed or deleted; sqlx refuses with VersionMissing({})",
            row.version, row.description, row.version
        ),
    )
    .migration(row.version)
    .next_step(format!(
        "find the file (`git log --all --diff-filter=D --name-only -- {dir}`) or check out the revision that is deployed, and compare against {dir} again"
    ));
    with_installed(f, row)
}

fn pending(file: &LocalMigration, local: &LocalMigrations) -> Finding {
    let path = path_of(Some(local), &file.file);
    let mut f = finding(
        FindingKind::MigrationPending,
        Severity::Error,
        format!(
            "migration {} ({}) has not been applied: {path} exists locally but has no row in the migrations table",
            file.version, file.description
        ),
    )
    .migration(file.version)
    .location(path, None)
    .next_step(format!(
        "run migration {} (`sqlx migrate run`) against the direct (non-pooled) host",
        file.version
    ));
    if file.no_transaction {
        f = f.detail("no_transaction", true);
    }
    f
}

fn out_of_order(file: &LocalMigration, highest: i64, local: &LocalMigrations) -> Finding {
    let path = path_of(Some(local), &file.file);
    finding(
        FindingKind::MigrationOutOfOrder,
        Severity::Warning,
        format!(
            "migration {} is pending but {highest} is already applied: it was added (or merged) after later migrations ran, and sqlx will apply it after them",
            file.version
        ),
    )
    .migration(file.version)
    .location(path.clone(), None)
    .next_step(format!(
        "read {path} for objects that later migrations create or change; if it conflicts, renumber it above {highest} before running `sqlx migrate run`"
    ))
    .detail("highest_applied", highest)
}

fn ignored_files(local: &LocalMigrations) -> Vec<Finding> {
    let dir = local.directory.trim_end_matches('/');
    local
        .ignored
        .iter()
        .map(|ig| {
            let looks_like_sql = ig.file.to_ascii_lowercase().contains(".sql");
            let severity = if ig.fatal {
                Severity::Error
            } else if looks_like_sql {
                Severity::Warning
            } else {
                Severity::Info
            };
            let step = if ig.fatal {
                format!(
                    "rename or fix {dir}/{} so it matches <VERSION>_<DESCRIPTION>.sql with an integer version and UTF-8 text; until then sqlx runs no migration at all",
                    ig.file
                )
            } else if looks_like_sql {
                format!(
                    "if {dir}/{} is meant to run, rename it to <VERSION>_<DESCRIPTION>.sql (e.g. 0015_add_todos.sql)",
                    ig.file
                )
            } else {
                "nothing, unless this file was meant to be a migration".to_string()
            };
            finding(
                FindingKind::MigrationIgnoredFile,
                severity,
                format!("{dir}/{}: {}", ig.file, ig.reason),
            )
            .location(format!("{dir}/{}", ig.file), None)
            .next_step(step)
            .detail("cause", serde_json::to_value(ig.cause).unwrap_or_default())
            .detail("fatal", ig.fatal)
        })
        .collect()
}

fn with_installed(f: Finding, row: &AppliedMigration) -> Finding {
    match &row.installed_on {
        Some(at) => f.detail("installed_on", at.clone()),
        None => f,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrations::{IgnoreCause, IgnoredFile, classify_entry};

    fn file(name: &str, sql: &str) -> LocalMigration {
        classify_entry(name, Some(sql.as_bytes()), &[]).unwrap()
    }

    fn local(files: Vec<LocalMigration>) -> LocalMigrations {
        LocalMigrations {
            directory: "migrations".into(),
            directory_source: "default".into(),
            source_file: None,
            source_line: None,
            ignored_chars: vec![],
            files,
            ignored: vec![],
        }
    }

    fn row(version: i64, checksum: &str) -> AppliedMigration {
        AppliedMigration {
            version,
            description: format!("m{version}"),
            installed_on: Some("2026-01-09T12:00:00Z".into()),
            success: true,
            checksum: checksum.to_string(),
            execution_time: 1_234_567,
        }
    }

    fn applied(rows: Vec<AppliedMigration>) -> AppliedMigrations {
        AppliedMigrations {
            table: "_sqlx_migrations".into(),
            table_source: Some("default".into()),
            present: true,
            hidden_in: Vec::new(),
            search_path: None,
            rows,
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
}
