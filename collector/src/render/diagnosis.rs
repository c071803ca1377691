//! The diagnosis as `gaps check` and `gaps demo` print it: the opening sentence, the causes in
//! fix order, one block per cause (title, chain, fix, impact), and the findings under their
//! cause with `--findings`; as JSON, the findings with their cause and the causes. Also the
//! causes part of `gaps diff`. Colour only on a terminal and never with `NO_COLOR`; every
//! value from a snapshot is escaped ([`gaps_core::escape::terminal`]).

use std::io::IsTerminal;

use gaps_core::causes::{Cause, CausesDiff, Diagnosis, check_output};
use gaps_core::escape::terminal as t;
use gaps_core::finding::{Finding, Severity};
use gaps_core::snapshot::Snapshot;

/// How the text is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// ANSI colours (a terminal without `NO_COLOR`).
    pub color: bool,
    /// List each cause's findings under it.
    pub findings: bool,
}

/// True when `stream_is_terminal` and `NO_COLOR` is unset or empty (<https://no-color.org>).
pub fn color_wanted(stream_is_terminal: bool) -> bool {
    color_for(stream_is_terminal, std::env::var_os("NO_COLOR").as_deref())
}

/// [`color_wanted`] with the value of `NO_COLOR` given.
pub fn color_for(stream_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stream_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Colour for standard output.
pub fn stdout_color() -> bool {
    color_wanted(std::io::stdout().is_terminal())
}

/// Colour for standard error.
pub fn stderr_color() -> bool {
    color_wanted(std::io::stderr().is_terminal())
}

/// ANSI styling that is a no-op without colour.
struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
    fn cyan(&self, s: &str) -> String {
        self.wrap("36", s)
    }
    fn severity(&self, s: Severity) -> String {
        let (code, word) = match s {
            Severity::Error => ("1;31", "ERROR"),
            Severity::Warning => ("1;33", "WARNING"),
            Severity::Info => ("1;34", "INFO"),
        };
        self.wrap(code, &format!("{word:<7}"))
    }
}

/// The opening sentence and the numbered list of cause titles.
fn plan(out: &mut String, d: &Diagnosis, findings: &[Finding], p: &Paint) {
    out.push_str(&p.bold(&t(&d.headline(findings))));
    if d.causes.is_empty() {
        out.push('\n');
        return;
    }
    out.push_str(" Fix in this order:\n");
    for (i, c) in d.causes.iter().enumerate() {
        let sev = if c.severity == Severity::Error {
            String::new()
        } else {
            format!(" ({})", c.severity.as_str())
        };
        out.push_str(&format!("  {:>2}. {}{sev}\n", i + 1, t(&c.title)));
    }
}

/// "1, 3": the positions of the causes with `ids` in the plan.
fn positions(d: &Diagnosis, ids: &[String]) -> String {
    ids.iter()
        .map(|id| {
            d.causes
                .iter()
                .position(|c| &c.id == id)
                .map(|i| format!("{} ({})", i + 1, t(id)))
                .unwrap_or_else(|| t(id).into_owned())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn impact_line(c: &Cause) -> Option<String> {
    let i = &c.impact;
    let mut parts = Vec::new();
    if i.log_lines > 0 {
        parts.push(format!(
            "{} log line{}",
            i.log_lines,
            if i.log_lines == 1 { "" } else { "s" }
        ));
    }
    if !i.call_sites.is_empty() {
        parts.push(format!(
            "{} call site{}",
            i.call_sites.len(),
            if i.call_sites.len() == 1 { "" } else { "s" }
        ));
    }
    if !i.models.is_empty() {
        parts.push(format!("models {}", i.models.join(", ")));
    }
    if !i.endpoints.is_empty() {
        parts.push(format!("requests {}", i.endpoints.join(", ")));
    }
    if !i.files.is_empty() {
        parts.push(format!("files {}", i.files.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// One cause's block.
fn cause_block(out: &mut String, n: usize, c: &Cause, d: &Diagnosis, p: &Paint) {
    out.push_str(&format!(
        "\n{}. {} {}  {}\n",
        n,
        p.severity(c.severity),
        p.bold(&t(&c.title)),
        p.dim(&format!("[{}]", t(&c.id)))
    ));
    let label = |s: &str| p.dim(&format!("{s:<7}"));
    for (i, line) in c.chain.iter().enumerate() {
        let head = if i == 0 { label("why") } else { " ".repeat(7) };
        let arrow = if i == 0 { "" } else { "-> " };
        out.push_str(&format!("   {head} {arrow}{}\n", t(line)));
    }
    for (i, step) in c.fix.iter().enumerate() {
        let head = if i == 0 { label("fix") } else { " ".repeat(7) };
        out.push_str(&format!("   {head} {}) {}\n", i + 1, t(&step.text)));
        if let Some(cmd) = &step.command {
            out.push_str(&format!(
                "              {}\n",
                p.cyan(&format!("$ {}", t(cmd)))
            ));
        }
        if let Some(sql) = &step.sql {
            for line in sql.lines() {
                out.push_str(&format!("              {}\n", p.cyan(&t(line))));
            }
        }
    }
    for (i, note) in c.conflicts.iter().enumerate() {
        let head = if i == 0 { label("note") } else { " ".repeat(7) };
        out.push_str(&format!("   {head} {}\n", t(note)));
    }
    if !c.blocked_by.is_empty() {
        out.push_str(&format!(
            "   {} fix {} first\n",
            label("after"),
            positions(d, &c.blocked_by)
        ));
    }
    if !c.blocks.is_empty() {
        out.push_str(&format!(
            "   {} sqlx refuses {} until this is fixed\n",
            label("blocks"),
            positions(d, &c.blocks)
        ));
    }
    if let Some(line) = impact_line(c) {
        out.push_str(&format!("   {} {}\n", label("impact"), t(&line)));
    }
}

fn finding_line(f: &Finding) -> String {
    let mut s = format!(
        "      {:<7} {}: {}",
        f.severity.as_str(),
        f.kind.name(),
        t(&f.message)
    );
    if let Some(file) = &f.file {
        match f.line {
            Some(l) => s.push_str(&format!(" [{}:{l}]", t(file))),
            None => s.push_str(&format!(" [{}]", t(file))),
        }
    }
    if let Some(step) = &f.next_step {
        s.push_str(&format!(" -> next: {}", t(step)));
    }
    s.push('\n');
    s
}

/// The diagnosis of `findings` as text for people.
pub fn text(snapshot: &Snapshot, findings: &[Finding], d: &Diagnosis, opts: TextOptions) -> String {
    let p = Paint(opts.color);
    let mut out = String::new();
    let target = snapshot
        .target
        .label
        .clone()
        .or_else(|| snapshot.target.database_url.clone())
        .unwrap_or_else(|| "(no database)".into());
    out.push_str(&format!(
        "gaps check: {} (collected {})\n",
        t(&target),
        t(&snapshot.collected_at)
    ));
    let skipped: Vec<&str> = snapshot
        .section_statuses()
        .into_iter()
        .filter(|(_, s)| *s == gaps_core::snapshot::SectionStatus::Skipped)
        .map(|(name, _)| name)
        .collect();
    if !skipped.is_empty() {
        out.push_str(&format!("not collected: {}\n", skipped.join(", ")));
    }
    out.push('\n');
    if findings.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    plan(&mut out, d, findings, &p);
    for (i, c) in d.causes.iter().enumerate() {
        cause_block(&mut out, i + 1, c, d, &p);
        if opts.findings {
            out.push_str(&format!("   {}\n", p.dim("findings")));
            for &fi in &c.findings {
                out.push_str(&finding_line(&findings[fi]));
            }
        } else {
            out.push_str(&format!(
                "   {}\n",
                p.dim(&format!(
                    "{} finding{} (--findings lists them)",
                    c.findings.len(),
                    if c.findings.len() == 1 { "" } else { "s" }
                ))
            ));
        }
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "\n{} error(s), {} warning(s), {} info in {} cause(s)\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        d.causes.len()
    ));
    out
}

/// `gaps check --format json`: `{"findings": [...each with "cause"...], "causes": [...]}`,
/// safe to print ([`gaps_core::escape::json_output`]), ending in a newline.
pub fn json(findings: &[Finding], d: &Diagnosis) -> String {
    let value =
        serde_json::to_value(check_output(findings, d)).expect("the check output serialises");
    let s = serde_json::to_string_pretty(&value).expect("a JSON value serialises");
    let mut s = gaps_core::escape::json_output(&s).into_owned();
    s.push('\n');
    s
}

/// The causes part of `gaps diff`: appeared `+`, disappeared `-`, changed `~`.
pub fn diff_text(d: &CausesDiff) -> String {
    let mut out = format!(
        "Causes: {} appeared, {} disappeared, {} changed, {} unchanged\n",
        d.appeared.len(),
        d.disappeared.len(),
        d.changed.len(),
        d.unchanged
    );
    for c in &d.appeared {
        out.push_str(&format!(
            "  + {} {} [{}]\n",
            c.severity.as_str(),
            t(&c.title),
            t(&c.id)
        ));
    }
    for c in &d.disappeared {
        out.push_str(&format!(
            "  - {} {} [{}]\n",
            c.severity.as_str(),
            t(&c.title),
            t(&c.id)
        ));
    }
    for c in &d.changed {
        out.push_str(&format!(
            "  ~ {} {} [{}]: {}\n",
            c.cause.severity.as_str(),
            t(&c.cause.title),
            t(&c.cause.id),
            t(&c.changes.join("; "))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaps_core::testing::{Service, rejected};

    fn demo() -> (Snapshot, Vec<Finding>, Diagnosis) {
        let s = Service::new()
            .migration(
                1,
                "CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL);",
            )
            .migration(
                2,
                "CREATE TABLE \"evil\u{1b}]0;x\u{7}\" (id BIGINT PRIMARY KEY);",
            )
            .applied(&[1])
            .query(
                "src/a.rs",
                3,
                "SELECT id FROM todos",
                rejected(
                    "42P01",
                    "relation \"todos\" does not exist",
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
    fn the_text_opens_with_the_diagnosis_and_lists_findings_only_when_asked() {
        let (s, f, d) = demo();
        let plain = text(&s, &f, &d, TextOptions::default());
        let body: Vec<&str> = plain
            .lines()
            .skip_while(|l| !l.contains("explain"))
            .collect();
        assert!(
            // todos missing and the statement it rejects; 0002 pending and the table it creates.
            body[0].starts_with("2 causes explain 4 errors. Fix in this order:"),
            "{plain}"
        );
        assert!(
            !plain.contains("\u{1b}"),
            "no raw escape reaches the terminal: {plain}"
        );
        assert!(plain.contains("\\u{1b}]0;x\\u{7}"), "{plain}");
        assert!(plain.contains("(--findings lists them)"));
        assert!(!plain.contains("migration_pending:"));
        let listed = text(
            &s,
            &f,
            &d,
            TextOptions {
                color: false,
                findings: true,
            },
        );
        assert!(listed.contains("migration_pending:"), "{listed}");
        let coloured = text(
            &s,
            &f,
            &d,
            TextOptions {
                color: true,
                findings: false,
            },
        );
        assert!(coloured.contains("\u{1b}[1;31mERROR"));
    }

    #[test]
    fn no_color_turns_colour_off_even_on_a_terminal() {
        use std::ffi::OsStr;
        assert!(!color_for(true, Some(OsStr::new("1"))));
        assert!(
            color_for(true, Some(OsStr::new(""))),
            "an empty NO_COLOR is unset"
        );
        assert!(color_for(true, None));
        assert!(!color_for(false, None), "never when piped");
    }

    #[test]
    fn json_gives_every_finding_its_cause() {
        let (_, f, d) = demo();
        let v: serde_json::Value = serde_json::from_str(&json(&f, &d)).unwrap();
        assert_eq!(v["findings"].as_array().unwrap().len(), f.len());
        assert!(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["cause"].as_str().is_some_and(|c| !c.is_empty()))
        );
        assert_eq!(v["causes"].as_array().unwrap().len(), d.causes.len());
    }
}
