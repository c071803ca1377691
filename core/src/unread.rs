//! Inputs named on the command line that could not be read, as a snapshot records them: a
//! `--logs` file that was missing or cut short (a truncated `.gz`), a `--health` endpoint that
//! gave no answer, a `--config` (or the source's gaps.toml) that could not be read, a
//! `--scratch-database-url` that could not be used. Such a snapshot is partial (`gaps collect` exits 1) even though its
//! sections say "collected", because part of what was asked for is not in it.

use crate::snapshot::Snapshot;

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
