//! Showing untrusted text safely: control characters (C0, DEL, C1 — ESC, BEL, NUL, CR...),
//! Unicode bidi overrides and isolates, and invisible format characters become visible
//! escapes (`\u{1b}`), so a table name, a log line or a health body can neither drive the
//! terminal (set its title, colours, hide lines) nor reorder or hide what is shown. Every text
//! renderer (`check`, `diff`, collect's messages, the report page) goes through
//! [`is_unsafe`] and [`push_escaped`]; JSON output keeps its value but spells these
//! characters as `\uXXXX` ([`json_output`]).

use std::borrow::Cow;

/// True for a character that must not reach a terminal or a page as itself: C0 controls
/// (NUL, BEL, BS, TAB, LF, CR, ESC...), DEL, C1 controls (including the 8-bit CSI), the bidi
/// embeddings, overrides, isolates and marks, invisible format characters (zero-width space,
/// word joiner, BOM, soft hyphen, tag characters, line/paragraph separators) and Unicode
/// noncharacters (invalid in HTML). Zero-width joiners stay: emoji and several scripts need
/// them.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{fdd0}'..='\u{fdef}'
            | '\u{e0000}'..='\u{e007f}'
    ) || (c as u32 & 0xfffe) == 0xfffe
}

/// Appends the visible form of an unsafe character: `\t`, `\n`, `\r`, else `\u{hex}`.
pub fn push_escaped(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        _ => {
            use std::fmt::Write;
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// `s` with every unsafe character escaped, newlines and tabs included: for one value shown
/// on one line (a table name, a message, a path).
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_where(s, is_unsafe)
}

/// `s` with every unsafe character escaped except newlines and tabs: for a whole rendered
/// block whose values were escaped with [`terminal`] already (a second line of defence) and
/// for multi-line text shown as such.
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    escape_where(s, |c| is_unsafe(c) && c != '\n' && c != '\t')
}

/// Text for an HTML page: HTML-escaped (`& < > " '`) and with unsafe characters escaped as in
/// [`terminal_lines`], so NUL and other characters invalid in HTML never reach the page and
/// bidi controls cannot reorder it. The report's template engine escapes every value with it.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            '/' => out.push_str("&#x2F;"),
            '\n' | '\t' => out.push(c),
            c if is_unsafe(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Serialised JSON made safe to print: DEL, C1 controls, bidi and invisible format
/// characters written as `\uXXXX` escapes (serde_json escapes only C0), which JSON readers
/// decode to the same value. Only characters inside strings can be unsafe, so the document's
/// structure is untouched.
pub fn json_output(json: &str) -> Cow<'_, str> {
    // serde_json escapes C0 inside strings, so a raw newline or tab is the layout's own.
    let spelled = |c: char| is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r');
    if !json.chars().any(spelled) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if spelled(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn escape_where(s: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    let Some(first) = s
        .char_indices()
        .find(|(_, c)| unsafe_char(*c))
        .map(|(i, _)| i)
    else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 16);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a\u{1b}]0;pwned\u{7}b\u{1b}[31mc\u{0}d\re\u{9b}2Jf\u{202e}g\u{2066}h\u{200b}i\u{feff}j\u{e0041}k\u{fffe}";

    #[test]
    fn controls_bidi_and_invisible_characters_are_made_visible() {
        let t = terminal(HOSTILE);
        assert!(!t.chars().any(is_unsafe), "{t:?}");
        assert_eq!(
            t,
            "a\\u{1b}]0;pwned\\u{7}b\\u{1b}[31mc\\u{0}d\\re\\u{9b}2Jf\\u{202e}g\\u{2066}h\\u{200b}i\\u{feff}j\\u{e0041}k\\u{fffe}"
        );
        assert_eq!(terminal("line\nnext\tx"), "line\\nnext\\tx");
        assert_eq!(terminal_lines("line\nnext\tx\u{7}"), "line\nnext\tx\\u{7}");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for s in ["users", "café ñ 日本語 👩‍👩‍👧 עברית", "C:\\path", ""] {
            assert!(matches!(terminal(s), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn html_escapes_markup_and_controls() {
        let h = html("<b>\"x\"</b>&'\u{0}\u{1b}\u{202e}\n");
        assert_eq!(
            h,
            "&lt;b&gt;&quot;x&quot;&lt;&#x2F;b&gt;&amp;&#x27;\\u{0}\\u{1b}\\u{202e}\n"
        );
    }

    #[test]
    fn json_output_keeps_the_value_and_spells_unsafe_characters() {
        let value = serde_json::json!({ "name": HOSTILE, "plain": "ok" });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = json_output(&text);
        assert!(!safe.chars().any(|c| is_unsafe(c) && c != '\n'), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
        assert!(matches!(json_output("{\"a\": 1}\n"), Cow::Borrowed(_)));
    }
}
