//! Sample inputs for tests and benchmarks: a small snapshot with realistic drift (one failed
//! and one pending migration, an edited file, a missing table, a type mismatch) with the
//! findings the rules would give, and a generator of very large snapshots.

use gaps_core::actions;
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::migrations::{
    AppliedMigration, AppliedMigrations, LocalMigration, LocalMigrations, MigrationKind,
};
use gaps_core::schema::{Column, Schema, Table, TableKind};
use gaps_core::section::Section;
use gaps_core::snapshot::{Backend, Snapshot, Target};

/// A column.
pub fn column(ordinal: i32, name: &str, data_type: &str, nullable: bool) -> Column {
    Column::new(ordinal, name, data_type, nullable)
}

/// A table in schema `public`.
pub fn table(name: &str, columns: Vec<Column>) -> Table {
    Table::new("public", name, TableKind::Table, columns)
}

fn local(v: i64, name: &str, checksum: &str) -> LocalMigration {
    LocalMigration {
        checksum_variants: Default::default(),
        version: v,
        description: name.replace('_', " "),
        kind: MigrationKind::Simple,
        file: format!("{v:04}_{name}.sql"),
        no_transaction: false,
        checksum: checksum.into(),
        checksum_normalized: checksum.into(),
        has_crlf: false,
        has_bom: false,
        size: 420,
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
        source_file: None,
        source_line: None,
        ignored_chars: Vec::new(),
        directory: "migrations".into(),
        directory_source: "default".into(),
        files: NAMES
            .iter()
            .enumerate()
            .map(|(i, n)| local(i as i64 + 1, n, &format!("{:02x}", i + 1)))
            .collect(),
        ignored: vec![gaps_core::migrations::IgnoredFile {
            cause: gaps_core::migrations::IgnoreCause::NotSql,
            fatal: false,
            file: "V15__feedback.sql".into(),
            reason: "version 'V15' is not an integer".into(),
        }],
    });
    let rows = (1..=13)
        .map(|v: i64| AppliedMigration {
            version: v,
            description: NAMES[v as usize - 1].replace('_', " "),
            installed_on: Some(format!("2025-11-{:02}T10:00:00Z", v * 2)),
            success: v != 13,
            checksum: if v == 7 {
                "ff".into()
            } else {
                format!("{v:02x}")
            },
            execution_time: 1_500_000 * v,
        })
        .collect();
    s.applied_migrations = Section::collected(AppliedMigrations {
        table_source: None,
        table: "public._sqlx_migrations".into(),
        present: true,
        rows,
    });
    s.schema = Section::collected(Schema {
        incomplete: Vec::new(),
        schemas: vec!["public".into()],
        tables: vec![
            table(
                "habits",
                vec![
                    column(1, "id", "uuid", false),
                    column(2, "streak", "text", true),
                ],
            ),
            table("quests", vec![column(1, "id", "uuid", false)]),
            table("users", vec![column(1, "id", "uuid", false)]),
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
                        column(
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
