//! Database-related log evidence: classified lines grouped by signature, with the identifiers
//! (table, column, SQLSTATE) kept.
//!
//! The pieces: [`mod@format`] recognises a line's layout (fly logs, JSON lines, tracing text,
//! PostgreSQL stderr) and pulls out timestamp, instance, region and message; [`mod@classify`] names
//! the database problem a message reports; [`scan`] streams raw bytes through a literal
//! prefilter so only candidate lines are parsed, and groups them into [`LogSignature`]s.

pub mod classify;
pub mod format;
pub mod prefilter;
pub mod scan;
pub mod time;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use classify::{Classification, classify};
pub use format::LogFormat;
pub use scan::LogAnalyzer;

/// Classified log evidence from every `--logs` input.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LogsEvidence {
    /// One entry per input, in the order given.
    #[serde(default)]
    pub inputs: Vec<LogInput>,
    /// Groups of classified lines, most frequent first (ties by key).
    #[serde(default)]
    pub signatures: Vec<LogSignature>,
    /// Migration lifecycle lines in input order (the last [`scan::MAX_MIGRATION_EVENTS`]).
    #[serde(default)]
    pub migration_events: Vec<MigrationEvent>,
    /// Width in seconds of every bucket of every signature's `series`.
    #[serde(default)]
    pub bucket_seconds: u64,
    /// Classified lines not grouped because the number of distinct signatures hit its cap.
    #[serde(default)]
    pub ungrouped_lines: u64,
}

/// One `--logs` input and what reading it gave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LogInput {
    /// The path as given, or `-` for standard input.
    pub name: String,
    /// The layout its lines were parsed with.
    pub format: LogFormat,
    /// True when `--log-format` forced the layout, false when it was detected.
    #[serde(default)]
    pub format_forced: bool,
    /// True when the input was gzip-compressed.
    #[serde(default)]
    pub compressed: bool,
    /// Bytes read (after decompression).
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Lines the literal prefilter picked as possibly database-related.
    pub candidate_lines: u64,
    /// Lines that were classified into a signature.
    pub classified_lines: u64,
    /// Lines containing bytes that are not valid UTF-8 (read lossily, never fatal).
    #[serde(default)]
    pub invalid_utf8_lines: u64,
    /// Lines longer than [`scan::LONG_LINE`] bytes.
    #[serde(default)]
    pub long_lines: u64,
    /// Lines longer than [`scan::MAX_LINE`] bytes: only their first MAX_LINE bytes were read.
    #[serde(default)]
    pub truncated_lines: u64,
    /// Candidate lines that did not match the input's layout (classified as plain text).
    #[serde(default)]
    pub unparsed_lines: u64,
    /// Earliest timestamp seen on a candidate line (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// Latest timestamp seen on a candidate line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Why reading stopped early (unreadable file, truncated gzip...); what was read is kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The broad family of a [`LogKind`], for grouping in the report.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LogCategory {
    /// The database rejected a statement (schema, constraint, permission...).
    Database,
    /// sqlx could not decode a row into the Rust type.
    Decode,
    /// The connection pool or the server ran out of connections.
    Pool,
    /// A transaction-mode pooler broke a session feature.
    Pooler,
    /// The connection could not be made or was lost.
    Connection,
    /// Migration lifecycle at startup.
    Migration,
    /// The service's own error markers.
    Service,
}

/// What a classified line reports.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// 42P01 `relation "X" does not exist`.
    UndefinedTable,
    /// 42703 `column "Y" of relation "X" does not exist` / `column "Y" does not exist`.
    UndefinedColumn,
    /// sqlx `no column found for name: x`.
    ColumnNotFound,
    /// sqlx `mismatched types; Rust type ... is not compatible with SQL type ...`.
    TypeMismatch,
    /// sqlx `unexpected null; try decoding as an Option`.
    UnexpectedNull,
    /// sqlx `pool timed out while waiting for an open connection`.
    PoolTimeout,
    /// 53300 too many connections / remaining slots reserved.
    TooManyConnections,
    /// Connection refused.
    ConnectionRefused,
    /// Connection reset or closed by the server.
    ConnectionReset,
    /// TLS/SSL handshake or certificate errors.
    Tls,
    /// 28P01 password authentication failed.
    AuthenticationFailed,
    /// 42P05 `prepared statement "sqlx_s_1" already exists` (transaction-mode pooler).
    PreparedStatementExists,
    /// 26000 `prepared statement "..." does not exist` (transaction-mode pooler).
    PreparedStatementMissing,
    /// 57014 canceling statement due to statement timeout.
    StatementTimeout,
    /// 40P01 deadlock detected.
    Deadlock,
    /// 25006 cannot execute ... in a read-only transaction.
    ReadOnlyTransaction,
    /// 42501 permission denied.
    PermissionDenied,
    /// 23505 duplicate key value violates unique constraint.
    UniqueViolation,
    /// 23503 violates foreign key constraint.
    ForeignKeyViolation,
    /// 23502 null value violates not-null constraint.
    NotNullViolation,
    /// Another database error, grouped by SQLSTATE or normalised message.
    OtherDatabaseError,
    /// The service's `database_error` marker without a more specific cause on the line.
    ServiceDatabaseError,
    /// The service's `internal_error` marker without a more specific cause on the line.
    ServiceInternalError,
    /// "Checking database migrations..."
    MigrationCheck,
    /// "Applied N new migration(s)"
    MigrationsApplied,
    /// "Database schema is up to date"
    SchemaUpToDate,
    /// "Migration failed: ..." and sqlx's migrate errors (dirty, modified, missing).
    MigrationFailed,
}

impl LogKind {
    /// The SQLSTATE a kind always has, when it has one.
    pub fn default_sqlstate(self) -> Option<&'static str> {
        Some(match self {
            LogKind::UndefinedTable => "42P01",
            LogKind::UndefinedColumn => "42703",
            LogKind::TooManyConnections => "53300",
            LogKind::AuthenticationFailed => "28P01",
            LogKind::PreparedStatementExists => "42P05",
            LogKind::PreparedStatementMissing => "26000",
            LogKind::StatementTimeout => "57014",
            LogKind::Deadlock => "40P01",
            LogKind::ReadOnlyTransaction => "25006",
            LogKind::PermissionDenied => "42501",
            LogKind::UniqueViolation => "23505",
            LogKind::ForeignKeyViolation => "23503",
            LogKind::NotNullViolation => "23502",
            _ => return None,
        })
    }

    /// The family this kind belongs to.
    pub fn category(self) -> LogCategory {
        use LogKind::*;
        match self {
            ColumnNotFound | TypeMismatch | UnexpectedNull => LogCategory::Decode,
            PoolTimeout | TooManyConnections => LogCategory::Pool,
            PreparedStatementExists | PreparedStatementMissing => LogCategory::Pooler,
            ConnectionRefused | ConnectionReset | Tls | AuthenticationFailed => {
                LogCategory::Connection
            }
            MigrationCheck | MigrationsApplied | SchemaUpToDate | MigrationFailed => {
                LogCategory::Migration
            }
            ServiceDatabaseError | ServiceInternalError => LogCategory::Service,
            _ => LogCategory::Database,
        }
    }

    /// The snake_case name used in JSON and signature keys (a test checks it is serde's).
    pub fn as_str(self) -> &'static str {
        use LogKind::*;
        match self {
            UndefinedTable => "undefined_table",
            UndefinedColumn => "undefined_column",
            ColumnNotFound => "column_not_found",
            TypeMismatch => "type_mismatch",
            UnexpectedNull => "unexpected_null",
            PoolTimeout => "pool_timeout",
            TooManyConnections => "too_many_connections",
            ConnectionRefused => "connection_refused",
            ConnectionReset => "connection_reset",
            Tls => "tls",
            AuthenticationFailed => "authentication_failed",
            PreparedStatementExists => "prepared_statement_exists",
            PreparedStatementMissing => "prepared_statement_missing",
            StatementTimeout => "statement_timeout",
            Deadlock => "deadlock",
            ReadOnlyTransaction => "read_only_transaction",
            PermissionDenied => "permission_denied",
            UniqueViolation => "unique_violation",
            ForeignKeyViolation => "foreign_key_violation",
            NotNullViolation => "not_null_violation",
            OtherDatabaseError => "other_database_error",
            ServiceDatabaseError => "service_database_error",
            ServiceInternalError => "service_internal_error",
            MigrationCheck => "migration_check",
            MigrationsApplied => "migrations_applied",
            SchemaUpToDate => "schema_up_to_date",
            MigrationFailed => "migration_failed",
        }
    }

    /// Every kind, in declaration order.
    pub const ALL: [LogKind; 27] = [
        LogKind::UndefinedTable,
        LogKind::UndefinedColumn,
        LogKind::ColumnNotFound,
        LogKind::TypeMismatch,
        LogKind::UnexpectedNull,
        LogKind::PoolTimeout,
        LogKind::TooManyConnections,
        LogKind::ConnectionRefused,
        LogKind::ConnectionReset,
        LogKind::Tls,
        LogKind::AuthenticationFailed,
        LogKind::PreparedStatementExists,
        LogKind::PreparedStatementMissing,
        LogKind::StatementTimeout,
        LogKind::Deadlock,
        LogKind::ReadOnlyTransaction,
        LogKind::PermissionDenied,
        LogKind::UniqueViolation,
        LogKind::ForeignKeyViolation,
        LogKind::NotNullViolation,
        LogKind::OtherDatabaseError,
        LogKind::ServiceDatabaseError,
        LogKind::ServiceInternalError,
        LogKind::MigrationCheck,
        LogKind::MigrationsApplied,
        LogKind::SchemaUpToDate,
        LogKind::MigrationFailed,
    ];

    /// A short description for messages, e.g. "undefined table".
    pub fn title(self) -> &'static str {
        use LogKind::*;
        match self {
            UndefinedTable => "undefined table",
            UndefinedColumn => "undefined column",
            ColumnNotFound => "sqlx: no column found",
            TypeMismatch => "sqlx: mismatched types",
            UnexpectedNull => "sqlx: unexpected null",
            PoolTimeout => "pool timed out",
            TooManyConnections => "too many connections",
            ConnectionRefused => "connection refused",
            ConnectionReset => "connection reset",
            Tls => "TLS error",
            AuthenticationFailed => "authentication failed",
            PreparedStatementExists => "prepared statement already exists",
            PreparedStatementMissing => "prepared statement does not exist",
            StatementTimeout => "statement timeout",
            Deadlock => "deadlock",
            ReadOnlyTransaction => "read-only transaction",
            PermissionDenied => "permission denied",
            UniqueViolation => "unique violation",
            ForeignKeyViolation => "foreign-key violation",
            NotNullViolation => "not-null violation",
            OtherDatabaseError => "database error",
            ServiceDatabaseError => "service database_error",
            ServiceInternalError => "service internal_error",
            MigrationCheck => "checking migrations",
            MigrationsApplied => "migrations applied",
            SchemaUpToDate => "schema up to date",
            MigrationFailed => "migration failed",
        }
    }
}

/// A count per name (instance, region, request path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NamedCount {
    /// The name.
    pub name: String,
    /// How many lines had it.
    pub count: u64,
}

/// One sample line of a signature, redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LogSample {
    /// The input it came from.
    pub input: String,
    /// 1-based line number in that input.
    pub line: u64,
    /// The line with secrets replaced by `REDACTED`, cut at [`scan::MAX_SAMPLE`] bytes.
    pub text: String,
}

/// One non-empty time bucket of a signature's series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SeriesPoint {
    /// Start of the bucket, RFC 3339 UTC.
    pub start: String,
    /// Start of the bucket, seconds since the Unix epoch.
    pub epoch: i64,
    /// Lines in the bucket.
    pub count: u64,
}

/// A group of classified lines that report the same problem on the same object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LogSignature {
    /// Stable key: kind, then SQLSTATE, table, column and object when known, joined by `:`.
    pub key: String,
    /// What the lines report.
    pub kind: LogKind,
    /// The family of the kind.
    pub category: LogCategory,
    /// SQLSTATE, from the line or implied by the kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sqlstate: Option<String>,
    /// The table (relation) named by the lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The column named by the lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// Another identifier: constraint, prepared statement, user, statement kind, or the
    /// normalised message of an otherwise unclassified database error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// For type mismatches: the Rust type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_type: Option<String>,
    /// For type mismatches: the SQL type of the column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_type: Option<String>,
    /// For migration lines: the migration version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<i64>,
    /// Number of lines.
    pub count: u64,
    /// Earliest timestamp (RFC 3339 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// Latest timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// Fly instances (machine ids) with counts, most first.
    #[serde(default)]
    pub instances: Vec<NamedCount>,
    /// Fly regions with counts, most first.
    #[serde(default)]
    pub regions: Vec<NamedCount>,
    /// Request paths (query strings removed) with counts, most first.
    #[serde(default)]
    pub paths: Vec<NamedCount>,
    /// Inputs the lines came from.
    #[serde(default)]
    pub inputs: Vec<String>,
    /// Up to three sample lines, redacted.
    #[serde(default)]
    pub samples: Vec<LogSample>,
    /// Counts per time bucket (`bucket_seconds` wide), only non-empty buckets, in time order.
    #[serde(default)]
    pub series: Vec<SeriesPoint>,
}

/// One migration lifecycle line (ACTION-007), in input order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MigrationEvent {
    /// MigrationCheck, MigrationsApplied, SchemaUpToDate or MigrationFailed.
    pub kind: LogKind,
    /// When (RFC 3339 UTC), if the line had a timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The Fly instance, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// "Applied N new migration(s)": N.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<u64>,
    /// The failing migration's version, when named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<i64>,
    /// The input.
    pub input: String,
    /// 1-based line number.
    pub line: u64,
    /// The message, redacted and cut.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::LogKind;

    #[test]
    fn every_kind_is_listed_once_and_named_as_serde_names_it() {
        let mut seen = std::collections::BTreeSet::new();
        for kind in LogKind::ALL {
            assert!(seen.insert(kind), "{kind:?} listed twice in LogKind::ALL");
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().to_string())
            );
        }
    }
}
