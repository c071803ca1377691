//! The service section: what the role the service connects as may do, the settings its
//! sessions run under, and what changes its writes, read through the collection's read-only
//! [`Session`] with one catalog query per kind (the `.sql` files beside this module). The
//! role is `--service-role`, else the connecting user. A part the server will not show is
//! recorded as failed with its reason, never as "nothing granted".

mod mysql;
mod postgres;

use std::path::Path;

use gaps_core::backend::Backend;
use gaps_core::code::CodeEvidence;
use gaps_core::section::Section;
use gaps_core::service::ServiceEvidence;

use crate::db::{DbError, Session};

/// What the service section is read for, besides the session.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServiceInputs<'a> {
    /// `--service-role`: the role the service connects as; None for the connecting user.
    pub role: Option<&'a str>,
    /// The URL gaps connected with (its `options` are the service's when it connects as the
    /// same user).
    pub url: &'a str,
    /// The service's source directory (its `.env` may hold the service's own URL).
    pub source_dir: Option<&'a Path>,
    /// The source scan (the settings its code applies to every connection).
    pub code: Option<&'a CodeEvidence>,
}

/// Reads the service section on an open session.
pub async fn collect(
    session: &mut Session,
    inputs: &ServiceInputs<'_>,
) -> Section<ServiceEvidence> {
    match session.backend() {
        Backend::Postgres => Section::collected(postgres::collect(session, inputs).await),
        Backend::Mysql => Section::collected(mysql::collect(session, inputs).await),
        Backend::Sqlite => Section::collected(sqlite()),
    }
}

/// SQLite: nothing of this applies (its NOT NULL check needs none of it), said part by part.
fn sqlite() -> ServiceEvidence {
    let none = || "SQLite has no roles, privileges or session settings";
    ServiceEvidence {
        backend: Backend::Sqlite,
        role: String::new(),
        role_source: gaps_core::service::RoleSource::ConnectingUser,
        role_facts: Section::skipped(none()),
        tables: Section::skipped(none()),
        columns: Section::skipped(none()),
        sequences: Section::skipped(none()),
        schemas: Section::skipped(none()),
        functions: Section::skipped(none()),
        default_privileges: Section::skipped(none()),
        settings: Section::skipped(none()),
        write_hooks: Section::skipped(
            "SQLite's BEFORE INSERT triggers cannot fill a value: nothing to read",
        ),
    }
}

/// A part that failed, as the section records it.
fn failed<T>(e: DbError, during: &str) -> Section<T> {
    let e = e.into_section_error(during);
    Section::failed(e.during, e.message)
}

/// The options of the service's own URL, from `DATABASE_URL` in the source's `.env`.
fn service_dsn(source_dir: Option<&Path>) -> Option<Vec<(String, String)>> {
    let text = std::fs::read_to_string(source_dir?.join(".env")).ok()?;
    let url = crate::dotenv::lookup(&text, "DATABASE_URL")?;
    Some(gaps_core::service::settings::dsn_options(&url))
}
