//! The provider section's view (ACTION-003): the provider detected and what showed it, the
//! server version, the pooler (or that none was detected) with its mode and the direct host to
//! migrate over, the connection facts read from the server, and sqlx's migration lock.

use gaps_core::actions;
use gaps_core::finding::Finding;
use gaps_core::provider::{PoolMode, ProviderEvidence, ServerFacts};
use gaps_core::redact::{redact_sql, redact_text};
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use super::findings::{FindingView, finding_view};
use crate::status::{self, SectionRef};

/// The provider section.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    /// The `provider` section's status.
    pub sections: Vec<SectionRef>,
    /// True when provider evidence was gathered.
    pub collected: bool,
    /// The provider's name for people.
    pub name: Option<String>,
    /// Its snake_case id.
    pub provider: Option<String>,
    /// What showed it.
    pub evidence: Option<String>,
    /// The server version and where it was read.
    pub server_version: Option<(String, String)>,
    /// The connection as the URL gives it: host, port, database, user.
    pub connection: Vec<(String, String)>,
    /// The pooler between client and server.
    pub pooler: Option<PoolerView>,
    /// Why no pooler is shown.
    pub no_pooler: Option<String>,
    /// Fly's attach convention, when it applies.
    pub fly_attach: Option<(String, String, bool)>,
    /// Facts read from the server.
    pub server: Vec<(String, String)>,
    /// sqlx's migration lock, when it was read.
    pub lock: Option<LockView>,
    /// Facts that could not be read, with the reason.
    pub errors: Vec<String>,
    /// ACTION-003 findings.
    pub findings: Vec<FindingView>,
}

/// A connection pooler.
#[derive(Debug, Clone, Serialize)]
pub struct PoolerView {
    /// e.g. "PgBouncer".
    pub name: String,
    /// transaction / session / unknown.
    pub mode: String,
    /// What the mode means for sqlx.
    pub mode_text: String,
    /// `warning` for transaction mode, else `info`.
    pub status: String,
    /// A symbol for the status.
    pub icon: String,
    /// What showed it.
    pub evidence: String,
    /// The direct host to run migrations over.
    pub direct_host: Option<String>,
}

/// sqlx's advisory migration lock.
#[derive(Debug, Clone, Serialize)]
pub struct LockView {
    /// The bigint key, classid and objid.
    pub key: String,
    /// Sessions holding or waiting.
    pub holders: Vec<HolderRow>,
}

/// A session on the migration lock.
#[derive(Debug, Clone, Serialize)]
pub struct HolderRow {
    /// Backend pid.
    pub pid: i32,
    /// "holds" or "waits".
    pub state: String,
    /// A symbol for it.
    pub icon: String,
    /// Role, application and client address.
    pub who: String,
    /// Session state and since when.
    pub since: String,
    /// Its statement, redacted.
    pub query: Option<String>,
}

fn mode_text(m: PoolMode) -> (&'static str, &'static str) {
    match m {
        PoolMode::Transaction => (
            "transaction",
            "a server connection per transaction: sqlx's migration advisory lock, named prepared statements and SET do not carry over",
        ),
        PoolMode::Session => (
            "session",
            "a server connection per client session: session features work",
        ),
        PoolMode::Unknown => ("unknown", "the URL does not tell the pooling mode"),
    }
}

fn server_rows(f: &ServerFacts) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    if let Some(d) = &f.database {
        rows.push(("current database".to_string(), d.clone()));
    }
    if let Some(t) = &f.tls {
        let detail: Vec<&str> = [t.version.as_deref(), t.cipher.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        let text = match (t.in_use, detail.is_empty()) {
            (false, _) => "not in use".to_string(),
            (true, true) => "in use".to_string(),
            (true, false) => format!("in use ({})", detail.join(", ")),
        };
        rows.push(("TLS".to_string(), text));
    }
    let conns = [
        ("connections now", f.current_connections),
        ("max_connections", f.max_connections),
        ("reserved connections", f.reserved_connections),
    ];
    for (k, v) in conns {
        if let Some(v) = v {
            rows.push((k.to_string(), v.to_string()));
        }
    }
    rows
}

fn lock_view(f: &ServerFacts) -> Option<LockView> {
    let l = f.migration_lock.as_ref()?;
    Some(LockView {
        key: format!("{} (classid {}, objid {})", l.key, l.classid, l.objid),
        holders: l
            .holders
            .iter()
            .map(|h| HolderRow {
                pid: h.pid,
                state: if h.granted { "holds" } else { "waits" }.into(),
                icon: if h.granted { "🔒" } else { "⏳" }.into(),
                who: [
                    h.user.as_deref().map(|u| format!("role {u}")),
                    h.application_name
                        .as_deref()
                        .filter(|a| !a.is_empty())
                        .map(|a| format!("application {a}")),
                    h.client_addr.as_deref().map(|c| format!("from {c}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
                since: [
                    h.state.clone(),
                    h.state_change.as_deref().map(|s| format!("since {s}")),
                    h.backend_start.as_deref().map(|s| format!("connected {s}")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", "),
                query: h.query.as_deref().map(redact_sql),
            })
            .collect(),
    })
}

fn connection_rows(p: &ProviderEvidence) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    if let Some(h) = &p.host {
        rows.push(("host".to_string(), h.clone()));
    }
    if let Some(port) = p.port {
        rows.push(("port".to_string(), port.to_string()));
    }
    if let Some(d) = &p.database {
        rows.push(("database".to_string(), d.clone()));
    }
    if let Some(u) = &p.user {
        rows.push(("user".to_string(), u.clone()));
    }
    rows
}

/// The provider view of a snapshot.
pub fn provider_view(s: &Snapshot, findings: &[Finding]) -> ProviderView {
    let p = s.provider.data();
    let server = p.and_then(|p| p.server.as_ref());
    let server_version = server
        .and_then(|f| f.version.clone())
        .map(|v| (v, "version() on the server".to_string()))
        .or_else(|| {
            s.database
                .data()
                .map(|d| (d.server_version.clone(), "the database section".to_string()))
        });
    let pooler = p.and_then(|p| p.pooler.as_ref()).map(|pl| {
        let (mode, text) = mode_text(pl.mode);
        let transaction = pl.mode == PoolMode::Transaction;
        PoolerView {
            name: pl.name.clone(),
            mode: mode.into(),
            mode_text: text.into(),
            status: if transaction { "warning" } else { "info" }.into(),
            icon: if transaction { "▲" } else { "ℹ" }.into(),
            evidence: pl.evidence.clone(),
            direct_host: p.and_then(|p| p.direct_host.clone()),
        }
    });
    ProviderView {
        sections: vec![status::section_ref(s, "provider")],
        collected: p.is_some(),
        name: p.map(|p| p.name.clone()),
        provider: p.map(|p| {
            serde_json::to_value(p.provider)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        }),
        evidence: p.map(|p| redact_text(&p.evidence)),
        server_version,
        connection: p.map(connection_rows).unwrap_or_default(),
        no_pooler: (p.is_some() && pooler.is_none())
            .then(|| "No pooler detected from the URL (host and port).".to_string()),
        pooler,
        fly_attach: p
            .and_then(|p| p.fly_attach.as_ref())
            .map(|f| (f.user.clone(), f.database.clone(), f.matches)),
        server: server.map(server_rows).unwrap_or_default(),
        lock: server.and_then(lock_view),
        errors: server
            .map(|f| f.errors.iter().map(|e| redact_text(e)).collect())
            .unwrap_or_default(),
        findings: findings
            .iter()
            .filter(|f| f.action == actions::PROVIDER)
            .map(finding_view)
            .collect(),
    }
}
