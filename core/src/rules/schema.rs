//! Finding rules for the schema evidence: what the migrations, gaps.md and the code expect,
//! compared with the live schema (and, when the live schema is unavailable, the code compared
//! with the expected schema). One finding per (kind, table, column); further evidence for the
//! same subject is attached to it under `details.also`.
//!
//! Never reported: a renamed field (its column is the renamed one), a skipped field, a
//! `default` field whose column is absent, a projection struct, an unknown or compatible type
//! pair, live columns of tables the replay could not fully model, a column a loading query
//! returns under an alias, a manual FromRow read whose error is handled on the spot (`.ok()`,
//! `unwrap_or`, `match`) or that reads by index.
//!
//! The rules are split by what they compare: [`tables`] (tables expected by the migrations,
//! gaps.md and the code, against the live ones), [`columns`] (the migrations' columns and
//! indexes against the live table), [`reads`] (what the code reads: model fields, hand-written
//! FromRow reads and query columns, against the live or expected schema), and [`constraints`]
//! (keys, CHECK constraints and column defaults). They share one [`context`]. Which SQL
//! statements static analysis may judge (the database's verdict wins) is [`static_sql`]'s.

mod columns;
mod constraints;
mod context;
mod reads;
mod tables;

use crate::backend::Backend;
use crate::finding::Finding;
use crate::snapshot::Snapshot;

use super::static_sql;
use context::{Ctx, Out};

/// Findings derived from the schema evidence.
pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let backend = s
        .target
        .backend
        .or_else(|| s.database.data().map(|d| d.backend))
        .unwrap_or(Backend::Postgres);
    let ctx = Ctx {
        live: s.schema.data(),
        expected: s.expected_schema.data(),
        code: s.code.data(),
        applied: s.applied_migrations.data().and_then(|a| a.known()),
        checks: s.query_checks.data(),
        backend,
    };
    let mut out = Out::default();
    ctx.tables(&mut out);
    ctx.expected_columns(&mut out);
    ctx.models(&mut out);
    ctx.manual_impls(&mut out);
    ctx.query_columns(&mut out);
    let mut findings: Vec<Finding> = out.findings.into_values().collect();
    if let (Some(code), Some(live)) = (ctx.code, ctx.live) {
        findings.extend(static_sql::disagreements(code, ctx.checks, live));
    }
    findings
}

#[cfg(test)]
mod tests;
