//! Schema vs schema: tables and columns compared one by one (constraints and indexes through
//! [`super::constraints`]), either expected (the migrations' replay) vs live, or snapshot A vs
//! snapshot B read by the same catalog code.

use serde::{Deserialize, Serialize};

use super::constraints::{self, ConstraintDiff};
use super::sorted::Sorted;
use super::status::{Sides, Status, status_severity};
use crate::actions;
use crate::backend::Backend;
use crate::code::ExpectedSchema;
use crate::finding::Severity;
use crate::schema::{Column, Schema, Table, TableKind};
use crate::typemap::normalize_sql_type;

/// A table's overall outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableStatus {
    /// On the left only.
    Missing,
    /// On the right only.
    Unexpected,
    /// On both sides, with at least one column, constraint or index (or its kind) differing.
    Altered,
    /// On both sides and identical in every compared respect.
    Ok,
}

impl TableStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Missing => "missing",
            TableStatus::Unexpected => "unexpected",
            TableStatus::Altered => "altered",
            TableStatus::Ok => "ok",
        }
    }

    /// Severity of a table's own status (`None` for altered tables, whose severity is their
    /// columns' and constraints', and ok ones).
    pub fn own_severity(self) -> Option<Severity> {
        match self {
            TableStatus::Missing => Some(Severity::Error),
            TableStatus::Unexpected => Some(Severity::Info),
            TableStatus::Altered | TableStatus::Ok => None,
        }
    }

    /// The gaps.md action a table with this status is evidence for.
    pub fn action(self) -> Option<&'static str> {
        match self {
            TableStatus::Missing | TableStatus::Unexpected => Some(actions::TABLES),
            TableStatus::Altered => Some(actions::COLUMNS),
            TableStatus::Ok => None,
        }
    }

    /// The column-level status a table-level filter matches on (`None` for altered tables,
    /// which match through their columns).
    pub fn as_status(self) -> Option<Status> {
        match self {
            TableStatus::Missing => Some(Status::Missing),
            TableStatus::Unexpected => Some(Status::Unexpected),
            TableStatus::Ok => Some(Status::Ok),
            TableStatus::Altered => None,
        }
    }
}

/// One column compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDiff {
    /// Column name.
    pub name: String,
    /// Overall outcome: missing, unexpected, the first of `changes`, or ok.
    pub status: Status,
    /// Every respect in which the two sides differ (type, nullability, default), in that order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Status>,
    /// The column on the left (expected / A), if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<Column>,
    /// The column on the right (live / B), if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<Column>,
}

impl ColumnDiff {
    /// True when the status (or any change) is `s`.
    pub fn has(&self, s: Status) -> bool {
        self.status == s || self.changes.contains(&s)
    }

    /// How much the difference matters when the left side is what the code expects.
    pub fn severity(&self) -> Option<Severity> {
        status_severity(self.status)
    }

    /// The gaps.md action a column difference is evidence for.
    pub fn action(&self) -> Option<&'static str> {
        (self.status != Status::Ok).then_some(actions::COLUMNS)
    }
}

/// One table compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableDiff {
    /// Schema name.
    pub schema: String,
    /// Table name.
    pub name: String,
    /// Overall outcome.
    pub status: TableStatus,
    /// Relation kind on the left, if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left_kind: Option<TableKind>,
    /// Relation kind on the right, if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_kind: Option<TableKind>,
    /// Every column of either side.
    pub columns: Vec<ColumnDiff>,
    /// Every constraint and index of either side (those backing a constraint are compared as
    /// the constraint), grouped by kind.
    #[serde(default)]
    pub constraints: Vec<ConstraintDiff>,
}

impl TableDiff {
    /// `schema.name`, the key used in deep links.
    pub fn key(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    /// True when anything about the table differs.
    pub fn differs(&self) -> bool {
        self.status != TableStatus::Ok
    }

    /// Severity of the table's own status (missing/unexpected), if it has one.
    pub fn severity(&self) -> Option<Severity> {
        match self.status {
            TableStatus::Missing | TableStatus::Unexpected | TableStatus::Ok => {
                self.status.own_severity()
            }
            TableStatus::Altered => self
                .columns
                .iter()
                .filter_map(|c| c.severity())
                .chain(self.constraints.iter().filter_map(|c| c.severity()))
                .max(),
        }
    }

    /// The gaps.md action of the table's own status.
    pub fn action(&self) -> Option<&'static str> {
        self.status.action()
    }
}

/// Counts of a schema diff, always shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Tables on the left only.
    pub tables_missing: usize,
    /// Tables on the right only.
    pub tables_unexpected: usize,
    /// Tables on both sides that differ.
    pub tables_altered: usize,
    /// Tables identical on both sides.
    pub tables_ok: usize,
    /// Columns on the left only (in tables present on both sides).
    pub columns_missing: usize,
    /// Columns on the right only (in tables present on both sides).
    pub columns_unexpected: usize,
    /// Columns whose type differs.
    pub columns_type: usize,
    /// Columns whose nullability differs.
    pub columns_nullability: usize,
    /// Columns whose default differs.
    pub columns_default: usize,
    /// Columns identical on both sides.
    pub columns_ok: usize,
    /// Constraints and indexes on the left only (in tables present on both sides).
    #[serde(default)]
    pub constraints_missing: usize,
    /// Constraints and indexes on the right only (in tables present on both sides).
    #[serde(default)]
    pub constraints_unexpected: usize,
    /// Constraints and indexes whose definition differs.
    #[serde(default)]
    pub constraints_changed: usize,
    /// Constraints and indexes identical on both sides.
    #[serde(default)]
    pub constraints_ok: usize,
}

impl Summary {
    /// The number of columns (in tables on both sides) with status `s` or change `s`.
    pub fn columns(&self, s: Status) -> usize {
        match s {
            Status::Missing => self.columns_missing,
            Status::Unexpected => self.columns_unexpected,
            Status::Type => self.columns_type,
            Status::Nullability => self.columns_nullability,
            Status::Default => self.columns_default,
            Status::Changed => 0,
            Status::Ok => self.columns_ok,
        }
    }

    /// The number of constraints and indexes (in tables on both sides) with status `s`.
    pub fn constraints(&self, s: Status) -> usize {
        match s {
            Status::Missing => self.constraints_missing,
            Status::Unexpected => self.constraints_unexpected,
            Status::Changed => self.constraints_changed,
            Status::Ok => self.constraints_ok,
            Status::Type | Status::Nullability | Status::Default => 0,
        }
    }
}

/// A whole schema comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SchemaDiff {
    /// Counts.
    pub summary: Summary,
    /// Every table of either side, sorted by (schema, name).
    pub tables: Vec<TableDiff>,
}

impl SchemaDiff {
    /// True when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| !t.differs())
    }

    /// Only the tables that differ.
    pub fn differing(&self) -> impl Iterator<Item = &TableDiff> {
        self.tables.iter().filter(|t| t.differs())
    }
}

/// Normalises a type name for comparison: case and runs of whitespace do not matter.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn in_primary_key(t: &Table, column: &str) -> bool {
    t.primary_key
        .as_ref()
        .is_some_and(|pk| pk.columns.iter().any(|c| c == column))
}

/// How column `l` of table `lt` differs from column `r` of table `rt`.
fn column_changes(
    (lt, l): (&Table, &Column),
    (rt, r): (&Table, &Column),
    opts: &Options<'_>,
) -> Vec<Status> {
    let mut changes = Vec::new();
    // Equal texts normalise equally: each normalisation runs only when the two texts differ
    // (most columns of a large schema are spelled the same on both sides).
    let types_differ = l.data_type != r.data_type
        && match opts.sides {
            Sides::SameCatalog => norm(&l.data_type) != norm(&r.data_type),
            // The replay and the catalog spell things differently: types go through the same
            // normalisation as the rules'.
            Sides::Expected => {
                normalize_sql_type(&l.data_type, opts.backend)
                    != normalize_sql_type(&r.data_type, opts.backend)
            }
        };
    let nullable = match opts.sides {
        Sides::SameCatalog => (l.nullable, r.nullable),
        // A primary-key column is NOT NULL whatever SQLite's pragma says.
        Sides::Expected => (
            l.nullable && !in_primary_key(lt, &l.name),
            r.nullable && !in_primary_key(rt, &r.name),
        ),
    };
    let defaults_differ = l.default != r.default
        && match opts.sides {
            Sides::SameCatalog => {
                l.default.as_deref().map(str::trim) != r.default.as_deref().map(str::trim)
            }
            // Defaults lose casts and parentheses (`'a'::text` is `'a'`).
            Sides::Expected => {
                l.default.as_deref().map(constraints::norm_expr)
                    != r.default.as_deref().map(constraints::norm_expr)
            }
        };
    if types_differ {
        changes.push(Status::Type);
    }
    if nullable.0 != nullable.1 {
        changes.push(Status::Nullability);
    }
    if defaults_differ {
        changes.push(Status::Default);
    }
    changes
}

pub(super) fn sorted_columns(t: &Table) -> Vec<&Column> {
    let c = &t.columns;
    let order = Sorted::new(c.len(), &|a, b| c[a].ordinal.cmp(&c[b].ordinal));
    order.into_vec().into_iter().map(|i| &c[i]).collect()
}

fn by_name(cols: &[&Column]) -> Sorted {
    Sorted::new(cols.len(), &|a, b| cols[a].name.cmp(&cols[b].name))
}

/// True when no two of the columns share a name (a column then pairs only with its namesake).
pub(super) fn unique_names(cols: &[&Column]) -> bool {
    let order = by_name(cols).into_vec();
    order.windows(2).all(|w| cols[w[0]].name != cols[w[1]].name)
}

/// [`unique_names`] of a table's columns, in any order; a table of few columns (most tables)
/// is checked pair by pair, without sorting.
pub(super) fn unique_column_names(cols: &[Column]) -> bool {
    if cols.len() > 64 {
        return unique_names(&cols.iter().collect::<Vec<_>>());
    }
    cols.iter()
        .enumerate()
        .all(|(i, c)| cols[i + 1..].iter().all(|d| d.name != c.name))
}

fn find_column<'a>(order: &Sorted, cols: &[&'a Column], name: &str) -> Option<&'a Column> {
    order
        .find(&|i| cols[i].name.as_str().cmp(name))
        .map(|i| cols[i])
}

fn one_sided(cols: &[&Column], status: Status, left: bool) -> Vec<ColumnDiff> {
    cols.iter()
        .map(|c| ColumnDiff {
            name: c.name.clone(),
            status,
            changes: Vec::new(),
            left: left.then(|| (*c).clone()),
            right: (!left).then(|| (*c).clone()),
        })
        .collect()
}

/// How a schema comparison is made.
#[derive(Debug, Clone, Copy)]
pub(super) struct Options<'a> {
    pub(super) sides: Sides,
    /// Tables (`name` or `schema.name`) the replay could not fully model: their right-only
    /// columns, constraints and indexes are not differences.
    pub(super) partial: &'a [String],
    /// Whether CHECK constraints are compared (SQLite's catalog does not list them).
    pub(super) checks: bool,
    /// The engine, for type normalisation expected vs live.
    pub(super) backend: Backend,
}

impl Options<'_> {
    pub(super) const SAME_CATALOG: Options<'static> = Options {
        sides: Sides::SameCatalog,
        partial: &[],
        checks: true,
        backend: Backend::Postgres,
    };

    fn is_partial(&self, t: &Table) -> bool {
        self.partial.iter().any(|p| {
            p == &t.name
                || p.split_once('.')
                    .is_some_and(|(s, n)| s == t.schema && n == t.name)
        })
    }
}

pub(super) fn diff_table(l: Option<&Table>, r: Option<&Table>, opts: &Options<'_>) -> TableDiff {
    let (schema, name) = match (l, r) {
        (Some(t), _) | (None, Some(t)) => (t.schema.clone(), t.name.clone()),
        (None, None) => unreachable!("a table is on at least one side"),
    };
    let (status, columns, cons) = match (l, r) {
        (Some(l), None) => (
            TableStatus::Missing,
            one_sided(&sorted_columns(l), Status::Missing, true),
            constraints::one_sided(l, Status::Missing, true, opts.checks),
        ),
        (None, Some(r)) => (
            TableStatus::Unexpected,
            one_sided(&sorted_columns(r), Status::Unexpected, false),
            constraints::one_sided(r, Status::Unexpected, false, opts.checks),
        ),
        (Some(l), Some(r)) if l == r && unique_names(&sorted_columns(l)) => {
            // Equal tables (most of a large schema): every column and constraint pairs with
            // itself and is ok, which is what the comparison below finds, without comparing.
            let cols = sorted_columns(l)
                .into_iter()
                .map(|c| ColumnDiff {
                    name: c.name.clone(),
                    status: Status::Ok,
                    changes: Vec::new(),
                    left: Some(c.clone()),
                    right: Some(c.clone()),
                })
                .collect();
            (
                TableStatus::Ok,
                cols,
                constraints::unchanged(l, opts.checks),
            )
        }
        (Some(l), Some(r)) => {
            // Columns the replay could not model are not unexpected (nor are constraints).
            let partial = opts.is_partial(l);
            let lc = sorted_columns(l);
            let rc = sorted_columns(r);
            let (lnames, rnames) = (by_name(&lc), by_name(&rc));
            let mut cols = Vec::with_capacity(lc.len().max(rc.len()));
            for c in &lc {
                cols.push(match find_column(&rnames, &rc, &c.name) {
                    Some(rcol) => {
                        let changes = column_changes((l, c), (r, rcol), opts);
                        ColumnDiff {
                            name: c.name.clone(),
                            status: changes.first().copied().unwrap_or(Status::Ok),
                            changes,
                            left: Some((*c).clone()),
                            right: Some(rcol.clone()),
                        }
                    }
                    None => ColumnDiff {
                        name: c.name.clone(),
                        status: Status::Missing,
                        changes: Vec::new(),
                        left: Some((*c).clone()),
                        right: None,
                    },
                });
            }
            for c in rc
                .iter()
                .filter(|c| find_column(&lnames, &lc, &c.name).is_none())
            {
                cols.push(ColumnDiff {
                    name: c.name.clone(),
                    status: if partial {
                        Status::Ok
                    } else {
                        Status::Unexpected
                    },
                    changes: Vec::new(),
                    left: None,
                    right: Some((*c).clone()),
                });
            }
            let cons = constraints::compare(l, r, opts.sides, opts.checks, partial);
            let altered = l.kind != r.kind
                || cols.iter().any(|c| c.status != Status::Ok)
                || cons.iter().any(|c| c.status != Status::Ok);
            let status = if altered {
                TableStatus::Altered
            } else {
                TableStatus::Ok
            };
            (status, cols, cons)
        }
        (None, None) => unreachable!("a table is on at least one side"),
    };
    TableDiff {
        schema,
        name,
        status,
        left_kind: l.map(|t| t.kind),
        right_kind: r.map(|t| t.kind),
        columns,
        constraints: cons,
    }
}

/// Compares two schemas read by the same catalog code (snapshot A and snapshot B) table by
/// table: columns, constraints and indexes.
pub fn diff_schemas(left: &Schema, right: &Schema) -> SchemaDiff {
    diff_with(
        left.tables.iter().collect(),
        right.tables.iter().collect(),
        &Options::SAME_CATALOG,
    )
}

/// Compares the schema the migrations create (left) with the live one (right) of a `backend`
/// database (Postgres when unknown). Tables the replay could not fully model
/// ([`ExpectedSchema::partial_tables`]) have no unexpected columns, constraints or indexes;
/// `ignored` live tables (the migrations table) are left out; CHECK constraints are not compared
/// on SQLite, whose catalog does not list them.
pub fn diff_expected(
    expected: &ExpectedSchema,
    live: &Schema,
    backend: Option<Backend>,
    ignored: &[&str],
) -> SchemaDiff {
    let backend = backend.unwrap_or(Backend::Postgres);
    let opts = Options::expected(expected, backend);
    let left: Vec<&Table> = expected.schema.tables.iter().collect();
    let right = compared_live(&expected.schema.tables, &live.tables, ignored)
        .into_iter()
        .map(|i| &live.tables[i])
        .collect();
    diff_with(left, right, &opts)
}

impl<'a> Options<'a> {
    /// How the expected schema is compared with a `backend` database's live one.
    pub(super) fn expected(expected: &'a ExpectedSchema, backend: Backend) -> Options<'a> {
        Options {
            sides: Sides::Expected,
            partial: &expected.partial_tables,
            checks: backend != Backend::Sqlite,
            backend,
        }
    }
}

/// The positions of the live tables compared with the expected ones: all but the `ignored`
/// (and SQLite's own) tables that no expected table names.
pub(super) fn compared_live(expected: &[Table], live: &[Table], ignored: &[&str]) -> Vec<usize> {
    let known = Sorted::new(expected.len(), &|a, b| {
        table_key(&expected[a]).cmp(&table_key(&expected[b]))
    });
    (0..live.len())
        .filter(|&k| {
            let t = &live[k];
            known
                .find(&|i| table_key(&expected[i]).cmp(&table_key(t)))
                .is_some()
                || !(ignored.contains(&t.name.as_str()) || t.name.starts_with("sqlite_"))
        })
        .collect()
}

fn table_key(t: &Table) -> (&str, &str) {
    (&t.schema, &t.name)
}

fn diff_with(left: Vec<&Table>, right: Vec<&Table>, opts: &Options<'_>) -> SchemaDiff {
    let mut summary = Summary::default();
    let tables: Vec<TableDiff> = pairs(&left, &right)
        .into_iter()
        .map(|(l, r)| diff_table(l.map(|i| left[i]), r.map(|i| right[i]), opts))
        .collect();
    for t in &tables {
        summary.add(t);
    }
    SchemaDiff { summary, tables }
}

/// The tables of both sides paired by (schema, name), in that order: positions in `left` and
/// `right` (of two tables of one side with the same key, the last).
pub(super) fn pairs(left: &[&Table], right: &[&Table]) -> Vec<(Option<usize>, Option<usize>)> {
    let unique = |x: &[&Table]| {
        let order = Sorted::new(x.len(), &|a, b| table_key(x[a]).cmp(&table_key(x[b])));
        order.unique(&|a, b| table_key(x[a]) == table_key(x[b]))
    };
    // Both sides in (schema, name) order, merged.
    let (lo, ro) = (unique(left), unique(right));
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(lo.len().max(ro.len()));
    loop {
        let l = lo.get(i).copied();
        let r = ro.get(j).copied();
        let pair = match (l, r) {
            (None, None) => break,
            (Some(x), Some(y)) => match table_key(left[x]).cmp(&table_key(right[y])) {
                std::cmp::Ordering::Less => (l, None),
                std::cmp::Ordering::Greater => (None, r),
                std::cmp::Ordering::Equal => (l, r),
            },
            _ => (l, r),
        };
        i += usize::from(pair.0.is_some());
        j += usize::from(pair.1.is_some());
        out.push(pair);
    }
    out
}

impl Summary {
    /// Counts one compared table.
    pub(super) fn add(&mut self, t: &TableDiff) {
        self.add_table(t.status);
        if matches!(t.status, TableStatus::Altered | TableStatus::Ok) {
            for c in &t.columns {
                for s in std::iter::once(c.status).chain(c.changes.iter().skip(1).copied()) {
                    match s {
                        Status::Missing => self.columns_missing += 1,
                        Status::Unexpected => self.columns_unexpected += 1,
                        Status::Type => self.columns_type += 1,
                        Status::Nullability => self.columns_nullability += 1,
                        Status::Default => self.columns_default += 1,
                        Status::Changed => {}
                        Status::Ok => self.columns_ok += 1,
                    }
                }
            }
            for c in &t.constraints {
                match c.status {
                    Status::Missing => self.constraints_missing += 1,
                    Status::Unexpected => self.constraints_unexpected += 1,
                    Status::Ok => self.constraints_ok += 1,
                    _ => self.constraints_changed += 1,
                }
            }
        }
    }

    /// Counts a table's own status.
    pub(super) fn add_table(&mut self, status: TableStatus) {
        match status {
            TableStatus::Missing => self.tables_missing += 1,
            TableStatus::Unexpected => self.tables_unexpected += 1,
            TableStatus::Altered => self.tables_altered += 1,
            TableStatus::Ok => self.tables_ok += 1,
        }
    }
}
