//! Findings: what `gaps check` reports. Each finding has a stable `kind`, a severity, the
//! gaps.md action it is evidence for, a message a person can act on, and the subject fields
//! (migration, schema, table, column, file, line) that apply.
//!
//! The JSON names of kinds and fields are a public contract: scripts and CI match on them.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; nothing is broken.
    Info,
    /// Likely to break something, or a trap.
    Warning,
    /// Breaks the service now.
    Error,
}

impl Severity {
    /// Lowercase name as used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses [`Severity::as_str`] back.
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Info, Severity::Warning, Severity::Error]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Every kind of finding gaps can report. Serialised in snake_case.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    // --- migrations (ACTION-002) ---
    /// The migrations table does not exist in the database.
    MigrationsTableMissing,
    /// The migrations table exists in another schema, but the session's search_path (often a
    /// role-level setting) hides it from sqlx.
    MigrationsTableNotOnSearchPath,
    /// A local migration file has not been applied.
    MigrationPending,
    /// A row has `success = false`.
    MigrationFailed,
    /// The applied checksum differs from the local file's.
    MigrationChecksumMismatch,
    /// Applied in the database, but no local file has that version.
    MigrationMissingLocally,
    /// A file in the migrations directory that sqlx ignores.
    MigrationIgnoredFile,
    /// `execution_time = -1`: skipped or interrupted.
    MigrationNotTimed,
    /// A pending version lower than the highest applied one.
    MigrationOutOfOrder,
    /// sqlx's advisory migration lock is held.
    MigrationLockHeld,
    /// A statement of a pending (or failed) migration takes a lock for as long as it scans or
    /// rewrites a table that exists now, or fails as written.
    MigrationHazard,
    /// A session holds a lock now that a pending migration's statement would queue behind
    /// (and, queued, block the application's queries behind itself).
    MigrationBlocked,
    // --- schema vs code (ACTION-004/005) ---
    /// A table the code, migrations or gaps.md expect is missing.
    TableMissing,
    /// A live table nobody expects.
    TableUnexpected,
    /// A model field or query column has no live column.
    ColumnMissing,
    /// A live column nobody expects.
    ColumnUnexpected,
    /// A Rust type cannot decode the column's SQL type.
    ColumnTypeMismatch,
    /// Option-ness of a field disagrees with the column's nullability.
    ColumnNullabilityMismatch,
    /// An index the migrations create is missing.
    IndexMissing,
    /// A primary key, UNIQUE, foreign key or CHECK constraint the migrations create is
    /// missing or defined differently.
    ConstraintMismatch,
    /// A column's default differs from the one the migrations set (or one side has none).
    DefaultMismatch,
    // --- queries (ACTION-004/005) ---
    /// The database rejects a statement found in the code.
    QueryInvalid,
    /// A statement's result does not decode into its target type.
    QueryResultMismatch,
    /// `.sqlx/` offline data disagrees with the live database.
    SqlxOfflineStale,
    // --- what Describe cannot see (ACTION-004/005) ---
    /// The service role lacks a privilege a statement needs (table, column, sequence, schema,
    /// function), or will lack it on a table a pending migration creates.
    PrivilegeMissing,
    /// An unqualified name resolves to another object, or to none, under the service role's
    /// search_path than under gaps' connection.
    SearchPathMismatch,
    /// An INSERT leaves out a NOT NULL column that nothing fills.
    InsertMissingNotNull,
    /// A value sent to an enum column (a literal, a Rust enum's variant) is not one of its
    /// labels.
    EnumValueMissing,
    /// `ON CONFLICT (cols)` names no unique index or constraint of the table.
    OnConflictTargetMissing,
    /// A statement the database accepts now fails once the pending migrations ran (a column
    /// or table it uses is dropped or renamed), or reads `*` from a table they reshape.
    QueryBreaksAfterMigration,
    // --- logs (ACTION-001/007) ---
    /// A group of database errors in the logs.
    LogDatabaseError,
    /// A migration failure in the startup logs.
    LogMigrationFailure,
    /// Pool timeouts / exhaustion in the logs.
    LogPoolExhaustion,
    /// Errors caused by a transaction-mode pooler.
    LogPoolerIncompatibility,
    // --- health (ACTION-006) ---
    /// The health endpoint could not be reached.
    HealthUnreachable,
    /// The health endpoint says the service is unhealthy.
    HealthUnhealthy,
    /// `schema_version` disagrees with the migrations.
    HealthSchemaVersionMismatch,
    /// `schema_version` is absent or null.
    HealthSchemaVersionMissing,
    // --- provider (ACTION-003) ---
    /// The URL goes through a transaction-mode pooler.
    ProviderPoolerInUse,
    /// Connections are close to `max_connections`.
    ConnectionsNearLimit,
    // --- collection ---
    /// A section of evidence could not be collected.
    EvidenceUnavailable,
    /// A section was collected only in part (a catalog, some relations, some statements):
    /// what it lacks is unknown, and rules that need it stood down.
    EvidenceIncomplete,
    /// Another session holds (or queues for) an exclusive lock on a relation: gaps did not
    /// wait for it, and the application's queries on it wait too.
    LockBlocked,
}

impl FindingKind {
    /// Every kind, in declaration order.
    pub const ALL: [FindingKind; 43] = [
        FindingKind::MigrationsTableMissing,
        FindingKind::MigrationsTableNotOnSearchPath,
        FindingKind::MigrationPending,
        FindingKind::MigrationFailed,
        FindingKind::MigrationChecksumMismatch,
        FindingKind::MigrationMissingLocally,
        FindingKind::MigrationIgnoredFile,
        FindingKind::MigrationNotTimed,
        FindingKind::MigrationOutOfOrder,
        FindingKind::MigrationLockHeld,
        FindingKind::MigrationHazard,
        FindingKind::MigrationBlocked,
        FindingKind::TableMissing,
        FindingKind::TableUnexpected,
        FindingKind::ColumnMissing,
        FindingKind::ColumnUnexpected,
        FindingKind::ColumnTypeMismatch,
        FindingKind::ColumnNullabilityMismatch,
        FindingKind::IndexMissing,
        FindingKind::ConstraintMismatch,
        FindingKind::DefaultMismatch,
        FindingKind::QueryInvalid,
        FindingKind::QueryResultMismatch,
        FindingKind::SqlxOfflineStale,
        FindingKind::PrivilegeMissing,
        FindingKind::SearchPathMismatch,
        FindingKind::InsertMissingNotNull,
        FindingKind::EnumValueMissing,
        FindingKind::OnConflictTargetMissing,
        FindingKind::QueryBreaksAfterMigration,
        FindingKind::LogDatabaseError,
        FindingKind::LogMigrationFailure,
        FindingKind::LogPoolExhaustion,
        FindingKind::LogPoolerIncompatibility,
        FindingKind::HealthUnreachable,
        FindingKind::HealthUnhealthy,
        FindingKind::HealthSchemaVersionMismatch,
        FindingKind::HealthSchemaVersionMissing,
        FindingKind::ProviderPoolerInUse,
        FindingKind::ConnectionsNearLimit,
        FindingKind::EvidenceUnavailable,
        FindingKind::EvidenceIncomplete,
        FindingKind::LockBlocked,
    ];

    /// The snake_case name used in JSON (a match, not a round trip through serde_json, so the
    /// in-page viewer does not carry a JSON serialiser for it).
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::MigrationsTableMissing => "migrations_table_missing",
            FindingKind::MigrationsTableNotOnSearchPath => "migrations_table_not_on_search_path",
            FindingKind::MigrationPending => "migration_pending",
            FindingKind::MigrationFailed => "migration_failed",
            FindingKind::MigrationChecksumMismatch => "migration_checksum_mismatch",
            FindingKind::MigrationMissingLocally => "migration_missing_locally",
            FindingKind::MigrationIgnoredFile => "migration_ignored_file",
            FindingKind::MigrationNotTimed => "migration_not_timed",
            FindingKind::MigrationOutOfOrder => "migration_out_of_order",
            FindingKind::MigrationLockHeld => "migration_lock_held",
            FindingKind::MigrationHazard => "migration_hazard",
            FindingKind::MigrationBlocked => "migration_blocked",
            FindingKind::TableMissing => "table_missing",
            FindingKind::TableUnexpected => "table_unexpected",
            FindingKind::ColumnMissing => "column_missing",
            FindingKind::ColumnUnexpected => "column_unexpected",
            FindingKind::ColumnTypeMismatch => "column_type_mismatch",
            FindingKind::ColumnNullabilityMismatch => "column_nullability_mismatch",
            FindingKind::IndexMissing => "index_missing",
            FindingKind::ConstraintMismatch => "constraint_mismatch",
            FindingKind::DefaultMismatch => "default_mismatch",
            FindingKind::QueryInvalid => "query_invalid",
            FindingKind::QueryResultMismatch => "query_result_mismatch",
            FindingKind::SqlxOfflineStale => "sqlx_offline_stale",
            FindingKind::PrivilegeMissing => "privilege_missing",
            FindingKind::SearchPathMismatch => "search_path_mismatch",
            FindingKind::InsertMissingNotNull => "insert_missing_not_null",
            FindingKind::EnumValueMissing => "enum_value_missing",
            FindingKind::OnConflictTargetMissing => "on_conflict_target_missing",
            FindingKind::QueryBreaksAfterMigration => "query_breaks_after_migration",
            FindingKind::LogDatabaseError => "log_database_error",
            FindingKind::LogMigrationFailure => "log_migration_failure",
            FindingKind::LogPoolExhaustion => "log_pool_exhaustion",
            FindingKind::LogPoolerIncompatibility => "log_pooler_incompatibility",
            FindingKind::HealthUnreachable => "health_unreachable",
            FindingKind::HealthUnhealthy => "health_unhealthy",
            FindingKind::HealthSchemaVersionMismatch => "health_schema_version_mismatch",
            FindingKind::HealthSchemaVersionMissing => "health_schema_version_missing",
            FindingKind::ProviderPoolerInUse => "provider_pooler_in_use",
            FindingKind::ConnectionsNearLimit => "connections_near_limit",
            FindingKind::EvidenceUnavailable => "evidence_unavailable",
            FindingKind::EvidenceIncomplete => "evidence_incomplete",
            FindingKind::LockBlocked => "lock_blocked",
        }
    }

    /// True for the findings about the evidence itself (a section missing or incomplete)
    /// rather than about the service.
    pub fn is_about_evidence(self) -> bool {
        matches!(
            self,
            FindingKind::EvidenceUnavailable | FindingKind::EvidenceIncomplete
        )
    }

    /// The snake_case name used in JSON, owned.
    pub fn as_str(self) -> String {
        self.name().to_string()
    }

    /// Parses [`FindingKind::name`] back.
    pub fn parse(s: &str) -> Option<FindingKind> {
        FindingKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// What kind of problem.
    pub kind: FindingKind,
    /// How bad.
    pub severity: Severity,
    /// The gaps.md action this is evidence for, e.g. "ACTION-002".
    pub action: String,
    /// One sentence naming the object and the problem.
    pub message: String,
    /// What to do next, e.g. "run migration 13 (sqlx migrate run)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
    /// Migration version, when the finding is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<i64>,
    /// Schema name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Table name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Column name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Source or migration file the finding points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line in `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What was expected (type, checksum, version...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the live evidence shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<String>,
    /// Kind-specific extras (counts, timestamps, related findings), sorted by key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, serde_json::Value>,
}

impl Finding {
    /// A finding with only the required fields set; use the builder methods for the rest.
    pub fn new(
        kind: FindingKind,
        severity: Severity,
        action: &str,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            kind,
            severity,
            action: action.to_string(),
            message: message.into(),
            next_step: None,
            migration: None,
            schema: None,
            table: None,
            column: None,
            file: None,
            line: None,
            expected: None,
            live: None,
            details: BTreeMap::new(),
        }
    }

    /// Sets `next_step`.
    pub fn next_step(mut self, step: impl Into<String>) -> Self {
        self.next_step = Some(step.into());
        self
    }
    /// Sets `migration`.
    pub fn migration(mut self, version: i64) -> Self {
        self.migration = Some(version);
        self
    }
    /// Sets `schema`.
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = Some(schema.into());
        self
    }
    /// Sets `table`.
    pub fn table(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }
    /// Sets `column`.
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
    /// Sets `file` and optionally `line`.
    pub fn location(mut self, file: impl Into<String>, line: Option<u32>) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self
    }
    /// Sets `expected`.
    pub fn expected(mut self, v: impl Into<String>) -> Self {
        self.expected = Some(v.into());
        self
    }
    /// Sets `live`.
    pub fn live(mut self, v: impl Into<String>) -> Self {
        self.live = Some(v.into());
        self
    }
    /// Adds one entry to `details`.
    pub fn detail(mut self, key: &str, value: impl Into<serde_json::Value>) -> Self {
        self.details.insert(key.to_string(), value.into());
        self
    }
}

/// Sorts findings into reading order: most severe first, then by action, kind and subject.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.action.cmp(&b.action))
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.migration.cmp(&b.migration))
            .then_with(|| a.schema.cmp(&b.schema))
            .then_with(|| a.table.cmp(&b.table))
            .then_with(|| a.column.cmp(&b.column))
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.message.cmp(&b.message))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_in_snake_case() {
        assert_eq!(
            FindingKind::MigrationChecksumMismatch.as_str(),
            "migration_checksum_mismatch"
        );
        assert_eq!(FindingKind::TableMissing.as_str(), "table_missing");
    }

    #[test]
    fn kind_names_are_the_serde_names_and_every_kind_is_listed() {
        for k in FindingKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.name());
            assert_eq!(FindingKind::parse(k.name()), Some(k));
        }
        // The JSON schema lists the serde names of every variant: ALL must have them all.
        let schema = serde_json::to_value(schemars::schema_for!(FindingKind)).unwrap();
        let names: Vec<&str> = schema["enum"]
            .as_array()
            .or_else(|| schema["oneOf"].as_array())
            .expect("an enum schema")
            .iter()
            .map(|v| {
                v.as_str()
                    .or_else(|| v["const"].as_str())
                    .or_else(|| v["enum"][0].as_str())
                    .unwrap_or("")
            })
            .collect();
        assert_eq!(names.len(), FindingKind::ALL.len(), "{names:?}");
        assert!(
            names.iter().all(|n| FindingKind::parse(n).is_some()),
            "{names:?}"
        );
        assert_eq!(FindingKind::parse("bogus"), None);
        for s in [Severity::Info, Severity::Warning, Severity::Error] {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn unset_subject_fields_are_omitted_from_json() {
        let f = Finding::new(
            FindingKind::MigrationPending,
            Severity::Error,
            "ACTION-002",
            "m",
        )
        .migration(13);
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(v["migration"], 13);
        assert!(v.get("table").is_none());
        assert_eq!(v["severity"], "error");
    }

    #[test]
    fn sorting_puts_errors_first() {
        let mut v = vec![
            Finding::new(
                FindingKind::TableUnexpected,
                Severity::Info,
                "ACTION-004",
                "a",
            ),
            Finding::new(
                FindingKind::MigrationPending,
                Severity::Error,
                "ACTION-002",
                "b",
            ),
        ];
        sort_findings(&mut v);
        assert_eq!(v[0].severity, Severity::Error);
    }
}
