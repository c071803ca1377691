//! Whether a snapshot is partial ([`Snapshot::is_partial`]), and the inputs named on the
//! command line that could not be read, as a snapshot records them: a `--logs` file that was
//! missing or cut short (a truncated `.gz`), a `--health` endpoint that gave no answer, a
//! `--config` (or the source's gaps.toml) that could not be read, a `--scratch-database-url`
//! that could not be used. Such a snapshot is partial (`gaps collect` exits 1) even though its
//! sections say "collected", because part of what was asked for is not in it.

use crate::schema::Schema;
use crate::snapshot::{SectionStatus, Snapshot};

// The partial verdict lives here, beside the inputs it counts, so that the snapshot module
// need not know about them.
impl Snapshot {
    /// True when any attempted section failed, the live schema was read only in part (a
    /// catalog could not be read), a part of the service evidence could not be read, some statements were not described because the session
    /// stopped, the session ended early, or an input named on the command line could not be
    /// read ([`unread_inputs`]): the snapshot is partial.
    pub fn is_partial(&self) -> bool {
        self.section_statuses()
            .iter()
            .any(|(_, s)| *s == SectionStatus::Failed)
            || self.schema.data().is_some_and(Schema::is_incomplete)
            || self
                .query_checks
                .data()
                .is_some_and(|q| q.stopped.is_some())
            || self
                .session
                .as_ref()
                .is_some_and(|s| s.ended_early.is_some())
            || self
                .service
                .data()
                .is_some_and(|s| !s.unread_parts().is_empty())
            || !unread_inputs(self).is_empty()
    }
}

/// One input that could not be read (fully), in words: what it is and why.
pub fn unread_inputs(s: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(logs) = s.logs.data() {
        for input in &logs.inputs {
            if let Some(error) = &input.error {
                out.push(format!("--logs {}: {error}", input.name));
            }
        }
    }
    if let Some(health) = s.health.data()
        && let Some(error) = &health.error
    {
        out.push(format!("--health {}: {}", health.url, error.message));
    }
    if let Some(code) = s.code.data()
        && let Some(config) = &code.config_file
    {
        for p in code.problems.iter().filter(|p| &p.file == config) {
            out.push(format!("--config {config}: {}", p.message));
        }
    }
    if let Some(expected) = s.expected_schema.data()
        && let Some(error) = &expected.scratch_error
    {
        let server = expected
            .scratch_server
            .as_deref()
            .unwrap_or("(scratch server)");
        out.push(format!("--scratch-database-url {server}: {error}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{HealthError, HealthErrorKind, HealthEvidence};
    use crate::logs::{LogInput, LogsEvidence};
    use crate::section::Section;
    use crate::snapshot::Target;

    #[test]
    fn a_log_file_or_health_endpoint_that_could_not_be_read_makes_the_snapshot_partial() {
        let mut s = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Target::default());
        s.logs = Section::collected(LogsEvidence {
            inputs: vec![
                LogInput {
                    name: "ok.log".into(),
                    ..LogInput::default()
                },
                LogInput {
                    name: "gone.log".into(),
                    error: Some("could not open gone.log: No such file".into()),
                    ..LogInput::default()
                },
            ],
            ..LogsEvidence::default()
        });
        assert_eq!(
            unread_inputs(&s),
            ["--logs gone.log: could not open gone.log: No such file"]
        );
        assert!(s.is_partial());
        s.logs = Section::skipped("no --logs given");
        assert!(!s.is_partial());
        s.health = Section::collected(HealthEvidence {
            url: "http://127.0.0.1:9/health".into(),
            error: Some(HealthError {
                kind: HealthErrorKind::ConnectionRefused,
                message: "connection refused".into(),
            }),
            ..HealthEvidence::default()
        });
        assert_eq!(unread_inputs(&s).len(), 1);
        assert!(s.is_partial());
    }

    #[test]
    fn an_unreadable_config_or_unusable_scratch_server_makes_the_snapshot_partial() {
        use crate::code::model::SourceProblem;
        use crate::code::{CodeEvidence, ExpectedSchema};
        let mut s = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Target::default());
        s.code = Section::collected(CodeEvidence {
            config_file: Some("svc/gaps.toml".into()),
            problems: vec![
                SourceProblem {
                    file: "src/db.rs".into(),
                    line: Some(3),
                    message: "a parse problem in the source is not an unread input".into(),
                },
                SourceProblem {
                    file: "svc/gaps.toml".into(),
                    line: None,
                    message: "could not read it: permission denied".into(),
                },
            ],
            ..CodeEvidence::default()
        });
        assert_eq!(
            unread_inputs(&s),
            ["--config svc/gaps.toml: could not read it: permission denied"]
        );
        s.code = Section::skipped("no --source given");
        s.expected_schema = Section::collected(ExpectedSchema {
            scratch_server: Some("postgres://scratch@localhost/x".into()),
            scratch_error: Some("connection refused".into()),
            ..ExpectedSchema::default()
        });
        assert_eq!(
            unread_inputs(&s),
            ["--scratch-database-url postgres://scratch@localhost/x: connection refused"]
        );
        assert!(s.is_partial());
    }
}
