//! Catalog inspection for PostgreSQL: one query per catalog (the `.sql` files in
//! `postgres/`), each in its own savepoint, so the number of statements never grows with the
//! number of tables and one unreadable catalog does not lose the others.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use gaps_core::schema::{
    CheckConstraint, Column, DatabaseInfo, EnumType, Extension, ForeignKey, Index, KeyConstraint,
    Schema, Table, TableKind,
};
use gaps_core::section::Section;
use gaps_core::snapshot::Backend;
use sqlx::PgConnection;

use crate::db::{DbError, Session};

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
const INDEXES_SQL: &str = include_str!("postgres/indexes.sql");
const ENUMS_SQL: &str = include_str!("postgres/enums.sql");
const EXTENSIONS_SQL: &str = include_str!("postgres/extensions.sql");

/// Runs `body` on the Postgres connection inside the session's savepoint.
async fn read<T>(
    session: &mut Session,
    during: &str,
    body: impl AsyncFnOnce(&mut PgConnection) -> Result<T, sqlx::Error>,
) -> Result<T, DbError> {
    session
        .isolated(during, async |s| match s {
            Session::Postgres(conn) => body(conn).await,
            _ => Err(sqlx::Error::Protocol("not a PostgreSQL session".into())),
        })
        .await
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

/// The live schema. Fails as a whole only when the relations themselves cannot be listed;
/// any other unreadable catalog is recorded in `Schema::incomplete`.
pub(super) async fn schema(session: &mut Session) -> Section<Schema> {
    let mut schema = Schema::default();

    match read(session, "reading schemas (pg_namespace)", async |c| {
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
            .push(e.into_section_error("reading schemas (pg_namespace)")),
    }

    let during = "reading relations (pg_class)";
    let mut by_oid = ByOid::new();
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
            by_oid.insert(oid, tables.len());
            tables.push(Table {
                schema: ns,
                name,
                kind,
                columns: Vec::new(),
                primary_key: None,
                unique_constraints: Vec::new(),
                check_constraints: Vec::new(),
                foreign_keys: Vec::new(),
                indexes: Vec::new(),
            });
        }
        Ok(tables)
    })
    .await;
    match tables {
        Ok(t) => schema.tables = t,
        Err(e) => {
            let e = e.into_section_error(during);
            return Section::failed(e.during, e.message);
        }
    }

    let catalogs: [(&str, Step); 5] = [
        ("reading columns (pg_attribute, pg_attrdef)", Step::Columns),
        ("reading constraints (pg_constraint)", Step::Constraints),
        ("reading indexes (pg_index)", Step::Indexes),
        ("reading enum types (pg_enum)", Step::Enums),
        ("reading extensions (pg_extension)", Step::Extensions),
    ];
    for (during, step) in catalogs {
        let tables = &mut schema.tables;
        let by_oid = &by_oid;
        let result = match step {
            Step::Columns => {
                read(session, during, async |c| {
                    read_columns(c, tables, by_oid).await
                })
                .await
            }
            Step::Constraints => {
                // Column names come from the columns catalog; sort them by ordinal first so
                // attnum lookups can binary-search.
                for t in tables.iter_mut() {
                    t.columns.sort_by_key(|c| c.ordinal);
                }
                read(session, during, async |c| {
                    read_constraints(c, tables, by_oid).await
                })
                .await
            }
            Step::Indexes => {
                read(session, during, async |c| {
                    read_indexes(c, tables, by_oid).await
                })
                .await
            }
            Step::Enums => read(session, during, async |c| {
                let mut rows = sqlx::query_as::<_, (String, String, Vec<String>)>(ENUMS_SQL)
                    .persistent(false)
                    .fetch(c);
                let mut out = Vec::new();
                while let Some((schema, name, labels)) = rows.try_next().await? {
                    out.push(EnumType {
                        schema,
                        name,
                        labels,
                    });
                }
                Ok(out)
            })
            .await
            .map(|e| schema.enums = e),
            Step::Extensions => read(session, during, async |c| {
                let mut rows = sqlx::query_as::<_, (String, String)>(EXTENSIONS_SQL)
                    .persistent(false)
                    .fetch(c);
                let mut out = Vec::new();
                while let Some((name, version)) = rows.try_next().await? {
                    out.push(Extension { name, version });
                }
                Ok(out)
            })
            .await
            .map(|e| schema.extensions = e),
        };
        if let Err(e) = result {
            schema.incomplete.push(e.into_section_error(during));
        }
    }

    schema.canonicalize();
    Section::collected(schema)
}

#[derive(Clone, Copy)]
enum Step {
    Columns,
    Constraints,
    Indexes,
    Enums,
    Extensions,
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

async fn read_columns(
    c: &mut PgConnection,
    tables: &mut [Table],
    by_oid: &ByOid,
) -> Result<(), sqlx::Error> {
    let mut rows = sqlx::query_as::<_, ColumnRow>(COLUMNS_SQL)
        .persistent(false)
        .fetch(c);
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
        tables[i].columns.push(Column {
            ordinal: i32::from(attnum),
            name,
            data_type,
            nullable: !not_null,
            default,
            identity,
            generated,
        });
    }
    Ok(())
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
    Option<String>,
    Option<String>,
    Option<Vec<i16>>,
    String,
    String,
    Option<String>,
);

async fn read_constraints(
    c: &mut PgConnection,
    tables: &mut [Table],
    by_oid: &ByOid,
) -> Result<(), sqlx::Error> {
    let mut rows = sqlx::query_as::<_, ConstraintRow>(CONSTRAINTS_SQL)
        .persistent(false)
        .fetch(c);
    while let Some((rel, name, kind, key, frel, fschema, ftable, fkey, upd, del, check)) =
        rows.try_next().await?
    {
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
                let referenced_columns = fkey
                    .unwrap_or_default()
                    .into_iter()
                    .map(|n| column_name(target, n))
                    .collect();
                tables[i].foreign_keys.push(ForeignKey {
                    name,
                    columns,
                    referenced_schema: fschema.unwrap_or_default(),
                    referenced_table: ftable.unwrap_or_default(),
                    referenced_columns,
                    on_delete: fk_action(&del),
                    on_update: fk_action(&upd),
                });
            }
        }
    }
    Ok(())
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

async fn read_indexes(
    c: &mut PgConnection,
    tables: &mut [Table],
    by_oid: &ByOid,
) -> Result<(), sqlx::Error> {
    let mut rows = sqlx::query_as::<_, IndexRow>(INDEXES_SQL)
        .persistent(false)
        .fetch(c);
    while let Some((rel, name, unique, primary, nkey, key, definition, exprs)) =
        rows.try_next().await?
    {
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
    Ok(())
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
