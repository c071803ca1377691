//! Finding rules for the provider evidence: a transaction-mode pooler in the URL, sqlx's
//! migration lock held, and connections close to the server's limit.

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::provider::{PoolMode, TRANSACTION_POOLER_CONSEQUENCES};
use crate::snapshot::Snapshot;

/// Share of usable connections at which `connections_near_limit` fires.
pub const NEAR_LIMIT: f64 = 0.8;

/// Findings derived from the provider evidence.
pub(super) fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let Some(p) = snapshot.provider.data() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(pooler) = &p.pooler
        && pooler.mode != PoolMode::Session
    {
        let mode = match pooler.mode {
            PoolMode::Transaction => "in transaction mode",
            _ => "possibly in transaction mode",
        };
        let direct = p
            .direct_host
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        out.push(
            Finding::new(
                FindingKind::ProviderPoolerInUse,
                Severity::Warning,
                actions::PROVIDER,
                format!(
                    "the database URL goes through {} {mode} ({}): {TRANSACTION_POOLER_CONSEQUENCES}",
                    pooler.name, pooler.evidence
                ),
            )
            .next_step(format!(
                "run migrations over the direct host{direct}; for the service, use the direct host \
                 or a pooler with prepared-statement support"
            ))
            .detail("pooler", pooler.name.clone())
            .detail("provider", p.name.clone()),
        );
    }
    let Some(server) = &p.server else {
        return out;
    };
    if let Some(lock) = &server.migration_lock {
        let held: Vec<_> = lock.holders.iter().filter(|h| h.granted).collect();
        let waiting = lock.holders.len() - held.len();
        for h in held {
            let who = [
                h.user.as_deref().map(|u| format!("user {u}")),
                h.application_name
                    .as_deref()
                    .filter(|a| !a.is_empty())
                    .map(|a| format!("application \"{a}\"")),
                h.client_addr.as_deref().map(|c| format!("from {c}")),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            let since = h
                .state_change
                .as_deref()
                .or(h.backend_start.as_deref())
                .map(|s| format!(" since {s}"))
                .unwrap_or_default();
            let waiters = if waiting > 0 {
                format!("; {waiting} other session(s) wait for it")
            } else {
                String::new()
            };
            let mut f = Finding::new(
                FindingKind::MigrationLockHeld,
                Severity::Warning,
                actions::MIGRATIONS,
                format!(
                    "sqlx's migration lock (advisory key {}) is held by backend {} ({who}), state \
                     {}{since}{waiters}: a deploy running migrations waits for it",
                    lock.key,
                    h.pid,
                    h.state.as_deref().unwrap_or("unknown")
                ),
            )
            .next_step(format!(
                "find out what pid {} is doing; if it is a stranded migrator, end it with \
                 pg_terminate_backend({})",
                h.pid, h.pid
            ))
            .detail("pid", h.pid)
            .detail("lock_key", lock.key);
            if let Some(q) = &h.query {
                f = f.detail("query", q.clone());
            }
            if let Some(s) = &h.state_change {
                f = f.detail("since", s.clone());
            }
            out.push(f);
        }
    }
    if let (Some(max), Some(cur)) = (server.max_connections, server.current_connections) {
        let usable = (max - server.reserved_connections.unwrap_or(0)).max(1);
        if cur as f64 >= NEAR_LIMIT * usable as f64 {
            out.push(
                Finding::new(
                    FindingKind::ConnectionsNearLimit,
                    Severity::Warning,
                    actions::PROVIDER,
                    format!(
                        "{cur} client connections are open of {usable} usable (max_connections = \
                         {max}): new connections will soon fail with 53300"
                    ),
                )
                .next_step(
                    "lower the pools' max_connections per instance, or raise the server's limit",
                )
                .detail("current_connections", cur)
                .detail("max_connections", max)
                .live(cur.to_string())
                .expected(format!("< {}", (NEAR_LIMIT * usable as f64) as i64)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
