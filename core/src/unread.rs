//! Inputs named on the command line that could not be read, as a snapshot records them: a
//! `--logs` file that was missing or cut short (a truncated `.gz`), a `--health` endpoint that
//! gave no answer. Such a snapshot is partial (`gaps collect` exits 1) even though its
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
}
