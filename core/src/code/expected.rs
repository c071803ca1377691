//! The expected schema: what the local migrations (replayed, or applied to a scratch database)
//! and gaps.md say should exist, with the migration that created each object.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::schema::Schema;

/// The schema the migrations (and gaps.md) say should exist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExpectedSchema {
    /// How the expectation was produced.
    pub mode: ExpectationMode,
    /// The expected schema, in the same model (and type spelling) as the live one.
    #[serde(default)]
    pub schema: Schema,
    /// Domains (`CREATE DOMAIN name AS base`), so a column of a domain type can be checked
    /// against its base type.
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// Which migration statements created or reshaped each table, column, index and
    /// constraint, in replay order (the first entry for an object created it).
    #[serde(default)]
    pub origins: Vec<Origin>,
    /// Tables and columns a migration dropped or renamed away, in replay order: the names
    /// code still using them fails on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removals: Vec<Removal>,
    /// Tables whose columns the replay could not fully model (`CREATE TABLE ... AS`, views,
    /// an unmodelled ALTER): their live columns are never reported as unexpected.
    #[serde(default)]
    pub partial_tables: Vec<String>,
    /// Migration statements the replay does not model (DO blocks, functions, dynamic SQL,
    /// statements sqlparser cannot read). Never silently dropped.
    #[serde(default)]
    pub not_modelled: Vec<NotModelled>,
    /// The migrations that were replayed, in order.
    #[serde(default)]
    pub migrations: Vec<ReplayedMigration>,
    /// Tables gaps.md lists under ACTION-004 "Expected Tables" (when `--gaps` was given).
    #[serde(default)]
    pub gaps_md_tables: Vec<String>,
    /// The gaps.md file that was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gaps_md_file: Option<String>,
    /// The scratch server (redacted URL) the migrations were applied to, when scratch mode
    /// was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scratch_server: Option<String>,
    /// Why scratch mode failed; the expectation then falls back to the replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scratch_error: Option<String>,
    /// Where each object's entries sit in `origins`, built on the first lookup.
    #[serde(skip)]
    #[schemars(skip)]
    pub origin_index: OriginIndex,
}

/// Where each object's entries sit in [`ExpectedSchema::origins`], built on the first lookup,
/// so the rules find an object's origins by a binary search instead of scanning all of them
/// (a schema of 50,000 tables has a million origins, looked up once per column). Never
/// serialised; a clone starts unbuilt and equality ignores it. Build it only once `origins`
/// is final: a lookup answers from the positions of that moment.
#[derive(Debug, Default)]
pub struct OriginIndex(std::sync::OnceLock<Vec<(u64, u32)>>);

impl Clone for OriginIndex {
    fn clone(&self) -> Self {
        OriginIndex::default()
    }
}

impl PartialEq for OriginIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The index key of an object: a hash of its kind, table and name (collisions are settled by
/// comparing the origin itself).
fn origin_key(kind: ObjectKind, table: &str, name: Option<&str>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (kind, table, name).hash(&mut h);
    h.finish()
}

impl ExpectedSchema {
    /// Every statement that created or changed a table (`name` None), column, index or
    /// constraint, in replay order.
    pub fn origins_of<'a, 'q>(
        &'a self,
        kind: ObjectKind,
        table: &'q str,
        name: Option<&'q str>,
    ) -> impl DoubleEndedIterator<Item = &'a Origin> + 'q
    where
        'a: 'q,
    {
        let index = self.origin_index.0.get_or_init(|| {
            let mut v: Vec<(u64, u32)> = self
                .origins
                .iter()
                .enumerate()
                .map(|(i, o)| (origin_key(o.kind, &o.table, o.name.as_deref()), i as u32))
                .collect();
            v.sort_unstable();
            v
        });
        let key = origin_key(kind, table, name);
        let start = index.partition_point(|&(k, _)| k < key);
        let end = start + index[start..].partition_point(|&(k, _)| k == key);
        index[start..end]
            .iter()
            .filter_map(|&(_, i)| self.origins.get(i as usize))
            .filter(move |o| o.kind == kind && o.table == table && o.name.as_deref() == name)
    }

    /// The statement that created a table (`name` None), column, index or constraint.
    pub fn created_by(&self, kind: ObjectKind, table: &str, name: Option<&str>) -> Option<&Origin> {
        self.origins_of(kind, table, name).next()
    }

    /// The last statement that created or changed the object.
    pub fn last_change(
        &self,
        kind: ObjectKind,
        table: &str,
        name: Option<&str>,
    ) -> Option<&Origin> {
        self.origins_of(kind, table, name).next_back()
    }
}

/// Which method produced an expected schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExpectationMode {
    /// The migrations were replayed statement by statement with sqlparser (approximate:
    /// see `not_modelled`).
    #[default]
    Replay,
    /// The migrations were applied to a fresh temporary database and inspected with the same
    /// catalog code as the live database (exact).
    Scratch,
}

/// A domain over a base type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Domain {
    /// Schema.
    pub schema: String,
    /// Domain name.
    pub name: String,
    /// Base type, spelled like the server prints it.
    pub base_type: String,
    /// NOT NULL domain.
    #[serde(default)]
    pub not_null: bool,
}

/// What kind of object an origin is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// A table (name: None).
    Table,
    /// A column (name: the column).
    Column,
    /// An index (name: the index).
    Index,
    /// A constraint (name: the constraint).
    Constraint,
    /// An enum type (table: the type name, name: None).
    Enum,
}

/// The migration statement that created (or last reshaped) an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Origin {
    /// Table, column, index, constraint or enum.
    pub kind: ObjectKind,
    /// Schema.
    pub schema: String,
    /// Table (or enum type) name.
    pub table: String,
    /// Column, index or constraint name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the statement did: "create", "rename", "alter type", "set not null", ...
    pub action: String,
    /// Migration version.
    pub version: i64,
    /// Migration file (relative to the migrations directory).
    pub file: String,
    /// 1-based line of the statement in that file.
    pub line: u32,
}

/// A table or column a migration statement dropped or renamed: after it, the old name no
/// longer exists (unless a later statement creates it again: see [`ExpectedSchema::origins`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Removal {
    /// Table or column.
    pub kind: ObjectKind,
    /// Schema.
    pub schema: String,
    /// The table (its name before the statement, for a renamed table).
    pub table: String,
    /// The column (its name before the statement, for a renamed column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// "drop" or "rename".
    pub action: String,
    /// The new name of a renamed table or column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_to: Option<String>,
    /// Migration version.
    pub version: i64,
    /// Migration file (relative to the migrations directory).
    pub file: String,
    /// 1-based line of the statement in that file.
    pub line: u32,
}

/// A statement the replay did not model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NotModelled {
    /// Migration version.
    pub version: i64,
    /// Migration file.
    pub file: String,
    /// 1-based line of the statement.
    pub line: u32,
    /// The statement's leading words, e.g. "DO", "CREATE FUNCTION".
    pub statement: String,
    /// Why it was not modelled.
    pub reason: String,
}

/// One migration that was replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReplayedMigration {
    /// Version.
    pub version: i64,
    /// File.
    pub file: String,
    /// Statements modelled.
    pub statements: u32,
    /// Statements not modelled.
    pub not_modelled: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(kind: ObjectKind, table: &str, name: Option<&str>, action: &str, v: i64) -> Origin {
        Origin {
            kind,
            schema: "public".into(),
            table: table.into(),
            name: name.map(String::from),
            action: action.into(),
            version: v,
            file: format!("{v}_m.sql"),
            line: 1,
        }
    }

    /// The index answers exactly what a scan of `origins` answers, in replay order.
    #[test]
    fn origins_of_equals_a_scan_of_all_origins() {
        use ObjectKind::*;
        let mut e = ExpectedSchema::default();
        for v in 0..300 {
            let t = format!("t{}", v % 7);
            e.origins.push(origin(Table, &t, None, "create", v));
            e.origins.push(origin(
                Column,
                &t,
                Some(&format!("c{}", v % 5)),
                "create",
                v,
            ));
            e.origins.push(origin(Index, &t, Some("c1"), "create", v));
            e.origins
                .push(origin(Constraint, &t, Some("c1"), "rename", v));
        }
        let scan = |k: ObjectKind, t: &str, n: Option<&str>| -> Vec<i64> {
            e.origins
                .iter()
                .filter(|o| o.kind == k && o.table == t && o.name.as_deref() == n)
                .map(|o| o.version)
                .collect()
        };
        for k in [Table, Column, Index, Constraint, Enum] {
            for t in ["t0", "t3", "t6", "t7", ""] {
                for n in [None, Some("c1"), Some("c4"), Some("c9")] {
                    let got: Vec<i64> = e.origins_of(k, t, n).map(|o| o.version).collect();
                    assert_eq!(got, scan(k, t, n), "{k:?} {t} {n:?}");
                    assert_eq!(
                        e.created_by(k, t, n).map(|o| o.version),
                        scan(k, t, n).first().copied()
                    );
                    assert_eq!(
                        e.last_change(k, t, n).map(|o| o.version),
                        scan(k, t, n).last().copied()
                    );
                }
            }
        }
    }

    /// A clone starts with no index, so origins changed on the clone are found.
    #[test]
    fn a_clone_builds_its_own_index() {
        let mut e = ExpectedSchema::default();
        e.origins
            .push(origin(ObjectKind::Table, "a", None, "create", 1));
        assert!(e.created_by(ObjectKind::Table, "a", None).is_some());
        let mut c = e.clone();
        c.origins
            .push(origin(ObjectKind::Table, "b", None, "create", 2));
        assert_eq!(
            c.created_by(ObjectKind::Table, "b", None)
                .map(|o| o.version),
            Some(2)
        );
        assert_eq!(c, {
            let mut f = e.clone();
            f.origins
                .push(origin(ObjectKind::Table, "b", None, "create", 2));
            f
        });
    }
}
