//! Hostile names reach no terminal and no page as themselves: a real PostgreSQL table and
//! columns named with ESC sequences (set the title, colour, clear the screen), BEL, bidi
//! overrides and isolates and a zero-width space, a migration and log lines naming them (one
//! with a NUL), and a label with an escape sequence, run through the real binary. `check` and
//! `diff` text show them escaped (`\u{1b}`), their JSON stays valid and keeps the exact names,
//! collect's messages are escaped, and the report holds no NUL or raw control character.

use std::path::Path;
use std::process::{Command, Output};

use gaps_core::escape::is_unsafe;
use gaps_tests::pg;

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

/// Sets the terminal title, turns the text red, reverses the rest of the line.
const TABLE: &str = "evil\u{1b}]0;pwned\u{7}\u{1b}[31m\u{202e}gnp.exe";
/// Clears the screen, isolates, hides a character.
const COLUMN: &str = "col\u{1b}[2J\u{2066}x\u{200b}";
/// In the migrations but not in the live table: a finding names it.
const GONE: &str = "gone\u{1b}[8mhidden\u{9b}";

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(GAPS)
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .output()
        .expect("running gaps")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("gaps writes UTF-8")
}

/// Panics when `s` holds an unsafe character other than the layout's own newlines.
fn assert_terminal_safe(what: &str, s: &str) {
    if let Some((i, c)) = s.char_indices().find(|(_, c)| is_unsafe(*c) && *c != '\n') {
        let from = s.floor_char_boundary(i.saturating_sub(80));
        panic!("{what} holds a raw {:?} after: {:?}", c, &s[from..i]);
    }
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[test]
fn hostile_names_are_escaped_in_check_diff_messages_and_the_page() {
    let c = pg::cluster();
    let db = c.create_database("hostile_names");
    c.psql(&db.name, "CREATE TABLE plain (id int PRIMARY KEY)")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // Snapshot A: before the hostile table exists.
    let a = d.join("a.json");
    let o = run(
        d,
        &[
            "collect",
            "--quiet",
            "--database-url",
            &db.url,
            "--out",
            a.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    // The hostile table, created by the application (psql cannot pass every byte safely).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE TABLE {} ({} int, ok int)",
            quote_ident(TABLE),
            quote_ident(COLUMN)
        )))
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    });

    // The service: its migration creates the table with one more hostile column.
    let src = d.join("service");
    std::fs::create_dir_all(src.join("migrations")).unwrap();
    std::fs::write(
        src.join("migrations/0001_hostile.sql"),
        format!(
            "CREATE TABLE plain (id int PRIMARY KEY);\nCREATE TABLE {} ({} int, ok int, {} text);\n",
            quote_ident(TABLE),
            quote_ident(COLUMN),
            quote_ident(GONE)
        ),
    )
    .unwrap();
    // Log lines naming hostile relations, one with a NUL.
    let log = d.join("app.log");
    std::fs::write(
        &log,
        format!(
            "2026-01-09T12:00:00.000Z app[1] iad [info] ERROR database_error error=error returned from database: relation \"{TABLE}\" does not exist\n\
             2026-01-09T12:01:00.000Z app[1] iad [info] ERROR database_error error=error returned from database: relation \"nul\u{0}table\u{7}\" does not exist\n"
        ),
    )
    .unwrap();

    // Snapshot B.
    let b = d.join("b.json");
    let o = run(
        d,
        &[
            "collect",
            "--verbose",
            "--database-url",
            &db.url,
            "--source",
            src.to_str().unwrap(),
            "--logs",
            log.to_str().unwrap(),
            "--label",
            "prod\u{1b}[2K\u{202e}",
            "--out",
            b.to_str().unwrap(),
        ],
    );
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        text(&o.stderr)
    );
    assert_terminal_safe("collect's messages", &text(&o.stderr));
    let snapshot = std::fs::read_to_string(&b).unwrap();
    assert_terminal_safe("the snapshot file", &snapshot);
    let value: serde_json::Value = serde_json::from_str(&snapshot).unwrap();
    assert!(
        value["schema"]["data"]["tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == TABLE),
        "the snapshot keeps the exact name"
    );

    // check, text: escaped; JSON: valid, safe, exact.
    let o = run(d, &["check", b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_terminal_safe("check text", &out);
    for shown in [
        "evil\\u{1b}]0;pwned\\u{7}\\u{1b}[31m\\u{202e}gnp.exe",
        "gone\\u{1b}[8mhidden\\u{9b}",
        "nul\\u{0}table\\u{7}",
        "prod\\u{1b}[2K\\u{202e}",
    ] {
        assert!(out.contains(shown), "check text names {shown:?}:\n{out}");
    }
    let o = run(d, &["check", b.to_str().unwrap(), "--format", "json"]);
    let json = text(&o.stdout);
    assert_terminal_safe("check json", &json);
    let findings: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert!(
        findings.to_string().contains("gone\\u001b[8mhidden"),
        "JSON keeps the exact name: {findings}"
    );

    // diff A -> B: the new table and its columns.
    let o = run(d, &["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert_terminal_safe("diff text", &out);
    assert!(
        out.contains("evil\\u{1b}]0;pwned\\u{7}\\u{1b}[31m\\u{202e}gnp.exe"),
        "{out}"
    );
    let o = run(
        d,
        &[
            "diff",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    let json = text(&o.stdout);
    assert_terminal_safe("diff json", &json);
    let diff: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert!(diff.to_string().contains("pwned"), "{diff}");

    // The report: no NUL, no raw control or bidi character anywhere in the page.
    let report = d.join("report");
    let o = run(
        d,
        &[
            "report",
            b.to_str().unwrap(),
            a.to_str().unwrap(),
            "--out",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(!html.contains('\0'), "NUL in the page");
    if let Some((i, ch)) = html
        .char_indices()
        .find(|(_, ch)| is_unsafe(*ch) && !matches!(ch, '\n' | '\t' | '\r'))
    {
        panic!(
            "the page holds a raw {ch:?} after {:?}",
            &html[html.floor_char_boundary(i.saturating_sub(80))..i]
        );
    }
    assert!(html.contains("pwned"), "the hostile table is shown");
}
