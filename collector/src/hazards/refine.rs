//! The live facts overrule the text: a table that does not exist yet (an earlier pending
//! migration creates it) is empty, so nothing on it is slow; a type change the server makes
//! without a rewrite (varchar widened, varchar to text, numeric precision raised) is instant;
//! SET NOT NULL on a column that is already NOT NULL, or that a validated `CHECK (col IS NOT
//! NULL)` covers (Postgres 12+), skips its scan; a NOT NULL column without default fails only
//! on a table with rows. And the live facts add what the text cannot say: an extension the
//! server does not have, a function it lacks, an enum value used in the transaction that
//! adds it.

use std::collections::{BTreeMap, BTreeSet};

use gaps_core::hazards::{Effect, Hazard, TableSize};
use gaps_core::schema::{RelationName, Schema};

use super::postgres::Analysed;

/// What the live database said, for [`refine`].
#[derive(Debug, Clone, Default)]
pub struct LiveFacts {
    /// `server_version_num`.
    pub server_version_num: Option<u32>,
    /// Each table name as written in a migration, resolved through the search_path, for the
    /// ones that exist now.
    pub resolved: BTreeMap<RelationName, RelationName>,
    /// Sizes of the tables that exist now.
    pub sizes: Vec<TableSize>,
    /// Columns covered by a validated `CHECK (col IS NOT NULL)`, by table.
    pub not_null_checks: BTreeMap<RelationName, Vec<String>>,
    /// Called function names the server has neither as a function nor as a type (None: not
    /// read).
    pub missing_functions: Option<BTreeSet<String>>,
    /// Extensions the server can install (None: not read).
    pub available_extensions: Option<BTreeSet<String>>,
}

impl LiveFacts {
    fn resolve(&self, written: &RelationName) -> RelationName {
        self.resolved
            .get(written)
            .cloned()
            .unwrap_or_else(|| written.clone())
    }

    fn size(&self, table: &RelationName) -> Option<&TableSize> {
        self.sizes.iter().find(|s| &s.relation == table)
    }
}

/// Resolves table names, drops the hazards the live facts disprove and adds the ones only they
/// show, across the migrations in the order sqlx runs them.
pub fn refine(migrations: &mut [Analysed], live: &LiveFacts, schema: Option<&Schema>) {
    let mut new_tables: BTreeSet<RelationName> = BTreeSet::new();
    let mut created_functions: BTreeSet<String> = BTreeSet::new();
    let mut unknown_extension_created = false;
    let mut checked: BTreeSet<(RelationName, String)> = BTreeSet::new();
    let mut unvalidated: BTreeMap<(RelationName, String), (RelationName, String)> = BTreeMap::new();
    let pg12 = live.server_version_num.is_none_or(|v| v >= 120_000);
    let installed: BTreeSet<String> = schema
        .map(|s| s.extensions.iter().map(|e| e.name.clone()).collect())
        .unwrap_or_default();
    for a in migrations.iter_mut() {
        let several = a.migration.statements.len() > 1;
        let in_transaction = !a.migration.no_transaction || several;
        let mut enum_added: Vec<(usize, u32, String, String)> = Vec::new();
        for i in 0..a.migration.statements.len() {
            let f = a.facts[i].clone();
            let st = &mut a.migration.statements[i];
            for l in &mut st.locks {
                l.table = live.resolve(&l.table);
            }
            for c in &mut st.changes {
                c.table = live.resolve(&c.table);
            }
            for h in &mut st.hazards {
                if let Some(t) = &h.table {
                    h.table = Some(live.resolve(t));
                }
            }
            let exists = |t: &RelationName| live.size(t).is_some() && !new_tables.contains(t);
            // Nothing on a table created by a pending migration is slow: it is empty.
            st.hazards
                .retain(|h| h.fails || h.table.as_ref().is_none_or(exists));
            if let Some(t) = &f.creates_table {
                new_tables.insert(live.resolve(t));
                new_tables.insert(t.clone());
            }

            // Type changes the server makes in place.
            if !f.type_changes.is_empty()
                && f.type_changes.iter().all(|(t, col, to, using)| {
                    !using
                        && live_column_type(schema, &live.resolve(t), col)
                            .is_some_and(|from| binary_coercible(&from, to))
                })
            {
                st.hazards.retain(|h| h.rule != "changing-column-type");
                if st.operation == "ALTER TABLE ... ALTER COLUMN TYPE" {
                    st.effect = Effect::Metadata;
                }
            }

            // SET NOT NULL that needs no scan.
            if !f.set_not_null.is_empty()
                && f.set_not_null.iter().all(|(t, col)| {
                    let t = live.resolve(t);
                    live_column_nullable(schema, &t, col) == Some(false)
                        || pg12
                            && (checked.contains(&(t.clone(), col.clone()))
                                || live
                                    .not_null_checks
                                    .get(&t)
                                    .is_some_and(|cols| cols.contains(col)))
                })
            {
                st.hazards.retain(|h| h.rule != "adding-not-nullable-field");
                if st.operation == "ALTER TABLE ... SET NOT NULL" {
                    st.effect = Effect::Metadata;
                }
            }
            for (t, col, name, not_valid) in &f.not_null_checks {
                let t = live.resolve(t);
                if *not_valid {
                    unvalidated.insert((t.clone(), name.clone()), (t, col.clone()));
                } else {
                    checked.insert((t, col.clone()));
                }
            }
            for (t, name) in &f.validates {
                if let Some(k) = unvalidated.remove(&(live.resolve(t), name.clone())) {
                    checked.insert(k);
                }
            }

            // A NOT NULL column without default fails on a table with rows.
            if let Some(h) = st
                .hazards
                .iter_mut()
                .find(|h| h.rule == "adding-required-field")
            {
                let rows = f
                    .required_columns
                    .first()
                    .and_then(|(t, _)| live.size(&live.resolve(t)))
                    .and_then(TableSize::rows);
                match rows {
                    Some(n) if n > 0 => {
                        h.fails = true;
                        h.sqlstate = Some("23502".into());
                        h.message = format!(
                            "fails as written: it adds a NOT NULL column without a default to a \
                             table that has rows ({n}), so every existing row violates it"
                        );
                    }
                    Some(_) => h.message.clear(),
                    None => {}
                }
            }
            st.hazards
                .retain(|h| h.rule != "adding-required-field" || !h.message.is_empty());

            // The server lacks the extension or the function.
            if let Some(ext) = &f.extension
                && !installed.contains(ext)
            {
                match &live.available_extensions {
                    Some(available) if !available.contains(ext) => st.hazards.push(fails(
                        "gaps:extension-not-available",
                        "0A000",
                        format!(
                            "fails as written: extension \"{ext}\" is not available on this \
                             server (it is not in pg_available_extensions)"
                        ),
                        format!(
                            "install the extension's package on the server (or ask the provider \
                             to enable \"{ext}\"), or drop the dependency on it"
                        ),
                    )),
                    _ => unknown_extension_created = true,
                }
            }
            if let Some(missing) = &live.missing_functions
                && !unknown_extension_created
            {
                for name in &f.functions {
                    if missing.contains(name) && !created_functions.contains(name) {
                        st.hazards.push(fails(
                            "gaps:function-missing",
                            "42883",
                            format!(
                                "fails as written: it calls {name}(), which this server does not \
                                 have{}",
                                live.server_version_num
                                    .map(|v| format!(" (PostgreSQL {}.{})", v / 10_000, v % 10_000))
                                    .unwrap_or_default()
                            ),
                            format!(
                                "create {name}() first (CREATE FUNCTION or the extension that \
                                 provides it, e.g. pgcrypto, uuid-ossp), or use a function this \
                                 server version has"
                            ),
                        ));
                    }
                }
            }
            created_functions.extend(f.creates_functions.iter().cloned());

            // A new enum value used in the transaction that adds it.
            if let Some((ty, label)) = &f.enum_value {
                if in_transaction && !pg12 {
                    st.hazards.push(fails(
                        "gaps:enum-add-value-in-transaction",
                        "25001",
                        "fails as written: before Postgres 12, ALTER TYPE ... ADD VALUE cannot \
                         run inside a transaction block"
                            .into(),
                        "put it alone in a migration whose first line is `-- no-transaction`"
                            .into(),
                    ));
                }
                enum_added.push((i, st.line, ty.clone(), label.clone()));
            }
            if in_transaction {
                let uses = enum_added.iter().find(|(at, _, ty, label)| {
                    *at < i
                        && f.strings.contains(label)
                        && (mentions(&f.lower, ty)
                            || enum_tables(schema, ty)
                                .iter()
                                .any(|t| mentions(&f.lower, t)))
                });
                if let Some((_, line, ty, label)) = uses {
                    st.hazards.push(fails(
                        "gaps:enum-value-used-in-transaction",
                        "55P04",
                        format!(
                            "fails as written: it uses '{label}', the value line {line} adds to \
                             enum {ty} in the same transaction; Postgres refuses a new enum value \
                             until the transaction that added it commits (unsafe use of new \
                             value)"
                        ),
                        "add the value in an earlier migration of its own, and use it from the \
                         next one on"
                            .into(),
                    ));
                }
            }
        }
    }
}

fn fails(rule: &str, sqlstate: &str, message: String, safe: String) -> Hazard {
    Hazard {
        rule: rule.into(),
        fails: true,
        sqlstate: Some(sqlstate.into()),
        message,
        safe,
        table: None,
    }
}

/// Whether `text` (lowercase) names `word` as a whole identifier.
fn mentions(text: &str, word: &str) -> bool {
    !word.is_empty() && crate::locks::mentions(text, word)
}

/// The live tables with a column of enum type `ty`.
fn enum_tables(schema: Option<&Schema>, ty: &str) -> Vec<String> {
    schema
        .map(|s| {
            s.tables
                .iter()
                .filter(|t| {
                    t.columns
                        .iter()
                        .any(|c| c.data_type == ty || c.data_type.rsplit('.').next() == Some(ty))
                })
                .map(|t| t.name.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn live_column<'a>(
    schema: Option<&'a Schema>,
    t: &RelationName,
    col: &str,
) -> Option<&'a gaps_core::schema::Column> {
    schema?
        .table(&t.schema, &t.name)?
        .columns
        .iter()
        .find(|c| c.name == col)
}

fn live_column_type(schema: Option<&Schema>, t: &RelationName, col: &str) -> Option<String> {
    live_column(schema, t, col).map(|c| c.data_type.clone())
}

fn live_column_nullable(schema: Option<&Schema>, t: &RelationName, col: &str) -> Option<bool> {
    live_column(schema, t, col).map(|c| c.nullable)
}

/// A type as (base name, modifiers): `character varying(20)` -> ("varchar", [20]).
fn type_parts(t: &str) -> (String, Vec<u32>) {
    let t = t.trim().to_lowercase();
    let (base, mods) = match t.find('(') {
        Some(i) => (
            t[..i].trim().to_string(),
            t[i + 1..]
                .trim_end_matches(')')
                .split(',')
                .filter_map(|m| m.trim().parse().ok())
                .collect(),
        ),
        None => (t.clone(), Vec::new()),
    };
    let base = match base.as_str() {
        "character varying" => "varchar",
        "decimal" => "numeric",
        "bit varying" => "varbit",
        "int" | "integer" => "int4",
        "bigint" => "int8",
        "smallint" => "int2",
        "timestamp without time zone" => "timestamp",
        "timestamp with time zone" => "timestamptz",
        other => other,
    }
    .to_string();
    (base, mods)
}

/// Whether changing a column from `from` to `to` needs no rewrite (the documentation: binary
/// coercible types, a wider varchar or varbit, a numeric with more precision and the same
/// scale, or no limit at all).
pub fn binary_coercible(from: &str, to: &str) -> bool {
    let (fb, fm) = type_parts(from);
    let (tb, tm) = type_parts(to);
    if fb == tb && fm == tm {
        return true;
    }
    match (fb.as_str(), tb.as_str()) {
        ("varchar" | "varbit", _) if fb == tb => {
            tm.is_empty() || (fm.len() == 1 && tm.len() == 1 && tm[0] >= fm[0])
        }
        ("varchar", "text") | ("text", "varchar") => tm.is_empty(),
        ("cidr", "inet") => true,
        ("numeric", "numeric") => {
            tm.is_empty()
                || (fm.len() == tm.len()
                    && !fm.is_empty()
                    && tm[0] >= fm[0]
                    && fm.get(1) == tm.get(1))
        }
        _ => false,
    }
}
