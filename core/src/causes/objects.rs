//! What a cause is about, in words and facts: the object a finding says is missing, how an
//! object is named, and the applied migration that made it (a drift when it is gone).

use super::context::Ctx;
use super::route::Obj;
use crate::code::expected::ObjectKind;
use crate::finding::{Finding, FindingKind};
use crate::migrations::MigrationStatus;

/// "table x", "column t.c", "index i on t", "constraint k on t".
pub(super) fn object_words(obj: &Obj) -> String {
    match obj {
        Obj::Table(t) => format!("table {t}"),
        Obj::Column(t, c) => format!("column {t}.{c}"),
        Obj::Index(t, i) => format!("index {i} on {t}"),
        Obj::Constraint(t, k) => format!("constraint {k} on {t}"),
        Obj::Enum(e) => format!("enum {e}"),
    }
}

/// The objects a finding says are missing.
pub(super) fn missing_object(f: &Finding) -> Option<Obj> {
    let t = f.table.clone()?;
    match f.kind {
        FindingKind::TableMissing => Some(Obj::Table(t)),
        FindingKind::ColumnMissing => Some(Obj::Column(t, f.column.clone()?)),
        FindingKind::IndexMissing => {
            Some(Obj::Index(t, f.details.get("index")?.as_str()?.to_string()))
        }
        FindingKind::ConstraintMismatch if f.message.contains(" is missing") => {
            Some(Obj::Constraint(t, f.column.clone()?))
        }
        _ => None,
    }
}

/// The migration that made `obj`, when it is applied (a drift: the database lost or changed
/// what it made).
pub(super) fn made_by_applied(ctx: &Ctx, obj: &Obj) -> Option<i64> {
    let e = ctx.expected?;
    let (kind, table, name) = match obj {
        Obj::Table(t) => (ObjectKind::Table, t, None),
        Obj::Column(t, c) => (ObjectKind::Column, t, Some(c.as_str())),
        Obj::Index(t, i) => (ObjectKind::Index, t, Some(i.as_str())),
        Obj::Constraint(t, k) => (ObjectKind::Constraint, t, Some(k.as_str())),
        Obj::Enum(n) => (ObjectKind::Enum, n, None),
    };
    let o = e.origins.iter().rev().find(|o| {
        (o.kind == kind || (kind == ObjectKind::Index && o.kind == ObjectKind::Constraint))
            && o.table.eq_ignore_ascii_case(table)
            && o.name.as_deref() == name
    })?;
    (ctx.status(o.version) == Some(MigrationStatus::Applied)).then_some(o.version)
}

/// True when the cause says the object is missing (rather than different).
pub(super) fn says_missing(found: &[&Finding]) -> bool {
    found
        .iter()
        .any(|f| missing_object(f).is_some() || names_missing(f))
}

/// A statement, result or log line that says a table or column does not exist.
fn names_missing(f: &Finding) -> bool {
    let text = |k: &str| f.details.get(k).and_then(|v| v.as_str()).unwrap_or("");
    match f.kind {
        FindingKind::QueryInvalid => {
            matches!(text("sqlstate"), "42P01" | "42703" | "42S02" | "42S22")
                || f.live.as_deref().is_some_and(|l| {
                    l.starts_with("no such table")
                        || l.starts_with("no such column")
                        || l.contains(" has no column named ")
                })
        }
        FindingKind::LogDatabaseError => matches!(
            text("log_kind"),
            "undefined_table" | "undefined_column" | "column_not_found"
        ),
        FindingKind::QueryResultMismatch => f.message.contains("does not return"),
        _ => false,
    }
}
