//! The live facts the plan needs, read through the collector's read-only session, one
//! statement each whatever the number of tables: the server's version and installable
//! extensions, the size now of every table the migrations lock (and its validated NOT NULL
//! checks), the sessions holding locks on them, and which called functions the server lacks.
//! MySQL/MariaDB: the tables' sizes from information_schema.

use std::collections::BTreeSet;

use gaps_core::hazards::{RelationLocks, TableSize};
use gaps_core::schema::RelationName;
use gaps_core::session::LockBlocker;

use super::refine::LiveFacts;
use crate::db::{Conn, Session};
use crate::locks;

const SERVER_SQL: &str = include_str!("server.sql");
const SIZES_SQL: &str = include_str!("sizes.sql");
const MISSING_FUNCTIONS_SQL: &str = include_str!("missing_functions.sql");
const SIZES_MYSQL_SQL: &str = include_str!("sizes_mysql.sql");

/// What was read.
#[derive(Debug, Default)]
pub struct Read {
    /// Facts for `refine`.
    pub facts: LiveFacts,
    /// Sessions holding or waiting for locks on the tables.
    pub holders: Vec<RelationLocks>,
    /// Reads that failed.
    pub problems: Vec<String>,
}

type SizeRow = (
    String,
    i64,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Vec<String>,
);

/// A relation name as Postgres text input: each part quoted, so that `to_regclass` finds
/// exactly the folded name (unqualified: through the search_path).
pub fn quoted(r: &RelationName) -> String {
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    if r.schema.is_empty() {
        q(&r.name)
    } else {
        format!("{}.{}", q(&r.schema), q(&r.name))
    }
}

/// Reads the Postgres facts for `tables` (as the migrations write them) and `functions`
/// (every name they call).
pub async fn postgres(
    session: &mut Session,
    tables: &[RelationName],
    functions: &[String],
) -> Read {
    let mut out = Read::default();
    match session
        .isolated(
            "reading server_version_num and pg_available_extensions",
            async |c| match c {
                Conn::Postgres(c) => {
                    sqlx::query_as::<_, (i32, Vec<String>)>(SERVER_SQL)
                        .persistent(false)
                        .fetch_one(c)
                        .await
                }
                _ => Ok((0, Vec::new())),
            },
        )
        .await
    {
        Ok((v, ext)) => {
            out.facts.server_version_num = u32::try_from(v).ok();
            out.facts.available_extensions = Some(ext.into_iter().collect());
        }
        Err(e) => out.problems.push(e.to_string()),
    }
    if session.ended().is_some() {
        return out;
    }
    // Tables another session holds an exclusive lock on get no exact size (it would wait).
    let locked: Vec<i64> = locks::survey(session)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|l| l.oid)
        .collect();
    let names: Vec<String> = tables.iter().map(quoted).collect();
    let mut oids: Vec<(i64, RelationName)> = Vec::new();
    match session
        .isolated(
            "reading the size of the tables the pending migrations lock (pg_class, \
             pg_stat_user_tables)",
            async |c| match c {
                Conn::Postgres(c) => {
                    sqlx::query_as::<_, SizeRow>(SIZES_SQL)
                        .persistent(false)
                        .bind(names)
                        .bind(locked)
                        .fetch_all(c)
                        .await
                }
                _ => Ok(Vec::new()),
            },
        )
        .await
    {
        Ok(rows) => {
            for (written, oid, schema, name, reltuples, live, exact, pages, checks) in rows {
                let relation = RelationName { schema, name };
                if let Some(w) = tables.iter().find(|t| quoted(t) == written) {
                    out.facts.resolved.insert(w.clone(), relation.clone());
                }
                if out.facts.sizes.iter().any(|s| s.relation == relation) {
                    continue;
                }
                let columns: Vec<String> =
                    checks.iter().filter_map(|c| not_null_check(c)).collect();
                if !columns.is_empty() {
                    out.facts.not_null_checks.insert(relation.clone(), columns);
                }
                out.facts.sizes.push(TableSize {
                    relation: relation.clone(),
                    estimated_rows: reltuples,
                    live_rows: live,
                    bytes: exact.or(pages),
                    bytes_estimated: exact.is_none() && pages.is_some(),
                });
                oids.push((oid, relation));
            }
        }
        Err(e) => out.problems.push(e.to_string()),
    }
    if !oids.is_empty() && session.ended().is_none() {
        let ids: Vec<i64> = oids.iter().map(|(o, _)| *o).collect();
        match locks::holders(session, &ids).await {
            Ok(rows) => out.holders = group(rows),
            Err(e) => out.problems.push(e.to_string()),
        }
    }
    if !functions.is_empty() && session.ended().is_none() {
        let names = functions.to_vec();
        match session
            .isolated(
                "reading which called functions the server lacks (pg_proc, pg_type)",
                async |c| match c {
                    Conn::Postgres(c) => {
                        sqlx::query_scalar::<_, String>(MISSING_FUNCTIONS_SQL)
                            .persistent(false)
                            .bind(names)
                            .fetch_all(c)
                            .await
                    }
                    _ => Ok(Vec::new()),
                },
            )
            .await
        {
            Ok(missing) => out.facts.missing_functions = Some(missing.into_iter().collect()),
            Err(e) => out.problems.push(e.to_string()),
        }
    } else if functions.is_empty() {
        out.facts.missing_functions = Some(BTreeSet::new());
    }
    out
}

/// The sessions of each relation, holders first; a session is listed once per relation, with
/// its strongest lock.
fn group(rows: Vec<(i64, RelationName, LockBlocker)>) -> Vec<RelationLocks> {
    let mut out: Vec<RelationLocks> = Vec::new();
    for (_, relation, blocker) in rows {
        let i = match out.iter().position(|r| r.relation == relation) {
            Some(i) => i,
            None => {
                out.push(RelationLocks {
                    relation,
                    sessions: Vec::new(),
                });
                out.len() - 1
            }
        };
        let sessions = &mut out[i].sessions;
        let strength = |b: &LockBlocker| gaps_core::hazards::LockMode::from_pg_locks(&b.mode);
        match sessions.iter_mut().find(|b| b.pid == blocker.pid) {
            Some(b) if strength(&blocker) > strength(b) || (!b.granted && blocker.granted) => {
                *b = blocker
            }
            Some(_) => {}
            None => sessions.push(blocker),
        }
    }
    for r in &mut out {
        r.sessions.sort_by_key(|b| (!b.granted, b.pid));
    }
    out
}

/// The column of a `CHECK ((col IS NOT NULL))` definition, as `pg_get_constraintdef` prints
/// it.
fn not_null_check(def: &str) -> Option<String> {
    let inner = def.trim().strip_prefix("CHECK")?.trim();
    let inner = inner.trim_start_matches('(').trim_end_matches(')');
    let column = inner.strip_suffix(" IS NOT NULL")?.trim();
    (!column.contains(' ') || column.starts_with('"')).then(|| super::cst::fold(column))
}

/// Reads the MySQL/MariaDB table sizes (the connection's database), for `tables`.
pub async fn mysql(session: &mut Session, tables: &[RelationName]) -> Read {
    let mut out = Read::default();
    type Row = (String, String, Option<i64>, Option<i64>);
    match session
        .isolated(
            "reading the size of the tables the pending migrations change \
             (information_schema.TABLES)",
            async |c| match c {
                Conn::Mysql(c) => {
                    sqlx::query_as::<_, Row>(SIZES_MYSQL_SQL)
                        .persistent(false)
                        .fetch_all(c)
                        .await
                }
                _ => Ok(Vec::new()),
            },
        )
        .await
    {
        Ok(rows) => {
            for (schema, name, rows, bytes) in rows {
                let Some(w) = tables.iter().find(|t| {
                    t.name.eq_ignore_ascii_case(&name)
                        && (t.schema.is_empty() || t.schema.eq_ignore_ascii_case(&schema))
                }) else {
                    continue;
                };
                let relation = RelationName { schema, name };
                out.facts.resolved.insert(w.clone(), relation.clone());
                out.facts.sizes.push(TableSize {
                    relation,
                    estimated_rows: rows,
                    live_rows: None,
                    bytes,
                    bytes_estimated: false,
                });
            }
        }
        Err(e) => out.problems.push(e.to_string()),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_part_by_part() {
        let r = |s: &str, n: &str| RelationName {
            schema: s.into(),
            name: n.into(),
        };
        assert_eq!(quoted(&r("", "events")), "\"events\"");
        assert_eq!(quoted(&r("app", "My\"T")), "\"app\".\"My\"\"T\"");
    }

    #[test]
    fn not_null_checks_are_read_from_their_definition() {
        assert_eq!(
            not_null_check("CHECK ((email IS NOT NULL))").as_deref(),
            Some("email")
        );
        assert_eq!(
            not_null_check("CHECK ((\"Email\" IS NOT NULL))").as_deref(),
            Some("Email")
        );
        assert_eq!(not_null_check("CHECK ((id > 0))"), None);
        assert_eq!(not_null_check("CHECK (((a IS NOT NULL) OR (b > 0)))"), None);
    }
}
