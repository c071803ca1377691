//! Findings about gaps' own database session: `lock_blocked` for each relation another
//! session held (or queued for) an exclusive lock on, naming who, in what state, since when
//! and doing what; `evidence_incomplete` when the session was given up early.

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::session::{EndCause, LockBlocker};
use crate::snapshot::Snapshot;

/// Findings derived from the session report.
pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let Some(session) = &s.session else {
        return Vec::new();
    };
    let mut out: Vec<Finding> = session
        .locked
        .iter()
        .map(|l| {
            let holders: Vec<&LockBlocker> = l.blockers.iter().filter(|b| b.granted).collect();
            let waiters: Vec<&LockBlocker> = l.blockers.iter().filter(|b| !b.granted).collect();
            let mut who: Vec<String> = holders
                .iter()
                .map(|b| format!("held by {}", describe(b)))
                .collect();
            who.extend(waiters.iter().map(|b| {
                let behind = if b.blocked_by.is_empty() {
                    String::new()
                } else {
                    format!(
                        ", itself waiting for pid {}",
                        b.blocked_by
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                format!("queued for by {}{behind}", describe(b))
            }));
            if who.is_empty() {
                who.push("by a session gaps could not identify".into());
            }
            let not_read = if l.not_read.is_empty() {
                String::new()
            } else {
                format!("; gaps did not read: {}", l.not_read.join("; "))
            };
            let mode = l
                .blockers
                .first()
                .map(|b| b.mode.as_str())
                .unwrap_or("an exclusive lock");
            let pids: Vec<i64> = l.blockers.iter().map(|b| b.pid).collect();
            let first = roots(&l.blockers)
                .first()
                .copied()
                .or(pids.first().copied());
            let mut f = Finding::new(
                FindingKind::LockBlocked,
                Severity::Warning,
                actions::MIGRATIONS,
                format!(
                    "{} is locked ({mode}): {}{not_read}. The application's queries on it wait \
                     the same way",
                    l.relation,
                    who.join("; ")
                ),
            )
            .schema(l.relation.schema.clone())
            .table(l.relation.name.clone())
            .detail("pids", pids);
            if let Some(pid) = first {
                f = f.next_step(format!(
                    "find out what pid {pid} is doing (a migration? a transaction left open?); \
                     let it finish or end it (pg_cancel_backend / pg_terminate_backend, KILL on \
                     MySQL), then collect again"
                ));
            }
            f
        })
        .collect();
    if let Some(end) = &session.ended_early {
        let why = match end.cause {
            EndCause::Deadline => "the collection deadline was reached",
            EndCause::Stalled => "the server stopped answering",
            EndCause::ConnectionLost => "the connection was lost",
        };
        out.push(
            Finding::new(
                FindingKind::EvidenceIncomplete,
                Severity::Warning,
                actions::PROVIDER,
                format!(
                    "the database session ended early ({why}) while {}: {}; what was read before \
                     is kept, the rest is marked as not read",
                    end.during, end.message
                ),
            )
            .next_step(match end.cause {
                EndCause::Deadline => {
                    "collect again with a longer --deadline, or when the database is less busy"
                }
                _ => "check the server's health (is it stopped, overloaded, unreachable?), then collect again",
            })
            .detail("section", "session")
            .detail("cause", serde_json::to_value(end.cause).unwrap_or_default()),
        );
    }
    out
}

/// The pids at the head of the queue: holders, else what the waiters wait for.
fn roots(blockers: &[LockBlocker]) -> Vec<i64> {
    let mut out: Vec<i64> = blockers
        .iter()
        .filter(|b| b.granted)
        .map(|b| b.pid)
        .collect();
    if out.is_empty() {
        out = blockers
            .iter()
            .flat_map(|b| b.blocked_by.iter().copied())
            .collect();
    }
    out
}

/// "pid 4242 (role app, idle in transaction, for 95 s: ALTER TABLE users ...)".
fn describe(b: &LockBlocker) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &b.role {
        parts.push(format!("role {r}"));
    }
    if let Some(a) = b.application_name.as_deref().filter(|a| !a.is_empty()) {
        parts.push(format!("application {a}"));
    }
    if let Some(st) = b.state.as_deref().filter(|s| !s.is_empty()) {
        parts.push(st.to_string());
    }
    if let Some(age) = b.age_secs {
        parts.push(format!("for {age:.0} s"));
    }
    let mut text = format!("pid {}", b.pid);
    if !parts.is_empty() {
        text.push_str(&format!(" ({}", parts.join(", ")));
        if let Some(q) = b.query.as_deref().filter(|q| !q.is_empty()) {
            text.push_str(&format!(
                ": {}",
                q.split_whitespace().collect::<Vec<_>>().join(" ")
            ));
        }
        text.push(')');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::RelationName;
    use crate::session::{LockedRelation, SessionEnd, SessionReport};
    use crate::snapshot::Target;

    fn blocker(pid: i64, granted: bool) -> LockBlocker {
        LockBlocker {
            pid,
            mode: "AccessExclusiveLock".into(),
            granted,
            role: Some("migrator".into()),
            application_name: Some("sqlx-cli".into()),
            state: Some("idle in transaction".into()),
            age_secs: Some(95.4),
            query: Some("ALTER TABLE users\n  ADD COLUMN x int".into()),
            blocked_by: if granted { Vec::new() } else { vec![7] },
        }
    }

    fn snap(report: SessionReport) -> Snapshot {
        let mut s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
        s.session = Some(report);
        s
    }

    #[test]
    fn a_locked_relation_names_holder_role_state_age_and_query() {
        let f = check(&snap(SessionReport {
            locked: vec![LockedRelation {
                relation: RelationName {
                    schema: "public".into(),
                    name: "users".into(),
                },
                blockers: vec![blocker(4242, true), blocker(4343, false)],
                not_read: vec!["its columns, constraints and indexes".into()],
            }],
            ..SessionReport::default()
        }));
        assert_eq!(f.len(), 1, "{f:#?}");
        let m = &f[0].message;
        assert_eq!(f[0].kind, FindingKind::LockBlocked);
        assert_eq!(f[0].table.as_deref(), Some("users"));
        for part in [
            "public.users is locked (AccessExclusiveLock)",
            "held by pid 4242 (role migrator, application sqlx-cli, idle in transaction, for 95 s: ALTER TABLE users ADD COLUMN x int)",
            "queued for by pid 4343",
            "itself waiting for pid 7",
            "its columns, constraints and indexes",
        ] {
            assert!(m.contains(part), "{part}\n{m}");
        }
        assert!(f[0].next_step.as_deref().unwrap().contains("pid 4242"));
        assert_eq!(f[0].details["pids"], serde_json::json!([4242, 4343]));
    }

    #[test]
    fn a_session_without_locks_or_early_end_says_nothing() {
        assert!(check(&snap(SessionReport::default())).is_empty());
        let s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
        assert!(check(&s).is_empty());
    }

    #[test]
    fn an_early_end_is_incomplete_evidence_and_makes_the_snapshot_partial() {
        let s = snap(SessionReport {
            ended_early: Some(SessionEnd {
                cause: EndCause::Stalled,
                during: "describing statements".into(),
                message: "no answer within 4.0 s".into(),
            }),
            ..SessionReport::default()
        });
        let f = check(&s);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FindingKind::EvidenceIncomplete);
        assert!(f[0].message.contains("the server stopped answering"));
        assert!(s.is_partial());
    }
}
