//! The committed viewer in real headless Chromium, driven through chromedriver (WebDriver over
//! HTTP on 127.0.0.1): a page built like the report (inline glue + bootstrap + data under a
//! hash-only CSP) opened from file://; filter, search, switch snapshots, follow a deep link, use
//! the keyboard, and read back the rows shown. Bad data must show a readable error.
//!
//! The WebDriver client is a minimal one written here (the shared `tests/src/browser.rs` helper
//! had not landed when this was written).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{
    Browser, packed_page, page, snapshot_after, snapshot_before, snapshot_deploy,
    snapshot_expected, snapshots_json,
};

fn rows(b: &Browser) -> Vec<String> {
    b.eval_strings(
        "return Array.from(document.querySelectorAll('#gaps-rows .gaps-row')).map(r => r.getAttribute('data-key'));",
    )
}

fn text(b: &Browser, css: &str) -> String {
    b.eval(&format!(
        "var e = document.querySelector({css:?}); return e ? e.textContent : null;"
    ))
    .as_str()
    .unwrap_or_default()
    .to_string()
}

#[test]
fn viewer_filters_searches_switches_and_follows_deep_links() {
    let dir = tempfile::tempdir().unwrap();
    let file = page(dir.path(), "report.html", &snapshots_json());
    let b = Browser::start();
    b.open(&file, "");
    b.wait_for("#gaps-rows .gaps-row");

    // Default: snapshot 1 vs 2, differences only, collapsed.
    assert_eq!(
        rows(&b),
        vec!["public.legacy", "public.todos", "public.users"]
    );
    let counts = text(&b, "#gaps-counts");
    assert!(
        counts.starts_with("Tables: 3 shown of 3 (1 dropped, 1 added, 1 altered, 0 unchanged)"),
        "{counts}"
    );
    assert_eq!(
        b.eval("return location.hash;").as_str(),
        Some("#view=compare&a=0&b=1")
    );

    // Status filter: only type changes.
    for s in ["missing", "unexpected", "nullability", "default"] {
        b.click(&format!("#gaps-status-{s}"));
    }
    assert_eq!(rows(&b), vec!["public.users"]);
    assert!(text(&b, "#gaps-counts").starts_with("Tables: 1 shown of 3"));
    assert!(
        b.eval("return location.hash;")
            .as_str()
            .unwrap()
            .contains("status=type")
    );

    b.click("#gaps-status-unexpected");
    // Search for a column: it shows under its table, even when the table is collapsed (and so
    // does the index whose name matches).
    b.type_into("#gaps-search", "nick");
    assert_eq!(
        rows(&b),
        vec![
            "public.users",
            "public.users.nick",
            "public.users/index/users_nick_idx"
        ]
    );
    b.type_into("#gaps-search", "zzz-nothing");
    assert!(rows(&b).is_empty());
    assert_eq!(
        text(&b, "#gaps-notice"),
        "No rows match the current filters and search."
    );

    // Switch B to the third snapshot: a different set of changes, and findings/migrations panels.
    b.open(&file, "");
    b.wait_for("#gaps-rows .gaps-row");
    b.select("#gaps-b", "2");
    assert_eq!(
        rows(&b),
        vec![
            "public.legacy",
            "public.orders",
            "public.todos",
            "public.users"
        ]
    );
    let extra = text(&b, "#gaps-extra");
    assert!(
        extra.contains("Migrations between A and B: 2 applied, 0 removed, 0 changed"),
        "{extra}"
    );
    assert!(extra.contains("applied 3 add orders"), "{extra}");

    // A deep link (pasted into a fresh page): one table, expanded, under the cursor, with its
    // column and index differences.
    let link = "view=compare&a=0&b=1&t=public.users";
    b.open(&file, link);
    b.wait_for("#gaps-rows .gaps-row");
    assert_eq!(
        rows(&b),
        vec![
            "public.legacy",
            "public.todos",
            "public.users",
            "public.users.id",
            "public.users.nick",
            "public.users/index/users_nick_idx"
        ]
    );
    let index_row = b.eval(
        "var r = document.querySelector('[data-key=\"public.users/index/users_nick_idx\"]'); return [r.querySelector('.gaps-badge').textContent, r.querySelector('.gaps-name').textContent.trim(), r.querySelector('.gaps-left').textContent, r.querySelector('.gaps-right').textContent].join('|');",
    );
    assert_eq!(
        index_row.as_str(),
        Some("added|index users_nick_idx|\u{2014}|INDEX (nick)")
    );
    assert!(
        text(&b, "#gaps-counts")
            .contains("Constraints and indexes: 1 matching (0 dropped, 1 added, 0 changed, 0 ok)"),
        "{}",
        text(&b, "#gaps-counts")
    );
    assert_eq!(
        text(&b, ".gaps-cursor .gaps-name").trim(),
        "\u{25be} public.users"
    );
    assert_eq!(b.eval("return document.querySelector('#gaps-a').value + document.querySelector('#gaps-b').value;").as_str(), Some("01"));

    // Keyboard: `/` focuses search, Escape leaves it, k moves up, Enter collapses.
    b.keys("#gaps-list", "/");
    assert_eq!(
        b.eval("return document.activeElement.id;").as_str(),
        Some("gaps-search")
    );
    b.keys("#gaps-search", "\u{E00C}"); // Escape
    assert_eq!(
        b.eval("return document.activeElement.id;").as_str(),
        Some("gaps-list")
    );
    b.keys("#gaps-list", "k");
    assert!(text(&b, ".gaps-cursor").contains("public.todos"));
    b.keys("#gaps-list", "j");
    b.keys("#gaps-list", "\u{E007}"); // Enter
    assert_eq!(
        rows(&b),
        vec!["public.legacy", "public.todos", "public.users"]
    );
    b.keys("#gaps-list", "\u{E007}");
    assert_eq!(rows(&b).len(), 6);
    assert!(
        b.eval("return location.hash;")
            .as_str()
            .unwrap()
            .contains("t=public.users")
    );

    // Unified layout: one cell per row.
    b.select("#gaps-layout", "unified");
    let id_row = b.eval(
        "var r = document.querySelector('[data-key=\"public.users.id\"]'); return r.querySelector('.gaps-left').textContent + '|' + (r.querySelector('.gaps-right') === null);",
    );
    assert_eq!(
        id_row.as_str(),
        Some("- bigint NOT NULL  + integer NOT NULL|true")
    );
    b.quit();
}

#[test]
fn expected_vs_live_shows_the_column_the_migrations_create_but_the_database_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let json = support::with_findings(&[support::snapshot_expected()]);
    let file = page(dir.path(), "expected.html", &json);
    let b = Browser::start();
    b.open(&file, "");
    b.wait_for("#gaps-rows .gaps-row");
    // One snapshot: expected vs live by default, users altered, todos as expected.
    assert_eq!(
        b.eval("return document.querySelector('#gaps-mode').value;")
            .as_str(),
        Some("expected")
    );
    assert_eq!(rows(&b), vec!["public.users"]);
    let counts = text(&b, "#gaps-counts");
    assert!(
        counts
            .starts_with("Tables: 1 shown of 2 (0 missing, 0 unexpected, 1 altered, 1 unchanged)"),
        "{counts}"
    );
    assert!(
        counts.contains("Columns: 2 matching (1 missing, 1 unexpected, 0 type"),
        "{counts}"
    );
    // Expanding the table (a click) shows what the migrations expect and what is live.
    b.click("[data-key=\"public.users\"]");
    assert_eq!(
        rows(&b),
        vec!["public.users", "public.users.email", "public.users.nick"]
    );
    let row = |key: &str| {
        b.eval(&format!(
            "var r = document.querySelector('[data-key=\"{key}\"]'); return [r.querySelector('.gaps-badge').textContent, r.querySelector('.gaps-left').textContent, r.querySelector('.gaps-right').textContent].join('|');"
        ))
        .as_str()
        .unwrap_or_default()
        .to_string()
    };
    assert_eq!(row("public.users.email"), "missing|text NOT NULL|\u{2014}");
    assert_eq!(row("public.users.nick"), "unexpected|\u{2014}|text");
    // Only the missing ones.
    for s in ["unexpected", "type", "nullability", "default", "changed"] {
        b.click(&format!("#gaps-status-{s}"));
    }
    assert_eq!(rows(&b), vec!["public.users", "public.users.email"]);
    assert!(
        b.eval("return location.hash;")
            .as_str()
            .unwrap()
            .starts_with("#view=expected&s=0&status=missing")
    );
    b.quit();
}

#[test]
fn identical_snapshots_say_no_differences() {
    let dir = tempfile::tempdir().unwrap();
    let one = support::snapshot_before();
    let json = support::with_findings(&[one.clone(), one]);
    let file = page(dir.path(), "same.html", &json);
    let b = Browser::start();
    b.open(&file, "");
    b.wait_for("#gaps-counts");
    assert!(rows(&b).is_empty());
    assert_eq!(
        text(&b, "#gaps-notice"),
        "No differences: the two schemas are identical (2 tables compared)."
    );
    assert!(text(&b, "#gaps-extra").contains("No migration differences."));
    assert!(text(&b, "#gaps-extra").contains("No finding appeared."));
    b.quit();
}

#[test]
fn bad_embedded_data_shows_a_readable_error_not_a_blank_page() {
    let dir = tempfile::tempdir().unwrap();
    let file = page(
        dir.path(),
        "bad.html",
        "{\"snapshots\": [\n  {\"format_version\": oops}]}",
    );
    let b = Browser::start();
    b.open(&file, "");
    b.wait_for(".gaps-error");
    let msg = text(&b, ".gaps-error");
    assert!(
        msg.starts_with(
            "The diff viewer could not start: the embedded report data is not valid at line 2"
        ),
        "{msg}"
    );
    b.quit();
}

/// The report's own data (`gaps_site::embed::data_json`: compact schemas, findings) packed as
/// the report packs it: the viewer mounts on the unpacked bytes and shows exactly what it shows
/// when it reads the same JSON from the page's text, first screen, a deep link with a search
/// (searched before the search index is built in its own task) and a switch of snapshots; the
/// loader still fills the `gaps-data` element with the JSON afterwards.
#[test]
fn packed_data_mounts_from_its_bytes_and_shows_what_the_text_shows() {
    let named = |file: &str, snapshot| {
        let findings = gaps_core::rules::analyse(&snapshot);
        (
            gaps_site::view::NamedSnapshot {
                file: file.into(),
                snapshot,
            },
            findings,
        )
    };
    let analysed = vec![
        named("before.json", snapshot_before()),
        named("after.json", snapshot_after()),
        named("deploy.json", snapshot_deploy()),
        named("expected.json", snapshot_expected()),
    ];
    let json = gaps_site::embed::data_json(&analysed);
    let dir = tempfile::tempdir().unwrap();
    let text_page = page(dir.path(), "text.html", &json);
    let bytes_page = packed_page(dir.path(), "packed.html", &json);
    let b = Browser::start();
    let screen = |file: &std::path::Path, fragment: &str| {
        b.open(file, fragment);
        b.wait_for("#gaps-rows .gaps-row");
        let rows = b.eval_strings(
            "return Array.from(document.querySelectorAll('#gaps-rows .gaps-row')).map(r => r.getAttribute('data-key') + '|' + r.textContent);",
        );
        (rows, text(&b, "#gaps-counts"), text(&b, "#gaps-extra"))
    };
    for fragment in [
        "",
        "view=compare&a=0&b=1&q=nick&status=missing,unexpected,type,nullability,default,changed,ok",
        "view=expected&s=3",
        "view=compare&a=1&b=2&t=public.users",
    ] {
        let from_text = screen(&text_page, fragment);
        let from_bytes = screen(&bytes_page, fragment);
        assert!(!from_text.0.is_empty(), "{fragment}: no rows");
        assert_eq!(from_bytes, from_text, "{fragment}");
    }
    let mut state = String::new();
    for _ in 0..200 {
        state = b
            .eval("return document.getElementById('gaps-data').getAttribute('data-state');")
            .as_str()
            .unwrap_or_default()
            .to_string();
        if state != "loading" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(state, "ready");
    assert_eq!(
        b.eval("return document.getElementById('gaps-data').textContent;")
            .as_str(),
        Some(json.as_str())
    );
    // A search typed now goes through the index built after the first render.
    b.type_into("#gaps-search", "nick");
    assert_eq!(
        rows(&b),
        vec!["public.users", "public.users/index/users_nick_idx"]
    );
    b.quit();
}
