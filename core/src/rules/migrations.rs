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
mod tests;
