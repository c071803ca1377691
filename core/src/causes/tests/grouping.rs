//! Which findings are one cause, and which must stay apart: one test per rule of the module
//! docs.

use super::*;
use crate::finding::FindingKind;
use crate::testing::rejected;

fn undefined_table(t: &str) -> crate::querycheck::Outcome {
    rejected(
        "42P01",
        &format!("relation \"{t}\" does not exist"),
        Some(t),
        None,
    )
}

fn undefined_column(c: &str) -> crate::querycheck::Outcome {
    rejected(
        "42703",
        &format!("column \"{c}\" does not exist"),
        None,
        Some(c),
    )
}

fn log_line(at: &str, text: &str) -> String {
    format!("2026-01-09T{at}Z app[148e272a] iad [info] database_error: {text}\n")
}

/// Rule 2 and 6: a pending migration gathers everything its objects explain — the missing
/// table, the statements the database rejects, the log lines, the health endpoint's
/// schema_version — and none of them is a cause (or a fix step) of its own.
#[test]
fn a_pending_migration_gathers_its_objects_statements_logs_and_health() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .applied(&[1])
        .query(
            "src/habits.rs",
            10,
            "SELECT id, title FROM habits WHERE user_id = $1",
            undefined_table("habits"),
        )
        .query(
            "src/habits.rs",
            20,
            "INSERT INTO habits (id, user_id, title) VALUES ($1, $2, $3)",
            undefined_table("habits"),
        )
        .logs(&format!(
            "{}{}",
            log_line("08:02:00", "relation \"habits\" does not exist"),
            log_line("08:05:00", "relation \"habits\" does not exist")
        ))
        .health(r#"{"status":"ok","schema_version":1}"#);
    let (f, d) = diagnosed(&s);
    assert_eq!(ids(&d), ["migrations-pending"], "{}", show(&f, &d));
    let c = &d.causes[0];
    assert_eq!(
        kinds(&f, c),
        [
            "health_schema_version_mismatch",
            "log_database_error",
            "migration_pending",
            "query_invalid",
            "query_invalid",
            "table_missing"
        ]
    );
    assert_eq!(c.title, "Migration 0002 (m) has not been applied");
    assert_eq!(
        c.chain,
        [
            "2 log errors from 2026-01-09 08:02 to 2026-01-09 08:05",
            "2 statements fail (src/habits.rs:10, :20)",
            "table habits is missing",
            "0002 (m) has not been applied"
        ]
    );
    assert_eq!(c.impact.log_lines, 2);
    assert_eq!(
        c.impact.call_sites,
        ["src/habits.rs:10", "src/habits.rs:20"]
    );
    assert_eq!(c.impact.migrations, [2]);
    // One step runs the migration; the statements are not steps of their own.
    let commands: Vec<&str> = c.fix.iter().filter_map(|s| s.command.as_deref()).collect();
    assert_eq!(
        commands,
        ["sqlx migrate run", "curl -s http://127.0.0.1:8080/health"]
    );
    assert!(!c.fix.iter().any(|s| s.text.contains("src/habits.rs")));
}

/// Rule 2, kept apart: a column a pending migration adds and a column no migration creates
/// are two causes, even on the same table.
#[test]
fn a_column_a_pending_migration_adds_and_one_nothing_creates_are_two_causes() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, "ALTER TABLE users ADD COLUMN nickname TEXT;")
        .applied(&[1])
        .model(
            "User",
            "src/models.rs",
            3,
            "users",
            &[
                ("id", "i64"),
                ("email", "String"),
                ("nickname", "Option<String>"),
                ("avatar", "Option<String>"),
            ],
        );
    let (f, d) = diagnosed(&s);
    let pending = cause(&f, &d, "migrations-pending");
    assert!(
        pending
            .findings
            .iter()
            .any(|&i| f[i].column.as_deref() == Some("nickname"))
    );
    let bug = cause(&f, &d, "column-users-avatar-missing");
    assert_eq!(kinds(&f, bug), ["column_missing"]);
    assert_eq!(
        bug.title,
        "Column users.avatar does not exist and no migration creates it"
    );
    assert_eq!(bug.impact.models, ["User"]);
    assert_eq!(d.causes.len(), 2, "{}", show(&f, &d));
}

/// Rule 2, kept apart: two columns of one table that two different applied migrations
/// created, both gone from the database, are two drift causes.
#[test]
fn two_missing_columns_of_one_table_from_two_migrations_are_two_causes() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, "ALTER TABLE users ADD COLUMN bio TEXT;")
        .migration(
            3,
            "ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';",
        )
        .applied(&[1, 2, 3])
        .live(|s| {
            let t = s.tables.iter_mut().find(|t| t.name == "users").unwrap();
            t.columns.retain(|c| c.name != "bio" && c.name != "locale");
        });
    let (f, d) = diagnosed(&s);
    assert_eq!(
        ids(&d),
        ["column-users-bio-missing", "column-users-locale-missing"],
        "{}",
        show(&f, &d)
    );
    assert_eq!(
        d.causes[1].title,
        "Column users.locale is missing although migration 0003 created it"
    );
}

/// Rule 4: a table no migration creates is one cause with every call site and log line
/// under it.
#[test]
fn a_code_bug_is_one_cause_per_object_with_every_call_site() {
    let s = Service::new()
        .migration(1, USERS)
        .applied(&[1])
        .query(
            "src/todos.rs",
            5,
            "SELECT id FROM todos",
            undefined_table("todos"),
        )
        .query(
            "src/todos.rs",
            9,
            "DELETE FROM todos WHERE id = $1",
            undefined_table("todos"),
        )
        .query(
            "src/audit.rs",
            3,
            "SELECT id FROM audit_log",
            undefined_table("audit_log"),
        )
        .logs(&log_line("09:00:00", "relation \"todos\" does not exist"));
    let (f, d) = diagnosed(&s);
    assert_eq!(
        ids(&d),
        ["table-todos-missing", "table-audit_log-missing"],
        "{}",
        show(&f, &d)
    );
    let todos = &d.causes[0];
    assert_eq!(
        kinds(&f, todos),
        [
            "log_database_error",
            "query_invalid",
            "query_invalid",
            "table_missing"
        ]
    );
    assert_eq!(
        todos.impact.call_sites,
        ["src/todos.rs:5", "src/todos.rs:9"]
    );
    assert_eq!(todos.impact.log_lines, 1);
}

/// Rule 3: a name an applied migration renamed, still read by the code, belongs to the
/// migration that renamed it, not the one that created it; the old name is the subject.
#[test]
fn a_rename_by_an_applied_migration_is_that_migrations_cause() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, "ALTER TABLE users RENAME COLUMN name TO full_name;")
        .applied(&[1, 2])
        .query(
            "src/users.rs",
            12,
            "SELECT id, name FROM users WHERE id = $1",
            undefined_column("name"),
        )
        .model(
            "User",
            "src/models.rs",
            3,
            "users",
            &[
                ("id", "i64"),
                ("email", "String"),
                ("name", "Option<String>"),
            ],
        );
    let (f, d) = diagnosed(&s);
    assert_eq!(
        ids(&d),
        ["migration-2-code-not-updated"],
        "{}",
        show(&f, &d)
    );
    let c = &d.causes[0];
    assert_eq!(
        c.title,
        "Migration 0002 renamed users.name to full_name; the code still uses the old name"
    );
    assert_eq!(c.impact.call_sites, ["src/users.rs:12"]);
    assert_eq!(c.impact.models, ["User"]);
    assert!(
        c.fix[0].text.starts_with(
            "Update the code to the new name: users.name is full_name since migration 0002 \
             (migrations/0002_m.sql:1)"
        ),
        "{:?}",
        c.fix
    );
}

/// Rule 5: the same field's type mismatch seen by the model check, the statement check and
/// the logs is one cause.
#[test]
fn one_fields_type_mismatch_seen_three_ways_is_one_cause() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .applied(&[1, 2])
        .live(|s| {
            let t = s.tables.iter_mut().find(|t| t.name == "habits").unwrap();
            t.columns
                .iter_mut()
                .find(|c| c.name == "streak")
                .unwrap()
                .data_type = "bigint".into();
        })
        .model(
            "Habit",
            "src/models.rs",
            10,
            "habits",
            &[("id", "i64"), ("title", "String"), ("streak", "i32")],
        )
        .query_as(
            "src/habits.rs",
            7,
            "SELECT id, title, streak FROM habits",
            crate::querycheck::Outcome::Ok,
            Some(("Habit", &[("id", "i64"), ("title", "String"), ("streak", "i32")])),
            &[
                ("id", "INT8", Some(false)),
                ("title", "TEXT", Some(false)),
                ("streak", "INT8", Some(false)),
            ],
        )
        .logs(
            "2026-01-09T10:00:00Z app[1] iad [info] error occurred while decoding column \"streak\": \
             mismatched types; Rust type `i32` (as SQL type `INT4`) is not compatible with SQL type `INT8`\n",
        );
    let (f, d) = diagnosed(&s);
    assert_eq!(ids(&d), ["column-habits-streak-type"], "{}", show(&f, &d));
    let c = &d.causes[0];
    assert_eq!(
        kinds(&f, c),
        [
            "column_type_mismatch",
            "log_database_error",
            "query_result_mismatch"
        ]
    );
    // The migration says integer, the database bigint: the database drifted.
    assert!(
        c.chain
            .iter()
            .any(|l| l.contains("is bigint, the migrations make it integer")),
        "{:?}",
        c.chain
    );
}

/// Rule 5, kept apart: two columns with the same name in two tables, a log line naming
/// only the column: it joins neither, it stands alone.
#[test]
fn a_log_line_naming_an_ambiguous_column_stays_alone() {
    let s = Service::new()
        .migration(
            1,
            "CREATE TABLE a (id BIGINT PRIMARY KEY, n INTEGER);\n\
             CREATE TABLE b (id BIGINT PRIMARY KEY, n INTEGER);",
        )
        .applied(&[1])
        .live(|s| {
            for t in &mut s.tables {
                t.columns.iter_mut().find(|c| c.name == "n").unwrap().data_type = "text".into();
            }
        })
        .model("A", "src/a.rs", 1, "a", &[("id", "i64"), ("n", "i32")])
        .model("B", "src/b.rs", 1, "b", &[("id", "i64"), ("n", "i32")])
        .logs(
            "2026-01-09T10:00:00Z app[1] iad [info] error occurred while decoding column \"n\": \
             mismatched types; Rust type `i32` (as SQL type `INT4`) is not compatible with SQL type `TEXT`\n",
        );
    let (f, d) = diagnosed(&s);
    let log = f
        .iter()
        .position(|x| x.kind == FindingKind::LogDatabaseError)
        .unwrap();
    let own = d.cause_of(log).unwrap();
    assert_eq!(own.findings, [log], "{}", show(&f, &d));
    cause(&f, &d, "column-a-n-type");
    cause(&f, &d, "column-b-n-type");
}

/// Rule 7: gaps.md's expected tables that nothing uses are one warning cause; a listed
/// table the code uses stays its own error.
#[test]
fn gaps_md_tables_nothing_uses_are_one_warning_cause() {
    let s = Service::new()
        .migration(1, USERS)
        .applied(&[1])
        .gaps_md_tables(&["users", "books", "lessons", "ideas"])
        .query(
            "src/ideas.rs",
            4,
            "SELECT id FROM ideas",
            undefined_table("ideas"),
        );
    let (f, d) = diagnosed(&s);
    assert_eq!(
        ids(&d),
        ["table-ideas-missing", "gaps-md-unused-tables"],
        "{}",
        show(&f, &d)
    );
    let unused = &d.causes[1];
    assert_eq!(unused.severity, Severity::Warning);
    assert_eq!(unused.findings.len(), 2);
    assert_eq!(
        unused.title,
        "gaps.md lists 2 tables that nothing in the service uses"
    );
    assert_eq!(d.causes[0].severity, Severity::Error);
}

/// Rule 6: with no pending migration, a schema_version the service reports behind joins the
/// failed migration; a failed migration's objects are its own.
#[test]
fn health_joins_the_failed_migration_when_nothing_is_pending() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(
            2,
            "CREATE TABLE ideas (id BIGINT PRIMARY KEY);\nCREATE TABLE feedback (id BIGINT PRIMARY KEY);",
        )
        .applied(&[1])
        .failed(2)
        .live(|s| s.tables.retain(|t| t.name != "feedback"))
        .query(
            "src/feedback.rs",
            8,
            "SELECT id FROM feedback",
            undefined_table("feedback"),
        )
        .health(r#"{"status":"ok","schema_version":1}"#);
    let (f, d) = diagnosed(&s);
    assert_eq!(ids(&d), ["migration-2-failed"], "{}", show(&f, &d));
    assert_eq!(
        kinds(&f, &d.causes[0]),
        [
            "health_schema_version_mismatch",
            "migration_failed",
            "query_invalid",
            "table_missing"
        ]
    );
    assert_eq!(d.causes[0].title, "Migration 0002 (m) failed part-way");
}

/// Rule 2: an applied migration whose file was edited since explains the object its edit
/// added; a file that differs only in line endings does not (its SQL is the same).
#[test]
fn an_edit_after_apply_explains_what_the_edit_added() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(
            2,
            "CREATE TABLE quests (id BIGINT PRIMARY KEY, reward INTEGER NOT NULL DEFAULT 0);",
        )
        .applied(&[1, 2])
        .edited(2, Some("CREATE TABLE quests (id BIGINT PRIMARY KEY);"))
        .query(
            "src/quests.rs",
            30,
            "SELECT id, reward FROM quests",
            undefined_column("reward"),
        );
    let (f, d) = diagnosed(&s);
    assert_eq!(ids(&d), ["migration-2-edited"], "{}", show(&f, &d));
    assert_eq!(
        kinds(&f, &d.causes[0]),
        [
            "column_missing",
            "migration_checksum_mismatch",
            "query_invalid"
        ]
    );

    // The same file re-saved with CRLF endings: the column is drift, not the edit.
    let mut snap = s.snapshot();
    if let crate::section::Section::Collected { data } = &mut snap.local_migrations {
        let m = &mut data.files[1];
        m.checksum_variants
            .insert("crlf".into(), format!("{:096x}", 2));
    }
    let findings = analyse(&snap);
    let d = diagnose(&snap, &findings);
    let got: Vec<&str> = d.causes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        got,
        ["migration-2-edited", "column-quests-reward-missing"],
        "{}",
        show(&findings, &d)
    );
}

/// Rule 3: the old name of a column a pending migration renames (`column_unexpected`) is
/// part of the pending migrations' cause, as is the model field that reads the new name.
#[test]
fn the_old_name_of_a_pending_rename_is_part_of_the_pending_cause() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, "ALTER TABLE users RENAME COLUMN name TO display_name;")
        .applied(&[1])
        .model(
            "User",
            "src/models.rs",
            3,
            "users",
            &[
                ("id", "i64"),
                ("email", "String"),
                ("display_name", "Option<String>"),
            ],
        );
    let (f, d) = diagnosed(&s);
    assert_eq!(ids(&d), ["migrations-pending"], "{}", show(&f, &d));
    assert_eq!(
        kinds(&f, &d.causes[0]),
        ["column_missing", "column_unexpected", "migration_pending"]
    );
}

/// Rule 8 and 9: the families with one fix, and infos that explain nothing else, are one
/// cause each; an info about an object with an error cause joins it.
#[test]
fn families_and_lone_infos_are_one_cause_each() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .applied(&[1, 2])
        .live(|s| {
            let t = s.tables.iter_mut().find(|t| t.name == "habits").unwrap();
            t.columns.iter_mut().find(|c| c.name == "title").unwrap().data_type = "integer".into();
        })
        // Option fields over NOT NULL columns: infos, never None.
        .model(
            "Habit",
            "src/models.rs",
            1,
            "habits",
            &[
                ("id", "Option<i64>"),
                ("user_id", "Option<i64>"),
                ("title", "Option<String>"),
            ],
        )
        .logs(&format!(
            "{}{}",
            "2026-01-09T10:00:00Z app[1] iad [info] pool timed out while waiting for an open connection\n",
            "2026-01-09T10:01:00Z app[1] iad [info] pool timed out while waiting for an open connection\n",
        ));
    let (f, d) = diagnosed(&s);
    let title = cause(&f, &d, "column-habits-title-type");
    // The type error and the info about the same field are one cause.
    assert_eq!(
        kinds(&f, title),
        ["column_nullability_mismatch", "column_type_mismatch"]
    );
    let infos = cause(&f, &d, "column_nullability_mismatch");
    assert_eq!(infos.severity, Severity::Info);
    assert_eq!(infos.findings.len(), 2);
    assert_eq!(
        kinds(&f, cause(&f, &d, "connections")),
        ["log_pool_exhaustion"]
    );
}

/// Rule 1 and 2: with no migrations table at all, every migration-made object joins the one
/// cause that says no migration ran.
#[test]
fn no_migrations_table_is_one_cause_with_every_object() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .no_migrations_table()
        .query(
            "src/users.rs",
            1,
            "SELECT id FROM users",
            undefined_table("users"),
        );
    let (f, d) = diagnosed(&s);
    assert_eq!(ids(&d), ["migrations-table-missing"], "{}", show(&f, &d));
    assert_eq!(d.causes[0].title, "No migration has run on this database");
}

/// Rule 8: locks and what they kept gaps from reading are one cause; the log signature cap
/// is the logs' evidence cause; infos where the database accepts a statement are one cause.
#[test]
fn locks_evidence_and_accepted_statements_are_families() {
    use crate::schema::{Catalog, IncompleteCatalog, IncompleteCause, RelationName};
    use crate::session::{LockBlocker, LockedRelation, SessionReport};
    let s = Service::new()
        .migration(1, USERS)
        .applied(&[1])
        .logs(&log_line("10:00:00", "relation \"x\" does not exist"));
    let mut snap = s.snapshot();
    let relation = RelationName {
        schema: "public".into(),
        name: "users".into(),
    };
    snap.session = Some(SessionReport {
        locked: vec![LockedRelation {
            relation: relation.clone(),
            blockers: vec![LockBlocker {
                pid: 4242,
                mode: "AccessExclusiveLock".into(),
                granted: true,
                role: Some("app".into()),
                application_name: None,
                state: Some("idle in transaction".into()),
                age_secs: Some(60.0),
                query: None,
                blocked_by: Vec::new(),
            }],
            not_read: vec!["columns".into()],
        }],
        ..SessionReport::default()
    });
    if let crate::section::Section::Collected { data } = &mut snap.schema {
        data.incomplete.push(IncompleteCatalog {
            during: "reading columns".into(),
            message: "locked".into(),
            catalogs: vec![Catalog::Columns],
            relations: vec![relation],
            cause: Some(IncompleteCause::Locked),
        });
    }
    if let crate::section::Section::Collected { data } = &mut snap.logs {
        data.ungrouped_lines = 12;
        data.inputs[0].classified_lines = 20;
    }
    let findings = analyse(&snap);
    let d = diagnose(&snap, &findings);
    let locks = d
        .causes
        .iter()
        .find(|c| c.id == "locks")
        .unwrap_or_else(|| panic!("{}", show(&findings, &d)));
    let mut k = kinds(&findings, locks);
    k.dedup();
    assert_eq!(k, ["evidence_incomplete", "lock_blocked"]);
    let logs = cause(&findings, &d, "evidence-logs");
    assert_eq!(kinds(&findings, logs), ["evidence_unavailable"]);
}

/// Rule 1 and 2: a search_path that hides the migrations table hides the tables too: the
/// missing tables the migrations create join that cause, not one each.
#[test]
fn a_hidden_migrations_table_gathers_the_tables_it_hides() {
    let s = Service::new()
        .migration(1, USERS)
        .migration(2, HABITS)
        .applied(&[1, 2])
        .live(|s| s.tables.clear())
        .query(
            "src/users.rs",
            1,
            "SELECT id FROM users",
            undefined_table("users"),
        );
    let mut snap = s.snapshot();
    if let crate::section::Section::Collected { data } = &mut snap.applied_migrations {
        data.present = false;
        data.rows.clear();
        data.hidden_in = vec!["app._sqlx_migrations".into()];
        data.search_path = Some("\"$user\", public".into());
    }
    let findings = analyse(&snap);
    let d = diagnose(&snap, &findings);
    let got: Vec<&str> = d.causes.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(got, ["migrations-table-hidden"], "{}", show(&findings, &d));
    let c = &d.causes[0];
    assert_eq!(
        kinds(&findings, c),
        [
            "migrations_table_not_on_search_path",
            "query_invalid",
            "table_missing",
            "table_missing"
        ]
    );
    assert!(c.fix[0].text.contains("search_path"), "{:?}", c.fix);
}

/// Rule 8: the infos that say "the database accepts this statement, static analysis read
/// something the live schema lacks" are one info cause, never a missing table's.
#[test]
fn statements_the_database_accepts_are_one_info_cause() {
    let s = Service::new()
        .migration(1, USERS)
        .applied(&[1])
        .query(
            "src/a.rs",
            3,
            "WITH recent AS (SELECT id FROM users) SELECT id FROM recent_typo",
            crate::querycheck::Outcome::Ok,
        )
        .query(
            "src/b.rs",
            7,
            "SELECT u.nickname FROM users u",
            crate::querycheck::Outcome::Ok,
        );
    let (f, d) = diagnosed(&s);
    let c = cause(&f, &d, "static-analysis");
    assert_eq!(c.severity, Severity::Info);
    assert_eq!(c.findings.len(), 2, "{}", show(&f, &d));
    assert_eq!(d.causes.len(), 1, "{}", show(&f, &d));
}
