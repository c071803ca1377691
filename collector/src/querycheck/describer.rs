//! The statement-by-statement describe loop on the open session.
//!
//! Lock safety: on Postgres every describe runs in its own savepoint that is *rolled back*
//! afterwards, which releases the ACCESS SHARE locks the Parse took (a RELEASE would keep them
//! until the transaction ends, and a migration's `ALTER TABLE` would queue behind gaps, and
//! the application behind the ALTER). The named statement sqlx prepared survives the rollback
//! (prepared statements are not transactional), so sqlx's statement cache stays valid, and
//! all of them are closed at the end. A statement that names a relation another session
//! holds an exclusive lock on is not sent at all; one that still waits longer than the lock
//! timeout is recorded as blocked and never retried. On MySQL/MariaDB a prepare releases its
//! metadata locks itself.
//!
//! The session's guard bounds every round trip and the whole collection: once the server
//! stalls, the connection is lost or the deadline passes, every statement left is recorded
//! as not described, without waiting again.

use std::collections::BTreeMap;
use std::time::Duration;

use gaps_core::backend::Backend;
use gaps_core::querycheck::StatementKind;
use gaps_core::schema::{IncompleteCause, RelationName};
use sqlx::{AssertSqlSafe, Connection, Executor, SqlSafeStr};

use super::live::{Live, failure, from_parts, statement_parts};
use crate::db::{Conn, DbError, Session, cause_of};
use crate::locks;
use crate::progress::Progress;

/// Leftover named statements: prepared during this transaction (so by gaps: a pooler gives
/// the server connection to no one else meanwhile) and not closed because sqlx never cached
/// them (their Parse succeeded but reading their types failed).
const LEFTOVER_SQL: &str = "SELECT name FROM pg_catalog.pg_prepared_statements \
     WHERE NOT from_sql AND prepare_time >= pg_catalog.transaction_timestamp()";

/// The state of one describe phase.
pub(super) struct Describer<'s> {
    session: &'s mut Session,
    timeout: Duration,
    lock_timeout: Duration,
    /// Relations another session holds or queues for an exclusive lock on.
    locked: Vec<RelationName>,
    /// How many statements each locked relation kept from being described.
    blocked: BTreeMap<RelationName, usize>,
    progress: Progress,
    done: usize,
    total: usize,
}

/// What one Parse/Describe gave.
enum Attempt {
    Done(Live),
    Failed(sqlx::Error),
    /// The session ended (deadline, stalled server, lost connection): nothing more is sent.
    Ended(String),
}

impl<'s> Describer<'s> {
    /// Sets the describe phase's timeouts (Postgres: transaction-local, inside an outer
    /// savepoint that restores the session's own at the end) and reads which relations are
    /// locked. Fails only when the session cannot take a statement at all.
    pub(super) async fn start(
        session: &'s mut Session,
        timeout: Duration,
        lock_timeout: Duration,
        progress: Progress,
        total: usize,
    ) -> Result<Describer<'s>, DbError> {
        let mut d = Describer {
            session,
            timeout,
            lock_timeout,
            locked: Vec::new(),
            blocked: BTreeMap::new(),
            progress,
            done: 0,
            total,
        };
        if d.session.ended().is_some() {
            return Ok(d);
        }
        if d.session.backend() == Backend::Postgres {
            let during = "validating queries";
            let ms = timeout.as_millis().max(1);
            let lock_ms = lock_timeout.as_millis().max(1);
            d.session.begin_scope("gaps_querycheck", during).await?;
            d.session
                .control(&format!("SET LOCAL statement_timeout = {ms}"), during)
                .await?;
            d.session
                .control(&format!("SET LOCAL lock_timeout = {lock_ms}"), during)
                .await?;
        }
        d.refresh_locks().await;
        Ok(d)
    }

    /// Reads the locks again and adds what is newly locked.
    async fn refresh_locks(&mut self) {
        if let Ok(found) = locks::survey(self.session).await {
            for l in found {
                if !self.locked.contains(&l.relation) {
                    self.locked.push(l.relation);
                }
            }
        }
    }

    /// Why nothing more is sent, once the session ended.
    pub(super) fn stopped(&self) -> Option<String> {
        self.session.ended().map(|e| e.message.clone())
    }

    /// The database's verdict on `sql`. Never fails: whatever stops the describe is recorded
    /// as the reason the statement is not checkable.
    pub(super) async fn describe(&mut self, sql: &str, kind: StatementKind) -> Live {
        self.done += 1;
        self.progress.count(
            "describing",
            self.done,
            self.total.max(self.done),
            "statements",
        );
        if let Some(end) = self.session.ended() {
            return Live::not_checkable(format!("not described: {}", end.message));
        }
        if let Some(r) = self
            .locked
            .iter()
            .find(|r| locks::mentions(sql, &r.name))
            .cloned()
        {
            *self.blocked.entry(r.clone()).or_default() += 1;
            return Live::not_checkable(format!(
                "not described: {r} is locked by {}; gaps does not queue behind the lock",
                locks::who(self.session, &r)
            ));
        }
        let full = kind == StatementKind::Query;
        let e = match self.attempt(sql, full).await {
            Attempt::Done(live) => return live,
            Attempt::Ended(why) => return Live::not_checkable(format!("not described: {why}")),
            Attempt::Failed(e) => e,
        };
        match cause_of(&e) {
            // Never retried: a second try would wait in the same queue.
            IncompleteCause::LockTimeout => return self.blocked_by_lock(sql).await,
            IncompleteCause::Timeout => {
                return Live::not_checkable(format!(
                    "did not finish within {:.1}s",
                    self.timeout.as_secs_f64()
                ));
            }
            _ => {}
        }
        if let Some(catalog) = gaps_catalog_denied(&e, sql) {
            return Live::not_checkable(format!(
                "not checkable: gaps could not read {catalog}, which describing it needs ({})",
                db_message(&e)
            ));
        }
        if !full {
            return failure(&e, self.timeout);
        }
        // sqlx's nullability inference failed after a clean Parse, or the Parse itself
        // failed: a bare Parse/Describe tells which, and gives the server's own error.
        match self.attempt(sql, false).await {
            Attempt::Done(live) => live,
            Attempt::Ended(why) => Live::not_checkable(format!("not described: {why}")),
            Attempt::Failed(e) => match gaps_catalog_denied(&e, sql) {
                Some(catalog) => Live::not_checkable(format!(
                    "not checkable: gaps could not read {catalog}, which describing it needs ({})",
                    db_message(&e)
                )),
                None => failure(&e, self.timeout),
            },
        }
    }

    /// A describe that waited longer than the lock timeout: the locks are read again to name
    /// what blocked it.
    async fn blocked_by_lock(&mut self, sql: &str) -> Live {
        self.refresh_locks().await;
        let wait = self.lock_timeout.as_secs_f64();
        match self
            .locked
            .iter()
            .find(|r| locks::mentions(sql, &r.name))
            .cloned()
        {
            Some(r) => {
                *self.blocked.entry(r.clone()).or_default() += 1;
                Live::not_checkable(format!(
                    "waited more than {wait:.1}s for a lock on {r} (locked by {}); not retried",
                    locks::who(self.session, &r)
                ))
            }
            None => Live::not_checkable(format!(
                "waited more than {wait:.1}s for a lock on a table it reads (a migration or \
                 ALTER holding it?); not retried"
            )),
        }
    }

    async fn attempt(&mut self, sql: &str, full: bool) -> Attempt {
        let during = "describing a statement";
        let text = AssertSqlSafe(sql.to_string()).into_sql_str();
        // The server's statement_timeout fires first; this only guards against a server
        // that stops answering altogether.
        let cap = Some(self.timeout + Duration::from_secs(2));
        let work = async |c: &mut Conn| match c {
            Conn::Postgres(conn) => {
                if full {
                    conn.describe(text).await.map(|d| {
                        from_parts::<sqlx::Postgres>(&d.columns, d.parameters, &d.nullable)
                    })
                } else {
                    let st = conn.prepare(text).await?;
                    Ok(statement_parts::<sqlx::Postgres, _>(&st))
                }
            }
            Conn::Sqlite(conn) => {
                if full {
                    conn.describe(text)
                        .await
                        .map(|d| from_parts::<sqlx::Sqlite>(&d.columns, d.parameters, &d.nullable))
                } else {
                    let st = conn.prepare(text).await?;
                    Ok(statement_parts::<sqlx::Sqlite, _>(&st))
                }
            }
            // COM_STMT_PREPARE only: the server parses and resolves the statement and
            // reports its parameters and columns; nothing is executed.
            Conn::Mysql(conn) => {
                if full {
                    conn.describe(text)
                        .await
                        .map(|d| from_parts::<sqlx::MySql>(&d.columns, d.parameters, &d.nullable))
                } else {
                    let st = conn.prepare(text).await?;
                    Ok(statement_parts::<sqlx::MySql, _>(&st))
                }
            }
        };
        // Postgres: in the read savepoint, rolled back afterwards (a rejected Parse would
        // otherwise abort the transaction, and a RELEASE would keep the Parse's locks until
        // the transaction ends). MySQL/MariaDB: a failed prepare does not abort the
        // transaction and a prepare releases its metadata locks when it ends. SQLite:
        // nothing is locked beyond the transaction's own read lock.
        let result = match self.session.backend() {
            Backend::Postgres => self.session.isolated_raw(during, cap, work).await,
            _ => self.session.run_raw(during, cap, work).await,
        };
        match result {
            Err(e) => Attempt::Ended(e.to_string()),
            Ok(Ok(live)) => Attempt::Done(live),
            Ok(Err(e)) => Attempt::Failed(e),
        }
    }

    /// Closes every statement sqlx prepared (and, on Postgres, any it prepared but never
    /// cached), restores the session's timeouts, and notes in the session's report what the
    /// locked relations kept from being described. Nothing is sent once the session ended.
    pub(super) async fn finish(self) -> Result<(), DbError> {
        let Describer {
            session, blocked, ..
        } = self;
        for (relation, n) in blocked {
            let what = if n == 1 {
                "1 statement not described".to_string()
            } else {
                format!("{n} statements not described")
            };
            locks::note_not_read(session, &relation, &what);
        }
        if session.ended().is_some() {
            return Ok(());
        }
        let during = "closing the statements prepared for query validation";
        session
            .run(during, async |c| match c {
                Conn::Postgres(c) => c.clear_cached_statements().await,
                Conn::Sqlite(c) => c.clear_cached_statements().await,
                Conn::Mysql(c) => c.clear_cached_statements().await,
            })
            .await?;
        if session.backend() == Backend::Postgres {
            let leftovers: Vec<String> = session
                .run(during, async |c| match c {
                    Conn::Postgres(c) => {
                        sqlx::query_scalar(LEFTOVER_SQL)
                            .persistent(false)
                            .fetch_all(c)
                            .await
                    }
                    _ => Ok(Vec::new()),
                })
                .await?;
            for name in leftovers {
                // DEALLOCATE is what a protocol Close does; sqlx offers no Close by name.
                let quoted = format!("\"{}\"", name.replace('"', "\"\""));
                session
                    .control(&format!("DEALLOCATE {quoted}"), during)
                    .await?;
            }
            // Restores the session's own timeouts for anything that runs later.
            session
                .end_scope("gaps_querycheck", "validating queries")
                .await?;
        }
        Ok(())
    }
}

/// The server's message of a database error, else the error.
fn db_message(e: &sqlx::Error) -> String {
    e.as_database_error()
        .map(|d| d.message().to_string())
        .unwrap_or_else(|| e.to_string())
}

/// The system catalog gaps' own describe could not read: a permission error naming a
/// `pg_*` table the statement itself does not mention (sqlx reads `pg_type`, `pg_enum`,
/// `pg_attribute` to describe result types). Not the statement's fault.
pub(super) fn gaps_catalog_denied(e: &sqlx::Error, sql: &str) -> Option<String> {
    if cause_of(e) != IncompleteCause::Permission {
        return None;
    }
    let message = e.as_database_error()?.message().to_string();
    let table = ["for table ", "for relation "].iter().find_map(|p| {
        message.find(p).map(|i| {
            message[i + p.len()..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
                .to_string()
        })
    })?;
    (table.starts_with("pg_") && !locks::mentions(sql, &table)).then_some(table)
}
