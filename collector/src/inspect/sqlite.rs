//! Catalog inspection for SQLite: `sqlite_master` joined with the pragma table-valued
//! functions, one query per catalog (the `.sql` files in `sqlite/`), each in a savepoint.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use gaps_core::backend::Backend;
use gaps_core::schema::{
    Catalog, Column, DatabaseInfo, ForeignKey, Index, KeyConstraint, Schema, Table, TableKind,
};
use gaps_core::section::Section;
use sqlx::SqliteConnection;

use crate::db::{Conn, DbError, Session};

const SERVER_SQL: &str = include_str!("sqlite/server.sql");
const COLUMNS_SQL: &str = include_str!("sqlite/columns.sql");
const INDEXES_SQL: &str = include_str!("sqlite/indexes.sql");
const FOREIGN_KEYS_SQL: &str = include_str!("sqlite/foreign_keys.sql");

/// SQLite has one schema per attached file; gaps reads the main one.
const MAIN: &str = "main";

async fn read<T>(
    session: &mut Session,
    during: &str,
    body: impl AsyncFnOnce(&mut SqliteConnection) -> Result<T, sqlx::Error>,
) -> Result<T, DbError> {
    session
        .isolated(during, async |c| match c {
            Conn::Sqlite(conn) => body(conn).await,
            _ => Err(sqlx::Error::InvalidArgument("not a SQLite session".into())),
        })
        .await
}

/// Library version and database file name.
pub(super) async fn database_info(session: &mut Session) -> Section<DatabaseInfo> {
    let during = "reading sqlite_version() and pragma_database_list";
    let row = read(session, during, async |c| {
        sqlx::query_as::<_, (String, Option<String>)>(SERVER_SQL)
            .fetch_one(c)
            .await
    })
    .await;
    match row {
        Ok((version, file)) => Section::collected(DatabaseInfo {
            backend: Backend::Sqlite,
            server_version: version,
            database: file.map(|f| {
                std::path::Path::new(&f)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or(f)
            }),
            current_user: None,
            search_path: None,
        }),
        Err(e) => {
            let e = e.into_section_error(during);
            Section::failed(e.during, e.message)
        }
    }
}

type ColumnRow = (
    String,
    String,
    i64,
    String,
    String,
    bool,
    Option<String>,
    i64,
    i64,
);

/// The live schema of the main database.
pub(super) async fn schema(session: &mut Session) -> Section<Schema> {
    let mut schema = Schema {
        schemas: vec![MAIN.to_string()],
        ..Schema::default()
    };

    let during = "reading tables and columns (sqlite_master, pragma_table_xinfo)";
    let result = read(session, during, async |c| {
        let mut tables: Vec<Table> = Vec::new();
        // Key position -> column name, per table, to build the primary key.
        let mut pks: Vec<Vec<(i64, String)>> = Vec::new();
        let mut rows = sqlx::query_as::<_, ColumnRow>(COLUMNS_SQL).fetch(c);
        while let Some((table, kind, cid, name, decl, not_null, default, pk, hidden)) =
            rows.try_next().await?
        {
            if tables.last().is_none_or(|t| t.name != table) {
                tables.push(Table {
                    schema: MAIN.to_string(),
                    name: table,
                    kind: if kind == "view" {
                        TableKind::View
                    } else {
                        TableKind::Table
                    },
                    columns: Vec::new(),
                    primary_key: None,
                    unique_constraints: Vec::new(),
                    check_constraints: Vec::new(),
                    foreign_keys: Vec::new(),
                    indexes: Vec::new(),
                });
                pks.push(Vec::new());
            }
            let (Some(t), Some(pk_cols)) = (tables.last_mut(), pks.last_mut()) else {
                continue;
            };
            if pk > 0 {
                pk_cols.push((pk, name.clone()));
            }
            // SQLite's pragmas do not expose the generation expression, only its storage.
            let generated = match hidden {
                2 => Some("virtual".to_string()),
                3 => Some("stored".to_string()),
                _ => None,
            };
            t.columns.push(Column {
                ordinal: i32::try_from(cid + 1).unwrap_or(i32::MAX),
                name,
                data_type: decl,
                nullable: !not_null,
                default,
                identity: None,
                generated,
            });
        }
        for (t, mut cols) in tables.iter_mut().zip(pks) {
            if !cols.is_empty() {
                cols.sort();
                t.primary_key = Some(KeyConstraint {
                    name: format!("{}_pkey", t.name),
                    columns: cols.into_iter().map(|(_, n)| n).collect(),
                });
            }
        }
        Ok(tables)
    })
    .await;
    match result {
        Ok(tables) => schema.tables = tables,
        Err(e) => {
            let e = e.into_section_error(during);
            return Section::failed(e.during, e.message);
        }
    }
    let by_name: HashMap<String, usize> = schema
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();

    let during = "reading indexes (pragma_index_list, pragma_index_info)";
    type IndexRow = (
        String,
        String,
        bool,
        String,
        i64,
        Option<String>,
        Option<String>,
    );
    // Rows are applied only when the whole read succeeded.
    let result = read(session, during, async |c| {
        sqlx::query_as::<_, IndexRow>(INDEXES_SQL)
            .fetch_all(c)
            .await
    })
    .await
    .map(|rows| {
        let tables = &mut schema.tables;
        for (table, index, unique, origin, _seq, column, sql) in rows {
            let Some(&i) = by_name.get(&table) else {
                continue;
            };
            let t = &mut tables[i];
            let column = column.unwrap_or_else(|| "(expression)".to_string());
            match t.indexes.last_mut() {
                Some(last) if last.name == index => last.columns.push(column),
                _ => {
                    if origin == "u" {
                        t.unique_constraints.push(KeyConstraint {
                            name: index.clone(),
                            columns: Vec::new(),
                        });
                    }
                    t.indexes.push(Index {
                        name: index,
                        columns: vec![column],
                        unique,
                        primary: origin == "pk",
                        definition: sql,
                    });
                }
            }
        }
        // UNIQUE constraints have the columns of their automatic index.
        for t in tables.iter_mut() {
            for u in &mut t.unique_constraints {
                if let Some(ix) = t.indexes.iter().find(|ix| ix.name == u.name) {
                    u.columns = ix.columns.clone();
                }
            }
        }
    });
    if let Err(e) = result {
        schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Indexes, Catalog::Keys]));
    }

    let during = "reading foreign keys (pragma_foreign_key_list)";
    type FkRow = (
        String,
        i64,
        i64,
        String,
        String,
        Option<String>,
        String,
        String,
    );
    let result = read(session, during, async |c| {
        sqlx::query_as::<_, FkRow>(FOREIGN_KEYS_SQL)
            .fetch_all(c)
            .await
    })
    .await
    .map(|rows| {
        let tables = &mut schema.tables;
        // (table index, fk id) -> position in that table's foreign_keys.
        let mut seen: HashMap<(usize, i64), usize> = HashMap::new();
        let mut unresolved: Vec<(usize, usize)> = Vec::new();
        for (table, id, _seq, parent, from, to, on_update, on_delete) in rows {
            let Some(&i) = by_name.get(&table) else {
                continue;
            };
            let fks = &mut tables[i].foreign_keys;
            let k = *seen.entry((i, id)).or_insert_with(|| {
                fks.push(ForeignKey {
                    name: format!("{table}_fk{id}"),
                    columns: Vec::new(),
                    referenced_schema: MAIN.to_string(),
                    referenced_table: parent.clone(),
                    referenced_columns: Vec::new(),
                    on_delete: on_delete.to_ascii_lowercase(),
                    on_update: on_update.to_ascii_lowercase(),
                });
                fks.len() - 1
            });
            fks[k].columns.push(from);
            match to {
                Some(to) => fks[k].referenced_columns.push(to),
                None => unresolved.push((i, k)),
            }
        }
        // "REFERENCES parent" without columns means the parent's primary key.
        unresolved.sort();
        unresolved.dedup();
        for (i, k) in unresolved {
            let parent = tables[i].foreign_keys[k].referenced_table.clone();
            let pk = by_name
                .get(&parent)
                .and_then(|&j| tables[j].primary_key.as_ref())
                .map(|pk| pk.columns.clone())
                .unwrap_or_default();
            tables[i].foreign_keys[k].referenced_columns = pk;
        }
    });
    if let Err(e) = result {
        schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::ForeignKeys, Catalog::ForeignKeyRules]));
    }

    schema.canonicalize();
    Section::collected(schema)
}
