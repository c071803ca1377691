//! Benchmark: builds the report of a generated snapshot of TABLES varied tables
//! ([`gaps_site::sample::large::realistic_snapshot`], about 20 columns each, with an expected
//! schema that differs in a few tables) phase by phase, as `gaps report` does, and prints the
//! time of each phase and what the page's bytes are made of. The baseline, measured in the same
//! run, is loading the snapshot file (read + `Snapshot::from_json`), which any report must do.
//!
//! `bench_report [TABLES] [DIR]`: with DIR, also writes DIR/snapshot.json (for timing the
//! `gaps report` binary, `scripts/bench-report`) and DIR/page.html.

use std::time::Instant;

use gaps_site::view::NamedSnapshot;

/// The allocator of the `gaps` binary (collector/src/main.rs), so the phases are timed as
/// `gaps report` runs them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let tables: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = args.next().map(std::path::PathBuf::from);
    let dir = dir.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("gaps-bench-report-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).expect("creating the output directory");
    let snapshot = gaps_site::sample::large::realistic_snapshot(tables);
    let json = snapshot.to_json();
    let file = dir.join("snapshot.json");
    std::fs::write(&file, &json).expect("writing the snapshot");
    drop(snapshot);

    let t = Instant::now();
    let text = std::fs::read_to_string(&file).expect("reading the snapshot");
    let snapshot = gaps_core::snapshot::Snapshot::from_json(&text).expect("a valid snapshot");
    drop(text);
    let load = secs(t);

    let t = Instant::now();
    let findings = gaps_core::rules::analyse(&snapshot);
    let analyse = secs(t);
    let analysed = vec![(
        NamedSnapshot {
            file: "snapshot.json".into(),
            snapshot,
        },
        findings,
    )];
    let t = Instant::now();
    let view = gaps_site::view::report_view(&analysed, None);
    let view_s = secs(t);
    let t = Instant::now();
    let data = gaps_site::embed::data_json(&analysed);
    let data_s = secs(t);
    let t = Instant::now();
    let packed = gaps_site::embed::pack(&data);
    let pack_s = secs(t);
    let viewer: Vec<String> = gaps_site::wasm::viewer_assets()
        .map(|a| vec![a.glue_js.to_string(), a.bootstrap_js])
        .unwrap_or_default();
    let viewer_bytes: usize = viewer.iter().map(String::len).sum();
    let t = Instant::now();
    let html = gaps_site::page::render(&gaps_site::Templates::builtin(), &view, &data, &viewer)
        .expect("report renders");
    let render = secs(t);
    let t = Instant::now();
    std::fs::write(dir.join("page.html"), &html).expect("writing the page");
    let write = secs(t);

    let mb = |n: usize| n as f64 / 1e6;
    let build = analyse + view_s + render;
    println!(
        "snapshot: {tables} tables, {:.1} MB of JSON",
        mb(json.len())
    );
    println!("baseline: load the snapshot (read + parse) {load:.3} s");
    println!(
        "build: {build:.3} s = analyse {analyse:.3} + view {view_s:.3} + render {render:.3} \
         (data JSON {data_s:.3}, gzip+base64 {pack_s:.3}, inside render); {:.2}x the load",
        build / load.max(1e-9)
    );
    println!("write: {write:.3} s");
    println!(
        "load + build + write: {:.3} s (target < 3 s)",
        load + build + write
    );
    println!("page: {:.2} MB (target < 15 MB)", mb(html.len()));
    println!(
        "  embedded data: {:.2} MB JSON -> {:.2} MB gzip+base64",
        mb(data.len()),
        mb(packed.len())
    );
    println!(
        "  diff viewer (glue + bootstrap with the gzip+base64 wasm): {:.2} MB",
        mb(viewer_bytes)
    );
    println!(
        "  server-rendered HTML, CSS, charts and report script: {:.2} MB",
        mb(html.len() - packed.len() - viewer_bytes)
    );
}
