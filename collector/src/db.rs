//! Read-only database sessions. Opening one connects with a timeout and starts a READ ONLY
//! transaction (REPEATABLE READ on Postgres, so the whole snapshot is one consistent view);
//! every catalog read in the collector goes through it and nothing is ever committed.

use std::str::FromStr;
use std::time::Duration;

use gaps_core::redact;
use gaps_core::snapshot::Backend;
use sqlx::{Connection, MySqlConnection, PgConnection, SqliteConnection};

/// Why a session could not be opened or a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL's scheme is not one gaps reads.
    #[error(
        "unsupported database URL scheme in {url} (use postgres://, postgresql://, mysql://, mariadb:// or sqlite:)"
    )]
    UnsupportedScheme {
        /// The redacted URL.
        url: String,
    },
    /// The URL could not be parsed into connection options.
    #[error("invalid database URL {url}: {message}")]
    InvalidUrl {
        /// The redacted URL.
        url: String,
        /// Why it is invalid (redacted).
        message: String,
    },
    /// No connection within the timeout.
    #[error("timed out after {secs:.1}s connecting to {url}")]
    ConnectTimeout {
        /// The redacted URL.
        url: String,
        /// The timeout.
        secs: f64,
    },
    /// The server refused or the connection failed.
    #[error("could not connect to {url}: {message}")]
    Connect {
        /// The redacted URL.
        url: String,
        /// The driver's message (redacted).
        message: String,
    },
    /// A statement failed.
    #[error("{during}: {message}")]
    Statement {
        /// What was being read.
        during: String,
        /// The driver's message (redacted).
        message: String,
    },
}

impl DbError {
    /// The error as a snapshot records it: a failed statement keeps its own `during`, any other
    /// error is attributed to `during`.
    pub fn into_section_error(self, during: &str) -> gaps_core::section::SectionError {
        match self {
            DbError::Statement { during, message } => {
                gaps_core::section::SectionError { during, message }
            }
            other => gaps_core::section::SectionError {
                during: during.to_string(),
                message: other.to_string(),
            },
        }
    }
}

/// Which engine a URL names, from its scheme.
pub fn backend_of(url: &str) -> Option<Backend> {
    let scheme = url.split(':').next()?.to_ascii_lowercase();
    match scheme.as_str() {
        "postgres" | "postgresql" => Some(Backend::Postgres),
        "sqlite" => Some(Backend::Sqlite),
        "mysql" | "mariadb" => Some(Backend::Mysql),
        _ => None,
    }
}

/// Selects rustls' crypto provider for the process. Two providers (ring, aws-lc-rs) are
/// compiled in through different dependencies, and rustls then refuses to pick one on its
/// own: without this, the first TLS connection (`sslmode=require`) panics.
fn install_tls_provider() {
    // Err only means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An open read-only session on one database.
pub enum Session {
    /// A Postgres connection inside `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`.
    Postgres(PgConnection),
    /// A SQLite connection opened read-only with `PRAGMA query_only`, inside `BEGIN`.
    Sqlite(SqliteConnection),
    /// A MySQL/MariaDB connection inside `START TRANSACTION READ ONLY` (REPEATABLE READ with a
    /// consistent snapshot).
    Mysql(MySqlConnection),
}

/// Connection settings for [`Session::open`].
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// How long to wait for the connection.
    pub connect_timeout: Duration,
    /// How long any statement may run.
    pub statement_timeout: Duration,
}

impl Session {
    /// Connects to `url` and starts the read-only transaction.
    pub async fn open(url: &str, opts: &SessionOptions) -> Result<Session, DbError> {
        install_tls_provider();
        let secrets = redact::secrets_in_url(url);
        let shown = redact::redact_url(url);
        let clean = |e: &dyn std::fmt::Display| {
            redact::redact_text(&redact::scrub(&e.to_string(), &secrets))
        };
        let backend =
            backend_of(url).ok_or_else(|| DbError::UnsupportedScheme { url: shown.clone() })?;
        // No named prepared statement may outlive the session: through a transaction-mode
        // pooler (PgBouncer, Neon's -pooler hosts) a leftover one collides with the
        // application's ("prepared statement sqlx_s_1 already exists"). Catalog reads are
        // therefore unnamed (`persistent(false)`), and the query checker closes the named
        // statements `describe` needs before its savepoint ends (they must stay in sqlx's cache,
        // so the cache is left on).
        let connect =
            async {
                match backend {
                    Backend::Postgres => {
                        let mut options =
                            sqlx::postgres::PgConnectOptions::from_str(url).map_err(|e| {
                                DbError::InvalidUrl {
                                    url: shown.clone(),
                                    message: clean(&e),
                                }
                            })?;
                        if options.get_application_name().is_none() {
                            // So a DBA watching pg_stat_activity sees who is reading the catalogs.
                            options = options.application_name("gaps");
                        }
                        let conn = PgConnection::connect_with(&options).await.map_err(|e| {
                            DbError::Connect {
                                url: shown.clone(),
                                message: clean(&e),
                            }
                        })?;
                        Ok(Session::Postgres(conn))
                    }
                    Backend::Sqlite => {
                        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)
                            .map_err(|e| DbError::InvalidUrl {
                                url: shown.clone(),
                                message: clean(&e),
                            })?
                            .read_only(true)
                            .create_if_missing(false);
                        let conn = SqliteConnection::connect_with(&options)
                            .await
                            .map_err(|e| DbError::Connect {
                                url: shown.clone(),
                                message: clean(&e),
                            })?;
                        Ok(Session::Sqlite(conn))
                    }
                    Backend::Mysql => {
                        // sqlx only knows the mysql:// scheme; mariadb:// names the same protocol.
                        let normalized = match url.split_once(':') {
                            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("mariadb") => {
                                format!("mysql:{rest}")
                            }
                            _ => url.to_string(),
                        };
                        let options = sqlx::mysql::MySqlConnectOptions::from_str(&normalized)
                            .map_err(|e| DbError::InvalidUrl {
                                url: shown.clone(),
                                message: clean(&e),
                            })?;
                        let conn = MySqlConnection::connect_with(&options).await.map_err(|e| {
                            DbError::Connect {
                                url: shown.clone(),
                                message: clean(&e),
                            }
                        })?;
                        Ok(Session::Mysql(conn))
                    }
                }
            };
        let mut session = tokio::time::timeout(opts.connect_timeout, connect)
            .await
            .map_err(|_| DbError::ConnectTimeout {
                url: shown.clone(),
                secs: opts.connect_timeout.as_secs_f64(),
            })??;
        session.begin_read_only(opts).await.map_err(|e| match e {
            DbError::Statement { during, message } => DbError::Statement {
                during,
                message: redact::scrub(&message, &secrets),
            },
            other => other,
        })?;
        Ok(session)
    }

    async fn begin_read_only(&mut self, opts: &SessionOptions) -> Result<(), DbError> {
        let ms = opts.statement_timeout.as_millis().max(1);
        match self {
            Session::Postgres(conn) => {
                // Transaction-scoped settings only: through a transaction-mode pooler a session
                // setting would leak to the application's next transaction on this server
                // connection.
                for sql in [
                    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".to_string(),
                    "SET LOCAL default_transaction_read_only = on".to_string(),
                    format!("SET LOCAL statement_timeout = {ms}"),
                ] {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                        .execute(&mut *conn)
                        .await
                        .map_err(|e| DbError::Statement {
                            during: format!("starting the read-only transaction ({sql})"),
                            message: e.to_string(),
                        })?;
                }
            }
            Session::Sqlite(conn) => {
                for sql in ["PRAGMA query_only = ON", "BEGIN"] {
                    sqlx::raw_sql(sql).execute(&mut *conn).await.map_err(|e| {
                        DbError::Statement {
                            during: format!("starting the read-only transaction ({sql})"),
                            message: e.to_string(),
                        }
                    })?;
                }
            }
            Session::Mysql(conn) => {
                // The isolation level applies to the next transaction only, and READ ONLY makes
                // the server refuse any write inside it. max_statement_time (MariaDB, seconds)
                // and max_execution_time (MySQL, milliseconds, SELECT only) bound each
                // statement; whichever the server does not know is skipped.
                let secs = ms as f64 / 1000.0;
                let timeouts = [
                    format!("SET SESSION max_statement_time = {secs:.3}"),
                    format!("SET SESSION max_execution_time = {ms}"),
                ];
                for sql in &timeouts {
                    // Failing only means this server lacks that variable.
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                        .execute(&mut *conn)
                        .await;
                }
                for sql in [
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                    "START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT",
                ] {
                    sqlx::raw_sql(sql).execute(&mut *conn).await.map_err(|e| {
                        DbError::Statement {
                            during: format!("starting the read-only transaction ({sql})"),
                            message: e.to_string(),
                        }
                    })?;
                }
            }
        }
        Ok(())
    }

    /// Runs `body` inside a SAVEPOINT, so that a failing statement (a permission error, a
    /// timeout) is rolled back to the savepoint and the read-only transaction stays usable for
    /// the next section. `during` names what was being read, for the error message.
    pub async fn isolated<T>(
        &mut self,
        during: &str,
        body: impl AsyncFnOnce(&mut Session) -> Result<T, sqlx::Error>,
    ) -> Result<T, DbError> {
        self.exec_control("SAVEPOINT gaps_section", during).await?;
        match body(self).await {
            Ok(value) => {
                self.exec_control("RELEASE SAVEPOINT gaps_section", during)
                    .await?;
                Ok(value)
            }
            Err(e) => {
                self.exec_control("ROLLBACK TO SAVEPOINT gaps_section", during)
                    .await?;
                Err(DbError::Statement {
                    during: during.to_string(),
                    message: e.to_string(),
                })
            }
        }
    }

    async fn exec_control(&mut self, sql: &'static str, during: &str) -> Result<(), DbError> {
        let result = match self {
            Session::Postgres(conn) => sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ()),
            Session::Sqlite(conn) => sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ()),
            Session::Mysql(conn) => sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ()),
        };
        result.map_err(|e| DbError::Statement {
            during: format!("{during} ({sql})"),
            message: e.to_string(),
        })
    }

    /// Which engine this session talks to.
    pub fn backend(&self) -> Backend {
        match self {
            Session::Postgres(_) => Backend::Postgres,
            Session::Sqlite(_) => Backend::Sqlite,
            Session::Mysql(_) => Backend::Mysql,
        }
    }

    /// Ends the transaction with ROLLBACK (nothing was written; this only releases the
    /// snapshot) and closes the connection.
    pub async fn close(self) {
        match self {
            Session::Postgres(mut conn) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut conn).await;
                let _ = conn.close().await;
            }
            Session::Sqlite(mut conn) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut conn).await;
                let _ = conn.close().await;
            }
            Session::Mysql(mut conn) => {
                let _ = sqlx::raw_sql("ROLLBACK").execute(&mut conn).await;
                let _ = conn.close().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backends_are_named_by_scheme() {
        assert_eq!(backend_of("postgres://x/y"), Some(Backend::Postgres));
        assert_eq!(backend_of("postgresql://x/y"), Some(Backend::Postgres));
        assert_eq!(backend_of("sqlite:demo.db"), Some(Backend::Sqlite));
        assert_eq!(backend_of("mysql://x/y"), Some(Backend::Mysql));
        assert_eq!(backend_of("mariadb://x/y"), Some(Backend::Mysql));
        assert_eq!(backend_of("oracle://x"), None);
    }
}
