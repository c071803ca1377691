//! What grouping needs to know besides the findings themselves, read once from the snapshot:
//! each migration's state the way sqlx sees it, where the paths live, the live and expected
//! schema, and the code's call sites.

use std::collections::{BTreeMap, BTreeSet};

use crate::backend::Backend;
use crate::code::expected::ExpectedSchema;
use crate::code::model::CodeEvidence;
use crate::finding::{Finding, FindingKind};
use crate::migrations::{AppliedMigrations, LocalMigrations, MigrationStatus};
use crate::paths::SourcePaths;
use crate::schema::{Schema, Table};
use crate::snapshot::Snapshot;

/// The snapshot's evidence, as the causes read it.
pub(super) struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    pub findings: &'a [Finding],
    pub live: Option<&'a Schema>,
    pub expected: Option<&'a ExpectedSchema>,
    pub code: Option<&'a CodeEvidence>,
    pub applied: Option<&'a AppliedMigrations>,
    pub local: Option<&'a LocalMigrations>,
    pub backend: Backend,
    pub paths: SourcePaths,
    /// A search_path hides the migrations table: no migration's state is known.
    pub hidden: bool,
    /// Applied versions whose file was edited after it was applied (content, not only line
    /// endings), from the checksum findings.
    pub edited: BTreeSet<i64>,
    /// Applied versions whose file differs only in line endings or BOM.
    pub reencoded: BTreeSet<i64>,
    /// Applied versions with no local file.
    pub missing_locally: BTreeSet<i64>,
    /// Applied versions with execution_time -1.
    pub not_timed: BTreeSet<i64>,
}

impl<'a> Ctx<'a> {
    pub fn new(snapshot: &'a Snapshot, findings: &'a [Finding]) -> Ctx<'a> {
        let mut edited = BTreeSet::new();
        let mut reencoded = BTreeSet::new();
        let mut missing_locally = BTreeSet::new();
        let mut not_timed = BTreeSet::new();
        for f in findings {
            let Some(v) = f.migration else { continue };
            match f.kind {
                FindingKind::MigrationChecksumMismatch => {
                    if f.details.get("line_endings_only") == Some(&serde_json::Value::Bool(true)) {
                        reencoded.insert(v);
                    } else {
                        edited.insert(v);
                    }
                }
                FindingKind::MigrationMissingLocally => {
                    missing_locally.insert(v);
                }
                FindingKind::MigrationNotTimed => {
                    not_timed.insert(v);
                }
                _ => {}
            }
        }
        let applied = snapshot.applied_migrations.data();
        let backend = snapshot
            .target
            .backend
            .or_else(|| snapshot.database.data().map(|d| d.backend))
            .unwrap_or(Backend::Postgres);
        Ctx {
            snapshot,
            findings,
            live: snapshot.schema.data(),
            expected: snapshot.expected_schema.data(),
            code: snapshot.code.data(),
            applied,
            local: snapshot.local_migrations.data(),
            backend,
            paths: SourcePaths::of(snapshot),
            hidden: applied.is_some_and(|a| a.is_hidden()),
            edited,
            reencoded,
            missing_locally,
            not_timed,
        }
    }

    /// The state of migration `v` as sqlx sees it, when the migrations table was read.
    pub fn status(&self, v: i64) -> Option<MigrationStatus> {
        self.applied.and_then(|a| a.known()).map(|a| a.status(v))
    }

    /// "0013 (focus pause)": a migration as a person names it.
    pub fn migration_name(&self, v: i64) -> String {
        let label = version_label(v);
        let desc = self
            .local
            .and_then(|l| l.files.iter().find(|f| f.version == v))
            .map(|f| f.description.clone())
            .or_else(|| {
                self.applied
                    .and_then(|a| a.rows.iter().find(|r| r.version == v))
                    .map(|r| r.description.clone())
            })
            .filter(|d| !d.is_empty());
        match desc {
            Some(d) => format!("{label} ({d})"),
            None => label,
        }
    }

    /// The file of migration `v` as shown (`migrations/0013_focus_pause.sql`).
    pub fn migration_path(&self, v: i64) -> Option<String> {
        let local = self.local?;
        local
            .files
            .iter()
            .find(|f| f.version == v && f.kind.is_applied())
            .map(|f| self.paths.migration_file(&f.file))
    }

    /// A live table by name (public/main first, then any schema, then without case).
    pub fn live_table(&self, name: &str) -> Option<&'a Table> {
        find_table(self.live?, name)
    }

    /// An expected table by name.
    pub fn expected_table(&self, name: &str) -> Option<&'a Table> {
        find_table(&self.expected?.schema, name)
    }

    /// The live tables that have a column `column`.
    pub fn live_tables_with(&self, column: &str) -> Vec<&'a str> {
        self.live
            .map(|s| {
                s.tables
                    .iter()
                    .filter(|t| t.column(column).is_some())
                    .map(|t| t.name.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The tables a call site's statement reads or writes (`file:line` of the call).
    pub fn site_tables(&self, file: &str, line: u32) -> Vec<&'a str> {
        let Some(code) = self.code else {
            return Vec::new();
        };
        let mut out: Vec<&str> = Vec::new();
        for q in code.queries.iter().filter(|q| q.file == file) {
            let Some(access) = &q.access else { continue };
            for st in &access.statements {
                let first = q.line + st.line.saturating_sub(1);
                let last = first + q.sql.as_deref().map_or(0, |s| s.lines().count() as u32);
                if q.line == line || (first..=last).contains(&line) {
                    out.extend(st.tables.iter().map(|t| t.name.as_str()));
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The columns a call site's statement names per table.
    pub fn site_columns(&self, file: &str, line: u32) -> BTreeMap<&'a str, Vec<&'a str>> {
        let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let Some(code) = self.code else { return out };
        for q in code.queries.iter().filter(|q| q.file == file) {
            let Some(access) = &q.access else { continue };
            for st in &access.statements {
                let first = q.line + st.line.saturating_sub(1);
                let last = first + q.sql.as_deref().map_or(0, |s| s.lines().count() as u32);
                if q.line == line || (first..=last).contains(&line) {
                    for c in &st.columns {
                        out.entry(c.table.as_str())
                            .or_default()
                            .push(c.column.as_str());
                    }
                }
            }
        }
        out
    }
}

/// A table by name: in `public`/`main` first, then any schema; exact, then without case.
pub(super) fn find_table<'s>(schema: &'s Schema, name: &str) -> Option<&'s Table> {
    ["public", "main"]
        .iter()
        .find_map(|s| schema.table(s, name))
        .or_else(|| schema.first_named(name))
        // Not found: also the scan, for a schema not in canonical order.
        .or_else(|| schema.tables.iter().find(|t| t.name == name))
        .or_else(|| {
            schema
                .tables
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(name))
        })
}

/// `0013`: a version as the migration files spell it (timestamps stay as they are).
pub(crate) fn version_label(v: i64) -> String {
    if (0..10_000).contains(&v) {
        format!("{v:04}")
    } else {
        v.to_string()
    }
}
