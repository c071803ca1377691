//! The workflow commands parsed back as the runner reads them, with hostile values, and the
//! step summary's structure and escaping.

use std::collections::BTreeMap;

use gaps_core::finding::FindingKind;
use gaps_core::testing::{Service, rejected};

use super::*;

/// One parsed workflow command: (command, properties, message), unescaped.
type Parsed = (String, BTreeMap<String, String>, String);

fn unescape(s: &str) -> String {
    s.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// Parses one line the way the Actions runner does: `::name props::message`, properties
/// split at `,` then at the first `=`.
fn parse(line: &str) -> Parsed {
    let rest = line.strip_prefix("::").expect("a command starts with ::");
    let (head, message) = rest.split_once("::").expect("a command has a second ::");
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_string(), unescape(v))
        })
        .collect();
    (name.to_string(), props, unescape(message))
}

fn parse_all(text: &str) -> Vec<Parsed> {
    text.lines().map(parse).collect()
}

fn service() -> (Snapshot, Vec<Finding>, Diagnosis) {
    let s = Service::new()
        .migration(1, "CREATE TABLE users (id BIGINT PRIMARY KEY);")
        .migration(2, "CREATE TABLE todos (id BIGINT PRIMARY KEY);")
        .applied(&[1])
        .query(
            "src/a,b:c%.rs",
            7,
            "SELECT id FROM todos",
            rejected(
                "42P01",
                "relation \"todos\" does not exist\n::set-output name=x::y %0A",
                Some("todos"),
                None,
            ),
        )
        .snapshot();
    let f = gaps_core::rules::analyse(&s);
    let d = gaps_core::causes::diagnose(&s, &f);
    (s, f, d)
}

#[test]
fn commands_parse_back_to_the_findings_exactly() {
    let (_, f, d) = service();
    let map: BTreeMap<String, String> = f
        .iter()
        .filter_map(|x| x.file.clone())
        .filter(|x| x.starts_with("src/"))
        .map(|x| (x.clone(), format!("svc/{x}")))
        .collect();
    let paths = RepoPaths::new(map, None);
    let text = annotations(&f, &d, &paths, None);
    let lines: Vec<&str> = text.lines().collect();
    let located: Vec<&Finding> = f.iter().filter(|x| paths.of_finding(x).is_some()).collect();
    assert!(!located.is_empty());
    let parsed: Vec<Parsed> = lines.iter().map(|l| parse(l)).collect();
    let with_file: Vec<&Parsed> = parsed.iter().filter(|p| p.1.contains_key("file")).collect();
    assert_eq!(
        with_file.len(),
        located.len(),
        "one per located finding:\n{text}"
    );
    for (p, finding) in with_file.iter().zip(&located) {
        assert_eq!(p.0, "error");
        assert_eq!(p.1["file"], "svc/src/a,b:c%.rs");
        assert_eq!(p.1["line"], finding.line.unwrap().to_string());
        assert!(p.1["title"].starts_with(finding.kind.name()), "{:?}", p.1);
        assert!(p.2.starts_with(&finding.message), "{:?}", p.2);
        assert!(
            p.2.contains("\n::set-output"),
            "the newline survives as data"
        );
    }
    let fleet = annotations(&f, &d, &paths, Some("billing"));
    assert!(
        parse_all(&fleet)
            .iter()
            .all(|p| p.1["title"].starts_with("[billing] ")),
        "{fleet}"
    );
    // Nothing the message carried became a command of its own.
    assert!(lines.iter().all(|l| !l.starts_with("::set-output")));
    // Every cause is seen: those without a located finding get a command without a file.
    for (n, c) in d.causes.iter().enumerate() {
        assert!(
            parsed.iter().any(|p| p
                .1
                .get("title")
                .is_some_and(|t| { t.contains(&format!("cause {}: {}", n + 1, c.title)) })),
            "cause {} not annotated:\n{text}",
            c.id
        );
    }
}

#[test]
fn escaping_follows_the_actions_toolkit() {
    assert_eq!(escape_data("a%b\r\nc"), "a%25b%0D%0Ac");
    assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    assert_eq!(escape_data("\u{1b}[31m"), "\\u{1b}[31m");
}

#[test]
fn the_summary_lists_the_causes_in_order_with_their_fix_and_escapes_markdown() {
    let (mut s, f, d) = service();
    s.target.label = Some("billing <img src=x> [l](http://e)".into());
    let md_text = summary(&s, &f, &d);
    assert!(
        md_text.starts_with("## gaps check: billing \\<img src\\=x\\> \\[l\\]\\(http\\:\\/\\/e\\)")
    );
    let heading = md_text.lines().next().unwrap();
    assert!(
        !heading.replace("\\<", "").contains('<'),
        "every < is escaped: {heading}"
    );
    for (i, c) in d.causes.iter().enumerate() {
        assert!(
            md_text.contains(&format!("\n### {}. {}", i + 1, md(&c.title))),
            "{md_text}"
        );
    }
    let fix_steps: usize = d.causes.iter().map(|c| c.fix.len()).sum();
    assert!(fix_steps > 0);
    assert!(md_text.contains("**Fix**"));
    assert!(md_text.contains(&md(&d.headline(&f))));
    assert!(md_text.contains(&format!("- error {}", md(FindingKind::QueryInvalid.name()))));
}

#[test]
fn a_code_fence_is_longer_than_any_backtick_run_inside() {
    let mut out = String::new();
    fenced(&mut out, "", "sql", "SELECT '````' ;");
    assert!(out.starts_with("`````sql\n"), "{out}");
}
