//! Migration evidence: the local migration files ([`local`]) and the rows of sqlx's migrations
//! table ([`applied`]), with the sqlx.toml settings that change both ([`config`]).

pub mod applied;
pub mod config;
pub mod local;

use gaps_core::migrations::{AppliedMigrations, DEFAULT_MIGRATIONS_TABLE, LocalMigrations};
use gaps_core::section::Section;

use crate::cli::CollectArgs;
use crate::db::Session;

/// Reads the local migrations folder (from --migrations, sqlx::migrate!, sqlx.toml, or
/// DIR/migrations).
pub fn collect_local(args: &CollectArgs) -> Section<LocalMigrations> {
    if args.source.is_none() && args.migrations.is_none() {
        return Section::skipped("no --source or --migrations given");
    }
    match local::locate(args.migrations.as_deref(), args.source.as_deref())
        .and_then(|l| local::read(&l))
    {
        Ok(data) => Section::collected(data),
        Err(e) => Section::failed(e.during, e.message),
    }
}

/// The migrations table name and where it came from: `--migrations-table`, else sqlx.toml's
/// `[migrate] table-name` in the source directory, else `_sqlx_migrations`.
pub fn table_name(args: &CollectArgs) -> Result<(String, &'static str), config::ConfigError> {
    if let Some(t) = args
        .migrations_table
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        return Ok((t.to_string(), "flag"));
    }
    if let Some(source) = &args.source
        && let Some(t) = config::MigrateConfig::load(source)?.table_name
    {
        return Ok((t, "sqlx_toml"));
    }
    Ok((DEFAULT_MIGRATIONS_TABLE.to_string(), "default"))
}

/// Reads every row of the migrations table, or records that it is absent. Read-only.
pub async fn collect_applied(
    session: &mut Session,
    args: &CollectArgs,
) -> Section<AppliedMigrations> {
    let (table, source) = match table_name(args) {
        Ok(t) => t,
        Err(e) => return Section::failed("choosing the migrations table name", e.to_string()),
    };
    match applied::read(session, &table, source).await {
        Ok(data) => Section::collected(data),
        Err(e) => {
            let e = e.into_section_error(&format!("reading the migrations table {table}"));
            Section::failed(e.during, e.message)
        }
    }
}
