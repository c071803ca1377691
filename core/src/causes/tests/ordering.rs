//! The fix order: sqlx's blockers first (checksum restore and Dirty repair before running
//! the pending migrations), then by impact; ids stay the same across snapshots.

use super::*;
use crate::finding::FindingKind;
use crate::testing::rejected;

fn drifted_service() -> Service {
    Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .migration(
            3,
            "CREATE TABLE ideas (id BIGINT PRIMARY KEY);\nCREATE TABLE feedback (id BIGINT PRIMARY KEY);",
        )
        .migration(4, "CREATE TABLE prompts (id BIGINT PRIMARY KEY, body TEXT NOT NULL);")
        .applied(&[1, 2])
        .edited(2, None)
        .failed(3)
        .live(|s| s.tables.retain(|t| t.name != "feedback" && t.name != "users"))
        .query(
            "src/prompts.rs",
            3,
            "SELECT id, body FROM prompts",
            rejected("42P01", "relation \"prompts\" does not exist", Some("prompts"), None),
        )
        .logs(
            &(0..5)
                .map(|i| {
                    format!(
                        "2026-01-09T08:0{i}:00Z app[1] iad [info] database_error: relation \"users\" does not exist\n"
                    )
                })
                .collect::<String>(),
        )
}

#[test]
fn checksum_restore_and_dirty_repair_come_before_running_the_pending_migrations() {
    let (f, d) = diagnosed(&drifted_service());
    assert_eq!(
        ids(&d),
        [
            "migration-2-edited",
            "migration-3-failed",
            // Not a blocker: ranked by impact (5 log lines) before the pending migration.
            "table-users-missing",
            "migrations-pending",
        ],
        "{}",
        show(&f, &d)
    );
    let edited = &d.causes[0];
    assert_eq!(edited.blocks, ["migration-3-failed", "migrations-pending"]);
    let failed = &d.causes[1];
    assert_eq!(failed.blocked_by, ["migration-2-edited"]);
    assert_eq!(failed.blocks, ["migrations-pending"]);
    let pending = &d.causes[3];
    assert_eq!(
        pending.blocked_by,
        ["migration-2-edited", "migration-3-failed"]
    );
    assert!(d.causes[2].blocks.is_empty() && d.causes[2].blocked_by.is_empty());
    assert_eq!(
        d.headline(&f),
        format!(
            "4 causes explain {} errors.",
            f.iter().filter(|x| x.severity == Severity::Error).count()
        )
    );
}

#[test]
fn a_held_lock_comes_before_the_migrations_it_holds_up() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .applied(&[1]);
    let snap = s.snapshot();
    let mut findings = analyse(&snap);
    findings.push(
        Finding::new(
            FindingKind::MigrationLockHeld,
            Severity::Warning,
            "ACTION-002",
            "sqlx's migration lock is held by backend 4242",
        )
        .next_step("end it with pg_terminate_backend(4242)"),
    );
    let d = diagnose(&snap, &findings);
    assert_eq!(
        ids(&d),
        ["migration-lock-held", "migrations-pending"],
        "{}",
        show(&findings, &d)
    );
    assert_eq!(d.causes[0].blocks, ["migrations-pending"]);
    assert_eq!(
        d.causes[0].fix[0].text,
        "End it with pg_terminate_backend(4242)"
    );
}

#[test]
fn errors_come_first_then_log_lines_then_call_sites() {
    let missing = |t: &str| {
        rejected(
            "42P01",
            &format!("relation \"{t}\" does not exist"),
            Some(t),
            None,
        )
    };
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, "CREATE INDEX users_email_idx ON users (email);")
        .applied(&[1, 2])
        .live(|s| {
            for t in &mut s.tables {
                t.indexes.clear();
            }
        })
        .query("src/a.rs", 1, "SELECT id FROM a", missing("a"))
        .query("src/b.rs", 1, "SELECT id FROM b", missing("b"))
        .query("src/b.rs", 2, "SELECT id FROM b WHERE id = $1", missing("b"))
        .query("src/c.rs", 1, "SELECT id FROM c", missing("c"))
        .logs("2026-01-09T08:00:00Z app[1] iad [info] database_error: relation \"c\" does not exist\n");
    let (f, d) = diagnosed(&s);
    assert_eq!(
        ids(&d),
        [
            "table-c-missing",
            "table-b-missing",
            "table-a-missing",
            "index-users_email_idx-missing"
        ],
        "{}",
        show(&f, &d)
    );
    assert_eq!(d.causes[3].severity, Severity::Warning);
}

#[test]
fn the_same_problem_keeps_its_id_in_the_next_snapshot() {
    let (_, a) = diagnosed(&drifted_service());
    let later = drifted_service().query(
        "src/x.rs",
        1,
        "SELECT 1 FROM nowhere",
        rejected(
            "42P01",
            "relation \"nowhere\" does not exist",
            Some("nowhere"),
            None,
        ),
    );
    let (_, b) = diagnosed(&later);
    for c in &a.causes {
        assert!(b.causes.iter().any(|x| x.id == c.id), "{} is gone", c.id);
    }
    let diff = diff_causes(&a.causes, &b.causes);
    assert_eq!(
        diff.appeared
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        ["table-nowhere-missing"]
    );
    assert!(diff.disappeared.is_empty() && diff.changed.is_empty());
    let back = diff_causes(&b.causes, &a.causes);
    assert_eq!(back.disappeared.len(), 1);
}
