//! A schema comparison computed table by table as it is looked at, for the report's viewer: of
//! a 50,000-table snapshot the list, its filters and its counts need only each table's status,
//! while its columns and constraints are drawn for the few tables expanded or searched.
//!
//! [`LazyDiff`] pairs the tables of both sides up front and settles every table whose columns
//! and constraints all share one status without comparing (or copying) them: a table on one side
//! only (all missing, or all unexpected) and a table equal on both sides (all ok), which are
//! most tables of a large schema. The others are compared at once, as [`super::diff_schemas`]
//! and [`super::diff_expected`] would. A settled table's [`TableDiff`] is built by the same
//! comparison the first time it is asked for ([`Tables::table`]) and kept.
//!
//! An expected table may be known to equal a live table without comparing them (the report
//! page writes such a table as the live table's position, and the viewer's reader keeps that
//! rather than a copy): [`LazyDiff::expected_vs_live_sharing`] takes the live table for it, so
//! such a pair is settled as ok at no cost, and compared in full (when drawn) as the copy would
//! be.
//!
//! [`Tables`] is what the view logic reads of a comparison; [`SchemaDiff`] (everything compared)
//! implements it too, and both give the same rows, counts and search results.

use std::cell::OnceCell;
use std::rc::Rc;

use super::constraints;
use super::schema::{
    Options, SchemaDiff, Summary, TableDiff, TableStatus, compared_live, diff_table, pairs,
    sorted_columns, unique_column_names,
};
use super::snapshot::{Compared, compare_sections, expected_and_live};
use super::status::Status;
use crate::backend::Backend;
use crate::schema::{Table, TableKind};
use crate::snapshot::Snapshot;

/// Every column, constraint and index of a table has the same status: the table's own (missing,
/// unexpected, or ok).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uniform {
    /// The status they share.
    pub status: Status,
    /// How many columns.
    pub columns: usize,
    /// How many constraints and indexes.
    pub constraints: usize,
}

/// What the list needs of one compared table, without its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableHead<'a> {
    /// Schema name.
    pub schema: &'a str,
    /// Table name.
    pub name: &'a str,
    /// Overall outcome.
    pub status: TableStatus,
    /// Set when every column and constraint has one status, known without comparing them.
    pub uniform: Option<Uniform>,
}

impl TableHead<'_> {
    /// `schema.name`, as [`TableDiff::key`].
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

/// What the view logic reads of a schema comparison.
pub trait Tables {
    /// The number of tables.
    fn count(&self) -> usize;
    /// Table `i`'s status (and shared column status, when known without comparing).
    fn head(&self, i: usize) -> Option<TableHead<'_>>;
    /// Table `i` compared in full (computed the first time it is asked for).
    fn table(&self, i: usize) -> Option<&TableDiff>;
    /// Table `i`'s relation kind and number of columns on the left and on the right.
    fn sides(&self, i: usize) -> Option<SideCounts>;
    /// Table `i`'s column names and constraint / index names, in [`TableDiff`] order.
    fn names(&self, i: usize) -> Option<(Vec<&str>, Vec<&str>)>;
    /// Counts.
    fn summary(&self) -> &Summary;
}

/// A table's relation kind and number of columns on each side (`None` on a side without it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SideCounts {
    /// Left kind and columns.
    pub left: Option<(TableKind, usize)>,
    /// Right kind and columns.
    pub right: Option<(TableKind, usize)>,
}

impl SideCounts {
    fn of(t: &TableDiff) -> SideCounts {
        SideCounts {
            left: t
                .left_kind
                .map(|k| (k, t.columns.iter().filter(|c| c.left.is_some()).count())),
            right: t
                .right_kind
                .map(|k| (k, t.columns.iter().filter(|c| c.right.is_some()).count())),
        }
    }
}

impl Tables for SchemaDiff {
    fn count(&self) -> usize {
        self.tables.len()
    }

    fn head(&self, i: usize) -> Option<TableHead<'_>> {
        self.tables.get(i).map(|t| TableHead {
            schema: &t.schema,
            name: &t.name,
            status: t.status,
            uniform: None,
        })
    }

    fn table(&self, i: usize) -> Option<&TableDiff> {
        self.tables.get(i)
    }

    fn sides(&self, i: usize) -> Option<SideCounts> {
        self.tables.get(i).map(SideCounts::of)
    }

    fn names(&self, i: usize) -> Option<(Vec<&str>, Vec<&str>)> {
        self.tables.get(i).map(names_of)
    }

    fn summary(&self) -> &Summary {
        &self.summary
    }
}

fn names_of(t: &TableDiff) -> (Vec<&str>, Vec<&str>) {
    (
        t.columns.iter().map(|c| c.name.as_str()).collect(),
        t.constraints.iter().map(|c| c.name.as_str()).collect(),
    )
}

/// Where a lazy comparison's tables come from.
#[derive(Debug, Clone)]
enum Source {
    /// Everything was compared already (a [`SchemaDiff`] turned into a [`LazyDiff`]).
    Compared,
    /// A snapshot's expected schema (left) and live schema (right); an expected table `k` with
    /// `same[k] == Some(j)` is live table `j` (see [`LazyDiff::expected_vs_live_sharing`]).
    Expected(Rc<Snapshot>, Rc<[Option<usize>]>),
    /// Snapshot A's schema (left) and snapshot B's (right).
    Snapshots(Rc<Snapshot>, Rc<Snapshot>),
}

impl Source {
    /// The tables of both sides.
    fn tables(&self) -> (&[Table], &[Table]) {
        let none: &[Table] = &[];
        match self {
            Source::Compared => (none, none),
            Source::Expected(s, _) => (
                s.expected_schema.data().map_or(none, |e| &e.schema.tables),
                s.schema.data().map_or(none, |l| &l.tables),
            ),
            Source::Snapshots(a, b) => (
                a.schema.data().map_or(none, |s| &s.tables),
                b.schema.data().map_or(none, |s| &s.tables),
            ),
        }
    }

    /// Left table `k`: for an expected table known to equal a live one, that live table.
    fn left(&self, k: usize) -> Option<&Table> {
        let (ls, rs) = self.tables();
        if let Source::Expected(_, same) = self
            && let Some(t) = same.get(k).copied().flatten().and_then(|j| rs.get(j))
        {
            return Some(t);
        }
        ls.get(k)
    }

    /// How the two sides are compared.
    fn options(&self) -> Options<'_> {
        match self {
            Source::Expected(s, _) => match s.expected_schema.data() {
                Some(e) => Options::expected(e, s.target.backend.unwrap_or(Backend::Postgres)),
                None => Options::SAME_CATALOG,
            },
            Source::Compared | Source::Snapshots(..) => Options::SAME_CATALOG,
        }
    }
}

/// One table of a [`LazyDiff`]: its status, and where its two sides are in the sources.
#[derive(Debug, Clone)]
struct Entry {
    status: TableStatus,
    uniform: Option<Uniform>,
    left: Option<usize>,
    right: Option<usize>,
}

/// A schema comparison whose tables are compared in full only when asked for (see the module
/// documentation). Gives what a [`SchemaDiff`] of the same sides gives.
#[derive(Debug, Clone)]
pub struct LazyDiff {
    summary: Summary,
    entries: Vec<Entry>,
    cells: Vec<OnceCell<TableDiff>>,
    source: Source,
}

impl From<SchemaDiff> for LazyDiff {
    fn from(d: SchemaDiff) -> LazyDiff {
        LazyDiff {
            summary: d.summary,
            entries: d
                .tables
                .iter()
                .map(|t| Entry {
                    status: t.status,
                    uniform: None,
                    left: None,
                    right: None,
                })
                .collect(),
            cells: d.tables.into_iter().map(OnceCell::from).collect(),
            source: Source::Compared,
        }
    }
}

impl Default for LazyDiff {
    fn default() -> LazyDiff {
        LazyDiff::from(SchemaDiff::default())
    }
}

impl LazyDiff {
    /// A snapshot's live schema compared with its expected one: the lazy
    /// [`super::expected_vs_live`].
    pub fn expected_vs_live(snapshot: Rc<Snapshot>) -> Compared<LazyDiff> {
        LazyDiff::expected_vs_live_sharing(snapshot, Rc::from([]))
    }

    /// As [`LazyDiff::expected_vs_live`], where `same_as_live[k] == Some(j)` says expected table
    /// `k` is equal to live table `j` in every field: the live table stands in for it (the
    /// expected schema may hold there a placeholder with only its schema and name), and such a
    /// pair is settled as ok without comparing columns. Gives what [`super::expected_vs_live`]
    /// gives on the snapshot with each such table replaced by a copy of its live table. A
    /// position past either schema's tables is no stand-in.
    pub fn expected_vs_live_sharing(
        snapshot: Rc<Snapshot>,
        same_as_live: Rc<[Option<usize>]>,
    ) -> Compared<LazyDiff> {
        let live = match expected_and_live(&snapshot) {
            Ok((e, l, ignored)) => compared_live(&e.schema.tables, &l.tables, &ignored),
            Err(reason) => return Compared::Unavailable { reason },
        };
        Compared::Compared {
            diff: LazyDiff::new(Source::Expected(snapshot, same_as_live), Some(live)),
        }
    }

    /// Snapshot A's schema compared with snapshot B's: the lazy schema part of
    /// [`super::diff_snapshots`].
    pub fn snapshots(a: Rc<Snapshot>, b: Rc<Snapshot>) -> Compared<LazyDiff> {
        match compare_sections("the schema", &a.schema, &b.schema, |_, _| ()) {
            Compared::Compared { diff: () } => Compared::Compared {
                diff: LazyDiff::new(Source::Snapshots(a, b), None),
            },
            Compared::Unavailable { reason } => Compared::Unavailable { reason },
        }
    }

    /// Pairs the tables of `source` (of the right side only those at positions `right`, when
    /// given), settles the uniform ones and compares the others.
    fn new(source: Source, right: Option<Vec<usize>>) -> LazyDiff {
        let (ls, rs) = source.tables();
        let opts = source.options();
        let right = right.unwrap_or_else(|| (0..rs.len()).collect());
        let left_tables: Vec<&Table> = (0..ls.len()).filter_map(|k| source.left(k)).collect();
        let right_tables: Vec<&Table> = right.iter().map(|&i| &rs[i]).collect();
        let mut summary = Summary::default();
        let mut entries = Vec::new();
        let mut cells = Vec::new();
        for (l, r) in pairs(&left_tables, &right_tables) {
            let (l, r) = (l, r.map(|j| right[j]));
            let uniform = |status, t: &Table| Uniform {
                status,
                columns: t.columns.len(),
                constraints: constraints::count(t, opts.checks),
            };
            let (status, u) = match (l.map(|i| left_tables[i]), r.map(|j| &rs[j])) {
                (Some(t), None) => (TableStatus::Missing, Some(uniform(Status::Missing, t))),
                (None, Some(t)) => (
                    TableStatus::Unexpected,
                    Some(uniform(Status::Unexpected, t)),
                ),
                // The shortcut of the full comparison (`diff_table`), with the same condition; a
                // live table standing in for the expected one is equal without comparing.
                (Some(x), Some(y))
                    if (std::ptr::eq(x, y) || x == y) && unique_column_names(&x.columns) =>
                {
                    (TableStatus::Ok, Some(uniform(Status::Ok, x)))
                }
                (x, y) => {
                    let t = diff_table(x, y, &opts);
                    summary.add(&t);
                    entries.push(Entry {
                        status: t.status,
                        uniform: None,
                        left: l,
                        right: r,
                    });
                    cells.push(OnceCell::from(t));
                    continue;
                }
            };
            summary.add_table(status);
            if let Some(u) = u.filter(|u| u.status == Status::Ok) {
                summary.columns_ok += u.columns;
                summary.constraints_ok += u.constraints;
            }
            entries.push(Entry {
                status,
                uniform: u,
                left: l,
                right: r,
            });
            cells.push(OnceCell::new());
        }
        LazyDiff {
            summary,
            entries,
            cells,
            source,
        }
    }

    /// The two sides of entry `i` in the sources.
    fn tables(&self, i: usize) -> Option<(Option<&Table>, Option<&Table>)> {
        let e = self.entries.get(i)?;
        let (_, rs) = self.source.tables();
        Some((
            e.left.and_then(|k| self.source.left(k)),
            e.right.and_then(|k| rs.get(k)),
        ))
    }

    /// True when nothing differs (as [`SchemaDiff::is_empty`]).
    pub fn is_empty(&self) -> bool {
        self.entries.iter().all(|e| e.status == TableStatus::Ok)
    }

    /// How many tables have been compared in full so far (settled tables asked for, plus the
    /// ones compared up front).
    pub fn compared(&self) -> usize {
        self.cells.iter().filter(|c| c.get().is_some()).count()
    }

    /// Every table compared in full: the [`SchemaDiff`] of the same sides.
    pub fn to_schema_diff(&self) -> SchemaDiff {
        SchemaDiff {
            summary: self.summary.clone(),
            tables: (0..self.entries.len())
                .filter_map(|i| self.table(i).cloned())
                .collect(),
        }
    }
}

impl Tables for LazyDiff {
    fn count(&self) -> usize {
        self.entries.len()
    }

    fn head(&self, i: usize) -> Option<TableHead<'_>> {
        let e = self.entries.get(i)?;
        let (schema, name) = match self.tables(i)? {
            (Some(t), _) | (None, Some(t)) => (t.schema.as_str(), t.name.as_str()),
            (None, None) => {
                let t = self.cells.get(i)?.get()?;
                (t.schema.as_str(), t.name.as_str())
            }
        };
        Some(TableHead {
            schema,
            name,
            status: e.status,
            uniform: e.uniform,
        })
    }

    fn table(&self, i: usize) -> Option<&TableDiff> {
        let cell = self.cells.get(i)?;
        if let Some(t) = cell.get() {
            return Some(t);
        }
        let (l, r) = self.tables(i)?;
        if l.is_none() && r.is_none() {
            return None;
        }
        let opts = self.source.options();
        Some(cell.get_or_init(|| diff_table(l, r, &opts)))
    }

    fn sides(&self, i: usize) -> Option<SideCounts> {
        let e = self.entries.get(i)?;
        if e.uniform.is_none() {
            return self.table(i).map(SideCounts::of);
        }
        let (l, r) = self.tables(i)?;
        Some(SideCounts {
            left: l.map(|t| (t.kind, t.columns.len())),
            right: r.map(|t| (t.kind, t.columns.len())),
        })
    }

    fn names(&self, i: usize) -> Option<(Vec<&str>, Vec<&str>)> {
        let e = self.entries.get(i)?;
        if e.uniform.is_none() {
            return self.table(i).map(names_of);
        }
        let (l, r) = self.tables(i)?;
        let t = l.or(r)?;
        let checks = self.source.options().checks;
        Some((
            sorted_columns(t)
                .into_iter()
                .map(|c| c.name.as_str())
                .collect(),
            constraints::names(t, checks),
        ))
    }

    fn summary(&self) -> &Summary {
        &self.summary
    }
}

#[cfg(test)]
mod tests;
