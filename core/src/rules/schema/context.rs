//! What the schema rules share: the evidence they read ([`Ctx`]), where their findings go
//! ([`Out`], one finding per kind, table and column), and the phrases and lookups every rule
//! uses (a migration's status, the schema the code is checked against, a table by name).

use std::collections::BTreeMap;

use crate::backend::Backend;
use crate::code::expected::{ExpectedSchema, Origin};
use crate::code::model::{CodeEvidence, MappingSource, ModelMapping};
use crate::finding::{Finding, FindingKind};
use crate::migrations::AppliedMigrations;
use crate::querycheck::QueryChecks;
use crate::rules::static_sql;
use crate::schema::{Catalog, Schema, Table};
use crate::typemap::TypeContext;

#[derive(Default)]
pub(super) struct Out {
    pub(super) findings: BTreeMap<(FindingKind, String, String), Finding>,
}

impl Out {
    pub(super) fn push(&mut self, f: Finding) {
        let key = (
            f.kind,
            f.table.clone().unwrap_or_default(),
            f.column.clone().unwrap_or_default(),
        );
        match self.findings.get_mut(&key) {
            Some(existing) => {
                let also = format!(
                    "{}:{}",
                    f.file.clone().unwrap_or_default(),
                    f.line.unwrap_or(0)
                );
                let entry = existing
                    .details
                    .entry("also".to_string())
                    .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                if let Some(a) = entry.as_array_mut()
                    && !a.iter().any(|v| v.as_str() == Some(&also))
                {
                    a.push(also.into());
                }
                if f.severity > existing.severity {
                    existing.severity = f.severity;
                }
            }
            None => {
                self.findings.insert(key, f);
            }
        }
    }
}

pub(super) struct Ctx<'a> {
    pub(super) live: Option<&'a Schema>,
    pub(super) expected: Option<&'a ExpectedSchema>,
    pub(super) code: Option<&'a CodeEvidence>,
    pub(super) applied: Option<&'a AppliedMigrations>,
    pub(super) checks: Option<&'a QueryChecks>,
    pub(super) backend: Backend,
}

/// Something that expects a table or column, with its location.
pub(super) struct Expectation {
    pub(super) what: String,
    pub(super) file: String,
    pub(super) line: u32,
}

pub(super) fn find_table<'s>(schema: &'s Schema, name: &str) -> Option<&'s Table> {
    static_sql::find_table(schema, name)
}

/// The tables of a model's (or hand-written FromRow's) `mapping` that `schema` has, with their
/// columns read: what its reads are checked against. A mapped table that is absent is
/// reported as `table_missing` instead.
pub(super) fn mapped_tables<'s>(
    schema: &'s Schema,
    mapping: &'s ModelMapping,
) -> impl Iterator<Item = &'s Table> {
    mapping
        .tables
        .iter()
        .filter_map(|t| find_table(schema, t))
        .filter(|t| columns_known(schema, t))
}

/// Whether the columns of `t` were read: a table whose columns catalog could not be read (or
/// that was skipped because it was locked) has an empty or partial column list that says
/// nothing about which columns exist.
pub(super) fn columns_known(schema: &Schema, t: &Table) -> bool {
    schema.sees(Catalog::Columns, &t.schema, &t.name)
}

pub(super) fn not_null(t: &Table, column: &str) -> bool {
    t.column(column).is_some_and(|c| !c.nullable)
        || t.primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.iter().any(|c| c == column))
}

impl Ctx<'_> {
    /// "pending", "failed" or "applied" for a migration version, when the applied rows are known.
    pub(super) fn status(&self, version: i64) -> Option<&'static str> {
        Some(self.applied?.status(version).as_str())
    }

    pub(super) fn origin_phrase(&self, o: &Origin, verb: &str) -> String {
        let v = format!("{:04}", o.version);
        match self.status(o.version) {
            Some("applied") => format!(
                "{verb} by migration {v} ({}:{}), which is recorded as applied: the object was \
                 removed afterwards or the migration ran against another database",
                o.file, o.line
            ),
            Some(st) => format!(
                "{verb} by migration {v} ({}:{}), which is {st}",
                o.file, o.line
            ),
            None => format!("{verb} by migration {v} ({}:{})", o.file, o.line),
        }
    }

    pub(super) fn next_step_for(&self, o: &Origin) -> String {
        match self.status(o.version) {
            Some("failed") => format!(
                "fix and re-run migration {} (sqlx refuses with Dirty({}) until the row is repaired)",
                o.version, o.version
            ),
            Some("applied") => format!(
                "check which database migration {} ran against (DATABASE_URL of the deploy)",
                o.version
            ),
            _ => format!("run migration {} (sqlx migrate run)", o.version),
        }
    }

    /// The schema code is checked against: live when inspected, else the expected one.
    pub(super) fn target(&self) -> Option<(&Schema, &'static str)> {
        match (self.live, self.expected) {
            (Some(l), _) => Some((l, "live")),
            (None, Some(e)) if !e.migrations.is_empty() => Some((&e.schema, "expected")),
            _ => None,
        }
    }

    pub(super) fn type_context(&self) -> TypeContext {
        TypeContext::from_evidence(self.code, self.expected, self.live, self.backend)
    }
}

/// "a select query", "an insert query": the statement kind with its article.
pub(super) fn query_phrase(kind: &impl std::fmt::Display) -> String {
    let kind = kind.to_string();
    let article = match kind.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    format!("{article} {kind} query")
}

/// Mappings whose table is the one the rows come from (not a projection, not undecided).
pub(super) fn checked_mapping(source: MappingSource) -> bool {
    matches!(
        source,
        MappingSource::Query | MappingSource::Config | MappingSource::Convention
    )
}
