//! What one collection reads, resolved once before anything is collected: the database URL
//! (the flag, else `DATABASE_URL`, else `./.env`), the source root, the migrations folder and
//! table (the flag, `sqlx::migrate!`, sqlx.toml, the defaults), the gaps.toml that applies,
//! the limits, the logs, the health endpoint, the scratch server, whether to describe.
//!
//! A [`Request`] holds what was asked, as plain values (the command line's flags, or what the
//! demo, a benchmark or a test sets); [`Request::plan`] resolves it into a [`Plan`] or refuses
//! it with a usage error. The evidence modules then take plain values from the plan. A setting
//! file that cannot be read is not a usage error: the plan keeps the reason, and the section
//! that needed it records it in the snapshot.

use std::path::{Path, PathBuf};
use std::time::Duration;

use gaps_core::backend::Backend;
use gaps_core::hazards::SizeThreshold;
use gaps_core::logs::LogFormat;

use crate::db::backend_of;
use crate::dotenv;
use crate::migrations::local::{self, LocalError, Located};
use crate::migrations::{self, MigrationsTable};
use crate::source::config::GapsToml;

/// How long each kind of wait may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Waiting for a database connection.
    pub connect: Duration,
    /// Any single catalog statement.
    pub statement: Duration,
    /// A catalog read or describe waiting for a lock another session holds.
    pub lock: Duration,
    /// The whole collection; then what was gathered is written and the rest marked not read.
    pub deadline: Duration,
}

impl Limits {
    /// The limits `gaps collect` uses unless told otherwise.
    pub const DEFAULT: Limits = Limits {
        connect: Duration::from_secs(10),
        statement: Duration::from_secs(30),
        lock: Duration::from_secs(2),
        deadline: Duration::from_secs(180),
    };
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

/// How long to wait for the health endpoint unless told otherwise.
pub const DEFAULT_HEALTH_TIMEOUT: Duration = Duration::from_secs(10);

/// What a collection was asked to read, as plain values. [`Default`] is `gaps collect` with no
/// flags.
#[derive(Debug, Clone)]
pub struct Request {
    /// The database URL given (else `DATABASE_URL` from the environment or `./.env`).
    pub database_url: Option<String>,
    /// The service's repository.
    pub source: Option<PathBuf>,
    /// The migrations folder given.
    pub migrations: Option<PathBuf>,
    /// The migrations table name given.
    pub migrations_table: Option<String>,
    /// The gaps.toml given (else `SOURCE/gaps.toml` when present).
    pub config: Option<PathBuf>,
    /// The gaps.md registry whose ACTION-004 tables become expectations.
    pub gaps: Option<PathBuf>,
    /// A scratch server on which to build the exact expected schema.
    pub scratch_database_url: Option<String>,
    /// A label for the target.
    pub label: Option<String>,
    /// The limits.
    pub limits: Limits,
    /// Logs to classify (`-` is standard input).
    pub logs: Vec<PathBuf>,
    /// The log format to assume instead of detecting it.
    pub log_format: Option<LogFormat>,
    /// How many log files are read at once (`--jobs`; the evidence is the same for any).
    pub log_jobs: usize,
    /// The service's health endpoint.
    pub health: Option<String>,
    /// How long to wait for it.
    pub health_timeout: Duration,
    /// Whether to ask the database to describe the SQL found in the code.
    pub describe: bool,
    /// The role (MySQL: account) the service connects as; `None`: the user gaps connects as.
    pub service_role: Option<String>,
    /// From which size a table is large (a pending migration's hazard on it is an error).
    pub large_table: SizeThreshold,
    /// Where the snapshot goes (`-`: standard output).
    pub out: PathBuf,
    /// Replace the snapshot at `out` even when this run collected less.
    pub force: bool,
    /// No progress output.
    pub quiet: bool,
    /// Progress step by step.
    pub verbose: bool,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            database_url: None,
            source: None,
            migrations: None,
            migrations_table: None,
            config: None,
            gaps: None,
            scratch_database_url: None,
            label: None,
            limits: Limits::DEFAULT,
            logs: Vec::new(),
            log_format: None,
            log_jobs: 1,
            health: None,
            health_timeout: DEFAULT_HEALTH_TIMEOUT,
            describe: true,
            service_role: None,
            large_table: SizeThreshold::default(),
            out: PathBuf::from("gaps-snapshot.json"),
            force: false,
            quiet: false,
            verbose: false,
        }
    }
}

/// A request that cannot be carried out: found before anything is collected (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// `--database-url ""`.
    #[error(
        "--database-url is empty: give the database URL, or leave the flag out to use \
         DATABASE_URL"
    )]
    EmptyDatabaseUrl,
    /// `--source` names no directory.
    #[error("--source {} {why}: give the service's repository directory", .path.display())]
    SourceNotADirectory {
        /// The path given.
        path: PathBuf,
        /// "is not a directory" or "does not exist".
        why: &'static str,
    },
    /// The URL's scheme is not one gaps reads. The URL itself is never echoed: one gaps cannot
    /// read may hold a password anywhere.
    #[error(
        "unsupported database URL ({}): gaps reads postgres://, postgresql://, mysql://, \
         mariadb:// and sqlite: URLs",
        match .scheme {
            Some(s) => format!("scheme \"{s}:\""),
            None => "no scheme".to_string(),
        }
    )]
    UnsupportedDatabaseUrl {
        /// The scheme, when the URL starts with one.
        scheme: Option<String>,
    },
}

/// The database to read.
#[derive(Debug, Clone)]
pub struct Database {
    /// Its URL, password included: never printed or recorded unredacted.
    pub url: String,
    /// Its engine, from the URL's scheme.
    pub backend: Backend,
}

/// The migrations: where the files are and which table records them.
#[derive(Debug)]
pub struct Migrations {
    /// The folder, and how it was chosen; `None` without a source or `--migrations`, an
    /// error when sqlx.toml could not be read.
    pub folder: Option<Result<Located, LocalError>>,
    /// The table, and where its name came from; an error when sqlx.toml could not be read.
    pub table: Result<MigrationsTable, String>,
}

/// The health endpoint to query.
#[derive(Debug, Clone)]
pub struct Health {
    /// Its URL.
    pub url: String,
    /// How long to wait for it.
    pub timeout: Duration,
}

/// A resolved collection: everything the evidence modules need, decided once.
#[derive(Debug)]
pub struct Plan {
    /// A label for the target.
    pub label: Option<String>,
    /// The database to read, if any.
    pub database: Option<Database>,
    /// The service's repository, a directory.
    pub source: Option<PathBuf>,
    /// The migrations.
    pub migrations: Migrations,
    /// The gaps.toml that applies to the source, read.
    pub config: Option<GapsToml>,
    /// The gaps.md registry.
    pub gaps: Option<PathBuf>,
    /// The scratch server.
    pub scratch_database_url: Option<String>,
    /// The limits.
    pub limits: Limits,
    /// Logs to classify.
    pub logs: Vec<PathBuf>,
    /// The log format to assume.
    pub log_format: Option<LogFormat>,
    /// How many log files are read at once.
    pub log_jobs: usize,
    /// The health endpoint.
    pub health: Option<Health>,
    /// Whether to describe the code's SQL on the database.
    pub describe: bool,
    /// The role (MySQL: account) the service connects as; `None`: the user gaps connects as.
    pub service_role: Option<String>,
    /// From which size a table is large.
    pub large_table: SizeThreshold,
    /// Where the snapshot goes.
    pub out: PathBuf,
    /// Replace a better snapshot at `out`.
    pub force: bool,
    /// No progress output.
    pub quiet: bool,
    /// Progress step by step.
    pub verbose: bool,
}

impl Request {
    /// Resolves the request, reading `DATABASE_URL` from the environment or the current
    /// directory's `.env` when no URL was given.
    pub fn plan(self) -> Result<Plan, UsageError> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        self.plan_in(&cwd)
    }

    /// Resolves the request with `dir` as the directory whose `.env` is read.
    pub fn plan_in(self, dir: &Path) -> Result<Plan, UsageError> {
        if self
            .database_url
            .as_deref()
            .is_some_and(|u| u.trim().is_empty())
        {
            return Err(UsageError::EmptyDatabaseUrl);
        }
        if let Some(source) = &self.source
            && !source.is_dir()
        {
            let why = if source.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            return Err(UsageError::SourceNotADirectory {
                path: source.clone(),
                why,
            });
        }
        let database = match dotenv::resolve_database_url(self.database_url.as_deref(), dir) {
            None => None,
            Some((url, _)) => match backend_of(&url) {
                Some(backend) => Some(Database { url, backend }),
                None => {
                    return Err(UsageError::UnsupportedDatabaseUrl {
                        scheme: scheme_of(&url),
                    });
                }
            },
        };
        let source = self.source.as_deref();
        let migrations = Migrations {
            folder: (source.is_some() || self.migrations.is_some())
                .then(|| local::locate(self.migrations.as_deref(), source)),
            table: migrations::table_name(self.migrations_table.as_deref(), source)
                .map_err(|e| e.to_string()),
        };
        let config = source.and_then(|root| GapsToml::find(self.config.as_deref(), root));
        let health = self.health.map(|url| Health {
            url,
            timeout: self.health_timeout,
        });
        Ok(Plan {
            label: self.label,
            database,
            source: self.source,
            migrations,
            config,
            gaps: self.gaps,
            scratch_database_url: self.scratch_database_url,
            limits: self.limits,
            logs: self.logs,
            log_format: self.log_format,
            log_jobs: self.log_jobs,
            health,
            describe: self.describe,
            service_role: self.service_role,
            large_table: self.large_table,
            out: self.out,
            force: self.force,
            quiet: self.quiet,
            verbose: self.verbose,
        })
    }
}

impl Plan {
    /// The database's URL, if one is read.
    pub fn database_url(&self) -> Option<&str> {
        self.database.as_ref().map(|d| d.url.as_str())
    }

    /// The engine whose dialect the source's SQL is read in: the database's, else Postgres.
    pub fn backend(&self) -> Backend {
        self.database
            .as_ref()
            .map_or(Backend::Postgres, |d| d.backend)
    }
}

/// A URL's scheme, when it starts with a well-formed one.
fn scheme_of(url: &str) -> Option<String> {
    url.split_once(':')
        .map(|(s, _)| s)
        .filter(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests;
