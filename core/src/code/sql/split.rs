//! Splits a SQL script into statements with their 1-based start lines: quotes, dollar quotes,
//! comments and SQLite trigger bodies are respected, so one statement sqlparser cannot read
//! never hides the others. The migration replay uses it too.

/// One statement of a script with its 1-based start line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitStatement {
    /// 1-based line of the statement's first token.
    pub line: u32,
    /// The statement text without the terminating `;`.
    pub text: String,
}

/// Splits a SQL script at top-level semicolons, respecting quoted strings and identifiers,
/// `$tag$` dollar quotes, `--` and nested `/* */` comments, and `BEGIN ... END` trigger
/// bodies. Empty and comment-only pieces are dropped.
pub fn split_statements(text: &str) -> Vec<SplitStatement> {
    let b: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut line = 1u32;
    let mut start_line: Option<u32> = None;
    let mut i = 0usize;
    let mut begin_depth = 0i32;
    let mut word = String::new();
    let mut is_trigger = false;
    let mut words_seen = 0;
    let flush_word =
        |word: &mut String, begin_depth: &mut i32, is_trigger: &mut bool, words_seen: &mut i32| {
            if word.is_empty() {
                return;
            }
            let w = word.to_ascii_uppercase();
            *words_seen += 1;
            if *words_seen <= 5 && w == "TRIGGER" {
                *is_trigger = true;
            }
            if *is_trigger {
                if w == "BEGIN" {
                    *begin_depth += 1;
                } else if w == "END" && *begin_depth > 0 {
                    *begin_depth -= 1;
                }
            }
            word.clear();
        };
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
        }
        // comments
        if c == '-' && b.get(i + 1) == Some(&'-') {
            flush_word(
                &mut word,
                &mut begin_depth,
                &mut is_trigger,
                &mut words_seen,
            );
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && b.get(i + 1) == Some(&'*') {
            flush_word(
                &mut word,
                &mut begin_depth,
                &mut is_trigger,
                &mut words_seen,
            );
            let mut depth = 1;
            i += 2;
            while i < b.len() && depth > 0 {
                if b[i] == '\n' {
                    line += 1;
                }
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                } else {
                    i += 1;
                }
            }
            continue;
        }
        if !c.is_whitespace() && start_line.is_none() {
            start_line = Some(line);
            start = i;
        }
        match c {
            '\'' | '"' | '`' => {
                flush_word(
                    &mut word,
                    &mut begin_depth,
                    &mut is_trigger,
                    &mut words_seen,
                );
                i += 1;
                while i < b.len() {
                    if b[i] == '\n' {
                        line += 1;
                    }
                    if b[i] == c {
                        if b.get(i + 1) == Some(&c) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            '$' if word.is_empty() => {
                // $tag$ ... $tag$ (tag may be empty); `$1` placeholders are not quotes.
                let mut j = i + 1;
                while j < b.len() && (b[j].is_alphanumeric() || b[j] == '_') {
                    j += 1;
                }
                let tag_ok =
                    j < b.len() && b[j] == '$' && !b.get(i + 1).is_some_and(|d| d.is_ascii_digit());
                if tag_ok {
                    let tag: String = b[i..=j].iter().collect();
                    let tag_chars: Vec<char> = tag.chars().collect();
                    let mut k = j + 1;
                    let mut found = None;
                    while k + tag_chars.len() <= b.len() {
                        if b[k..k + tag_chars.len()] == tag_chars[..] {
                            found = Some(k);
                            break;
                        }
                        k += 1;
                    }
                    let end = found.map(|k| k + tag_chars.len()).unwrap_or(b.len());
                    line += b[j + 1..end].iter().filter(|&&ch| ch == '\n').count() as u32;
                    i = end;
                    continue;
                }
            }
            ';' => {
                flush_word(
                    &mut word,
                    &mut begin_depth,
                    &mut is_trigger,
                    &mut words_seen,
                );
                if begin_depth == 0 {
                    let piece: String = b[start..i].iter().collect();
                    // `;;` or a lone `;`: nothing between, nothing to keep.
                    if let Some(l) = start_line.take()
                        && !piece.trim().is_empty()
                    {
                        out.push(SplitStatement {
                            line: l,
                            text: piece.trim().to_string(),
                        });
                    }
                    start = i + 1;
                    is_trigger = false;
                    words_seen = 0;
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush_word(
                &mut word,
                &mut begin_depth,
                &mut is_trigger,
                &mut words_seen,
            );
        }
        i += 1;
    }
    if let Some(l) = start_line {
        let piece: String = b[start..].iter().collect();
        if !piece.trim().is_empty() {
            out.push(SplitStatement {
                line: l,
                text: piece.trim().to_string(),
            });
        }
    }
    out
}
