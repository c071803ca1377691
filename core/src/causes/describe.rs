//! A cause in words: its title (one line) and its chain from symptom to root, built from the
//! key and the member findings. The fix is `fix`'s, the impact `impact`'s.

use super::context::{Ctx, version_label};
use super::impact::{compact_sites, impact};
use super::objects::{made_by_applied, missing_object, object_words, says_missing};
use super::route::Key;
use super::route::Obj;
use super::{Cause, Impact, fix, join_and, plural};
use crate::finding::{Finding, FindingKind, Severity};
use crate::migrations::MigrationStatus;

/// The cause for `key` with the findings at `members`; its id is provisional until ranking.
pub(super) fn cause(ctx: &Ctx, key: &Key, members: &[usize]) -> Cause {
    let found: Vec<&Finding> = members.iter().map(|&i| &ctx.findings[i]).collect();
    let severity = found
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Info);
    let impact = impact(ctx, members);
    let (title, root) = title_and_root(ctx, key, &found);
    let mut chain = symptoms(&impact, &found);
    chain.extend(objects(ctx, key, &found));
    chain.push(root);
    chain.dedup();
    let fix = fix::steps(ctx, key, &found, &impact);
    Cause {
        id: super::rank::slug_of(ctx, key, &found),
        severity,
        title,
        chain,
        fix: fix.steps,
        impact,
        findings: members.to_vec(),
        blocks: Vec::new(),
        blocked_by: Vec::new(),
        conflicts: fix.conflicts,
    }
}

/// "2026-01-09 12:01": a log time, short.
fn short_time(t: &str) -> String {
    match t.strip_suffix('Z') {
        Some(rest) if rest.len() >= 16 && rest.as_bytes()[10] == b'T' => {
            format!("{} {}", &rest[..10], &rest[11..16])
        }
        _ => t.to_string(),
    }
}

/// The symptom lines: log errors, failing statements, models that cannot load.
fn symptoms(impact: &Impact, found: &[&Finding]) -> Vec<String> {
    let mut out = Vec::new();
    if impact.log_lines > 0 {
        let word = if found.iter().any(|f| f.severity == Severity::Error) {
            "log error"
        } else {
            "log line"
        };
        let span = match (&impact.first_seen, &impact.last_seen) {
            (Some(a), Some(b)) if a != b => {
                format!(" from {} to {}", short_time(a), short_time(b))
            }
            (Some(a), _) => format!(" at {}", short_time(a)),
            _ => String::new(),
        };
        out.push(format!("{}{span}", plural(impact.log_lines as usize, word)));
    }
    if !impact.call_sites.is_empty() {
        let n = impact.call_sites.len();
        out.push(format!(
            "{} {} ({})",
            plural(n, "statement"),
            if n == 1 { "fails" } else { "fail" },
            compact_sites(&impact.call_sites, 4)
        ));
    }
    if !impact.models.is_empty() {
        let n = impact.models.len();
        out.push(
            format!(
                "{} {} {} cannot load",
                if n == 1 { "model" } else { "models" },
                join_and(&impact.models.iter().take(4).cloned().collect::<Vec<_>>()),
                if n > 4 {
                    format!("and {} more", n - 4)
                } else {
                    String::new()
                }
            )
            .replace("  ", " "),
        );
    }
    out
}

/// The object line of the chain: what is missing, or what differs.
fn objects(ctx: &Ctx, key: &Key, found: &[&Finding]) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for f in found {
        if let Some(o) = missing_object(f) {
            let w = object_words(&o);
            if !missing.contains(&w) {
                missing.push(w);
            }
        }
    }
    let mut out = Vec::new();
    if !missing.is_empty() {
        let n = missing.len();
        let listed = if n > 4 {
            format!("{} and {} more", missing[..4].join(", "), n - 4)
        } else {
            join_and(&missing)
        };
        out.push(format!(
            "{listed} {} missing",
            if n == 1 { "is" } else { "are" }
        ));
    }
    if let Key::Object(obj @ Obj::Column(t, c)) = key
        && let Some(d) = differs_words(ctx, obj, found)
    {
        out.push(format!("column {t}.{c} {d}"));
    }
    out
}

/// How a column differs: "is bigint; the migrations make it integer, Quest.reward_xp is i32".
fn differs_words(ctx: &Ctx, obj: &Obj, found: &[&Finding]) -> Option<String> {
    let Obj::Column(t, c) = obj else { return None };
    let live = ctx.live_table(t).and_then(|lt| lt.column(c))?;
    let expected = ctx.expected_table(t).and_then(|et| et.column(c));
    let mut parts = Vec::new();
    if let Some(f) = found
        .iter()
        .find(|f| f.kind == FindingKind::ColumnTypeMismatch)
    {
        let mut s = format!("is {}", live.data_type);
        if let Some(e) = expected.filter(|e| f.migration.is_some() && e.data_type != live.data_type)
        {
            s.push_str(&format!(", the migrations make it {}", e.data_type));
        }
        let rust = found
            .iter()
            .filter(|f| {
                matches!(
                    f.kind,
                    FindingKind::ColumnTypeMismatch | FindingKind::QueryResultMismatch
                ) && f.migration.is_none()
            })
            .find_map(|f| f.expected.clone());
        if let Some(r) = rust {
            s.push_str(&format!(", the code reads it as {r}"));
        }
        parts.push(s);
    }
    if found
        .iter()
        .any(|f| f.kind == FindingKind::ColumnNullabilityMismatch && f.severity > Severity::Info)
    {
        parts.push(if live.nullable {
            "allows NULL where a non-Option field reads it".to_string()
        } else {
            "is NOT NULL".to_string()
        });
    }
    if found.iter().any(|f| f.kind == FindingKind::DefaultMismatch) {
        parts.push(format!(
            "has default {}",
            live.default.clone().unwrap_or_else(|| "none".into())
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn pending_versions(ctx: &Ctx, found: &[&Finding]) -> Vec<i64> {
    let mut v: Vec<i64> = found
        .iter()
        .filter(|f| f.kind == FindingKind::MigrationPending)
        .filter_map(|f| f.migration)
        .collect();
    if v.is_empty()
        && let Some(l) = ctx.local
    {
        v = l
            .files
            .iter()
            .filter(|f| {
                f.kind.is_applied() && ctx.status(f.version) == Some(MigrationStatus::Pending)
            })
            .map(|f| f.version)
            .collect();
    }
    v.sort_unstable();
    v.dedup();
    v
}

/// What `v` did to the names the code still uses: "renamed users.name to full_name".
fn removals_words(ctx: &Ctx, v: i64, found: &[&Finding]) -> Vec<String> {
    let Some(e) = ctx.expected else {
        return Vec::new();
    };
    let used = |table: &str, name: Option<&str>| {
        found.iter().any(|f| {
            f.table
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case(table))
                && (name.is_none() || f.column.as_deref() == name)
        })
    };
    e.removals
        .iter()
        .filter(|r| r.version == v && used(&r.table, r.name.as_deref()))
        .map(|r| {
            let what = match &r.name {
                Some(c) => format!("{}.{c}", r.table),
                None => r.table.clone(),
            };
            match &r.renamed_to {
                Some(n) => format!("renamed {what} to {n}"),
                None => format!("dropped {what}"),
            }
        })
        .collect()
}

/// The title and the root line of the chain.
fn title_and_root(ctx: &Ctx, key: &Key, found: &[&Finding]) -> (String, String) {
    let first = found.first().map(|f| f.message.as_str()).unwrap_or("");
    match key {
        Key::Hidden => {
            let f = found
                .iter()
                .find(|f| f.kind == FindingKind::MigrationsTableNotOnSearchPath)
                .copied();
            let path = f
                .and_then(|f| f.details.get("search_path"))
                .and_then(|v| v.as_str())
                .unwrap_or("unknown");
            (
                "The search_path hides the migrations table from sqlx".to_string(),
                format!("the session's search_path ({path}) does not include the schema of the migrations table"),
            )
        }
        Key::MigrationLock => (
            "sqlx's migration lock is held by another session".to_string(),
            "a deploy running `sqlx migrate run` waits for the lock".to_string(),
        ),
        Key::IgnoredFile(file) => (
            format!("sqlx cannot read {file} and runs no migration at all"),
            format!("{file} breaks sqlx's migration naming or is not UTF-8"),
        ),
        Key::Edited(v) => {
            let reencoded = ctx.reencoded.contains(v) && !ctx.edited.contains(v);
            let name = ctx.migration_name(*v);
            if reencoded {
                (
                    format!("Migration {name} differs from the applied one only in line endings"),
                    format!("{} was re-saved after it was applied: sqlx refuses with VersionMismatch({v})", version_label(*v)),
                )
            } else {
                (
                    format!("Migration {name} was edited after it was applied"),
                    format!("{} was edited after it was applied: sqlx refuses with VersionMismatch({v})", version_label(*v)),
                )
            }
        }
        Key::MissingLocally(v) => (
            format!("Migration {} is applied but has no local file", ctx.migration_name(*v)),
            format!("the checkout lacks {}: sqlx refuses with VersionMissing({v})", version_label(*v)),
        ),
        Key::Failed(v) => (
            format!("Migration {} failed part-way", ctx.migration_name(*v)),
            format!("{} stopped part-way (success = false): sqlx refuses every migration with Dirty({v})", version_label(*v)),
        ),
        Key::NotTimed(v) => (
            format!("Migration {} may never have run (execution_time -1)", ctx.migration_name(*v)),
            format!("{} was skipped or interrupted before sqlx timed it", version_label(*v)),
        ),
        Key::Pending => {
            if found.iter().any(|f| f.kind == FindingKind::MigrationsTableMissing) {
                return (
                    "No migration has run on this database".to_string(),
                    "the migrations table does not exist: this database was never migrated (or DATABASE_URL names another one)".to_string(),
                );
            }
            let v = pending_versions(ctx, found);
            let names: Vec<String> = v.iter().map(|v| ctx.migration_name(*v)).collect();
            match names.as_slice() {
                [one] => (
                    format!("Migration {one} has not been applied"),
                    format!("{one} has not been applied"),
                ),
                [] => (
                    "Pending migrations have not been applied".to_string(),
                    "pending migrations have not been applied".to_string(),
                ),
                many => {
                    let range = format!(
                        "{}..{}",
                        version_label(v[0]),
                        version_label(*v.last().unwrap_or(&v[0]))
                    );
                    (
                        format!("{} migrations have not been applied ({range})", many.len()),
                        format!("{} have not been applied", join_and(&names.iter().take(5).cloned().collect::<Vec<_>>())),
                    )
                }
            }
        }
        Key::Removed(v) => {
            let what = removals_words(ctx, *v, found);
            let label = version_label(*v);
            let did = if what.is_empty() {
                "renamed or dropped names the code still uses".to_string()
            } else {
                join_and(&what)
            };
            (
                format!("Migration {label} {did}; the code still uses the old name"),
                format!("migration {label} (applied) {did}"),
            )
        }
        Key::Object(obj) => object_title(ctx, obj, found),
        Key::Field(target, field) => (
            format!("Field {target}.{field} does not decode its column"),
            format!("{target}.{field} does not match what the statement returns"),
        ),
        Key::GapsMdUnused => (
            format!(
                "gaps.md lists {} that nothing in the service uses",
                plural(found.len(), "table")
            ),
            "no migration, model or statement knows them: the registry is ahead of (or about another) service".to_string(),
        ),
        Key::Evidence(section) => (
            format!("Evidence is incomplete: {section}"),
            cut(first, 160),
        ),
        Key::Group(g) => group_title(g, found),
        Key::Kind(k) => (
            format!("{} of kind {}", plural(found.len(), "finding"), k.name()),
            cut(first, 160),
        ),
        Key::Own(_) => (cut(first, 120), cut(first, 160)),
    }
}

fn object_title(ctx: &Ctx, obj: &Obj, found: &[&Finding]) -> (String, String) {
    let words = object_words(obj);
    let drift = made_by_applied(ctx, obj);
    if says_missing(found) {
        return match drift {
            Some(v) => (
                format!(
                    "{} is missing although migration {} created it",
                    capital(&words),
                    version_label(v)
                ),
                format!(
                    "migration {} is recorded as applied: the database lost it afterwards (a manual change?) or the migration ran against another database",
                    ctx.migration_name(v)
                ),
            ),
            None if ctx.expected.is_some() => (
                format!(
                    "{} does not exist and no migration creates it",
                    capital(&words)
                ),
                "no migration creates it: the code (or a name in it) is ahead of the migrations"
                    .to_string(),
            ),
            None => (
                format!("{} does not exist", capital(&words)),
                "no migrations were read, so which one should create it is not known".to_string(),
            ),
        };
    }
    let drifted = found.iter().any(|f| f.migration.is_some());
    let what = match found
        .iter()
        .map(|f| f.kind)
        .find(|k| *k != FindingKind::QueryResultMismatch && *k != FindingKind::LogDatabaseError)
    {
        Some(FindingKind::ColumnTypeMismatch) => "has another type than the code reads",
        Some(FindingKind::ColumnNullabilityMismatch) => "allows NULL where the code does not",
        Some(FindingKind::DefaultMismatch) => "has another default",
        Some(FindingKind::ConstraintMismatch) => "is defined differently",
        _ => "does not match what the code reads",
    };
    let root = match (drift, drifted) {
        (Some(v), true) => format!(
            "the database differs from what migration {} made (a manual change?)",
            ctx.migration_name(v)
        ),
        _ => {
            "the code and the database disagree; the migrations agree with the database".to_string()
        }
    };
    let title = if drifted && drift.is_some() {
        format!("{} differs from its migration", capital(&words))
    } else {
        format!("{} {what}", capital(&words))
    };
    (title, root)
}

fn group_title(g: &str, found: &[&Finding]) -> (String, String) {
    let first = found.first().map(|f| f.message.as_str()).unwrap_or("");
    let n = found.len();
    let title = match g {
        "connections" => "Connections run out".to_string(),
        "pooler" => "A transaction-mode pooler breaks sqlx's prepared statements".to_string(),
        "connection" => "The service cannot connect to the database".to_string(),
        "health" => "The health endpoint reports a problem".to_string(),
        "sqlx-offline" => format!(
            "The .sqlx offline data is stale ({})",
            plural(n, "entry").replace("entrys", "entries")
        ),
        "privileges" => "The service role lacks privileges".to_string(),
        "search-path" => {
            "The service role's search_path resolves names differently from gaps' session"
                .to_string()
        }
        "locks" => "Other sessions hold locks on tables the service uses".to_string(),
        "static-analysis" => format!(
            "The database accepts {} static analysis could not resolve",
            plural(n, "reference")
        ),
        "unexpected-tables" => format!(
            "{} {} that nothing expects",
            plural(n, "live table"),
            if n == 1 { "exists" } else { "exist" }
        ),
        "unexpected-columns" => format!(
            "{} {} that nothing expects",
            plural(n, "live column"),
            if n == 1 { "exists" } else { "exist" }
        ),
        "migration-files-ignored" => format!(
            "sqlx ignores {} in the migrations folder",
            plural(n, "file")
        ),
        other => other.to_string(),
    };
    (title, cut(first, 160))
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The first `max` characters, with an ellipsis when cut.
pub(super) fn cut(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
