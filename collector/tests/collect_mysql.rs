//! `gaps collect` through the real binary against a real throwaway MariaDB: the schema is read
//! with the right tables, columns, types, nullability, keys, indexes, checks and inline enums;
//! a drifted schema shows its drift; the collector only reads (proven from the server's own
//! general log); an account with only SELECT can collect; sqlx's migrations table is read;
//! and connection failures are clear and never show a password.

use std::path::Path;
use std::process::{Command, Output};

use gaps_core::backend::Backend;
use gaps_core::schema::{Schema, Table};
use gaps_core::snapshot::Snapshot;
use gaps_core::{Finding, FindingKind};
use gaps_tests::{fixtures, mysql};

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

fn run_collect(url: &str, out: &Path, extra: &[&str]) -> Output {
    Command::new(GAPS)
        .args(["collect", "--database-url", url, "--out"])
        .arg(out)
        .args(extra)
        .env_remove("DATABASE_URL")
        .output()
        .expect("gaps runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn collect_ok(url: &str, dir: &Path, name: &str) -> Snapshot {
    collect_with_status(url, dir, name, 0)
}

/// A SELECT-only account's snapshot is partial (exit 1): see
/// `a_select_only_account_collects_everything_but_the_foreign_key_rules_it_cannot_see`.
fn collect_with_status(url: &str, dir: &Path, name: &str, status: i32) -> Snapshot {
    let out = dir.join(name);
    let o = run_collect(url, &out, &["-q"]);
    assert_eq!(o.status.code(), Some(status), "{}", stderr(&o));
    Snapshot::from_json(&std::fs::read_to_string(&out).expect("snapshot written"))
        .expect("snapshot parses")
}

fn fixture_db(hint: &str) -> mysql::TestDb {
    let s = mysql::server();
    let db = s.create_database(hint);
    s.sql_file(
        &db.name,
        &fixtures::fixture("schema/every_object_mysql.sql"),
    )
    .expect("fixture schema");
    db
}

fn table<'a>(schema: &'a Schema, db: &mysql::TestDb, name: &str) -> &'a Table {
    schema
        .table(&db.name, name)
        .unwrap_or_else(|| panic!("table {name} in {:#?}", schema.tables))
}

/// (type, nullable) of a column.
fn col(t: &Table, name: &str) -> (String, bool) {
    let c = t
        .column(name)
        .unwrap_or_else(|| panic!("column {}.{name} in {:#?}", t.name, t.columns));
    (c.data_type.clone(), c.nullable)
}

#[test]
fn a_clean_schema_is_collected_with_types_keys_indexes_checks_and_enums() {
    let db = fixture_db("clean");
    let dir = tempfile::tempdir().unwrap();
    let snap = collect_ok(&db.url, dir.path(), "clean.json");
    assert!(!snap.is_partial(), "{snap:#?}");

    let info = snap.database.data().expect("database info");
    assert_eq!(info.backend, Backend::Mysql);
    assert!(
        info.server_version.starts_with("MariaDB ") && info.server_version.contains("MariaDB-"),
        "{}",
        info.server_version
    );
    assert_eq!(info.database.as_deref(), Some(db.name.as_str()));
    assert!(
        info.current_user
            .as_deref()
            .is_some_and(|u| u.starts_with("root@")),
        "{info:?}"
    );

    let schema = snap.schema.data().expect("schema collected");
    assert!(schema.incomplete.is_empty(), "{:?}", schema.incomplete);
    assert_eq!(schema.schemas, vec![db.name.clone()]);
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["admin_emails", "invoices", "users"]);

    let users = table(schema, &db, "users");
    assert_eq!(
        users
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        [
            "id",
            "email",
            "display_name",
            "is_admin",
            "age",
            "created_at"
        ]
    );
    assert_eq!(col(users, "id"), ("bigint(20) unsigned".into(), false));
    assert_eq!(col(users, "email"), ("varchar(255)".into(), false));
    assert_eq!(col(users, "display_name"), ("text".into(), true));
    assert_eq!(col(users, "is_admin"), ("tinyint(1)".into(), false));
    assert_eq!(col(users, "age"), ("smallint(6)".into(), true));
    assert_eq!(col(users, "created_at"), ("datetime(6)".into(), false));
    assert_eq!(
        users.column("id").unwrap().identity.as_deref(),
        Some("by_default"),
        "AUTO_INCREMENT"
    );
    assert_eq!(
        users.column("is_admin").unwrap().default.as_deref(),
        Some("0")
    );
    assert_eq!(
        users.column("display_name").unwrap().default,
        None,
        "MariaDB's NULL default text is no default"
    );
    let pk = users.primary_key.as_ref().expect("primary key");
    assert_eq!(pk.columns, ["id"]);
    assert_eq!(users.unique_constraints.len(), 1);
    assert_eq!(users.unique_constraints[0].name, "users_email_key");
    assert_eq!(users.unique_constraints[0].columns, ["email"]);
    assert_eq!(
        users.check_constraints.len(),
        1,
        "{:?}",
        users.check_constraints
    );
    assert_eq!(users.check_constraints[0].name, "users_age_check");
    assert!(users.check_constraints[0].expression.contains("age"));
    let primary = users
        .indexes
        .iter()
        .find(|i| i.primary)
        .expect("PRIMARY index");
    assert!(primary.unique && primary.columns == ["id"]);

    let invoices = table(schema, &db, "invoices");
    assert_eq!(
        col(invoices, "status"),
        ("enum('draft','sent','it''s paid')".into(), false)
    );
    assert_eq!(col(invoices, "total"), ("decimal(12,2)".into(), false));
    assert_eq!(col(invoices, "ratio"), ("double".into(), true));
    // MariaDB's JSON is LONGTEXT with a json_valid() check.
    assert_eq!(col(invoices, "payload"), ("longtext".into(), true));
    assert_eq!(col(invoices, "pdf"), ("blob".into(), true));
    assert_eq!(col(invoices, "sent_at"), ("timestamp".into(), true));
    let gen_col = invoices.column("total_cents").unwrap();
    assert!(
        gen_col
            .generated
            .as_deref()
            .is_some_and(|g| g.contains("total")),
        "{gen_col:?}"
    );
    let fk = &invoices.foreign_keys[0];
    assert_eq!(invoices.foreign_keys.len(), 1);
    assert_eq!(fk.name, "invoices_user_fk");
    assert_eq!(fk.columns, ["user_id"]);
    assert_eq!(
        (fk.referenced_schema.as_str(), fk.referenced_table.as_str()),
        (db.name.as_str(), "users")
    );
    assert_eq!(fk.referenced_columns, ["id"]);
    assert_eq!(
        (fk.on_delete.as_str(), fk.on_update.as_str()),
        ("cascade", "restrict")
    );
    let ix = invoices
        .indexes
        .iter()
        .find(|i| i.name == "invoices_user_status")
        .expect("composite index");
    assert_eq!(ix.columns, ["user_id", "status"]);
    assert!(!ix.unique);
    let prefix = invoices
        .indexes
        .iter()
        .find(|i| i.name == "invoices_pdf_prefix")
        .expect("prefix index");
    assert_eq!(prefix.columns, ["pdf(16)"]);
    assert!(
        invoices
            .check_constraints
            .iter()
            .any(|c| c.expression.contains("json_valid")),
        "MariaDB's JSON check is read: {:?}",
        invoices.check_constraints
    );

    let view = table(schema, &db, "admin_emails");
    assert_eq!(view.kind, gaps_core::schema::TableKind::View);
    assert_eq!(view.columns.len(), 2);

    assert_eq!(schema.enums.len(), 1, "{:?}", schema.enums);
    assert_eq!(schema.enums[0].name, "invoices.status");
    assert_eq!(schema.enums[0].labels, ["draft", "sent", "it's paid"]);

    // No migrations table: recorded as absent, nothing created.
    let applied = snap.applied_migrations.data().expect("applied migrations");
    assert!(!applied.present, "{applied:?}");
    let tables = mysql::server()
        .sql(
            "",
            &format!(
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{}'",
                db.name
            ),
        )
        .unwrap();
    assert_eq!(tables.trim(), "3", "collect created nothing");
}

#[test]
fn a_drifted_schema_shows_its_drift() {
    let db = fixture_db("drifted");
    let s = mysql::server();
    s.sql(
        &db.name,
        "ALTER TABLE users DROP COLUMN display_name, MODIFY age INT NOT NULL DEFAULT 0, \
         ADD COLUMN nickname VARCHAR(40) NULL; \
         DROP INDEX invoices_pdf_prefix ON invoices; \
         ALTER TABLE invoices MODIFY status ENUM('draft','sent','void') NOT NULL",
    )
    .expect("drift");
    let dir = tempfile::tempdir().unwrap();
    let snap = collect_ok(&db.url, dir.path(), "drifted.json");
    let schema = snap.schema.data().expect("schema collected");
    let users = table(schema, &db, "users");
    assert!(users.column("display_name").is_none());
    assert_eq!(col(users, "age"), ("int(11)".into(), false));
    assert_eq!(col(users, "nickname"), ("varchar(40)".into(), true));
    assert_eq!(users.column("nickname").unwrap().ordinal, 6);
    let invoices = table(schema, &db, "invoices");
    assert!(
        invoices
            .indexes
            .iter()
            .all(|i| i.name != "invoices_pdf_prefix")
    );
    assert!(
        invoices
            .indexes
            .iter()
            .any(|i| i.name == "invoices_user_status")
    );
    assert_eq!(schema.enums[0].labels, ["draft", "sent", "void"]);
}

/// An account with only SELECT on the test database; proves it cannot write.
fn select_only_account(db: &mysql::TestDb, user: &str) {
    let s = mysql::server();
    s.sql(
        "",
        &format!(
            "CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY 'readerpw'; \
             GRANT SELECT ON `{}`.* TO '{user}'@'127.0.0.1'",
            db.name
        ),
    )
    .expect("create account");
    let write = Command::new("mariadb")
        .args([
            "--no-defaults",
            "-h127.0.0.1",
            &format!("-u{user}"),
            "-preaderpw",
        ])
        .arg(format!("-P{}", s.port()))
        .arg(&db.name)
        .args(["-e", "CREATE TABLE gaps_write_probe (id INT)"])
        .output()
        .expect("run the client");
    assert!(
        !write.status.success(),
        "the SELECT-only account could write: the test would prove nothing"
    );
}

#[test]
fn a_select_only_account_collects_everything_but_the_foreign_key_rules_it_cannot_see() {
    let db = fixture_db("select_only");
    let user = format!("sel_{}", std::process::id());
    select_only_account(&db, &user);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ro.json");
    let o = run_collect(&db.url_as(&user, Some("readerpw")), &out, &[]);
    // MariaDB hides REFERENTIAL_CONSTRAINTS from a SELECT-only account: the snapshot says so
    // and is partial (exit 1) rather than guessing the rules.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let snap = Snapshot::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let info = snap.database.data().unwrap();
    assert!(
        info.current_user
            .as_deref()
            .is_some_and(|u| u.starts_with(&format!("{user}@"))),
        "{info:?}"
    );
    let schema = snap.schema.data().unwrap();
    assert_eq!(schema.incomplete.len(), 1, "{:?}", schema.incomplete);
    let e = &schema.incomplete[0];
    assert!(
        e.during.contains("REFERENTIAL_CONSTRAINTS")
            && e.message.contains("invoices.invoices_user_fk"),
        "{e:?}"
    );
    let users = table(schema, &db, "users");
    assert_eq!(users.columns.len(), 6);
    assert_eq!(users.primary_key.as_ref().unwrap().columns, ["id"]);
    assert_eq!(users.unique_constraints.len(), 1);
    assert_eq!(users.check_constraints.len(), 1);
    let invoices = table(schema, &db, "invoices");
    assert_eq!(invoices.foreign_keys.len(), 1);
    let fk = &invoices.foreign_keys[0];
    assert_eq!(
        (
            fk.referenced_table.as_str(),
            fk.referenced_columns.as_slice()
        ),
        ("users", &["id".to_string()][..])
    );
    assert_eq!(
        (fk.on_delete.as_str(), fk.on_update.as_str()),
        ("unknown", "unknown")
    );
    assert!(invoices.indexes.len() >= 3, "{:?}", invoices.indexes);
    assert_eq!(schema.enums.len(), 1);
}

/// All collect may send: reads (SELECT, and SHOW GRANTS for the account's own privileges),
/// session settings and the read-only transactions (each read is its own short transaction:
/// ROLLBACK, then START TRANSACTION READ ONLY).
const READ_ONLY_KEYWORDS: &[&str] = &["SELECT", "SHOW", "SET", "START", "ROLLBACK"];

/// The first keyword of a logged statement, after any leading `--` comment lines.
fn first_keyword(statement: &str) -> String {
    statement
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("--"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("")
        .trim_end_matches(';')
        .to_ascii_uppercase()
}

#[test]
fn the_general_log_shows_collect_sent_only_reads() {
    let db = fixture_db("general_log");
    let s = mysql::server();
    s.sql(
        &db.name,
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, \
         installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL, \
         checksum BLOB NOT NULL, execution_time BIGINT NOT NULL); \
         INSERT INTO _sqlx_migrations VALUES \
         (20260101000000, 'create users', '2026-01-09 12:00:00', TRUE, X'00ff10', 1234), \
         (20260102000000, 'create invoices', '2026-01-10 08:30:00', FALSE, X'abcd', 99)",
    )
    .expect("migrations table");
    let user = format!("log_{}", std::process::id());
    select_only_account(&db, &user);
    s.enable_general_log().expect("general log on");
    let dir = tempfile::tempdir().unwrap();
    let snap = collect_with_status(
        &db.url_as(&user, Some("readerpw")),
        dir.path(),
        "log.json",
        1,
    );

    let sent = s.logged_statements_of(&user).expect("general log");
    assert!(
        sent.iter()
            .any(|q| q.contains("START TRANSACTION READ ONLY")),
        "the read-only transaction was logged: {sent:#?}"
    );
    assert!(
        sent.iter()
            .any(|q| q.contains("information_schema.COLUMNS")),
        "the catalog reads were logged: {sent:#?}"
    );
    assert!(
        sent.iter().any(|q| q.contains("_sqlx_migrations")),
        "the migrations table was read: {sent:#?}"
    );
    for q in &sent {
        // A query may hold several statements: each is checked.
        let code: String = q
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        for part in code.split(';').filter(|p| !p.trim().is_empty()) {
            let kw = first_keyword(part);
            assert!(
                READ_ONLY_KEYWORDS.contains(&kw.as_str()),
                "collect sent a statement that is not a read: {q}"
            );
        }
    }
    assert!(!first_keyword("-- x\nINSERT INTO t VALUES (1)").is_empty());
    assert!(!READ_ONLY_KEYWORDS.contains(&first_keyword("DROP TABLE t").as_str()));

    let applied = snap.applied_migrations.data().expect("applied migrations");
    assert!(applied.present);
    assert_eq!(applied.table, format!("{}._sqlx_migrations", db.name));
    assert_eq!(applied.rows.len(), 2);
    let first = &applied.rows[0];
    assert_eq!(first.version, 20260101000000);
    assert_eq!(first.description, "create users");
    assert!(first.success);
    assert_eq!(first.checksum, "00ff10");
    assert_eq!(first.execution_time, 1234);
    // The server runs in the machine's time zone; the instant is stored in UTC and read back
    // as the same instant, so only the shape is fixed here.
    let installed = first.installed_on.as_deref().expect("installed_on");
    assert!(
        installed.len() == 27 && installed.ends_with('Z') && installed.contains('T'),
        "{installed}"
    );
    assert!(!applied.rows[1].success);
    assert_eq!(applied.rows[1].checksum, "abcd");
}

#[test]
fn an_unreachable_server_fails_clearly_without_the_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("mysql://app:hunter2secret@127.0.0.1:{port}/app");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let o = run_collect(&url, &out, &["--connect-timeout", "5"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("could not connect") && err.contains(&port.to_string()),
        "clear error: {err}"
    );
    let text = std::fs::read_to_string(&out).expect("snapshot still written");
    assert!(!text.contains("hunter2secret") && !err.contains("hunter2secret"));
    let snap = Snapshot::from_json(&text).unwrap();
    assert!(snap.database.is_failed());
    assert!(snap.schema.is_failed());
    assert!(
        snap.database.error().unwrap().message.contains("refused"),
        "{:?}",
        snap.database
    );
}

#[test]
fn a_wrong_password_is_refused_and_never_shown() {
    let db = fixture_db("wrong_password");
    let user = format!("pw_{}", std::process::id());
    select_only_account(&db, &user);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    // mariadb:// is accepted as the same protocol.
    let url = db
        .url_as(&user, Some("hunter2wrong"))
        .replacen("mysql://", "mariadb://", 1);
    let o = run_collect(&url, &out, &["--verbose"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("Access denied"), "the server's reason: {err}");
    let text = std::fs::read_to_string(&out).expect("snapshot still written");
    assert!(
        text.contains("REDACTED"),
        "the target URL is kept, redacted"
    );
    for (what, s) in [
        ("snapshot", text.as_str()),
        ("stdout", &String::from_utf8_lossy(&o.stdout)),
        ("stderr", err.as_str()),
    ] {
        assert!(!s.contains("hunter2wrong"), "password in {what}: {s}");
    }
    // The right password through the same mariadb:// URL connects.
    let good = url.replace("hunter2wrong", "readerpw");
    let snap = collect_with_status(&good, dir.path(), "good.json", 1);
    assert_eq!(snap.database.data().unwrap().backend, Backend::Mysql);
}

/// The schema findings of a collect with `--migrations dir`.
fn schema_findings(url: &str, migrations: &Path, dir: &Path, name: &str) -> Vec<Finding> {
    let out = dir.join(name);
    let o = Command::new(GAPS)
        .args(["collect", "-q", "--database-url", url, "--migrations"])
        .arg(migrations)
        .arg("--out")
        .arg(&out)
        .env_remove("DATABASE_URL")
        .output()
        .expect("gaps runs");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let snap = Snapshot::from_json(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let expected = snap
        .expected_schema
        .data()
        .expect("expected schema replayed");
    assert!(
        expected
            .schema
            .tables
            .iter()
            .all(|t| t.schema == snap.database.data().unwrap().database.clone().unwrap()),
        "replayed tables are placed in the URL's database: {:?}",
        expected.schema.tables
    );
    gaps_core::rules::analyse(&snap)
        .into_iter()
        .filter(|f| {
            matches!(
                f.kind,
                FindingKind::TableMissing
                    | FindingKind::TableUnexpected
                    | FindingKind::ColumnMissing
                    | FindingKind::ColumnUnexpected
                    | FindingKind::ColumnTypeMismatch
                    | FindingKind::ColumnNullabilityMismatch
            )
        })
        .collect()
}

#[test]
fn migrations_replayed_in_the_mysql_dialect_match_the_live_schema_until_it_drifts() {
    let s = mysql::server();
    let db = s.create_database("replay");
    let src = tempfile::tempdir().unwrap();
    let migrations = src.path().join("migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let ddl = "CREATE TABLE accounts (\n  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,\n  \
               email VARCHAR(255) NOT NULL,\n  active BOOLEAN NOT NULL DEFAULT TRUE,\n  \
               balance NUMERIC(12,2) NULL,\n  created_at DATETIME NOT NULL\n) ENGINE=InnoDB;\n";
    std::fs::write(migrations.join("0001_accounts.sql"), ddl).unwrap();
    s.sql(&db.name, ddl).expect("apply the migration");
    let dir = tempfile::tempdir().unwrap();

    let clean = schema_findings(&db.url, &migrations, dir.path(), "clean.json");
    assert!(
        clean.is_empty(),
        "a schema made by its migrations: {clean:#?}"
    );

    s.sql(
        &db.name,
        "ALTER TABLE accounts DROP COLUMN balance, MODIFY email TEXT NULL, \
         ADD COLUMN note TEXT NULL",
    )
    .expect("drift");
    let drifted = schema_findings(&db.url, &migrations, dir.path(), "drifted.json");
    let kinds: Vec<(FindingKind, Option<&str>)> = drifted
        .iter()
        .map(|f| (f.kind, f.column.as_deref()))
        .collect();
    for want in [
        (FindingKind::ColumnMissing, Some("balance")),
        (FindingKind::ColumnUnexpected, Some("note")),
        (FindingKind::ColumnTypeMismatch, Some("email")),
        (FindingKind::ColumnNullabilityMismatch, Some("email")),
    ] {
        assert!(kinds.contains(&want), "{want:?} in {drifted:#?}");
    }
}
