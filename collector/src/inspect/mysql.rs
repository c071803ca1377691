//! Catalog inspection for MySQL and MariaDB: `information_schema`, one query per catalog (the
//! `.sql` files in `mysql/`), each in its own savepoint, limited to the connection's database.
//!
//! A MySQL database is what other engines call a schema, so every table's `schema` is the
//! database name. Inline `ENUM(...)` column types become one [`EnumType`] per column, named
//! `table.column`, so the labels can be compared like Postgres enum types.

use std::collections::HashMap;

use futures_util::TryStreamExt;
use gaps_core::backend::Backend;
use gaps_core::schema::{
    Catalog, CheckConstraint, Column, DatabaseInfo, EnumType, ForeignKey, IncompleteCatalog,
    IncompleteCause, Index, KeyConstraint, Schema, Table, TableKind,
};
use gaps_core::section::Section;
use gaps_core::typemap::mysql_enum_labels;
use sqlx::MySqlConnection;

use crate::db::{Conn, DbError, Session};

const SERVER_SQL: &str = include_str!("mysql/server.sql");
const TABLES_SQL: &str = include_str!("mysql/tables.sql");
const COLUMNS_SQL: &str = include_str!("mysql/columns.sql");
const KEYS_SQL: &str = include_str!("mysql/keys.sql");
const CHECKS_MARIADB_SQL: &str = include_str!("mysql/checks_mariadb.sql");
const CHECKS_MYSQL_SQL: &str = include_str!("mysql/checks_mysql.sql");
const INDEXES_SQL: &str = include_str!("mysql/indexes.sql");

/// Runs `body` on the MySQL connection inside the session's savepoint.
async fn read<T>(
    session: &mut Session,
    during: &str,
    body: impl AsyncFnOnce(&mut MySqlConnection) -> Result<T, sqlx::Error>,
) -> Result<T, DbError> {
    session
        .isolated(during, async |c| match c {
            Conn::Mysql(conn) => body(conn).await,
            _ => Err(sqlx::Error::InvalidArgument("not a MySQL session".into())),
        })
        .await
}

/// `(VERSION(), DATABASE(), CURRENT_USER())`.
async fn server_row(
    session: &mut Session,
    during: &str,
) -> Result<(String, Option<String>, String), DbError> {
    read(session, during, async |c| {
        sqlx::query_as::<_, (String, Option<String>, String)>(SERVER_SQL)
            .persistent(false)
            .fetch_one(c)
            .await
    })
    .await
}

/// True when a `VERSION()` text is MariaDB's.
pub fn is_mariadb(version: &str) -> bool {
    version.to_ascii_lowercase().contains("mariadb")
}

/// Server identity. The version is prefixed with the engine ("MariaDB 10.11.6-MariaDB-..."
/// or "MySQL 8.0.36") so a reader of the report does not have to guess from the number.
pub(super) async fn database_info(session: &mut Session) -> Section<DatabaseInfo> {
    let during = "reading server identity (VERSION(), DATABASE(), CURRENT_USER())";
    match server_row(session, during).await {
        Ok((version, database, user)) => Section::collected(DatabaseInfo {
            backend: Backend::Mysql,
            server_version: if is_mariadb(&version) {
                format!("MariaDB {version}")
            } else {
                format!("MySQL {version}")
            },
            database,
            current_user: Some(user),
            search_path: None,
        }),
        Err(e) => {
            let e = e.into_section_error(during);
            Section::failed(e.during, e.message)
        }
    }
}

/// `CASCADE` -> `cascade`, as the Postgres inspector spells rules; "unknown" when the
/// account cannot see them.
fn fk_action(rule: Option<&str>) -> String {
    rule.unwrap_or("unknown").to_ascii_lowercase()
}

type ColumnRow = (
    String,
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

type KeyRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// MariaDB prints a nullable column without a default as the text `NULL`; that is no default.
fn column_default(default: Option<String>) -> Option<String> {
    default.filter(|d| !d.eq_ignore_ascii_case("null"))
}

/// The live schema of the connection's database.
pub(super) async fn schema(session: &mut Session) -> Section<Schema> {
    let during = "reading server identity (VERSION(), DATABASE(), CURRENT_USER())";
    let (version, database) = match server_row(session, during).await {
        Ok((v, Some(db), _)) => (v, db),
        Ok((_, None, _)) => {
            return Section::failed(
                "reading the schema",
                "the database URL names no database (add /DBNAME to the URL)",
            );
        }
        Err(e) => {
            let e = e.into_section_error(during);
            return Section::failed(e.during, e.message);
        }
    };
    let mut schema = Schema {
        schemas: vec![database.clone()],
        ..Schema::default()
    };

    let during = "reading tables (information_schema.TABLES)";
    let result = read(session, during, async |c| {
        sqlx::query_as::<_, (String, String)>(TABLES_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await;
    match result {
        Ok(rows) => {
            for (name, kind) in rows {
                let kind = match kind.as_str() {
                    "VIEW" | "SYSTEM VIEW" => TableKind::View,
                    // "BASE TABLE", MariaDB's "SYSTEM VERSIONED"; sequences and temporary
                    // tables are not relations the application's queries are checked against.
                    "BASE TABLE" | "SYSTEM VERSIONED" => TableKind::Table,
                    _ => continue,
                };
                schema
                    .tables
                    .push(Table::new(&database, &name, kind, Vec::new()));
            }
        }
        Err(e) => {
            let e = e.into_section_error(during);
            return Section::failed(e.during, e.message);
        }
    }
    schema.canonicalize();
    let by_name: HashMap<String, usize> = schema
        .tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();

    // Rows are kept only when the whole read succeeds: a read that fails part-way would
    // otherwise leave tables with some of their columns.
    let during = "reading columns (information_schema.COLUMNS)";
    let result = read(session, during, async |c| {
        let mut out: Vec<(usize, Column)> = Vec::new();
        let mut enums: Vec<EnumType> = Vec::new();
        let mut rows = sqlx::query_as::<_, ColumnRow>(COLUMNS_SQL)
            .persistent(false)
            .fetch(c);
        while let Some((table, ordinal, name, column_type, nullable, default, extra, generated)) =
            rows.try_next().await?
        {
            let Some(&i) = by_name.get(&table) else {
                continue;
            };
            let extra = extra.unwrap_or_default().to_ascii_lowercase();
            if let Some(labels) = mysql_enum_labels(&column_type) {
                enums.push(EnumType {
                    schema: database.clone(),
                    name: format!("{table}.{name}"),
                    labels,
                });
            }
            out.push((
                i,
                Column {
                    ordinal: i32::try_from(ordinal).unwrap_or(i32::MAX),
                    name,
                    data_type: column_type,
                    nullable: nullable.eq_ignore_ascii_case("yes"),
                    default: column_default(default),
                    // AUTO_INCREMENT fills the column when no value is given and accepts an
                    // explicit one: Postgres' GENERATED BY DEFAULT AS IDENTITY.
                    identity: extra
                        .contains("auto_increment")
                        .then(|| "by_default".to_string()),
                    generated: generated.filter(|g| !g.is_empty()),
                },
            ));
        }
        Ok((out, enums))
    })
    .await;
    match result {
        Ok((columns, enums)) => {
            for (i, column) in columns {
                schema.tables[i].columns.push(column);
            }
            schema.enums = enums;
        }
        // Inline ENUMs are read with the columns: both are unknown.
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Columns, Catalog::Enums])),
    }

    let during = "reading keys (information_schema.KEY_COLUMN_USAGE, REFERENTIAL_CONSTRAINTS)";
    let result = read(session, during, async |c| {
        sqlx::query_as::<_, KeyRow>(KEYS_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await
    .map(|rows| {
        let tables = &mut schema.tables;
        // Foreign keys whose rules the account cannot see.
        let mut hidden_rules: Vec<String> = Vec::new();
        for (table, name, column, ref_schema, ref_table, ref_column, upd, del) in rows {
            let Some(&i) = by_name.get(&table) else {
                continue;
            };
            let t = &mut tables[i];
            let column = column.unwrap_or_default();
            if name == "PRIMARY" {
                t.primary_key
                    .get_or_insert_with(|| KeyConstraint {
                        name: name.clone(),
                        columns: Vec::new(),
                    })
                    .columns
                    .push(column);
            } else if let Some(ref_table) = ref_table {
                match t.foreign_keys.last_mut() {
                    Some(fk) if fk.name == name => {
                        fk.columns.push(column);
                        fk.referenced_columns.extend(ref_column);
                    }
                    _ => {
                        if upd.is_none() || del.is_none() {
                            hidden_rules.push(format!("{table}.{name}"));
                        }
                        t.foreign_keys.push(ForeignKey {
                            name,
                            columns: vec![column],
                            referenced_schema: ref_schema.unwrap_or_else(|| database.clone()),
                            referenced_table: ref_table,
                            referenced_columns: ref_column.into_iter().collect(),
                            on_delete: fk_action(del.as_deref()),
                            on_update: fk_action(upd.as_deref()),
                        });
                    }
                }
            } else {
                match t.unique_constraints.last_mut() {
                    Some(u) if u.name == name => u.columns.push(column),
                    _ => t.unique_constraints.push(KeyConstraint {
                        name,
                        columns: vec![column],
                    }),
                }
            }
        }
        hidden_rules
    });
    match result {
        Ok(hidden) if !hidden.is_empty() => {
            schema.incomplete.push(IncompleteCatalog::new(
                "reading foreign key rules (information_schema.REFERENTIAL_CONSTRAINTS)",
                format!(
                    "the ON UPDATE / ON DELETE rules of {} are not visible to this account \
                     (MariaDB shows REFERENTIAL_CONSTRAINTS only with a privilege beyond \
                     SELECT); they are recorded as \"unknown\"",
                    hidden.join(", ")
                ),
                &[Catalog::ForeignKeyRules],
                IncompleteCause::Hidden,
            ));
        }
        Ok(_) => {}
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Keys, Catalog::ForeignKeys])),
    }

    let during = "reading CHECK constraints (information_schema.CHECK_CONSTRAINTS)";
    let checks_sql = if is_mariadb(&version) {
        CHECKS_MARIADB_SQL
    } else {
        CHECKS_MYSQL_SQL
    };
    let result = read(session, during, async |c| {
        sqlx::query_as::<_, (String, String, String)>(checks_sql)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await;
    match result {
        Ok(rows) => {
            for (table, name, expression) in rows {
                if let Some(&i) = by_name.get(&table) {
                    schema.tables[i]
                        .check_constraints
                        .push(CheckConstraint { name, expression });
                }
            }
        }
        Err(e) => schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Checks])),
    }

    let during = "reading indexes (information_schema.STATISTICS)";
    type IndexRow = (String, String, i64, Option<String>, Option<i64>, String);
    let result = read(session, during, async |c| {
        sqlx::query_as::<_, IndexRow>(INDEXES_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await
    .map(|rows| {
        let tables = &mut schema.tables;
        for (table, name, non_unique, column, sub_part, _kind) in rows {
            let Some(&i) = by_name.get(&table) else {
                continue;
            };
            let t = &mut tables[i];
            let column = match (column, sub_part) {
                (Some(c), Some(n)) => format!("{c}({n})"),
                (Some(c), None) => c,
                (None, _) => "(expression)".to_string(),
            };
            match t.indexes.last_mut() {
                Some(ix) if ix.name == name => ix.columns.push(column),
                _ => t.indexes.push(Index {
                    primary: name == "PRIMARY",
                    name,
                    columns: vec![column],
                    unique: non_unique == 0,
                    definition: None,
                }),
            }
        }
    });
    if let Err(e) = result {
        schema
            .incomplete
            .push(e.into_incomplete(during, &[Catalog::Indexes]));
    }

    schema.canonicalize();
    Section::collected(schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mariadb_is_told_apart_from_mysql_by_its_version_text() {
        assert!(is_mariadb("10.11.6-MariaDB-0+deb12u1"));
        assert!(!is_mariadb("8.0.36"));
        assert!(!is_mariadb("8.4.0-commercial"));
    }

    #[test]
    fn mariadb_null_default_text_is_no_default() {
        assert_eq!(column_default(Some("NULL".into())), None);
        assert_eq!(column_default(None), None);
        assert_eq!(
            column_default(Some("'draft'".into())),
            Some("'draft'".to_string())
        );
    }
}
