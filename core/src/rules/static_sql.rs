//! Which statements static SQL analysis may judge, and what it may still say when the live
//! database has spoken. The database is the authority: a statement it described
//! successfully gets no error-level `table_missing`/`column_missing` from its own
//! references; where the analysis disagrees with that verdict, an `info` says so. Static
//! analysis judges the statements the database did not see (no database reachable, not
//! checkable, rejected), and only those of the database being collected: statements of
//! another database of the project, of an external database, excluded by gaps.toml, or run
//! after a `search_path` change are not judged, and temporary tables the code creates are
//! not tables of any schema.

use crate::actions;
use crate::code::model::{CodeEvidence, QuerySite};
use crate::code::sql::{ColumnUse, StatementAccess, TableUse};
use crate::finding::{Finding, FindingKind, Severity};
use crate::querycheck::{Outcome, QueryChecks};
use crate::schema::{Schema, Table, TableKind};

/// One statement static analysis judges.
pub(super) struct Judged<'a> {
    /// Its call site.
    pub site: &'a QuerySite,
    /// What the analysis read from it.
    pub st: &'a StatementAccess,
}

impl<'a> Judged<'a> {
    fn is_session_table(&self, name: &str) -> bool {
        self.site
            .session_tables()
            .iter()
            .any(|t| t.eq_ignore_ascii_case(name))
    }

    /// The real tables it uses (temporary ones it depends on left out).
    pub fn tables(&self) -> impl Iterator<Item = &'a TableUse> + '_ {
        self.st
            .tables
            .iter()
            .filter(|t| !self.is_session_table(&t.name))
    }

    /// The columns of real tables it uses.
    pub fn columns(&self) -> impl Iterator<Item = &'a ColumnUse> + '_ {
        self.st
            .columns
            .iter()
            .filter(|c| !self.is_session_table(&c.table))
    }

    /// The source line of the statement.
    pub fn line(&self) -> u32 {
        self.site.line + self.st.line.saturating_sub(1)
    }
}

/// True when the live database described the site's statement without error.
pub(super) fn accepted(site: &QuerySite, checks: Option<&QueryChecks>) -> bool {
    checks.is_some_and(|c| {
        c.statements.iter().any(|s| {
            s.file == site.file
                && s.line == site.line
                && s.sql == site.sql
                && s.outcome == Outcome::Ok
        })
    })
}

/// The statements whose references static analysis reports: those of the database being
/// collected that the database did not accept.
pub(super) fn judged<'a>(
    code: &'a CodeEvidence,
    checks: Option<&'a QueryChecks>,
) -> Vec<Judged<'a>> {
    code.queries
        .iter()
        .filter(|q| q.statically_checked() && !accepted(q, checks))
        .flat_map(|q| {
            q.access
                .iter()
                .flat_map(|a| &a.statements)
                .map(move |st| Judged { site: q, st })
        })
        .collect()
}

/// A table by name: in `public`/`main` first, then any schema; names compared exactly, then
/// without regard to case (SQLite and MySQL compare them so).
pub(super) fn find_table<'s>(schema: &'s Schema, name: &str) -> Option<&'s Table> {
    let preferred = ["public", "main"];
    preferred
        .iter()
        .find_map(|s| schema.table(s, name))
        .or_else(|| schema.first_named(name))
        // Not found: also the scan, for a schema not in canonical order.
        .or_else(|| schema.tables.iter().find(|t| t.name == name))
        .or_else(|| {
            schema
                .tables
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(name))
        })
}

/// Whether `table` has `column`, compared exactly, then without regard to case.
pub(super) fn has_column(table: &Table, column: &str) -> bool {
    table.column(column).is_some()
        || table
            .columns
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(column))
}

/// One `info` per (table, column) the analysis read from a statement the database
/// accepted, where the live schema has no such table or column: the analysis is wrong there,
/// not the code.
pub(super) fn disagreements(
    code: &CodeEvidence,
    checks: Option<&QueryChecks>,
    live: &Schema,
) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new();
    for q in code
        .queries
        .iter()
        .filter(|q| q.statically_checked() && accepted(q, checks))
    {
        for st in q.access.iter().flat_map(|a| &a.statements) {
            let j = Judged { site: q, st };
            let at = format!("{}:{}", q.file, j.line());
            for t in j.tables() {
                if find_table(live, &t.name).is_none()
                    && !seen.contains(&(t.name.clone(), "".into()))
                {
                    seen.push((t.name.clone(), String::new()));
                    out.push(
                        info(
                            FindingKind::TableMissing,
                            &at,
                            &q.file,
                            j.line(),
                            format!("table {}", t.name),
                        )
                        .table(t.name.clone()),
                    );
                }
            }
            for c in j.columns() {
                let Some(t) = find_table(live, &c.table) else {
                    continue;
                };
                let key = (c.table.clone(), c.column.clone());
                if t.kind == TableKind::Table && !has_column(t, &c.column) && !seen.contains(&key) {
                    seen.push(key);
                    out.push(
                        info(
                            FindingKind::ColumnMissing,
                            &at,
                            &q.file,
                            j.line(),
                            format!("column {}.{}", c.table, c.column),
                        )
                        .table(c.table.clone())
                        .column(c.column.clone()),
                    );
                }
            }
        }
    }
    out
}

fn info(kind: FindingKind, at: &str, file: &str, line: u32, what: String) -> Finding {
    Finding::new(
        kind,
        Severity::Info,
        if kind == FindingKind::ColumnMissing {
            actions::COLUMNS
        } else {
            actions::TABLES
        },
        format!(
            "{at}: the database accepts this statement, but static analysis read {what}, \
             which the live schema does not list; the database's verdict wins, so this is not \
             an error"
        ),
    )
    .location(file.to_string(), Some(line))
    .live("accepted by the database")
}

#[cfg(test)]
mod tests;
