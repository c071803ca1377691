//! The fix steps: sqlx's own repair for each migration state, the SQL that puts a drifted
//! object back, and a migration for what no migration creates.

use super::*;
use crate::finding::FindingKind;

fn sql_of(c: &Cause) -> Vec<&str> {
    c.fix.iter().filter_map(|s| s.sql.as_deref()).collect()
}

#[test]
fn a_failed_migration_is_undone_deleted_and_run_again() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(
            2,
            "CREATE TABLE ideas (id BIGINT PRIMARY KEY);\nALTER TABLE users ADD COLUMN bio TEXT;\nCREATE TABLE feedback (id BIGINT PRIMARY KEY);",
        )
        .applied(&[1])
        .failed(2)
        .live(|s| s.tables.retain(|t| t.name != "feedback"));
    let (f, d) = diagnosed(&s);
    let c = cause(&f, &d, "migration-2-failed");
    assert_eq!(
        sql_of(c),
        [
            "DROP TABLE IF EXISTS ideas;\nALTER TABLE users DROP COLUMN bio;",
            "DELETE FROM public._sqlx_migrations WHERE version = 2;"
        ]
    );
    assert_eq!(
        c.fix.last().unwrap().command.as_deref(),
        Some("sqlx migrate run")
    );
    assert!(
        c.chain.contains(&"table feedback is missing".to_string()),
        "{:?}",
        c.chain
    );
}

#[test]
fn an_edited_migration_is_restored_as_applied_and_its_edit_moved_to_a_new_migration() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(
            2,
            "CREATE TABLE quests (id BIGINT PRIMARY KEY, reward INTEGER);",
        )
        .applied(&[1, 2])
        .edited(2, Some("CREATE TABLE quests (id BIGINT PRIMARY KEY);"));
    let (f, d) = diagnosed(&s);
    let c = cause(&f, &d, "migration-2-edited");
    let commands: Vec<&str> = c.fix.iter().filter_map(|s| s.command.as_deref()).collect();
    assert_eq!(
        commands,
        [
            "git checkout $(git rev-list -n 1 --before=\"2026-01-02 09:00:00\" HEAD -- \
             migrations/0002_m.sql) -- migrations/0002_m.sql",
            "sqlx migrate add add_quests_reward"
        ]
    );
    assert_eq!(c.conflicts.len(), 1);
    assert!(
        c.conflicts[0].contains("column quests.reward"),
        "{:?}",
        c.conflicts
    );
}

#[test]
fn drifted_objects_get_the_sql_their_migration_ran() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .migration(3, "CREATE INDEX habits_user_id_idx ON habits (user_id);\nALTER TABLE habits ADD COLUMN archived BOOLEAN NOT NULL DEFAULT false;")
        .applied(&[1, 2, 3])
        .live(|s| {
            let t = s.tables.iter_mut().find(|t| t.name == "habits").unwrap();
            t.indexes.clear();
            t.columns.retain(|c| c.name != "archived");
            t.foreign_keys.clear();
            let streak = t.columns.iter_mut().find(|c| c.name == "streak").unwrap();
            streak.data_type = "bigint".into();
        });
    let (f, d) = diagnosed(&s);
    assert_eq!(
        sql_of(cause(&f, &d, "column-habits-archived-missing")),
        ["ALTER TABLE habits ADD COLUMN archived boolean NOT NULL DEFAULT false;"]
    );
    assert_eq!(
        sql_of(cause(&f, &d, "index-habits_user_id_idx-missing")),
        ["CREATE INDEX habits_user_id_idx ON habits (user_id);"]
    );
    assert_eq!(
        sql_of(cause(&f, &d, "column-habits-streak-type")),
        ["ALTER TABLE habits ALTER COLUMN streak TYPE integer USING streak::integer;"]
    );
    assert_eq!(
        sql_of(cause(&f, &d, "constraint-habits_user_id_fkey-missing")),
        [
            "ALTER TABLE habits ADD CONSTRAINT habits_user_id_fkey FOREIGN KEY (user_id) \
          REFERENCES users (id);"
        ]
    );
}

#[test]
fn what_no_migration_creates_gets_a_new_migration_and_the_call_sites() {
    let s = Service::new().migration(1, USERS).applied(&[1]).query(
        "src/todos.rs",
        5,
        "SELECT id FROM todos",
        crate::testing::rejected(
            "42P01",
            "relation \"todos\" does not exist",
            Some("todos"),
            None,
        ),
    );
    let (f, d) = diagnosed(&s);
    let c = cause(&f, &d, "table-todos-missing");
    assert_eq!(
        c.fix[0].command.as_deref(),
        Some("sqlx migrate add create_todos")
    );
    assert_eq!(
        c.fix[1].text,
        "Or, if the name is wrong, fix it in the code: src/todos.rs:5"
    );
}

#[test]
fn the_json_output_gives_every_finding_its_cause() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .applied(&[1]);
    let (f, d) = diagnosed(&s);
    let out = check_output(&f, &d);
    let v = serde_json::to_value(&out).unwrap();
    for (i, finding) in v["findings"].as_array().unwrap().iter().enumerate() {
        let id = finding["cause"].as_str().unwrap();
        let c = v["causes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap();
        assert!(
            c["findings"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(i))
        );
        // The finding keeps its own fields beside `cause`.
        assert_eq!(finding["kind"], serde_json::to_value(f[i].kind).unwrap());
    }
    let back: CheckOutput = serde_json::from_value(v).unwrap();
    assert_eq!(back, out);
}

#[test]
fn the_hazards_of_running_a_pending_migration_come_first_in_its_fix() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, "CREATE INDEX users_email ON users (email);")
        .applied(&[1]);
    let snap = s.snapshot();
    let mut findings = analyse(&snap);
    let clean = diagnose(&snap, &findings);
    let before = cause(&findings, &clean, "migrations-pending").fix.clone();
    assert!(
        before
            .iter()
            .all(|s| !s.text.starts_with("Before running it"))
    );
    findings.push(
        Finding::new(
            FindingKind::MigrationHazard,
            crate::finding::Severity::Warning,
            crate::actions::MIGRATIONS,
            "CREATE INDEX blocks writes to users for the whole build",
        )
        .migration(2)
        .next_step("create the index CONCURRENTLY in a -- no-transaction migration"),
    );
    findings.push(
        Finding::new(
            FindingKind::MigrationBlocked,
            crate::finding::Severity::Error,
            crate::actions::MIGRATIONS,
            "pid 4242 is idle in transaction holding a lock on users",
        )
        .migration(2)
        .next_step("end pid 4242's transaction (SELECT pg_terminate_backend(4242))"),
    );
    let d = diagnose(&snap, &findings);
    let c = cause(&findings, &d, "migrations-pending");
    assert_eq!(c.findings.len(), clean_members(&clean, &findings) + 2);
    let texts: Vec<&str> = c.fix.iter().map(|s| s.text.as_str()).collect();
    assert!(texts[0].contains("pg_terminate_backend(4242)"), "{texts:?}");
    assert!(texts[1].contains("CONCURRENTLY"), "{texts:?}");
    assert_eq!(
        &c.fix[2..],
        &before[..],
        "the run itself follows, unchanged"
    );
}

/// How many findings the pending migrations' cause had before the hazards were added.
fn clean_members(d: &Diagnosis, findings: &[Finding]) -> usize {
    cause(findings, d, "migrations-pending").findings.len()
}
