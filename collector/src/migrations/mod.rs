//! Migration evidence: the local migration files and the rows of sqlx's migrations table.

use gaps_core::migrations::{AppliedMigrations, LocalMigrations};
use gaps_core::section::Section;

use crate::cli::CollectArgs;
use crate::db::Session;

/// Reads the local migrations folder (from --migrations, sqlx::migrate!, or DIR/migrations).
pub fn collect_local(args: &CollectArgs) -> Section<LocalMigrations> {
    if args.source.is_none() && args.migrations.is_none() {
        return Section::skipped("no --source or --migrations given");
    }
    Section::skipped("local migrations are not read yet")
}

/// Reads every row of the migrations table, or records that it is absent. Read-only.
pub async fn collect_applied(
    _session: &mut Session,
    _args: &CollectArgs,
) -> Section<AppliedMigrations> {
    Section::skipped("applied migrations are not read yet")
}
