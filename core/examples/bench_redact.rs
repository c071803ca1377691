//! Redaction cost and growth (`scripts/bench-redact`): realistic log lines through
//! `redact_text`, next to a baseline measured in the same run (lower-casing the same bytes,
//! which touches every byte once); then hostile inputs at n, 2n, 4n and 8n bytes, whose time
//! must roughly double with the size (linear), never quadruple.

use std::hint::black_box;
use std::time::Instant;

use gaps_core::redact::{redact_sql, redact_text};

/// Best of five runs of `f`, in seconds.
fn best(mut f: impl FnMut()) -> f64 {
    (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let scale: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);

    let lines: Vec<String> = (0..20_000 * scale)
        .map(|i| match i % 4 {
            0 => format!("2026-01-09T12:00:00.000Z app[148e272a] iad [info] ERROR request{{method=POST uri=/api/focus/pause version=HTTP/1.1}}: ignition_api::error: database_error error=error returned from database: relation \"focus_pause_state_{i}\" does not exist"),
            1 => format!("2026-01-09T12:00:00.000Z app[148e272a] iad [info] connecting to postgres://app:pw{i}@db.internal:5432/app password=s3cret{i} Authorization: Bearer tok{i}"),
            2 => format!("{{\"timestamp\":\"2026-01-09T12:00:00Z\",\"level\":\"ERROR\",\"fields\":{{\"message\":\"pool timed out while waiting for an open connection\",\"user_id\":{i},\"token\":\"t{i}\"}}}}"),
            _ => format!("2026-01-09 12:00:01.200 UTC [101] db=app user=app ERROR:  column \"paused_at\" does not exist at character {i} STATEMENT: ALTER ROLE app PASSWORD 'x{i}'"),
        })
        .collect();
    let bytes: usize = lines.iter().map(String::len).sum();
    let base = best(|| {
        for l in &lines {
            black_box(l.to_ascii_lowercase());
        }
    });
    let red = best(|| {
        for l in &lines {
            black_box(redact_text(l));
        }
    });
    let mb = bytes as f64 / 1e6;
    println!("realistic lines: {} lines, {mb:.1} MB", lines.len());
    println!("{:<44} {:>9} {:>9}", "", "seconds", "MB/s");
    println!(
        "{:<44} {base:>9.4} {:>9.0}",
        "baseline: to_ascii_lowercase",
        mb / base
    );
    println!("{:<44} {red:>9.4} {:>9.0}", "redact_text", mb / red);
    println!("redact_text / baseline: {:.1}x", red / base);
    println!();

    type Case = (&'static str, fn(usize) -> String, fn(&str) -> String);
    let cases: [Case; 9] = [
        (
            "a:// repeated (one word)",
            |n| "a://".repeat(n / 4),
            redact_text,
        ),
        (
            "a: repeated, then @",
            |n| format!("{}@h", "a:".repeat(n / 2)),
            redact_text,
        ),
        (
            "password= repeated",
            |n| "password=".repeat(n / 9),
            redact_text,
        ),
        (
            "one huge key",
            |n| format!("{}=x", "tokentoken".repeat(n / 10)),
            redact_text,
        ),
        (
            "PASSWORD ' unterminated",
            |n| format!("PASSWORD '{}", "x".repeat(n)),
            redact_text,
        ),
        ("@ repeated", |n| "@".repeat(n), redact_text),
        ("Bearer repeated", |n| "Bearer ".repeat(n / 7), redact_text),
        (
            "\"password\":\" repeated",
            |n| "\"password\":\"".repeat(n / 12),
            redact_text,
        ),
        (
            "SQL: quotes and PASSWORD repeated",
            |n| "PASSWORD 'a' ".repeat(n / 13),
            redact_sql,
        ),
    ];
    println!(
        "hostile inputs: time at n, 2n, 4n, 8n bytes and the growth per doubling (2.0 = linear)"
    );
    let n = 100_000 * scale;
    for (name, make, redact) in cases {
        let times: Vec<f64> = [n, 2 * n, 4 * n, 8 * n]
            .iter()
            .map(|&size| {
                let input = make(size);
                best(|| {
                    black_box(redact(&input));
                })
            })
            .collect();
        let growth: Vec<String> = times
            .windows(2)
            .map(|w| format!("{:.1}", w[1] / w[0].max(1e-9)))
            .collect();
        println!(
            "{name:<36} {}  growth {}",
            times
                .iter()
                .map(|t| format!("{:>8.4}s", t))
                .collect::<Vec<_>>()
                .join(" "),
            growth.join(" / ")
        );
    }
}
