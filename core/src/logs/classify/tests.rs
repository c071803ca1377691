//! Unit tests of the classifier: one per family of messages.

use super::*;

fn c(msg: &str) -> Classification {
    classify(msg).unwrap_or_else(|| panic!("not classified: {msg}"))
}

#[test]
fn undefined_table_keeps_the_relation_name() {
    let r = c(r#"error returned from database: relation "focus_pause_state" does not exist"#);
    assert_eq!(r.kind, LogKind::UndefinedTable);
    assert_eq!(r.table.as_deref(), Some("focus_pause_state"));
    assert_eq!(r.sqlstate.as_deref(), Some("42P01"));
    let q = c(r#"ERROR: relation "public.habits" does not exist at character 15"#);
    assert_eq!(q.table.as_deref(), Some("habits"));
}

#[test]
fn undefined_column_keeps_column_and_relation() {
    let r = c(r#"column "paused_at" of relation "focus_sessions" does not exist"#);
    assert_eq!(r.kind, LogKind::UndefinedColumn);
    assert_eq!(r.table.as_deref(), Some("focus_sessions"));
    assert_eq!(r.column.as_deref(), Some("paused_at"));
    let r = c(r#"column "xp_total" does not exist"#);
    assert_eq!((r.column.as_deref(), r.table), (Some("xp_total"), None));
    let r = c("ERROR: column u.nickname does not exist");
    assert_eq!(r.column.as_deref(), Some("nickname"));
}

#[test]
fn escaped_quotes_from_debug_output_are_read() {
    let r = c(
        r#"Database(PgDatabaseError { severity: Error, code: "42P01", message: "relation \"user_wallet\" does not exist" })"#,
    );
    assert_eq!(r.kind, LogKind::UndefinedTable);
    assert_eq!(r.table.as_deref(), Some("user_wallet"));
    assert_eq!(r.sqlstate.as_deref(), Some("42P01"));
}

#[test]
fn sqlx_decode_errors_keep_column_and_types() {
    let r = c("database_error: no column found for name: streak_days");
    assert_eq!(r.kind, LogKind::ColumnNotFound);
    assert_eq!(r.column.as_deref(), Some("streak_days"));
    let r = c(
        "error occurred while decoding column \"xp\": mismatched types; Rust type `i32` (as SQL type `INT4`) is not compatible with SQL type `INT8`",
    );
    assert_eq!(r.kind, LogKind::TypeMismatch);
    assert_eq!(r.column.as_deref(), Some("xp"));
    assert_eq!(r.rust_type.as_deref(), Some("i32"));
    assert_eq!(r.sql_type.as_deref(), Some("INT8"));
    let r = c(
        "error occurred while decoding column \"ended_at\": unexpected null; try decoding as an `Option`",
    );
    assert_eq!(r.kind, LogKind::UnexpectedNull);
    assert_eq!(r.column.as_deref(), Some("ended_at"));
}

#[test]
fn pool_connection_and_auth_errors() {
    assert_eq!(
        c("pool timed out while waiting for an open connection").kind,
        LogKind::PoolTimeout
    );
    assert_eq!(
        c("FATAL: sorry, too many clients already").kind,
        LogKind::TooManyConnections
    );
    let r = c(
        r#"FATAL: remaining connection slots are reserved for non-replication superuser connections"#,
    );
    assert_eq!(r.sqlstate.as_deref(), Some("53300"));
    assert_eq!(
        c("error communicating with database: Connection refused (os error 111)").kind,
        LogKind::ConnectionRefused
    );
    assert_eq!(
        c("error communicating with database: Connection reset by peer (os error 104)").kind,
        LogKind::ConnectionReset
    );
    let r = c(r#"password authentication failed for user "ignition_api""#);
    assert_eq!(r.kind, LogKind::AuthenticationFailed);
    assert_eq!(r.object.as_deref(), Some("ignition_api"));
    assert_eq!(r.sqlstate.as_deref(), Some("28P01"));
    assert_eq!(
        c("error with configuration: tls handshake failed: invalid peer certificate: UnknownIssuer").kind,
        LogKind::Tls
    );
}

#[test]
fn pooler_statement_errors_keep_the_statement_name() {
    let r = c(r#"error returned from database: prepared statement "sqlx_s_1" already exists"#);
    assert_eq!(r.kind, LogKind::PreparedStatementExists);
    assert_eq!(r.object.as_deref(), Some("sqlx_s_1"));
    assert_eq!(r.sqlstate.as_deref(), Some("42P05"));
    let r = c(r#"prepared statement "sqlx_s_3" does not exist"#);
    assert_eq!(r.kind, LogKind::PreparedStatementMissing);
    assert_eq!(r.sqlstate.as_deref(), Some("26000"));
}

#[test]
fn statement_level_errors() {
    assert_eq!(
        c("ERROR: canceling statement due to statement timeout")
            .sqlstate
            .as_deref(),
        Some("57014")
    );
    assert_eq!(c("ERROR: deadlock detected").kind, LogKind::Deadlock);
    let r = c("ERROR: cannot execute INSERT in a read-only transaction");
    assert_eq!(r.kind, LogKind::ReadOnlyTransaction);
    assert_eq!(r.object.as_deref(), Some("INSERT"));
    let r = c("ERROR: permission denied for table users");
    assert_eq!(r.kind, LogKind::PermissionDenied);
    assert_eq!(r.table.as_deref(), Some("users"));
    let r = c(r#"duplicate key value violates unique constraint "users_email_key""#);
    assert_eq!(r.kind, LogKind::UniqueViolation);
    assert_eq!(r.object.as_deref(), Some("users_email_key"));
    let r = c(
        r#"insert or update on table "habit_completions" violates foreign key constraint "habit_completions_habit_id_fkey""#,
    );
    assert_eq!(r.kind, LogKind::ForeignKeyViolation);
    assert_eq!(r.table.as_deref(), Some("habit_completions"));
    assert_eq!(r.object.as_deref(), Some("habit_completions_habit_id_fkey"));
}

#[test]
fn migration_lifecycle_lines() {
    assert_eq!(
        c("Checking database migrations...").kind,
        LogKind::MigrationCheck
    );
    let r = c("Applied 3 new migration(s)");
    assert_eq!((r.kind, r.applied), (LogKind::MigrationsApplied, Some(3)));
    assert_eq!(
        c("Database schema is up to date").kind,
        LogKind::SchemaUpToDate
    );
    let r = c(
        r#"Migration failed: error returned from database: relation "focus_pause_state" already exists while executing migration 14"#,
    );
    assert_eq!(r.kind, LogKind::MigrationFailed);
    assert_eq!(r.migration, Some(14));
    assert_eq!(r.table.as_deref(), Some("focus_pause_state"));
    let r = c("migration 20240101000000 was previously applied but has been modified");
    assert_eq!(r.migration, Some(20240101000000));
}

#[test]
fn markers_and_sqlstates_without_a_known_message() {
    assert_eq!(
        c("request failed: database_error").kind,
        LogKind::ServiceDatabaseError
    );
    assert_eq!(
        c("internal_error: boom").kind,
        LogKind::ServiceInternalError
    );
    let r = c("ERROR:  22P02: invalid input syntax for type uuid: \"abc\"");
    assert_eq!(r.kind, LogKind::OtherDatabaseError);
    assert_eq!(r.sqlstate.as_deref(), Some("22P02"));
}

#[test]
fn ordinary_lines_are_not_classified() {
    assert_eq!(
        classify("sqlx::query: summary=\"SELECT id FROM users\" rows_returned=1"),
        None
    );
    assert_eq!(classify("GET /health 200 OK"), None);
    assert_eq!(classify("TLS handshake complete"), None);
}

#[test]
fn kind_names_are_the_json_names() {
    for kind in LogKind::ALL {
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            serde_json::Value::from(kind.as_str())
        );
    }
}

#[test]
fn sqlite_errors_keep_their_result_code_and_objects() {
    let r = c("error returned from database: (code: 1) no such table: habit_completions");
    assert_eq!(r.kind, LogKind::UndefinedTable);
    assert_eq!(r.table.as_deref(), Some("habit_completions"));
    assert_eq!(
        r.sqlstate.as_deref(),
        Some("1"),
        "the SQLite code, not 42P01"
    );
    let r = c("error returned from database: (code: 1) no such column: q.reward");
    assert_eq!(r.kind, LogKind::UndefinedColumn);
    assert_eq!((r.table, r.column.as_deref()), (None, Some("reward")));
    let r = c("(code: 1) table quests has no column named reward");
    assert_eq!(r.table.as_deref(), Some("quests"));
    assert_eq!(r.column.as_deref(), Some("reward"));
    let r = c("error returned from database: (code: 2067) UNIQUE constraint failed: users.email");
    assert_eq!(r.kind, LogKind::UniqueViolation);
    assert_eq!(r.sqlstate.as_deref(), Some("2067"));
    assert_eq!(r.table.as_deref(), Some("users"));
    let r = c("(code: 1299) NOT NULL constraint failed: habits.name");
    assert_eq!(r.kind, LogKind::NotNullViolation);
    assert_eq!(r.column.as_deref(), Some("name"));
    let r = c("error returned from database: (code: 5) database is locked");
    assert_eq!(r.kind, LogKind::OtherDatabaseError);
    assert_eq!(r.object.as_deref(), Some("database is locked"));
    assert_eq!(r.sqlstate.as_deref(), Some("5"));
}

proptest::proptest! {
    /// The cached searchers find and replace what `str` does, on text full of the backslashes
    /// and quotes the unescaping deals with.
    #[test]
    fn cached_searchers_agree_with_str(text in r#"[a-z\\" ]{0,40}"#) {
        for needle in ["\\\"", "\\\\\"", "relation ", "\" "] {
            proptest::prop_assert_eq!(needles::find_static(&text, needle), text.find(needle));
        }
        proptest::prop_assert_eq!(
            needles::replace_static(&needles::replace_static(&text, "\\\\\"", "\""), "\\\"", "\""),
            text.replace("\\\\\"", "\"").replace("\\\"", "\"")
        );
    }
}

#[test]
fn a_number_after_a_character_of_several_bytes_is_read_without_a_panic() {
    // Found by the prefilter proptest: a non-ASCII character right before the digits of a
    // migration number made the classifier slice inside it.
    assert_eq!(last_number("migration \u{FFFD}0065 "), Some(65));
    assert_eq!(last_number("é7"), Some(7));
    assert_eq!(last_number("12"), Some(12));
    assert_eq!(last_number("none"), None);
    let msg =
        "has no column named \\u\u{FFFD}0065 was previously applied but is missing does not exist";
    let _ = classify(msg);
    let r = c("migration ü20240101 was previously applied but is missing");
    assert_eq!(r.migration, Some(20240101));
}
