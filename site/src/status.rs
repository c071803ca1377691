//! What the evidence says about each gaps.md action: which snapshot sections answer it, whether
//! they were collected, and a one-line status computed from the evidence itself (for example
//! ACTION-002: "12 applied, 1 failed (0013), 1 pending (0014)").
//!
//! Pure functions over a snapshot and its findings.

use std::collections::{BTreeMap, BTreeSet};

use gaps_core::actions;
use gaps_core::finding::{Finding, FindingKind};
use gaps_core::migrations::{AppliedMigrations, LocalMigrations};
use gaps_core::section::Section;
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

/// How much of an action's evidence a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceState {
    /// Every section the action needs was collected.
    Complete,
    /// Some were collected, some were not.
    Partial,
    /// None was collected.
    Missing,
    /// gaps gathers no evidence for this action.
    NotCovered,
}

impl EvidenceState {
    /// Text for people.
    pub fn label(self) -> &'static str {
        match self {
            EvidenceState::Complete => "evidence complete",
            EvidenceState::Partial => "evidence partial",
            EvidenceState::Missing => "no evidence collected",
            EvidenceState::NotCovered => "not covered by gaps",
        }
    }
}

/// One section of a snapshot as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SectionRef {
    /// The snapshot field, e.g. "applied_migrations".
    pub name: &'static str,
    /// "collected", "failed" or "skipped".
    pub status: &'static str,
    /// The skip reason or failure message.
    pub note: Option<String>,
}

/// The status of one action against one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionStatus {
    /// The action id.
    pub action: String,
    /// How complete the evidence is.
    pub state: EvidenceState,
    /// One line computed from the evidence.
    pub summary: String,
    /// The sections that answer the action.
    pub sections: Vec<SectionRef>,
}

/// The snapshot sections that answer each action gaps knows.
pub fn sections_for(action: &str) -> &'static [&'static str] {
    match action {
        actions::LOGS | actions::STARTUP_LOGS => &["logs"],
        actions::MIGRATIONS => &["applied_migrations", "local_migrations"],
        actions::PROVIDER => &["provider"],
        actions::TABLES => &["schema"],
        actions::COLUMNS => &["schema", "code"],
        actions::HEALTH => &["health"],
        _ => &[],
    }
}

fn describe<T>(name: &'static str, s: &Section<T>) -> SectionRef {
    match s {
        Section::Collected { .. } => SectionRef {
            name,
            status: "collected",
            note: None,
        },
        Section::Failed { error } => SectionRef {
            name,
            status: "failed",
            note: Some(format!("failed while {}: {}", error.during, error.message)),
        },
        Section::Skipped { reason } => SectionRef {
            name,
            status: "skipped",
            note: Some(reason.clone()),
        },
    }
}

/// Describes a snapshot section by its field name.
pub fn section_ref(s: &Snapshot, name: &'static str) -> SectionRef {
    match name {
        "database" => describe(name, &s.database),
        "schema" => describe(name, &s.schema),
        "applied_migrations" => describe(name, &s.applied_migrations),
        "local_migrations" => describe(name, &s.local_migrations),
        "code" => describe(name, &s.code),
        "expected_schema" => describe(name, &s.expected_schema),
        "query_checks" => describe(name, &s.query_checks),
        "logs" => describe(name, &s.logs),
        "health" => describe(name, &s.health),
        "provider" => describe(name, &s.provider),
        "service" => describe(name, &s.service),
        "migration_plan" => describe(name, &s.migration_plan),
        _ => SectionRef {
            name,
            status: "skipped",
            note: Some("unknown section".into()),
        },
    }
}

/// Extra expectations that come from the registry rather than the snapshot.
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    /// ACTION-004's Expected Tables list.
    pub expected_tables: Vec<String>,
    /// ACTION-005's Critical Tables.
    pub critical_tables: Vec<String>,
}

/// Computes the status of `action` from `snapshot` and its `findings`.
pub fn action_status(
    action: &str,
    snapshot: &Snapshot,
    findings: &[Finding],
    exp: &Expectations,
) -> ActionStatus {
    let names = sections_for(action);
    let sections: Vec<SectionRef> = names.iter().map(|n| section_ref(snapshot, n)).collect();
    let collected = sections.iter().filter(|s| s.status == "collected").count();
    // A live schema read in part (a catalog unreadable, a relation locked) is partial
    // evidence, never complete.
    let schema_gap = names
        .contains(&"schema")
        .then(|| schema_incomplete_note(snapshot))
        .flatten();
    let state = if names.is_empty() {
        EvidenceState::NotCovered
    } else if collected == sections.len() && schema_gap.is_none() {
        EvidenceState::Complete
    } else if collected == 0 {
        EvidenceState::Missing
    } else {
        EvidenceState::Partial
    };
    let mine: Vec<&Finding> = findings.iter().filter(|f| f.action == action).collect();
    let summary = match state {
        EvidenceState::NotCovered => "gaps gathers no evidence for this action".to_string(),
        EvidenceState::Missing => sections
            .iter()
            .map(|s| {
                format!(
                    "{} {} ({})",
                    s.name,
                    s.status,
                    s.note.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => match action {
            actions::MIGRATIONS => migration_summary(
                snapshot.applied_migrations.data(),
                snapshot.local_migrations.data(),
            ),
            actions::TABLES => tables_summary(snapshot, &mine, exp),
            actions::COLUMNS => columns_summary(snapshot, &mine, exp),
            actions::HEALTH => health_summary(snapshot),
            actions::PROVIDER => provider_summary(snapshot, &mine),
            _ => findings_summary("logs", &mine),
        },
    };
    let summary = if state == EvidenceState::Partial {
        let mut missing: Vec<String> = sections
            .iter()
            .filter(|s| s.status != "collected")
            .map(|s| format!("{} {}", s.name, s.status))
            .collect();
        missing.extend(schema_gap);
        format!("{summary} ({})", missing.join(", "))
    } else {
        summary
    };
    ActionStatus {
        action: action.to_string(),
        state,
        summary,
        sections,
    }
}

/// "schema incomplete: columns of public.users not read" when the live schema was read only
/// in part.
fn schema_incomplete_note(s: &Snapshot) -> Option<String> {
    let schema = s.schema.data()?;
    if schema.incomplete.is_empty() {
        return None;
    }
    let parts: Vec<String> = schema
        .incomplete
        .iter()
        .map(|e| {
            let what: Vec<&str> = e.covers().iter().map(|c| c.label()).collect();
            let whose = if e.relations.is_empty() {
                String::new()
            } else {
                format!(
                    " of {}",
                    e.relations
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!("{}{whose}", what.join(", "))
        })
        .collect();
    Some(format!("schema incomplete: {} not read", parts.join("; ")))
}

/// A migration version as its file name writes it.
pub fn version_label(v: i64) -> String {
    format!("{v:04}")
}

fn list(versions: &[i64]) -> String {
    versions
        .iter()
        .map(|v| version_label(*v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "12 applied, 1 failed (0013), 1 pending (0014)".
pub fn migration_summary(
    applied: Option<&AppliedMigrations>,
    local: Option<&LocalMigrations>,
) -> String {
    let local_versions: BTreeMap<i64, &str> = local
        .map(|l| {
            l.files
                .iter()
                .filter(|f| f.kind.is_applied())
                .map(|f| (f.version, f.checksum.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let Some(applied) = applied else {
        return format!(
            "{} local migration files; applied migrations not collected",
            local_versions.len()
        );
    };
    if applied.is_hidden() {
        return format!(
            "{} is not on the search_path ({}), but {} exists: which migrations ran is not \
             known from here",
            applied.table,
            applied.search_path.as_deref().unwrap_or("unknown"),
            applied.hidden_in.join(", ")
        );
    }
    if !applied.present {
        return format!(
            "{} does not exist: no migration has run here; {} local migrations pending",
            applied.table,
            local_versions.len()
        );
    }
    let applied_versions: BTreeSet<i64> = applied.rows.iter().map(|r| r.version).collect();
    let ok = applied.rows.iter().filter(|r| r.success).count();
    let failed: Vec<i64> = applied
        .rows
        .iter()
        .filter(|r| !r.success)
        .map(|r| r.version)
        .collect();
    let mut parts = vec![format!("{ok} applied")];
    if !failed.is_empty() {
        parts.push(format!("{} failed ({})", failed.len(), list(&failed)));
    }
    if local.is_some() {
        let pending: Vec<i64> = local_versions
            .keys()
            .filter(|v| !applied_versions.contains(v))
            .copied()
            .collect();
        let edited: Vec<i64> = applied
            .rows
            .iter()
            .filter(|r| {
                local_versions
                    .get(&r.version)
                    .is_some_and(|c| !c.eq_ignore_ascii_case(&r.checksum))
            })
            .map(|r| r.version)
            .collect();
        let missing: Vec<i64> = applied_versions
            .iter()
            .filter(|v| !local_versions.contains_key(v))
            .copied()
            .collect();
        if !pending.is_empty() {
            parts.push(format!("{} pending ({})", pending.len(), list(&pending)));
        }
        if !edited.is_empty() {
            parts.push(format!(
                "{} edited after being applied ({})",
                edited.len(),
                list(&edited)
            ));
        }
        if !missing.is_empty() {
            parts.push(format!(
                "{} applied but missing locally ({})",
                missing.len(),
                list(&missing)
            ));
        }
    }
    parts.join(", ")
}

fn tables_summary(s: &Snapshot, mine: &[&Finding], exp: &Expectations) -> String {
    let Some(schema) = s.schema.data() else {
        return "live schema not collected".into();
    };
    let live: BTreeSet<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    let mut expected: BTreeSet<String> = exp.expected_tables.iter().cloned().collect();
    let mut missing: BTreeSet<String> = BTreeSet::new();
    for f in mine {
        if f.kind == FindingKind::TableMissing
            && let Some(t) = &f.table
        {
            expected.insert(t.clone());
            missing.insert(t.clone());
        }
    }
    for t in &expected {
        if !live.contains(t.as_str()) {
            missing.insert(t.clone());
        }
    }
    let unexpected = mine
        .iter()
        .filter(|f| f.kind == FindingKind::TableUnexpected)
        .count();
    if expected.is_empty() {
        return format!(
            "{} live tables; nothing says which tables should exist (give --gaps or --source)",
            live.len()
        );
    }
    let present = expected.len() - missing.len();
    let mut text = format!("{present} of {} expected tables present", expected.len());
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(String::as_str).take(8).collect();
        let more = missing.len().saturating_sub(8);
        text.push_str(&format!("; missing: {}", names.join(", ")));
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
    }
    if unexpected > 0 {
        text.push_str(&format!("; {unexpected} unexpected"));
    }
    text
}

fn columns_summary(s: &Snapshot, mine: &[&Finding], exp: &Expectations) -> String {
    let count = |k: FindingKind| mine.iter().filter(|f| f.kind == k).count();
    let missing = count(FindingKind::ColumnMissing);
    let types = count(FindingKind::ColumnTypeMismatch);
    let nulls = count(FindingKind::ColumnNullabilityMismatch);
    let extra = count(FindingKind::ColumnUnexpected);
    let constraints = count(FindingKind::ConstraintMismatch);
    let defaults = count(FindingKind::DefaultMismatch);
    let tables: BTreeSet<&str> = mine.iter().filter_map(|f| f.table.as_deref()).collect();
    if missing + types + nulls + extra + constraints + defaults == 0 {
        let live = s.schema.data().map(|d| d.tables.len()).unwrap_or(0);
        let critical = if exp.critical_tables.is_empty() {
            String::new()
        } else {
            format!(" (critical: {})", exp.critical_tables.join(", "))
        };
        return format!("no column mismatch found across {live} live tables{critical}");
    }
    let mut parts = Vec::new();
    if missing > 0 {
        parts.push(format!("{missing} missing column(s)"));
    }
    if types > 0 {
        parts.push(format!("{types} type mismatch(es)"));
    }
    if nulls > 0 {
        parts.push(format!("{nulls} nullability mismatch(es)"));
    }
    if extra > 0 {
        parts.push(format!("{extra} unexpected column(s)"));
    }
    if constraints > 0 {
        parts.push(format!("{constraints} constraint mismatch(es)"));
    }
    if defaults > 0 {
        parts.push(format!("{defaults} default mismatch(es)"));
    }
    format!("{} in {} table(s)", parts.join(", "), tables.len())
}

fn health_summary(s: &Snapshot) -> String {
    use gaps_core::health::SchemaVersionField;
    let Some(data) = s.health.data() else {
        return "health not collected".into();
    };
    if !data.reachable {
        return format!(
            "unreachable: {}",
            data.error
                .as_ref()
                .map(|e| gaps_core::redact::redact_text(&e.message))
                .unwrap_or_else(|| "no response".into())
        );
    }
    // The body's own status word ("healthy"), else the HTTP status.
    let status = data
        .status_field()
        .map(|s| gaps_core::redact::redact_text(&s))
        .or_else(|| data.status.map(|c| format!("HTTP {c}")))
        .unwrap_or_else(|| "answered".into());
    let latest_local = s.local_migrations.data().and_then(|l| l.latest_version());
    match (data.schema_version(), latest_local) {
        (SchemaVersionField::Version(v), Some(latest)) => {
            format!("{status}, schema_version {v} of {latest}")
        }
        (SchemaVersionField::Version(v), None) => format!("{status}, schema_version {v}"),
        (SchemaVersionField::Null, _) => format!("{status}, schema_version null"),
        _ => format!("{status}, no schema_version in the response"),
    }
}

fn provider_summary(s: &Snapshot, mine: &[&Finding]) -> String {
    let Some(data) = s.provider.data() else {
        return "provider not collected".into();
    };
    let name = data.name.clone();
    let pooler = mine
        .iter()
        .any(|f| f.kind == FindingKind::ProviderPoolerInUse);
    if pooler {
        format!("{name}; a transaction-mode pooler is in use")
    } else {
        name
    }
}

fn findings_summary(what: &str, mine: &[&Finding]) -> String {
    let real: Vec<&&Finding> = mine
        .iter()
        .filter(|f| !f.kind.is_about_evidence())
        .collect();
    if real.is_empty() {
        return format!("{what} collected: nothing found for this action");
    }
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for f in &real {
        *kinds.entry(f.kind.as_str().replace('_', " ")).or_default() += 1;
    }
    kinds
        .into_iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
