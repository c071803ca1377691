//! Unit tests of the scanner: grouping, chunking, odd bytes and caps.

use super::*;
use crate::logs::LogKind;

const FLY: &str = "2026-01-09T12:00:00.123Z app[148e272a] iad [info] GET /api/focus/pause database_error: error returned from database: relation \"focus_pause_state\" does not exist\n\
2026-01-09T12:00:01.000Z app[148e272a] iad [info] request handled\n\
2026-01-09T12:05:00.000Z app[9a8b7c6d] ams [info] uri=/api/focus/pause?token=abc database_error: error returned from database: relation \"focus_pause_state\" does not exist\n\
2026-01-09T12:06:00.000Z app[9a8b7c6d] ams [info] sqlx::query: summary=\"SELECT 1\"\n";

#[test]
fn lines_are_grouped_by_signature_with_instances_regions_and_paths() {
    let e = analyse_text("fly.log", None, FLY.as_bytes());
    assert_eq!(e.inputs[0].format, LogFormat::Fly);
    assert_eq!(e.inputs[0].lines, 4);
    // The sqlx::query line holds a literal (`sqlx`) but no trigger: it is not parsed. The
    // reference path parses it and classifies nothing more.
    assert_eq!(e.inputs[0].candidate_lines, 2);
    assert_eq!(e.inputs[0].classified_lines, 2);
    let mut r = LogAnalyzer::reference();
    r.begin_input("fly.log", None, false);
    r.feed(FLY.as_bytes());
    let r = r.finish();
    assert_eq!(r.inputs[0].candidate_lines, 3);
    assert_eq!(r.signatures, e.signatures);
    assert_eq!(e.signatures.len(), 1);
    let s = &e.signatures[0];
    assert_eq!(s.key, "undefined_table:42P01:focus_pause_state");
    assert_eq!(s.count, 2);
    assert_eq!(s.first_seen.as_deref(), Some("2026-01-09T12:00:00Z"));
    assert_eq!(s.last_seen.as_deref(), Some("2026-01-09T12:05:00Z"));
    assert_eq!(s.instances.len(), 2);
    assert_eq!(
        s.regions
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["ams", "iad"]
    );
    assert_eq!(
        s.paths,
        vec![NamedCount {
            name: "/api/focus/pause".into(),
            count: 2
        }]
    );
    assert_eq!(s.samples.len(), 2);
    assert_eq!(s.samples[1].line, 3);
    assert!(!s.samples[1].text.contains("token=abc"));
    assert_eq!(e.bucket_seconds, 60);
    assert_eq!(s.series.iter().map(|p| p.count).sum::<u64>(), 2);
}

#[test]
fn chunk_boundaries_do_not_change_the_result() {
    let whole = analyse_text("a", None, FLY.as_bytes());
    for size in [1, 7, 64, 200] {
        let mut a = LogAnalyzer::new();
        a.begin_input("a", None, false);
        for chunk in FLY.as_bytes().chunks(size) {
            a.feed(chunk);
        }
        assert_eq!(a.finish(), whole, "chunk size {size}");
    }
}

#[test]
fn crlf_samples_never_keep_the_carriage_return() {
    let crlf = FLY.replace('\n', "\r\n");
    // Whole (lines found in a block) and byte by byte (lines carried across chunks).
    let whole = analyse_text("a", None, crlf.as_bytes());
    let mut a = LogAnalyzer::new();
    a.begin_input("a", None, false);
    for chunk in crlf.as_bytes().chunks(1) {
        a.feed(chunk);
    }
    let split = a.finish();
    for e in [&whole, &split] {
        for s in &e.signatures {
            for sample in &s.samples {
                assert!(!sample.text.contains('\r'), "{:?}", sample.text);
            }
        }
    }
    assert_eq!(whole.signatures, split.signatures);
    let lf = analyse_text("a", None, FLY.as_bytes());
    assert_eq!(whole.signatures, lf.signatures, "CRLF reads like LF");
}

#[test]
fn last_line_without_newline_is_read() {
    let e = analyse_text("a", None, b"x\nFATAL:  sorry, too many clients already");
    assert_eq!(e.inputs[0].lines, 2);
    assert_eq!(e.signatures[0].kind, LogKind::TooManyConnections);
}

#[test]
fn invalid_utf8_and_long_lines_are_counted_not_fatal() {
    let mut text = b"ok line\n\xff\xfe relation \"bad\xffname\" does not exist\n".to_vec();
    text.extend(std::iter::repeat_n(b'a', 100 * 1024));
    text.extend(b" relation \"after_long\" does not exist\n");
    text.extend(b"tail internal_error\n");
    let e = analyse_text("a", Some(LogFormat::Text), &text);
    let i = &e.inputs[0];
    assert_eq!(i.lines, 4);
    assert_eq!(i.invalid_utf8_lines, 1);
    assert_eq!(i.long_lines, 1);
    assert_eq!(i.truncated_lines, 0);
    let keys: Vec<&str> = e.signatures.iter().map(|s| s.key.as_str()).collect();
    assert!(
        keys.contains(&"undefined_table:42P01:after_long"),
        "{keys:?}"
    );
    assert!(keys.contains(&"service_internal_error"), "{keys:?}");
    assert!(
        keys.iter()
            .any(|k| k.starts_with("undefined_table:42P01:bad")),
        "{keys:?}"
    );
}

#[test]
fn a_line_longer_than_the_cap_is_truncated_and_counted() {
    let mut a = LogAnalyzer::new();
    a.begin_input("a", Some(LogFormat::Text), false);
    a.feed(b"database_error ");
    let filler = vec![b'x'; 64 * 1024];
    for _ in 0..20 {
        a.feed(&filler);
    }
    a.feed(b"\nnext\n");
    let e = a.finish();
    assert_eq!(e.inputs[0].lines, 2);
    assert_eq!(e.inputs[0].truncated_lines, 1);
    assert_eq!(e.signatures[0].kind, LogKind::ServiceDatabaseError);
    assert!(e.signatures[0].samples[0].text.len() <= MAX_SAMPLE + 3);
}

#[test]
fn migration_events_are_kept_in_order() {
    let text = "2026-01-09T12:00:00Z app[1] iad [info] Checking database migrations...\n\
2026-01-09T12:00:01Z app[1] iad [info] Applied 2 new migration(s)\n\
2026-01-09T12:10:00Z app[2] iad [info] Database schema is up to date\n";
    let e = analyse_text("a", None, text.as_bytes());
    let kinds: Vec<LogKind> = e.migration_events.iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds,
        [
            LogKind::MigrationCheck,
            LogKind::MigrationsApplied,
            LogKind::SchemaUpToDate
        ]
    );
    assert_eq!(e.migration_events[1].applied, Some(2));
    assert_eq!(e.migration_events[2].instance.as_deref(), Some("2"));
}

#[test]
fn series_buckets_widen_for_long_spans() {
    let mut text = String::new();
    for day in 1..=28 {
        text.push_str(&format!(
            "2026-02-{day:02}T00:00:00Z app[1] iad [info] pool timed out while waiting for an open connection\n"
        ));
    }
    let e = analyse_text("a", None, text.as_bytes());
    assert!(e.bucket_seconds >= 3600, "{}", e.bucket_seconds);
    let s = &e.signatures[0];
    assert!(s.series.len() <= MAX_SERIES_POINTS);
    assert_eq!(s.series.iter().map(|p| p.count).sum::<u64>(), 28);
}

fn one_input(name: &str, text: &str) -> LogAnalyzer {
    let mut a = LogAnalyzer::new();
    a.begin_input(name, None, false);
    a.feed(text.as_bytes());
    a.end_input(None);
    a
}

/// Three inputs: the fly sample, a long span at one line a minute (its series widens on its
/// own), and PostgreSQL lines sharing a signature with the first.
fn three_inputs() -> Vec<(&'static str, String)> {
    let mut long = String::new();
    for minute in 0..(3 * 24 * 60) {
        long.push_str(&format!(
            "2026-01-{:02}T{:02}:{:02}:00Z app[{}] ams [info] database_error: error returned from database: relation \"focus_pause_state\" does not exist\n",
            10 + minute / 1440,
            minute / 60 % 24,
            minute % 60,
            minute % 7,
        ));
    }
    let pg = "2026-01-09 12:00:00.123 UTC [42] api@app ERROR:  relation \"focus_pause_state\" does not exist\n\
2026-01-09 12:00:01.000 UTC [42] api@app FATAL:  sorry, too many clients already\n";
    vec![
        ("fly.log", FLY.to_string()),
        ("long.log", long),
        ("pg.log", pg.to_string()),
    ]
}

#[test]
fn inputs_read_apart_and_merged_in_order_give_what_one_analyzer_gives() {
    let inputs = three_inputs();
    let mut one = LogAnalyzer::new();
    for (name, text) in &inputs {
        one.begin_input(name, None, false);
        one.feed(text.as_bytes());
        one.end_input(None);
    }
    let one = one.finish();
    let mut merged = LogAnalyzer::new();
    for (name, text) in &inputs {
        merged.merge(one_input(name, text));
    }
    let merged = merged.finish();
    assert_eq!(merged, one);
    // The long input widened its series before the merge: the others were widened to match.
    assert!(merged.bucket_seconds > 60, "{}", merged.bucket_seconds);
    let s = &merged.signatures[0];
    assert_eq!(s.key, "undefined_table:42P01:focus_pause_state");
    assert_eq!(s.count, 2 + 3 * 24 * 60 + 1);
    assert_eq!(s.inputs, ["fly.log", "long.log", "pg.log"]);
    assert_eq!(s.samples.len(), MAX_SAMPLES);
    assert_eq!(s.samples[0].input, "fly.log");
}

#[test]
fn merging_applies_the_signature_cap_in_input_order() {
    let text = |from: usize| {
        (from..from + MAX_SIGNATURES)
            .map(|i| format!("relation \"t{i}\" does not exist\n"))
            .collect::<String>()
    };
    let mut merged = LogAnalyzer::new();
    merged.merge(one_input("a", &text(0)));
    merged.merge(one_input("b", &text(10)));
    let e = merged.finish();
    assert_eq!(e.signatures.len(), MAX_SIGNATURES);
    // b's ten new tables found the cap full; its other lines joined a's signatures.
    assert_eq!(e.ungrouped_lines, 10);
    let t5 = e
        .signatures
        .iter()
        .find(|s| s.table.as_deref() == Some("t15"))
        .unwrap();
    assert_eq!(t5.count, 2);
    assert!(
        e.signatures
            .iter()
            .all(|s| s.table.as_deref() != Some("t2005"))
    );
}

/// Names are counted in hashed maps: which ones fit under [`MAX_NAMES`] when merging must
/// still not depend on hashing (theirs are taken in name order, as the B-tree did).
#[test]
fn merging_names_past_the_cap_keeps_the_same_names_every_time() {
    let lines = |paths: std::ops::Range<usize>| {
        paths
            .map(|i| {
                format!(
                    "2026-01-09T12:00:00Z app[1] iad [info] uri=/p{i:03} database_error: relation \"t\" does not exist\n"
                )
            })
            .collect::<String>()
    };
    let run = || {
        let mut merged = LogAnalyzer::new();
        merged.merge(one_input("a", &lines(0..MAX_NAMES - 5)));
        merged.merge(one_input("b", &lines(100..160)));
        merged.finish()
    };
    let first = run();
    for _ in 0..5 {
        assert_eq!(run(), first);
    }
    let paths: Vec<&str> = first.signatures[0]
        .paths
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(paths.len(), MAX_NAMES);
    for kept in ["/p100", "/p101", "/p102", "/p103", "/p104"] {
        assert!(paths.contains(&kept), "{kept} missing from {paths:?}");
    }
    assert!(!paths.contains(&"/p105"));
}
