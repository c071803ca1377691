//! Scratch mode: the exact expected schema. Creates a fresh temporary database on the scratch
//! server (never the target: refused when the URLs name the same database), applies the local
//! migrations there as sqlx does (each file as one multi-statement script, inside a
//! transaction unless it starts with `-- no-transaction`), inspects it with the same catalog
//! code as the live database, and drops it — also when something failed.

use std::str::FromStr;
use std::time::Duration;

use gaps_core::backend::Backend;
use gaps_core::code::replay::MigrationSource;
use gaps_core::redact;
use gaps_core::schema::Schema;
use gaps_core::section::Section;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};

use crate::db::{Session, SessionOptions, backend_of};

/// (host, port, database) of a Postgres URL, for the "is this the target?" check.
fn identity(url: &str) -> Option<(String, u16, String)> {
    let o = PgConnectOptions::from_str(url).ok()?;
    Some((
        o.get_host().to_ascii_lowercase(),
        o.get_port(),
        o.get_database().unwrap_or(o.get_username()).to_string(),
    ))
}

/// True when both URLs name the same database on the same server.
pub fn same_database(a: &str, b: &str) -> bool {
    match (identity(a), identity(b)) {
        (Some(x), Some(y)) => {
            let local = |h: &str| matches!(h, "localhost" | "127.0.0.1" | "::1" | "[::1]");
            let host_eq = x.0 == y.0 || (local(&x.0) && local(&y.0));
            host_eq && x.1 == y.1 && x.2 == y.2
        }
        _ => a == b,
    }
}

/// A temporary database on the scratch server with the migrations applied. Dropped by
/// [`ScratchDb::drop`] (every caller does, also when something later failed).
pub struct ScratchDb {
    admin: PgConnection,
    name: String,
    url: String,
    secrets: Vec<String>,
}

/// Applies `migrations` to a temporary database on `scratch_url` and returns its schema.
pub async fn expected_schema(
    scratch_url: &str,
    target_url: Option<&str>,
    migrations: &[MigrationSource],
    timeout: Duration,
) -> Result<Schema, String> {
    let db = build(scratch_url, target_url, migrations, timeout).await?;
    let schema = db.inspect().await;
    let dropped = db.drop().await;
    let schema = schema?;
    dropped?;
    Ok(schema)
}

/// Creates a temporary database on `scratch_url` and applies `migrations` to it as sqlx does.
/// Refuses the target database; drops what it created when applying fails.
pub async fn build(
    scratch_url: &str,
    target_url: Option<&str>,
    migrations: &[MigrationSource],
    timeout: Duration,
) -> Result<ScratchDb, String> {
    let secrets = redact::secrets_in_url(scratch_url);
    let clean = |e: &dyn std::fmt::Display| redact::scrub(&e.to_string(), &secrets);
    if let Some(t) = target_url
        && same_database(scratch_url, t)
    {
        return Err(
            "refusing --scratch-database-url: it names the target database; scratch mode creates \
             and drops a database and must run on another database or server"
                .into(),
        );
    }
    if backend_of(scratch_url) != Some(Backend::Postgres) {
        return Err("scratch mode supports postgres:// URLs only".into());
    }
    let base = PgConnectOptions::from_str(scratch_url).map_err(|e| clean(&e))?;
    let mut admin = tokio::time::timeout(timeout, PgConnection::connect_with(&base))
        .await
        .map_err(|_| "timed out connecting to the scratch server".to_string())?
        .map_err(|e| format!("connecting to the scratch server: {}", clean(&e)))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!("gaps_scratch_{}_{nanos}", std::process::id());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
        .map_err(|e| format!("creating scratch database {name}: {}", clean(&e)))?;
    let db = ScratchDb {
        admin,
        url: with_database(scratch_url, &name),
        name,
        secrets: secrets.clone(),
    };
    match apply(&base.clone().database(&db.name), &db.name, migrations).await {
        Ok(()) => Ok(db),
        Err(e) => {
            let _ = db.drop().await;
            Err(clean(&e))
        }
    }
}

impl ScratchDb {
    /// A read-only session on the scratch database (the same code as on the target).
    pub async fn session(&self) -> Result<Session, String> {
        let opts = SessionOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            ..SessionOptions::default()
        };
        Session::open(&self.url, &opts).await.map_err(|e| {
            redact::scrub(&format!("opening the scratch database: {e}"), &self.secrets)
        })
    }

    /// Its schema, read with the same catalog code as the live database.
    pub async fn inspect(&self) -> Result<Schema, String> {
        let mut session = self.session().await?;
        let section = crate::inspect::schema(&mut session).await;
        session.close().await;
        match section {
            Section::Collected { data } => Ok(data),
            Section::Failed { error } => Err(format!(
                "inspecting the scratch database while {}: {}",
                error.during, error.message
            )),
            Section::Skipped { reason } => {
                Err(format!("inspecting the scratch database: {reason}"))
            }
        }
    }

    /// Drops the database (`WITH (FORCE)`) and closes the server connection.
    pub async fn drop(mut self) -> Result<(), String> {
        let dropped = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )))
        .execute(&mut self.admin)
        .await;
        let _ = self.admin.close().await;
        dropped.map(|_| ()).map_err(|e| {
            redact::scrub(
                &format!("dropping scratch database {}: {e}", self.name),
                &self.secrets,
            )
        })
    }
}

fn with_database(url: &str, db: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_path(&format!("/{db}"));
            u.to_string()
        }
        Err(_) => url.to_string(),
    }
}

/// Applies each migration as sqlx does: the file as one script, in a transaction unless it
/// starts with `-- no-transaction`.
async fn apply(
    opts: &PgConnectOptions,
    name: &str,
    migrations: &[MigrationSource],
) -> Result<(), String> {
    let mut conn = PgConnection::connect_with(opts)
        .await
        .map_err(|e| format!("connecting to scratch database {name}: {e}"))?;
    for m in migrations {
        let no_tx = m.sql.trim_start().starts_with("-- no-transaction");
        let run = async {
            if no_tx {
                sqlx::raw_sql(sqlx::AssertSqlSafe(m.sql.clone()))
                    .execute(&mut conn)
                    .await?;
            } else {
                let mut tx = conn.begin().await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(m.sql.clone()))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok::<(), sqlx::Error>(())
        };
        run.await.map_err(|e| {
            format!(
                "applying migration {} ({}) to the scratch database: {e}",
                m.version, m.file
            )
        })?;
    }
    let _ = conn.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_recognised_in_any_spelling() {
        assert!(same_database(
            "postgres://a:secret@localhost:5432/app",
            "postgresql://b@127.0.0.1:5432/app?sslmode=disable"
        ));
        assert!(!same_database(
            "postgres://localhost:5432/scratch",
            "postgres://localhost:5432/app"
        ));
        assert!(!same_database(
            "postgres://localhost:5433/app",
            "postgres://localhost:5432/app"
        ));
    }
}
