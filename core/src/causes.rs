//! Causes: from findings to a diagnosis. One cause is one thing to fix; every finding belongs
//! to exactly one cause, and the causes come in the order that works (a fix plan sqlx will
//! accept), so the engineer does not have to do the diagnosis by hand.
//!
//! [`diagnose`] is pure: a snapshot and its findings ([`crate::rules::analyse`]) in, a
//! [`Diagnosis`] out. `gaps check`, the report and `gaps diff` all show the same causes.
//!
//! # How findings are grouped
//! Each finding is first *routed* to the evidence it is about (`route`), then *resolved* to
//! a cause key (`resolve`); findings with the same key are one cause. The rules, each pinned
//! by a test in `causes/tests`:
//!
//! 1. **Migration state is a cause of its own.** `migration_failed` is `migration-N-failed`
//!    (sqlx's `Dirty(N)`), `migration_checksum_mismatch` is `migration-N-edited`
//!    (`VersionMismatch`), `migration_missing_locally` is `migration-N-missing-locally`
//!    (`VersionMissing`), `migration_not_timed` is `migration-N-not-timed`; a fatal
//!    `migration_ignored_file` (sqlx runs nothing) is `migration-file-...-unreadable`, the
//!    harmless ones are one `migration-files-ignored`. Every `migration_pending` and
//!    `migration_out_of_order` is one `migrations-pending` cause (one `sqlx migrate run`
//!    applies them all); `migrations_table_missing` anchors that same cause as
//!    `migrations-table-missing`. `migrations_table_not_on_search_path` is
//!    `migrations-table-hidden`, and `migration_lock_held` is `migration-lock-held`.
//! 2. **A finding about an object joins the cause of the migration that made the object what
//!    it should be.** Missing tables, columns, indexes and constraints (`table_missing`,
//!    `column_missing`, `index_missing`, `constraint_mismatch`, a rejected statement with
//!    42P01/42703 or SQLite's "no such table/column", a log line naming the table or column)
//!    look up the last migration statement that created, renamed or dropped the name
//!    (`ExpectedSchema::origins` and `removals`): created by a pending migration ->
//!    `migrations-pending`; by a failed one -> `migration-N-failed`; a table or column made
//!    by an applied migration whose file was edited since (not only its line endings) ->
//!    `migration-N-edited` (the edit is what never reached the database; an index or
//!    constraint of it stays drift, as the applied version's statements are not known); by an
//!    applied migration and still missing ->
//!    a drift cause of that object (`table-x-missing`, `column-t-c-missing`,
//!    `index-i-missing`, `constraint-k`), with the SQL that repairs it.
//! 3. **A name a later applied migration renamed or dropped, still used by the code**, belongs
//!    to that migration: `migration-N-code-not-updated` ("0005 renamed users.name to
//!    full_name; src/db/users.rs:12 still reads name"), not to the migration that first
//!    created it. A live column that a pending migration renames or drops
//!    (`column_unexpected` of the old name) is part of `migrations-pending`.
//!    Log lines alone never make an object's cause: the database must show the problem too
//!    (lines about a table that exists now predate a repair, and stand alone).
//! 4. **An object no migration ever created is a code bug**: one cause per object
//!    (`table-x-missing`, `column-t-c-missing`) with every call site, model and log line under
//!    it. Two missing columns are two causes unless the same migration explains both.
//! 5. **One field, one cause**: a column whose type or nullability disagrees
//!    (`column_type_mismatch`, `column_nullability_mismatch`, `default_mismatch`, the
//!    statement check's `query_result_mismatch`, the logs' "mismatched types" and "unexpected
//!    null") is one cause per column (`column-t-c-type`, `column-t-c-nullable`): with a
//!    pending/failed/edited migration that last changed the column it joins that migration's
//!    cause instead. A statement's result column is tied to its table through the statement's
//!    tables; a log line that names only a column joins the one cause that has a column of
//!    that name, else the one live table that has it, else stands alone.
//! 6. **Health and logs follow the migrations**: `health_schema_version_mismatch` joins
//!    `migrations-pending` (else the failed migration); `log_migration_failure` joins the
//!    cause of the migration it names.
//! 7. **gaps.md's expected tables that nothing uses** (no migration, model or statement: the
//!    `only_gaps_md` detail) are one warning cause, `gaps-md-unused-tables`.
//! 8. **Families that share one fix are one cause**: pool exhaustion and connections near the
//!    limit (`connections`), a transaction-mode pooler and the errors it causes (`pooler`),
//!    connection failures in the logs (`connection`), the health endpoint (`health`), stale
//!    `.sqlx` data (`sqlx-offline`), permission errors (`privileges`), relations locked by
//!    other sessions together with the evidence that lock kept gaps from reading (`locks`),
//!    evidence a section could not collect or collected in part, the log signature cap among
//!    it (`evidence-<section>`), and the `info` findings where the database accepts a
//!    statement static analysis could not resolve (`static-analysis`). Live tables and
//!    columns nothing expects are one info cause each (`unexpected-tables`,
//!    `unexpected-columns`) unless a migration cause explains them.
//! 9. **Anything else is a cause of its own**, named after its kind and subject. An `info`
//!    finding about an object that has a cause joins it; `info` findings that stay alone are
//!    grouped by kind.
//!
//! # The fix plan, in the order that works
//! sqlx's migrator (0.9, `Migrator::run`) takes its advisory lock, refuses everything while a
//! row is dirty (`Dirty`), then refuses an applied version without a file (`VersionMissing`)
//! or with another checksum (`VersionMismatch`), and only then applies pending versions in
//! order. Repairing a dirty row ends with `sqlx migrate run`, which validates the checksums
//! first. So the blockers come first, in this order: the search_path that hides the
//! migrations table, the lock holder, a migration file sqlx cannot read, edited migrations
//! (restore), migrations missing locally, failed migrations (Dirty repair), and only then
//! `migrations-pending`. Each blocker says what it blocks (`blocks`) and the blocked cause
//! says what must come first (`blocked_by`). A statement or log line that a migration fixes
//! is a member of that migration's cause, never a step of its own. Ranking: errors first;
//! among them the blockers in sqlx's order, then by impact (log lines in the window, then
//! failing call sites, then findings); then warnings and infos the same way.
//!
//! # Adding a finding kind
//! `route::route` matches every [`FindingKind`] without a wildcard, so a new kind does not
//! compile until it is routed. Routing is one arm:
//! - about a table or column: `Route::Missing(Obj::...)` or `Route::Differs(Obj::...)` (it
//!   then follows the migration rules above), e.g. `insert_missing_not_null` ->
//!   `Differs(Column(t, c))` (the migration that set NOT NULL), `enum_value_missing` ->
//!   `Differs(Obj::Enum(name))`;
//! - about a migration: `Route::Migration(v)` joins whatever cause migration `v` has, e.g.
//!   `migration_hazard`, `migration_blocked` and `query_breaks_after_migration` join
//!   `migrations-pending` (their fix text is added to its plan by `fix`);
//! - a family with one fix: `Route::Key(Key::Group("..."))`, e.g. `privilege_missing` ->
//!   `privileges`, `search_path_mismatch` -> `Key::Hidden` when the migrations table is hidden,
//!   else `search-path`;
//! - anything else: `Route::Own`.
//!
//! [`FindingKind`]: crate::finding::FindingKind

mod context;
mod ddl;
mod describe;
mod diff;
mod fix;
mod impact;
mod objects;
mod output;
mod rank;
mod resolve;
mod route;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};
use crate::snapshot::Snapshot;

pub use diff::{CauseChange, CauseRef, CausesDiff, diff_causes};
pub use output::{
    CheckFinding, CheckOutput, FleetCheckOutput, FleetTarget, check_output, check_output_schema,
    fleet_check_output_schema,
};

/// One thing to fix, with the findings it explains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Cause {
    /// Stable slug from the cause's subject, e.g. `migration-13-failed`,
    /// `column-goals-progress-type`: the same problem has the same id in the next snapshot.
    pub id: String,
    /// The worst severity among its findings.
    pub severity: Severity,
    /// One line, e.g. "Migration 0013 (focus pause) failed part-way".
    pub title: String,
    /// From symptom to root, one short line each: "71 log errors since 08:02", "3 statements
    /// fail (src/focus_repos.rs:16, :39, :57)", "table focus_pause_state is missing",
    /// "0013 stopped part-way".
    pub chain: Vec<String>,
    /// The steps that fix it, in order.
    pub fix: Vec<FixStep>,
    /// What it breaks.
    pub impact: Impact,
    /// Indexes of its findings in the findings list it was built from.
    pub findings: Vec<usize>,
    /// Ids of the causes that must be fixed after this one (sqlx refuses them until then).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<String>,
    /// Ids of the causes that must be fixed first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_by: Vec<String>,
    /// Where this fix collides with something else, in a sentence each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<String>,
}

/// One step of a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FixStep {
    /// What to do, in a sentence.
    pub text: String,
    /// A shell command that does it, when one does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// SQL that does it (gaps never runs it), when SQL does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
}

impl FixStep {
    /// A step that is only text.
    pub fn text(text: impl Into<String>) -> FixStep {
        FixStep {
            text: text.into(),
            command: None,
            sql: None,
        }
    }

    /// A step with a shell command.
    pub fn command(text: impl Into<String>, command: impl Into<String>) -> FixStep {
        FixStep {
            command: Some(command.into()),
            ..FixStep::text(text)
        }
    }

    /// A step with SQL.
    pub fn sql(text: impl Into<String>, sql: impl Into<String>) -> FixStep {
        FixStep {
            sql: Some(sql.into()),
            ..FixStep::text(text)
        }
    }
}

/// What a cause breaks: the evidence its findings carry, gathered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Impact {
    /// Log lines of its log signatures.
    pub log_lines: u64,
    /// The earliest of those lines (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// The latest of those lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Failing SQL call sites, `file:line`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call_sites: Vec<String>,
    /// FromRow models that cannot load.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
    /// Request paths the log lines came from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
    /// Source files touched (call sites and models).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Tables involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<String>,
    /// Migration versions involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migrations: Vec<i64>,
    /// Keys of the log signatures involved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<String>,
}

/// The causes of one snapshot's findings, in fix order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diagnosis {
    /// Causes, most urgent first (see the module docs for the order).
    pub causes: Vec<Cause>,
    /// For each finding (by index), the index of its cause in `causes`.
    pub of_finding: Vec<usize>,
}

impl Diagnosis {
    /// The cause of finding `index`.
    pub fn cause_of(&self, index: usize) -> Option<&Cause> {
        self.of_finding.get(index).and_then(|&c| self.causes.get(c))
    }

    /// How many causes have each severity: (errors, warnings, infos).
    pub fn severity_counts(&self) -> (usize, usize, usize) {
        let n = |s| self.causes.iter().filter(|c| c.severity == s).count();
        (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
    }

    /// The opening sentence: "8 causes explain 33 errors and 2 warnings."
    pub fn headline(&self, findings: &[Finding]) -> String {
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        let (e, w, i) = (
            count(Severity::Error),
            count(Severity::Warning),
            count(Severity::Info),
        );
        if self.causes.is_empty() {
            return "No findings: nothing to fix.".to_string();
        }
        let mut parts = Vec::new();
        if e > 0 {
            parts.push(plural(e, "error"));
        }
        if w > 0 {
            parts.push(plural(w, "warning"));
        }
        if parts.is_empty() {
            parts.push(format!("{i} info"));
        }
        let verb = if self.causes.len() == 1 {
            "explains"
        } else {
            "explain"
        };
        format!(
            "{} {verb} {}.",
            plural(self.causes.len(), "cause"),
            join_and(&parts)
        )
    }
}

/// Turns a snapshot's findings into causes. `findings` are the snapshot's findings in the
/// order they are shown (their indexes are what [`Cause::findings`] holds).
pub fn diagnose(snapshot: &Snapshot, findings: &[Finding]) -> Diagnosis {
    let ctx = context::Ctx::new(snapshot, findings);
    let routes: Vec<route::Route> = findings.iter().map(|f| route::route(&ctx, f)).collect();
    let keys = resolve::resolve(&ctx, &routes);
    let mut groups: std::collections::BTreeMap<route::Key, Vec<usize>> = Default::default();
    for (i, k) in keys.into_iter().enumerate() {
        groups.entry(k).or_default().push(i);
    }
    let causes: Vec<(route::Key, Cause)> = groups
        .into_iter()
        .map(|(key, members)| {
            let cause = describe::cause(&ctx, &key, &members);
            (key, cause)
        })
        .collect();
    rank::finish(&ctx, causes)
}

/// "1 error", "3 errors".
pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests;
