//! Live-schema inspection: one query per catalog (never one per table), dispatched by backend.

use gaps_core::schema::{DatabaseInfo, Schema};
use gaps_core::section::Section;

use crate::db::Session;

mod postgres;
mod sqlite;

/// Server identity: version, database, user, search_path.
pub async fn database_info(session: &mut Session) -> Section<DatabaseInfo> {
    match session {
        Session::Postgres(conn) => postgres::database_info(conn).await,
        Session::Sqlite(conn) => sqlite::database_info(conn).await,
    }
}

/// The live schema.
pub async fn schema(session: &mut Session) -> Section<Schema> {
    match session {
        Session::Postgres(conn) => postgres::schema(conn).await,
        Session::Sqlite(conn) => sqlite::schema(conn).await,
    }
}
