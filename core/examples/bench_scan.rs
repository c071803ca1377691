//! The log scanner alone, for profiling (`perf record`) and for timing its phases apart from
//! the rest of `gaps collect`: reads FILE in the collector's chunk size and feeds it to a
//! [`LogAnalyzer`], then prints the time, the throughput and what was found.
//!
//! Usage: `cargo run --release -p gaps-core --example bench_scan -- FILE [reference]`
//! (`reference` runs the slow reference path that parses every line holding a literal).

use std::io::Read;
use std::time::Instant;

use gaps_core::logs::LogAnalyzer;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: bench_scan FILE [reference]");
    let reference = args.next().as_deref() == Some("reference");
    let mut file = std::fs::File::open(&path).expect("open the file");
    let mut a = if reference {
        LogAnalyzer::reference()
    } else {
        LogAnalyzer::new()
    };
    a.begin_input(&path, None, false);
    // The collector's read size (collector/src/logs.rs CHUNK); GAPS_BENCH_CHUNK_KB tries others.
    let kb: usize = std::env::var("GAPS_BENCH_CHUNK_KB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let mut buf = vec![0u8; kb * 1024];
    let t = Instant::now();
    loop {
        let n = file.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        a.feed(&buf[..n]);
    }
    let ev = a.finish();
    let secs = t.elapsed().as_secs_f64();
    let input = &ev.inputs[0];
    println!(
        "{:.3} s, {:.0} MB/s: {} lines, {} candidates, {} classified, {} signatures, {} ungrouped",
        secs,
        input.bytes as f64 / 1e6 / secs,
        input.lines,
        input.candidate_lines,
        input.classified_lines,
        ev.signatures.len(),
        ev.ungrouped_lines
    );
}
