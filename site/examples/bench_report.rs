//! Benchmark: builds the report for a generated 10,000-table x 20-column snapshot, as
//! `gaps report` does (with the diff viewer), and prints the build time and file size against
//! a baseline measured in the same run (serialising the same snapshot to JSON, which any
//! report must at least do to embed its data), with what the page's bytes are made of.

use std::time::Instant;

fn main() {
    let tables: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let (snapshot, findings) = gaps_site::sample::large_snapshot(tables, 20);
    let t0 = Instant::now();
    let json = snapshot.to_json();
    let baseline = t0.elapsed();
    let viewer: Vec<String> = gaps_site::wasm::viewer_assets()
        .map(|a| vec![a.glue_js.to_string(), a.bootstrap_js])
        .unwrap_or_default();
    let viewer_bytes: usize = viewer.iter().map(String::len).sum();
    let t1 = Instant::now();
    let report = gaps_site::build_analysed(
        vec![(
            gaps_site::NamedSnapshot {
                file: "large.json".into(),
                snapshot,
            },
            findings,
        )],
        None,
        &gaps_site::Templates::builtin(),
        &viewer,
    )
    .expect("report builds");
    let build = t1.elapsed();
    let html = &report.html;
    let packed = html
        .split("id=\"gaps-data-gz\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .map(str::len)
        .unwrap_or(0);
    let embedded_json = gaps_site::embed::data_json(&report.analysed).len();
    let mb = |n: usize| n as f64 / 1e6;
    println!(
        "tables: {tables} x 20 columns (snapshot JSON {:.1} MB)",
        mb(json.len())
    );
    println!(
        "baseline (snapshot to JSON): {:.3} s",
        baseline.as_secs_f64()
    );
    println!(
        "report build: {:.3} s ({:.1}x baseline; target < 2 s)",
        build.as_secs_f64(),
        build.as_secs_f64() / baseline.as_secs_f64().max(1e-9)
    );
    println!("report size: {:.2} MB (target < 15 MB)", mb(html.len()));
    println!(
        "  embedded data: {:.2} MB JSON -> {:.2} MB gzip+base64",
        mb(embedded_json),
        mb(packed)
    );
    println!(
        "  diff viewer (glue + bootstrap with the gzip+base64 wasm): {:.2} MB",
        mb(viewer_bytes)
    );
    println!(
        "  server-rendered HTML, CSS, charts and report script: {:.2} MB",
        mb(html.len() - packed - viewer_bytes)
    );
}
