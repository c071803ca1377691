use super::*;
use gaps_core::hazards::SchemaChange;

fn one(sql: &str) -> (PlannedStatement, Facts) {
    let a = analyse(
        &MigrationSource {
            version: 1,
            file: "0001_x.sql".into(),
            sql: sql.into(),
        },
        PlanStatus::Pending,
        false,
        None,
    );
    assert_eq!(a.migration.statements.len(), 1, "{sql}");
    (a.migration.statements[0].clone(), a.facts[0].clone())
}

fn rel(name: &str) -> RelationName {
    RelationName {
        schema: String::new(),
        name: name.into(),
    }
}

fn locks(st: &PlannedStatement) -> Vec<(String, LockMode)> {
    st.locks
        .iter()
        .map(|l| (l.table.name.clone(), l.mode))
        .collect()
}

#[test]
fn alter_table_forms_take_the_documented_locks_and_effects() {
    use LockMode::*;
    for (sql, lock, effect) in [
        (
            "ALTER TABLE events ADD COLUMN kind text",
            AccessExclusive,
            Effect::Metadata,
        ),
        (
            "ALTER TABLE events ADD COLUMN kind text DEFAULT 'x'",
            AccessExclusive,
            Effect::Metadata,
        ),
        (
            "ALTER TABLE events ADD COLUMN n bigserial",
            AccessExclusive,
            Effect::Rewrite,
        ),
        (
            "ALTER TABLE events ADD COLUMN n int GENERATED ALWAYS AS IDENTITY",
            AccessExclusive,
            Effect::Rewrite,
        ),
        (
            "ALTER TABLE events ALTER COLUMN kind TYPE int USING kind::int",
            AccessExclusive,
            Effect::Rewrite,
        ),
        (
            "ALTER TABLE events ALTER COLUMN kind SET NOT NULL",
            AccessExclusive,
            Effect::Scan,
        ),
        (
            "ALTER TABLE events ALTER COLUMN kind DROP NOT NULL",
            AccessExclusive,
            Effect::Metadata,
        ),
        (
            "ALTER TABLE events ALTER COLUMN kind SET STATISTICS 500",
            ShareUpdateExclusive,
            Effect::Metadata,
        ),
        (
            "ALTER TABLE events ADD CONSTRAINT c CHECK (id > 0)",
            AccessExclusive,
            Effect::Scan,
        ),
        (
            "ALTER TABLE events ADD CONSTRAINT c CHECK (id > 0) NOT VALID",
            AccessExclusive,
            Effect::Metadata,
        ),
        (
            "ALTER TABLE events VALIDATE CONSTRAINT c",
            ShareUpdateExclusive,
            Effect::Scan,
        ),
        (
            "ALTER TABLE events ADD PRIMARY KEY (id)",
            AccessExclusive,
            Effect::IndexBuild,
        ),
        (
            "ALTER TABLE events ADD CONSTRAINT pk PRIMARY KEY USING INDEX ix",
            AccessExclusive,
            Effect::Metadata,
        ),
        (
            "ALTER TABLE events SET UNLOGGED",
            AccessExclusive,
            Effect::Rewrite,
        ),
        (
            "ALTER TABLE events DROP COLUMN kind",
            AccessExclusive,
            Effect::Metadata,
        ),
    ] {
        let (st, _) = one(sql);
        assert_eq!(locks(&st), vec![("events".to_string(), lock)], "{sql}");
        assert_eq!(st.effect, effect, "{sql}");
    }
}

#[test]
fn a_foreign_key_locks_both_tables_share_row_exclusive() {
    let (st, _) =
        one("ALTER TABLE events ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES app.users (id)");
    assert_eq!(
        locks(&st),
        vec![
            ("events".to_string(), LockMode::ShareRowExclusive),
            ("users".to_string(), LockMode::ShareRowExclusive)
        ]
    );
    assert_eq!(st.locks[1].table.schema, "app");
    assert_eq!(st.effect, Effect::Scan);
    let (st, _) = one(
        "ALTER TABLE events ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID",
    );
    assert_eq!(st.effect, Effect::Metadata);
    // CREATE TABLE with a reference locks only the referenced table.
    let (st, f) = one("CREATE TABLE t2 (id int, user_id bigint REFERENCES users (id))");
    assert_eq!(
        locks(&st),
        vec![("users".to_string(), LockMode::ShareRowExclusive)]
    );
    assert_eq!(f.creates_table, Some(rel("t2")));
}

#[test]
fn indexes_concurrently_or_not() {
    let (st, f) = one("CREATE INDEX events_kind ON events (kind)");
    assert_eq!(locks(&st), vec![("events".to_string(), LockMode::Share)]);
    assert_eq!(st.effect, Effect::IndexBuild);
    assert_eq!(f.no_transaction_block, None);
    let (st, f) =
        one("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON \"Events\" (lower(email))");
    assert_eq!(
        locks(&st),
        vec![("Events".to_string(), LockMode::ShareUpdateExclusive)]
    );
    assert_eq!(
        f.no_transaction_block.as_deref(),
        Some("CREATE INDEX CONCURRENTLY")
    );
    assert_eq!(st.operation, "CREATE UNIQUE INDEX CONCURRENTLY");
}

#[test]
fn schema_changes_are_recorded_for_the_code_that_uses_them() {
    let (st, _) = one("ALTER TABLE users RENAME COLUMN name TO full_name");
    assert_eq!(
        st.changes,
        vec![SchemaChange {
            kind: ChangeKind::RenameColumn,
            table: rel("users"),
            column: Some("name".into()),
            new_name: Some("full_name".into()),
        }]
    );
    let (st, _) = one("DROP TABLE IF EXISTS old_t, \"Other\"");
    let dropped: Vec<&str> = st.changes.iter().map(|c| c.table.name.as_str()).collect();
    assert_eq!(dropped, ["old_t", "Other"]);
    let (st, _) = one("ALTER TABLE users RENAME TO people");
    assert_eq!(st.changes[0].kind, ChangeKind::RenameTable);
    assert_eq!(st.changes[0].new_name.as_deref(), Some("people"));
}

#[test]
fn facts_for_the_live_checks_are_gathered() {
    let (_, f) = one("ALTER TABLE t ADD COLUMN x int NOT NULL");
    assert_eq!(f.required_columns, vec![(rel("t"), "x".to_string())]);
    let (_, f) = one("ALTER TABLE t ADD COLUMN x int NOT NULL DEFAULT 0");
    assert!(f.required_columns.is_empty());
    let (_, f) = one("ALTER TABLE t ADD CONSTRAINT x_nn CHECK (x IS NOT NULL) NOT VALID");
    assert_eq!(
        f.not_null_checks,
        vec![(rel("t"), "x".to_string(), "x_nn".to_string(), true)]
    );
    let (_, f) = one("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'");
    assert_eq!(f.enum_value, Some(("mood".into(), "meh".into())));
    let (_, f) =
        one("UPDATE users SET id = pg_catalog.gen_random_uuid(), n = coalesce(n, 0), t = trim(t)");
    // coalesce and trim are SQL syntax, not catalog functions.
    assert_eq!(f.functions, vec!["gen_random_uuid".to_string()]);
    let (_, f) = one("CREATE EXTENSION IF NOT EXISTS pgcrypto");
    assert_eq!(f.extension.as_deref(), Some("pgcrypto"));
    let (_, f) = one(
        "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    );
    assert_eq!(f.creates_functions, vec!["touch".to_string()]);
    let (_, f) = one("ALTER TABLE t ALTER COLUMN c TYPE varchar(50)");
    assert_eq!(
        f.type_changes,
        vec![(rel("t"), "c".to_string(), "varchar(50)".to_string(), false)]
    );
}

#[test]
fn lines_and_lock_timeout_are_read_from_the_file() {
    let a = analyse(
        &MigrationSource {
            version: 14,
            file: "0014_events.sql".into(),
            sql: "-- add kind\nSET lock_timeout = '5s';\n\nALTER TABLE events\n  ADD COLUMN kind text;\n"
                .into(),
        },
        PlanStatus::Pending,
        false,
        None,
    );
    let lines: Vec<u32> = a.migration.statements.iter().map(|s| s.line).collect();
    assert_eq!(lines, vec![2, 4]);
    assert_eq!(a.migration.lock_timeout.as_deref(), Some("'5s'"));
    assert_eq!(
        a.migration.statements[1].sql,
        "ALTER TABLE events ADD COLUMN kind text;"
    );
    // Set after the first exclusive lock: it does not protect that statement.
    let late = analyse(
        &MigrationSource {
            version: 15,
            file: "0015.sql".into(),
            sql: "ALTER TABLE events ADD COLUMN a text;\nSET lock_timeout = '5s';".into(),
        },
        PlanStatus::Pending,
        false,
        None,
    );
    assert_eq!(late.migration.lock_timeout, None);
}
