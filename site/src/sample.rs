//! Sample inputs for tests and benchmarks: a small snapshot with realistic drift (one failed
//! and one pending migration, an edited file, a missing table, a type mismatch) with the
//! findings the rules would give, and a generator of very large snapshots. Behind the
//! `testing` feature (tests and benchmarks only), like core's fixture builders it uses.

use gaps_core::actions;
use gaps_core::backend::Backend;
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::migrations::{AppliedMigration, LocalMigration, LocalMigrations};
use gaps_core::schema::{Schema, Table};
use gaps_core::section::Section;
use gaps_core::snapshot::{Snapshot, Target};
use gaps_core::testing::{self, col, table};

pub mod large;

fn local(v: i64, name: &str, checksum: &str) -> LocalMigration {
    LocalMigration {
        checksum: checksum.into(),
        checksum_normalized: checksum.into(),
        size: 420,
        ..testing::local(v, &name.replace('_', " "))
    }
}

const NAMES: [&str; 14] = [
    "users",
    "sessions",
    "progress",
    "focus",
    "quests",
    "habits",
    "goals",
    "calendar",
    "exercise",
    "market",
    "books",
    "courses",
    "ideas",
    "habit_completions",
];

/// A snapshot of 14 local migrations, 12 applied, 0013 failed, 0014 pending, 0007 edited.
pub fn sample_snapshot() -> Snapshot {
    let mut s = Snapshot::new(
        "0.1.0",
        "2026-01-09T12:00:00Z".into(),
        Target {
            label: Some("production".into()),
            database_url: Some("postgres://app@db.example.invalid:5432/app".into()),
            backend: Some(Backend::Postgres),
            source_dir: Some("service".into()),
        },
    );
    s.local_migrations = Section::collected(LocalMigrations {
        ignored: vec![gaps_core::migrations::IgnoredFile {
            cause: gaps_core::migrations::IgnoreCause::NotSql,
            fatal: false,
            file: "V15__feedback.sql".into(),
            reason: "version 'V15' is not an integer".into(),
        }],
        ..testing::local_migrations(
            NAMES
                .iter()
                .enumerate()
                .map(|(i, n)| local(i as i64 + 1, n, &format!("{:02x}", i + 1)))
                .collect(),
        )
    });
    let rows = (1..=13)
        .map(|v: i64| AppliedMigration {
            installed_on: Some(format!("2025-11-{:02}T10:00:00Z", v * 2)),
            success: v != 13,
            checksum: if v == 7 {
                "ff".into()
            } else {
                format!("{v:02x}")
            },
            execution_time: 1_500_000 * v,
            ..testing::applied(v, &NAMES[v as usize - 1].replace('_', " "))
        })
        .collect();
    s.applied_migrations = Section::collected(testing::applied_migrations(rows));
    s.schema = Section::collected(Schema {
        incomplete: Vec::new(),
        schemas: vec!["public".into()],
        tables: vec![
            table(
                "habits",
                vec![col(1, "id", "uuid", false), col(2, "streak", "text", true)],
            ),
            table("quests", vec![col(1, "id", "uuid", false)]),
            table("users", vec![col(1, "id", "uuid", false)]),
        ],
        enums: vec![],
        extensions: vec![],
    });
    s.logs = Section::skipped("no --logs given");
    s.health = Section::failed("GET http://127.0.0.1:9/health", "connection refused");
    s
}

/// The findings the rules give for [`sample_snapshot`].
pub fn sample_findings() -> Vec<Finding> {
    let mut v = vec![
        Finding::new(
            FindingKind::MigrationFailed,
            Severity::Error,
            actions::MIGRATIONS,
            "migration 0013 (ideas) failed part-way: sqlx refuses to run with Dirty(13)",
        )
        .migration(13)
        .next_step("repair the partial migration, then delete its row and rerun"),
        Finding::new(
            FindingKind::MigrationPending,
            Severity::Error,
            actions::MIGRATIONS,
            "migration 0014 (habit completions) is not applied",
        )
        .migration(14),
        Finding::new(
            FindingKind::TableMissing,
            Severity::Error,
            actions::TABLES,
            "table habit_completions does not exist but the code queries it",
        )
        .schema("public")
        .table("habit_completions")
        .location("src/habits_repos.rs", Some(42)),
        Finding::new(
            FindingKind::ColumnTypeMismatch,
            Severity::Error,
            actions::COLUMNS,
            "habits.streak is text but Habit.streak is i32",
        )
        .schema("public")
        .table("habits")
        .column("streak")
        .expected("integer (i32)")
        .live("text")
        .location("src/habits_models.rs", Some(9)),
        Finding::new(
            FindingKind::ColumnMissing,
            Severity::Error,
            actions::COLUMNS,
            "habits.archived_at does not exist but Habit.archived_at reads it",
        )
        .schema("public")
        .table("habits")
        .column("archived_at")
        .expected("timestamptz")
        .location("src/habits_models.rs", Some(11)),
        Finding::new(
            FindingKind::MigrationChecksumMismatch,
            Severity::Warning,
            actions::MIGRATIONS,
            "0007_calendar.sql was edited after it was applied",
        )
        .migration(7),
    ];
    gaps_core::finding::sort_findings(&mut v);
    v
}

/// A snapshot with `tables` tables of `columns` columns each, every migration applied, and
/// (as the findings) one missing column in every 500th table.
pub fn large_snapshot(tables: usize, columns: usize) -> (Snapshot, Vec<Finding>) {
    let mut s = sample_snapshot();
    let types = [
        "bigint",
        "text",
        "timestamp with time zone",
        "boolean",
        "uuid",
    ];
    let list: Vec<Table> = (0..tables)
        .map(|t| {
            table(
                &format!("table_{t:05}"),
                (0..columns)
                    .map(|c| {
                        col(
                            c as i32 + 1,
                            &format!("column_{c:02}"),
                            types[c % types.len()],
                            c % 3 != 0,
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    s.schema = Section::collected(Schema {
        incomplete: Vec::new(),
        schemas: vec!["public".into()],
        tables: list,
        enums: vec![],
        extensions: vec![],
    });
    let findings = (0..tables)
        .step_by(500)
        .map(|t| {
            Finding::new(
                FindingKind::ColumnMissing,
                Severity::Error,
                actions::COLUMNS,
                format!("table_{t:05}.extra does not exist"),
            )
            .schema("public")
            .table(format!("table_{t:05}"))
            .column("extra")
            .expected("text")
        })
        .collect();
    (s, findings)
}

/// The sample's log file: fly.io lines for the missing table, the type mismatch, a pool
/// timeout and a failed startup migration.
pub const SAMPLE_LOG: &str = "\
2026-01-09T11:58:01.101Z app[148e272a] iad [info] Checking database migrations...
2026-01-09T11:58:01.250Z app[148e272a] iad [error] Migration failed: while executing migration 13: error returned from database: relation \"ideas\" already exists
2026-01-09T12:01:12.004Z app[148e272a] iad [error] database_error: error returned from database: relation \"habit_completions\" does not exist
2026-01-09T12:03:40.517Z app[2f9c01b7] ord [error] database_error: error returned from database: relation \"habit_completions\" does not exist
2026-01-09T12:07:02.920Z app[148e272a] iad [error] internal_error: error occurred while decoding column \"streak\": mismatched types; Rust type `i32` (as SQL type `INT4`) is not compatible with SQL type `TEXT`
2026-01-09T12:15:30.777Z app[148e272a] iad [warn] pool timed out while waiting for an open connection (postgres://app:hunter2@db.example.invalid/app)
";

/// [`sample_snapshot`] with every evidence section collected: logs classified from
/// [`SAMPLE_LOG`], a health response, provider facts detected from a pooled Neon URL, the
/// source's models and queries with the database's verdicts, and the expected schema replayed
/// from migrations that include a statement the replay does not model.
pub fn evidence_snapshot() -> Snapshot {
    use gaps_core::code::model::{
        CodeEvidence, MappingSource, Model, ModelField, ModelMapping, QuerySite, SourceProblem,
    };
    use gaps_core::code::replay::{MigrationSource, replay};
    use gaps_core::code::sql::analyse;
    use gaps_core::health::{HealthEvidence, body_from_bytes};
    use gaps_core::provider::{
        LockHolder, MigrationLock, ServerFacts, TlsFacts, detect, lock_key_halves,
        sqlx_migration_lock_key,
    };
    use gaps_core::querycheck::{
        Outcome, QueryChecks, QueryCounts, Rejection, StatementCheck, StatementKind,
    };

    let mut s = sample_snapshot();
    s.logs = Section::collected(gaps_core::logs::scan::analyse_text(
        "logs/fly.log",
        None,
        SAMPLE_LOG.as_bytes(),
    ));
    let body = br#"{"status":"healthy","version":"2.3.1","schema_version":12,"database":{"pool":{"size":10,"idle":0}},"db_password":"hunter2"}"#;
    let mut headers = std::collections::BTreeMap::new();
    headers.insert("content-type".to_string(), "application/json".to_string());
    headers.insert("server".to_string(), "Fly/1.0".to_string());
    s.health = Section::collected(HealthEvidence {
        url: "https://habits.example.invalid/health".into(),
        final_url: None,
        reachable: true,
        error: None,
        status: Some(200),
        latency_ms: Some(87),
        headers,
        body: body_from_bytes(body, false),
        timeout_ms: 10_000,
    });
    let mut provider = detect("postgres://app:pw@ep-cool-1234-pooler.us-east-2.aws.neon.tech/app");
    provider.server = Some(ServerFacts {
        version: Some("PostgreSQL 16.4 on x86_64-pc-linux-gnu".into()),
        database: Some("app".into()),
        tls: Some(TlsFacts {
            in_use: true,
            version: Some("TLSv1.3".into()),
            cipher: Some("TLS_AES_256_GCM_SHA384".into()),
        }),
        max_connections: Some(112),
        reserved_connections: None,
        current_connections: Some(41),
        migration_lock: Some(MigrationLock {
            key: sqlx_migration_lock_key("app"),
            classid: lock_key_halves(sqlx_migration_lock_key("app")).0,
            objid: lock_key_halves(sqlx_migration_lock_key("app")).1,
            holders: vec![
                LockHolder {
                    pid: 4711,
                    granted: true,
                    user: Some("app".into()),
                    application_name: Some("sqlx-cli".into()),
                    client_addr: Some("10.0.3.7".into()),
                    state: Some("idle in transaction".into()),
                    backend_start: Some("2026-01-09T11:58:00Z".into()),
                    state_change: Some("2026-01-09T11:58:01Z".into()),
                    query: Some("SELECT pg_advisory_lock($1)".into()),
                },
                LockHolder {
                    pid: 4802,
                    granted: false,
                    user: Some("app".into()),
                    application_name: None,
                    client_addr: Some("10.0.3.9".into()),
                    state: Some("active".into()),
                    backend_start: Some("2026-01-09T11:59:30Z".into()),
                    state_change: Some("2026-01-09T12:00:01Z".into()),
                    query: Some("SELECT pg_advisory_lock($1)".into()),
                },
            ],
        }),
        errors: vec!["superuser_reserved_connections: permission denied for the role app".into()],
    });
    s.provider = Section::collected(provider);

    let field = |name: &str, ty: &str, line: u32| ModelField {
        name: name.into(),
        column: name.into(),
        rust_type: ty.into(),
        line,
        rename: None,
        skip: false,
        default: false,
        flatten: false,
        json: false,
        try_from: None,
    };
    let site = |line: u32, api: &str, sql: Option<&str>, target: Option<&str>| QuerySite {
        file: "src/habits_repos.rs".into(),
        line,
        api: api.into(),
        macro_checked: false,
        sql: sql.map(str::to_string),
        sql_line: sql.map(|_| line + 1),
        sql_origin: sql.map(|_| "literal".to_string()),
        target: target.map(str::to_string),
        target_origin: target.map(|_| "turbofish".to_string()),
        not_checkable: sql.is_none().then(|| "SQL built with format!".to_string()),
        access: sql.map(|q| analyse(q, Backend::Postgres)),
        scope: Default::default(),
    };
    let select_habits = "SELECT id, streak, archived_at FROM habits WHERE id = $1";
    let insert_completion =
        "INSERT INTO habit_completions (habit_id, completed_on) VALUES ($1, $2)";
    s.code = Section::collected(CodeEvidence {
        root: "service".into(),
        files_scanned: 14,
        models: vec![
            Model {
                name: "Habit".into(),
                file: "src/habits_models.rs".into(),
                line: 6,
                rename_all: None,
                fields: vec![
                    field("id", "Uuid", 7),
                    field("streak", "i32", 9),
                    ModelField {
                        default: true,
                        ..field("archived_at", "Option<DateTime<Utc>>", 11)
                    },
                ],
                mapping: ModelMapping {
                    tables: vec!["habits".into()],
                    source: MappingSource::Query,
                    evidence: vec!["src/habits_repos.rs:20".into()],
                    database: None,
                },
            },
            Model {
                name: "HabitStats".into(),
                file: "src/habits_models.rs".into(),
                line: 15,
                rename_all: None,
                fields: vec![ModelField {
                    column: "total".into(),
                    ..field("completions", "i64", 16)
                }],
                mapping: ModelMapping {
                    tables: vec![],
                    source: MappingSource::Projection,
                    evidence: vec!["src/habits_repos.rs:61".into()],
                    database: None,
                },
            },
        ],
        queries: vec![
            site(20, "sqlx::query_as", Some(select_habits), Some("Habit")),
            site(42, "sqlx::query", Some(insert_completion), None),
            site(61, "sqlx::query_as", None, Some("HabitStats")),
        ],
        problems: vec![SourceProblem {
            file: "src/legacy.rs".into(),
            line: Some(3),
            message: "expected item, found `<<<<<<<` (unresolved merge conflict?)".into(),
        }],
        ..CodeEvidence::default()
    });
    let check = |line: u32, sql: &str, kind: StatementKind, outcome: Outcome| StatementCheck {
        file: "src/habits_repos.rs".into(),
        line,
        api: None,
        sql: Some(sql.into()),
        kind,
        outcome,
        columns: vec![],
        parameters: vec![],
        target: None,
    };
    let statements = vec![
        check(
            20,
            select_habits,
            StatementKind::Query,
            Outcome::Rejected(Rejection {
                sqlstate: "42703".into(),
                message: "column \"archived_at\" does not exist".into(),
                detail: None,
                hint: None,
                position: Some(20),
                line: Some(20),
                table: None,
                column: Some("archived_at".into()),
            }),
        ),
        check(
            42,
            insert_completion,
            StatementKind::Modify,
            Outcome::Rejected(Rejection {
                sqlstate: "42P01".into(),
                message: "relation \"habit_completions\" does not exist".into(),
                detail: None,
                hint: None,
                position: Some(13),
                line: Some(42),
                table: Some("habit_completions".into()),
                column: None,
            }),
        ),
    ];
    s.query_checks = Section::collected(QueryChecks {
        backend: Backend::Postgres,
        counts: QueryCounts::of(&statements),
        statements,
        offline: None,
        stopped: None,
    });
    let migrations = [
        (1, "0001_users.sql", "CREATE TABLE users (id uuid PRIMARY KEY);"),
        (
            6,
            "0006_habits.sql",
            "CREATE TABLE habits (id uuid PRIMARY KEY, streak integer);\nCREATE FUNCTION bump() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql;",
        ),
        (
            14,
            "0014_habit_completions.sql",
            "CREATE TABLE habit_completions (id bigserial PRIMARY KEY, habit_id uuid NOT NULL REFERENCES habits(id), completed_on date NOT NULL);\nGRANT SELECT ON habit_completions TO reporting;",
        ),
    ]
    .map(|(version, file, sql)| MigrationSource {
        version,
        file: file.into(),
        sql: sql.into(),
    });
    s.expected_schema = Section::collected(replay(&migrations, Backend::Postgres));
    s
}

/// [`sample_snapshot`] with the plan for running its failed 0013 and pending 0014: an index
/// built without CONCURRENTLY on a 2.1 M row table that a session idle in a transaction for
/// three hours reads (pid 4242), a column type change that rewrites `habits`, and a CREATE
/// INDEX CONCURRENTLY that fails inside sqlx's transaction.
pub fn plan_snapshot() -> Snapshot {
    use gaps_core::hazards::{Effect, Hazard, LockMode, PlanStatus, RelationLocks};
    use gaps_core::testing::{
        lock_blocker, migration_plan, planned_migration, planned_statement, table_size,
    };
    let hazard = |rule: &str, table: &str, message: &str, safe: &str| Hazard {
        rule: rule.into(),
        fails: false,
        sqlstate: None,
        message: message.into(),
        safe: safe.into(),
        table: Some(gaps_core::schema::RelationName {
            schema: "public".into(),
            name: table.into(),
        }),
    };
    let column = planned_statement(
        1,
        "ALTER TABLE ... ADD COLUMN",
        &[("focus_sessions", LockMode::AccessExclusive)],
        Effect::Metadata,
    );
    let mut index = planned_statement(
        3,
        "CREATE INDEX",
        &[("focus_sessions", LockMode::Share)],
        Effect::IndexBuild,
    );
    index.hazards.push(hazard(
        "require-concurrent-index-creation",
        "focus_sessions",
        "builds an index without CONCURRENTLY: it reads the whole table under a SHARE lock",
        "build it with CREATE INDEX CONCURRENTLY, alone in a migration whose first line is \
         `-- no-transaction`",
    ));
    let mut failed = planned_migration(13, vec![column, index]);
    failed.status = PlanStatus::Failed;
    failed.file = "0013_focus_pause.sql".into();
    let mut retype = planned_statement(
        1,
        "ALTER TABLE ... ALTER COLUMN TYPE",
        &[("habits", LockMode::AccessExclusive)],
        Effect::Rewrite,
    );
    retype.hazards.push(hazard(
        "changing-column-type",
        "habits",
        "changes a column's type: the table is rewritten and its indexes rebuilt under ACCESS \
         EXCLUSIVE",
        "add a column of the new type, backfill it in batches, switch the code to it, then drop \
         the old column (expand, then contract)",
    ));
    let mut cic = planned_statement(
        2,
        "CREATE INDEX CONCURRENTLY",
        &[("habits", LockMode::ShareUpdateExclusive)],
        Effect::IndexBuild,
    );
    cic.hazards.push(Hazard {
        rule: "gaps:cannot-run-in-transaction".into(),
        fails: true,
        sqlstate: Some("25001".into()),
        message: "fails as written: CREATE INDEX CONCURRENTLY cannot run inside a transaction \
                  block, and sqlx runs this migration in one"
            .into(),
        safe: "put the CREATE INDEX CONCURRENTLY alone in its own migration whose first line is \
               `-- no-transaction`"
            .into(),
        table: None,
    });
    let mut pending = planned_migration(14, vec![retype, cic]);
    pending.file = "0014_habits_name.sql".into();
    let mut plan = migration_plan(
        vec![failed, pending],
        vec![
            gaps_core::hazards::TableSize {
                bytes: Some(1_395_864_371),
                ..table_size("public", "focus_sessions", 2_100_000)
            },
            table_size("public", "habits", 12_500),
        ],
    );
    plan.lock_holders.push(RelationLocks {
        relation: gaps_core::schema::RelationName {
            schema: "public".into(),
            name: "focus_sessions".into(),
        },
        sessions: vec![lock_blocker(
            4242,
            "AccessShareLock",
            true,
            "idle in transaction",
            3.0 * 3600.0,
        )],
    });
    let mut s = sample_snapshot();
    s.migration_plan = Section::collected(plan);
    s
}
