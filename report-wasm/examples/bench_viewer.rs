//! Benchmark of the committed viewer in headless Chromium on a 10,000-table snapshot pair:
//! page load to first rendered diff, and one search keystroke (render only visible rows).
//! Baseline measured in the same run: the same page (same embedded data) without the viewer.
//! Run with `scripts/bench-viewer`.
//!
//! `bench_viewer PAGE.html`: the same measures on a report written by `gaps report`
//! (`scripts/bench-report`), the baseline being that page with its inline scripts removed
//! (what a reader without JavaScript gets).

#[path = "../tests/support/mod.rs"]
mod support;

use gaps_core::testing::{applied, col, snapshot_of, table};
use support::{Browser, page, with_findings};

fn big(label: &str, variant: bool) -> gaps_core::snapshot::Snapshot {
    let tables = (0..10_000)
        .map(|i| {
            let mut cols = vec![
                col(1, "id", "bigint", false),
                col(2, "name", "text", false),
                col(3, "created_at", "timestamp with time zone", false),
                col(4, "note", "text", true),
            ];
            if variant && i % 100 == 0 {
                cols[1].data_type = "varchar(40)".into();
            }
            if variant && i % 250 == 0 {
                cols.push(col(5, "extra", "jsonb", true));
            }
            table(&format!("table_{i:05}"), cols)
        })
        .collect();
    snapshot_of(label, tables, vec![applied(1, "init")])
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// The page without its inline scripts (`<script>...</script>`; the data blocks, which carry a
/// `type`, stay).
fn without_scripts(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<script>") {
        out.push_str(&rest[..i]);
        rest = rest[i..]
            .find("</script>")
            .map_or("", |j| &rest[i + j + "</script>".len()..]);
    }
    out.push_str(rest);
    out
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let report = std::env::args().nth(1).map(std::path::PathBuf::from);
    // GAPS_BENCH_GENERATED=1: the page given is one this benchmark generated (kept with
    // GAPS_BENCH_PAGE_OUT), searched with the generated tables' queries.
    let generated = std::env::var_os("GAPS_BENCH_GENERATED").is_some();
    let queries: &[&str] = if report.is_some() && !generated {
        &["a", "ac", "acc", "account", "status"]
    } else {
        &["t", "ta", "table_0", "table_00", "extra"]
    };
    let viewer = match &report {
        Some(p) => p.canonicalize().expect("the report page"),
        None => page(
            dir.path(),
            "bench.html",
            &with_findings(&[big("A", false), big("B", true)]),
        ),
    };
    // Baseline: same page and data, no scripts.
    let html = std::fs::read_to_string(&viewer).unwrap();
    // GAPS_BENCH_PAGE_OUT=FILE keeps a copy of the page (to time another viewer build on it).
    if let Ok(out) = std::env::var("GAPS_BENCH_PAGE_OUT") {
        std::fs::write(out, &html).unwrap();
    }
    let baseline = dir.path().join("baseline.html");
    std::fs::write(&baseline, without_scripts(&html)).unwrap();
    println!("page: {} bytes", html.len());
    let b = Browser::start();
    let (mut base, mut first, mut key) = (Vec::new(), Vec::new(), Vec::new());
    let (mut loaded, mut phases, mut handler) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        b.open(&baseline, "");
        base.push(
            b.eval(
                "return performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;",
            )
            .as_f64()
            .unwrap(),
        );
        b.open(&viewer, "");
        b.wait_for("#gaps-rows .gaps-row");
        first.push(
            b.eval("return performance.getEntriesByName('gaps-first-render')[0].startTime;")
                .as_f64()
                .unwrap(),
        );
        loaded.push(
            b.eval(
                "return performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd;",
            )
            .as_f64()
            .unwrap(),
        );
        phases.push(b.eval(
            "return performance.getEntriesByType('mark').filter(function (m) { return m.name.indexOf('gaps-') === 0; }).map(function (m) { return m.name + ' ' + m.startTime.toFixed(0); }).join(', ');",
        ));
        for q in queries {
            let t = b.eval(&format!(
                "var s = document.getElementById('gaps-search'); s.value = {q:?}; var t0 = performance.now(); s.dispatchEvent(new Event('input')); var t1 = performance.now(); document.getElementById('gaps-rows').offsetHeight; return [performance.now() - t0, t1 - t0];"
            ));
            key.push(t[0].as_f64().unwrap());
            handler.push(t[1].as_f64().unwrap());
        }
    }
    let rendered = b.eval("return document.querySelectorAll('#gaps-rows .gaps-row').length;");
    b.quit();
    let (base, first, key) = (median(base), median(first), median(key));
    let loaded = median(loaded);
    if let Some(p) = phases.last() {
        println!(
            "marks of the last load (ms since navigation start): {}",
            p.as_str().unwrap_or("")
        );
    }
    println!("baseline (same page without viewer) DOMContentLoaded: {base:.0} ms");
    println!(
        "page load -> first rendered diff: {first:.0} ms (target < 1000), {:.1}x baseline",
        first / base
    );
    println!(
        "after the page's own DOMContentLoaded ({loaded:.0} ms): first rendered diff {:.0} ms later",
        first - loaded
    );
    println!(
        "search keystroke (filter + render): {key:.1} ms median (target < 50), of which the input handler {:.1} ms (the rest: layout)",
        median(handler)
    );
    println!("rows in the DOM after the last keystroke: {rendered}");
}
