//! Findings about the collection itself: a section that failed is evidence that is missing
//! (`evidence_unavailable`), a section collected in part is evidence that is incomplete
//! (`evidence_incomplete`: a catalog of the live schema, some relations, statements left
//! undescribed), and the reader must know which conclusions they weaken.

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::schema::{Catalog, IncompleteCatalog, IncompleteCause};
use crate::snapshot::Snapshot;

/// One `evidence_unavailable` warning per failed section, one `evidence_incomplete` per
/// incomplete part.
pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let mut out = unavailable(s);
    if let Some(schema) = s.schema.data() {
        out.extend(schema.incomplete.iter().map(incomplete_catalog));
    }
    if let Some(q) = s.query_checks.data()
        && let Some(why) = &q.stopped
    {
        let undescribed = q
            .statements
            .iter()
            .filter(|st| matches!(st.outcome, crate::querycheck::Outcome::NotCheckable { .. }))
            .count();
        out.push(
            Finding::new(
                FindingKind::EvidenceIncomplete,
                Severity::Warning,
                actions::COLUMNS,
                format!(
                    "query checks are incomplete: {why}; {undescribed} of {} statement sites were \
                     not described, so nothing is said about them",
                    q.statements.len()
                ),
            )
            .next_step(
                "run gaps collect again when the database answers (or with a longer --deadline)",
            )
            .detail("section", "query_checks")
            .detail("not_described", undescribed),
        );
    }
    out
}

/// The action a catalog's evidence answers.
fn action_of(catalogs: &[Catalog]) -> &'static str {
    if catalogs
        .iter()
        .all(|c| matches!(c, Catalog::Schemas | Catalog::Tables | Catalog::Indexes))
    {
        actions::TABLES
    } else {
        actions::COLUMNS
    }
}

fn incomplete_catalog(e: &IncompleteCatalog) -> Finding {
    let covers = e.covers();
    let names: Vec<&str> = covers.iter().map(|c| c.label()).collect();
    let scope = if e.relations.is_empty() {
        "every relation".to_string()
    } else {
        e.relations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    // A MariaDB account that cannot see foreign key rules is a known limit, not a fault.
    let severity = if covers == [Catalog::ForeignKeyRules] {
        Severity::Info
    } else {
        Severity::Warning
    };
    let next_step = match e.cause {
        Some(IncompleteCause::Permission) => {
            "grant the collecting role SELECT on that catalog, or accept that these checks are \
             skipped"
        }
        Some(IncompleteCause::Locked | IncompleteCause::LockTimeout) => {
            "see the lock_blocked finding for who holds the lock; collect again once it is released"
        }
        Some(IncompleteCause::Hidden) => {
            "collect with an account that may see it (or accept that it is recorded as unknown)"
        }
        _ => "collect again when the database answers (or with a longer --deadline)",
    };
    let mut f = Finding::new(
        FindingKind::EvidenceIncomplete,
        severity,
        action_of(&covers),
        format!(
            "the live schema is incomplete: the {} of {scope} could not be read while {}: {}; \
             findings that need them were not made",
            names.join(", "),
            e.during,
            e.message
        ),
    )
    .next_step(next_step)
    .detail("section", "schema")
    .detail(
        "catalogs",
        covers
            .iter()
            .map(|c| serde_json::to_value(c).unwrap_or_default())
            .collect::<Vec<_>>(),
    );
    if !e.relations.is_empty() {
        f = f.detail(
            "relations",
            e.relations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
        );
    }
    if let Some(c) = e.cause {
        f = f.detail("cause", serde_json::to_value(c).unwrap_or_default());
    }
    f
}

fn unavailable(s: &Snapshot) -> Vec<Finding> {
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

    #[test]
    fn an_incomplete_catalog_is_a_finding_naming_catalog_relations_and_cause() {
        let mut s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
        let mut schema = crate::schema::Schema::default();
        schema.incomplete.push(IncompleteCatalog {
            relations: vec![crate::schema::RelationName {
                schema: "public".into(),
                name: "users".into(),
            }],
            ..IncompleteCatalog::new(
                "reading columns, constraints and indexes",
                "public.users is locked by pid 42",
                &[Catalog::Columns, Catalog::Indexes],
                IncompleteCause::Locked,
            )
        });
        s.schema = Section::collected(schema);
        let f = check(&s);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].kind, FindingKind::EvidenceIncomplete);
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(
            f[0].message.contains("columns, indexes of public.users"),
            "{}",
            f[0].message
        );
        assert_eq!(
            f[0].details["catalogs"],
            serde_json::json!(["columns", "indexes"])
        );
        assert_eq!(
            f[0].details["relations"],
            serde_json::json!(["public.users"])
        );
        assert_eq!(f[0].details["cause"], "locked");
        assert!(f[0].next_step.as_deref().unwrap().contains("lock_blocked"));
        // Not about a table of the service: it must not be shown as a problem table.
        assert_eq!(f[0].table, None);
    }

    #[test]
    fn statements_left_undescribed_are_incomplete_query_checks() {
        use crate::querycheck::{Outcome, QueryChecks, QueryCounts, StatementCheck, StatementKind};
        let st = |outcome| StatementCheck {
            file: "src/a.rs".into(),
            line: 1,
            api: None,
            sql: Some("SELECT 1".into()),
            kind: StatementKind::Query,
            outcome,
            columns: Vec::new(),
            parameters: Vec::new(),
            target: None,
        };
        let statements = vec![
            st(Outcome::Ok),
            st(Outcome::NotCheckable {
                reason: "the deadline was reached".into(),
            }),
        ];
        let mut s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
        s.query_checks = Section::collected(QueryChecks {
            backend: crate::backend::Backend::Postgres,
            counts: QueryCounts::of(&statements),
            statements,
            offline: None,
            stopped: Some("the --deadline of 5s was reached".into()),
        });
        let f = check(&s);
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].kind, FindingKind::EvidenceIncomplete);
        assert!(
            f[0].message.contains("1 of 2 statement sites"),
            "{}",
            f[0].message
        );
        assert!(s.is_partial());
    }
}
