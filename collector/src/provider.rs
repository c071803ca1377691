//! Provider and connection facts: the hosting provider and pooler from the URL (pure, in
//! core), and from the server through the read-only session: `version()`, TLS on this
//! connection (`pg_stat_ssl`), connection limits and counts, and sqlx's advisory migration
//! lock in `pg_locks` with who holds it. Each read runs in its own savepoint.

use gaps_core::provider::{
    self, LockHolder, MigrationLock, ProviderEvidence, ServerFacts, TlsFacts,
};
use gaps_core::redact;
use gaps_core::section::Section;
use sqlx::Row;

use crate::db::{Conn, Session};

/// Detects the provider from `url` and, when a session is open, reads connection facts.
pub async fn collect(
    url: Option<&str>,
    session: Option<&mut Session>,
) -> Section<ProviderEvidence> {
    let Some(url) = url else {
        return Section::skipped("no database URL");
    };
    let mut ev = provider::detect(url);
    if let Some(session) = session
        && session.backend() == gaps_core::backend::Backend::Postgres
    {
        let facts = server_facts(session).await;
        if let (Some(attach), Some(db)) = (ev.fly_attach.as_mut(), facts.database.as_ref()) {
            attach.database = db.clone();
            attach.matches = attach.user == *db;
        }
        ev.server = Some(facts);
    }
    Section::collected(ev)
}

macro_rules! pg {
    ($s:expr) => {
        match $s {
            Conn::Postgres(c) => c,
            Conn::Sqlite(_) | Conn::Mysql(_) => {
                return Err(sqlx::Error::InvalidArgument(
                    "not a Postgres session".into(),
                ))
            }
        }
    };
}

async fn server_facts(session: &mut Session) -> ServerFacts {
    let mut f = ServerFacts::default();
    match session
        .isolated("reading version() and current_database()", async |s| {
            let row = sqlx::query("SELECT version(), current_database()::text")
                .persistent(false)
                .fetch_one(&mut *pg!(s))
                .await?;
            Ok((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?))
        })
        .await
    {
        Ok((v, db)) => {
            f.version = Some(v);
            f.database = Some(db);
        }
        Err(e) => f.errors.push(e.to_string()),
    }
    match session
        .isolated("reading pg_stat_ssl for this connection", async |s| {
            sqlx::query("SELECT ssl, version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .persistent(false)
                .fetch_optional(&mut *pg!(s))
                .await?
                .map(|r| -> Result<TlsFacts, sqlx::Error> {
                    Ok(TlsFacts {
                        in_use: r.try_get(0)?,
                        version: r.try_get(1)?,
                        cipher: r.try_get(2)?,
                    })
                })
                .transpose()
        })
        .await
    {
        Ok(t) => f.tls = t,
        Err(e) => f.errors.push(e.to_string()),
    }
    match session
        .isolated("reading max_connections and pg_stat_activity", async |s| {
            let row = sqlx::query(
                "SELECT current_setting('max_connections')::bigint, \
                 current_setting('superuser_reserved_connections')::bigint \
                 + coalesce(current_setting('reserved_connections', true)::bigint, 0), \
                 (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')",
            )
            .persistent(false)
            .fetch_one(&mut *pg!(s))
            .await?;
            Ok((
                row.try_get::<i64, _>(0)?,
                row.try_get::<i64, _>(1)?,
                row.try_get::<i64, _>(2)?,
            ))
        })
        .await
    {
        Ok((max, reserved, cur)) => {
            f.max_connections = Some(max);
            f.reserved_connections = Some(reserved);
            f.current_connections = Some(cur);
        }
        Err(e) => f.errors.push(e.to_string()),
    }
    if let Some(db) = f.database.clone() {
        let key = provider::sqlx_migration_lock_key(&db);
        let (classid, objid) = provider::lock_key_halves(key);
        match session
            .isolated("reading sqlx's migration lock from pg_locks", async |s| {
                sqlx::query(
                    "SELECT l.pid, l.granted, a.usename::text, a.application_name, \
                     host(a.client_addr), a.state, \
                     to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                     to_char(a.state_change AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                     left(a.query, 300) \
                     FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
                     WHERE l.locktype = 'advisory' \
                       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
                       AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid \
                       AND l.objsubid = 1 \
                     ORDER BY l.granted DESC, l.pid",
                )
.persistent(false)
                .bind(i64::from(classid))
                .bind(i64::from(objid))
                .fetch_all(&mut *pg!(s))
                .await?
                .into_iter()
                .map(|r| -> Result<LockHolder, sqlx::Error> {
                    Ok(LockHolder {
                        pid: r.try_get(0)?,
                        granted: r.try_get(1)?,
                        user: r.try_get(2)?,
                        application_name: r.try_get(3)?,
                        client_addr: r.try_get(4)?,
                        state: r.try_get(5)?,
                        backend_start: r.try_get(6)?,
                        state_change: r.try_get(7)?,
                        query: r
                            .try_get::<Option<String>, _>(8)?
                            .map(|q| redact::redact_sql(&q)),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
            })
            .await
        {
            Ok(holders) => {
                f.migration_lock = Some(MigrationLock {
                    key,
                    classid,
                    objid,
                    holders,
                })
            }
            Err(e) => f.errors.push(e.to_string()),
        }
    }
    f
}
