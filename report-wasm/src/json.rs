//! A small pull reader for JSON: the caller walks the document (objects key by key, arrays item
//! by item) and skips what it does not need, and errors carry the byte offset where reading
//! stopped.
//!
//! It replaces serde_json in the viewer because serde's derived deserialisers, one per type and
//! per internally tagged `Section<T>`, were over a third of the module that is inlined into
//! every report. Objects and arrays take `&mut dyn FnMut` callbacks so that each is compiled
//! once, whatever is read from it. Numbers are kept as text and only integers are ever parsed:
//! the viewer reads no floating-point values, and skipping one only checks its syntax.

use std::borrow::Cow;

/// Why reading stopped, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Byte offset into the text.
    pub at: usize,
    /// What was wrong.
    pub message: String,
}

/// Result of a read.
pub type R<T> = Result<T, Error>;

/// Nesting deeper than this is refused rather than risking the stack (serde_json's limit).
const MAX_DEPTH: u32 = 128;

/// The reader: a position in a text.
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Reader<'a> {
        Reader {
            text,
            pos: 0,
            depth: 0,
        }
    }

    /// An error at the current position.
    pub fn error(&self, message: impl Into<String>) -> Error {
        Error {
            at: self.pos,
            message: message.into(),
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next byte after whitespace, not consumed.
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes().get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                return Some(b);
            }
        }
        None
    }

    fn expect_byte(&mut self, want: u8, message: &str) -> R<()> {
        if self.peek() == Some(want) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(message))
        }
    }

    fn unexpected(&mut self, expected: &str) -> Error {
        match self.peek() {
            None => self.error(format!("unexpected end of data, expected {expected}")),
            Some(_) => self.error(format!("expected {expected}")),
        }
    }

    fn literal(&mut self, word: &str) -> R<()> {
        if self.bytes()[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("expected a JSON value"))
        }
    }

    /// Checks that only whitespace follows.
    pub fn end(&mut self) -> R<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters after the JSON value")),
        }
    }

    /// Consumes a `null` if one comes next; true when it did.
    pub fn null(&mut self) -> bool {
        if self.peek() == Some(b'n') && self.literal("null").is_ok() {
            return true;
        }
        false
    }

    /// Reads `true` or `false`.
    pub fn boolean(&mut self) -> R<bool> {
        match self.peek() {
            Some(b't') => self.literal("true").map(|_| true),
            Some(b'f') => self.literal("false").map(|_| false),
            _ => Err(self.unexpected("true or false")),
        }
    }

    /// Reads a number's text, checking the JSON grammar.
    fn number_text(&mut self) -> R<&'a str> {
        self.peek();
        let start = self.pos;
        let b = self.bytes();
        let digits = |p: &mut usize| {
            let s = *p;
            while b.get(*p).is_some_and(u8::is_ascii_digit) {
                *p += 1;
            }
            *p > s
        };
        let mut p = self.pos;
        if b.get(p) == Some(&b'-') {
            p += 1;
        }
        if b.get(p) == Some(&b'0') {
            p += 1;
        } else if !digits(&mut p) {
            return Err(self.unexpected("a number"));
        }
        if b.get(p) == Some(&b'.') {
            p += 1;
            if !digits(&mut p) {
                self.pos = p;
                return Err(self.error("expected a digit after the decimal point"));
            }
        }
        if matches!(b.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(b.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            if !digits(&mut p) {
                self.pos = p;
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        self.pos = p;
        Ok(&self.text[start..p])
    }

    /// Reads an integer.
    pub fn int(&mut self) -> R<i64> {
        let at = {
            self.peek();
            self.pos
        };
        let t = self.number_text()?;
        t.parse::<i64>().map_err(|_| Error {
            at,
            message: format!("expected an integer, found {t}"),
        })
    }

    /// Reads an integer that must fit `i32`.
    pub fn int32(&mut self) -> R<i32> {
        let at = {
            self.peek();
            self.pos
        };
        let v = self.int()?;
        i32::try_from(v).map_err(|_| Error {
            at,
            message: format!("{v} is out of range"),
        })
    }

    /// Reads a string, borrowed when it holds no escapes.
    pub fn str(&mut self) -> R<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected("a string"));
        }
        self.pos += 1;
        let b = self.bytes();
        let start = self.pos;
        let mut owned: Option<String> = None;
        let mut run = start;
        loop {
            let Some(&c) = b.get(self.pos) else {
                return Err(self.error("unexpected end of data inside a string"));
            };
            match c {
                b'"' => {
                    let s = &self.text[run..self.pos];
                    self.pos += 1;
                    return Ok(match owned {
                        None => Cow::Borrowed(s),
                        Some(mut o) => {
                            o.push_str(s);
                            Cow::Owned(o)
                        }
                    });
                }
                b'\\' => {
                    let o = owned.get_or_insert_with(String::new);
                    o.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    let Some(&e) = b.get(self.pos) else {
                        return Err(self.error("unexpected end of data inside a string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => o.push('"'),
                        b'\\' => o.push('\\'),
                        b'/' => o.push('/'),
                        b'b' => o.push('\u{8}'),
                        b'f' => o.push('\u{c}'),
                        b'n' => o.push('\n'),
                        b'r' => o.push('\r'),
                        b't' => o.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let ch = if (0xD800..0xDC00).contains(&hi) {
                                if !b[self.pos..].starts_with(b"\\u") {
                                    return Err(self.error("lone leading surrogate in \\u escape"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(
                                        self.error("invalid trailing surrogate in \\u escape")
                                    );
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            match ch {
                                Some(ch) => o.push(ch),
                                None => {
                                    return Err(self.error("lone trailing surrogate in \\u escape"));
                                }
                            }
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.error("invalid escape in a string"));
                        }
                    }
                    run = self.pos;
                }
                0..=0x1f => return Err(self.error("control character inside a string")),
                _ => self.pos += 1,
            }
        }
    }

    fn hex4(&mut self) -> R<u32> {
        let digits = self.text.get(self.pos..self.pos + 4).unwrap_or("");
        match u32::from_str_radix(digits, 16) {
            Ok(v) if digits.bytes().all(|c| c.is_ascii_hexdigit()) => {
                self.pos += 4;
                Ok(v)
            }
            _ => Err(self.error("expected four hex digits after \\u")),
        }
    }

    /// Reads a string into an owned `String`.
    pub fn string(&mut self) -> R<String> {
        self.str().map(Cow::into_owned)
    }

    /// Reads a string, or `null` as `None`.
    pub fn opt_string(&mut self) -> R<Option<String>> {
        if self.null() {
            Ok(None)
        } else {
            self.string().map(Some)
        }
    }

    /// Reads an array of strings.
    pub fn strings(&mut self) -> R<Vec<String>> {
        let mut out = Vec::new();
        self.array(&mut |r| {
            out.push(r.string()?);
            Ok(())
        })?;
        Ok(out)
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("the data is nested too deeply"));
        }
        Ok(())
    }

    /// Reads an object, calling `f` with each key; `f` must read or skip the value.
    pub fn object(&mut self, f: &mut dyn FnMut(&mut Reader<'a>, &str) -> R<()>) -> R<()> {
        if self.peek() != Some(b'{') {
            return Err(self.unexpected("an object"));
        }
        self.pos += 1;
        self.enter()?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
        } else {
            loop {
                if self.peek() != Some(b'"') {
                    return Err(self.unexpected("a string key"));
                }
                let key = self.str()?;
                self.expect_byte(b':', "`:`")?;
                f(self, &key)?;
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b'}') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.unexpected("`,` or `}`")),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads an array, calling `f` for each item; `f` must read or skip it.
    pub fn array(&mut self, f: &mut dyn FnMut(&mut Reader<'a>) -> R<()>) -> R<()> {
        if self.peek() != Some(b'[') {
            return Err(self.unexpected("an array"));
        }
        self.pos += 1;
        self.enter()?;
        if self.peek() == Some(b']') {
            self.pos += 1;
        } else {
            loop {
                f(self)?;
                match self.peek() {
                    Some(b',') => self.pos += 1,
                    Some(b']') => {
                        self.pos += 1;
                        break;
                    }
                    _ => return Err(self.unexpected("`,` or `]`")),
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// Reads and discards any value.
    pub fn skip(&mut self) -> R<()> {
        match self.peek() {
            Some(b'{') => self.object(&mut |r, _| r.skip()),
            Some(b'[') => self.array(&mut |r| r.skip()),
            Some(b'"') => self.str().map(|_| ()),
            Some(b't' | b'f') => self.boolean().map(|_| ()),
            Some(b'n') => self.literal("null"),
            Some(b'-' | b'0'..=b'9') => self.number_text().map(|_| ()),
            _ => Err(self.unexpected("a JSON value")),
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = text.get(..at).unwrap_or(text);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip_all(text: &str) -> R<()> {
        let mut r = Reader::new(text);
        r.skip()?;
        r.end()
    }

    #[test]
    fn valid_documents_are_read_to_the_end() {
        for t in [
            "{}",
            "[]",
            " {\"a\": [1, -2.5e+3, 0, 0.5E-2, true, false, null, \"x\\ny\"], \"b\": {}} ",
            "\"\\ud83d\\ude00\"",
            "-0",
        ] {
            assert_eq!(skip_all(t), Ok(()), "{t}");
        }
    }

    #[test]
    fn invalid_documents_are_refused_where_they_go_wrong() {
        for (t, at) in [
            ("{\"a\" 1}", 5),
            ("[1,]", 3),
            ("[01]", 2),
            ("[1.]", 3),
            ("{\"a\":1", 6),
            ("\"\\x\"", 2),
            ("\"\\ud800\"", 7),
            ("\"a\nb\"", 2),
            ("[1] x", 4),
            ("nul", 0),
            ("{1:2}", 1),
        ] {
            let e = skip_all(t).unwrap_err();
            assert_eq!(e.at, at, "{t}: {e:?}");
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(
            skip_all(&deep)
                .unwrap_err()
                .message
                .contains("nested too deeply")
        );
    }

    #[test]
    fn strings_unescape_and_borrow_when_they_can() {
        let mut r = Reader::new("\"plain\"");
        assert!(matches!(r.str().unwrap(), Cow::Borrowed("plain")));
        let mut r = Reader::new(r#""a\"b\\c\/d\u003c\u00e9\ud83d\ude00\t""#);
        assert_eq!(r.string().unwrap(), "a\"b\\c/d<\u{e9}\u{1f600}\t");
    }

    #[test]
    fn integers_and_their_errors() {
        let mut r = Reader::new("[12, -7, 1.5, 99999999999]");
        let mut got = Vec::new();
        let mut errs = Vec::new();
        r.array(&mut |r| {
            match r.int32() {
                Ok(v) => got.push(v),
                Err(e) => errs.push(e.message),
            }
            Ok(())
        })
        .unwrap();
        assert_eq!(got, vec![12, -7]);
        assert_eq!(
            errs,
            vec![
                "expected an integer, found 1.5",
                "99999999999 is out of range"
            ]
        );
    }

    #[test]
    fn objects_hand_each_key_to_the_caller() {
        let mut r = Reader::new(r#"{"a": "x", "skip": {"deep": [1, {"y": null}]}, "b": null}"#);
        let (mut a, mut b) = (None, Some(String::new()));
        r.object(&mut |r, k| {
            match k {
                "a" => a = r.opt_string()?,
                "b" => b = r.opt_string()?,
                _ => r.skip()?,
            }
            Ok(())
        })
        .unwrap();
        assert_eq!((a.as_deref(), b), (Some("x"), None));
    }

    #[test]
    fn line_and_column_count_characters() {
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("\u{e9}x", 2), (1, 2));
        assert_eq!(line_column("", 9), (1, 1));
    }
}
