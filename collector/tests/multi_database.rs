//! One crate, several databases: a client with three SQLite databases of its own (three
//! `sqlx::migrate!` folders on three pools) and an importer of another application's SQLite
//! file, collected database by database on real SQLite files built by sqlx's migrator. Each
//! collection checks only its own database's statements and gives no error; the others are
//! listed as belonging to their database, the importer's as an external database.

mod common;
mod support_sql;

use std::path::{Path, PathBuf};

use gaps_core::Snapshot;
use gaps_core::code::databases::SiteDatabase;
use gaps_core::querycheck::Outcome;
use gaps_tests::fixtures::fixture;
use support_sql::{collect_and_check, errors, migrate, show, sqlite_exec};

/// The three databases of the client and the foreign zsh-histdb file, in `dir`.
struct Files {
    history: String,
    records: String,
    meta: String,
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

fn build(dir: &Path, src: &Path) -> Files {
    let make = |name: &str, migrations: &str| {
        let path = dir.join(name);
        let url = format!("sqlite://{}?mode=rwc", path.display());
        migrate(&url, &src.join(migrations));
        sqlite_url(&path)
    };
    let files = Files {
        history: make("history.db", "migrations"),
        records: make("records.db", "record-migrations"),
        meta: make("meta.db", "meta-migrations"),
    };
    // zsh-histdb's own schema, in a file the client only reads.
    sqlite_exec(
        &format!("sqlite://{}?mode=rwc", dir.join("zsh-history.db").display()),
        "create table commands (id integer primary key autoincrement, argv text, unique(argv));
         create table places (id integer primary key autoincrement, host text, dir text, unique(host, dir));
         create table history (id integer primary key autoincrement, session int, command_id int references commands (id),
             place_id int references places (id), exit_status int, start_time int, duration int);",
    );
    files
}

fn at<'s>(snap: &'s Snapshot, file: &str, line: u32) -> &'s gaps_core::querycheck::StatementCheck {
    let checks = snap.query_checks.data().expect("query checks");
    checks
        .statements
        .iter()
        .find(|s| s.file == file && s.line == line)
        .unwrap_or_else(|| panic!("no statement at {file}:{line}"))
}

fn reason(snap: &Snapshot, file: &str, line: u32) -> String {
    match &at(snap, file, line).outcome {
        Outcome::NotCheckable { reason } => reason.clone(),
        other => panic!("{file}:{line} was checked: {other:?}"),
    }
}

fn collect(dir: &Path, url: &str, src: &Path, migrations: Option<&Path>) -> Snapshot {
    let mut args = vec!["--database-url", url, "--source", src.to_str().unwrap()];
    let m;
    if let Some(p) = migrations {
        m = p.to_str().unwrap().to_string();
        args.extend_from_slice(&["--migrations", &m]);
    }
    let (snap, fs) = collect_and_check(dir, &args);
    let errs = errors(&fs);
    assert!(errs.is_empty(), "false errors for {url}:\n{}", show(&errs));
    snap
}

#[test]
fn each_database_of_the_crate_is_collected_without_a_false_error() {
    let src: PathBuf = fixture("shell-history-client");
    let dir = tempfile::tempdir().unwrap();
    let files = build(dir.path(), &src);

    // The history database: the first sqlx::migrate! of the crate.
    let snap = collect(dir.path(), &files.history, &src, None);
    let code = snap.code.data().unwrap();
    let dbs: Vec<(&str, bool, Option<&str>)> = code
        .databases
        .iter()
        .map(|d| (d.migrations.as_str(), d.target, d.chosen_by.as_deref()))
        .collect();
    assert_eq!(
        dbs,
        [
            ("./migrations", true, Some("migrate_macro")),
            ("./meta-migrations", false, None),
            ("./record-migrations", false, None),
        ]
    );
    assert_eq!(code.databases[2].tables, ["store"]);
    assert_eq!(
        code.databases[2].declared_at,
        ["src/record/sqlite_store.rs:35"]
    );
    let checks = snap.query_checks.data().unwrap();
    assert_eq!(checks.counts.rejected, 0);
    for line in [35, 54, 61, 68, 77, 89] {
        assert_eq!(
            at(&snap, "src/database.rs", line).outcome,
            Outcome::Ok,
            "line {line}"
        );
    }
    assert_eq!(
        reason(&snap, "src/record/sqlite_store.rs", 41),
        "belongs to the database migrated by ./record-migrations"
    );
    assert_eq!(
        reason(&snap, "src/meta.rs", 22),
        "belongs to the database migrated by ./meta-migrations"
    );
    let r = reason(&snap, "src/import/zsh_histdb.rs", 28);
    assert!(
        r.starts_with("external database: src/import/zsh_histdb.rs:26 opens its own connection"),
        "{r}"
    );
    assert!(r.contains("commands, history, places"), "{r}");
    // The models: History is this database's, StoredRecord the record store's.
    let mapping = |name: &str| &code.model(name).unwrap().mapping;
    assert_eq!(mapping("History").tables, ["history"]);
    assert_eq!(
        mapping("StoredRecord").database.as_deref(),
        Some("./record-migrations")
    );
    assert!(mapping("StoredRecord").tables.is_empty());

    // The record store, chosen with --migrations.
    let snap = collect(
        dir.path(),
        &files.records,
        &src,
        Some(&src.join("record-migrations")),
    );
    let code = snap.code.data().unwrap();
    let target = code.databases.iter().find(|d| d.target).unwrap();
    assert_eq!(
        (target.migrations.as_str(), target.chosen_by.as_deref()),
        ("./record-migrations", Some("flag"))
    );
    for line in [41, 59, 66, 76, 82] {
        assert_eq!(
            at(&snap, "src/record/sqlite_store.rs", line).outcome,
            Outcome::Ok,
            "line {line}"
        );
    }
    assert_eq!(
        reason(&snap, "src/database.rs", 35),
        "belongs to the database migrated by ./migrations"
    );
    assert_eq!(
        code.model("StoredRecord").unwrap().mapping.tables,
        ["store"]
    );

    // The meta database.
    let snap = collect(
        dir.path(),
        &files.meta,
        &src,
        Some(&src.join("meta-migrations")),
    );
    for line in [22, 31, 38] {
        assert_eq!(
            at(&snap, "src/meta.rs", line).outcome,
            Outcome::Ok,
            "line {line}"
        );
    }
    let d = &snap.code.data().unwrap().queries;
    let ping = d.iter().find(|q| q.file == "src/sync.rs").unwrap();
    assert!(matches!(
        ping.scope.database,
        Some(SiteDatabase::Target { .. })
    ));
}

/// The report shows why each statement of another database was not checked.
#[test]
fn the_report_names_the_database_each_statement_belongs_to() {
    let src: PathBuf = fixture("shell-history-client");
    let dir = tempfile::tempdir().unwrap();
    let files = build(dir.path(), &src);
    collect(dir.path(), &files.history, &src, None);
    let out = common::gaps(
        dir.path(),
        &[
            "report",
            dir.path().join("snapshot.json").to_str().unwrap(),
            "--out",
            dir.path().join("site").to_str().unwrap(),
        ],
    );
    assert_eq!(common::code(&out), 0, "{}", common::stderr(&out));
    let html = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(html.contains("belongs to the database migrated by .&#x2F;record-migrations"));
    assert!(html.contains("class=\"st st-other_database\""));
    assert!(html.contains("class=\"st st-external\""));
    assert!(html.contains("external database: src&#x2F;import&#x2F;zsh_histdb.rs:26"));
}

/// gaps.toml maps a module with no tables of its own to a database, and leaves the importer
/// out; a drifted record store still gets its errors.
#[test]
fn gaps_toml_maps_and_excludes_and_a_drifted_database_still_reports() {
    let orig: PathBuf = fixture("shell-history-client");
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("client");
    copy_dir(&orig, &src);
    std::fs::write(
        src.join("gaps.toml"),
        "exclude = [\"src/import/**\"]\n\n[[database]]\nmigrations = \"record-migrations\"\n\
         sources = [\"src/sync.rs\"]\n",
    )
    .unwrap();
    let files = build(dir.path(), &src);
    let snap = collect(dir.path(), &files.history, &src, None);
    assert_eq!(
        reason(&snap, "src/sync.rs", 5),
        "belongs to the database migrated by ./record-migrations"
    );
    assert_eq!(
        reason(&snap, "src/import/zsh_histdb.rs", 28),
        "excluded by gaps.toml (exclude = \"src/import/**\")"
    );
    let record = &snap.code.data().unwrap().databases;
    assert!(
        record.iter().any(|d| d.migrations == "./record-migrations"
            && d.sources == ["src/sync.rs"]
            && d.declared_at.contains(&"gaps.toml".to_string())),
        "{record:#?}"
    );

    // The record store loses a column its statements use: collected on its own, the error
    // is there.
    sqlite_exec(&files.records, "alter table store drop column version");
    let m = src.join("record-migrations");
    let (_snap, fs) = collect_and_check(
        dir.path(),
        &[
            "--database-url",
            &files.records,
            "--source",
            src.to_str().unwrap(),
            "--migrations",
            m.to_str().unwrap(),
        ],
    );
    let errs = errors(&fs);
    assert!(
        errs.iter().any(|f| f.kind.as_str() == "query_invalid"
            && f.file.as_deref() == Some("src/record/sqlite_store.rs")),
        "{}",
        show(&fs)
    );
    assert!(
        errs.iter()
            .all(|f| f.column.as_deref() == Some("version") || f.message.contains("version")),
        "{}",
        show(&errs)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
