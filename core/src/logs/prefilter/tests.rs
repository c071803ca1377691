//! The fast path is the reference: property-based checks that every message the classifier
//! names holds a trigger, and that [`LogAnalyzer::new`] and [`LogAnalyzer::reference`] give the
//! same evidence on inputs of every layout, fed in chunks of any size.

use proptest::prelude::*;
use proptest::sample::select;

use super::{SHORT_TRIGGERS, TRIGGERS};
use crate::logs::classify::{NEEDLES, PREFILTER, classify};
use crate::logs::{LogAnalyzer, LogFormat, LogsEvidence};

/// `PROPTEST_CASES` when set (scripts/fuzz), else the bounded default for `cargo test`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Text that real database lines are made of, besides the classifier's own words.
const PIECES: &[&str] = &[
    "relation \"users\"",
    "column \"paused_at\" of relation \"focus\"",
    "column u.nickname",
    "sqlx::query",
    "summary=\"SELECT 1\"",
    "error returned from database:",
    "code: \"42P01\"",
    "\"code\":\"23505\"",
    "SQLSTATE 42501",
    "sqlstate=40P01",
    "ERROR:  ",
    "FATAL:  ",
    "ERROR:  22P02: ",
    "Error: ",
    "LOG:  ",
    "\\\"",
    "\\\\\"",
    "\\u0065",
    "\\n",
    "Migration 20240101000000",
    "Applied 3 new migration(s)",
    "while executing migration 14",
    "for user \"api\"",
    "`i32`",
    "Rust type `i32` (as SQL type `INT4`) is not compatible with SQL type `INT8`",
    "index: \"\\\"xp\\\"\"",
    "GET /api/focus/pause",
    "uri=/api/x?token=abc",
    "(os error 111)",
    "UnknownIssuer",
    "PoolTimedOut",
    "ColumnNotFound(\"x\")",
    "{\"message\":\"relation does not exist\"}",
    "\u{fffd}é",
    "no such table: quests",
    "no such column: q.reward",
    "table quests has no column named reward",
    "UNIQUE constraint failed: users.email",
    "NOT NULL constraint failed: habits.name",
    "FOREIGN KEY constraint failed",
    "(code: 2067) ",
    "",
];

/// One piece of a message, in some letter case.
fn piece() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        3 => select(NEEDLES).prop_map(str::to_string),
        2 => select(PREFILTER).prop_map(str::to_string),
        1 => select(TRIGGERS).prop_map(str::to_string),
        1 => select(SHORT_TRIGGERS).prop_map(str::to_string),
        3 => select(PIECES).prop_map(str::to_string),
        2 => "[a-zA-Z0-9 _:.=\"/-]{0,10}",
    ];
    (text, 0u8..4, any::<u64>()).prop_map(|(s, case, bits)| match case {
        0 | 1 => s,
        2 => s.to_ascii_uppercase(),
        _ => s
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if bits >> (i % 64) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect(),
    })
}

/// A message: pieces joined by separators a log line has.
fn message() -> impl Strategy<Value = String> {
    prop::collection::vec((piece(), select(&[" ", "", ": ", "=", "\""][..])), 1..7).prop_map(
        |parts| {
            parts
                .into_iter()
                .map(|(p, sep)| format!("{p}{sep}"))
                .collect()
        },
    )
}

/// A JSON string literal of `s`, with about one letter in eight (chosen by the bits of
/// `escape_letters`) written as a `\u00XX` escape.
fn json_string(s: &str, escape_letters: u64) -> String {
    let plain = serde_json::to_string(s).expect("a string serialises");
    if escape_letters == 0 {
        return plain;
    }
    let mut out = String::new();
    for (i, c) in plain.chars().enumerate() {
        let chosen = (escape_letters >> (i % 64)) & (escape_letters >> ((i + 21) % 64)) & 1 == 1
            && (escape_letters >> ((i + 42) % 64)) & 1 == 1;
        if c.is_ascii_alphabetic() && chosen {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    // An escape may have split `\"`, `\\` or `\n`: keep the literal valid JSON or fall back.
    if serde_json::from_str::<serde_json::Value>(&out).is_ok() {
        out
    } else {
        plain
    }
}

/// One line of some layout around `msg`.
fn line() -> impl Strategy<Value = Vec<u8>> {
    (
        0u8..6,
        message(),
        message(),
        prop_oneof![3 => Just(0u64), 1 => any::<u64>()],
        0u8..10,
        0u8..40,
    )
        .prop_map(|(layout, msg, other, esc, level, odd)| {
            let levels = ["ERROR", "FATAL", "LOG", "STATEMENT", "DETAIL", "PANIC"];
            let lvl = levels[level as usize % levels.len()];
            let json = || {
                format!(
                    "{{\"timestamp\":\"2026-01-09T12:00:0{level}Z\",\"level\":\"{lvl}\",\"fields\":{{\"message\":{},\"error\":{}}},\"span\":{{\"uri\":\"/api/q\"}}{}}}",
                    json_string(&msg, esc),
                    json_string(&other, esc.rotate_left(7)),
                    if level % 2 == 0 {
                        format!(",\"n\":[{}]", json_string(&other, 0))
                    } else {
                        String::new()
                    },
                )
            };
            let mut line = match layout {
                0 => format!(
                    "2026-01-09T12:00:0{level}.123Z app[148e272a] iad [info] {msg} {other}"
                ),
                1 => format!("2026-01-09T12:00:0{level}.123Z app[9a8b7c6d] ams [info] {}", json()),
                2 => json(),
                3 => format!("2026-01-09 12:00:0{level}.123 UTC [4242] api@app {lvl}:  {msg}"),
                4 => format!("{msg}{other}"),
                _ => format!("[2026-01-09T12:00:00Z ERROR api] {msg}"),
            }
            .into_bytes();
            match odd {
                0 => line.push(b'\r'),
                1 => line.insert(line.len() / 2, 0xff),
                // Longer than a search piece: the trigger may sit at the very end.
                2 => {
                    let mut long = vec![b'a'; super::PIECE + 100];
                    long.extend_from_slice(&line);
                    line = long;
                }
                _ => {}
            }
            line
        })
}

fn analyse(
    mut a: LogAnalyzer,
    data: &[u8],
    chunk: usize,
    format: Option<LogFormat>,
) -> LogsEvidence {
    a.begin_input("x.log", format, false);
    for part in data.chunks(chunk.max(1)) {
        a.feed(part);
    }
    a.end_input(None);
    a.finish()
}

/// The evidence without the counts of lines parsed, which is all the reference changes.
fn parsed_counts_cleared(mut e: LogsEvidence) -> LogsEvidence {
    for i in &mut e.inputs {
        i.candidate_lines = 0;
        i.unparsed_lines = 0;
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    /// The invariant the trigger search rests on.
    #[test]
    fn every_classified_message_holds_a_trigger(msg in message()) {
        if classify(&msg).is_some() {
            let lower = msg.to_ascii_lowercase();
            prop_assert!(
                TRIGGERS.iter().chain(SHORT_TRIGGERS).any(|t| lower.contains(t)),
                "classified without a trigger: {msg:?}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(96)))]

    #[test]
    fn the_fast_path_gives_the_reference_evidence(
        lines in prop::collection::vec(line(), 1..40),
        chunk in prop_oneof![Just(usize::MAX), 1usize..400, 4000usize..70_000],
        format in prop_oneof![
            Just(None),
            Just(Some(LogFormat::Fly)),
            Just(Some(LogFormat::Json)),
            Just(Some(LogFormat::Postgres)),
            Just(Some(LogFormat::Text)),
        ],
        newline_at_end in any::<bool>(),
    ) {
        let mut data = lines.join(&b'\n');
        if newline_at_end {
            data.push(b'\n');
        }
        let fast = analyse(LogAnalyzer::new(), &data, chunk, format);
        let reference = analyse(LogAnalyzer::reference(), &data, chunk, format);
        // The reference fed whole is the ground truth for any chunking of the fast path.
        let whole = analyse(LogAnalyzer::reference(), &data, usize::MAX, format);
        prop_assert!(fast.inputs[0].candidate_lines <= reference.inputs[0].candidate_lines);
        let fast = parsed_counts_cleared(fast);
        prop_assert_eq!(&fast, &parsed_counts_cleared(reference));
        prop_assert_eq!(&fast, &parsed_counts_cleared(whole));
    }
}

/// The generators do reach the classifier: a property that never sees a classified line
/// proves nothing.
#[test]
fn the_generated_inputs_are_often_classified() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = prop::collection::vec(line(), 20);
    let (mut classified, mut lines) = (0, 0);
    for _ in 0..20 {
        let data = strategy
            .new_tree(&mut runner)
            .unwrap()
            .current()
            .join(&b'\n');
        let e = analyse(LogAnalyzer::new(), &data, usize::MAX, None);
        classified += e.inputs[0].classified_lines;
        lines += e.inputs[0].lines;
    }
    assert!(
        classified * 4 > lines,
        "only {classified} of {lines} generated lines were classified"
    );
}

/// A trigger spelled with a JSON `\u` escape is read by the parser, and the line is not skipped.
#[test]
fn a_trigger_written_with_a_json_escape_is_found() {
    let line = br#"{"level":"ERROR","message":"sqlx: d\u0065adlock detected"}"#;
    for a in [LogAnalyzer::new(), LogAnalyzer::reference()] {
        let e = analyse(a, line, usize::MAX, None);
        assert_eq!(e.inputs[0].classified_lines, 1);
        assert_eq!(e.signatures[0].key, "deadlock:40P01");
    }
}
