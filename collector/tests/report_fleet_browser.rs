//! `gaps report DIR/*.json` for a fleet, in real headless Chromium: the Diagnosis section
//! opens with the fleet overview, one row per target, worst first, each naming its worst
//! causes and what was not collected; every link in it lands on that target's diagnosis or
//! cause card, with JavaScript and without.

use std::path::Path;
use std::process::{Command, Output};

use gaps_tests::browser::Browser;

fn gaps(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gaps"))
        .args(args)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .output()
        .expect("running gaps")
}

/// Clicks every link of the overview and reports the ones that land nowhere or out of view.
const FOLLOW_FLEET_LINKS: &str = "
  var out = [];
  var links = Array.from(document.querySelectorAll('#fleet a[href^=\"#\"]'));
  links.forEach(function (a) {
    var id = a.getAttribute('href').slice(1);
    var t = document.getElementById(id);
    if (!t) { out.push({href: id, problem: 'no element'}); return; }
    a.click();
    var r = t.getBoundingClientRect();
    if (!(r.top >= -1 && r.top < window.innerHeight && r.height > 0)) {
      out.push({href: id, problem: 'not in view: top ' + r.top});
    }
  });
  return {links: links.length, problems: out};";

#[test]
fn the_fleet_overview_opens_the_report_and_links_to_each_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(gaps(d, &["demo", "--out", "demo"]).status.success());
    // A second service with the same drift under another name.
    let text = std::fs::read_to_string(d.join("demo/snapshot.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["target"]["label"] = serde_json::json!("billing");
    std::fs::write(d.join("billing.json"), v.to_string()).unwrap();
    // A third whose server is down: a real partial snapshot.
    let o = gaps(
        d,
        &[
            "collect",
            "--quiet",
            "--database-url",
            "postgres://gaps@127.0.0.1:1/nowhere",
            "--connect-timeout",
            "2",
            "--source",
            "demo/service",
            "--label",
            "down",
            "--out",
            "down.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "a partial collection");
    let o = gaps(
        d,
        &[
            "report",
            "down.json",
            "demo/snapshot.json",
            "billing.json",
            "--out",
            "report",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let url = format!(
        "file://{}",
        d.join("report/index.html")
            .canonicalize()
            .unwrap()
            .display()
    );
    for b in [Browser::start(), Browser::start_without_javascript()] {
        b.goto(&url);
        let page = b.execute(
            "var t = document.getElementById('fleet');
             var first = document.querySelector('#diagnosis > :not(h2):not(p)');
             return {first: first && first.id,
                     rows: Array.from(t.querySelectorAll('tbody tr')).map(r =>
                        Array.from(r.children).map(c => c.textContent.trim()))}",
            vec![],
        );
        assert_eq!(page["first"], "fleet", "the overview comes first: {page}");
        let rows = page["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 3, "{page}");
        let labels: Vec<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
        assert_eq!(
            labels,
            ["billing", "demo (habits-api)", "down"],
            "worst first, ties by name: {page}"
        );
        assert_ne!(rows[0][1], "0", "the demo's drift has errors: {page}");
        assert!(
            rows[0][4]
                .as_str()
                .unwrap()
                .starts_with("Migration 0004 (quests) was edited after it was applied"),
            "{page}"
        );
        assert!(
            rows[2][4]
                .as_str()
                .unwrap()
                .contains("not collected: database"),
            "{page}"
        );
        let followed = b.execute(FOLLOW_FLEET_LINKS, vec![]);
        assert!(followed["links"].as_u64().unwrap() >= 3 + 6, "{followed}");
        assert_eq!(followed["problems"], serde_json::json!([]), "{followed}");
    }
}
