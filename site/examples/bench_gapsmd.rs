//! Benchmark: rendering a gaps.md stays linear in nesting and size. For 1k, 10k and 100k
//! levels of nested `>`, nested `<div>` and nested `- ` list items, it times the markdown
//! renderer itself (`markdown::render`, pulldown-cmark + ammonia, bypassing the gaps.md gate)
//! next to a baseline measured in the same run: the same number of the same markers side by
//! side instead of nested (`> x` paragraphs, `<div></div>` pairs, `- x` items), through the
//! same renderer. Linear growth shows as a nested/flat ratio that stays flat as the levels
//! grow tenfold (it was quadratic: 100 KB of nested `>` took 52 s). Then the gate (`gapsmd_limits::check`, what `gaps report` and `gaps collect` run
//! first) on the same inputs, and whole registries of growing size.
//!
//! Run: `scripts/bench-gapsmd` (release build).

use std::time::{Duration, Instant};

use gaps_core::gapsmd_limits;
use gaps_site::markdown;

/// Best of `runs` timings of `f`.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// The renderer without the depth bound (as before): pulldown-cmark straight into ammonia.
fn unbounded(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, gaps_site::markdown::options());
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default().clean(&html).to_string()
}

fn main() {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    println!("markdown::render (pulldown-cmark + depth bound + ammonia), best of {runs}");
    println!(
        "{:<10} {:>8} {:>9} {:>11} {:>11} {:>8} {:>12} {:>16}",
        "shape",
        "levels",
        "bytes",
        "nested (s)",
        "flat (s)",
        "ratio",
        "us per level",
        "unbounded (s)"
    );
    type Make = fn(usize) -> String;
    let shapes: [(&str, Make, Make); 3] = [
        (
            "quote >",
            |n| format!("{} x\n", ">".repeat(n)),
            |n| "> x\n\n".repeat(n),
        ),
        (
            "<div>",
            |n| format!("{}x\n", "<div>".repeat(n)),
            |n| format!("{}x\n", "<div></div>".repeat(n)),
        ),
        (
            "list - ",
            |n| format!("{}x\n", "- ".repeat(n)),
            |n| "- x\n".repeat(n),
        ),
    ];
    for (name, make, make_flat) in shapes {
        for levels in [1_000usize, 10_000, 100_000] {
            let doc = make(levels);
            let baseline = make_flat(levels);
            let nested = best(runs, || {
                std::hint::black_box(markdown::render(&doc));
            });
            let plain = best(runs, || {
                std::hint::black_box(markdown::render(&baseline));
            });
            // The old, unbounded path, only where it finishes in seconds.
            let before = if levels <= 10_000 {
                format!(
                    "{:.4}",
                    best(1, || {
                        std::hint::black_box(unbounded(&doc));
                    })
                    .as_secs_f64()
                )
            } else {
                "(minutes)".to_string()
            };
            println!(
                "{:<10} {:>8} {:>9} {:>11.4} {:>11.4} {:>7.2}x {:>12.2} {:>16}",
                name,
                levels,
                doc.len(),
                nested.as_secs_f64(),
                plain.as_secs_f64(),
                nested.as_secs_f64() / plain.as_secs_f64().max(1e-9),
                nested.as_secs_f64() * 1e6 / levels as f64,
                before
            );
        }
    }

    println!();
    println!("the gaps.md gate (gapsmd_limits::check) on the same inputs: refused at once");
    for levels in [1_000usize, 10_000, 100_000] {
        let doc = format!("{} x\n", ">".repeat(levels));
        let mut verdict = String::new();
        let t = best(runs, || {
            verdict = match gapsmd_limits::check(&doc) {
                Ok(()) => "accepted".into(),
                Err(e) => e.to_string(),
            };
        });
        println!(
            "  {levels:>7} levels: {:.6} s  ({verdict})",
            t.as_secs_f64()
        );
    }

    println!();
    println!("whole registries (the test fixture gaps.md repeated): load + render");
    let seed = include_str!("../../tests/fixtures/gaps.md");
    println!(
        "{:>10} {:>12} {:>12} {:>10}",
        "bytes", "load (s)", "render (s)", "MB/s"
    );
    for target in [256 * 1024usize, 1024 * 1024, 4 * 1024 * 1024 - 64 * 1024] {
        let mut doc = String::with_capacity(target + seed.len());
        while doc.len() + seed.len() <= target {
            doc.push_str(seed);
        }
        let load = best(runs, || {
            std::hint::black_box(gaps_site::load_registry("gaps.md", &doc).expect("loads"));
        });
        let render = best(runs, || {
            std::hint::black_box(markdown::render(&doc));
        });
        let total = load + render;
        println!(
            "{:>10} {:>12.4} {:>12.4} {:>10.1}",
            doc.len(),
            load.as_secs_f64(),
            render.as_secs_f64(),
            doc.len() as f64 / 1e6 / total.as_secs_f64()
        );
    }
    let over = gapsmd_limits::MAX_BYTES + 1;
    let big = "a".repeat(over);
    match gapsmd_limits::check(&big) {
        Err(e) => println!("  {over} bytes: refused: {e}"),
        Ok(()) => println!("  {over} bytes: accepted (unexpected)"),
    }
}
