//! The order that works and the ids: blockers in sqlx's order before what they block, then by
//! impact; each cause's stable slug, made unique; and `blocks`/`blocked_by` between them.

use std::collections::BTreeSet;

use super::context::Ctx;
use super::route::Key;
use super::route::Obj;
use super::{Cause, Diagnosis};
use crate::finding::Finding;

/// Where a migration cause stands in sqlx's order of checks (`Migrator::run`): what must be
/// repaired before `sqlx migrate run` can get past it. `None` for causes outside that order.
fn phase(key: &Key) -> Option<u8> {
    Some(match key {
        Key::Hidden => 0,
        Key::MigrationLock => 1,
        Key::IgnoredFile(_) => 2,
        Key::Edited(_) => 3,
        Key::MissingLocally(_) => 4,
        Key::Failed(_) => 5,
        Key::Pending => 6,
        _ => return None,
    })
}

/// `a`'s fix must come before `b`'s, because sqlx refuses `b`'s fix until then.
fn blocks(a: &Key, b: &Key) -> bool {
    match (phase(a), phase(b)) {
        // Everything from the lock on ends in `sqlx migrate run`: the failed migration's
        // re-run and the pending ones. A hidden migrations table blocks every migration fix.
        (Some(0), Some(pb)) => pb > 0,
        (Some(pa), Some(pb)) => pa < pb && pb >= 5,
        _ => false,
    }
}

/// The slug of a text: lower case, `[a-z0-9_]` kept, everything else a single `-`.
pub(super) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    out.chars()
        .take(80)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// The id of a cause: from its subject, so the same problem keeps it across snapshots.
pub(super) fn slug_of(ctx: &Ctx, key: &Key, found: &[&Finding]) -> String {
    let _ = ctx;
    match key {
        Key::Hidden => "migrations-table-hidden".into(),
        Key::MigrationLock => "migration-lock-held".into(),
        Key::IgnoredFile(f) => format!("migration-file-{}-unreadable", slug(f)),
        Key::Edited(v) => format!("migration-{v}-edited"),
        Key::MissingLocally(v) => format!("migration-{v}-missing-locally"),
        Key::Failed(v) => format!("migration-{v}-failed"),
        Key::NotTimed(v) => format!("migration-{v}-not-timed"),
        Key::Pending => {
            if found
                .iter()
                .any(|f| f.kind == crate::finding::FindingKind::MigrationsTableMissing)
            {
                "migrations-table-missing".into()
            } else {
                "migrations-pending".into()
            }
        }
        Key::Removed(v) => format!("migration-{v}-code-not-updated"),
        Key::Object(obj) => {
            let aspect = aspect(found);
            match obj {
                Obj::Table(t) => format!("table-{}-{aspect}", slug(t)),
                Obj::Column(t, c) => format!("column-{}-{}-{aspect}", slug(t), slug(c)),
                Obj::Index(_, i) => format!("index-{}-missing", slug(i)),
                Obj::Constraint(_, k) => format!("constraint-{}-{aspect}", slug(k)),
                Obj::Enum(e) => format!("enum-{}", slug(e)),
            }
        }
        Key::Field(t, f) => format!("field-{}-{}", slug(t), slug(f)),
        Key::GapsMdUnused => "gaps-md-unused-tables".into(),
        Key::Evidence(s) => format!("evidence-{}", slug(s)),
        Key::Group(g) => g.to_string(),
        Key::Kind(k) => slug(k.name()),
        Key::Own(_) => {
            let f = found[0];
            let subject = f
                .table
                .as_deref()
                .map(|t| match &f.column {
                    Some(c) => format!("{t}-{c}"),
                    None => t.to_string(),
                })
                .or_else(|| {
                    f.details
                        .get("signature")
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                })
                .or_else(|| {
                    f.file
                        .as_deref()
                        .map(|file| format!("{file}-{}", f.line.unwrap_or(0)))
                })
                .unwrap_or_default();
            let kind = f.kind.name().replace('_', "-");
            if subject.is_empty() {
                kind
            } else {
                format!("{kind}-{}", slug(&subject))
            }
        }
    }
}

/// What an object cause says: missing, type, nullable, default, differs.
fn aspect(found: &[&Finding]) -> &'static str {
    use crate::finding::FindingKind::*;
    if super::objects::says_missing(found) {
        return "missing";
    }
    let has = |k| found.iter().any(|f| f.kind == k);
    if has(ColumnTypeMismatch) {
        "type"
    } else if has(ColumnNullabilityMismatch) {
        "nullable"
    } else if has(DefaultMismatch) {
        "default"
    } else {
        "differs"
    }
}

/// Orders the causes, makes ids unique, links blockers, and maps each finding to its cause.
pub(super) fn finish(ctx: &Ctx, mut causes: Vec<(Key, Cause)>) -> Diagnosis {
    // Blockers among the causes present, in sqlx's order.
    let keys: Vec<(Key, crate::finding::Severity)> = causes
        .iter()
        .map(|(k, c)| (k.clone(), c.severity))
        .collect();
    // A migration-state cause before Pending blocks at least the next deploy: a service that
    // runs its migrations at startup fails there with Dirty, VersionMismatch or
    // VersionMissing even when nothing is pending.
    let blocker = |k: &Key| phase(k).is_some_and(|p| p < 6);
    // A blocker is as urgent as the worst cause it blocks: a held lock (a warning) comes
    // before the pending migrations (an error) it keeps from running.
    let urgency = |k: &Key, own: crate::finding::Severity| {
        keys.iter()
            .filter(|(b, _)| blocks(k, b))
            .map(|(_, s)| *s)
            .fold(own, std::cmp::Ord::max)
    };
    causes.sort_by(|(ka, a), (kb, b)| {
        urgency(kb, b.severity)
            .cmp(&urgency(ka, a.severity))
            .then_with(|| blocker(kb).cmp(&blocker(ka)))
            .then_with(|| {
                if blocker(ka) && blocker(kb) {
                    phase(ka).cmp(&phase(kb))
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then_with(|| b.impact.log_lines.cmp(&a.impact.log_lines))
            .then_with(|| b.impact.call_sites.len().cmp(&a.impact.call_sites.len()))
            .then_with(|| b.findings.len().cmp(&a.findings.len()))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for (_, c) in causes.iter_mut() {
        let base = if c.id.is_empty() {
            "cause".to_string()
        } else {
            c.id.clone()
        };
        let mut id = base.clone();
        let mut n = 2;
        while !seen.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        c.id = id;
    }
    let ids: Vec<String> = causes.iter().map(|(_, c)| c.id.clone()).collect();
    for i in 0..causes.len() {
        for j in 0..causes.len() {
            if i != j && blocks(&causes[i].0, &causes[j].0) {
                let (a, b) = (ids[i].clone(), ids[j].clone());
                causes[i].1.blocks.push(b);
                causes[j].1.blocked_by.push(a);
            }
        }
    }
    let mut of_finding = vec![0; ctx.findings.len()];
    let causes: Vec<Cause> = causes.into_iter().map(|(_, c)| c).collect();
    for (ci, c) in causes.iter().enumerate() {
        for &f in &c.findings {
            of_finding[f] = ci;
        }
    }
    Diagnosis { causes, of_finding }
}
