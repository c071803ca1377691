use super::*;
use crate::backend::Backend;
use crate::code::CodeEvidence;
use crate::code::expected::{ExpectationMode, ExpectedSchema};
use crate::code::model::QuerySite;
use crate::hazards::{
    AfterStatement, ChangeKind, Effect, MigrationPlan, RelationLocks, SchemaChange,
};
use crate::provider::{LockHolder, MigrationLock, ProviderEvidence, ServerFacts};
use crate::querycheck::{
    Outcome, QueryChecks, QueryCounts, Rejection, StatementCheck, StatementKind,
};
use crate::section::Section;
use crate::testing::{
    col, local, local_migrations, lock_blocker, migration_plan, planned_migration,
    planned_statement, schema, snapshot, table, table_size,
};

fn public(name: &str) -> RelationName {
    RelationName {
        schema: "public".into(),
        name: name.into(),
    }
}

fn hazard_on(rule: &str, table: &str) -> Hazard {
    Hazard {
        rule: rule.into(),
        fails: false,
        sqlstate: None,
        message: "adds a column whose default is volatile".into(),
        safe: "add the column without a default".into(),
        table: Some(public(table)),
    }
}

fn with_plan(plan: MigrationPlan) -> Snapshot {
    let mut s = snapshot();
    s.local_migrations = Section::collected(local_migrations(vec![local(14, "m")]));
    s.migration_plan = Section::collected(plan);
    s
}

fn of_kind(s: &Snapshot, kind: FindingKind) -> Vec<Finding> {
    crate::rules::analyse(s)
        .into_iter()
        .filter(|f| f.kind == kind)
        .collect()
}

/// One pending migration: line 3 rewrites `events` (with `rows` rows).
fn rewrite_plan(rows: i64) -> MigrationPlan {
    let mut st = planned_statement(
        3,
        "ALTER TABLE ... ADD COLUMN",
        &[("events", LockMode::AccessExclusive)],
        Effect::Rewrite,
    );
    st.hazards
        .push(hazard_on("adding-field-with-default", "events"));
    migration_plan(
        vec![planned_migration(14, vec![st])],
        vec![table_size("public", "events", rows)],
    )
}

#[test]
fn a_hazard_is_a_warning_on_a_small_table_and_an_error_on_a_large_one() {
    let small = of_kind(
        &with_plan(rewrite_plan(300_000)),
        FindingKind::MigrationHazard,
    );
    assert_eq!(small.len(), 1);
    let f = &small[0];
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.migration, Some(14));
    assert_eq!(f.file.as_deref(), Some("migrations/0014_m.sql"));
    assert_eq!(f.line, Some(3));
    assert_eq!(f.table.as_deref(), Some("events"));
    assert!(f.message.contains("300.0 k rows"), "{}", f.message);
    assert!(f.message.contains("ACCESS EXCLUSIVE"), "{}", f.message);
    assert!(
        f.message.contains("every query (reads included)"),
        "{}",
        f.message
    );
    assert_eq!(f.details["rows"], 300_000);
    let next = f.next_step.as_deref().unwrap();
    assert!(
        next.starts_with("add the column without a default"),
        "{next}"
    );
    assert!(next.contains("lock_timeout"), "{next}");

    let large = of_kind(
        &with_plan(rewrite_plan(2_100_000)),
        FindingKind::MigrationHazard,
    );
    assert_eq!(large[0].severity, Severity::Error);
    assert!(
        large[0].message.contains("2.1 M rows"),
        "{}",
        large[0].message
    );

    // The threshold is the plan's.
    let mut plan = rewrite_plan(300_000);
    plan.large_table.rows = 100_000;
    let f = of_kind(&with_plan(plan), FindingKind::MigrationHazard);
    assert_eq!(f[0].severity, Severity::Error);
}

#[test]
fn a_statement_that_fails_is_an_error_whatever_the_size() {
    let mut st = planned_statement(
        2,
        "CREATE INDEX CONCURRENTLY",
        &[("events", LockMode::ShareUpdateExclusive)],
        Effect::IndexBuild,
    );
    st.hazards.push(Hazard {
        rule: "gaps:cannot-run-in-transaction".into(),
        fails: true,
        sqlstate: Some("25001".into()),
        message: "fails as written: CREATE INDEX CONCURRENTLY cannot run inside a transaction \
                  block"
            .into(),
        safe: "put it alone in a `-- no-transaction` migration".into(),
        table: None,
    });
    let plan = migration_plan(
        vec![planned_migration(14, vec![st])],
        vec![table_size("public", "events", 10)],
    );
    let f = of_kind(&with_plan(plan), FindingKind::MigrationHazard);
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].details["sqlstate"], "25001");
    // The safe way, not lock advice, for a statement that cannot run at all.
    assert!(!f[0].next_step.as_deref().unwrap().contains("lock_timeout"));
}

#[test]
fn a_lock_taken_earlier_in_the_transaction_is_held_through_a_slow_statement() {
    let first = planned_statement(
        1,
        "ALTER TABLE ... ADD COLUMN",
        &[("events", LockMode::AccessExclusive)],
        Effect::Metadata,
    );
    let mut index = planned_statement(
        2,
        "CREATE INDEX",
        &[("events", LockMode::Share)],
        Effect::IndexBuild,
    );
    index
        .hazards
        .push(hazard_on("require-concurrent-index-creation", "events"));
    let mut m = planned_migration(14, vec![first, index]);
    let plan = migration_plan(vec![m.clone()], vec![table_size("public", "events", 10)]);
    let f = of_kind(&with_plan(plan), FindingKind::MigrationHazard);
    assert!(
        f[0].message.contains(
            "the ACCESS EXCLUSIVE lock line 1 took in the same transaction is still held"
        ),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("every query (reads included)"));
    // Must not say it when the file runs each statement on its own... which a
    // `-- no-transaction` file of one statement does; with a lock_timeout, no advice.
    m.statements.remove(0);
    m.no_transaction = true;
    m.lock_timeout = Some("'5s'".into());
    let plan = migration_plan(vec![m], vec![table_size("public", "events", 10)]);
    let f = of_kind(&with_plan(plan), FindingKind::MigrationHazard);
    assert!(!f[0].message.contains("still held"), "{}", f[0].message);
    assert!(f[0].message.contains("writes (INSERT, UPDATE, DELETE)"));
    assert!(!f[0].next_step.as_deref().unwrap().contains("lock_timeout"));
}

fn blocked_plan(holder: crate::session::LockBlocker, wanted: LockMode) -> MigrationPlan {
    let st = planned_statement(
        3,
        "ALTER TABLE ... ADD COLUMN",
        &[("events", wanted)],
        Effect::Metadata,
    );
    let mut plan = migration_plan(
        vec![planned_migration(14, vec![st])],
        vec![table_size("public", "events", 2_100_000)],
    );
    plan.lock_holders.push(RelationLocks {
        relation: public("events"),
        sessions: vec![holder],
    });
    plan
}

#[test]
fn an_idle_transaction_holding_a_lock_blocks_the_alter() {
    let plan = blocked_plan(
        lock_blocker(
            4242,
            "AccessShareLock",
            true,
            "idle in transaction",
            3.0 * 3600.0,
        ),
        LockMode::AccessExclusive,
    );
    let s = with_plan(plan);
    let f = of_kind(&s, FindingKind::MigrationBlocked);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].details["pid"], 4242);
    assert!(
        f[0].message
            .contains("pid 4242 (role app, idle in transaction, transaction open 3 h)"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("holds ACCESS SHARE on public.events"));
    assert!(f[0].message.contains("every query (reads included)"));
    assert!(f[0].message.contains("SELECT * FROM events WHERE id = $1"));
    assert!(
        f[0].next_step
            .as_deref()
            .unwrap()
            .starts_with("first end pid 4242")
    );
}

#[test]
fn sessions_not_in_the_way_are_not_blockers() {
    // A read does not conflict with CREATE INDEX's SHARE lock.
    let plan = blocked_plan(
        lock_blocker(1, "AccessShareLock", true, "idle in transaction", 60.0),
        LockMode::Share,
    );
    assert!(of_kind(&with_plan(plan), FindingKind::MigrationBlocked).is_empty());
    // A statement running for a second ends before the migration notices.
    let plan = blocked_plan(
        lock_blocker(2, "RowExclusiveLock", true, "active", 1.0),
        LockMode::AccessExclusive,
    );
    assert!(of_kind(&with_plan(plan), FindingKind::MigrationBlocked).is_empty());
    // ... one running for minutes is in the way.
    let plan = blocked_plan(
        lock_blocker(3, "RowExclusiveLock", true, "active", 600.0),
        LockMode::AccessExclusive,
    );
    assert_eq!(
        of_kind(&with_plan(plan), FindingKind::MigrationBlocked).len(),
        1
    );
    // A lock on a table the migrations create (it does not exist now) blocks nothing.
    let mut plan = blocked_plan(
        lock_blocker(4, "AccessShareLock", true, "idle in transaction", 60.0),
        LockMode::AccessExclusive,
    );
    plan.tables.clear();
    assert!(of_kind(&with_plan(plan), FindingKind::MigrationBlocked).is_empty());
}

#[test]
fn another_session_holding_sqlx_migration_lock_blocks_the_fix() {
    let mut s = with_plan(rewrite_plan(10));
    s.provider = Section::collected(ProviderEvidence {
        server: Some(ServerFacts {
            migration_lock: Some(MigrationLock {
                key: 42,
                classid: 0,
                objid: 42,
                holders: vec![LockHolder {
                    pid: 777,
                    granted: true,
                    user: Some("deploy".into()),
                    application_name: None,
                    client_addr: None,
                    state: Some("idle".into()),
                    backend_start: None,
                    state_change: None,
                    query: None,
                }],
            }),
            ..ServerFacts::default()
        }),
        ..ProviderEvidence::default()
    });
    let f = of_kind(&s, FindingKind::MigrationBlocked);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].message.contains("pid 777"));
    assert_eq!(f[0].migration, Some(14));
}

#[test]
fn the_pending_migration_next_step_says_what_to_do_first() {
    let mut plan = blocked_plan(
        lock_blocker(
            4242,
            "AccessShareLock",
            true,
            "idle in transaction",
            3.0 * 3600.0,
        ),
        LockMode::AccessExclusive,
    );
    plan.migrations[0].statements[0]
        .hazards
        .push(hazard_on("adding-field-with-default", "events"));
    let mut s = with_plan(plan);
    s.applied_migrations = Section::collected(crate::testing::applied_migrations(Vec::new()));
    let pending = of_kind(&s, FindingKind::MigrationPending);
    let next = pending[0].next_step.as_deref().unwrap();
    assert!(
        next.contains("Before you run it: first end pid 4242"),
        "{next}"
    );
    assert!(
        next.contains("line 3 (ALTER TABLE ... ADD COLUMN on public.events, 2.1 M rows"),
        "{next}"
    );
    assert!(next.contains("add the column without a default"), "{next}");
}

// --- after the migrations ---

fn site(file: &str, line: u32, sql: &str) -> QuerySite {
    QuerySite {
        file: file.into(),
        line,
        api: "sqlx::query".into(),
        macro_checked: false,
        sql: Some(sql.into()),
        sql_origin: Some("literal".into()),
        sql_line: None,
        target: None,
        target_origin: None,
        not_checkable: None,
        access: Some(crate::code::sql::analyse(sql, Backend::Postgres)),
        scope: Default::default(),
    }
}

fn checked(file: &str, line: u32, sql: &str, outcome: Outcome) -> StatementCheck {
    StatementCheck {
        file: file.into(),
        line,
        api: None,
        sql: Some(sql.into()),
        kind: StatementKind::Query,
        outcome,
        columns: Vec::new(),
        parameters: Vec::new(),
        target: None,
    }
}

fn rejected(sqlstate: &str, message: &str, column: Option<&str>) -> Outcome {
    Outcome::Rejected(Rejection {
        sqlstate: sqlstate.into(),
        message: message.into(),
        detail: None,
        hint: None,
        position: None,
        line: None,
        table: None,
        column: column.map(str::to_string),
    })
}

/// Code with `sites`, the database's verdicts `live`, and a pending migration 15 whose line 2
/// renames users.name to full_name.
fn after_snapshot(
    sites: Vec<QuerySite>,
    live: Vec<StatementCheck>,
    after: Option<Vec<AfterStatement>>,
) -> Snapshot {
    let mut st = planned_statement(
        2,
        "ALTER TABLE ... RENAME COLUMN",
        &[("users", LockMode::AccessExclusive)],
        Effect::Metadata,
    );
    st.changes.push(SchemaChange {
        kind: ChangeKind::RenameColumn,
        table: public("users"),
        column: Some("name".into()),
        new_name: Some("full_name".into()),
    });
    let mut plan = migration_plan(
        vec![planned_migration(15, vec![st])],
        vec![table_size("public", "users", 10)],
    );
    if let Some(statements) = after {
        plan.after.mode = ExpectationMode::Scratch;
        plan.after.statements = statements;
    }
    let mut s = with_plan(plan);
    s.code = Section::collected(CodeEvidence {
        queries: sites,
        ..CodeEvidence::default()
    });
    s.query_checks = Section::collected(QueryChecks {
        backend: Backend::Postgres,
        counts: QueryCounts::of(&live),
        statements: live,
        offline: None,
        stopped: None,
    });
    s.expected_schema = Section::collected(ExpectedSchema {
        schema: schema(vec![table(
            "users",
            vec![
                col(1, "id", "bigint", false),
                col(2, "full_name", "text", true),
            ],
        )]),
        ..ExpectedSchema::default()
    });
    s
}

const READS_NAME: &str = "SELECT id, name FROM users WHERE id = $1";
const READS_FULL_NAME: &str = "SELECT id, full_name FROM users WHERE id = $1";

#[test]
fn a_statement_reading_a_column_a_pending_migration_renames_breaks_scratch_mode() {
    let s = after_snapshot(
        vec![
            site("src/users.rs", 12, READS_NAME),
            site("src/users.rs", 30, READS_FULL_NAME),
        ],
        vec![
            checked("src/users.rs", 12, READS_NAME, Outcome::Ok),
            checked(
                "src/users.rs",
                30,
                READS_FULL_NAME,
                rejected(
                    "42703",
                    "column \"full_name\" does not exist",
                    Some("full_name"),
                ),
            ),
        ],
        Some(vec![
            AfterStatement {
                file: "src/users.rs".into(),
                line: 12,
                outcome: rejected("42703", "column \"name\" does not exist", Some("name")),
            },
            AfterStatement {
                file: "src/users.rs".into(),
                line: 30,
                outcome: Outcome::Ok,
            },
        ]),
    );
    let f = of_kind(&s, FindingKind::QueryBreaksAfterMigration);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(
        (f[0].file.as_deref(), f[0].line),
        (Some("src/users.rs"), Some(12))
    );
    assert_eq!(f[0].migration, Some(15));
    assert_eq!(f[0].details["migration_line"], 2);
    assert_eq!(f[0].details["mode"], "scratch");
    assert!(
        f[0].message.contains("renames it to full_name"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("42703"), "{}", f[0].message);
    // The statement made valid by the migration is not reported, and the pending migration
    // says it fixes it.
    let mut s = s;
    s.local_migrations = Section::collected(local_migrations(vec![local(15, "m")]));
    s.applied_migrations = Section::collected(crate::testing::applied_migrations(Vec::new()));
    let pending = of_kind(&s, FindingKind::MigrationPending);
    let next = pending[0].next_step.as_deref().unwrap();
    assert!(
        next.contains("1 statement(s) of the deployed code fail once it ran"),
        "{next}"
    );
    assert!(
        next.contains("1 statement(s) the database rejects now are accepted"),
        "{next}"
    );
}

#[test]
fn the_scratch_database_verdict_wins_over_the_static_reading() {
    // The scratch database accepts it (say, a view keeps the old name): nothing to report.
    let s = after_snapshot(
        vec![site("src/users.rs", 12, READS_NAME)],
        vec![checked("src/users.rs", 12, READS_NAME, Outcome::Ok)],
        Some(vec![AfterStatement {
            file: "src/users.rs".into(),
            line: 12,
            outcome: Outcome::Ok,
        }]),
    );
    assert!(of_kind(&s, FindingKind::QueryBreaksAfterMigration).is_empty());
}

#[test]
fn without_a_scratch_database_the_replay_decides() {
    let s = after_snapshot(
        vec![site("src/users.rs", 12, READS_NAME)],
        vec![checked("src/users.rs", 12, READS_NAME, Outcome::Ok)],
        None,
    );
    let f = of_kind(&s, FindingKind::QueryBreaksAfterMigration);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].details["mode"], "replay");
    // Must not report: a later migration brings the column back.
    let mut s = s;
    if let Section::Collected { data } = &mut s.expected_schema {
        data.schema.tables[0]
            .columns
            .push(col(3, "name", "text", true));
    }
    assert!(of_kind(&s, FindingKind::QueryBreaksAfterMigration).is_empty());
}

#[test]
fn select_star_on_a_reshaped_table_is_a_warning() {
    let star = "SELECT * FROM users WHERE id = $1";
    let s = after_snapshot(
        vec![site("src/users.rs", 40, star)],
        vec![checked("src/users.rs", 40, star, Outcome::Ok)],
        None,
    );
    let f = of_kind(&s, FindingKind::QueryBreaksAfterMigration);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, Severity::Warning);
    assert!(
        f[0].message
            .contains("cached plan must not change result type")
    );
    // Must not report: * over a table no pending migration touches.
    let other = "SELECT * FROM todos";
    let s = after_snapshot(
        vec![site("src/todos.rs", 5, other)],
        vec![checked("src/todos.rs", 5, other, Outcome::Ok)],
        None,
    );
    assert!(of_kind(&s, FindingKind::QueryBreaksAfterMigration).is_empty());
}
