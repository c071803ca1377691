//! What the database said about one distinct SQL text: its columns and parameters when it
//! was described, the server's rejection (with SQLSTATE, position, detail), or why it could
//! not be checked, including the failures that are gaps' own (a lock, a timeout, a catalog
//! the collecting role may not read) rather than the statement's.

use std::time::Duration;

use gaps_core::querycheck::{OfflineColumn, OfflineDescribe, Outcome, Rejection, error_subject};
use serde::Serialize;
use sqlx::{Column, Database, Either, TypeInfo};

/// What one distinct SQL text gave.
#[derive(Debug, Clone)]
pub(super) struct Live {
    /// Ok, a rejection without the site-specific line, or not checkable.
    pub(super) outcome: Outcome,
    pub(super) columns: Vec<LiveColumn>,
    /// (display name, offline spelling).
    pub(super) params: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(super) struct LiveColumn {
    pub(super) name: String,
    pub(super) type_name: String,
    pub(super) type_info: String,
    pub(super) nullable: Option<bool>,
}

impl Live {
    pub(super) fn not_checkable(reason: String) -> Live {
        Live {
            outcome: Outcome::NotCheckable { reason },
            columns: Vec::new(),
            params: Vec::new(),
        }
    }

    pub(super) fn offline(&self) -> OfflineDescribe {
        OfflineDescribe {
            columns: self
                .columns
                .iter()
                .map(|c| OfflineColumn {
                    name: c.name.clone(),
                    type_info: c.type_info.clone(),
                    nullable: c.nullable,
                })
                .collect(),
            parameters: self.params.iter().map(|(_, o)| o.clone()).collect(),
        }
    }
}

/// The outcome of a statement the database would not prepare.
pub(super) fn failure(e: &sqlx::Error, timeout: Duration) -> Live {
    let Some(db) = e.as_database_error() else {
        return Live::not_checkable(format!("could not be described: {e}"));
    };
    let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
    let secs = timeout.as_secs_f64();
    let reason = match code.as_str() {
        // Parameter types come from the Rust values bound at run time; sqlx sends them with
        // the Parse, gaps has none to send.
        "42P18" | "42P08" => Some(format!(
            "the database needs the bound values' types to read it ({})",
            db.message()
        )),
        "57014" => Some(format!("did not finish within {secs:.1}s")),
        // MariaDB refuses to even prepare a write inside a READ ONLY transaction (error
        // 1792), and the collector never leaves one. (Postgres raises this only on execute.)
        "25006" => Some(
            "a write cannot be prepared inside the read-only transaction on MariaDB/MySQL, \
             so it was not checked"
                .to_string(),
        ),
        "55P03" => Some(format!(
            "waited more than {secs:.1}s for a lock on a table it reads (a migration or ALTER \
             holding it?)"
        )),
        // A leftover server-side statement of the same name: a transaction-mode pooler
        // mixing clients' prepared statements on one server connection.
        "42P05" | "26000" => Some(format!(
            "prepared-statement name clash on the server connection (a transaction-mode \
             pooler?): {}",
            db.message()
        )),
        _ => None,
    };
    if let Some(reason) = reason {
        return Live::not_checkable(reason);
    }
    let message = db.message().to_string();
    let (table_named, column_named) = error_subject(&message);
    let mut rejection = Rejection {
        sqlstate: code,
        message,
        detail: None,
        hint: None,
        position: None,
        line: None,
        table: table_named,
        column: column_named,
    };
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        rejection.detail = pg.detail().map(str::to_owned);
        rejection.hint = pg.hint().map(str::to_owned);
        if let Some(sqlx::postgres::PgErrorPosition::Original(p)) = pg.position() {
            rejection.position = Some(p as u32);
        }
        rejection.table = rejection.table.or_else(|| pg.table().map(str::to_owned));
        rejection.column = rejection.column.or_else(|| pg.column().map(str::to_owned));
    }
    Live {
        outcome: Outcome::Rejected(rejection),
        columns: Vec::new(),
        params: Vec::new(),
    }
}

pub(super) fn statement_parts<DB, S>(st: &S) -> Live
where
    DB: Database,
    DB::TypeInfo: Serialize,
    S: sqlx::Statement<Database = DB>,
{
    from_parts::<DB>(
        st.columns(),
        st.parameters()
            .map(|p| p.map_left(<[DB::TypeInfo]>::to_vec)),
        &[],
    )
}

pub(super) fn from_parts<DB>(
    columns: &[DB::Column],
    params: Option<Either<Vec<DB::TypeInfo>, usize>>,
    nullable: &[Option<bool>],
) -> Live
where
    DB: Database,
    DB::TypeInfo: Serialize,
{
    let columns = columns
        .iter()
        .enumerate()
        .map(|(i, c)| LiveColumn {
            name: c.name().to_string(),
            type_name: c.type_info().name().to_string(),
            type_info: offline_spelling(c.type_info()),
            nullable: nullable.get(i).copied().flatten(),
        })
        .collect();
    let params = match params {
        Some(Either::Left(types)) => types
            .iter()
            .map(|t| (t.name().to_string(), offline_spelling(t)))
            .collect(),
        Some(Either::Right(n)) => (0..n).map(|_| ("?".into(), "?".into())).collect(),
        None => Vec::new(),
    };
    Live {
        outcome: Outcome::Ok,
        columns,
        params,
    }
}

/// `type_info` the way sqlx writes it into `.sqlx/` files.
fn offline_spelling<T: Serialize>(t: &T) -> String {
    json_spelling(&serde_json::to_value(t).unwrap_or(serde_json::Value::Null))
}

pub(super) fn json_spelling(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
