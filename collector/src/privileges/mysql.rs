//! The service section on MySQL and MariaDB: the connecting account's grants (`SHOW GRANTS`,
//! which alone lists the active role's and PUBLIC's grants too) applied to every table of the
//! connection's database, the session's `sql_mode` and the tables with a BEFORE INSERT
//! trigger. The servers show grants for the connecting account only: a `--service-role`
//! naming another account leaves the privileges unread, said so. There is no search_path,
//! sequence, schema-usage or default privilege to read.

use gaps_core::backend::Backend;
use gaps_core::schema::RelationName;
use gaps_core::section::Section;
use gaps_core::service::mysql_grants::{self, Grants};
use gaps_core::service::{RoleFacts, RoleSource, ServiceEvidence, WriteHooks};
use sqlx::MySqlConnection;

use super::{ServiceInputs, failed};
use crate::db::{Conn, DbError, Session};

const ROLE_SQL: &str = include_str!("mysql/role.sql");
const TABLES_SQL: &str = include_str!("mysql/tables.sql");
const WRITE_HOOKS_SQL: &str = include_str!("mysql/write_hooks.sql");

/// Runs `body` on the MySQL connection as one read (see [`Session::isolated`]).
async fn read<T>(
    session: &mut Session,
    during: &str,
    body: impl AsyncFnOnce(&mut MySqlConnection) -> Result<T, sqlx::Error>,
) -> Result<T, DbError> {
    session
        .isolated(during, async |c| match c {
            Conn::Mysql(conn) => body(conn).await,
            _ => Err(sqlx::Error::InvalidArgument("not a MySQL session".into())),
        })
        .await
}

fn not_applicable<T>(what: &str) -> Section<T> {
    Section::skipped(format!("MySQL and MariaDB have no {what}"))
}

pub(super) async fn collect(session: &mut Session, inputs: &ServiceInputs<'_>) -> ServiceEvidence {
    let source = if inputs.role.is_some() {
        RoleSource::Flag
    } else {
        RoleSource::ConnectingUser
    };
    let mut ev = ServiceEvidence {
        backend: Backend::Mysql,
        role: inputs.role.unwrap_or("CURRENT_USER()").to_string(),
        role_source: source,
        role_facts: Section::default(),
        tables: Section::default(),
        columns: Section::default(),
        sequences: not_applicable("sequence privileges to check"),
        schemas: not_applicable("search_path: names resolve in the connection's database"),
        functions: Section::skipped("function privileges are not read on MySQL/MariaDB"),
        default_privileges: not_applicable("default privileges"),
        settings: Section::skipped(
            "session settings are read on PostgreSQL only (MySQL/MariaDB have no search_path)",
        ),
        write_hooks: Section::default(),
    };
    let during = "reading the connecting account (CURRENT_USER())";
    let me = match read(session, during, async |c| {
        sqlx::query_as::<_, (String, String)>(ROLE_SQL)
            .persistent(false)
            .fetch_one(c)
            .await
    })
    .await
    {
        Ok(row) => row,
        Err(e) => {
            let e = e.into_section_error(during);
            ev.role_facts = Section::failed(&e.during, &e.message);
            ev.tables = Section::failed(&e.during, &e.message);
            ev.columns = Section::failed(&e.during, &e.message);
            ev.write_hooks = Section::failed(&e.during, &e.message);
            return ev;
        }
    };
    let (account, version) = me;
    let user = account
        .rsplit_once('@')
        .map_or(account.as_str(), |(u, _)| u);
    if inputs.role.is_none() {
        ev.role = account.clone();
    }
    let grants_lines = grants(session).await;
    let (tables, columns, levels) = match (&grants_lines, inputs.role) {
        (_, Some(asked)) if asked != user && asked != account => {
            let why = format!(
                "MySQL and MariaDB show the privileges of the connecting account only \
                 ({account}); connect as {asked} to check its privileges"
            );
            let during = "reading the service account's privileges";
            (
                Section::failed(during, &why),
                Section::failed(during, &why),
                None,
            )
        }
        (Err(e), _) => (
            Section::failed(&e.during, &e.message),
            Section::failed(&e.during, &e.message),
            None,
        ),
        (Ok(lines), _) => {
            let parsed = mysql_grants::parse(lines);
            ev.role_facts = Section::collected(RoleFacts {
                superuser: false,
                connecting_user: account.clone(),
                active_roles: parsed.roles.clone(),
            });
            let (t, c) = privileges(session, &parsed).await;
            (t, c, Some(mysql_grants::trigger_levels(lines)))
        }
    };
    if ev.role_facts.data().is_none() {
        ev.role_facts = Section::collected(RoleFacts {
            superuser: false,
            connecting_user: account.clone(),
            active_roles: Vec::new(),
        });
    }
    ev.tables = tables;
    ev.columns = columns;
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    ev.write_hooks = write_hooks(session, mariadb, levels.as_deref()).await;
    ev
}

/// The lines of `SHOW GRANTS` (for the connecting account; no privilege needed).
async fn grants(session: &mut Session) -> Result<Vec<String>, gaps_core::section::SectionError> {
    let during = "reading the connecting account's grants (SHOW GRANTS)";
    read(session, during, async |c| {
        sqlx::query_scalar::<_, String>("SHOW GRANTS")
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await
    .map_err(|e| e.into_section_error(during))
}

async fn privileges(
    session: &mut Session,
    grants: &Grants,
) -> (
    Section<Vec<gaps_core::service::TablePrivileges>>,
    Section<Vec<gaps_core::service::ColumnPrivileges>>,
) {
    if let Some(why) = &grants.incomplete {
        let during = "reading the connecting account's grants (SHOW GRANTS)";
        return (Section::failed(during, why), Section::failed(during, why));
    }
    let during = "listing the database's tables (information_schema.TABLES)";
    let rows = read(session, during, async |c| {
        sqlx::query_as::<_, (String, String)>(TABLES_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await;
    match rows {
        Err(e) => (
            failed(e, during),
            Section::failed(during, "not read: the tables could not be listed"),
        ),
        Ok(rows) => {
            let tables: Vec<_> = rows.iter().map(|(db, t)| grants.table(db, t)).collect();
            let columns = tables
                .iter()
                .filter(|t| !t.on_some_columns.is_empty())
                .flat_map(|t| grants.columns(&t.schema, &t.name))
                .collect();
            (Section::collected(tables), Section::collected(columns))
        }
    }
}

async fn write_hooks(
    session: &mut Session,
    mariadb: bool,
    trigger_levels: Option<&[(Option<String>, Option<String>)]>,
) -> Section<WriteHooks> {
    let during = "reading sql_mode and BEFORE INSERT triggers (information_schema.TRIGGERS)";
    let rows = read(session, during, async |c| {
        sqlx::query_as::<_, (String, Option<String>, Option<String>)>(WRITE_HOOKS_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await;
    let rows = match rows {
        Err(e) => return failed(e, during),
        Ok(rows) => rows,
    };
    let mut hooks = WriteHooks::default();
    let mut db_name = None;
    for (kind, value, db) in rows {
        match kind.as_str() {
            "sql_mode" => {
                hooks.sql_mode = value;
                db_name = db;
            }
            _ => {
                if let (Some(name), Some(schema)) = (value, db) {
                    hooks
                        .before_insert_triggers
                        .push(RelationName { schema, name });
                }
            }
        }
    }
    hooks.before_insert_triggers.sort();
    hooks.before_insert_triggers.dedup();
    // MySQL (not MariaDB, which lists the triggers of every table the account can use) shows
    // a table's triggers only with the TRIGGER privilege on it: the others are unseen.
    if !mariadb && let Some(db) = db_name {
        let tables = read(session, "listing the database's tables", async |c| {
            sqlx::query_as::<_, (String, String)>(TABLES_SQL)
                .persistent(false)
                .fetch_all(c)
                .await
        })
        .await
        .unwrap_or_default();
        for (schema, name) in tables {
            let seen =
                trigger_levels.is_some_and(|l| mysql_grants::sees_triggers(l, &schema, &name));
            if !seen && schema == db {
                hooks.triggers_unseen.push(RelationName { schema, name });
            }
        }
    }
    Section::collected(hooks)
}
