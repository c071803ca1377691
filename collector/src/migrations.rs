//! Migration evidence: the local migration files ([`local`]) and the rows of sqlx's migrations
//! table ([`applied`]), with the sqlx.toml settings that change both ([`config`]).

pub mod applied;
pub mod config;
pub mod local;

use std::path::Path;

use gaps_core::migrations::{AppliedMigrations, DEFAULT_MIGRATIONS_TABLE, LocalMigrations};
use gaps_core::section::Section;

use crate::db::Session;

/// Reads the local migrations folder chosen by [`local::locate`] (from --migrations,
/// sqlx::migrate!, sqlx.toml, or DIR/migrations); `None` when there was nothing to choose from.
pub fn collect_local(
    folder: Option<&Result<local::Located, local::LocalError>>,
) -> Section<LocalMigrations> {
    let Some(folder) = folder else {
        return Section::skipped("no --source or --migrations given");
    };
    match folder {
        Ok(located) => match local::read(located) {
            Ok(data) => Section::collected(data),
            Err(e) => Section::failed(e.during, e.message),
        },
        Err(e) => Section::failed(e.during.clone(), e.message.clone()),
    }
}

/// The migrations table's name and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationsTable {
    /// The (possibly schema-qualified) table name.
    pub name: String,
    /// "flag", "sqlx_toml" or "default".
    pub origin: &'static str,
}

/// The migrations table name and where it came from: `flag` (`--migrations-table`), else
/// sqlx.toml's `[migrate] table-name` in the source directory, else `_sqlx_migrations`.
pub fn table_name(
    flag: Option<&str>,
    source: Option<&Path>,
) -> Result<MigrationsTable, config::ConfigError> {
    if let Some(t) = flag.filter(|t| !t.trim().is_empty()) {
        return Ok(MigrationsTable {
            name: t.to_string(),
            origin: "flag",
        });
    }
    if let Some(source) = source
        && let Some(t) = config::MigrateConfig::load(source)?.table_name
    {
        return Ok(MigrationsTable {
            name: t,
            origin: "sqlx_toml",
        });
    }
    Ok(MigrationsTable {
        name: DEFAULT_MIGRATIONS_TABLE.to_string(),
        origin: "default",
    })
}

/// Reads every row of the migrations table, or records that it is absent (or why its name
/// could not be chosen). Read-only.
pub async fn collect_applied(
    session: &mut Session,
    table: &Result<MigrationsTable, String>,
) -> Section<AppliedMigrations> {
    let table = match table {
        Ok(t) => t,
        Err(e) => return Section::failed("choosing the migrations table name", e.clone()),
    };
    match applied::read(session, &table.name, table.origin).await {
        Ok(data) => Section::collected(data),
        Err(e) => {
            let e = e.into_section_error(&format!("reading the migrations table {}", table.name));
            Section::failed(e.during, e.message)
        }
    }
}
