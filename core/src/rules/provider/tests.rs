//! Tests of the provider rules: the transaction-mode pooler, and no finding for a direct or session-mode connection.

use super::*;
use crate::provider::{LockHolder, MigrationLock, ServerFacts, detect};
use crate::section::Section;
use crate::snapshot::Target;

fn snap(url: &str, server: Option<ServerFacts>) -> Snapshot {
    let mut s = Snapshot::new("0", "2026-01-09T13:00:00Z".into(), Target::default());
    let mut p = detect(url);
    p.server = server;
    s.provider = Section::collected(p);
    s
}

#[test]
fn neon_pooler_warns_and_names_the_direct_host() {
    let f = check(&snap(
        "postgres://u:p@ep-x-pooler.us-east-2.aws.neon.tech/db",
        None,
    ));
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, FindingKind::ProviderPoolerInUse);
    assert!(f[0].message.contains("advisory locks"), "{}", f[0].message);
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .contains("ep-x.us-east-2.aws.neon.tech")
    );
}

#[test]
fn direct_hosts_and_session_poolers_do_not_warn() {
    assert!(
        check(&snap(
            "postgres://u:p@ep-x.us-east-2.aws.neon.tech/db",
            None
        ))
        .is_empty()
    );
    assert!(
        check(&snap(
            "postgres://postgres.ref:p@aws-0-eu.pooler.supabase.com:5432/postgres",
            None
        ))
        .is_empty()
    );
}

#[test]
fn held_lock_names_holder_and_connections_near_limit() {
    let server = ServerFacts {
        max_connections: Some(100),
        reserved_connections: Some(3),
        current_connections: Some(90),
        migration_lock: Some(MigrationLock {
            key: 42,
            classid: 0,
            objid: 42,
            holders: vec![LockHolder {
                pid: 4242,
                granted: true,
                user: Some("app".into()),
                application_name: Some("sqlx-migrate".into()),
                client_addr: None,
                state: Some("idle".into()),
                backend_start: None,
                state_change: Some("2026-01-09T12:00:00Z".into()),
                query: None,
            }],
        }),
        ..ServerFacts::default()
    };
    let f = check(&snap("postgres://u@127.0.0.1/db", Some(server)));
    let kinds: Vec<_> = f.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FindingKind::MigrationLockHeld,
            FindingKind::ConnectionsNearLimit
        ]
    );
    assert!(f[0].message.contains("4242") && f[0].message.contains("since 2026-01-09T12:00:00Z"));
}

#[test]
fn few_connections_and_no_lock_give_nothing() {
    let server = ServerFacts {
        max_connections: Some(100),
        current_connections: Some(5),
        migration_lock: Some(MigrationLock {
            key: 1,
            classid: 0,
            objid: 1,
            holders: vec![],
        }),
        ..ServerFacts::default()
    };
    assert!(check(&snap("postgres://u@127.0.0.1/db", Some(server))).is_empty());
}
