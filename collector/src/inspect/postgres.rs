//! Catalog inspection for PostgreSQL: one query per catalog (the `.sql` files in
//! `postgres/`), each in its own savepoint, so the number of statements never grows with the
//! number of tables and one unreadable catalog does not lose the others. Relations another
//! session holds an exclusive lock on are left out of the reads that would queue behind it
//! (and recorded as not read), never waited for.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures_util::TryStreamExt;
use gaps_core::backend::Backend;
use gaps_core::schema::{
    Catalog, CheckConstraint, Column, DatabaseInfo, EnumType, Extension, ForeignKey,
    IncompleteCatalog, IncompleteCause, Index, KeyConstraint, RelationName, Schema, Table,
    TableKind,
};
use gaps_core::section::Section;
use sqlx::PgConnection;

use crate::db::{DbError, Session, read_pg as read};
use crate::locks::{self, Locked};

/// The catalog queries, in the order the collector runs them. Public so the benchmark's psql
/// floor runs exactly the same text.
pub const CATALOGS: &[(&str, &str)] = &[
    ("schemas", SCHEMAS_SQL),
    ("tables", TABLES_SQL),
    ("columns", COLUMNS_SQL),
    ("constraints", CONSTRAINTS_SQL),
    ("indexes", INDEXES_SQL),
    ("enums", ENUMS_SQL),
    ("extensions", EXTENSIONS_SQL),
];

const SERVER_SQL: &str = include_str!("postgres/server.sql");
const SCHEMAS_SQL: &str = include_str!("postgres/schemas.sql");
const TABLES_SQL: &str = include_str!("postgres/tables.sql");
const COLUMNS_SQL: &str = include_str!("postgres/columns.sql");
const CONSTRAINTS_SQL: &str = include_str!("postgres/constraints.sql");
const RELATION_NAMES_SQL: &str = include_str!("postgres/relation_names.sql");
const INDEXES_SQL: &str = include_str!("postgres/indexes.sql");
const ENUMS_SQL: &str = include_str!("postgres/enums.sql");
const EXTENSIONS_SQL: &str = include_str!("postgres/extensions.sql");

/// One read of a catalog that opens user relations (`pg_get_expr`, `pg_get_indexdef`), with
/// the relations known to be locked left out (`$1`). On a lock timeout the locks are read
/// again: when that names relations not yet left out, the read runs once more without them;
/// otherwise it is not retried.
async fn read_unlocked<T>(
    session: &mut Session,
    during: &str,
    skip: &mut Vec<Locked>,
    body: impl AsyncFn(&mut PgConnection, Vec<i64>) -> Result<T, sqlx::Error>,
) -> Result<T, DbError> {
    let oids = |skip: &[Locked]| skip.iter().filter_map(|l| l.oid).collect::<Vec<i64>>();
    let ids = oids(skip);
    match read(session, during, async |c| body(c, ids).await).await {
        Err(e) if e.is_lock_timeout() => {
            let before = skip.len();
            if let Ok(found) = locks::survey(session).await {
                for l in found {
                    if !skip.contains(&l) {
                        skip.push(l);
                    }
                }
            }
            if skip.len() == before {
                return Err(e);
            }
            let ids = oids(skip);
            read(session, during, async |c| body(c, ids).await).await
        }
        other => other,
    }
}

/// Server identity.
pub(super) async fn database_info(session: &mut Session) -> Section<DatabaseInfo> {
    let during = "reading server identity (server_version, current_database, search_path)";
    let row = read(session, during, async |c| {
        sqlx::query_as::<_, (String, String, String, String)>(SERVER_SQL)
            .persistent(false)
            .fetch_one(c)
            .await
    })
    .await;
    match row {
        Ok((server_version, database, user, search_path)) => Section::collected(DatabaseInfo {
            backend: Backend::Postgres,
            server_version,
            database: Some(database),
            current_user: Some(user),
            search_path: Some(search_path),
        }),
        Err(e) => {
            let e = e.into_section_error(during);
            Section::failed(e.during, e.message)
        }
    }
}

/// Where each relation's table lives in `Schema::tables`, by oid.
type ByOid = HashMap<i64, usize>;

/// The catalogs a read of the constraints fills.
const CONSTRAINT_CATALOGS: [Catalog; 3] = [Catalog::Keys, Catalog::ForeignKeys, Catalog::Checks];

/// The live schema. Fails as a whole only when the relations themselves cannot be listed;
/// any other unreadable catalog is recorded in `Schema::incomplete`, and so is each relation
/// left out because another session held a lock on it. A catalog read that fails part-way
/// keeps none of its rows.
pub(super) async fn schema(session: &mut Session) -> Section<Schema> {
    let mut schema = Schema::default();

    let during = "reading schemas (pg_namespace)";
    match read(session, during, async |c| {
        sqlx::query_scalar::<_, String>(SCHEMAS_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await
    {
        Ok(names) => schema.schemas = names,
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Schemas])),
    }

    let during = "reading relations (pg_class)";
    let tables = read(session, during, async |c| {
        let mut tables = Vec::new();
        let mut rows = sqlx::query_as::<_, (i64, String, String, String)>(TABLES_SQL)
            .persistent(false)
            .fetch(c);
        while let Some((oid, ns, name, kind)) = rows.try_next().await? {
            let kind = match kind.as_str() {
                "p" => TableKind::PartitionedTable,
                "v" => TableKind::View,
                "m" => TableKind::MaterializedView,
                "f" => TableKind::ForeignTable,
                _ => TableKind::Table,
            };
            tables.push((oid, Table::new(&ns, &name, kind, Vec::new())));
        }
        Ok(tables)
    })
    .await;
    let mut by_oid = ByOid::new();
    match tables {
        Ok(t) => {
            for (oid, table) in t {
                by_oid.insert(oid, schema.tables.len());
                schema.tables.push(table);
            }
        }
        Err(e) => {
            let e = e.into_section_error(during);
            return Section::failed(e.during, e.message);
        }
    }

    // Relations another session holds an exclusive lock on are left out of the reads that
    // would wait for it. An unreadable pg_locks only means such locks are found by timeout.
    let mut skip: Vec<Locked> = locks::survey(session).await.unwrap_or_default();
    let mut skipped: BTreeMap<RelationName, BTreeSet<Catalog>> = BTreeMap::new();
    let mut note_skipped = |skip: &[Locked], catalogs: &[Catalog]| {
        for l in skip {
            if l.oid.is_some_and(|o| by_oid.contains_key(&o)) {
                skipped
                    .entry(l.relation.clone())
                    .or_default()
                    .extend(catalogs.iter().copied());
            }
        }
    };

    let during = "reading columns (pg_attribute, pg_attrdef)";
    match read_unlocked(session, during, &mut skip, async |c, ex| {
        read_columns(c, &by_oid, ex).await
    })
    .await
    {
        Ok(columns) => {
            note_skipped(&skip, &[Catalog::Columns]);
            for (i, column) in columns {
                schema.tables[i].columns.push(column);
            }
            // Constraint and index keys are resolved by ordinal: binary search needs order.
            for t in &mut schema.tables {
                t.columns.sort_by_key(|c| c.ordinal);
            }
        }
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Columns])),
    }

    let during = "reading constraints (pg_constraint)";
    match read_unlocked(session, during, &mut skip, async |c, ex| {
        sqlx::query_as::<_, ConstraintRow>(CONSTRAINTS_SQL)
            .persistent(false)
            .bind(ex)
            .fetch_all(c)
            .await
    })
    .await
    {
        Ok(rows) => {
            note_skipped(&skip, &CONSTRAINT_CATALOGS);
            let elsewhere = referenced_elsewhere(session, &by_oid, &rows).await;
            match elsewhere {
                Ok(names) => apply_constraints(&mut schema.tables, &by_oid, &names, rows),
                Err(e) => schema.incomplete.push(e.into_incomplete(
                    "reading the tables foreign keys reference (pg_class)",
                    &CONSTRAINT_CATALOGS,
                )),
            }
        }
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &CONSTRAINT_CATALOGS)),
    }

    let during = "reading indexes (pg_index)";
    match read_unlocked(session, during, &mut skip, async |c, ex| {
        sqlx::query_as::<_, IndexRow>(INDEXES_SQL)
            .persistent(false)
            .bind(ex)
            .fetch_all(c)
            .await
    })
    .await
    {
        Ok(rows) => {
            note_skipped(&skip, &[Catalog::Indexes]);
            apply_indexes(&mut schema.tables, &by_oid, rows);
        }
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Indexes])),
    }

    let during = "reading enum types (pg_enum)";
    match read(session, during, async |c| {
        sqlx::query_as::<_, (String, String, Vec<String>)>(ENUMS_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await
    {
        Ok(rows) => {
            schema.enums = rows
                .into_iter()
                .map(|(schema, name, labels)| EnumType {
                    schema,
                    name,
                    labels,
                })
                .collect()
        }
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Enums])),
    }

    let during = "reading extensions (pg_extension)";
    match read(session, during, async |c| {
        sqlx::query_as::<_, (String, String)>(EXTENSIONS_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await
    {
        Ok(rows) => {
            schema.extensions = rows
                .into_iter()
                .map(|(name, version)| Extension { name, version })
                .collect()
        }
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Extensions])),
    }

    for (relation, catalogs) in skipped {
        let catalogs: Vec<Catalog> = catalogs.into_iter().collect();
        let what: Vec<&str> = catalogs.iter().map(|c| c.label()).collect();
        let who = locks::who(session, &relation);
        locks::note_not_read(session, &relation, &format!("its {}", what.join(", ")));
        schema.incomplete.push(IncompleteCatalog {
            relations: vec![relation.clone()],
            ..IncompleteCatalog::new(
                "reading columns, constraints and indexes",
                format!(
                    "{relation} is locked by {who}; gaps left it out rather than queue behind \
                     the lock"
                ),
                &catalogs,
                IncompleteCause::Locked,
            )
        });
    }

    schema.canonicalize();
    Section::collected(schema)
}

type ColumnRow = (
    i64,
    i16,
    String,
    String,
    bool,
    Option<String>,
    String,
    String,
);

/// Every column row, converted, with the index of its table; rows of relations not in
/// `by_oid` are dropped.
async fn read_columns(
    c: &mut PgConnection,
    by_oid: &ByOid,
    exclude: Vec<i64>,
) -> Result<Vec<(usize, Column)>, sqlx::Error> {
    let mut rows = sqlx::query_as::<_, ColumnRow>(COLUMNS_SQL)
        .persistent(false)
        .bind(exclude)
        .fetch(c);
    let mut out = Vec::new();
    while let Some((rel, attnum, name, data_type, not_null, default, identity, generated)) =
        rows.try_next().await?
    {
        let Some(&i) = by_oid.get(&rel) else { continue };
        let identity = match identity.as_str() {
            "a" => Some("always".to_string()),
            "d" => Some("by_default".to_string()),
            _ => None,
        };
        // A generated column keeps its expression in pg_attrdef: it is not a default.
        let (default, generated) = if generated.is_empty() {
            (default, None)
        } else {
            (None, default)
        };
        out.push((
            i,
            Column {
                ordinal: i32::from(attnum),
                name,
                data_type,
                nullable: !not_null,
                default,
                identity,
                generated,
            },
        ));
    }
    Ok(out)
}

/// The name of column `attnum` of `table` (columns sorted by ordinal), or `#attnum` when the
/// columns catalog could not be read.
fn column_name(table: Option<&Table>, attnum: i16) -> String {
    table
        .and_then(|t| {
            t.columns
                .binary_search_by_key(&i32::from(attnum), |c| c.ordinal)
                .ok()
                .map(|i| t.columns[i].name.clone())
        })
        .unwrap_or_else(|| format!("#{attnum}"))
}

fn fk_action(code: &str) -> String {
    match code {
        "r" => "restrict",
        "c" => "cascade",
        "n" => "set null",
        "d" => "set default",
        _ => "no action",
    }
    .to_string()
}

type ConstraintRow = (
    i64,
    String,
    String,
    Option<Vec<i16>>,
    i64,
    Option<Vec<i16>>,
    String,
    String,
    Option<String>,
);

/// Schema and name of a relation, by oid.
type Names = HashMap<i64, (String, String)>;

/// The names of the relations foreign keys among `rows` reference that are not among the
/// relations read (`by_oid`), from the server; none to ask for in any ordinary schema (a
/// foreign key references a table, and gaps reads every table outside the system schemas).
async fn referenced_elsewhere(
    session: &mut Session,
    by_oid: &ByOid,
    rows: &[ConstraintRow],
) -> Result<Names, DbError> {
    let mut oids: Vec<i64> = rows
        .iter()
        .filter(|r| r.2 == "f" && by_oid.contains_key(&r.0) && !by_oid.contains_key(&r.4))
        .map(|r| r.4)
        .collect();
    if oids.is_empty() {
        return Ok(Names::new());
    }
    oids.sort_unstable();
    oids.dedup();
    let during = "reading the tables foreign keys reference (pg_class)";
    let rows = read(session, during, async |c| {
        sqlx::query_as::<_, (i64, String, String)>(RELATION_NAMES_SQL)
            .persistent(false)
            .bind(&oids)
            .fetch_all(c)
            .await
    })
    .await?;
    Ok(rows.into_iter().map(|(o, s, n)| (o, (s, n))).collect())
}

/// Attaches the constraint rows (read in full) to their tables; a foreign key's target is
/// named from the relations read, else from `elsewhere`.
fn apply_constraints(
    tables: &mut [Table],
    by_oid: &ByOid,
    elsewhere: &Names,
    rows: Vec<ConstraintRow>,
) {
    for (rel, name, kind, key, frel, fkey, upd, del, check) in rows {
        let Some(&i) = by_oid.get(&rel) else { continue };
        let columns: Vec<String> = key
            .unwrap_or_default()
            .into_iter()
            .map(|n| column_name(Some(&tables[i]), n))
            .collect();
        match kind.as_str() {
            "p" => tables[i].primary_key = Some(KeyConstraint { name, columns }),
            "u" => tables[i]
                .unique_constraints
                .push(KeyConstraint { name, columns }),
            "c" => tables[i].check_constraints.push(CheckConstraint {
                name,
                expression: check.unwrap_or_default(),
            }),
            _ => {
                let target = by_oid.get(&frel).map(|&j| &tables[j]);
                let (fschema, ftable) = match target {
                    Some(t) => (t.schema.clone(), t.name.clone()),
                    None => elsewhere.get(&frel).cloned().unwrap_or_default(),
                };
                let referenced_columns = fkey
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| column_name(target, n))
                    .collect();
                tables[i].foreign_keys.push(ForeignKey {
                    name,
                    columns,
                    referenced_schema: fschema,
                    referenced_table: ftable,
                    referenced_columns,
                    on_delete: fk_action(&del),
                    on_update: fk_action(&upd),
                });
            }
        }
    }
}

type IndexRow = (
    i64,
    String,
    bool,
    bool,
    i16,
    Vec<i16>,
    String,
    Option<Vec<String>>,
);

/// Attaches the index rows (read in full) to their tables.
fn apply_indexes(tables: &mut [Table], by_oid: &ByOid, rows: Vec<IndexRow>) {
    for (rel, name, unique, primary, nkey, key, definition, exprs) in rows {
        let Some(&i) = by_oid.get(&rel) else { continue };
        let nkey = usize::try_from(nkey).unwrap_or(0).min(key.len());
        let columns = match exprs {
            Some(texts) => texts,
            None => key[..nkey]
                .iter()
                .map(|&n| column_name(Some(&tables[i]), n))
                .collect(),
        };
        tables[i].indexes.push(Index {
            name,
            columns,
            unique,
            primary,
            definition: Some(definition),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_catalog_query_is_a_single_select() {
        for (name, sql) in CATALOGS.iter().chain([&("server", SERVER_SQL)]) {
            let body: String = sql
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n");
            assert!(
                body.trim_start().starts_with("SELECT"),
                "{name} is not a SELECT"
            );
            assert!(!body.contains(';'), "{name} holds more than one statement");
        }
    }

    #[test]
    fn foreign_key_actions_are_spelled_out() {
        assert_eq!(fk_action("c"), "cascade");
        assert_eq!(fk_action("n"), "set null");
        assert_eq!(fk_action("d"), "set default");
        assert_eq!(fk_action("r"), "restrict");
        assert_eq!(fk_action("a"), "no action");
    }

    #[test]
    fn unknown_column_numbers_are_shown_not_dropped() {
        assert_eq!(column_name(None, 3), "#3");
    }
}
