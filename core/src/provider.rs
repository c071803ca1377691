//! The database provider, pooler and connection facts (ACTION-003). Provider detection from
//! the URL is pure ([`detect`]); the server facts are read by the collector.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Hosting providers gaps recognises.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Neon (`*.neon.tech`).
    Neon,
    /// Fly Postgres (an app on Fly's private network: `*.flycast`, `*.internal`).
    FlyPostgres,
    /// Fly Managed Postgres (`*.flympg.net`).
    FlyManagedPostgres,
    /// Supabase (`db.<ref>.supabase.co` direct, `*.pooler.supabase.com` Supavisor).
    Supabase,
    /// Amazon RDS for PostgreSQL.
    AmazonRds,
    /// Amazon Aurora PostgreSQL.
    AmazonAurora,
    /// Google Cloud SQL.
    GoogleCloudSql,
    /// Azure Database for PostgreSQL.
    Azure,
    /// Heroku Postgres.
    Heroku,
    /// Render.
    Render,
    /// Railway.
    Railway,
    /// DigitalOcean Managed Databases.
    DigitalOcean,
    /// A server on this machine (localhost, loopback, a Unix socket).
    Local,
    /// A SQLite file.
    LocalFile,
    /// Not recognised from the URL.
    #[default]
    Unknown,
}

impl Provider {
    /// The provider's name for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Neon => "Neon",
            Provider::FlyPostgres => "Fly Postgres",
            Provider::FlyManagedPostgres => "Fly Managed Postgres",
            Provider::Supabase => "Supabase",
            Provider::AmazonRds => "Amazon RDS",
            Provider::AmazonAurora => "Amazon Aurora",
            Provider::GoogleCloudSql => "Google Cloud SQL",
            Provider::Azure => "Azure Database for PostgreSQL",
            Provider::Heroku => "Heroku Postgres",
            Provider::Render => "Render",
            Provider::Railway => "Railway",
            Provider::DigitalOcean => "DigitalOcean",
            Provider::Local => "local server",
            Provider::LocalFile => "local file",
            Provider::Unknown => "unknown",
        }
    }
}

/// How a pooler shares server connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PoolMode {
    /// A server connection per transaction: session state does not survive between them.
    Transaction,
    /// A server connection per client session: session features work.
    Session,
    /// A pooler whose mode the URL does not tell.
    Unknown,
}

/// A connection pooler between the client and the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Pooler {
    /// e.g. "PgBouncer", "Supavisor", "RDS Proxy".
    pub name: String,
    /// Its pooling mode, as far as the URL tells.
    pub mode: PoolMode,
    /// What in the URL showed it, e.g. "host ep-x-pooler.us-east-2.aws.neon.tech".
    pub evidence: String,
}

/// Provider and connection evidence.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ProviderEvidence {
    /// The provider recognised.
    pub provider: Provider,
    /// Its name for people.
    pub name: String,
    /// What showed it (host suffix, port, socket path).
    pub evidence: String,
    /// Host of the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Port of the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// Database name of the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// User of the URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The pooler the URL goes through, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooler: Option<Pooler>,
    /// The direct (unpooled) host to run migrations over, when it can be derived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_host: Option<String>,
    /// Fly's attach convention: database and user named after the app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fly_attach: Option<FlyAttach>,
    /// Facts read from the server, when a session was open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerFacts>,
}

/// `fly postgres attach` creates a database and a user both named after the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FlyAttach {
    /// The URL's user (the attached app's name under the convention).
    pub user: String,
    /// The URL's (or server's) database.
    pub database: String,
    /// True when they are the same name.
    pub matches: bool,
}

/// Facts read from the server through the read-only session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServerFacts {
    /// `version()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `current_database()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
    /// TLS on this connection (`pg_stat_ssl`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFacts>,
    /// `max_connections`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<i64>,
    /// `superuser_reserved_connections` (+ `reserved_connections` on 16+).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_connections: Option<i64>,
    /// Client backends connected now (`pg_stat_activity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_connections: Option<i64>,
    /// sqlx's advisory migration lock and who holds or waits for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration_lock: Option<MigrationLock>,
    /// Facts that could not be read, with the reason.
    #[serde(default)]
    pub errors: Vec<String>,
}

/// TLS facts of the collector's own connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TlsFacts {
    /// `pg_stat_ssl.ssl`.
    pub in_use: bool,
    /// Protocol version, e.g. TLSv1.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Cipher.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cipher: Option<String>,
}

/// sqlx's migration lock: `pg_advisory_lock(key)` with `key = 0x3d32ad9e * crc32(db)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MigrationLock {
    /// The bigint key.
    pub key: i64,
    /// `pg_locks.classid` (high 32 bits).
    pub classid: u32,
    /// `pg_locks.objid` (low 32 bits).
    pub objid: u32,
    /// Sessions holding (granted) or waiting for it.
    #[serde(default)]
    pub holders: Vec<LockHolder>,
}

/// A session in `pg_locks` for the migration lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LockHolder {
    /// Backend pid.
    pub pid: i32,
    /// True when it holds the lock, false when it waits.
    pub granted: bool,
    /// Role name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `application_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_name: Option<String>,
    /// Client address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_addr: Option<String>,
    /// `state` (active, idle, idle in transaction...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// When the session connected (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backend_start: Option<String>,
    /// When its state last changed: the lower bound for how long it has held the lock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_change: Option<String>,
    /// Its current or last statement (redacted, cut at 300 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// sqlx's advisory lock key for migrations on database `db` (sqlx-postgres `generate_lock_id`).
pub fn sqlx_migration_lock_key(db: &str) -> i64 {
    0x3d32ad9e_i64.wrapping_mul(i64::from(crc32fast::hash(db.as_bytes())))
}

/// The `(classid, objid)` halves `pg_locks` shows for a bigint advisory key.
pub fn lock_key_halves(key: i64) -> (u32, u32) {
    let k = key as u64;
    ((k >> 32) as u32, k as u32)
}

/// Provider, pooler and connection facts that the URL alone tells. Never fails: an unparsable
/// URL gives `Unknown`.
pub fn detect(url: &str) -> ProviderEvidence {
    // Host, user and database are read from the redacted URL: a URL that does not parse the
    // usual way (`postgres:/u:PW@h/db`) must not put its password into the evidence.
    let redacted = crate::redact::redact_url(url);
    let url = redacted.as_str();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("sqlite:") {
        return ProviderEvidence {
            provider: Provider::LocalFile,
            name: Provider::LocalFile.display_name().into(),
            evidence: "sqlite: URL".into(),
            ..ProviderEvidence::default()
        };
    }
    let mut ev = ProviderEvidence::default();
    let parsed = url::Url::parse(url).ok();
    // libpq lets `?host=` override the authority (Cloud SQL and other Unix sockets).
    let query_host = parsed
        .as_ref()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "host")
                .map(|(_, v)| v.into_owned())
        })
        .or_else(|| {
            let i = url.find("host=")? + 5;
            let rest = &url[i..];
            Some(rest[..rest.find('&').unwrap_or(rest.len())].to_string())
        })
        .filter(|h| !h.is_empty());
    let host = query_host.clone().or_else(|| {
        parsed
            .as_ref()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
            })
            .filter(|h| !h.is_empty())
    });
    ev.host = host.clone();
    ev.port = parsed.as_ref().and_then(|u| u.port());
    ev.database = parsed
        .as_ref()
        .map(|u| u.path().trim_start_matches('/').to_string())
        .filter(|d| !d.is_empty());
    ev.user = parsed
        .as_ref()
        .map(|u| u.username().to_string())
        .filter(|u| !u.is_empty());
    let h = host.unwrap_or_default();
    let port = ev.port.unwrap_or(5432);
    let first_label = h.split('.').next().unwrap_or_default().to_string();
    let ends = |s: &str| h.ends_with(s);
    let (provider, evidence) = if h.starts_with('/') {
        if h.starts_with("/cloudsql/") {
            (Provider::GoogleCloudSql, format!("socket {h}"))
        } else {
            (Provider::Local, format!("Unix socket {h}"))
        }
    } else if ends(".neon.tech") {
        (Provider::Neon, format!("host {h}"))
    } else if ends(".flycast") || ends(".internal") && !ends(".railway.internal") {
        (
            Provider::FlyPostgres,
            format!("host {h} on Fly's private network"),
        )
    } else if ends(".flympg.net") {
        (Provider::FlyManagedPostgres, format!("host {h}"))
    } else if ends(".supabase.co") || ends(".supabase.com") {
        (Provider::Supabase, format!("host {h}"))
    } else if ends(".rds.amazonaws.com") {
        if h.contains(".cluster-") {
            (Provider::AmazonAurora, format!("cluster endpoint {h}"))
        } else {
            (Provider::AmazonRds, format!("host {h}"))
        }
    } else if ends(".compute-1.amazonaws.com") || ends(".compute.amazonaws.com") {
        (
            Provider::Heroku,
            format!("host {h} (Heroku Postgres runs on EC2 hosts)"),
        )
    } else if ends(".postgres.database.azure.com") {
        (Provider::Azure, format!("host {h}"))
    } else if ends(".render.com") || (first_label.starts_with("dpg-") && !h.contains('.')) {
        (Provider::Render, format!("host {h}"))
    } else if ends(".railway.app") || ends(".rlwy.net") || ends(".railway.internal") {
        (Provider::Railway, format!("host {h}"))
    } else if ends(".db.ondigitalocean.com") {
        (Provider::DigitalOcean, format!("host {h}"))
    } else if h.is_empty()
        || h == "localhost"
        || h.starts_with("127.")
        || h == "::1"
        || h == "0.0.0.0"
    {
        (
            Provider::Local,
            format!(
                "host {}",
                if h.is_empty() { "(default socket)" } else { &h }
            ),
        )
    } else {
        (
            Provider::Unknown,
            format!("host {h} is not one gaps recognises"),
        )
    };
    ev.provider = provider;
    ev.name = provider.display_name().into();
    ev.evidence = evidence;

    // Poolers.
    let pooler = |name: &str, mode: PoolMode, why: String| Pooler {
        name: name.into(),
        mode,
        evidence: why,
    };
    match provider {
        Provider::Neon if first_label.ends_with("-pooler") => {
            ev.pooler = Some(pooler(
                "PgBouncer",
                PoolMode::Transaction,
                format!("host {h}: Neon's -pooler endpoint runs PgBouncer in transaction mode"),
            ));
            ev.direct_host = Some(h.replacen("-pooler", "", 1));
        }
        Provider::Supabase if h.contains(".pooler.supabase.com") => {
            let mode = if port == 6543 {
                PoolMode::Transaction
            } else {
                PoolMode::Session
            };
            ev.pooler = Some(pooler(
                "Supavisor",
                mode,
                format!("host {h} port {port} (6543 = transaction mode, 5432 = session mode)"),
            ));
            // The project ref is the part after "postgres." in the user name.
            if let Some(r) = ev.user.as_deref().and_then(|u| u.strip_prefix("postgres.")) {
                ev.direct_host = Some(format!("db.{r}.supabase.co"));
            }
        }
        Provider::Supabase if port == 6543 => {
            ev.pooler = Some(pooler(
                "PgBouncer",
                PoolMode::Transaction,
                format!("port 6543 on {h} is Supabase's transaction pooler"),
            ));
            ev.direct_host = Some(format!("{h}:5432"));
        }
        Provider::FlyManagedPostgres if first_label == "pgbouncer" => {
            ev.pooler = Some(pooler(
                "PgBouncer",
                PoolMode::Transaction,
                format!("host {h}: Fly Managed Postgres' pgbouncer endpoint"),
            ));
            ev.direct_host = Some(h.replacen("pgbouncer.", "direct.", 1));
        }
        Provider::AmazonRds | Provider::AmazonAurora if h.contains(".proxy-") => {
            ev.pooler = Some(pooler(
                "RDS Proxy",
                PoolMode::Unknown,
                format!("host {h} is an RDS Proxy endpoint"),
            ));
        }
        Provider::DigitalOcean if port == 25061 => {
            ev.pooler = Some(pooler(
                "PgBouncer",
                PoolMode::Unknown,
                "port 25061 is DigitalOcean's connection-pool port".to_string(),
            ));
        }
        Provider::Azure if port == 6432 => {
            ev.pooler = Some(pooler(
                "PgBouncer",
                PoolMode::Transaction,
                format!("port 6432 on {h} is Azure's built-in PgBouncer"),
            ));
            ev.direct_host = Some(format!("{h}:5432"));
        }
        _ if port == 6432 => {
            ev.pooler = Some(pooler(
                "PgBouncer",
                PoolMode::Unknown,
                "port 6432 is PgBouncer's default".into(),
            ));
        }
        _ => {}
    }
    if provider == Provider::FlyPostgres
        && let (Some(user), Some(db)) = (ev.user.clone(), ev.database.clone())
    {
        ev.fly_attach = Some(FlyAttach {
            matches: user == db,
            user,
            database: db,
        });
    }
    ev
}

/// What a transaction-mode pooler breaks, for messages.
pub const TRANSACTION_POOLER_CONSEQUENCES: &str = "session-level advisory locks (sqlx takes one \
    around migrations), named prepared statements (sqlx prepares every query: `prepared \
    statement \"sqlx_s_1\" already exists`) and `SET search_path` do not survive from one \
    transaction to the next";

#[cfg(test)]
mod tests;
