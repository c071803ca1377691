//! Which relations another session holds (or queues for) a lock on that gaps would have to
//! wait behind, and who that session is: `pg_locks` with `pg_stat_activity` and
//! `pg_blocking_pids` on Postgres; MariaDB's `METADATA_LOCK_INFO` (metadata_lock_info plugin)
//! or MySQL's `performance_schema.metadata_locks` on MySQL. Read before the catalogs and the
//! describes (so gaps skips a locked relation instead of queueing behind its lock) and again
//! after a lock timeout (to name what blocked it). Every finding is merged into the session's
//! report, with the holder's query redacted.

use gaps_core::backend::Backend;
use gaps_core::redact;
use gaps_core::schema::RelationName;
use gaps_core::session::LockBlocker;

use crate::db::{Conn, DbError, Session};

const POSTGRES_SQL: &str = include_str!("locks/postgres.sql");
const POSTGRES_HOLDERS_SQL: &str = include_str!("locks/postgres_holders.sql");
const MARIADB_SQL: &str = include_str!("locks/mariadb.sql");
const MYSQL_SQL: &str = include_str!("locks/mysql.sql");

/// A relation found locked: its oid (Postgres), its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    /// The relation's oid on Postgres (to leave it out of catalog reads); None on MySQL.
    pub oid: Option<i64>,
    /// The relation.
    pub relation: RelationName,
}

type PgRow = (
    i64,
    String,
    String,
    String,
    bool,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<String>,
    Option<Vec<i64>>,
);

type MyRow = (
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

/// Reads the locks other sessions hold or queue for on this database's relations, records
/// them in `session.report`, and returns the relations. SQLite has no such locks: empty. A
/// server that does not expose metadata locks (MySQL without performance_schema, MariaDB
/// without the plugin) gives an empty list; a failed read is returned as the error.
pub async fn survey(session: &mut Session) -> Result<Vec<Locked>, DbError> {
    let found: Vec<(Option<i64>, RelationName, LockBlocker)> = match session.backend() {
        Backend::Sqlite => return Ok(Vec::new()),
        Backend::Postgres => {
            let rows = session
                .isolated(
                    "reading locks held by other sessions (pg_locks)",
                    async |c| match c {
                        Conn::Postgres(c) => {
                            sqlx::query_as::<_, PgRow>(POSTGRES_SQL)
                                .persistent(false)
                                .fetch_all(c)
                                .await
                        }
                        _ => Ok(Vec::new()),
                    },
                )
                .await?;
            rows.into_iter()
                .map(|row| {
                    let (oid, relation, blocker) = pg_blocker(row);
                    (Some(oid), relation, blocker)
                })
                .collect()
        }
        Backend::Mysql => {
            let mut rows = Vec::new();
            for sql in [MARIADB_SQL, MYSQL_SQL] {
                let during = "reading metadata locks held by other connections";
                match session
                    .isolated(during, async |c| match c {
                        Conn::Mysql(c) => {
                            sqlx::query_as::<_, MyRow>(sql)
                                .persistent(false)
                                .fetch_all(c)
                                .await
                        }
                        _ => Ok(Vec::new()),
                    })
                    .await
                {
                    Ok(r) => {
                        rows = r;
                        break;
                    }
                    // This server lacks that view: try the other, else nothing is known.
                    Err(DbError::Statement { .. }) => continue,
                    Err(e) => return Err(e),
                }
            }
            rows.into_iter()
                .map(
                    |(schema, name, mode, granted, pid, user, command, state, time, info)| {
                        let state = match (command, state) {
                            (Some(c), Some(s)) if !s.is_empty() => Some(format!("{c}: {s}")),
                            (c, _) => c,
                        };
                        (
                            None,
                            RelationName { schema, name },
                            LockBlocker {
                                pid,
                                mode,
                                granted: granted != 0,
                                role: user,
                                application_name: None,
                                state,
                                age_secs: time.map(|t| t as f64),
                                query: info.map(|q| redact::redact_sql(&q)),
                                blocked_by: Vec::new(),
                            },
                        )
                    },
                )
                .collect()
        }
    };
    let mut out: Vec<Locked> = Vec::new();
    for (oid, relation, blocker) in found {
        let entry = session.report.locked_entry(&relation);
        entry.blockers.retain(|b| b.pid != blocker.pid);
        entry.blockers.push(blocker);
        if !out.iter().any(|l| l.relation == relation) {
            out.push(Locked { oid, relation });
        }
    }
    session.report.canonicalize();
    Ok(out)
}

/// A row of the Postgres lock queries as (oid, relation, session), its query redacted.
fn pg_blocker(row: PgRow) -> (i64, RelationName, LockBlocker) {
    let (oid, schema, name, mode, granted, pid, role, app, state, age, q, by) = row;
    (
        oid,
        RelationName { schema, name },
        LockBlocker {
            pid,
            mode,
            granted,
            role,
            application_name: app,
            state,
            age_secs: age,
            query: q.map(|q| redact::redact_sql(&q)),
            blocked_by: by.unwrap_or_default(),
        },
    )
}

/// Every session that holds or waits for a lock of any mode on the relations `oids` (or
/// their indexes) on Postgres, as (oid, relation, session): the sessions a migration's lock
/// request would queue behind. Unlike [`survey`] it is not recorded in the session's report
/// (it says nothing about gaps' own reads). Empty on other engines.
pub async fn holders(
    session: &mut Session,
    oids: &[i64],
) -> Result<Vec<(i64, RelationName, LockBlocker)>, DbError> {
    if session.backend() != Backend::Postgres || oids.is_empty() {
        return Ok(Vec::new());
    }
    let oids = oids.to_vec();
    let rows = session
        .isolated(
            "reading the sessions holding locks on the tables the pending migrations lock \
             (pg_locks)",
            async |c| match c {
                Conn::Postgres(c) => {
                    sqlx::query_as::<_, PgRow>(POSTGRES_HOLDERS_SQL)
                        .persistent(false)
                        .bind(oids)
                        .fetch_all(c)
                        .await
                }
                _ => Ok(Vec::new()),
            },
        )
        .await?;
    Ok(rows.into_iter().map(pg_blocker).collect())
}

/// Whether `sql` names relation `name` as a word (case-insensitive, not inside a longer
/// identifier). Used to skip, without sending it, a statement that would queue behind a lock;
/// a false positive only leaves a statement undescribed.
pub fn mentions(sql: &str, name: &str) -> bool {
    if name.is_empty() {
        return false;
    }
    let is_ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let hay = sql.to_lowercase();
    let needle = name.to_lowercase();
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle) {
        let start = from + i;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if !before.is_some_and(is_ident) && !after.is_some_and(is_ident) {
            return true;
        }
        from = start + needle.len().max(1);
    }
    false
}

/// "pid 4242 (AccessExclusiveLock, held)" for each blocker of `relation` in the report.
pub fn who(session: &Session, relation: &RelationName) -> String {
    let Some(l) = session
        .report
        .locked
        .iter()
        .find(|l| &l.relation == relation)
    else {
        return "another session".into();
    };
    let pids: Vec<String> = l
        .blockers
        .iter()
        .map(|b| {
            format!(
                "pid {} ({}{})",
                b.pid,
                b.mode,
                if b.granted { ", held" } else { ", queued" }
            )
        })
        .collect();
    if pids.is_empty() {
        "another session".into()
    } else {
        pids.join(", ")
    }
}

/// Notes in the report that `what` was not read because `relation` was locked.
pub fn note_not_read(session: &mut Session, relation: &RelationName, what: &str) {
    let entry = session.report.locked_entry(relation);
    if !entry.not_read.iter().any(|w| w == what) {
        entry.not_read.push(what.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn a_relation_is_mentioned_only_as_a_whole_word() {
        assert!(mentions("SELECT id FROM users WHERE id = $1", "users"));
        assert!(mentions("select * from public.\"Users\"", "users"));
        assert!(mentions("UPDATE users SET x = 1", "USERS"));
        assert!(!mentions("SELECT users_id FROM todos", "users"));
        assert!(!mentions("SELECT id FROM superusers", "users"));
        assert!(!mentions("SELECT 1", ""));
    }
}
