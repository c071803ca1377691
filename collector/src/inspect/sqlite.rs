//! Catalog inspection for sqlite.

use gaps_core::schema::{DatabaseInfo, Schema};
use gaps_core::section::Section;
use sqlx::SqliteConnection;

/// Server identity.
pub(super) async fn database_info(_conn: &mut SqliteConnection) -> Section<DatabaseInfo> {
    Section::skipped("sqlite server identity is not read yet")
}

/// The live schema.
pub(super) async fn schema(_conn: &mut SqliteConnection) -> Section<Schema> {
    Section::skipped("sqlite schema inspection is not built yet")
}
