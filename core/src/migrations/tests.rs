//! Tests of the migration evidence model: sqlx's file-name rules and checksums, ignored files, `sqlx::migrate!` discovery and the derived facts.

use super::*;

fn parsed(name: &str) -> ParsedName {
    parse_file_name(name).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn cause(name: &str) -> IgnoreCause {
    parse_file_name(name).expect_err(name).0
}

#[test]
fn simple_up_and_down_names_parse_like_sqlx() {
    let p = parsed("0013_add_todos.sql");
    assert_eq!((p.version, p.description.as_str()), (13, "add todos"));
    assert_eq!(p.kind, MigrationKind::Simple);
    let p = parsed("20260109120000_create_users.up.sql");
    assert_eq!(p.version, 20260109120000);
    assert_eq!(
        (p.description.as_str(), p.kind),
        ("create users", MigrationKind::Up)
    );
    let p = parsed("2_create_users.down.sql");
    assert_eq!(
        (p.description.as_str(), p.kind),
        ("create users", MigrationKind::Down)
    );
}

#[test]
fn version_uses_i64_from_str_quirks() {
    // i64::from_str accepts a leading '+' and '-' and leading zeros; sqlx does too.
    assert_eq!(parsed("+7_x.sql").version, 7);
    assert_eq!(parsed("-1_x.sql").version, -1);
    assert_eq!(parsed("0000_x.sql").version, 0);
    assert_eq!(parsed(&format!("{}_x.sql", i64::MAX)).version, i64::MAX);
}

#[test]
fn description_keeps_everything_after_the_first_underscore() {
    assert_eq!(parsed("1__double.sql").description, " double");
    assert_eq!(parsed("1_.sql").description, "");
    // trim_end_matches strips a repeated suffix, as sqlx does.
    assert_eq!(parsed("1_a.sql.sql").description, "a");
    assert_eq!(parsed("1_a.b.sql").description, "a.b");
}

#[test]
fn names_sqlx_skips_quietly() {
    assert_eq!(cause("README.md"), IgnoreCause::NoUnderscore);
    assert_eq!(cause("0013-add-todos.sql"), IgnoreCause::NoUnderscore);
    assert_eq!(cause("13.sql"), IgnoreCause::NoUnderscore);
    assert_eq!(cause("0013_add_todos.SQL"), IgnoreCause::NotSql);
    assert_eq!(cause("0013_add_todos.sql.bak"), IgnoreCause::NotSql);
    assert_eq!(cause("0013_add_todos.psql"), IgnoreCause::NotSql);
    assert!(!IgnoreCause::NoUnderscore.is_fatal() && !IgnoreCause::NotSql.is_fatal());
    let (_, reason) = parse_file_name("0013_add_todos.SQL").unwrap_err();
    assert!(reason.contains("lowercase"), "{reason}");
}

#[test]
fn non_integer_or_overflowing_versions_are_fatal_for_sqlx() {
    for name in [
        "V1__init.sql",
        "_init.sql",
        " 1_x.sql",
        "0013-add_todos.sql",
    ] {
        assert_eq!(cause(name), IgnoreCause::VersionNotInteger, "{name}");
    }
    let (c, reason) = parse_file_name("99999999999999999999_big.sql").unwrap_err();
    assert_eq!(c, IgnoreCause::VersionNotInteger);
    assert!(reason.contains("64-bit"), "{reason}");
    assert!(c.is_fatal());
}

#[test]
fn checksum_is_sha384_of_the_exact_bytes() {
    // sha384("") is a published test vector.
    assert_eq!(
        sqlx_checksum("", &[]),
        "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"
    );
    let m = classify_entry("1_a.sql", Some(b"SELECT 1;\n"), &[]).unwrap();
    assert_eq!(m.checksum, sqlx_checksum("SELECT 1;\n", &[]));
    assert_eq!(m.checksum.len(), 96);
    assert_eq!(m.checksum, m.checksum_normalized);
    assert!(!m.has_crlf && !m.has_bom);
    assert_eq!(m.size, 10);
}

#[test]
fn crlf_and_bom_change_the_checksum_but_not_the_normalised_one() {
    let lf = classify_entry("1_a.sql", Some(b"SELECT 1;\nSELECT 2;\n"), &[]).unwrap();
    let crlf = classify_entry("1_a.sql", Some(b"SELECT 1;\r\nSELECT 2;\r\n"), &[]).unwrap();
    let bom = classify_entry("1_a.sql", Some(b"\xEF\xBB\xBFSELECT 1;\nSELECT 2;\n"), &[]).unwrap();
    assert_ne!(lf.checksum, crlf.checksum);
    assert_ne!(lf.checksum, bom.checksum);
    assert_eq!(crlf.checksum_normalized, lf.checksum);
    assert_eq!(bom.checksum_normalized, lf.checksum);
    assert!(crlf.has_crlf && !crlf.has_bom);
    assert!(bom.has_bom && !bom.has_crlf);
    // The variants of the LF file contain the CRLF file's exact checksum and vice versa.
    assert_eq!(lf.checksum_variants["crlf"], crlf.checksum);
    assert_eq!(crlf.checksum_variants["lf"], lf.checksum);
    assert_eq!(lf.checksum_variants["lf+bom"], bom.checksum);
}

#[test]
fn ignored_chars_from_sqlx_toml_are_dropped_before_hashing() {
    let m = classify_entry("1_a.sql", Some(b"SELECT 1;\r\n"), &['\r']).unwrap();
    assert_eq!(m.checksum, sqlx_checksum("SELECT 1;\n", &[]));
}

#[test]
fn no_transaction_must_be_the_very_first_bytes() {
    let yes = classify_entry(
        "1_a.sql",
        Some(b"-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t(x);"),
        &[],
    )
    .unwrap();
    assert!(yes.no_transaction);
    let indented = classify_entry("1_a.sql", Some(b"\n-- no-transaction\n"), &[]).unwrap();
    assert!(!indented.no_transaction);
    let bom = classify_entry("1_a.sql", Some(b"\xEF\xBB\xBF-- no-transaction\n"), &[]).unwrap();
    assert!(
        !bom.no_transaction,
        "sqlx's starts_with check fails behind a BOM"
    );
}

#[test]
fn directories_and_non_utf8_files_are_listed_as_ignored() {
    let dir = classify_entry("old", None, &[]).unwrap_err();
    assert_eq!((dir.cause, dir.fatal), (IgnoreCause::NotAFile, false));
    let bad = classify_entry("1_a.sql", Some(b"SELECT '\xff';"), &[]).unwrap_err();
    assert_eq!((bad.cause, bad.fatal), (IgnoreCause::NotUtf8, true));
    assert!(bad.reason.contains("offset 8"), "{}", bad.reason);
    // A non-UTF-8 file sqlx would skip by name anyway is not fatal.
    let skipped = classify_entry("notes.txt", Some(b"\xff"), &[]).unwrap_err();
    assert_eq!(skipped.cause, IgnoreCause::NoUnderscore);
}

#[test]
fn finds_migrate_macro_calls_with_their_lines() {
    let src = "use x;\nstatic M: Migrator = sqlx::migrate!(\"./db/migrations\");\n// sqlx::migrate!(\"commented\")\nfn f() { ::sqlx::migrate!().run(&pool); }\nlet m = sqlx::migrate!(r#\"raw/dir\"#);\n";
    let calls = find_migrate_macros(src);
    assert_eq!(
        calls,
        vec![
            MigrateMacroCall {
                line: 2,
                path: Some("./db/migrations".into())
            },
            MigrateMacroCall {
                line: 4,
                path: None
            },
            MigrateMacroCall {
                line: 5,
                path: Some("raw/dir".into())
            },
        ]
    );
}

#[test]
fn other_macros_named_migrate_are_not_sqlx_calls() {
    assert!(find_migrate_macros("refinery::migrate!(\"x\");\nmy_migrate!(\"y\");").is_empty());
    assert_eq!(
        find_migrate_macros("use sqlx::migrate;\nlet m = migrate!(\"m\");").len(),
        1
    );
}

#[test]
fn table_names_split_like_sqlx_interpolates_them() {
    let v = |s: &str| split_table_name(s);
    assert_eq!(v("_sqlx_migrations"), Some(vec!["_sqlx_migrations".into()]));
    assert_eq!(v("app._m"), Some(vec!["app".into(), "_m".into()]));
    assert_eq!(
        v("\"My \"\"S\"\"\".\"a.b\""),
        Some(vec!["My \"S\"".into(), "a.b".into()])
    );
    assert_eq!(v(""), None);
    assert_eq!(v("a..b"), None);
    assert_eq!(v("\"open"), None);
}

#[test]
fn sqlite_timestamps_become_rfc3339() {
    assert_eq!(
        sqlite_timestamp_to_rfc3339("2026-01-09 12:00:00"),
        "2026-01-09T12:00:00Z"
    );
    assert_eq!(
        sqlite_timestamp_to_rfc3339("2026-01-09 12:00:00.123"),
        "2026-01-09T12:00:00.123Z"
    );
    assert_eq!(sqlite_timestamp_to_rfc3339("yesterday"), "yesterday");
}

#[test]
fn down_files_are_not_applied_and_do_not_count_as_the_up_file() {
    let set = crate::testing::local_migrations(vec![
        classify_entry("3_x.down.sql", Some(b"DROP TABLE x;"), &[]).unwrap(),
    ]);
    assert!(set.up(3).is_none());
    assert!(set.has_version(3));
    assert!(!MigrationKind::Down.is_applied());
}

#[test]
fn the_latest_local_version_is_the_newest_file_sqlx_applies_not_a_down_file() {
    let file = |name: &str| classify_entry(name, Some(b"SELECT 1;"), &[]).unwrap();
    let mut set = crate::testing::local_migrations(vec![]);
    assert_eq!(set.latest_version(), None);
    set.files = vec![
        file("1_a.sql"),
        file("2_b.up.sql"),
        file("2_b.down.sql"),
        file("3_c.down.sql"),
    ];
    assert_eq!(set.latest_version(), Some(2));
}

#[test]
fn the_latest_applied_version_skips_failed_rows() {
    let row = |version: i64, success: bool| AppliedMigration {
        success,
        ..crate::testing::applied(version, "m")
    };
    let mut applied = crate::testing::applied_migrations(vec![]);
    assert_eq!(applied.latest_version(), None);
    applied.rows = vec![row(1, true), row(2, true), row(3, false)];
    assert_eq!(applied.latest_version(), Some(2));
}
