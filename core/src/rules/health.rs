//! Finding rules for the health evidence: unreachable, unhealthy, and `schema_version`
//! compared with the highest local and the highest applied migration.

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::health::{SchemaVersionField, is_healthy_status};
use crate::snapshot::Snapshot;

/// Findings derived from the health evidence.
pub(super) fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let Some(h) = snapshot.health.data() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if !h.reachable {
        let why = h
            .error
            .as_ref()
            .map(|e| {
                format!(
                    "{}: {}",
                    serde_json::to_value(e.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    e.message
                )
            })
            .unwrap_or_else(|| "no response".into());
        out.push(
            Finding::new(
                FindingKind::HealthUnreachable,
                Severity::Error,
                actions::HEALTH,
                format!("health endpoint {} could not be reached ({why})", h.url),
            )
            .next_step("check that the service is running and the URL is right (fly status)")
            .detail("url", h.url.clone()),
        );
        return out;
    }
    let status_field = h.status_field();
    let bad_http = h.status.is_some_and(|s| !(200..300).contains(&s));
    let bad_field = status_field
        .as_deref()
        .is_some_and(|s| !is_healthy_status(s));
    if bad_http || bad_field {
        let mut why = Vec::new();
        if let Some(s) = h.status.filter(|_| bad_http) {
            why.push(format!("HTTP {s}"));
        }
        if let Some(s) = status_field.as_deref().filter(|_| bad_field) {
            why.push(format!("status \"{s}\""));
        }
        let mut f = Finding::new(
            FindingKind::HealthUnhealthy,
            Severity::Error,
            actions::HEALTH,
            format!("health endpoint {} answered {}", h.url, why.join(" with ")),
        )
        .detail("url", h.url.clone());
        if let Some(s) = h.status {
            f = f.detail("http_status", s);
        }
        if let Some(s) = status_field {
            f = f.live(s);
        }
        out.push(f);
    }

    let local = snapshot
        .local_migrations
        .data()
        .and_then(|l| l.latest_version());
    let applied = snapshot
        .applied_migrations
        .data()
        .and_then(|a| a.latest_version());
    let show = |v: Option<i64>, what: &str| match v {
        Some(v) => v.to_string(),
        None => format!("unknown ({what} not collected)"),
    };
    match h.schema_version() {
        SchemaVersionField::Version(v) => {
            let differs = local.is_some_and(|l| l != v) || applied.is_some_and(|a| a != v);
            if differs {
                let mut f = Finding::new(
                    FindingKind::HealthSchemaVersionMismatch,
                    Severity::Error,
                    actions::HEALTH,
                    format!(
                        "health endpoint reports schema_version {v}, the highest applied \
                         migration is {} and the highest local migration is {}",
                        show(applied, "applied migrations"),
                        show(local, "local migrations")
                    ),
                )
                .live(v.to_string())
                .detail("schema_version", v);
                if let Some(l) = local {
                    f = f.expected(l.to_string()).detail("highest_local", l);
                }
                if let Some(a) = applied {
                    f = f.detail("highest_applied", a);
                }
                f = f.next_step(if applied.is_some_and(|a| a != v) {
                    "the service reads another database than the one inspected, or caches the \
                     version: compare DATABASE_URL of the service with the one given to gaps"
                } else {
                    "apply the pending migrations (sqlx migrate run) and redeploy"
                });
                out.push(f);
            }
        }
        SchemaVersionField::Null => out.push(
            Finding::new(
                FindingKind::HealthSchemaVersionMissing,
                Severity::Warning,
                actions::HEALTH,
                format!(
                    "health endpoint {} reports schema_version null: the service reads \
                     _sqlx_migrations but finds no applied row (migrations run some other way, \
                     or never ran on this database)",
                    h.url
                ),
            )
            .detail(
                "highest_local",
                local.map_or(serde_json::Value::Null, Into::into),
            )
            .detail(
                "highest_applied",
                applied.map_or(serde_json::Value::Null, Into::into),
            ),
        ),
        SchemaVersionField::Absent => out.push(
            Finding::new(
                FindingKind::HealthSchemaVersionMissing,
                Severity::Info,
                actions::HEALTH,
                format!("health endpoint {} does not report a schema_version", h.url),
            )
            .next_step("expose the highest applied migration version in the health response"),
        ),
        SchemaVersionField::NotJson | SchemaVersionField::Other(_) => {}
    }
    out
}

#[cfg(test)]
mod tests;
