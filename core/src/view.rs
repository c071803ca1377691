//! Pure view logic of the report's interactive diff viewer: what to compare, status / severity /
//! action filters, search over schema, table and column names, the flattened list of rows with
//! only the visible window rendered, URL-fragment (de)serialisation of selection and filters,
//! and the keyboard model. The wasm crate only turns this into DOM nodes.

use std::ops::Range;

use crate::diff::{
    ColumnDiff, ConstraintDiff, ConstraintKind, Status, TableStatus, Tables, Uniform,
    status_severity,
};
use crate::finding::{Finding, Severity};
use crate::schema::{Column, TableKind};

/// What the viewer compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// One snapshot's expected schema against its live schema.
    Expected {
        /// Index of the snapshot.
        snapshot: usize,
    },
    /// Snapshot `a` (left, older) against snapshot `b` (right, newer).
    Compare {
        /// Index of the left snapshot.
        a: usize,
        /// Index of the right snapshot.
        b: usize,
    },
}

impl Selection {
    /// The default: the first two snapshots when there are two or more, else expected vs live.
    pub fn default_for(snapshots: usize) -> Selection {
        if snapshots >= 2 {
            Selection::Compare { a: 0, b: 1 }
        } else {
            Selection::Expected { snapshot: 0 }
        }
    }

    /// True when comparing two snapshots.
    pub fn is_compare(self) -> bool {
        matches!(self, Selection::Compare { .. })
    }
}

/// How a row shows its two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Left and right in two cells.
    SideBySide,
    /// One cell: `- left` / `+ right`.
    Unified,
}

/// Which rows to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    /// Statuses to show (a column shows when its status or one of its changes is listed).
    pub statuses: Set<Status>,
    /// Severities to show; empty = any (rows without a severity, i.e. ok, show only then).
    pub severities: Set<Severity>,
    /// Action ids to show; empty = any.
    pub actions: Names,
    /// Case-insensitive search over `schema.table` and column names (also `schema.table.column`).
    pub query: String,
}

impl Filters {
    /// The statuses shown by default: every difference, not the ok rows.
    pub fn default_statuses() -> Set<Status> {
        Status::ALL
            .into_iter()
            .filter(|s| *s != Status::Ok)
            .collect()
    }
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            statuses: Filters::default_statuses(),
            severities: Set::new(),
            actions: Names::new(),
            query: String::new(),
        }
    }
}

/// Everything the viewer shows, as kept in the URL fragment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewState {
    /// What is compared.
    pub selection: Selection,
    /// Row filters.
    pub filters: Filters,
    /// Side by side or unified.
    pub layout: Layout,
    /// Tables (by `schema.name`) whose columns are shown.
    pub expanded: Names,
    /// The table under the cursor, by `schema.name` (a deep link selects it).
    pub focus: Option<String>,
    /// Index of the cursor in the visible rows (not part of the fragment).
    pub cursor: usize,
}

impl ViewState {
    /// The initial state for a page holding `snapshots` snapshots.
    pub fn new(snapshots: usize) -> ViewState {
        ViewState {
            selection: Selection::default_for(snapshots),
            filters: Filters::default(),
            layout: Layout::SideBySide,
            expanded: Names::new(),
            focus: None,
            cursor: 0,
        }
    }
}

/// One line of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A table; `table` indexes the comparison's tables ([`Tables`]).
    Table {
        /// Table index.
        table: usize,
    },
    /// A column of a table.
    Column {
        /// Table index.
        table: usize,
        /// Column index in [`crate::diff::TableDiff::columns`].
        column: usize,
    },
    /// A constraint or index of a table.
    Constraint {
        /// Table index.
        table: usize,
        /// Index in [`crate::diff::TableDiff::constraints`].
        constraint: usize,
    },
}

impl Row {
    /// The table this row belongs to.
    pub fn table(self) -> usize {
        match self {
            Row::Table { table } | Row::Column { table, .. } | Row::Constraint { table, .. } => {
                table
            }
        }
    }
}

/// Lowercased names of one table for searching.
#[derive(Debug, Clone, Default)]
struct IndexedTable {
    key: String,
    columns: Vec<String>,
    constraints: Vec<String>,
}

/// Lowercased names for searching, built once per diff.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    tables: Vec<IndexedTable>,
}

impl SearchIndex {
    /// Indexes a diff's table keys, column names and constraint / index names (of a lazy
    /// comparison, without comparing the tables it has not compared).
    pub fn new(diff: &impl Tables) -> SearchIndex {
        let lower = |v: Vec<&str>| v.into_iter().map(str::to_lowercase).collect();
        SearchIndex {
            tables: (0..diff.count())
                .map(|i| {
                    let key = diff.head(i).map(|h| h.key().to_lowercase());
                    let (columns, constraints) = diff.names(i).unwrap_or_default();
                    IndexedTable {
                        key: key.unwrap_or_default(),
                        columns: lower(columns),
                        constraints: lower(constraints),
                    }
                })
                .collect(),
        }
    }
}

/// The rows that pass the filters, and how many tables and columns matched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filtered {
    /// Rows to show, in order (a table, then its shown columns).
    pub rows: Vec<Row>,
    /// Tables shown.
    pub tables: usize,
    /// Columns that match (whether or not their table is expanded).
    pub columns: usize,
    /// Constraints and indexes that match (whether or not their table is expanded).
    pub constraints: usize,
}

fn passes(
    filters: &Filters,
    statuses: &[Status],
    sev: Option<Severity>,
    action: Option<&str>,
) -> bool {
    statuses.iter().any(|s| filters.statuses.contains(s))
        && (filters.severities.is_empty() || sev.is_some_and(|s| filters.severities.contains(&s)))
        && (filters.actions.is_empty() || action.is_some_and(|a| filters.actions.contains(a)))
}

fn table_passes(filters: &Filters, status: TableStatus) -> bool {
    match status.as_status() {
        Some(s) => passes(filters, &[s], status.own_severity(), status.action()),
        None => false,
    }
}

/// Whether the columns and whether the constraints of a table whose columns and constraints
/// all have status `u.status` pass the status, severity and action filters (the same test as
/// [`column_passes`] and [`constraint_passes`] on each).
fn uniform_passes(filters: &Filters, u: Uniform) -> (bool, bool) {
    let column = ColumnDiff {
        name: String::new(),
        status: u.status,
        changes: Vec::new(),
        left: None,
        right: None,
    };
    let constraint = ConstraintDiff {
        kind: ConstraintKind::Index,
        name: String::new(),
        status: u.status,
        left: None,
        right: None,
    };
    (
        column_passes(filters, &column),
        constraint_passes(filters, &constraint),
    )
}

fn column_passes(filters: &Filters, c: &ColumnDiff) -> bool {
    if c.changes.len() > 1 {
        // Each change carries its own severity: the column passes when one change passes.
        c.changes
            .iter()
            .any(|s| passes(filters, &[*s], status_severity(*s), c.action()))
    } else {
        passes(filters, &[c.status], c.severity(), c.action())
    }
}

fn constraint_passes(filters: &Filters, c: &ConstraintDiff) -> bool {
    passes(filters, &[c.status], c.severity(), c.action())
}

impl SearchIndex {
    /// True when the index was built for `diff` (one entry per table).
    pub fn covers(&self, diff: &impl Tables) -> bool {
        self.tables.len() == diff.count()
    }
}

/// Applies the filters and search to a diff, producing the rows to show. The index is read
/// only for a non-empty search (a page may draw its first screen before building it); a table
/// the index does not cover matches no search. Of a lazy comparison, only the tables whose
/// columns do not all share one status are compared.
pub fn filter(diff: &impl Tables, index: &SearchIndex, state: &ViewState) -> Filtered {
    let q = state.filters.query.trim().to_lowercase();
    let dotted = q.contains('.');
    let mut out = Filtered::default();
    let mut cols: Vec<usize> = Vec::new();
    let mut cons: Vec<usize> = Vec::new();
    let none = IndexedTable::default();
    let ok_shown = state.filters.statuses.contains(&Status::Ok);
    for ti in 0..diff.count() {
        let Some(head) = diff.head(ti) else { continue };
        // An ok table has only ok columns, constraints and indexes (any other makes it
        // altered): unless ok rows are shown, nothing of it can pass. Most tables of a large
        // schema are ok, so a keystroke looks at the few that differ.
        if head.status == TableStatus::Ok && !ok_shown {
            continue;
        }
        let ix = match index.tables.get(ti) {
            Some(ix) => ix,
            None if q.is_empty() => &none,
            None => continue,
        };
        let key = ix.key.as_str();
        let name_match = q.is_empty() || key.contains(&q);
        let sub_match =
            |n: &String| n.contains(&q) || (dotted && format!("{key}.{n}").contains(&q));
        cols.clear();
        cons.clear();
        if let Some(u) = head.uniform {
            // Every column (and every constraint) passes the filters or none does: only the
            // names are looked at, and the table is not compared.
            let (col_pass, con_pass) = uniform_passes(&state.filters, u);
            let named = |n: usize, names: &[String], out: &mut Vec<usize>| {
                out.extend((0..n).filter(|&ci| name_match || names.get(ci).is_some_and(sub_match)))
            };
            if col_pass {
                named(u.columns, &ix.columns, &mut cols);
            }
            if con_pass {
                named(u.constraints, &ix.constraints, &mut cons);
            }
        } else if let Some(t) = diff.table(ti) {
            // The filters first: they are cheap and reject most columns (the ok ones, by
            // default), so the names are searched only for the columns that could be shown.
            for (ci, c) in t.columns.iter().enumerate() {
                if column_passes(&state.filters, c)
                    && (name_match || ix.columns.get(ci).is_some_and(sub_match))
                {
                    cols.push(ci);
                }
            }
            for (ci, c) in t.constraints.iter().enumerate() {
                if constraint_passes(&state.filters, c)
                    && (name_match || ix.constraints.get(ci).is_some_and(sub_match))
                {
                    cons.push(ci);
                }
            }
        }
        let own = name_match && table_passes(&state.filters, head.status);
        if !own && cols.is_empty() && cons.is_empty() {
            continue;
        }
        out.tables += 1;
        out.columns += cols.len();
        out.constraints += cons.len();
        out.rows.push(Row::Table { table: ti });
        let show_columns = state.expanded.contains(&head.key()) || (!q.is_empty() && !name_match);
        if show_columns {
            out.rows.extend(cols.iter().map(|&ci| Row::Column {
                table: ti,
                column: ci,
            }));
            out.rows.extend(cons.iter().map(|&ci| Row::Constraint {
                table: ti,
                constraint: ci,
            }));
        }
    }
    out
}

/// Findings that pass the severity and action filters and whose subject (schema, table or
/// column name) matches the search. Findings without a subject match only an empty search.
pub fn filter_findings<'a>(findings: &'a [Finding], filters: &Filters) -> Vec<&'a Finding> {
    let q = filters.query.trim().to_lowercase();
    findings
        .iter()
        .filter(|f| filters.severities.is_empty() || filters.severities.contains(&f.severity))
        .filter(|f| filters.actions.is_empty() || filters.actions.contains(&f.action))
        .filter(|f| {
            q.is_empty()
                || [&f.schema, &f.table, &f.column]
                    .into_iter()
                    .flatten()
                    .any(|s| s.to_lowercase().contains(&q))
        })
        .collect()
}

/// The range of rows to render for a scroll position: only what is visible, plus `overscan`
/// rows on either side.
pub fn window(
    total: usize,
    scroll_top: f64,
    viewport: f64,
    row_height: f64,
    overscan: usize,
) -> Range<usize> {
    if total == 0 || row_height <= 0.0 {
        return 0..0;
    }
    let first = (scroll_top.max(0.0) / row_height).floor() as usize;
    let count = (viewport.max(0.0) / row_height).ceil() as usize + 1;
    let start = first.saturating_sub(overscan).min(total);
    let end = first
        .saturating_add(count)
        .saturating_add(overscan)
        .min(total);
    start..end.max(start)
}

/// The words for statuses, which depend on what is compared.
pub fn status_label(s: Status, compare: bool) -> &'static str {
    match (s, compare) {
        (Status::Missing, false) => "missing",
        (Status::Missing, true) => "dropped",
        (Status::Unexpected, false) => "unexpected",
        (Status::Unexpected, true) => "added",
        (Status::Type, _) => "type",
        (Status::Nullability, _) => "nullability",
        (Status::Default, _) => "default",
        (Status::Changed, _) => "changed",
        (Status::Ok, _) => "ok",
    }
}

/// The words for a table's status.
pub fn table_status_label(s: TableStatus, compare: bool) -> &'static str {
    match s {
        TableStatus::Missing => status_label(Status::Missing, compare),
        TableStatus::Unexpected => status_label(Status::Unexpected, compare),
        TableStatus::Altered => "altered",
        TableStatus::Ok => "ok",
    }
}

fn kind_name(k: TableKind) -> &'static str {
    match k {
        TableKind::Table => "table",
        TableKind::PartitionedTable => "partitioned table",
        TableKind::View => "view",
        TableKind::MaterializedView => "materialized view",
        TableKind::ForeignTable => "foreign table",
    }
}

/// `bigint NOT NULL DEFAULT 0`.
pub fn describe_column(c: &Column) -> String {
    let mut s = c.data_type.clone();
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        s.push_str(" DEFAULT ");
        s.push_str(d);
    }
    s
}

/// What one row shows, ready for any renderer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowView {
    /// `schema.table`, `schema.table.column` or `schema.table/kind/name` for a constraint or
    /// index (kind as in [`crate::diff::ConstraintKind::slug`]).
    pub key: String,
    /// 0 for tables, 1 for columns, constraints and indexes.
    pub depth: u8,
    /// Status word (css class `gaps-st-<status>` and badge text).
    pub status: &'static str,
    /// Table key, column name, or a constraint's kind and name (`index users_email_idx`).
    pub name: String,
    /// Side-by-side: the left cell; unified: the single cell.
    pub left: String,
    /// Side-by-side: the right cell; unified: empty.
    pub right: String,
    /// Tables: whether expanded (columns shown).
    pub expanded: Option<bool>,
}

const ABSENT: &str = "\u{2014}";

/// Builds the text of one row (comparing its table, for a column or constraint row of a lazy
/// comparison).
pub fn row_view(diff: &impl Tables, row: Row, state: &ViewState) -> Option<RowView> {
    let compare = state.selection.is_compare();
    let head = diff.head(row.table())?;
    let (key, depth, status, name, l, r, expanded) = match row {
        Row::Table { .. } => {
            let sides = diff.sides(row.table())?;
            let side = |s: Option<(TableKind, usize)>| {
                s.map(|(k, n)| format!("{} ({n} columns)", kind_name(k)))
            };
            let (l, r) = (side(sides.left), side(sides.right));
            let key = head.key();
            let expanded = state.expanded.contains(&key);
            (
                key.clone(),
                0,
                table_status_label(head.status, compare),
                key,
                l,
                r,
                Some(expanded),
            )
        }
        Row::Column { column, .. } => {
            let t = diff.table(row.table())?;
            let c = t.columns.get(column)?;
            let l = c.left.as_ref().map(describe_column);
            let r = c.right.as_ref().map(describe_column);
            // Several changes: the badge names the first; the text shows both sides in full.
            let label = status_label(c.status, compare);
            (
                format!("{}.{}", t.key(), c.name),
                1,
                label,
                c.name.clone(),
                l,
                r,
                None,
            )
        }
        Row::Constraint { constraint, .. } => {
            let t = diff.table(row.table())?;
            let c = t.constraints.get(constraint)?;
            (
                format!("{}/{}/{}", t.key(), c.kind.slug(), c.name),
                1,
                status_label(c.status, compare),
                format!("{} {}", c.kind.as_str(), c.name),
                c.left.clone(),
                c.right.clone(),
                None,
            )
        }
    };
    let (left, right) = match state.layout {
        Layout::SideBySide => (
            l.unwrap_or_else(|| ABSENT.into()),
            r.unwrap_or_else(|| ABSENT.into()),
        ),
        Layout::Unified => {
            let text = match (l, r) {
                (Some(l), Some(r)) if l == r => format!("  {l}"),
                (Some(l), Some(r)) => format!("- {l}  + {r}"),
                (Some(l), None) => format!("- {l}"),
                (None, Some(r)) => format!("+ {r}"),
                (None, None) => String::new(),
            };
            (text, String::new())
        }
    };
    Some(RowView {
        key,
        depth,
        status,
        name,
        left,
        right,
        expanded,
    })
}

/// What a key press asks the page to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyEffect {
    /// Put the focus in the search box.
    FocusSearch,
    /// Leave the search box.
    BlurSearch,
    /// The cursor moved: re-render and scroll it into view.
    Moved,
    /// A table was expanded or collapsed: re-filter and re-render.
    Toggled,
    /// Not a key the viewer handles.
    Ignored,
}

impl ViewState {
    /// Handles a key press (`KeyboardEvent.key`). `in_search` is true while typing in the search
    /// box, where only Escape is taken. `/` focuses search, `j`/`k` (or the arrows) move, Enter
    /// expands or collapses the table under the cursor.
    pub fn on_key(
        &mut self,
        key: &str,
        in_search: bool,
        rows: &[Row],
        diff: &impl Tables,
    ) -> KeyEffect {
        if in_search {
            return if key == "Escape" {
                KeyEffect::BlurSearch
            } else {
                KeyEffect::Ignored
            };
        }
        match key {
            "/" => KeyEffect::FocusSearch,
            "j" | "ArrowDown" if !rows.is_empty() => {
                self.cursor = (self.cursor + 1).min(rows.len() - 1);
                self.focus_cursor(rows, diff);
                KeyEffect::Moved
            }
            "k" | "ArrowUp" if !rows.is_empty() => {
                self.cursor = self.cursor.saturating_sub(1).min(rows.len() - 1);
                self.focus_cursor(rows, diff);
                KeyEffect::Moved
            }
            "Enter" => {
                let Some(row) = rows.get(self.cursor) else {
                    return KeyEffect::Ignored;
                };
                let Some(t) = diff.head(row.table()) else {
                    return KeyEffect::Ignored;
                };
                let key = t.key();
                if !self.expanded.remove(&key) {
                    self.expanded.insert(key.clone());
                }
                self.focus = Some(key);
                KeyEffect::Toggled
            }
            _ => KeyEffect::Ignored,
        }
    }

    fn focus_cursor(&mut self, rows: &[Row], diff: &impl Tables) {
        if let Some(t) = rows.get(self.cursor).and_then(|r| diff.head(r.table())) {
            self.focus = Some(t.key());
        }
    }

    /// After the rows changed (filters, toggles, a new selection): puts the cursor on the
    /// focused table's row when it is shown, else keeps it in range.
    pub fn sync_cursor(&mut self, rows: &[Row], diff: &impl Tables) {
        if let Some(focus) = &self.focus {
            let on_focus = rows
                .get(self.cursor)
                .and_then(|r| diff.head(r.table()))
                .is_some_and(|t| &t.key() == focus);
            if !on_focus
                && let Some(i) = rows.iter().position(|r| {
                    matches!(r, Row::Table { .. })
                        && diff.head(r.table()).is_some_and(|t| &t.key() == focus)
                })
            {
                self.cursor = i;
                return;
            }
        }
        self.cursor = self.cursor.min(rows.len().saturating_sub(1));
    }
}

mod fragment;
mod sets;
pub use fragment::{from_fragment, to_fragment};
pub use sets::{Member, Names, Set};

#[cfg(test)]
mod tests;
