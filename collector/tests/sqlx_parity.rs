//! gaps reads a migrations folder exactly as sqlx 0.9 does: the same files, versions,
//! descriptions, kinds, `-- no-transaction` flags and checksums, and the same fatal files.
//! The reference is sqlx's own resolver (`sqlx::migrate::resolve_blocking`), not a copy of it.

use std::path::Path;

use gaps_collector::migrations::local;
use gaps_core::migrations::{IgnoreCause, LocalMigrations, MigrationKind};
use sqlx::migrate::{MigrationType, ResolveConfig};

fn ours(dir: &Path) -> LocalMigrations {
    let located = local::locate(Some(dir), None).unwrap();
    local::read(&located).unwrap()
}

fn ours_in_source(src: &Path) -> LocalMigrations {
    let located = local::locate(None, Some(src)).unwrap();
    local::read(&located).unwrap()
}

fn kind(t: MigrationType) -> MigrationKind {
    match t {
        MigrationType::Simple => MigrationKind::Simple,
        MigrationType::ReversibleUp => MigrationKind::Up,
        MigrationType::ReversibleDown => MigrationKind::Down,
    }
}

type Summary = Vec<(i64, MigrationKind, String, String, bool)>;

fn summarise_sqlx(dir: &Path, config: &ResolveConfig) -> Summary {
    let mut v: Summary = sqlx::migrate::resolve_blocking_with_config(dir, config)
        .expect("sqlx resolves the folder")
        .into_iter()
        .map(|(m, _)| {
            (
                m.version,
                kind(m.migration_type),
                m.description.to_string(),
                hex::encode(&*m.checksum),
                m.no_tx,
            )
        })
        .collect();
    v.sort();
    v
}

fn summarise_ours(l: &LocalMigrations) -> Summary {
    let mut v: Summary = l
        .files
        .iter()
        .map(|f| {
            (
                f.version,
                f.kind,
                f.description.clone(),
                f.checksum.clone(),
                f.no_transaction,
            )
        })
        .collect();
    v.sort();
    v
}

fn write_all(dir: &Path, files: &[(&str, &[u8])]) {
    for (name, body) in files {
        std::fs::write(dir.join(name), body).unwrap();
    }
}

#[test]
fn same_migrations_as_sqlx_for_tricky_names_and_contents() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_all(
        dir,
        &[
            ("1_plain.sql", b"CREATE TABLE a (id int);\n"),
            ("+2_plus.up.sql", b"CREATE TABLE b (id int);\n"),
            ("2_plus.down.sql", b"DROP TABLE b;\n"),
            ("-3_negative.sql", b"SELECT 3;\n"),
            ("0004_leading_zeros.sql", b"SELECT 4;\n"),
            ("5_twice.sql.sql", b"SELECT 5;\n"),
            ("6__double_underscore.sql", b"SELECT 6;\n"),
            ("7_crlf.sql", b"SELECT 7;\r\nSELECT 7;\r\n"),
            (
                "8_bom_hides_no_tx.sql",
                b"\xEF\xBB\xBF-- no-transaction\nSELECT 8;\n",
            ),
            (
                "9_no_tx.sql",
                b"-- no-transaction\nCREATE INDEX CONCURRENTLY i ON a (id);\n",
            ),
            ("10_.sql", b""),
            ("README.md", b"# migrations\n"),
            ("11-dash.sql", b"SELECT 11;\n"),
            ("12_upper.SQL", b"SELECT 12;\n"),
            ("13_backup.sql.bak", b"SELECT 13;\n"),
        ],
    );
    std::fs::create_dir(dir.join("14_a_directory.sql")).unwrap();
    let l = ours(dir);
    assert_eq!(
        summarise_ours(&l),
        summarise_sqlx(dir, &ResolveConfig::new())
    );
    let mut ignored: Vec<(&str, IgnoreCause, bool)> = l
        .ignored
        .iter()
        .map(|i| (i.file.as_str(), i.cause, i.fatal))
        .collect();
    ignored.sort();
    assert_eq!(
        ignored,
        vec![
            ("11-dash.sql", IgnoreCause::NoUnderscore, false),
            ("12_upper.SQL", IgnoreCause::NotSql, false),
            ("13_backup.sql.bak", IgnoreCause::NotSql, false),
            ("14_a_directory.sql", IgnoreCause::NotAFile, false),
            ("README.md", IgnoreCause::NoUnderscore, false),
        ]
    );
}

#[test]
fn same_checksums_as_sqlx_with_sqlx_toml_ignored_chars() {
    let src = tempfile::tempdir().unwrap();
    let dir = src.path().join("migrations");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        src.path().join("sqlx.toml"),
        "[migrate]\nignored-chars = [\"\\r\", \"\\uFEFF\", \" \"]\n",
    )
    .unwrap();
    write_all(
        &dir,
        &[("1_a.sql", b"\xEF\xBB\xBFCREATE TABLE a (id int);\r\n")],
    );
    let mut config = ResolveConfig::new();
    config.ignore_chars(['\r', '\u{feff}', ' ']);
    let l = ours_in_source(src.path());
    assert_eq!(summarise_ours(&l), summarise_sqlx(&dir, &config));
    assert_ne!(
        summarise_ours(&l),
        summarise_sqlx(&dir, &ResolveConfig::new())
    );
}

#[test]
fn files_that_make_sqlx_refuse_the_folder_are_fatal() {
    let cases: [(&str, &[u8], IgnoreCause); 4] = [
        ("V1__init.sql", b"SELECT 1;", IgnoreCause::VersionNotInteger),
        (
            "99999999999999999999_big.sql",
            b"SELECT 1;",
            IgnoreCause::VersionNotInteger,
        ),
        (
            "0013-add_todos.sql",
            b"SELECT 1;",
            IgnoreCause::VersionNotInteger,
        ),
        ("2_latin1.sql", b"SELECT '\xe9';", IgnoreCause::NotUtf8),
    ];
    for (name, body, cause) in cases {
        let tmp = tempfile::tempdir().unwrap();
        write_all(tmp.path(), &[("1_ok.sql", b"SELECT 1;"), (name, body)]);
        assert!(
            sqlx::migrate::resolve_blocking(tmp.path()).is_err(),
            "sqlx accepted {name}"
        );
        let l = ours(tmp.path());
        assert_eq!(l.files.len(), 1, "{name}");
        assert_eq!(l.ignored.len(), 1, "{name}");
        assert_eq!(
            (l.ignored[0].cause, l.ignored[0].fatal),
            (cause, true),
            "{name}"
        );
    }
}
