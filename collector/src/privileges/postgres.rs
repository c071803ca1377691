//! The service section on PostgreSQL: `has_table_privilege` and its siblings for the service
//! role over every relation, column (where only some are granted), sequence, schema and
//! function, `pg_default_acl`, `pg_db_role_setting` with gaps' own `pg_settings`, and the
//! triggers, rules and domain defaults that fill values an INSERT leaves out.

use gaps_core::backend::Backend;
use gaps_core::schema::RelationName;
use gaps_core::section::Section;
use gaps_core::service::settings::{self, Inputs, RoleSetting, SessionValue};
use gaps_core::service::{
    ColumnName, ColumnPrivileges, DefaultPrivilege, FunctionPrivileges, Privilege, RoleFacts,
    RoleSource, SchemaPrivileges, SequencePrivileges, ServiceEvidence, TablePrivileges, WriteHooks,
};

use super::{ServiceInputs, failed, service_dsn};
use crate::db::{Session, read_pg as read};

const ROLE_SQL: &str = include_str!("postgres/role.sql");
const TABLES_SQL: &str = include_str!("postgres/tables.sql");
const COLUMNS_SQL: &str = include_str!("postgres/columns.sql");
const SEQUENCES_SQL: &str = include_str!("postgres/sequences.sql");
const SCHEMAS_SQL: &str = include_str!("postgres/schemas.sql");
const FUNCTIONS_SQL: &str = include_str!("postgres/functions.sql");
const DEFAULT_ACL_SQL: &str = include_str!("postgres/default_acl.sql");
const ROLE_SETTINGS_SQL: &str = include_str!("postgres/role_settings.sql");
const SESSION_SETTINGS_SQL: &str = include_str!("postgres/session_settings.sql");
const WRITE_HOOKS_SQL: &str = include_str!("postgres/write_hooks.sql");

/// The privileges among `pairs` whose flag is set.
fn held(pairs: &[(Privilege, bool)]) -> Vec<Privilege> {
    pairs.iter().filter(|(_, h)| *h).map(|(p, _)| *p).collect()
}

/// Every part failed for the same reason (the role could not be read or does not exist).
fn all_failed(role: String, source: RoleSource, during: &str, message: &str) -> ServiceEvidence {
    ServiceEvidence {
        backend: Backend::Postgres,
        role,
        role_source: source,
        role_facts: Section::failed(during, message),
        tables: Section::failed(during, message),
        columns: Section::failed(during, message),
        sequences: Section::failed(during, message),
        schemas: Section::failed(during, message),
        functions: Section::failed(during, message),
        default_privileges: Section::failed(during, message),
        settings: Section::failed(during, message),
        write_hooks: Section::failed(during, message),
    }
}

pub(super) async fn collect(session: &mut Session, inputs: &ServiceInputs<'_>) -> ServiceEvidence {
    let source = if inputs.role.is_some() {
        RoleSource::Flag
    } else {
        RoleSource::ConnectingUser
    };
    let asked = inputs.role.unwrap_or("current_user").to_string();
    let during = "reading the service role (pg_roles)";
    let row = read(session, during, async |c| {
        sqlx::query_as::<_, (String, bool, String)>(ROLE_SQL)
            .persistent(false)
            .bind(inputs.role)
            .fetch_optional(c)
            .await
    })
    .await;
    let (role, superuser, me) = match row {
        Err(e) => {
            let e = e.into_section_error(during);
            return all_failed(asked, source, &e.during, &e.message);
        }
        Ok(None) => {
            return all_failed(
                asked.clone(),
                source,
                during,
                &format!("role \"{asked}\" does not exist (check --service-role)"),
            );
        }
        Ok(Some(r)) => r,
    };
    let (tables, columns) = tables_and_columns(session, &role).await;
    ServiceEvidence {
        backend: Backend::Postgres,
        role_source: source,
        role_facts: Section::collected(RoleFacts {
            superuser,
            connecting_user: me.clone(),
            active_roles: Vec::new(),
        }),
        tables,
        columns,
        sequences: sequences(session, &role).await,
        schemas: schemas(session, &role).await,
        functions: functions(session, &role).await,
        default_privileges: default_privileges(session, &role).await,
        settings: session_settings(session, inputs, &role, &me).await,
        write_hooks: write_hooks(session).await,
        role,
    }
}

/// One row of the table privileges read: oid, schema, name, owner, owned, SELECT, INSERT,
/// UPDATE, DELETE on the relation, then SELECT, INSERT, UPDATE on some column.
type TableRow = (
    i64,
    String,
    String,
    String,
    bool,
    bool,
    bool,
    bool,
    bool,
    bool,
    bool,
    bool,
);

async fn tables_and_columns(
    session: &mut Session,
    role: &str,
) -> (
    Section<Vec<TablePrivileges>>,
    Section<Vec<ColumnPrivileges>>,
) {
    let during = "reading the service role's table privileges (has_table_privilege)";
    let rows = read(session, during, async |c| {
        sqlx::query_as::<_, TableRow>(TABLES_SQL)
            .persistent(false)
            .bind(role)
            .fetch_all(c)
            .await
    })
    .await;
    let mut partial = Vec::new();
    let tables = match rows {
        Err(e) => return (failed(e, during), failed_copy(during)),
        Ok(rows) => rows
            .into_iter()
            .map(
                |(oid, schema, name, owner, owned, s, i, u, d, cs, ci, cu)| {
                    let held = held(&[
                        (Privilege::Select, s),
                        (Privilege::Insert, i),
                        (Privilege::Update, u),
                        (Privilege::Delete, d),
                    ]);
                    let on_some_columns = self::held(&[
                        (Privilege::Select, cs && !s),
                        (Privilege::Insert, ci && !i),
                        (Privilege::Update, cu && !u),
                    ]);
                    if !on_some_columns.is_empty() {
                        partial.push(oid);
                    }
                    TablePrivileges {
                        schema,
                        name,
                        owner: Some(owner),
                        owned,
                        held,
                        on_some_columns,
                    }
                },
            )
            .collect::<Vec<_>>(),
    };
    // Only the relations found with privileges on some columns have any column listed: with
    // none, there is nothing to ask.
    if partial.is_empty() {
        return (Section::collected(tables), Section::collected(Vec::new()));
    }
    let during = "reading the service role's column privileges (has_column_privilege)";
    let rows = read(session, during, async |c| {
        sqlx::query_as::<_, (String, String, String, bool, bool, bool)>(COLUMNS_SQL)
            .persistent(false)
            .bind(role)
            .bind(&partial)
            .fetch_all(c)
            .await
    })
    .await;
    let columns = match rows {
        Err(e) => failed(e, during),
        Ok(rows) => Section::collected(
            rows.into_iter()
                .map(|(schema, table, column, s, i, u)| ColumnPrivileges {
                    schema,
                    table,
                    column,
                    held: held(&[
                        (Privilege::Select, s),
                        (Privilege::Insert, i),
                        (Privilege::Update, u),
                    ]),
                })
                .collect(),
        ),
    };
    (Section::collected(tables), columns)
}

/// The column privileges are read only once the table ones are: when those fail, so do these.
fn failed_copy<T>(during: &str) -> Section<T> {
    Section::failed(
        during,
        "not read: the table privileges they complete could not be read",
    )
}

/// Runs `sql` with the service role as `$1` (one catalog read) and turns each row into a
/// `T`, leaving out the rows `map` returns `None` for; a failed read is the section's failure.
async fn per_role<R, T>(
    session: &mut Session,
    during: &str,
    sql: &'static str,
    role: &str,
    map: impl FnMut(R) -> Option<T>,
) -> Section<Vec<T>>
where
    R: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let rows = read(session, during, async |c| {
        sqlx::query_as::<_, R>(sql)
            .persistent(false)
            .bind(role)
            .fetch_all(c)
            .await
    })
    .await;
    match rows {
        Err(e) => failed(e, during),
        Ok(rows) => Section::collected(rows.into_iter().filter_map(map).collect()),
    }
}

async fn sequences(session: &mut Session, role: &str) -> Section<Vec<SequencePrivileges>> {
    let during = "reading the service role's sequence privileges (has_sequence_privilege)";
    per_role(
        session,
        during,
        SEQUENCES_SQL,
        role,
        |(schema, name, usage, select, update): (String, String, bool, bool, bool)| {
            Some(SequencePrivileges {
                schema,
                name,
                held: held(&[
                    (Privilege::Usage, usage),
                    (Privilege::Select, select),
                    (Privilege::Update, update),
                ]),
            })
        },
    )
    .await
}

async fn schemas(session: &mut Session, role: &str) -> Section<Vec<SchemaPrivileges>> {
    let during = "reading the service role's schema privileges (has_schema_privilege)";
    per_role(
        session,
        during,
        SCHEMAS_SQL,
        role,
        |(name, usage, create): (String, bool, bool)| {
            Some(SchemaPrivileges {
                name,
                held: held(&[(Privilege::Usage, usage), (Privilege::Create, create)]),
            })
        },
    )
    .await
}

/// One row of the function privileges read: schema, name, overloads, how many the role may
/// execute, whether one elsewhere on the search_path is executable, the denied signatures.
type FunctionRow = (String, String, i64, i64, bool, Option<Vec<String>>);

async fn functions(session: &mut Session, role: &str) -> Section<Vec<FunctionPrivileges>> {
    let during = "reading the service role's function privileges (has_function_privilege)";
    per_role(
        session,
        during,
        FUNCTIONS_SQL,
        role,
        |(schema, name, overloads, executable, elsewhere, denied): FunctionRow| {
            Some(FunctionPrivileges {
                schema,
                name,
                overloads: u32::try_from(overloads).unwrap_or(u32::MAX),
                executable: u32::try_from(executable).unwrap_or(u32::MAX),
                executable_elsewhere: elsewhere,
                denied: denied.unwrap_or_default(),
            })
        },
    )
    .await
}

/// One row of `pg_default_acl` as read: owner, schema, object type, grantee, privilege,
/// whether the grant reaches the service role.
type DefaultAclRow = (String, Option<String>, String, String, String, bool);

async fn default_privileges(session: &mut Session, role: &str) -> Section<Vec<DefaultPrivilege>> {
    let during = "reading default privileges (pg_default_acl)";
    per_role(
        session,
        during,
        DEFAULT_ACL_SQL,
        role,
        |(owner, schema, kind, grantee, privilege, applies): DefaultAclRow| {
            Some(DefaultPrivilege {
                owner,
                schema,
                object_type: match kind.as_str() {
                    "r" => "table",
                    "S" => "sequence",
                    "f" => "function",
                    "T" => "type",
                    "n" => "schema",
                    _ => "other",
                }
                .to_string(),
                grantee,
                // TRUNCATE, REFERENCES, TRIGGER, MAINTAIN: no statement of the code needs them.
                privilege: Privilege::parse(&privilege)?,
                applies,
            })
        },
    )
    .await
}

async fn session_settings(
    session: &mut Session,
    inputs: &ServiceInputs<'_>,
    role: &str,
    me: &str,
) -> Section<Vec<gaps_core::service::EffectiveSetting>> {
    let during = "reading role and database settings (pg_db_role_setting)";
    let rows = read(session, during, async |c| {
        sqlx::query_as::<_, (Option<String>, Option<String>, Vec<String>)>(ROLE_SETTINGS_SQL)
            .persistent(false)
            .bind(role)
            .fetch_all(c)
            .await
    })
    .await;
    let rows = match rows {
        Err(e) => return failed(e, during),
        Ok(rows) => rows,
    };
    let database = read(session, "reading current_database()", async |c| {
        sqlx::query_scalar::<_, String>("SELECT current_database()::text")
            .persistent(false)
            .fetch_one(c)
            .await
    })
    .await;
    let database = match database {
        Err(e) => return failed(e, "reading current_database()"),
        Ok(d) => d,
    };
    let role_settings: Vec<RoleSetting> = rows
        .into_iter()
        .flat_map(|(r, d, config)| {
            config.into_iter().filter_map(move |kv| {
                let (name, value) = kv.split_once('=')?;
                Some(RoleSetting {
                    role: r.clone(),
                    database: d.clone(),
                    name: name.trim().to_lowercase(),
                    value: value.to_string(),
                })
            })
        })
        .collect();
    let names: Vec<String> = settings::SETTINGS.iter().map(|s| s.to_string()).collect();
    // Without gaps' own values the server's are unknown, which `effective` says.
    let session_values: Vec<SessionValue> = read(
        session,
        "reading gaps' own session settings (pg_settings)",
        async |c| {
            sqlx::query_as::<_, (String, String, String, String)>(SESSION_SETTINGS_SQL)
                .persistent(false)
                .bind(&names)
                .fetch_all(c)
                .await
        },
    )
    .await
    .map(|rows| {
        rows.into_iter()
            .map(|(name, reset, now, unit)| SessionValue {
                name,
                reset: with_unit(&reset, &unit),
                now: with_unit(&now, &unit),
            })
            .collect()
    })
    .unwrap_or_default();
    let gaps_dsn = settings::dsn_options(inputs.url);
    let env = service_dsn(inputs.source_dir);
    let code = inputs
        .code
        .map(|c| c.session_settings.as_slice())
        .unwrap_or_default();
    Section::collected(settings::effective(&Inputs {
        role,
        connecting_user: me,
        database: &database,
        role_settings: &role_settings,
        session: &session_values,
        gaps_dsn: &gaps_dsn,
        service_dsn: env.as_deref().map(|o| (o, ".env (DATABASE_URL)")),
        code,
    }))
}

/// `5000` with unit `ms` reads `5000ms`; `0` (off) and unitless values stay as they are.
fn with_unit(value: &str, unit: &str) -> String {
    if unit.is_empty() || value == "0" || value == "-1" {
        value.to_string()
    } else {
        format!("{value}{unit}")
    }
}

async fn write_hooks(session: &mut Session) -> Section<WriteHooks> {
    let during =
        "reading INSERT triggers, rules and domain defaults (pg_trigger, pg_rewrite, pg_type)";
    let rows = read(session, during, async |c| {
        sqlx::query_as::<_, (String, String, String, Option<String>)>(WRITE_HOOKS_SQL)
            .persistent(false)
            .fetch_all(c)
            .await
    })
    .await;
    match rows {
        Err(e) => failed(e, during),
        Ok(rows) => {
            let mut hooks = WriteHooks::default();
            for (kind, schema, name, column) in rows {
                let rel = RelationName {
                    schema: schema.clone(),
                    name: name.clone(),
                };
                match (kind.as_str(), column) {
                    ("trigger", _) => hooks.before_insert_triggers.push(rel),
                    ("rule", _) => hooks.insert_rules.push(rel),
                    (_, Some(column)) => hooks.domain_defaults.push(ColumnName {
                        schema,
                        table: name,
                        column,
                    }),
                    _ => {}
                }
            }
            hooks.before_insert_triggers.sort();
            hooks.before_insert_triggers.dedup();
            hooks.insert_rules.sort();
            hooks.insert_rules.dedup();
            hooks.domain_defaults.sort();
            Section::collected(hooks)
        }
    }
}
