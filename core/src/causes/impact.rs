//! A cause's impact: the log lines, call sites, models, request paths, tables and migrations
//! its findings carry, gathered once so the title, the chain and the report all say the same.

use std::collections::BTreeSet;

use super::Impact;
use super::context::Ctx;
use crate::finding::{Finding, FindingKind};

/// Where a `file:line` of the source points.
pub(super) enum Place {
    /// A SQL call site (`file:line` of the call).
    CallSite(String),
    /// A field or read of a FromRow model.
    Model(String),
    /// Somewhere else (a migration, a log file).
    Other,
}

/// What `file:line` is in the code evidence.
pub(super) fn place(ctx: &Ctx, file: &str, line: u32) -> Place {
    let Some(code) = ctx.code else {
        return Place::Other;
    };
    for q in code.queries.iter().filter(|q| q.file == file) {
        let lines = q.sql.as_deref().map_or(0, |s| s.lines().count() as u32);
        if q.line == line || (q.line..=q.line + lines).contains(&line) {
            return Place::CallSite(format!("{}:{}", q.file, q.line));
        }
    }
    for m in code.models.iter().filter(|m| m.file == file) {
        if m.line == line || m.fields.iter().any(|f| f.line == line) {
            return Place::Model(m.name.clone());
        }
    }
    for m in code.manual_impls.iter().filter(|m| m.file == file) {
        if m.line == line || m.reads.iter().any(|r| r.line == line) {
            return Place::Model(m.name.clone());
        }
    }
    Place::Other
}

/// `src/a.rs:12` into (file, line).
fn split_location(s: &str) -> Option<(&str, u32)> {
    let (file, line) = s.rsplit_once(':')?;
    Some((file, line.parse().ok()?))
}

/// Every code location a finding names: its own, then `details.also`, then the
/// `(file:line)` references of `details.expected_by`.
fn locations(f: &Finding) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    if let (Some(file), Some(line)) = (&f.file, f.line) {
        let call = f
            .details
            .get("call_line")
            .and_then(|v| v.as_u64())
            .map(|l| l as u32);
        out.push((file.clone(), call.unwrap_or(line)));
    }
    for key in ["also", "expected_by"] {
        if let Some(list) = f.details.get(key).and_then(|v| v.as_array()) {
            for item in list.iter().filter_map(|v| v.as_str()) {
                let inner = item
                    .rsplit_once('(')
                    .map(|(_, r)| r.trim_end_matches(')'))
                    .unwrap_or(item);
                if let Some((file, line)) = split_location(inner) {
                    out.push((file.to_string(), line));
                }
            }
        }
    }
    out
}

fn is_log(kind: FindingKind) -> bool {
    matches!(
        kind,
        FindingKind::LogDatabaseError
            | FindingKind::LogMigrationFailure
            | FindingKind::LogPoolExhaustion
            | FindingKind::LogPoolerIncompatibility
    )
}

/// The impact of the findings at `members`.
pub(super) fn impact(ctx: &Ctx, members: &[usize]) -> Impact {
    let mut out = Impact::default();
    let mut sites = BTreeSet::new();
    let mut models = BTreeSet::new();
    let mut endpoints = BTreeSet::new();
    let mut files = BTreeSet::new();
    let mut tables = BTreeSet::new();
    let mut migrations = BTreeSet::new();
    let mut signatures = BTreeSet::new();
    for &i in members {
        let f = &ctx.findings[i];
        if is_log(f.kind) {
            out.log_lines += f.details.get("count").and_then(|v| v.as_u64()).unwrap_or(0);
            let text = |k: &str| {
                f.details
                    .get(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            if let Some(a) = text("first_seen")
                && out.first_seen.as_ref().is_none_or(|x| a < *x)
            {
                out.first_seen = Some(a);
            }
            if let Some(b) = text("last_seen")
                && out.last_seen.as_ref().is_none_or(|x| b > *x)
            {
                out.last_seen = Some(b);
            }
            if let Some(s) = text("signature") {
                signatures.insert(s);
            }
            if let Some(paths) = f.details.get("paths").and_then(|v| v.as_array()) {
                endpoints.extend(paths.iter().filter_map(|p| p.as_str()).map(str::to_string));
            }
        } else {
            for (file, line) in locations(f) {
                match place(ctx, &file, line) {
                    Place::CallSite(s) => {
                        sites.insert(s);
                        files.insert(file);
                    }
                    Place::Model(m) => {
                        models.insert(m);
                        files.insert(file);
                    }
                    Place::Other => {}
                }
            }
        }
        if matches!(
            f.kind,
            FindingKind::QueryResultMismatch | FindingKind::ColumnTypeMismatch
        ) && let Some(t) = f.details.get("target").and_then(|v| v.as_str())
        {
            models.insert(t.to_string());
        }
        if let Some(t) = &f.table {
            tables.insert(t.rsplit('.').next().unwrap_or(t).to_string());
        }
        if let Some(v) = f.migration {
            migrations.insert(v);
        }
    }
    out.call_sites = sites.into_iter().collect();
    out.models = models.into_iter().collect();
    out.endpoints = endpoints.into_iter().collect();
    out.files = files.into_iter().collect();
    out.tables = tables.into_iter().collect();
    out.migrations = migrations.into_iter().collect();
    out.signatures = signatures.into_iter().collect();
    out
}

/// "src/a.rs:16, :39, src/b.rs:5": call sites with the file named once per run.
pub(super) fn compact_sites(sites: &[String], max: usize) -> String {
    let mut out = Vec::new();
    let mut last_file = "";
    for s in sites.iter().take(max) {
        match s.rsplit_once(':') {
            Some((file, line)) if file == last_file => out.push(format!(":{line}")),
            Some((file, _)) => {
                last_file = file;
                out.push(s.clone());
            }
            None => out.push(s.clone()),
        }
    }
    let more = sites.len().saturating_sub(max);
    let mut text = out.join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}
