//! The snapshot: one versioned JSON document holding every piece of evidence gaps gathered.
//!
//! Readers ignore fields they do not know and treat a missing section as skipped, so later
//! versions can add sections without breaking older reports. A snapshot whose
//! `format_version` is newer than [`FORMAT_VERSION`] is refused with a message naming both.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::backend::Backend;
use crate::code::{CodeEvidence, ExpectedSchema};
use crate::hazards::MigrationPlan;
use crate::health::HealthEvidence;
use crate::logs::LogsEvidence;
use crate::migrations::{AppliedMigrations, LocalMigrations};
use crate::provider::ProviderEvidence;
use crate::querycheck::QueryChecks;
use crate::schema::{DatabaseInfo, Schema};
use crate::section::Section;
use crate::service::ServiceEvidence;
use crate::session::SessionReport;

mod load;

pub use load::Outline;

/// The snapshot format this build writes and the newest it can read.
pub const FORMAT_VERSION: u32 = 1;

/// Everything gaps gathered about one service at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Snapshot {
    /// Version of this document's shape; see [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The tool that wrote it.
    pub tool: ToolInfo,
    /// When collection started, RFC 3339 in UTC. The only clock value in a snapshot.
    pub collected_at: String,
    /// What was inspected (secrets removed).
    pub target: Target,
    /// Server identity: backend, version, database name, user, search_path.
    #[serde(default)]
    pub database: Section<DatabaseInfo>,
    /// The live schema read from the catalogs.
    #[serde(default)]
    pub schema: Section<Schema>,
    /// Rows of the sqlx migrations table (ACTION-002).
    #[serde(default)]
    pub applied_migrations: Section<AppliedMigrations>,
    /// Migration files found in the service's repository (ACTION-002).
    #[serde(default)]
    pub local_migrations: Section<LocalMigrations>,
    /// What the code expects: models and queries found in the source (ACTION-004/005).
    #[serde(default)]
    pub code: Section<CodeEvidence>,
    /// The schema the migrations (and gaps.md) say should exist (ACTION-004/005).
    #[serde(default)]
    pub expected_schema: Section<ExpectedSchema>,
    /// The live database's verdict on each SQL statement found in the code.
    #[serde(default)]
    pub query_checks: Section<QueryChecks>,
    /// Database-related lines classified from application and server logs (ACTION-001/007).
    #[serde(default)]
    pub logs: Section<LogsEvidence>,
    /// The service's health endpoint response (ACTION-006).
    #[serde(default)]
    pub health: Section<HealthEvidence>,
    /// The database provider, pooler and connection facts (ACTION-003).
    #[serde(default)]
    pub provider: Section<ProviderEvidence>,
    /// What Describe cannot see: the service role's privileges, the settings its sessions
    /// run under, and what changes its writes (triggers, rules, domain defaults, sql_mode).
    #[serde(default)]
    pub service: Section<ServiceEvidence>,
    /// What running the pending migrations would do to the live database (locks, table
    /// sizes, sessions in the way) and to the code (statements that break afterwards).
    #[serde(default)]
    pub migration_plan: Section<MigrationPlan>,
    /// gaps' own database session: its limits, the relations it found locked, and whether it
    /// ended early. Absent when no session was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionReport>,
}

/// The program that wrote a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    /// Always "gaps".
    pub name: String,
    /// The crate version of the writer.
    pub version: String,
}

/// What a snapshot describes. Never contains a password or a secret query parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Target {
    /// A free label such as "production" or "staging", from `--label`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The database URL with password and secret parameters removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    /// Which database engine the URL names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend: Option<Backend>,
    /// The service's source directory as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_dir: Option<String>,
}

/// Why a snapshot could not be loaded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    /// The text is not JSON.
    #[error("not valid JSON at line {line}, column {column}: {message}")]
    Malformed {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// JSON, but without a `format_version`: probably not a gaps snapshot.
    #[error("this is not a gaps snapshot: it has no numeric \"format_version\" field")]
    NotASnapshot,
    /// JSON (or nothing at all) that is not an object, e.g. an array.
    #[error("this is not a gaps snapshot: a snapshot is a JSON object, this file holds {found}")]
    NotAnObject {
        /// What the file holds instead: "an array", "a string", "nothing (it is empty)"...
        found: &'static str,
    },
    /// Written by a newer gaps.
    #[error(
        "snapshot format_version {found} is newer than this gaps understands (up to {supported}); upgrade gaps to read it"
    )]
    TooNew {
        /// The version in the file.
        found: u64,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The right version but the wrong shape.
    #[error(
        "snapshot does not match format_version {version} at line {line}, column {column}: {message}"
    )]
    Invalid {
        /// The format version declared by the file.
        version: u32,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What was wrong.
        message: String,
    },
}

impl Snapshot {
    /// Parses a snapshot, checking its `format_version` before its shape so that a file from a
    /// newer gaps gets a version message rather than a confusing field error. Every field that
    /// holds text from outside is redacted on the way in ([`crate::redact::snapshot`]), so a
    /// snapshot written by another tool or an older gaps cannot carry a secret any further.
    /// A UTF-8 byte-order mark in front (some Windows editors write one) is skipped.
    ///
    /// The text is read three times and never held as a `serde_json::Value`: its syntax and
    /// `format_version` (`load::head`) and, at the same time on another core, its shape (the
    /// typed parse, whose errors carry the line and column), then the redaction
    /// ([`Snapshot::redact`], which rewrites only when a field changes).
    pub fn from_json(text: &str) -> Result<Snapshot, LoadError> {
        // The checks and the typed parse read the same text independently, so they run on two
        // cores when there are two; the checks' error still comes first, as when they ran first.
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let (head, parsed) = crate::par::join(
            || load::head(text),
            || serde_json::from_str::<Snapshot>(body),
        );
        let (_, version) = head?;
        let mut snapshot = parsed.map_err(|e| LoadError::Invalid {
            version: version as u32,
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        })?;
        snapshot.redact(&[]);
        Ok(snapshot)
    }

    /// The canonical JSON text of this snapshot: pretty-printed, ending in a newline, redacted
    /// field by field ([`crate::redact::snapshot`]) and with control, bidi and invisible
    /// characters spelled as `\uXXXX` ([`crate::escape::json_output`]), so the file is safe to
    /// print. The same bytes as [`write_json`](Snapshot::write_json) writes.
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        self.write_json(&mut out).expect("snapshot serialises");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }

    /// Writes [`to_json`](Snapshot::to_json)'s text to `writer` as it is serialised (redacted
    /// and escaped on the way, see [`crate::redact::stream`]), never holding the whole text.
    /// The many small pieces of the pretty layout go through a buffer of its own (a concrete
    /// type, so they are not each a call through `writer`, which may be `dyn`).
    pub fn write_json<W: std::io::Write>(&self, writer: W) -> std::io::Result<()> {
        use std::io::Write;
        let mut buf = std::io::BufWriter::with_capacity(1 << 16, writer);
        crate::redact::stream::to_writer_pretty(&mut buf, self, &[])?;
        buf.write_all(b"\n")?;
        buf.flush()
    }

    /// Writes this snapshot's text redacted with `known` secrets in one pass, for a snapshot
    /// not yet [`redact`](Snapshot::redact)ed: `Ok(true)` when no field needed redaction, and
    /// then the bytes written are exactly those of `redact(known)` followed by
    /// [`write_json`](Snapshot::write_json) (the common case, with no separate look pass over
    /// the snapshot). `Ok(false)` when a field did: the text written holds no secret either,
    /// but it is not the canonical text; discard it, `redact(known)` and write again.
    pub fn write_json_if_clean<W: std::io::Write>(
        &self,
        writer: W,
        known: &[String],
    ) -> std::io::Result<bool> {
        use std::io::Write;
        let mut buf = std::io::BufWriter::with_capacity(1 << 16, writer);
        let clean = crate::redact::stream::to_writer_pretty_clean(&mut buf, self, known)?;
        buf.write_all(b"\n")?;
        buf.flush()?;
        Ok(clean)
    }

    /// Redacts this snapshot in place: every field holding text from outside, as
    /// [`to_json`](Snapshot::to_json) does, and `known` secrets (the password of the database
    /// URL, which a driver may repeat in any shape) wherever they appear in those fields.
    /// A first pass only looks; the snapshot is rebuilt (from its redacted JSON) only when a
    /// field changes.
    pub fn redact(&mut self, known: &[String]) {
        use crate::redact::stream;
        if !matches!(stream::changes(&*self, known), Ok(true)) {
            return;
        }
        // Redaction only rewrites strings, so the shape holds; were it ever not to, the
        // evidence is kept rather than lost ([`to_json`](Snapshot::to_json) redacts again).
        if let Ok(bytes) = stream::to_vec(&*self, known)
            && let Ok(redacted) = serde_json::from_slice(&bytes)
        {
            *self = redacted;
        }
    }

    /// An empty snapshot (every section skipped), the starting point of a collection.
    pub fn new(tool_version: &str, collected_at: String, target: Target) -> Snapshot {
        Snapshot {
            format_version: FORMAT_VERSION,
            tool: ToolInfo {
                name: "gaps".into(),
                version: tool_version.into(),
            },
            collected_at,
            target,
            database: Section::default(),
            schema: Section::default(),
            applied_migrations: Section::default(),
            local_migrations: Section::default(),
            code: Section::default(),
            expected_schema: Section::default(),
            query_checks: Section::default(),
            logs: Section::default(),
            health: Section::default(),
            provider: Section::default(),
            service: Section::default(),
            migration_plan: Section::default(),
            session: None,
        }
    }

    /// Names and outcomes of every section, in document order (for summaries and exit codes).
    pub fn section_statuses(&self) -> Vec<(&'static str, SectionStatus)> {
        fn st<T>(s: &Section<T>) -> SectionStatus {
            match s {
                Section::Collected { .. } => SectionStatus::Collected,
                Section::Failed { .. } => SectionStatus::Failed,
                Section::Skipped { .. } => SectionStatus::Skipped,
            }
        }
        vec![
            ("database", st(&self.database)),
            ("schema", st(&self.schema)),
            ("applied_migrations", st(&self.applied_migrations)),
            ("local_migrations", st(&self.local_migrations)),
            ("code", st(&self.code)),
            ("expected_schema", st(&self.expected_schema)),
            ("query_checks", st(&self.query_checks)),
            ("logs", st(&self.logs)),
            ("health", st(&self.health)),
            ("provider", st(&self.provider)),
            ("service", st(&self.service)),
            ("migration_plan", st(&self.migration_plan)),
        ]
    }
}

/// The outcome of one section, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SectionStatus {
    /// Gathered.
    Collected,
    /// Attempted and failed.
    Failed,
    /// Not attempted.
    Skipped,
}

/// serde_json appends " at line L column C"; we report those separately.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The JSON Schema of the snapshot format, generated from these types. The committed copy,
/// `core/snapshot.schema.json`, is checked against it by a test.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Snapshot)).expect("schema serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::snapshot as empty;

    #[test]
    fn round_trips_through_json() {
        let s = empty();
        assert_eq!(Snapshot::from_json(&s.to_json()).unwrap(), s);
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = Snapshot::from_json("{\n  \"format_version\": 1,\n  oops\n}").unwrap_err();
        match err {
            LoadError::Malformed { line, column, .. } => {
                assert_eq!(line, 3);
                assert!(column >= 3, "column {column}");
            }
            other => panic!("expected Malformed, got {other:?}"),
        }
    }

    #[test]
    fn newer_format_version_names_both_versions() {
        let err = Snapshot::from_json(r#"{"format_version": 99}"#).unwrap_err();
        assert_eq!(
            err,
            LoadError::TooNew {
                found: 99,
                supported: FORMAT_VERSION
            }
        );
        let text = err.to_string();
        assert!(text.contains("99") && text.contains(&FORMAT_VERSION.to_string()));
    }

    #[test]
    fn json_without_version_is_not_a_snapshot() {
        assert_eq!(
            Snapshot::from_json(r#"{"tables": []}"#).unwrap_err(),
            LoadError::NotASnapshot
        );
    }

    #[test]
    fn a_leading_byte_order_mark_is_accepted() {
        let s = empty();
        let text = format!("\u{feff}{}", s.to_json());
        assert_eq!(Snapshot::from_json(&text).unwrap(), s);
    }

    #[test]
    fn a_json_array_or_other_non_object_is_not_a_snapshot() {
        for (text, found) in [
            ("[1, 2]", "an array"),
            ("[{\"format_version\": 1}]", "an array"),
            ("\"text\"", "a string"),
            ("42", "a number"),
            ("null", "null"),
            ("  \n", "nothing (it is empty)"),
        ] {
            let err = Snapshot::from_json(text).unwrap_err();
            assert_eq!(err, LoadError::NotAnObject { found }, "{text}");
            assert!(err.to_string().contains("not a gaps snapshot"), "{err}");
        }
        // Broken JSON keeps its position.
        assert!(matches!(
            Snapshot::from_json("[1,"),
            Err(LoadError::Malformed { .. })
        ));
    }

    #[test]
    fn missing_sections_read_as_skipped() {
        let text = r#"{"format_version":1,"tool":{"name":"gaps","version":"0.0.1"},
            "collected_at":"2026-01-09T12:00:00Z","target":{}}"#;
        let s = Snapshot::from_json(text).unwrap();
        assert!(matches!(s.logs, Section::Skipped { .. }));
        assert!(!s.is_partial());
    }

    #[test]
    fn schema_with_an_unreadable_catalog_makes_the_snapshot_partial() {
        let mut s = empty();
        s.schema = Section::collected(Schema::default());
        assert!(!s.is_partial(), "a complete schema is not partial");
        s.schema = Section::collected(Schema {
            incomplete: vec![crate::schema::IncompleteCatalog::new(
                "reading indexes (pg_index)",
                "permission denied for table pg_index",
                &[crate::schema::Catalog::Indexes],
                crate::schema::IncompleteCause::Permission,
            )],
            ..Schema::default()
        });
        assert!(s.is_partial());
    }

    #[test]
    fn wrong_shape_is_invalid_with_position() {
        let text = r#"{"format_version":1,"tool":{"name":"gaps","version":"0.0.1"},
            "collected_at":"2026-01-09T12:00:00Z","target":{"backend":"oracle"}}"#;
        assert!(matches!(
            Snapshot::from_json(text).unwrap_err(),
            LoadError::Invalid {
                version: 1,
                line: 2,
                ..
            }
        ));
    }
}
