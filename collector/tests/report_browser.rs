//! The report in real headless Chromium: hostile snapshot and registry text runs no script and
//! fetches nothing, the report's own hashed script does run under the CSP, and the demo report
//! opens from file:// with every section and without a single request.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use gaps_core::schema::Schema;
use gaps_core::section::Section;
use gaps_core::testing;
use gaps_site::sample;
use gaps_tests::browser::Browser;

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

const PAYLOADS: [&str; 5] = [
    "<script>document.title='PWNED';window.__pwned=1</script>",
    "</script><script>window.__pwned=2</script>",
    "\"><img src=x onerror=\"window.__pwned=3\">",
    "<img src=\"http://127.0.0.1:9/leak.png\">",
    "<svg onload=\"window.__pwned=6\"></svg>",
];

fn hostile_snapshot() -> String {
    let mut s = sample::sample_snapshot();
    s.target.label = Some(format!("prod {}", PAYLOADS[0]));
    let tables = PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| {
            testing::table(
                &format!("t{i}{p}"),
                vec![testing::col(1, &format!("c{p}"), p, true)],
            )
        })
        .collect();
    s.schema = Section::collected(Schema {
        incomplete: Vec::new(),
        schemas: vec!["public".into()],
        tables,
        enums: vec![],
        extensions: vec![],
    });
    // Every dedicated evidence view gets payloads: log lines, a health body, code names and
    // SQL, and a failed section's error.
    let log: String = PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!("2026-01-09T12:0{i}:00.000Z app[148e272a] iad [error] database_error: error returned from database: relation \"{p}\" does not exist\n")
        })
        .collect();
    s.logs = Section::collected(gaps_core::logs::scan::analyse_text(
        &format!("fly{}.log", PAYLOADS[3]),
        None,
        log.as_bytes(),
    ));
    let body = serde_json::json!({"status": PAYLOADS[0], PAYLOADS[2]: PAYLOADS[4], "schema_version": PAYLOADS[1]});
    s.health = Section::collected(gaps_core::health::HealthEvidence {
        url: format!("http://127.0.0.1:9/health?x={}", PAYLOADS[2]),
        reachable: true,
        status: Some(200),
        body: gaps_core::health::body_from_bytes(body.to_string().as_bytes(), false),
        timeout_ms: 1000,
        ..Default::default()
    });
    let mut code = sample::evidence_snapshot().code;
    if let Section::Collected { data } = &mut code {
        data.models[0].name = PAYLOADS[0].into();
        data.models[0].fields[0].rust_type = PAYLOADS[1].into();
        data.queries[0].sql = Some(format!("SELECT '{}' FROM t", PAYLOADS[2]));
        data.problems[0].message = PAYLOADS[4].into();
    }
    s.code = code;
    s.provider = Section::failed(
        format!("reading pg_settings {}", PAYLOADS[1]),
        format!("ERROR: relation \"{}\" does not exist", PAYLOADS[2]),
    );
    s.to_json()
}

fn hostile_gaps_md() -> String {
    format!(
        "# Registry {p0}\n\n## Active Actions\n\n### ACTION-001: Logs {p1}\n\n| Attribute | Value |\n|---|---|\n| **Owner** | {p2} |\n| **Description** | [click me](javascript:window.__pwned=4) |\n| **Resolves** | UNKNOWN-001 |\n\n<a href=\"javascript:window.__pwned=5\">raw link</a>\n\n{p3}\n\n{p4}\n\n<div id=\"gaps-data\">clobber</div>\n",
        p0 = PAYLOADS[0],
        p1 = PAYLOADS[1],
        p2 = PAYLOADS[2],
        p3 = PAYLOADS[3],
        p4 = PAYLOADS[4],
    )
}

fn gaps(args: &[&str]) -> std::process::Output {
    let out = Command::new(GAPS)
        .args(args)
        .output()
        .expect("running gaps");
    assert!(
        out.status.success(),
        "gaps {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.canonicalize().unwrap().display())
}

fn assert_no_requests(urls: &[String], page: &str) {
    let others: Vec<&String> = urls.iter().filter(|u| u.as_str() != page).collect();
    assert!(others.is_empty(), "the page requested {others:?}");
}

/// Waits until the page's loader has unpacked the embedded data into `#gaps-data`; panics
/// with the loader's error if it failed.
fn wait_for_data(b: &Browser) {
    let state = b.wait_until(
        "the embedded data to be unpacked",
        "var d = document.getElementById('gaps-data'); var s = d && d.getAttribute('data-state');
         return s === 'loading' ? null : [s, d.getAttribute('data-error')];",
        Duration::from_secs(20),
    );
    assert_eq!(state[0], "ready", "the data loader failed: {}", state[1]);
}

#[test]
fn hostile_snapshot_and_registry_run_no_script_and_fetch_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("hostile.json");
    let md = dir.path().join("gaps.md");
    std::fs::write(&snap, hostile_snapshot()).unwrap();
    std::fs::write(&md, hostile_gaps_md()).unwrap();
    let out = dir.path().join("report");
    gaps(&[
        "report",
        snap.to_str().unwrap(),
        "--gaps",
        md.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let index = out.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    assert!(
        !html.contains("<script>document.title"),
        "raw payload in the page"
    );
    assert!(!html.contains("onerror=\""), "raw handler in the page");

    let b = Browser::start();
    let url = file_url(&index);
    b.goto(&url);
    wait_for_data(&b);
    let state = b.execute(
        "return {pwned: window.__pwned === undefined ? null : window.__pwned, title: document.title,
                 ready: document.documentElement.getAttribute('data-gaps-report'),
                 jsLinks: document.querySelectorAll('a[href^=\"javascript:\" i]').length,
                 handlers: document.querySelectorAll('[onerror],[onload],[onclick]').length,
                 imgs: Array.from(document.images).map(i => i.getAttribute('src')),
                 data: document.getElementById('gaps-data').tagName,
                 text: document.body.innerText}",
        vec![],
    );
    assert!(
        state["pwned"].is_null(),
        "a payload ran: {}",
        state["pwned"]
    );
    assert!(
        !state["title"].as_str().unwrap().starts_with("PWNED"),
        "{}",
        state["title"]
    );
    // The report's own script is allowed by its hash: proof the CSP is not simply blocking all.
    assert_eq!(
        state["ready"], "ready",
        "the report's hashed script did not run"
    );
    assert_eq!(state["jsLinks"], 0);
    assert_eq!(state["handlers"], 0);
    assert!(
        state["imgs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.is_null()),
        "{}",
        state["imgs"]
    );
    assert_eq!(state["data"], "SCRIPT", "gaps-data was clobbered");
    // The payloads are shown as text.
    let text = state["text"].as_str().unwrap();
    assert!(
        text.contains("<script>document.title='PWNED'"),
        "payload text not shown"
    );
    // The dedicated views show the payloads as text.
    let views = b.execute(
        "return ['logs','health','code','provider'].map(s => document.getElementById('snap-1-' + s).innerText)",
        vec![],
    );
    let views: Vec<&str> = views
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for (view, payload) in [
        (views[0], PAYLOADS[0]),
        (views[1], PAYLOADS[2]),
        (views[2], PAYLOADS[0]),
        (views[3], PAYLOADS[2]),
    ] {
        assert!(
            view.contains(payload),
            "{payload} not shown as text in {view}"
        );
    }
    // The packed data unpacks to JSON that still parses to the snapshot, payloads intact.
    let label = b.execute(
        "return JSON.parse(document.getElementById('gaps-data').textContent).snapshots[0].target.label",
        vec![],
    );
    assert_eq!(label.as_str().unwrap(), format!("prod {}", PAYLOADS[0]));
    assert_no_requests(&b.requested_urls(), &url);
    let console = b.log("browser");
    assert!(
        !console.iter().any(|e| e["message"]
            .as_str()
            .unwrap_or("")
            .contains("Content Security Policy")),
        "CSP violations: {console:?}"
    );
}

#[test]
fn demo_report_opens_offline_with_every_section_and_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let out = gaps(&["demo", "--out", dir.path().to_str().unwrap()]);
    let printed = String::from_utf8(out.stdout).unwrap();
    let index = Path::new(printed.trim());
    assert!(index.is_file(), "demo printed {printed:?}");
    let b = Browser::start();
    let url = file_url(index);
    b.goto(&url);
    let ids = b.execute(
        "return ['summary','actions','snap-1','snap-1-migrations','snap-1-schema','snap-1-code',
                 'snap-1-logs','snap-1-health','snap-1-provider','registry','unknowns',
                 'gaps-diff-app','gaps-data','action-002','unknown-004']
                .filter(id => !document.getElementById(id))",
        vec![],
    );
    assert_eq!(ids, serde_json::json!([]), "missing sections");
    let headings = b.execute(
        "return Array.from(document.querySelectorAll('h2,h3')).map(h => h.textContent)",
        vec![],
    );
    let headings = headings.to_string();
    for h in [
        "Summary",
        "Actions",
        "Migrations",
        "Schema",
        "Logs",
        "Health",
        "Provider",
    ] {
        assert!(headings.contains(h), "no {h} heading in {headings}");
    }
    // The packed data unpacks to the demo snapshot with its findings, and the diff viewer
    // (gzip-inlined wasm) mounts on it and draws its counts.
    wait_for_data(&b);
    let data = b.execute(
        "var d = JSON.parse(document.getElementById('gaps-data').textContent);
         return {label: d.snapshots[0].target.label, tables: d.snapshots[0].schema.data.tables.length,
                 findings: d.findings[0].length, logs: d.snapshots[0].logs.status}",
        vec![],
    );
    assert_eq!(data["label"], "demo (habits-api)", "{data}");
    assert!(data["tables"].as_u64().unwrap() > 0, "{data}");
    assert!(data["findings"].as_u64().unwrap() > 0, "{data}");
    assert_eq!(
        data["logs"], "skipped",
        "sections the viewer does not read are left out"
    );
    let counts = b.wait_until(
        "the diff viewer to mount",
        "var e = document.getElementById('gaps-counts'); var err = document.querySelector('#gaps-diff-app .gaps-error');
         return err ? 'error: ' + err.textContent : (e && e.textContent ? e.textContent : null);",
        Duration::from_secs(30),
    );
    let counts = counts.as_str().unwrap_or_default();
    assert!(
        counts.starts_with("Tables: "),
        "viewer did not mount: {counts}"
    );
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gaps-demo-report.png");
    b.screenshot(&shot);
    assert!(std::fs::metadata(&shot).unwrap().len() > 10_000);
    assert_no_requests(&b.requested_urls(), &url);
    let console = b.log("browser");
    assert!(
        !console.iter().any(|e| e["message"]
            .as_str()
            .unwrap_or("")
            .contains("Content Security Policy")),
        "CSP violations: {console:?}"
    );
}

#[test]
fn damaged_packed_data_shows_a_readable_error_and_keeps_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("prod.json");
    std::fs::write(&snap, sample::sample_snapshot().to_json()).unwrap();
    let out = dir.path().join("report");
    gaps(&[
        "report",
        snap.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let index = out.join("index.html");
    let html = std::fs::read_to_string(&index).unwrap();
    // Replace the packed data with valid base64 that is not gzip (the data element is not
    // hashed into the CSP, so the page's scripts still run).
    let start = html
        .find("id=\"gaps-data-gz\">")
        .expect("packed data element")
        + 18;
    let end = start + html[start..].find("</script>").unwrap();
    let damaged = format!("{}AAAAAAAA{}", &html[..start], &html[end..]);
    std::fs::write(&index, damaged).unwrap();
    let b = Browser::start();
    let url = file_url(&index);
    b.goto(&url);
    let state = b.wait_until(
        "the loader to give up",
        "var d = document.getElementById('gaps-data'); var s = d.getAttribute('data-state');
         return s === 'loading' ? null : s;",
        Duration::from_secs(20),
    );
    assert_eq!(state, "error");
    let msg = b.wait_until(
        "the viewer's error",
        "var e = document.querySelector('#gaps-diff-app .gaps-error'); return e ? e.textContent : null;",
        Duration::from_secs(30),
    );
    let msg = msg.as_str().unwrap();
    assert!(
        msg.starts_with(
            "The diff viewer could not start: the embedded report data could not be unpacked"
        ),
        "{msg}"
    );
    // The server-rendered evidence is all still there.
    let rows = b.execute(
        "return document.querySelectorAll('#snap-1-migrations table.migrations tbody tr').length",
        vec![],
    );
    assert_eq!(rows, 14);
    assert_no_requests(&b.requested_urls(), &url);
}

/// Follows every in-page link of the Diagnosis section and reports those whose target is
/// missing or not brought into view, as `[{href, problem}]`.
const FOLLOW_DIAGNOSIS_LINKS: &str = "
  var out = [];
  var links = Array.from(document.querySelectorAll('#diagnosis a[href^=\"#\"]'));
  links.forEach(function (a) {
    var id = a.getAttribute('href').slice(1);
    var t = document.getElementById(id);
    if (!t) { out.push({href: id, problem: 'no element'}); return; }
    a.click();
    if (location.hash !== '#' + id) { out.push({href: id, problem: 'hash ' + location.hash}); return; }
    var r = t.getBoundingClientRect();
    if (!(r.top >= -1 && r.top < window.innerHeight && r.height > 0)) {
      out.push({href: id, problem: 'not in view: top ' + r.top + ', height ' + r.height});
    }
  });
  return {links: links.length, problems: out};";

/// The demo report opens with its Diagnosis: one card per cause in fix order, each with its
/// chain and fix, and every link in it lands on its evidence (a migration row, a table, a call
/// site, a log signature, the findings in an action card); with JavaScript off the page reads
/// the same.
#[test]
fn diagnosis_cards_link_to_their_evidence_with_and_without_javascript() {
    let dir = tempfile::tempdir().unwrap();
    let out = gaps(&["demo", "--out", dir.path().to_str().unwrap()]);
    let printed = String::from_utf8(out.stdout).unwrap();
    let index = Path::new(printed.trim());
    let url = file_url(index);
    let check = |b: &Browser, scripts: &str| {
        b.goto(&url);
        let page = b.execute(
            "var main = document.querySelector('main');
             var cards = Array.from(document.querySelectorAll('#diagnosis article.cause'));
             return {first: main.querySelector(':scope > section').id,
                     cards: cards.map(c => c.id),
                     titles: cards.map(c => c.querySelector('h3').textContent),
                     chains: cards.map(c => c.querySelectorAll('ol.chain li').length),
                     fixes: cards.map(c => c.querySelectorAll('ol.fix li').length),
                     visible: cards.every(c => c.getBoundingClientRect().height > 0),
                     state: document.getElementById('gaps-data').getAttribute('data-state'),
                     groups: document.querySelectorAll('#actions .cause-group').length}",
            vec![],
        );
        assert_eq!(page["first"], "diagnosis", "{scripts}: {page}");
        assert_eq!(
            page["cards"],
            serde_json::json!([
                "snap-1-cause-migration-4-edited",
                "snap-1-cause-migration-5-failed",
                "snap-1-cause-migrations-pending",
                "snap-1-cause-column-habits-streak-type",
                "snap-1-cause-connections"
            ]),
            "{scripts}: {page}"
        );
        assert!(page["visible"].as_bool().unwrap(), "{scripts}: {page}");
        for n in page["chains"]
            .as_array()
            .unwrap()
            .iter()
            .chain(page["fixes"].as_array().unwrap())
        {
            assert!(
                n.as_u64().unwrap() >= 1,
                "{scripts}: a card without chain or fix: {page}"
            );
        }
        assert!(
            page["titles"][0]
                .as_str()
                .unwrap()
                .contains("Migration 0004 (quests) was edited after it was applied"),
            "{page}"
        );
        assert!(
            page["groups"].as_u64().unwrap() >= 5,
            "findings grouped by cause: {page}"
        );
        let followed = b.execute(FOLLOW_DIAGNOSIS_LINKS, vec![]);
        assert!(followed["links"].as_u64().unwrap() > 20, "{followed}");
        assert_eq!(
            followed["problems"],
            serde_json::json!([]),
            "{scripts}: {followed}"
        );
        // The cards' evidence lands on the right rows.
        let targets = b.execute(
            "var t = id => { var e = document.getElementById(id); return e ? e.textContent.trim().slice(0, 40) : null; };
             return [t('snap-1-migration-0004'), t('snap-1-migration-0005')]",
            vec![],
        );
        assert!(
            targets[0].as_str().unwrap().starts_with("0004"),
            "{targets}"
        );
        assert!(
            targets[1].as_str().unwrap().starts_with("0005"),
            "{targets}"
        );
        page
    };
    let with = check(&Browser::start(), "with JavaScript");
    assert_ne!(with["state"], "loading", "the page's scripts ran: {with}");
    let without = check(&Browser::start_without_javascript(), "without JavaScript");
    assert_eq!(
        without["state"], "loading",
        "JavaScript really was off (the loader never ran): {without}"
    );
}
