//! Read-only database sessions. Opening one connects with a timeout and starts a READ ONLY
//! transaction (REPEATABLE READ on Postgres, so the whole snapshot is one consistent view)
//! with short `statement_timeout` and `lock_timeout`; every catalog read in the collector
//! goes through it, each read ends by rolling back its savepoint (so no relation lock is held
//! between statements), every round trip has a client-side timeout and the collection a
//! deadline (the `guard` module), and nothing is ever committed.

use std::str::FromStr;
use std::time::{Duration, Instant};

use gaps_core::backend::Backend;
use gaps_core::redact;
use gaps_core::schema::{Catalog, IncompleteCatalog, IncompleteCause};
use gaps_core::session::{EndCause, SessionEnd, SessionReport};
use sqlx::{Connection, MySqlConnection, PgConnection, SqliteConnection};

mod guard;

use guard::Guard;
pub use guard::cause_of;

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
    /// A statement failed; the session is still usable.
    #[error("{during}: {message}")]
    Statement {
        /// What was being read.
        during: String,
        /// The driver's message (redacted).
        message: String,
        /// What kind of failure (lock timeout, statement timeout, permission, other).
        cause: IncompleteCause,
    },
    /// The session was given up (deadline reached, server stalled, connection lost): nothing
    /// more is sent on it, and this read was not done.
    #[error("{during}: {message}")]
    Ended {
        /// What was being read.
        during: String,
        /// Why the session ended.
        message: String,
        /// Why, as a cause.
        cause: EndCause,
    },
}

impl DbError {
    /// The error as a snapshot records it: a failed statement keeps its own `during`, any other
    /// error is attributed to `during`.
    pub fn into_section_error(self, during: &str) -> gaps_core::section::SectionError {
        match self {
            DbError::Statement {
                during, message, ..
            }
            | DbError::Ended {
                during, message, ..
            } => gaps_core::section::SectionError { during, message },
            other => gaps_core::section::SectionError {
                during: during.to_string(),
                message: other.to_string(),
            },
        }
    }

    /// The error as a catalog the live schema lacks.
    pub fn into_incomplete(self, during: &str, catalogs: &[Catalog]) -> IncompleteCatalog {
        let cause = self.cause();
        let e = self.into_section_error(during);
        IncompleteCatalog::new(e.during, e.message, catalogs, cause)
    }

    /// What kind of failure this is, as the snapshot records it.
    pub fn cause(&self) -> IncompleteCause {
        match self {
            DbError::Statement { cause, .. } => *cause,
            DbError::Ended {
                cause: EndCause::Deadline,
                ..
            } => IncompleteCause::Deadline,
            DbError::Ended { .. } => IncompleteCause::ConnectionLost,
            _ => IncompleteCause::Error,
        }
    }

    /// True for a lock timeout: another session holds a lock gaps would have to queue behind.
    pub fn is_lock_timeout(&self) -> bool {
        self.cause() == IncompleteCause::LockTimeout
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

/// The connection of an open session, by engine.
pub enum Conn {
    /// A Postgres connection inside `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`.
    Postgres(PgConnection),
    /// A SQLite connection opened read-only with `PRAGMA query_only`, inside `BEGIN`.
    Sqlite(SqliteConnection),
    /// A MySQL/MariaDB connection inside `START TRANSACTION READ ONLY` (REPEATABLE READ with a
    /// consistent snapshot).
    Mysql(MySqlConnection),
}

/// An open read-only session on one database. Every round trip runs under a client-side
/// timeout and the collection's deadline; once the connection is found stalled or dead it is
/// never used again, and every later read fails at once with [`DbError::Ended`].
pub struct Session {
    conn: Option<Conn>,
    backend: Backend,
    guard: Guard,
    /// The savepoints established, outermost first (a ROLLBACK TO one destroys those after).
    savepoints: Vec<&'static str>,
    /// What this session found: its limits, the relations locked by others, an early end.
    pub report: SessionReport,
}

/// Connection settings for [`Session::open`].
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// How long to wait for the connection.
    pub connect_timeout: Duration,
    /// How long any statement may run.
    pub statement_timeout: Duration,
    /// How long any read or describe may wait for a lock (`lock_timeout` on Postgres,
    /// `lock_wait_timeout` on MySQL/MariaDB, whole seconds there).
    pub lock_timeout: Duration,
    /// When the whole collection must be done: no round trip runs past it.
    pub deadline: Option<Instant>,
}

impl Default for SessionOptions {
    fn default() -> SessionOptions {
        SessionOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(2),
            deadline: None,
        }
    }
}

/// The savepoint every read runs in. A read ends with `ROLLBACK TO SAVEPOINT gaps_section`,
/// which releases every lock the read took (a RELEASE would hand them to the transaction
/// until it ends) and keeps the savepoint for the next read; the rows already read stay in
/// memory and the transaction's snapshot stays the same. So no RELEASE is ever sent, and
/// savepoints do not pile up.
const READ_SAVEPOINT: &str = "gaps_section";

/// MySQL/MariaDB keep a savepoint's metadata locks after ROLLBACK TO SAVEPOINT whenever the
/// binary log is on (measured on MariaDB 10.11), so each read there is its own short
/// transaction instead: ended, and a new read-only one started.
const MYSQL_NEXT_TRANSACTION: &str = "ROLLBACK; SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; \
     START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT";

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
                        Ok(Conn::Postgres(conn))
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
                        Ok(Conn::Sqlite(conn))
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
                        Ok(Conn::Mysql(conn))
                    }
                }
            };
        // The deadline bounds the connection too.
        let limit = match opts.deadline {
            Some(d) => opts
                .connect_timeout
                .min(d.saturating_duration_since(Instant::now())),
            None => opts.connect_timeout,
        };
        let conn =
            tokio::time::timeout(limit, connect)
                .await
                .map_err(|_| DbError::ConnectTimeout {
                    url: shown.clone(),
                    secs: limit.as_secs_f64(),
                })??;
        let mut session = Session {
            conn: Some(conn),
            backend,
            guard: Guard::new(opts.statement_timeout, opts.deadline),
            savepoints: Vec::new(),
            report: SessionReport {
                lock_timeout_ms: millis(opts.lock_timeout),
                statement_timeout_ms: millis(opts.statement_timeout),
                deadline_ms: opts
                    .deadline
                    .map(|d| millis(d.saturating_duration_since(Instant::now()))),
                ..SessionReport::default()
            },
        };
        session.begin_read_only(opts).await.map_err(|e| match e {
            DbError::Statement {
                during,
                message,
                cause,
            } => DbError::Statement {
                during,
                message: redact::scrub(&message, &secrets),
                cause,
            },
            other => other,
        })?;
        Ok(session)
    }

    async fn begin_read_only(&mut self, opts: &SessionOptions) -> Result<(), DbError> {
        let ms = millis(opts.statement_timeout).max(1);
        let lock_ms = millis(opts.lock_timeout).max(1);
        let statements: Vec<String> = match self.backend {
            // Transaction-scoped settings only: through a transaction-mode pooler a session
            // setting would leak to the application's next transaction on this server
            // connection. idle_in_transaction_session_timeout makes the server end the
            // transaction itself should gaps stop (killed, stopped) without closing it.
            Backend::Postgres => vec![
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".into(),
                "SET LOCAL default_transaction_read_only = on".into(),
                format!("SET LOCAL statement_timeout = {ms}"),
                format!("SET LOCAL lock_timeout = {lock_ms}"),
                format!(
                    "SET LOCAL idle_in_transaction_session_timeout = {}",
                    ms.max(60_000)
                        + opts
                            .deadline
                            .map_or(0, |d| millis(d.saturating_duration_since(Instant::now())))
                ),
            ],
            Backend::Sqlite => vec!["PRAGMA query_only = ON".into(), "BEGIN".into()],
            Backend::Mysql => {
                // max_statement_time (MariaDB, seconds) and max_execution_time (MySQL,
                // milliseconds, SELECT only) bound each statement; whichever the server does
                // not know is skipped.
                let secs = ms as f64 / 1000.0;
                for sql in [
                    format!("SET SESSION max_statement_time = {secs:.3}"),
                    format!("SET SESSION max_execution_time = {ms}"),
                ] {
                    // Failing only means this server lacks that variable.
                    let _ = self.control(&sql, "setting the statement timeout").await;
                }
                // lock_wait_timeout bounds every wait for a metadata lock (whole seconds).
                // The isolation level applies to the next transaction only, and READ ONLY
                // makes the server refuse any write inside it.
                vec![
                    format!(
                        "SET SESSION lock_wait_timeout = {}",
                        lock_ms.div_ceil(1000).max(1)
                    ),
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ".into(),
                    "START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT".into(),
                ]
            }
        };
        for sql in statements {
            let during = format!("starting the read-only transaction ({sql})");
            self.control(&sql, &during).await?;
        }
        Ok(())
    }

    /// Runs `body` as one read: inside a SAVEPOINT that is rolled back afterwards, so that
    /// the locks the read took are released at once, and a failing statement (a permission
    /// error, a lock or statement timeout) leaves the read-only transaction usable for the
    /// next read. On MySQL/MariaDB the read is its own short transaction instead (see
    /// `MYSQL_NEXT_TRANSACTION`). `during` names what was being read, for the error.
    pub async fn isolated<T>(
        &mut self,
        during: &str,
        body: impl AsyncFnOnce(&mut Conn) -> Result<T, sqlx::Error>,
    ) -> Result<T, DbError> {
        self.isolated_raw(during, None, body)
            .await?
            .map_err(|e| DbError::Statement {
                during: during.to_string(),
                message: e.to_string(),
                cause: cause_of(&e),
            })
    }

    /// [`Session::isolated`] returning the driver's own error, with the client-side timeout
    /// capped at `cap` when given (see [`Session::run_raw`]).
    pub async fn isolated_raw<T>(
        &mut self,
        during: &str,
        cap: Option<Duration>,
        body: impl AsyncFnOnce(&mut Conn) -> Result<T, sqlx::Error>,
    ) -> Result<Result<T, sqlx::Error>, DbError> {
        if self.backend == Backend::Mysql {
            let result = self.run_raw(during, cap, body).await?;
            self.control(MYSQL_NEXT_TRANSACTION, during).await?;
            return Ok(result);
        }
        if self.savepoints.last() != Some(&READ_SAVEPOINT) {
            self.begin_scope(READ_SAVEPOINT, during).await?;
        }
        let result = self.run_raw(during, cap, body).await?;
        self.end_scope(READ_SAVEPOINT, during).await?;
        Ok(result)
    }

    /// Establishes savepoint `name` (Postgres, SQLite): what is done after it, settings
    /// included, is undone by [`Session::end_scope`].
    pub async fn begin_scope(&mut self, name: &'static str, during: &str) -> Result<(), DbError> {
        self.control(&format!("SAVEPOINT {name}"), during).await?;
        self.savepoints.push(name);
        Ok(())
    }

    /// Rolls back to savepoint `name`: undoes what was done after it and releases the locks
    /// taken since, keeping the (now empty) savepoint. Savepoints established after it are
    /// gone.
    pub async fn end_scope(&mut self, name: &'static str, during: &str) -> Result<(), DbError> {
        if let Some(i) = self.savepoints.iter().rposition(|n| *n == name) {
            self.savepoints.truncate(i + 1);
        }
        self.control(&format!("ROLLBACK TO SAVEPOINT {name}"), during)
            .await
    }

    /// Runs `body` on the connection as one round trip under the session's limits, without a
    /// savepoint.
    pub async fn run<T>(
        &mut self,
        during: &str,
        body: impl AsyncFnOnce(&mut Conn) -> Result<T, sqlx::Error>,
    ) -> Result<T, DbError> {
        self.run_raw(during, None, body)
            .await?
            .map_err(|e| DbError::Statement {
                during: during.to_string(),
                message: e.to_string(),
                cause: cause_of(&e),
            })
    }

    /// [`Session::run`] returning the driver's own error (for callers that read its SQLSTATE,
    /// position and detail), with the client-side timeout capped at `cap` when given. Only a
    /// timeout, a lost connection or the deadline is a [`DbError`].
    pub async fn run_raw<T>(
        &mut self,
        during: &str,
        cap: Option<Duration>,
        body: impl AsyncFnOnce(&mut Conn) -> Result<T, sqlx::Error>,
    ) -> Result<Result<T, sqlx::Error>, DbError> {
        let Session { conn, guard, .. } = self;
        let Some(conn) = conn.as_mut() else {
            return Err(guard.refuse(during).unwrap_or_else(|| DbError::Ended {
                during: during.to_string(),
                message: "the session is closed".into(),
                cause: EndCause::ConnectionLost,
            }));
        };
        let result = guard.run_raw(during, cap, body(conn)).await;
        if let Some(end) = guard.ended() {
            // The protocol state is unknown: drop the connection (its socket closes, and the
            // server rolls the transaction back) instead of ever sending on it again.
            self.report.ended_early.get_or_insert_with(|| end.clone());
            self.conn = None;
        }
        result
    }

    /// Sends one control statement (SAVEPOINT, ROLLBACK, SET) under the session's limits.
    pub async fn control(&mut self, sql: &str, during: &str) -> Result<(), DbError> {
        let text = sql.to_string();
        let during = format!("{during} ({sql})");
        self.run(&during, async move |c| {
            let q = sqlx::raw_sql(sqlx::AssertSqlSafe(text));
            match c {
                Conn::Postgres(c) => q.execute(c).await.map(|_| ()),
                Conn::Sqlite(c) => q.execute(c).await.map(|_| ()),
                Conn::Mysql(c) => q.execute(c).await.map(|_| ()),
            }
        })
        .await
    }

    /// Which engine this session talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Why the session was given up, once it was.
    pub fn ended(&self) -> Option<&SessionEnd> {
        self.guard.ended()
    }

    /// Time left before the collection's deadline (`None`: no deadline).
    pub fn remaining(&self) -> Option<Duration> {
        self.guard.remaining()
    }

    /// The Postgres connection, for tests and benchmarks that read on it directly.
    pub fn postgres(&mut self) -> Option<&mut PgConnection> {
        match self.conn.as_mut() {
            Some(Conn::Postgres(c)) => Some(c),
            _ => None,
        }
    }

    /// The MySQL/MariaDB connection, for tests that read on it directly.
    pub fn mysql(&mut self) -> Option<&mut MySqlConnection> {
        match self.conn.as_mut() {
            Some(Conn::Mysql(c)) => Some(c),
            _ => None,
        }
    }

    /// Ends the transaction with ROLLBACK (nothing was written; this only releases the
    /// snapshot) and closes the connection, each under a short client-side timeout. A
    /// connection already given up is only dropped.
    pub async fn close(mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        let limit = Duration::from_secs(2);
        let polite = async {
            match conn {
                Conn::Postgres(mut c) => {
                    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut c).await;
                    let _ = c.close().await;
                }
                Conn::Sqlite(mut c) => {
                    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut c).await;
                    let _ = c.close().await;
                }
                Conn::Mysql(mut c) => {
                    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut c).await;
                    let _ = c.close().await;
                }
            }
        };
        // On timeout the future, and with it the connection, is dropped: the socket closes.
        let _ = tokio::time::timeout(limit, polite).await;
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
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
