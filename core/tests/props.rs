//! Property-based tests of gaps-core's parsers: log lines and formats, migration file names,
//! the gaps.md parser and its gate, and SQL splitting and analysis. Each
//! property asserts that nothing panics, and a real invariant where there is one.
//!
//! `cargo test` runs a bounded number of cases; `scripts/fuzz` runs the same properties with
//! `PROPTEST_CASES` set high.

use gaps_core::backend::Backend;
use gaps_core::code::sql::{analyse, split_statements};
use gaps_core::gapsmd;
use gaps_core::gapsmd_limits;
use gaps_core::logs::format::{detect, parse_line};
use gaps_core::logs::scan::analyse_text;
use gaps_core::logs::{LogAnalyzer, LogFormat, classify};
use gaps_core::migrations::{MigrationKind, classify_entry, parse_file_name};
use proptest::prelude::*;

const BOM: char = '\u{feff}';

/// `PROPTEST_CASES` when set, else the bounded default for `cargo test`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn format() -> impl Strategy<Value = Option<LogFormat>> {
    prop_oneof![
        Just(None),
        Just(Some(LogFormat::Fly)),
        Just(Some(LogFormat::Json)),
        Just(Some(LogFormat::Text)),
        Just(Some(LogFormat::Postgres)),
    ]
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,12}"
}

/// Messages a service or server really writes, with random identifiers.
fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        ident().prop_map(|t| format!(
            "database_error: error returned from database: relation \"{t}\" does not exist"
        )),
        (ident(), ident())
            .prop_map(|(c, t)| format!("column \"{c}\" of relation \"{t}\" does not exist")),
        ident().prop_map(|c| format!(
            "error occurred while decoding column: no column found for name: {c}"
        )),
        Just("FATAL:  sorry, too many clients already".to_string()),
        Just("pool timed out while waiting for an open connection".to_string()),
        (ident(), 0u32..99).prop_map(|(n, v)| format!(
            "Migration failed: migration {v} was previously applied but has been modified ({n})"
        )),
        Just("Checking database migrations...".to_string()),
        ident().prop_map(|s| format!("ERROR:  prepared statement \"{s}\" already exists")),
        // Any text, without line breaks of its own (a CR here would be a CR LF ending).
        "[^\r\n]{0,80}",
    ]
}

/// One log line in one of the layouts gaps reads.
fn log_line() -> impl Strategy<Value = String> {
    (0u8..4, message(), 0u32..60, "[0-9a-f]{8}").prop_map(|(layout, msg, sec, machine)| {
        match layout {
            0 => format!("2026-01-09T12:{sec:02}:00.000Z app[{machine}] iad [info] {msg}"),
            1 => format!(
                "{{\"timestamp\":\"2026-01-09T12:{sec:02}:00Z\",\"level\":\"ERROR\",\"fields\":{{\"message\":{}}}}}",
                serde_json::to_string(&msg).unwrap()
            ),
            2 => format!("2026-01-09 12:{sec:02}:00.000 UTC [4242] ERROR:  {msg}"),
            _ => format!("2026-01-09T12:{sec:02}:00Z ERROR app: {msg}"),
        }
    })
}

proptest! {
    // The log analyser builds its automaton per case: fewer cases keep `cargo test` quick.
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    /// Any bytes: no panic, and the counts add up.
    #[test]
    fn any_log_bytes_are_read_and_counted(
        bytes in prop::collection::vec(any::<u8>(), 0..3000),
        forced in format(),
    ) {
        let e = analyse_text("in", forced, &bytes);
        let input = &e.inputs[0];
        prop_assert_eq!(input.bytes, bytes.len() as u64);
        let newlines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
        let unterminated = u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"));
        prop_assert_eq!(input.lines, newlines + unterminated);
        prop_assert!(input.candidate_lines <= input.lines);
        prop_assert!(input.classified_lines <= input.candidate_lines);
        let grouped: u64 = e.signatures.iter().map(|s| s.count).sum();
        prop_assert_eq!(grouped + e.ungrouped_lines, input.classified_lines);
    }

    /// Real-looking lines: the same evidence whatever the chunk boundaries.
    #[test]
    fn chunk_boundaries_never_change_the_evidence(
        lines in prop::collection::vec(log_line(), 0..40),
        chunk in 1usize..300,
    ) {
        let text = lines.join("\n");
        let whole = analyse_text("in", None, text.as_bytes());
        let mut a = LogAnalyzer::new();
        a.begin_input("in", None, false);
        for piece in text.as_bytes().chunks(chunk) {
            a.feed(piece);
        }
        prop_assert_eq!(a.finish(), whole);
    }

    /// A line's classification (and its sample text) does not depend on a trailing `\r`.
    #[test]
    fn classification_is_independent_of_a_trailing_carriage_return(
        lines in prop::collection::vec(log_line(), 1..40),
        chunk in 1usize..300,
    ) {
        let lf = analyse_text("in", None, (lines.join("\n") + "\n").as_bytes());
        let crlf_text = lines.join("\r\n") + "\r\n";
        let mut a = LogAnalyzer::new();
        a.begin_input("in", None, false);
        for piece in crlf_text.as_bytes().chunks(chunk) {
            a.feed(piece);
        }
        let crlf = a.finish();
        prop_assert_eq!(&crlf.signatures, &lf.signatures);
        prop_assert_eq!(&crlf.migration_events, &lf.migration_events);
        prop_assert_eq!(crlf.inputs[0].classified_lines, lf.inputs[0].classified_lines);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    /// Layout detection, line parsing and classification take anything.
    #[test]
    fn formats_and_the_classifier_take_any_line(line in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = detect(&line);
        for f in [LogFormat::Fly, LogFormat::Json, LogFormat::Text, LogFormat::Postgres] {
            let parsed = parse_line(f, &line);
            let _ = classify(&parsed.message);
        }
        let _ = classify(&String::from_utf8_lossy(&line));
    }

    /// A name sqlx accepts round-trips: version, kind and description come back.
    #[test]
    fn a_migration_name_round_trips(
        version in any::<i64>(),
        description in "[A-Za-z0-9_]{0,24}",
        kind in prop_oneof![
            Just(MigrationKind::Simple),
            Just(MigrationKind::Up),
            Just(MigrationKind::Down),
        ],
    ) {
        let name = format!("{version}_{description}{}", kind.suffix());
        let parsed = parse_file_name(&name).unwrap();
        prop_assert_eq!(parsed.version, version);
        prop_assert_eq!(parsed.kind, kind);
        prop_assert_eq!(parsed.description, description.replace('_', " "));
        let m = classify_entry(&name, Some(b"SELECT 1;"), &[]).unwrap();
        prop_assert_eq!((m.version, m.kind), (version, kind));
    }

    /// Any name and contents: no panic; a migration has sqlx's 96-hex-digit checksum, and a
    /// skipped file a reason.
    #[test]
    fn any_migration_file_is_classified(
        name in ".{0,40}",
        bytes in prop::option::of(prop::collection::vec(any::<u8>(), 0..200)),
        ignored in prop::collection::vec(any::<char>(), 0..3),
    ) {
        match classify_entry(&name, bytes.as_deref(), &ignored) {
            Ok(m) => {
                prop_assert_eq!(m.checksum.len(), 96);
                prop_assert!(parse_file_name(name.rsplit('/').next().unwrap()).is_ok());
            }
            Err(i) => prop_assert!(!i.reason.is_empty()),
        }
    }

    /// The gaps.md parser takes any text and refuses exactly what the gate refuses; actions
    /// point at real lines.
    #[test]
    fn the_gapsmd_parser_takes_any_text_and_refuses_what_the_gate_refuses(
        text in action_registry_text(),
    ) {
        let gate = gapsmd_limits::check(&text);
        let tables = gapsmd::expected_tables(&text);
        let reg = gapsmd::parse(&text);
        prop_assert_eq!(tables.as_ref().err(), gate.as_ref().err());
        prop_assert_eq!(reg.as_ref().err(), gate.as_ref().err());
        if let Ok(reg) = reg {
            let lines = text.lines().count();
            for a in &reg.actions {
                prop_assert!(a.line >= 1 && a.line <= lines, "line {} of {}", a.line, lines);
                prop_assert!(a.span.0 < a.span.1 && a.span.1 <= lines);
                prop_assert!(a.id.starts_with("ACTION-"));
            }
        }
    }

    /// The "Expected Tables" reader takes any text; names it returns are plain identifiers,
    /// each once; it refuses exactly what the gaps.md gate refuses.
    #[test]
    fn the_expected_tables_reader_takes_any_text(text in registry_text()) {
        match gapsmd::expected_tables(&text) {
            Ok(names) => {
                for n in &names {
                    prop_assert!(!n.is_empty());
                    prop_assert!(n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'));
                }
                let mut unique = names.clone();
                unique.sort();
                unique.dedup();
                prop_assert_eq!(unique.len(), names.len());
                prop_assert!(gapsmd_limits::check(&text).is_ok());
            }
            Err(e) => prop_assert_eq!(Err(e), gapsmd_limits::check(&text)),
        }
    }

    /// The gate takes any bytes; what it lets through is text without NUL that passes check.
    #[test]
    fn the_gapsmd_gate_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(text) = gapsmd_limits::decode(&bytes) {
            prop_assert!(!text.contains('\0'));
            prop_assert!(!text.starts_with(BOM));
            prop_assert!(gapsmd_limits::check(text).is_ok());
        }
    }

    /// Splitting takes any text; statements keep their order, start on a real line and are
    /// never empty.
    #[test]
    fn sql_splitting_takes_any_text(text in sql_text()) {
        let lines = text.lines().count().max(1) as u32 + 1;
        let mut last = 0;
        for s in split_statements(&text) {
            prop_assert!(!s.text.trim().is_empty());
            prop_assert!(s.line >= 1 && s.line <= lines, "line {} of {}", s.line, lines);
            prop_assert!(s.line >= last);
            last = s.line;
        }
        for backend in [Backend::Postgres, Backend::Sqlite, Backend::Mysql] {
            let _ = analyse(&text, backend);
        }
    }

    /// Simple statements joined by `;` split back into exactly themselves.
    #[test]
    fn joined_statements_split_back(
        stmts in prop::collection::vec(
            (ident(), ident(), "[a-z ]{0,8}").prop_map(|(c, t, s)| {
                format!("SELECT {c} FROM {t} WHERE {c} = '{s};'")
            }),
            1..8,
        ),
    ) {
        let text = stmts.join(";\n");
        let split: Vec<String> = split_statements(&text)
            .into_iter()
            .map(|s| s.text.trim().to_string())
            .collect();
        prop_assert_eq!(split, stmts);
    }
}

/// Text shaped like a registry (headings, attribute tables, steps, nested quotes and lists,
/// raw HTML, footnotes, UNKNOWN references) with noise.
fn action_registry_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "#{1,7} (ACTION|action|Action)-[0-9]{0,5}[:\\- —]{0,2}[A-Za-z ]{0,12}",
        "## (Completed|Active) Actions",
        "\\| \\*\\*(Priority|Blocks|Owner|Description|Steps|Evidence Required|Resolves|Expected Tables|Critical Tables|Expected Response)\\*\\* \\| [^\n]{0,30} \\|",
        "\\| (- |[0-9]+\\. )[a-z_`, |\\\\]{0,30} \\|",
        "[0-9]{1,3}\\. [^\n]{0,20}",
        "UNKNOWN-[0-9]{0,4}[^\n]{0,10}",
        "[>\\-*+ 0-9.]{0,70}x",
        "(<div>|</div>|<span>|</span>|<b>|</b>|<details>|</details>|<table>|<!--|-->|<a href=\"javascript:x\">|<img src=x onerror=y>|<script>){1,6}",
        "```[a-z]{0,4}",
        "\\[\\^[a-z0-9]{1,4}\\]:? [^\n]{0,10}",
        "[^\n]{0,40}",
    ];
    prop::collection::vec(line, 0..40).prop_map(|l| l.join("\n"))
}

/// Text shaped like a registry: headings, the ACTION-004 list, table rows, nested quotes and
/// lists, and noise.
fn registry_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "#{1,7} ACTION-00[0-9]: [A-Za-z ]{0,12}",
        Just("| **Expected Tables** |".to_string()),
        "\\| - [a-z_`, .]{0,30} \\|",
        "[-*] [a-z_`, ]{0,20}",
        "[>\\- ]{0,80}x",
        "\\| \\*\\*[A-Za-z ]{1,10}\\*\\* \\| [^\n]{0,20} \\|",
        "[^\n]{0,40}",
    ];
    prop::collection::vec(line, 0..30).prop_map(|l| l.join("\n"))
}

/// SQL-ish text: keywords, identifiers, every kind of quote and comment, semicolons.
fn sql_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("SELECT ".to_string()),
        Just("FROM ".to_string()),
        Just("CREATE TABLE t (id int);".to_string()),
        Just("CREATE TRIGGER tr BEGIN ".to_string()),
        Just("BEGIN ".to_string()),
        Just("END;".to_string()),
        Just(";".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("`".to_string()),
        Just("$$".to_string()),
        Just("$tag$".to_string()),
        Just("--".to_string()),
        Just("/*".to_string()),
        Just("*/".to_string()),
        Just("\n".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        ident(),
        ".{0,6}",
    ];
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}
