//! Reading the page's embedded data, `{"snapshots":[...], "findings":[[...], ...]}`, with
//! messages that say what is wrong and where.
//!
//! Only the parts the viewer shows are deserialised (target, collection time, live and
//! expected schema, migrations table): the rest of each snapshot is skipped, which keeps the
//! module within its size budget however much evidence later versions add. Findings are not
//! re-derived in the page: the report embeds each snapshot's findings (`gaps_core::rules::
//! analyse`) in `findings`, in snapshot order; without them the viewer says so.

use gaps_core::Section;
use gaps_core::code::ExpectedSchema;
use gaps_core::finding::Finding;
use gaps_core::migrations::AppliedMigrations;
use gaps_core::schema::Schema;
use gaps_core::snapshot::{FORMAT_VERSION, Snapshot, Target};
use serde::Deserialize;

/// Why the embedded data cannot be shown.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DataError {
    /// Not JSON, or not the expected shape.
    #[error("the embedded report data is not valid at line {line}, column {column}: {message}")]
    Invalid {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A snapshot from a newer gaps.
    #[error(
        "snapshot {index} has format_version {found}, newer than this viewer understands (up to {FORMAT_VERSION})"
    )]
    TooNew {
        /// 0-based position in the list.
        index: usize,
        /// Its version.
        found: u32,
    },
    /// `snapshots` is empty.
    #[error("the embedded report data holds no snapshots")]
    Empty,
    /// `findings` does not have one list per snapshot.
    #[error("the embedded report data has {findings} findings lists for {snapshots} snapshots")]
    FindingsMismatch {
        /// Number of snapshots.
        snapshots: usize,
        /// Number of findings lists.
        findings: usize,
    },
}

/// The part of a snapshot the viewer reads.
#[derive(Deserialize)]
struct ViewedSnapshot {
    format_version: u32,
    #[serde(default)]
    collected_at: String,
    #[serde(default)]
    target: Target,
    #[serde(default)]
    schema: Section<Schema>,
    #[serde(default)]
    applied_migrations: Section<AppliedMigrations>,
    #[serde(default)]
    expected_schema: Section<ExpectedSchema>,
}

#[derive(Deserialize)]
struct Data {
    snapshots: Vec<ViewedSnapshot>,
    #[serde(default)]
    findings: Option<Vec<Vec<Finding>>>,
}

/// The snapshots (holding only the viewed sections) and, when embedded, their findings.
#[derive(Debug, Clone, PartialEq)]
pub struct PageData {
    /// Snapshots in page order.
    pub snapshots: Vec<Snapshot>,
    /// One findings list per snapshot, when the page embeds them.
    pub findings: Option<Vec<Vec<Finding>>>,
}

/// Parses the text of the `gaps-data` element.
pub fn parse_data(text: &str) -> Result<PageData, DataError> {
    let data: Data = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_string(),
            None => full,
        };
        DataError::Invalid {
            line: e.line(),
            column: e.column(),
            message,
        }
    })?;
    if let Some((index, s)) = data
        .snapshots
        .iter()
        .enumerate()
        .find(|(_, s)| s.format_version > FORMAT_VERSION)
    {
        return Err(DataError::TooNew {
            index,
            found: s.format_version,
        });
    }
    if data.snapshots.is_empty() {
        return Err(DataError::Empty);
    }
    if let Some(f) = &data.findings
        && f.len() != data.snapshots.len()
    {
        return Err(DataError::FindingsMismatch {
            snapshots: data.snapshots.len(),
            findings: f.len(),
        });
    }
    let snapshots = data
        .snapshots
        .into_iter()
        .map(|v| {
            let mut s = Snapshot::new("", v.collected_at, v.target);
            s.format_version = v.format_version;
            s.schema = v.schema;
            s.applied_migrations = v.applied_migrations;
            s.expected_schema = v.expected_schema;
            s
        })
        .collect();
    Ok(PageData {
        snapshots,
        findings: data.findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap() -> String {
        let mut s = Snapshot::new("0.1.0", "2026-01-09T12:00:00Z".into(), Target::default());
        s.target.label = Some("gaps".into());
        s.schema = Section::collected(Schema::default());
        s.to_json()
    }

    #[test]
    fn two_snapshots_parse_keeping_the_viewed_sections() {
        let text = format!("{{\"snapshots\":[{},{}]}}", snap(), snap());
        let d = parse_data(&text).unwrap();
        assert_eq!(d.snapshots.len(), 2);
        assert!(d.snapshots[0].schema.data().is_some());
        assert_eq!(d.snapshots[0].collected_at, "2026-01-09T12:00:00Z");
        assert!(d.findings.is_none());
    }

    #[test]
    fn escaped_lt_in_embedded_json_is_fine() {
        let text = format!(
            "{{\"snapshots\":[{}]}}",
            snap().replace("\"gaps\"", "\"ga\\u003cps\"")
        );
        let d = parse_data(&text).unwrap();
        assert_eq!(d.snapshots[0].target.label.as_deref(), Some("ga<ps"));
    }

    #[test]
    fn bad_json_names_line_and_column() {
        let err = parse_data("{\"snapshots\": [\n nope]}").unwrap_err();
        assert!(matches!(err, DataError::Invalid { line: 2, .. }), "{err:?}");
        assert!(err.to_string().contains("line 2"));
    }

    #[test]
    fn empty_newer_and_mismatched_data_are_refused_with_reasons() {
        assert_eq!(parse_data("{\"snapshots\":[]}"), Err(DataError::Empty));
        let newer = snap().replace("\"format_version\": 1", "\"format_version\": 7");
        let err = parse_data(&format!("{{\"snapshots\":[{newer}]}}")).unwrap_err();
        assert_eq!(err, DataError::TooNew { index: 0, found: 7 });
        let err = parse_data(&format!(
            "{{\"snapshots\":[{}],\"findings\":[[],[]]}}",
            snap()
        ));
        assert_eq!(
            err,
            Err(DataError::FindingsMismatch {
                snapshots: 1,
                findings: 2
            })
        );
    }
}
