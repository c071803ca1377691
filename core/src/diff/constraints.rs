//! Constraint and index comparison for one table: the primary key, UNIQUE, CHECK and FOREIGN KEY
//! constraints and the indexes, each missing (left only), unexpected (right only), changed or ok.
//!
//! Two sides read by the same catalog code (snapshot vs snapshot) are paired by name and compared
//! in full, definitions included. Expected vs live is different: the migration replay prints
//! definitions through sqlparser (`price > 0`, `CREATE INDEX ... (lower(email))`) where Postgres
//! prints `CHECK ((price > 0))` and `lower((email)::text)`, and it names unnamed constraints the
//! Postgres way while SQLite's catalog synthesises its own names (`todos_fk0`,
//! `sqlite_autoindex_users_1`). So there objects are paired by name and then by shape (columns,
//! referenced table, uniqueness), and compared by shape only, never by definition text.

use serde::{Deserialize, Serialize};

use super::sorted::Sorted;
use super::status::{Sides, Status};
use crate::actions;
use crate::finding::Severity;
use crate::schema::Table;

/// Which kind of object a [`ConstraintDiff`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    /// The primary key.
    PrimaryKey,
    /// A UNIQUE constraint.
    Unique,
    /// A CHECK constraint.
    Check,
    /// A FOREIGN KEY constraint.
    ForeignKey,
    /// An index that backs no constraint (those are compared as their constraint).
    Index,
}

impl ConstraintKind {
    /// The words shown before the object's name, e.g. "foreign key".
    pub fn as_str(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary key",
            ConstraintKind::Unique => "unique",
            ConstraintKind::Check => "check",
            ConstraintKind::ForeignKey => "foreign key",
            ConstraintKind::Index => "index",
        }
    }

    /// A one-word form for keys, e.g. "foreign_key".
    pub fn slug(self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey => "primary_key",
            ConstraintKind::Unique => "unique",
            ConstraintKind::Check => "check",
            ConstraintKind::ForeignKey => "foreign_key",
            ConstraintKind::Index => "index",
        }
    }
}

/// One constraint or index compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintDiff {
    /// Primary key, unique, check, foreign key or index.
    pub kind: ConstraintKind,
    /// Its name on the left (expected / A), else on the right.
    pub name: String,
    /// Missing, unexpected, changed or ok.
    pub status: Status,
    /// The left side's definition, if there, e.g. `FOREIGN KEY (user_id) REFERENCES public.users (id)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<String>,
    /// The right side's definition (live / B), if there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right: Option<String>,
}

impl ConstraintDiff {
    /// How much the difference matters when the left side is what the migrations create. The
    /// finding rules rate a missing index or constraint a warning, and so does this.
    pub fn severity(&self) -> Option<Severity> {
        match self.status {
            Status::Missing | Status::Changed => Some(Severity::Warning),
            Status::Unexpected => Some(Severity::Info),
            _ => None,
        }
    }

    /// The gaps.md action a constraint difference is evidence for (the rules file missing
    /// indexes and constraints under table existence).
    pub fn action(&self) -> Option<&'static str> {
        (self.status != Status::Ok).then_some(actions::TABLES)
    }
}

/// One constraint or index of one side, reduced to what is shown and compared.
struct Item<'a> {
    kind: ConstraintKind,
    name: &'a str,
    /// Shown.
    text: String,
    /// Compared when both sides come from the same catalog code: the whole definition.
    exact: String,
    /// Compared expected vs live: columns (expressions normalised), referenced table, uniqueness.
    shape: String,
    /// Referenced columns of a foreign key, compared only when both sides list them (the replay
    /// leaves them empty for `REFERENCES parent`, which means the parent's primary key).
    refs: Vec<String>,
}

impl Item<'_> {
    fn same_shape(&self, other: &Item<'_>) -> bool {
        self.shape == other.shape
            && (self.refs.is_empty() || other.refs.is_empty() || self.refs == other.refs)
    }

    fn same(&self, other: &Item<'_>, sides: Sides) -> bool {
        match sides {
            Sides::SameCatalog => self.exact == other.exact,
            Sides::Expected => self.same_shape(other),
        }
    }
}

/// Normalises an expression for a comparison across printers: case, whitespace, quotes,
/// parentheses and `::type` casts do not count, nor a leading `CHECK`.
pub(super) fn norm_expr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            skip_type(&mut chars);
            continue;
        }
        if c.is_whitespace() || c == '"' || c == '(' || c == ')' {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    match out.strip_prefix("check") {
        Some(rest) => rest.to_string(),
        None => out,
    }
}

/// Skips a type name after `::`: `text`, `character varying(20)`, `timestamp with time zone`,
/// `integer[]`, `"Mood"`.
fn skip_type(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    const CONTINUES: [&str; 6] = ["varying", "with", "without", "time", "zone", "precision"];
    let word = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
        let mut w = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_alphanumeric() || n == '_' || n == '"' || n == '.' {
                w.push(n);
                chars.next();
            } else {
                break;
            }
        }
        w
    };
    word(chars);
    loop {
        let mut ahead = chars.clone();
        while ahead.peek() == Some(&' ') {
            ahead.next();
        }
        let next = word(&mut ahead);
        if CONTINUES.contains(&next.to_lowercase().as_str()) {
            *chars = ahead;
        } else {
            break;
        }
    }
    if chars.peek() == Some(&'(') {
        for n in chars.by_ref() {
            if n == ')' {
                break;
            }
        }
    }
    while chars.peek() == Some(&'[') {
        for n in chars.by_ref() {
            if n == ']' {
                break;
            }
        }
    }
}

fn list(cols: &[String]) -> String {
    cols.join(", ")
}

fn norm_list(cols: &[String]) -> String {
    cols.iter()
        .map(|c| norm_expr(c))
        .collect::<Vec<_>>()
        .join(",")
}

fn items(t: &Table, checks: bool) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    if let Some(pk) = &t.primary_key {
        let text = format!("PRIMARY KEY ({})", list(&pk.columns));
        out.push(Item {
            kind: ConstraintKind::PrimaryKey,
            name: &pk.name,
            exact: format!("{} {text}", pk.name),
            shape: list(&pk.columns),
            text,
            refs: Vec::new(),
        });
    }
    for u in &t.unique_constraints {
        let text = format!("UNIQUE ({})", list(&u.columns));
        out.push(Item {
            kind: ConstraintKind::Unique,
            name: &u.name,
            exact: text.clone(),
            shape: list(&u.columns),
            text,
            refs: Vec::new(),
        });
    }
    if checks {
        for c in &t.check_constraints {
            let e = c.expression.trim();
            let text = if e.len() >= 5 && e[..5].eq_ignore_ascii_case("check") {
                e.to_string()
            } else {
                format!("CHECK ({e})")
            };
            out.push(Item {
                kind: ConstraintKind::Check,
                name: &c.name,
                exact: e.to_string(),
                shape: norm_expr(e),
                text,
                refs: Vec::new(),
            });
        }
    }
    for f in &t.foreign_keys {
        let mut text = format!(
            "FOREIGN KEY ({}) REFERENCES {}.{}",
            list(&f.columns),
            f.referenced_schema,
            f.referenced_table
        );
        if !f.referenced_columns.is_empty() {
            text.push_str(&format!(" ({})", list(&f.referenced_columns)));
        }
        for (what, action) in [("DELETE", &f.on_delete), ("UPDATE", &f.on_update)] {
            let a = action.trim().to_lowercase();
            if !a.is_empty() && a != "no action" {
                text.push_str(&format!(" ON {what} {a}"));
            }
        }
        out.push(Item {
            kind: ConstraintKind::ForeignKey,
            name: &f.name,
            exact: text.clone(),
            // `text` minus the referenced columns, which `refs` carries.
            shape: format!(
                "{}>{}.{}:{}:{}",
                list(&f.columns),
                f.referenced_schema,
                f.referenced_table,
                f.on_delete.trim().to_lowercase(),
                f.on_update.trim().to_lowercase()
            ),
            text,
            refs: f.referenced_columns.clone(),
        });
    }
    // An index backing the primary key or a UNIQUE constraint is compared as that constraint.
    let backs_constraint = |name: &str| t.unique_constraints.iter().any(|u| u.name == name);
    for i in t
        .indexes
        .iter()
        .filter(|i| !i.primary && !backs_constraint(&i.name))
    {
        let text = format!(
            "{}INDEX ({})",
            if i.unique { "UNIQUE " } else { "" },
            list(&i.columns)
        );
        out.push(Item {
            kind: ConstraintKind::Index,
            name: &i.name,
            exact: i.definition.clone().unwrap_or_else(|| text.clone()),
            shape: format!("{}:{}", i.unique, norm_list(&i.columns)),
            text,
            refs: Vec::new(),
        });
    }
    let order = Sorted::new(out.len(), &|a, b| {
        (out[a].kind, out[a].name).cmp(&(out[b].kind, out[b].name))
    });
    let mut slots: Vec<Option<Item<'_>>> = out.into_iter().map(Some).collect();
    order
        .into_vec()
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect()
}

/// How many constraints and indexes [`items`] lists, without listing them.
pub(super) fn count(t: &Table, checks: bool) -> usize {
    let backs_constraint = |name: &str| t.unique_constraints.iter().any(|u| u.name == name);
    usize::from(t.primary_key.is_some())
        + t.unique_constraints.len()
        + if checks { t.check_constraints.len() } else { 0 }
        + t.foreign_keys.len()
        + t.indexes
            .iter()
            .filter(|i| !i.primary && !backs_constraint(&i.name))
            .count()
}

/// The names of what [`items`] lists, in its order, without building the texts (the viewer
/// searches a table's constraints before, or without, comparing them).
pub(super) fn names(t: &Table, checks: bool) -> Vec<&str> {
    let backs_constraint = |name: &str| t.unique_constraints.iter().any(|u| u.name == name);
    let mut out: Vec<(ConstraintKind, &str)> = t
        .primary_key
        .iter()
        .map(|pk| (ConstraintKind::PrimaryKey, pk.name.as_str()))
        .chain(
            t.unique_constraints
                .iter()
                .map(|u| (ConstraintKind::Unique, u.name.as_str())),
        )
        .chain(
            t.check_constraints
                .iter()
                .filter(|_| checks)
                .map(|c| (ConstraintKind::Check, c.name.as_str())),
        )
        .chain(
            t.foreign_keys
                .iter()
                .map(|f| (ConstraintKind::ForeignKey, f.name.as_str())),
        )
        .chain(
            t.indexes
                .iter()
                .filter(|i| !i.primary && !backs_constraint(&i.name))
                .map(|i| (ConstraintKind::Index, i.name.as_str())),
        )
        .collect();
    out.sort();
    out.into_iter().map(|(_, n)| n).collect()
}

/// Every constraint and index of a table on one side only, all with `status`.
pub(super) fn one_sided(
    t: &Table,
    status: Status,
    left: bool,
    checks: bool,
) -> Vec<ConstraintDiff> {
    items(t, checks)
        .into_iter()
        .map(|i| ConstraintDiff {
            kind: i.kind,
            name: i.name.to_string(),
            status,
            left: left.then(|| i.text.clone()),
            right: (!left).then_some(i.text),
        })
        .collect()
}

/// The constraints and indexes of a table equal on both sides, all ok: what [`compare`] gives
/// for two equal tables (each item pairs with itself, and an item is the same as itself),
/// without pairing and comparing them.
pub(super) fn unchanged(t: &Table, checks: bool) -> Vec<ConstraintDiff> {
    items(t, checks)
        .into_iter()
        .map(|i| ConstraintDiff {
            kind: i.kind,
            name: i.name.to_string(),
            status: Status::Ok,
            left: Some(i.text.clone()),
            right: Some(i.text),
        })
        .collect()
}

/// Compares the constraints and indexes of a table on both sides. `right_only_ok` marks the
/// right-only objects ok rather than unexpected (a table the replay could not fully model).
pub(super) fn compare(
    l: &Table,
    r: &Table,
    sides: Sides,
    checks: bool,
    right_only_ok: bool,
) -> Vec<ConstraintDiff> {
    let left = items(l, checks);
    let right = items(r, checks);
    let mut paired: Vec<Option<usize>> = vec![None; left.len()];
    let mut used = vec![false; right.len()];
    for (li, x) in left.iter().enumerate() {
        // There is one primary key a side: it pairs whatever its name.
        let same = |y: &Item<'_>| {
            y.kind == x.kind && (y.name == x.name || x.kind == ConstraintKind::PrimaryKey)
        };
        if let Some(ri) = (0..right.len()).find(|&ri| !used[ri] && same(&right[ri])) {
            paired[li] = Some(ri);
            used[ri] = true;
        }
    }
    if sides == Sides::Expected {
        for (li, x) in left.iter().enumerate() {
            if paired[li].is_some() {
                continue;
            }
            if let Some(ri) = (0..right.len())
                .find(|&ri| !used[ri] && right[ri].kind == x.kind && x.same_shape(&right[ri]))
            {
                paired[li] = Some(ri);
                used[ri] = true;
            }
        }
    }
    // Items are in (kind, name) order: per kind, the left side's then the right-only ones.
    let mut out = Vec::with_capacity(left.len().max(right.len()));
    let (mut li, mut ri) = (0, 0);
    while li < left.len() || ri < right.len() {
        let kind = match (left.get(li), right.get(ri)) {
            (Some(x), Some(y)) => x.kind.min(y.kind),
            (Some(x), None) => x.kind,
            (None, Some(y)) => y.kind,
            (None, None) => break,
        };
        while let Some(x) = left.get(li).filter(|x| x.kind == kind) {
            out.push(pair_diff(x, paired[li].map(|ri| &right[ri]), sides));
            li += 1;
        }
        while let Some(y) = right.get(ri).filter(|y| y.kind == kind) {
            if !used[ri] {
                out.push(ConstraintDiff {
                    kind: y.kind,
                    name: y.name.to_string(),
                    status: if right_only_ok {
                        Status::Ok
                    } else {
                        Status::Unexpected
                    },
                    left: None,
                    right: Some(y.text.clone()),
                });
            }
            ri += 1;
        }
    }
    out
}

/// A left-side item compared with its partner, if it has one.
fn pair_diff(x: &Item<'_>, y: Option<&Item<'_>>, sides: Sides) -> ConstraintDiff {
    let Some(y) = y else {
        return ConstraintDiff {
            kind: x.kind,
            name: x.name.to_string(),
            status: Status::Missing,
            left: Some(x.text.clone()),
            right: None,
        };
    };
    let status = if x.same(y, sides) {
        Status::Ok
    } else {
        Status::Changed
    };
    // A change the short form does not show (an index method, a partial index's WHERE): show
    // the full definitions.
    let (lt, rt) = if status == Status::Changed && x.text == y.text {
        (x.exact.clone(), y.exact.clone())
    } else {
        (x.text.clone(), y.text.clone())
    };
    ConstraintDiff {
        kind: x.kind,
        name: x.name.to_string(),
        status,
        left: Some(lt),
        right: Some(rt),
    }
}

#[cfg(test)]
mod tests {
    use super::norm_expr;

    #[test]
    fn expressions_compare_across_printers() {
        assert_eq!(norm_expr("CHECK ((price > 0))"), norm_expr("price > 0"));
        assert_eq!(norm_expr("lower((email)::text)"), norm_expr("lower(email)"));
        assert_eq!(
            norm_expr("(name)::character varying(20)"),
            norm_expr("\"name\"")
        );
        assert_eq!(
            norm_expr("(a)::timestamp with time zone > now() and b::int[] = c"),
            norm_expr("a > now() AND b = c")
        );
        assert_ne!(norm_expr("price > 0"), norm_expr("price >= 0"));
    }
}
