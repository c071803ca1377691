//! The rows of sqlx's migrations table, read inside the read-only session. Absence is detected
//! with catalog lookups (`to_regclass` on Postgres, `sqlite_master` on SQLite,
//! `information_schema.TABLES` on MySQL/MariaDB), never by trying to create anything.

use gaps_core::migrations::{
    AppliedMigration, AppliedMigrations, split_quoted_name, split_table_name,
    sqlite_timestamp_to_rfc3339,
};
use sqlx::{AssertSqlSafe, MySqlConnection, PgConnection, Row, SqliteConnection};

use crate::db::{Conn, DbError, Session};

/// Reads every row of `table` (the name as sqlx would interpolate it), or records that the
/// table is absent. `source` says where the name came from.
pub async fn read(
    session: &mut Session,
    table: &str,
    source: &str,
) -> Result<AppliedMigrations, DbError> {
    let during = format!("reading the migrations table {table}");
    let table_owned = table.to_string();
    let mut result = session
        .isolated(&during, async |c: &mut Conn| match c {
            Conn::Postgres(conn) => read_postgres(conn, &table_owned).await,
            Conn::Sqlite(conn) => read_sqlite(conn, &table_owned).await,
            Conn::Mysql(conn) => read_mysql(conn, &table_owned).await,
        })
        .await?;
    result.table_source = Some(source.to_string());
    Ok(result)
}

async fn read_postgres(
    conn: &mut PgConnection,
    table: &str,
) -> Result<AppliedMigrations, sqlx::Error> {
    // to_regclass resolves the name through search_path exactly as sqlx's unquoted
    // interpolation does, and returns NULL (no error, no DDL) when the table is absent.
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT n.nspname || '.' || c.relname, format('%I.%I', n.nspname, c.relname) \
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.oid = pg_catalog.to_regclass($1)",
    )
    .persistent(false)
    .bind(table)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((shown, quoted)) = found else {
        // Not on the search_path. A table of that name in another schema means the search_path
        // (often set on the role: ALTER ROLE ... SET search_path) hides it, which is not the
        // same diagnosis as "no migration ever ran here".
        let elsewhere: Vec<(String, String)> = sqlx::query_as(
            "SELECT format('%I.%I', n.nspname, c.relname), \
             pg_catalog.current_setting('search_path') \
             FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE pg_catalog.array_length(pg_catalog.parse_ident($1), 1) = 1 \
               AND c.relname = (pg_catalog.parse_ident($1))[1] \
               AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
             ORDER BY 1",
        )
        .persistent(false)
        .bind(table)
        .fetch_all(&mut *conn)
        .await?;
        let mut missing = absent(table);
        if let Some((_, path)) = elsewhere.first() {
            missing.search_path = Some(path.clone());
        }
        missing.hidden_in = elsewhere.into_iter().map(|(t, _)| t).collect();
        return Ok(missing);
    };
    // `quoted` comes from format('%I.%I'), so it is a safely quoted identifier.
    let sql = format!(
        "SELECT version::int8, description::text, \
         to_char(installed_on::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), \
         success::bool, encode(checksum::bytea, 'hex'), execution_time::int8 \
         FROM {quoted} ORDER BY version"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(AppliedMigration {
            version: r.try_get(0)?,
            description: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
            installed_on: r.try_get(2)?,
            success: r.try_get::<Option<bool>, _>(3)?.unwrap_or(false),
            checksum: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
            execution_time: r.try_get::<Option<i64>, _>(5)?.unwrap_or(-1),
        });
    }
    Ok(AppliedMigrations {
        table: shown,
        table_source: None,
        present: true,
        hidden_in: Vec::new(),
        search_path: None,
        rows: out,
    })
}

async fn read_sqlite(
    conn: &mut SqliteConnection,
    table: &str,
) -> Result<AppliedMigrations, sqlx::Error> {
    let Some(parts) = split_table_name(table).filter(|p| p.len() <= 2) else {
        return Err(sqlx::Error::Protocol(format!(
            "`{table}` is not a valid table name (expected NAME or SCHEMA.NAME)"
        )));
    };
    let (schema, name) = match parts.as_slice() {
        [name] => ("main".to_string(), name.clone()),
        [schema, name] => (schema.clone(), name.clone()),
        _ => unreachable!("filtered to one or two parts"),
    };
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let exists: Option<(String,)> = sqlx::query_as(AssertSqlSafe(format!(
        "SELECT name FROM {}.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
        q(&schema)
    )))
    .persistent(false)
    .bind(&name)
    .fetch_optional(&mut *conn)
    .await?;
    let shown = format!("{schema}.{name}");
    let Some((real_name,)) = exists else {
        return Ok(absent(&shown));
    };
    let sql = format!(
        "SELECT CAST(version AS INTEGER), CAST(description AS TEXT), CAST(installed_on AS TEXT), \
         CAST(success AS INTEGER), lower(hex(checksum)), CAST(execution_time AS INTEGER) \
         FROM {}.{} ORDER BY version",
        q(&schema),
        q(&real_name)
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(AppliedMigration {
            version: r.try_get(0)?,
            description: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
            installed_on: r
                .try_get::<Option<String>, _>(2)?
                .map(|t| sqlite_timestamp_to_rfc3339(&t)),
            success: r.try_get::<Option<i64>, _>(3)?.unwrap_or(0) != 0,
            checksum: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
            execution_time: r.try_get::<Option<i64>, _>(5)?.unwrap_or(-1),
        });
    }
    Ok(AppliedMigrations {
        table: format!("{schema}.{real_name}"),
        table_source: None,
        present: true,
        hidden_in: Vec::new(),
        search_path: None,
        rows: out,
    })
}

/// Splits `db.name` / `name`, each part optionally in backticks (MySQL's identifier quotes).
fn split_mysql_table_name(table: &str) -> Option<(Option<String>, String)> {
    let mut parts = split_quoted_name(table, '`')?;
    let name = parts.pop()?;
    match parts.len() {
        0 => Some((None, name)),
        1 => Some((parts.pop(), name)),
        _ => None,
    }
}

async fn read_mysql(
    conn: &mut MySqlConnection,
    table: &str,
) -> Result<AppliedMigrations, sqlx::Error> {
    let Some((schema, name)) = split_mysql_table_name(table) else {
        return Err(sqlx::Error::Protocol(format!(
            "`{table}` is not a valid table name (expected NAME or DATABASE.NAME)"
        )));
    };
    // An unqualified name is in the connection's database, as sqlx's interpolation resolves it.
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT CONVERT(TABLE_SCHEMA USING utf8mb4), CONVERT(TABLE_NAME USING utf8mb4) \
         FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?",
    )
    .persistent(false)
    .bind(schema.as_deref())
    .bind(&name)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((db, real_name)) = found else {
        let shown = match schema {
            Some(s) => format!("{s}.{name}"),
            None => name,
        };
        return Ok(absent(&shown));
    };
    let q = |s: &str| format!("`{}`", s.replace('`', "``"));
    // UNIX_TIMESTAMP reads a TIMESTAMP in the session's time zone and gives UTC epoch seconds
    // (with the column's fraction), so no time zone tables are needed.
    let sql = format!(
        "SELECT CAST(version AS SIGNED), CONVERT(description USING utf8mb4), \
         CAST(ROUND(UNIX_TIMESTAMP(installed_on) * 1000000) AS SIGNED), \
         CAST(success AS SIGNED), CONVERT(LOWER(HEX(checksum)) USING utf8mb4), \
         CAST(execution_time AS SIGNED) FROM {}.{} ORDER BY version",
        q(&db),
        q(&real_name)
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(AppliedMigration {
            version: r.try_get(0)?,
            description: r.try_get::<Option<String>, _>(1)?.unwrap_or_default(),
            installed_on: r
                .try_get::<Option<i64>, _>(2)?
                .and_then(chrono::DateTime::from_timestamp_micros)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()),
            success: r.try_get::<Option<i64>, _>(3)?.unwrap_or(0) != 0,
            checksum: r.try_get::<Option<String>, _>(4)?.unwrap_or_default(),
            execution_time: r.try_get::<Option<i64>, _>(5)?.unwrap_or(-1),
        });
    }
    Ok(AppliedMigrations {
        table: format!("{db}.{real_name}"),
        table_source: None,
        present: true,
        hidden_in: Vec::new(),
        search_path: None,
        rows: out,
    })
}

fn absent(table: &str) -> AppliedMigrations {
    AppliedMigrations {
        table: table.to_string(),
        table_source: None,
        present: false,
        hidden_in: Vec::new(),
        search_path: None,
        rows: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::split_mysql_table_name;

    #[test]
    fn mysql_table_names_split_on_dots_outside_backticks() {
        assert_eq!(
            split_mysql_table_name("_sqlx_migrations"),
            Some((None, "_sqlx_migrations".into()))
        );
        assert_eq!(
            split_mysql_table_name("app.`my.migrations`"),
            Some((Some("app".into()), "my.migrations".into()))
        );
        assert_eq!(split_mysql_table_name("`a``b`"), Some((None, "a`b".into())));
        assert_eq!(split_mysql_table_name("a.b.c"), None);
        assert_eq!(split_mysql_table_name(""), None);
        assert_eq!(split_mysql_table_name("`open"), None);
    }
}
