//! Benchmark: builds the report for a generated 10,000-table x 20-column snapshot and prints
//! the build time and file size, against a baseline measured in the same run (serialising the
//! same snapshot to JSON, which any report must at least do to embed it).

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
        &[],
    )
    .expect("report builds");
    let build = t1.elapsed();
    let mb = report.html.len() as f64 / 1e6;
    println!(
        "tables: {tables} x 20 columns (snapshot JSON {:.1} MB)",
        json.len() as f64 / 1e6
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
    println!("report size: {mb:.2} MB (target < 15 MB)");
}
