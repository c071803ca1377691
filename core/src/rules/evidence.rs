//! Findings about the collection itself: a section that failed is evidence that is missing,
//! and the reader must know which conclusions it weakens.

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};

use crate::snapshot::Snapshot;

/// One `evidence_unavailable` warning per failed section.
pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |name: &str, action: &str, error: Option<&crate::section::SectionError>| {
        if let Some(e) = error {
            out.push(
                Finding::new(
                    FindingKind::EvidenceUnavailable,
                    Severity::Warning,
                    action,
                    format!(
                        "{name} evidence could not be collected while {}: {}",
                        e.during, e.message
                    ),
                )
                .detail("section", name),
            );
        }
    };
    push("database", actions::PROVIDER, s.database.error());
    push("schema", actions::TABLES, s.schema.error());
    push(
        "applied_migrations",
        actions::MIGRATIONS,
        s.applied_migrations.error(),
    );
    push(
        "local_migrations",
        actions::MIGRATIONS,
        s.local_migrations.error(),
    );
    push("code", actions::COLUMNS, s.code.error());
    push(
        "expected_schema",
        actions::TABLES,
        s.expected_schema.error(),
    );
    push("query_checks", actions::COLUMNS, s.query_checks.error());
    push("logs", actions::LOGS, s.logs.error());
    push("health", actions::HEALTH, s.health.error());
    push("provider", actions::PROVIDER, s.provider.error());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::section::Section;
    use crate::snapshot::Target;

    #[test]
    fn failed_section_becomes_a_warning_naming_it() {
        let mut s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
        s.schema = Section::failed("reading pg_attribute", "permission denied");
        let f = check(&s);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FindingKind::EvidenceUnavailable);
        assert!(f[0].message.contains("pg_attribute"));
    }

    #[test]
    fn skipped_sections_are_not_findings() {
        let s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
        assert!(check(&s).is_empty());
    }
}
