//! What Describe cannot see, judged per statement of the database being collected: the
//! service role's privileges (`privilege_missing`), its search_path (`search_path_mismatch`),
//! INSERTs that leave out a NOT NULL column nothing fills (`insert_missing_not_null`), values
//! that are not labels of an enum (`enum_value_missing`) and conflict targets without a
//! unique index (`on_conflict_target_missing`).
//!
//! Each finding predicts the SQLSTATE executing the statement fails with and the stage it
//! fails at (`details.sqlstate`, `details.stage`: parse, bind, plan, execute, row), so the
//! earliest one is the error the service sees. The database stays the authority: a statement
//! it rejected at Describe is the `query_invalid` rules' (it fails there first), one it
//! accepted is judged only on what Describe does not check, and one it did not describe only
//! when every table and column the static analysis read exists; a statement the parser could
//! not read, of another database, or after a search_path change in the code is not judged. A
//! part of the service evidence gaps could not read makes the rules that need it stand down.

mod enums;
mod judged;
mod names;
mod pending;
mod privileges;
mod search_path;
mod writes;

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::snapshot::Snapshot;

use judged::Ctx;

/// Findings about what the service role and its statements will meet at run time.
pub(super) fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let mut out = unread(snapshot);
    let Some(ctx) = Ctx::new(snapshot) else {
        return out;
    };
    let statements = ctx.statements();
    let stand_in = snapshot
        .service
        .data()
        .filter(|s| s.is_read_only_stand_in());
    if let Some(service) = stand_in {
        out.push(read_only_stand_in(service));
    }
    for st in &statements {
        out.extend(search_path::check(&ctx, st));
        if stand_in.is_none() {
            out.extend(privileges::check(&ctx, st));
        }
        out.extend(writes::not_null(&ctx, st));
        out.extend(writes::conflict_target(&ctx, st));
        out.extend(enums::literals(&ctx, st));
    }
    out.extend(enums::rust_types(&ctx));
    if stand_in.is_none() {
        out.extend(pending::default_privileges(&ctx));
    }
    out
}

/// Privileges not judged: gaps connected as a read-only role of its own and no
/// `--service-role` named the service's (every write would be reported, none of it true).
fn read_only_stand_in(service: &crate::service::ServiceEvidence) -> Finding {
    Finding::new(
        FindingKind::EvidenceUnavailable,
        Severity::Info,
        actions::TABLES,
        format!(
            "privileges not judged: gaps connected as {}, which may not write to any table, so \
             it is not the role the service runs as; the service role's privileges were not \
             read",
            service.role
        ),
    )
    .next_step("collect again with --service-role NAME (the role in the service's DATABASE_URL)")
    .detail("section", "service")
    .detail("part", "privileges")
}

/// One `evidence_incomplete` per part of the service evidence that could not be read.
fn unread(snapshot: &Snapshot) -> Vec<Finding> {
    let Some(service) = snapshot.service.data() else {
        return Vec::new();
    };
    service
        .unread_parts()
        .into_iter()
        .map(|(part, e)| {
            Finding::new(
                FindingKind::EvidenceIncomplete,
                Severity::Warning,
                actions::TABLES,
                format!(
                    "the service role {}'s {part} could not be read ({}: {}); the checks that \
                     need them stood down, so nothing is said about them",
                    service.role, e.during, e.message
                ),
            )
            .next_step(
                "let the collecting role read that catalog (or collect as the service role \
                 itself on MySQL/MariaDB), then collect again",
            )
            .detail("section", "service")
            .detail("part", part)
        })
        .collect()
}

#[cfg(test)]
mod tests;
