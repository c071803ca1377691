//! Live-schema inspection: one query per catalog (never one per table), dispatched by backend.

use gaps_core::backend::Backend;
use gaps_core::schema::{DatabaseInfo, Schema};
use gaps_core::section::Section;

use crate::db::Session;

mod mysql;
pub mod postgres;
mod sqlite;

/// Server identity: version, database, user, search_path.
pub async fn database_info(session: &mut Session) -> Section<DatabaseInfo> {
    match session.backend() {
        Backend::Postgres => postgres::database_info(session).await,
        Backend::Sqlite => sqlite::database_info(session).await,
        Backend::Mysql => mysql::database_info(session).await,
    }
}

/// The live schema. Catalogs that could not be read are named in `Schema::incomplete`.
pub async fn schema(session: &mut Session) -> Section<Schema> {
    match session.backend() {
        Backend::Postgres => postgres::schema(session).await,
        Backend::Sqlite => sqlite::schema(session).await,
        Backend::Mysql => mysql::schema(session).await,
    }
}
