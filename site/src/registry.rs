//! Parses a gaps.md action registry: every `### ACTION-NNN: Title` section becomes a structured
//! [`Action`] (priority, blocks, owner, description, steps, evidence required, resolves,
//! expected tables...), and every `UNKNOWN-NNN` reference is collected.
//!
//! The parser is forgiving: a registry is hand-written, so odd headings, a missing attribute
//! table or stray rows become [`Registry::warnings`] naming the line, never a failure. Pure:
//! text in, structure out.

use serde::Serialize;

use gaps_core::gapsmd_limits::{self, GapsMdError};

use crate::markdown::unknown_refs;

/// A parsed registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Registry {
    /// The first level-1 heading, if any.
    pub title: Option<String>,
    /// Actions in document order.
    pub actions: Vec<Action>,
    /// Every distinct `UNKNOWN-NNN` mentioned anywhere, sorted.
    pub unknowns: Vec<String>,
    /// What looked wrong, each naming its line ("line 12: ...").
    pub warnings: Vec<String>,
}

/// One action section.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Action {
    /// Normalised id, `ACTION-` and at least three digits.
    pub id: String,
    /// The heading text after the id.
    pub title: String,
    /// 1-based line of the heading.
    pub line: usize,
    /// Lines `[start, end)` (0-based) the section spans, heading included.
    pub span: (usize, usize),
    /// True when the section sits under a "Completed Actions" heading.
    pub completed: bool,
    /// The Priority row.
    pub priority: Option<Priority>,
    /// The Blocks row.
    pub blocks: Option<String>,
    /// The Owner row.
    pub owner: Option<String>,
    /// The Description row.
    pub description: Option<String>,
    /// The numbered Steps, without their numbers.
    pub steps: Vec<String>,
    /// The Evidence Required row.
    pub evidence_required: Option<String>,
    /// `UNKNOWN-NNN` ids from the Resolves row.
    pub resolves: Vec<String>,
    /// The Resolves row as written, e.g. "UNKNOWN-003 (partially)".
    pub resolves_text: Option<String>,
    /// Table names from an "Expected Tables" list.
    pub expected_tables: Vec<String>,
    /// Table names from a "Critical Tables" row.
    pub critical_tables: Vec<String>,
    /// A fenced code block under "Expected Response".
    pub expected_response: Option<String>,
    /// Any other attribute, with its value lines.
    pub extra: Vec<Attribute>,
}

/// An attribute the parser has no field for.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Attribute {
    /// The bold key.
    pub key: String,
    /// Its value (one entry for a simple row, several for a list).
    pub values: Vec<String>,
}

/// An action's priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Priority {
    /// The normalised level.
    pub level: PriorityLevel,
    /// The text as written, e.g. "🔴 Critical".
    pub label: String,
}

/// Normalised priority levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PriorityLevel {
    /// Critical / 🔴.
    Critical,
    /// High / 🟡.
    High,
    /// Normal / 🟢.
    Normal,
    /// Low.
    Low,
    /// Anything else.
    Other,
}

impl PriorityLevel {
    fn parse(text: &str) -> PriorityLevel {
        let t = text.to_lowercase();
        if t.contains("critical") || t.contains('🔴') {
            PriorityLevel::Critical
        } else if t.contains("high") || t.contains('🟡') || t.contains('🟠') {
            PriorityLevel::High
        } else if t.contains("normal") || t.contains("medium") || t.contains('🟢') {
            PriorityLevel::Normal
        } else if t.contains("low") || t.contains('⚪') {
            PriorityLevel::Low
        } else {
            PriorityLevel::Other
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            PriorityLevel::Critical => "critical",
            PriorityLevel::High => "high",
            PriorityLevel::Normal => "normal",
            PriorityLevel::Low => "low",
            PriorityLevel::Other => "other",
        }
    }
}

impl Registry {
    /// The action with this id.
    pub fn action(&self, id: &str) -> Option<&Action> {
        self.actions.iter().find(|a| a.id == id)
    }

    /// Redacts every prose field the report shows ([`gaps_core::redact::redact_text`]): a
    /// gaps.md is written by people and may quote a connection string or a token. Ids, table
    /// lists, `resolves` and line spans stay as parsed: the rules and the completion update
    /// (which edits the original text) use them.
    pub fn redact_prose(&mut self) {
        use gaps_core::redact::redact_text as r;
        let opt = |s: &mut Option<String>| {
            if let Some(v) = s.as_mut() {
                *v = r(v);
            }
        };
        opt(&mut self.title);
        for w in &mut self.warnings {
            *w = r(w);
        }
        for a in &mut self.actions {
            a.title = r(&a.title);
            opt(&mut a.blocks);
            opt(&mut a.owner);
            opt(&mut a.description);
            opt(&mut a.evidence_required);
            opt(&mut a.resolves_text);
            opt(&mut a.expected_response);
            if let Some(p) = a.priority.as_mut() {
                p.label = r(&p.label);
            }
            for s in &mut a.steps {
                *s = r(s);
            }
            for x in &mut a.extra {
                x.key = r(&x.key);
                for v in &mut x.values {
                    *v = r(v);
                }
            }
        }
    }
}

struct Heading<'a> {
    level: usize,
    text: &'a str,
}

fn heading(line: &str) -> Option<Heading<'_>> {
    let t = line.trim_end();
    let level = t.bytes().take_while(|b| *b == b'#').count();
    if level == 0 || level > 6 {
        return None;
    }
    let rest = &t[level..];
    if !rest.is_empty() && !rest.starts_with(' ') {
        return None;
    }
    Some(Heading {
        level,
        text: rest.trim().trim_end_matches('#').trim(),
    })
}

/// `ACTION-12: Title` -> ("ACTION-012", "Title", well_formed).
fn action_heading(text: &str) -> Option<(String, String, bool)> {
    let upper_start = text.get(..7)?;
    if !upper_start.eq_ignore_ascii_case("ACTION-") {
        return None;
    }
    let digits: String = text[7..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if digits.is_empty() {
        return None;
    }
    let number: u64 = digits.parse().ok()?;
    let after = &text[7 + digits.len()..];
    let (title, had_colon) = match after.trim_start().strip_prefix(':') {
        Some(t) => (t.trim(), after.starts_with(':')),
        None => (
            after
                .trim_start()
                .trim_start_matches(['-', '—', '–'])
                .trim(),
            false,
        ),
    };
    let id = format!("ACTION-{number:03}");
    let well_formed = had_colon && digits.len() == 3 && upper_start == "ACTION-";
    Some((id, title.to_string(), well_formed))
}

/// Splits a Markdown table row into trimmed cells, keeping `|` inside code spans and `\|`.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_code = false;
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '`' => {
                in_code = !in_code;
                cur.push(c);
            }
            '|' if !in_code => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

fn is_separator(cells: &[String]) -> bool {
    !cells.is_empty()
        && cells.iter().all(|c| {
            let t = c.trim_matches(':');
            !t.is_empty() && t.chars().all(|ch| ch == '-')
        })
}

/// `**Key**` -> `Key`.
fn bold_key(cell: &str) -> Option<&str> {
    let k = cell.strip_prefix("**")?.strip_suffix("**")?.trim();
    let k = k.strip_suffix(':').unwrap_or(k).trim();
    (!k.is_empty() && !k.contains("**")).then_some(k)
}

fn list_item(text: &str) -> String {
    let t = text.trim();
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0
        && let Some(rest) = t[digits..].strip_prefix(['.', ')'])
    {
        return rest.trim().to_string();
    }
    t.strip_prefix(['-', '*', '+'])
        .map(|r| r.trim().to_string())
        .unwrap_or_else(|| t.to_string())
}

fn table_names(text: &str) -> Vec<String> {
    text.split(',')
        .map(|s| s.trim().trim_matches('`').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn normalise_key(key: &str) -> String {
    key.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Action {
    fn set(&mut self, key: &str, value: String) {
        match normalise_key(key).as_str() {
            "priority" => {
                self.priority = Some(Priority {
                    level: PriorityLevel::parse(&value),
                    label: value,
                })
            }
            "blocks" => self.blocks = Some(value),
            "owner" => self.owner = Some(value),
            "description" => self.description = Some(value),
            "evidence required" | "evidence" => self.evidence_required = Some(value),
            "resolves" => {
                self.resolves = unknown_refs(&value)
                    .into_iter()
                    .map(|(s, e)| value[s..e].to_string())
                    .collect();
                self.resolves_text = Some(value);
            }
            "critical tables" => self.critical_tables = table_names(&value),
            "expected tables" => self.expected_tables.extend(table_names(&value)),
            "steps" => self.steps.push(list_item(&value)),
            _ => self.extra.push(Attribute {
                key: key.to_string(),
                values: vec![value],
            }),
        }
    }

    fn push_item(&mut self, key: &str, item: &str) {
        match normalise_key(key).as_str() {
            "steps" => self.steps.push(list_item(item)),
            "expected tables" | "critical tables" => {
                let names = table_names(&list_item(item));
                if normalise_key(key) == "expected tables" {
                    self.expected_tables.extend(names);
                } else {
                    self.critical_tables.extend(names);
                }
            }
            _ => match self.extra.iter_mut().find(|a| a.key == key) {
                Some(a) => a.values.push(list_item(item)),
                None => self.extra.push(Attribute {
                    key: key.to_string(),
                    values: vec![list_item(item)],
                }),
            },
        }
    }

    fn attach_code(&mut self, key: Option<&str>, code: String) {
        match key.map(normalise_key).as_deref() {
            Some("expected response") | None if self.expected_response.is_none() => {
                self.expected_response = Some(code)
            }
            Some(k) => self.extra.push(Attribute {
                key: k.to_string(),
                values: vec![code],
            }),
            None => self.extra.push(Attribute {
                key: "Code".into(),
                values: vec![code],
            }),
        }
    }
}

/// Parses a registry. Odd content never fails (problems are reported in
/// [`Registry::warnings`]); only text over the size or nesting limits every gaps.md reader
/// enforces ([`gapsmd_limits::check`]) is refused.
pub fn parse(text: &str) -> Result<Registry, GapsMdError> {
    gapsmd_limits::check(text)?;
    let lines: Vec<&str> = text.lines().collect();
    let mut reg = Registry::default();
    let mut completed_zone = false;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let Some(h) = heading(line) else {
            i += 1;
            continue;
        };
        if h.level == 1 && reg.title.is_none() {
            reg.title = Some(h.text.to_string());
        }
        if h.level <= 2 && action_heading(h.text).is_none() {
            completed_zone = h.text.to_lowercase().contains("completed");
        }
        let Some((id, title, well_formed)) = action_heading(h.text) else {
            if h.text.to_uppercase().starts_with("ACTION-") {
                reg.warnings.push(format!(
                    "line {}: heading \"{}\" looks like an action but has no number; expected \"### ACTION-NNN: Title\"",
                    i + 1,
                    h.text
                ));
            }
            i += 1;
            continue;
        };
        if !well_formed || h.level != 3 {
            reg.warnings.push(format!(
                "line {}: heading \"{}\" is not of the form \"### ACTION-NNN: Title\"; read as {id}",
                i + 1,
                line.trim()
            ));
        }
        // The section runs to the next heading of the same or a higher level.
        let mut end = i + 1;
        while end < lines.len() {
            if let Some(next) = heading(lines[end])
                && (next.level <= h.level.max(3) || action_heading(next.text).is_some())
                && !in_fence(&lines[i + 1..end])
            {
                break;
            }
            end += 1;
        }
        let mut action = Action {
            id: id.clone(),
            title,
            line: i + 1,
            span: (i, end),
            completed: completed_zone,
            ..Action::default()
        };
        parse_body(&lines[i + 1..end], i + 1, &mut action, &mut reg.warnings);
        if reg.actions.iter().any(|a| a.id == id) {
            reg.warnings.push(format!(
                "line {}: {id} appears more than once; each copy is shown",
                i + 1
            ));
        }
        reg.actions.push(action);
        i = end;
    }
    if reg.actions.is_empty() {
        reg.warnings
            .push("no \"### ACTION-NNN: Title\" sections found".to_string());
    }
    let mut unknowns: Vec<String> = unknown_refs(text)
        .into_iter()
        .map(|(s, e)| text[s..e].to_string())
        .collect();
    unknowns.sort();
    unknowns.dedup();
    reg.unknowns = unknowns;
    Ok(reg)
}

/// True when an odd number of fence lines precede: a heading there is code, not a heading.
fn in_fence(lines: &[&str]) -> bool {
    lines
        .iter()
        .filter(|l| l.trim_start().starts_with("```"))
        .count()
        % 2
        == 1
}

fn parse_body(body: &[&str], offset: usize, action: &mut Action, warnings: &mut Vec<String>) {
    let mut saw_table = false;
    let mut header_pending = true;
    let mut list_key: Option<String> = None;
    let mut k = 0;
    while k < body.len() {
        let line = body[k];
        let lineno = offset + k + 1;
        let t = line.trim();
        if t.starts_with("```") {
            let mut code = Vec::new();
            k += 1;
            while k < body.len() && !body[k].trim_start().starts_with("```") {
                code.push(body[k]);
                k += 1;
            }
            if k == body.len() {
                warnings.push(format!(
                    "line {lineno}: code block in {} is never closed",
                    action.id
                ));
            }
            action.attach_code(list_key.as_deref(), code.join("\n"));
            k += 1;
            continue;
        }
        if !t.starts_with('|') {
            if t.is_empty() || t == "---" || t == "***" {
                header_pending = true;
            }
            k += 1;
            continue;
        }
        saw_table = true;
        let row = cells(t);
        if is_separator(&row) {
            k += 1;
            continue;
        }
        let next_is_sep = body
            .get(k + 1)
            .map(|n| n.trim().starts_with('|') && is_separator(&cells(n)))
            .unwrap_or(false);
        if header_pending && next_is_sep {
            header_pending = false;
            k += 1;
            continue;
        }
        header_pending = false;
        match (row.first().and_then(|c| bold_key(c)), row.get(1)) {
            (Some(key), Some(value)) if !value.is_empty() => {
                action.set(key, value.clone());
                list_key = Some(key.to_string());
                if normalise_key(key) != "steps" {
                    list_key = None;
                }
            }
            (Some(key), _) => list_key = Some(key.to_string()),
            (None, _) => {
                let item = row.join(" | ");
                match &list_key {
                    Some(key) => action.push_item(key, &item),
                    None => warnings.push(format!(
                        "line {lineno}: row \"{item}\" in {} has no **attribute** before it",
                        action.id
                    )),
                }
            }
        }
        k += 1;
    }
    if !saw_table {
        warnings.push(format!(
            "line {}: {} has no attribute table; it is shown as written",
            offset, action.id
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mojibake;

    fn seed() -> Registry {
        parse(&mojibake::repair(include_str!(
            "../../tests/fixtures/gaps.md"
        )))
        .unwrap()
    }

    #[test]
    fn seed_has_seven_active_actions_and_no_warnings() {
        let r = seed();
        assert_eq!(r.warnings, Vec::<String>::new());
        let ids: Vec<&str> = r.actions.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "ACTION-001",
                "ACTION-002",
                "ACTION-003",
                "ACTION-004",
                "ACTION-005",
                "ACTION-006",
                "ACTION-007"
            ]
        );
        assert!(r.actions.iter().all(|a| !a.completed));
        assert_eq!(r.title.as_deref(), Some("gaps.md — Action Items Registry"));
    }

    #[test]
    fn seed_action_002_fields() {
        let r = seed();
        let a = r.action("ACTION-002").unwrap();
        assert_eq!(a.title, "Query Production Migration State");
        let p = a.priority.as_ref().unwrap();
        assert_eq!(p.level, PriorityLevel::Critical);
        assert_eq!(p.label, "🔴 Critical");
        assert_eq!(a.blocks.as_deref(), Some("Phase 2: Schema Verification"));
        assert_eq!(a.owner.as_deref(), Some("TBD"));
        assert_eq!(a.steps.len(), 3);
        assert_eq!(a.steps[0], "Connect to production database");
        assert!(a.steps[1].starts_with("Run: `SELECT version"));
        assert_eq!(
            a.evidence_required.as_deref(),
            Some("Query results showing applied migrations")
        );
        assert_eq!(a.resolves, ["UNKNOWN-002", "UNKNOWN-003"]);
    }

    #[test]
    fn seed_action_004_expected_tables_list() {
        let r = seed();
        let a = r.action("ACTION-004").unwrap();
        assert_eq!(a.expected_tables.len(), 41, "{:?}", a.expected_tables);
        assert_eq!(a.expected_tables[0], "users");
        assert!(a.expected_tables.contains(&"habit_completions".to_string()));
        assert_eq!(a.expected_tables.last().unwrap(), "platform_settings");
        assert_eq!(a.evidence_required.as_deref(), Some("Table list diff"));
        assert!(a.resolves.is_empty());
    }

    #[test]
    fn seed_action_005_critical_tables_and_006_expected_response() {
        let r = seed();
        let a5 = r.action("ACTION-005").unwrap();
        assert_eq!(
            a5.critical_tables,
            [
                "users",
                "focus_sessions",
                "quests",
                "habits",
                "goals",
                "calendar_events"
            ]
        );
        let a6 = r.action("ACTION-006").unwrap();
        assert_eq!(a6.priority.as_ref().unwrap().level, PriorityLevel::Normal);
        let body = a6.expected_response.as_deref().unwrap();
        assert!(body.contains("\"schema_version\": 14"), "{body}");
        assert_eq!(a6.evidence_required.as_deref(), Some("HTTP response JSON"));
    }

    #[test]
    fn seed_unknowns_are_collected() {
        let r = seed();
        assert_eq!(
            r.unknowns,
            [
                "UNKNOWN-001",
                "UNKNOWN-002",
                "UNKNOWN-003",
                "UNKNOWN-004",
                "UNKNOWN-005"
            ]
        );
        let a7 = r.action("ACTION-007").unwrap();
        assert_eq!(a7.resolves, ["UNKNOWN-003"]);
        assert_eq!(a7.resolves_text.as_deref(), Some("UNKNOWN-003 (partially)"));
    }

    #[test]
    fn action_without_table_is_kept_with_a_warning() {
        let r = parse("## Active Actions\n\n### ACTION-010: Prose only\n\nJust text.\n").unwrap();
        assert_eq!(r.actions.len(), 1);
        assert_eq!(r.actions[0].title, "Prose only");
        assert!(r.actions[0].priority.is_none());
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].contains("line 3"), "{:?}", r.warnings);
        assert!(r.warnings[0].contains("no attribute table"));
    }

    #[test]
    fn odd_headings_are_normalised_with_warnings() {
        let text = "## ACTION-8 - Level two, no colon\n\n| **Owner** | me |\n\n#### action-12: lower case\n\n### ACTION-X: no number\n";
        let r = parse(text).unwrap();
        let ids: Vec<&str> = r.actions.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["ACTION-008", "ACTION-012"]);
        assert_eq!(r.actions[0].title, "Level two, no colon");
        assert_eq!(r.actions[0].owner.as_deref(), Some("me"));
        assert!(r.warnings.iter().any(|w| w.starts_with("line 1:")));
        assert!(r.warnings.iter().any(|w| w.starts_with("line 5:")));
        assert!(
            r.warnings
                .iter()
                .any(|w| w.starts_with("line 7:") && w.contains("no number")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn rows_without_a_key_and_unclosed_code_are_reported() {
        let text = "### ACTION-001: A\n\n| Attribute | Value |\n|---|---|\n| stray row |\n| **Expected Response** |\n```json\n{\n";
        let r = parse(text).unwrap();
        assert!(
            r.warnings.iter().any(|w| w.contains("stray row")),
            "{:?}",
            r.warnings
        );
        assert!(r.warnings.iter().any(|w| w.contains("never closed")));
        assert_eq!(r.actions[0].expected_response.as_deref(), Some("{"));
    }

    #[test]
    fn pipes_inside_code_spans_stay_in_the_cell() {
        let r = parse("### ACTION-001: A\n\n| **Steps** |\n| 1. Run `a | b` now |\n").unwrap();
        assert_eq!(r.actions[0].steps, ["Run `a | b` now"]);
    }

    #[test]
    fn duplicates_and_completed_zone_are_noticed() {
        let text = "## Active Actions\n### ACTION-001: A\n| **Owner** | x |\n## Completed Actions\n### ACTION-001: A again\n| **Owner** | y |\n";
        let r = parse(text).unwrap();
        assert_eq!(r.actions.len(), 2);
        assert!(!r.actions[0].completed);
        assert!(r.actions[1].completed);
        assert!(r.warnings.iter().any(|w| w.contains("more than once")));
    }

    #[test]
    fn empty_document_says_no_actions() {
        let r = parse("").unwrap();
        assert!(r.actions.is_empty());
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn crlf_registry_parses_like_lf() {
        let lf = parse("### ACTION-001: A\n\n| **Owner** | x |\n").unwrap();
        let crlf = parse("### ACTION-001: A\r\n\r\n| **Owner** | x |\r\n").unwrap();
        assert_eq!(lf.actions[0].owner, crlf.actions[0].owner);
        assert_eq!(crlf.actions[0].title, "A");
    }
}
