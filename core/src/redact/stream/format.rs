//! [`SafeFormatter`]: a `serde_json` formatter that spells unsafe characters as `\uXXXX` while
//! the text is written, so JSON output is safe to print without a second pass over it.

use std::io;

use serde_json::ser::Formatter;

use crate::escape::is_unsafe;

/// Wraps a formatter (the layout: pretty or compact) and writes every string — keys and
/// values — with DEL, C1 controls, bidi and invisible format characters as `\uXXXX` escapes
/// (two for a character beyond the BMP), exactly as [`crate::escape::json_output`] rewrites a
/// finished text. serde_json escapes C0 controls itself.
pub struct SafeFormatter<F> {
    inner: F,
}

impl<F> SafeFormatter<F> {
    /// The layout of `inner`, with safe strings.
    pub fn new(inner: F) -> Self {
        SafeFormatter { inner }
    }
}

macro_rules! layout {
    ($($method:ident),* $(,)?) => {
        $(fn $method<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
            self.inner.$method(writer)
        })*
    };
}

impl<F: Formatter> Formatter for SafeFormatter<F> {
    layout!(
        begin_array,
        end_array,
        end_array_value,
        begin_object,
        end_object,
        end_object_key,
        begin_object_value,
        end_object_value,
    );

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_array_value(writer, first)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_object_key(writer, first)
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // Every unsafe character serde_json leaves raw is DEL or beyond ASCII.
        if fragment.bytes().all(|b| b < 0x7f) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r') {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{u:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}
