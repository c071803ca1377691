//! No secret leaves: a corpus of secrets planted in every input gaps reads — database URLs in
//! every form, log lines, JSON and text health bodies served by a real HTTP server, a lock
//! holder's last query on a real second PostgreSQL connection, migration files, the live
//! schema, gaps.md and the service's source — run through the real binary (`collect`,
//! `check` text and JSON, `report`, `diff`). Every planted secret carries the marker `xq7s`
//! (`XQ7S` where a shape needs capitals); none may appear in any snapshot, stdout, stderr,
//! report page (nor in the report's packed data) or diff.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine;
use gaps_core::snapshot::Snapshot;
use gaps_core::testing::reference;
use gaps_tests::{fixtures, pg};
use serde_json::Value;

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

/// Every planted secret contains this (case-insensitively); nothing else in the corpus does.
const MARKER: &str = "xq7s";

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(GAPS)
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .output()
        .expect("running gaps")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Panics naming `what` and the leak's surroundings when `s` holds the marker.
fn assert_clean(what: &str, s: &str) {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = lower.find(MARKER) {
        let from = s.floor_char_boundary(i.saturating_sub(120));
        let to = s.ceil_char_boundary((i + 60).min(s.len()));
        panic!("a secret leaked into {what}: ...{}...", &s[from..to]);
    }
}

fn assert_output_clean(what: &str, o: &Output) {
    assert_clean(&format!("{what} (stdout)"), &text(&o.stdout));
    assert_clean(&format!("{what} (stderr)"), &text(&o.stderr));
}

/// The report's packed data (gzip, base64) as text.
fn packed_data(html: &str) -> String {
    let open = "id=\"gaps-data-gz\">";
    let start = html.find(open).expect("packed data block") + open.len();
    let end = start
        + html[start..]
            .find("</script>")
            .expect("end of the data block");
    let gz = base64::engine::general_purpose::STANDARD
        .decode(html[start..end].trim())
        .expect("base64 data");
    let mut out = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut out)
        .expect("gzip data");
    out
}

/// Runs `check` (text and JSON) and `report` on `snapshot` and asserts nothing leaks.
fn check_and_report_clean(dir: &Path, snapshot: &Path, gaps_md: Option<&Path>) -> String {
    let snap = snapshot.to_str().unwrap();
    assert_clean(
        &format!("snapshot {snap}"),
        &std::fs::read_to_string(snapshot).unwrap(),
    );
    for format in ["text", "json"] {
        let o = run(dir, &["check", snap, "--format", format]);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "check --format {format}: {}",
            text(&o.stderr)
        );
        assert_output_clean(&format!("check --format {format}"), &o);
    }
    let out = dir.join("report");
    let mut args = vec!["report", snap, "--out", out.to_str().unwrap()];
    if let Some(g) = gaps_md {
        args.extend(["--gaps", g.to_str().unwrap()]);
    }
    let o = run(dir, &args);
    assert_eq!(o.status.code(), Some(0), "report: {}", text(&o.stderr));
    assert_output_clean("report", &o);
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert_clean("the report page", &html);
    assert_clean("the report's packed data", &packed_data(&html));
    html
}

/// A loopback HTTP server: `/json` and `/text` answer bodies full of secrets, `/redirect`
/// sends the client to `/json` through a URL with userinfo and a token.
fn health_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let target = first.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split('?').next().unwrap_or("/");
                let json = r#"{
                  "status": "healthy", "schema_version": 2,
                  "password": "xq7s40-top",
                  "token": "xq7s41-token",
                  "database": {"url": "postgres://app:xq7s42-dsn@db.internal:5432/app",
                               "db_password": "xq7s43-nested", "pool": {"size": 5}},
                  "env": {"AWS_SECRET_ACCESS_KEY": "xq7s44-aws", "AWS_ACCESS_KEY_ID": "AKIAXQ7S450000000000",
                          "STRIPE_SECRET_KEY": "sk_live_xq7s46stripe", "apiKey": "xq7s47-apikey",
                          "SENTRY_DSN": "https://pub:xq7s48-sentry@o1.ingest.sentry.io/1"},
                  "credentials": {"user": "app", "pass": "xq7s49-cred"},
                  "checks": [{"name": "upstream", "detail": "Authorization: Bearer xq7s50"}],
                  "note": "fallback DATABASE_URL=postgres:app:xq7s51-noslash@h/db"
                }"#;
                let text = "OK\nconnected to postgres://app:xq7s52-text@db/app\n\
                            X-Api-Key: xq7s53-header\nGITHUB_TOKEN=ghp_xq7s54aaaaaaaaaaaaaaaaaaaaaaaaaaaa\n";
                let (status, ctype, body, extra) = match path {
                    "/json" => (
                        "200 OK",
                        "application/json",
                        json.to_string(),
                        String::new(),
                    ),
                    "/text" => ("200 OK", "text/plain", text.to_string(), String::new()),
                    "/redirect" => (
                        "302 Found",
                        "text/plain",
                        String::new(),
                        format!(
                            "Location: http://probe:xq7s55-loc@127.0.0.1:{port}/json?token=xq7s56-loc\r\n"
                        ),
                    ),
                    _ => (
                        "404 Not Found",
                        "text/plain",
                        "no".to_string(),
                        String::new(),
                    ),
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\
                     Server: corpus token=xq7s57-server\r\n{extra}Connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(resp.as_bytes());
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// Log lines in three layouts, each secret in a line of its own signature (a distinct table),
/// so every one of them is kept as a sample.
fn log_file(dir: &Path) -> PathBuf {
    let secrets = gaps_core::testing::SECRET_LOG_LINES;
    let mut body = String::new();
    for (i, s) in secrets.iter().enumerate() {
        match i % 3 {
            0 => body.push_str(&format!(
                "2026-01-09T12:{i:02}:00.000Z app[148e272a] iad [info] ERROR ignition_api::error: database_error error=error returned from database: relation \"corpus_{i}\" does not exist; {s}\n"
            )),
            1 => body.push_str(&format!(
                "{{\"timestamp\":\"2026-01-09T12:{i:02}:00Z\",\"level\":\"ERROR\",\"fields\":{{\"message\":\"error returned from database: relation \\\"corpus_{i}\\\" does not exist; {}\"}}}}\n",
                s.replace('\\', "\\\\").replace('"', "\\\"")
            )),
            _ => body.push_str(&format!(
                "2026-01-09T12:{i:02}:00.000000Z ERROR sqlx::query: error returned from database: relation \"corpus_{i}\" does not exist; {s}\n"
            )),
        }
    }
    body.push_str(
        "2026-01-09T13:00:00.000Z app[148e272a] iad [info] Migration failed: error returned from database: password authentication failed; url=postgres://app:xq7s23-mig@db/app while executing migration 2\n",
    );
    let path = dir.join("app.log");
    std::fs::write(&path, body).unwrap();
    path
}

/// The service's repository: source with secrets in its SQL and constants, migrations with
/// secrets in statements and comments.
fn source_tree(dir: &Path) -> PathBuf {
    let src = dir.join("service");
    std::fs::create_dir_all(src.join("src")).unwrap();
    std::fs::create_dir_all(src.join("migrations")).unwrap();
    std::fs::write(
        src.join("Cargo.toml"),
        "[package]\nname = \"corpus\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        src.join("src/main.rs"),
        r#"use sqlx::PgPool;

const FALLBACK: &str = "postgres://app:xq7s60-src@db/app";

pub async fn by_key(pool: &PgPool) -> Result<Vec<(i64,)>, sqlx::Error> {
    sqlx::query_as("SELECT id FROM accounts WHERE api_key = 'sk_live_xq7s61srcsql'")
        .fetch_all(pool)
        .await
}

pub async fn by_note(pool: &PgPool) -> Result<Vec<(i64,)>, sqlx::Error> {
    sqlx::query_as("SELECT id FROM accounts WHERE note = 'postgres://u:xq7s62-src@h/db' -- token: xq7s63-src")
        .fetch_all(pool)
        .await
}

pub async fn rotate(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("ALTER ROLE app_owner PASSWORD 'xq7s64-src'").execute(pool).await?;
    Ok(())
}
"#,
    )
    .unwrap();
    std::fs::write(
        src.join("migrations/0001_accounts.sql"),
        "-- seeded with postgres://admin:xq7s70-mig@db/app\n\
         CREATE TABLE accounts (\n  id bigint PRIMARY KEY,\n  \
         api_key text DEFAULT 'sk_live_xq7s71migdefault',\n  note text,\n  \
         CONSTRAINT not_the_demo_key CHECK (api_key <> 'xq7s72-check')\n);\n",
    )
    .unwrap();
    std::fs::write(
        src.join("migrations/0002_owner.sql"),
        "ALTER ROLE app_owner PASSWORD 'xq7s73-mig';\n\
         SELECT dblink_connect('host=replica password=xq7s74-mig');\n\
         DO $$ BEGIN EXECUTE 'ALTER ROLE app_owner PASSWORD ''xq7s75-mig'''; END $$;\n",
    )
    .unwrap();
    src
}

/// The seed gaps.md with secrets in an action's prose and a code block.
fn gaps_md(dir: &Path) -> PathBuf {
    let mut text = std::fs::read_to_string(fixtures::seed_gaps_md()).unwrap();
    text.push_str(
        "\n### ACTION-099: Rotate the leaked credentials\n\n\
         | Attribute | Value |\n|-----------|-------|\n\
         | **Priority** | High |\n\
         | **Description** | The old URL was postgres://app:xq7s80-md@db/app and token=xq7s81-md |\n\
         | **Owner** | ops (Authorization: Bearer xq7s82) |\n\n\
         ```\nDATABASE_URL=postgres:app:xq7s83-md@db/app\nAWS_SECRET_ACCESS_KEY=xq7s84-md\n```\n\n\
         Key AKIAXQ7S850000000000 and ghp_xq7s86aaaaaaaaaaaaaaaaaaaaaaaaaaaa were found.\n",
    );
    let path = dir.join("gaps.md");
    std::fs::write(&path, text).unwrap();
    path
}

/// Holds sqlx's migration advisory lock for `db` on a second connection whose last statement
/// set a password; returns the connection (the lock lives as long as it does) and the runtime.
fn lock_holder(db: &pg::TestDb, role: &str) -> (tokio::runtime::Runtime, sqlx::PgConnection) {
    use sqlx::Connection;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let key = gaps_core::provider::sqlx_migration_lock_key(&db.name);
    let conn = rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(key)
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER ROLE \"{role}\" PASSWORD 'xq7s30-lockholder'"
        )))
        .execute(&mut c)
        .await
        .unwrap();
        c
    });
    (rt, conn)
}

#[test]
fn secrets_in_every_input_reach_no_output() {
    let c = pg::cluster();
    let db = c.create_database("secrets_corpus");
    let scratch = c.create_database("secrets_scratch");
    let role = gaps_tests::unique_database_name("corpus_role");
    c.psql("postgres", &format!("CREATE ROLE \"{role}\" LOGIN"))
        .unwrap();
    // The live schema holds secrets in a default and a check constraint too.
    c.psql(
        &db.name,
        "CREATE TABLE accounts (id bigint PRIMARY KEY, \
         api_key text DEFAULT 'sk_live_xq7s71migdefault', note text, \
         CONSTRAINT not_the_demo_key CHECK (api_key <> 'xq7s72-check'))",
    )
    .unwrap();
    let (_rt, _holder) = lock_holder(&db, &role);

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let source = source_tree(d);
    let gaps = gaps_md(d);
    let logs = log_file(d);
    let health = health_server();
    let url = db.url_as("postgres", Some("xq7s90-dbpw"));
    let scratch_url = scratch.url_as("postgres", Some("xq7s91-scratchpw"));
    let health_url = format!(
        "{}/redirect?token=xq7s92-healthtoken",
        health.replacen("http://", "http://probe:xq7s93-healthpw@", 1)
    );
    let snap = d.join("snap.json");
    let o = run(
        d,
        &[
            "collect",
            "--verbose",
            "--database-url",
            &url,
            "--scratch-database-url",
            &scratch_url,
            "--source",
            source.to_str().unwrap(),
            "--gaps",
            gaps.to_str().unwrap(),
            "--logs",
            logs.to_str().unwrap(),
            "--health",
            &health_url,
            "--label",
            "corpus",
            "--out",
            snap.to_str().unwrap(),
        ],
    );
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "collect: {}",
        text(&o.stderr)
    );
    assert_output_clean("collect", &o);
    let snap_text = std::fs::read_to_string(&snap).unwrap();

    // On this real snapshot, the streamed reading and writing equal the `Value`-based
    // reference they replaced.
    let loaded = Snapshot::from_json(&snap_text).unwrap();
    assert_eq!(reference::from_json(&snap_text), Ok(loaded.clone()));
    assert_eq!(loaded.to_json(), reference::to_json(&loaded));
    let (mut streamed, mut by_value) = (loaded.clone(), loaded);
    streamed.redact(&["xq7s90-dbpw".into(), "RED".into()]);
    reference::redact(&mut by_value, &["xq7s90-dbpw".into(), "RED".into()]);
    assert_eq!(streamed, by_value);

    // The inputs were really read (the test is not vacuous): each section holds the place
    // where a secret was, redacted.
    let v: Value = serde_json::from_str(&snap_text).unwrap();
    assert_eq!(v["database"]["status"], "collected", "{}", v["database"]);
    let holders = &v["provider"]["data"]["server"]["migration_lock"]["holders"];
    let query = holders[0]["query"]
        .as_str()
        .unwrap_or_else(|| panic!("{holders}"));
    assert!(
        query.contains("ALTER ROLE") && query.contains("PASSWORD 'REDACTED'"),
        "{query}"
    );
    let body = &v["health"]["data"]["body"]["value"];
    assert_eq!(body["status"], "healthy", "{}", v["health"]);
    assert_eq!(body["database"]["db_password"], "REDACTED");
    assert_eq!(body["database"]["pool"]["size"], 5);
    let samples = v["logs"]["data"]["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["samples"][0]["text"]
                .as_str()
                .is_some_and(|t| t.contains("REDACTED"))
        })
        .count();
    assert!(samples >= 20, "{samples} redacted samples: {}", v["logs"]);
    let sqls: Vec<&str> = v["code"]["data"]["queries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| q["sql"].as_str())
        .collect();
    assert!(
        sqls.iter().any(|s| s.contains("api_key = 'REDACTED'")),
        "{sqls:?}"
    );
    let tables = v["schema"]["data"]["tables"].to_string();
    assert!(tables.contains("REDACTED"), "{tables}");
    assert!(
        v["target"]["database_url"]
            .as_str()
            .unwrap()
            .contains("postgres:REDACTED@127.0.0.1")
    );

    let html = check_and_report_clean(d, &snap, Some(&gaps));
    assert!(html.contains("ACTION-099"), "gaps.md was rendered");
    assert!(html.contains("REDACTED"));

    // A second collect (text health body), then diff both ways and formats.
    let snap2 = d.join("snap2.json");
    let o = run(
        d,
        &[
            "collect",
            "--quiet",
            "--database-url",
            &url,
            "--source",
            source.to_str().unwrap(),
            "--health",
            &format!("{health}/text"),
            "--out",
            snap2.to_str().unwrap(),
        ],
    );
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        text(&o.stderr)
    );
    assert_output_clean("second collect", &o);
    let body2: Value = serde_json::from_str(&std::fs::read_to_string(&snap2).unwrap()).unwrap();
    assert!(
        body2["health"]["data"]["body"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("REDACTED")),
        "{}",
        body2["health"]
    );
    check_and_report_clean(d, &snap2, None);
    for format in ["text", "json"] {
        let o = run(
            d,
            &[
                "diff",
                snap.to_str().unwrap(),
                snap2.to_str().unwrap(),
                "--format",
                format,
            ],
        );
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{}",
            text(&o.stderr)
        );
        assert_output_clean(&format!("diff --format {format}"), &o);
    }
}

#[test]
fn database_urls_in_every_form_reach_no_output() {
    let c = pg::cluster();
    let db = c.create_database("secrets_urls");
    let port = c.port();
    let name = &db.name;
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let forms = [
        format!("postgres://postgres:xq7s01-url@127.0.0.1:{port}/{name}"),
        format!("postgres:/postgres:xq7s02-url@127.0.0.1:{port}/{name}"),
        format!("postgres:postgres:xq7s03-url@127.0.0.1:{port}/{name}"),
        format!("postgresql:///postgres:xq7s04-url@127.0.0.1:{port}/{name}"),
        format!("postgres://postgres@127.0.0.1:{port}/{name}?password=xq7s05-url"),
        format!(
            "postgres://postgres@127.0.0.1:{port}/{name}?sslmode=disable&sslpassword=xq7s06-url"
        ),
        format!(
            "postgres://postgres@127.0.0.1:{port}/{name}?options=-c%20app.password%3Dxq7s07-url"
        ),
        format!("postgres://postgres:xq7s08-url@127.0.0.1:{closed}/{name}"),
        format!("postgres://postgres:p/w#xq7s09-url@127.0.0.1:{port}/{name}"),
        format!("mysql://root:xq7s10-url@127.0.0.1:{closed}/app"),
        format!("mariadb:root:xq7s11-url@127.0.0.1:{closed}/app"),
        "sqlite:///nonexistent/corpus.db?password=xq7s12-url".to_string(),
    ];
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, url) in forms.iter().enumerate() {
        let snap = d.join(format!("snap{i}.json"));
        let o = run(
            d,
            &[
                "collect",
                "--verbose",
                "--connect-timeout",
                "5",
                "--database-url",
                url,
                "--out",
                snap.to_str().unwrap(),
            ],
        );
        assert_output_clean(&format!("collect with form {i}"), &o);
        match o.status.code() {
            Some(0 | 1) => {
                check_and_report_clean(d, &snap, None);
            }
            Some(2) => assert!(!snap.exists(), "form {i}: no snapshot on a usage error"),
            other => panic!("form {i}: exit {other:?}: {}", text(&o.stderr)),
        }
    }

    // Usage errors: a URL without a scheme, a URL given where clap expects no argument, and
    // text that is no URL at all. None is echoed.
    for args in [
        vec!["collect", "--database-url", "app:xq7s20-usage@db/app"],
        vec![
            "collect",
            "--database-url",
            "xq7s21-usage@db.internal:5432/app",
        ],
        vec!["collect", "postgres://app:xq7s22-usage@db/app"],
        vec!["collect", "--database-url"],
        vec!["check", "postgres://app:xq7s23-usage@db/app"],
    ] {
        let o = run(d, &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(!o.stderr.is_empty(), "{args:?}: a message");
        assert_output_clean(&format!("{args:?}"), &o);
    }

    // DATABASE_URL from the environment and from .env.
    let envdir = tempfile::tempdir().unwrap();
    std::fs::write(
        envdir.path().join(".env"),
        format!("DATABASE_URL=postgres:/postgres:xq7s24-dotenv@127.0.0.1:{closed}/app\n"),
    )
    .unwrap();
    let snap = envdir.path().join("snap.json");
    let o = run(
        envdir.path(),
        &[
            "collect",
            "--connect-timeout",
            "5",
            "--out",
            snap.to_str().unwrap(),
        ],
    );
    assert_output_clean("collect with .env", &o);
    check_and_report_clean(envdir.path(), &snap, None);
    let o = Command::new(GAPS)
        .args(["collect", "--connect-timeout", "5", "--out", "-"])
        .current_dir(d)
        .env(
            "DATABASE_URL",
            format!("postgres://app:xq7s25-env@127.0.0.1:{closed}/app"),
        )
        .output()
        .unwrap();
    assert!(text(&o.stdout).contains("format_version"));
    assert_output_clean("collect with $DATABASE_URL to stdout", &o);
}
