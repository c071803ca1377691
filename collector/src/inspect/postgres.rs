//! Catalog inspection for postgres.

use gaps_core::schema::{DatabaseInfo, Schema};
use gaps_core::section::Section;
use sqlx::PgConnection;

/// Server identity.
pub(super) async fn database_info(_conn: &mut PgConnection) -> Section<DatabaseInfo> {
    Section::skipped("postgres server identity is not read yet")
}

/// The live schema.
pub(super) async fn schema(_conn: &mut PgConnection) -> Section<Schema> {
    Section::skipped("postgres schema inspection is not built yet")
}
