//! The one gaps.md parser: every `### ACTION-NNN: Title` section of an action registry becomes
//! a structured [`Action`] (priority, blocks, owner, description, steps, evidence required,
//! resolves, expected tables...), and every `UNKNOWN-NNN` reference is collected. `gaps
//! collect` takes ACTION-004's "Expected Tables" from it ([`expected_tables`]) and the report
//! renders the whole registry, so the rules and the page never read a registry differently.
//!
//! The parser is forgiving: a registry is hand-written, so odd headings, a missing attribute
//! table or stray rows become [`Registry::warnings`] naming the line, never a failure. A table
//! list ("Expected Tables", "Critical Tables") may be written as table rows (`| - users,
//! accounts |`), on the key's own row, or as a plain markdown list under the key (`- users`,
//! the key itself as a row or as a line `Expected tables:`); names may be in backticks; a name
//! that is not a plain identifier is left out with a warning, and each name is kept once.
//! Pure: text in, structure out. Every text passes [`gapsmd_limits::check`] first.

use serde::Serialize;

use crate::gapsmd_limits::{self, GapsMdError};

/// The id of the action whose "Expected Tables" the rules check against the live schema.
pub const TABLES_ACTION: &str = "ACTION-004";

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

    /// Redacts every prose field the report shows ([`crate::redact::redact_text`]): a
    /// gaps.md is written by people and may quote a connection string or a token. Ids, table
    /// lists, `resolves` and line spans stay as parsed: the rules and the completion update
    /// (which edits the original text) use them.
    pub fn redact_prose(&mut self) {
        use crate::redact::redact_text as r;
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

/// Splits a Markdown table row into trimmed cells, keeping `|` inside code spans and `\|`. A
/// backtick without its closing one is a literal backtick, as in CommonMark: it does not hide
/// the rest of the row's `|`.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    split_cells(inner, true).unwrap_or_else(|| split_cells(inner, false).unwrap_or_default())
}

/// The cells of a row; `None` when `code_spans` and a code span is never closed.
fn split_cells(inner: &str, code_spans: bool) -> Option<Vec<String>> {
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
                in_code = code_spans && !in_code;
                cur.push(c);
            }
            '|' if !in_code => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if in_code {
        return None;
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    Some(out)
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

/// A name the rules can look up: letters, digits, `_`, and `.` between schema and table.
fn is_table_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Whether the attribute holds table names.
fn is_table_list(key: &str) -> bool {
    matches!(
        normalise_key(key).as_str(),
        "expected tables" | "critical tables"
    )
}

/// A table list's key written as a line of its own outside the table: `Expected tables:`,
/// `**Expected Tables**`, `**Expected Tables:**`.
fn prose_table_key(line: &str) -> Option<&str> {
    let t = line.trim().trim_end_matches(':').trim();
    let t = t
        .strip_prefix("**")
        .and_then(|k| k.strip_suffix("**"))
        .unwrap_or(t);
    let t = t.trim().trim_end_matches(':').trim();
    is_table_list(t).then_some(t)
}

/// The text of a markdown bullet (`- x`, `* x`, `+ x`).
fn bullet(line: &str) -> Option<&str> {
    line.strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))
        .or_else(|| line.strip_prefix("+ "))
}

fn normalise_key(key: &str) -> String {
    key.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Action {
    /// Adds the table names in `text` to the list `key` names, each once; returns the names
    /// left out because they are not table names.
    fn add_tables(&mut self, key: &str, text: &str) -> Vec<String> {
        let list = if normalise_key(key) == "expected tables" {
            &mut self.expected_tables
        } else {
            &mut self.critical_tables
        };
        let mut left_out = Vec::new();
        for name in table_names(text) {
            if !is_table_name(&name) {
                left_out.push(name);
            } else if !list.contains(&name) {
                list.push(name);
            }
        }
        left_out
    }

    /// Sets attribute `key` from its row's value; returns table names left out.
    fn set(&mut self, key: &str, value: String) -> Vec<String> {
        if is_table_list(key) {
            return self.add_tables(key, &value);
        }
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
            "steps" => self.steps.push(list_item(&value)),
            _ => self.extra.push(Attribute {
                key: key.to_string(),
                values: vec![value],
            }),
        }
        Vec::new()
    }

    /// Adds one list item under attribute `key`; returns table names left out.
    fn push_item(&mut self, key: &str, item: &str) -> Vec<String> {
        if is_table_list(key) {
            return self.add_tables(key, &list_item(item));
        }
        match normalise_key(key).as_str() {
            "steps" => self.steps.push(list_item(item)),
            _ => match self.extra.iter_mut().find(|a| a.key == key) {
                Some(a) => a.values.push(list_item(item)),
                None => self.extra.push(Attribute {
                    key: key.to_string(),
                    values: vec![list_item(item)],
                }),
            },
        }
        Vec::new()
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

/// Table names listed under "Expected Tables" in the [`TABLES_ACTION`] sections, in order,
/// each once: what `gaps collect` records as gaps.md's expectation. Refused only when the text
/// breaks the size or nesting limits every gaps.md reader enforces.
pub fn expected_tables(markdown: &str) -> Result<Vec<String>, GapsMdError> {
    Ok(parse(markdown)?.expected_tables())
}

impl Registry {
    /// The "Expected Tables" of every [`TABLES_ACTION`] section, in order, each once.
    pub fn expected_tables(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for a in self.actions.iter().filter(|a| a.id == TABLES_ACTION) {
            for t in &a.expected_tables {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }
}

/// Finds every `UNKNOWN-` followed by digits in `text`, as (start, end) byte ranges.
pub fn unknown_refs(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("UNKNOWN-") {
        let start = from + i;
        let digits = text[start + 8..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let end = start + 8 + digits;
        if digits > 0 {
            out.push((start, end));
        }
        from = end.max(start + 8);
    }
    out
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
        let mut left_out = |action: &Action, key: &str, names: Vec<String>| {
            for name in names {
                warnings.push(format!(
                    "line {lineno}: \"{name}\" under {key} in {} is not a table name; it is left out",
                    action.id
                ));
            }
        };
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
            // A table list may also be a plain markdown list under its key; the first other
            // line of prose ends it.
            if let Some(key) = prose_table_key(t) {
                list_key = Some(key.to_string());
            } else if let Some(key) = list_key.clone().filter(|k| is_table_list(k)) {
                match bullet(t) {
                    Some(item) => {
                        let names = action.push_item(&key, item);
                        left_out(action, &key, names);
                    }
                    None if !t.is_empty() => list_key = None,
                    None => {}
                }
            }
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
                let names = action.set(key, value.clone());
                left_out(action, key, names);
                // Steps and table lists may go on in the rows below.
                list_key =
                    (normalise_key(key) == "steps" || is_table_list(key)).then(|| key.to_string());
            }
            (Some(key), _) => list_key = Some(key.to_string()),
            (None, _) => {
                let item = row.join(" | ");
                match list_key.clone() {
                    Some(key) => {
                        let names = action.push_item(&key, &item);
                        left_out(action, &key, names);
                    }
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
mod tests;
