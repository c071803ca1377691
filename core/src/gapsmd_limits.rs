//! The one gate every gaps.md passes before a parser reads it: UTF-8 text (no NUL bytes, a
//! leading BOM dropped), at most [`MAX_BYTES`], and no line nesting block quotes and list items
//! deeper than [`MAX_NESTING`].
//!
//! The gaps.md parser ([`crate::gapsmd`], whose "Expected Tables" `collect` records and whose
//! registry the report renders) calls [`check`] at its entry, and the loaders call [`decode`]
//! on the file's bytes, so `collect` and `report` accept and refuse exactly the same files. The
//! limits exist because rendering grows with nesting: a registry is hand-written and never
//! needs either, while a hostile or corrupted one could make the report take minutes.

/// Largest gaps.md read, in bytes (4 MiB: a registry is a page of prose, not a data file).
pub const MAX_BYTES: usize = 4 * 1024 * 1024;

/// Deepest nesting of block quotes (`>`) and list items (`-`, `*`, `+`, `1.`) on one line.
pub const MAX_NESTING: usize = 64;

/// Why a gaps.md was refused. The caller names the file; the message names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GapsMdError {
    /// Larger than [`MAX_BYTES`].
    #[error(
        "{bytes} bytes is larger than the {limit} bytes gaps reads from a gaps.md (a registry is a page of prose)"
    )]
    TooLarge {
        /// The file's size.
        bytes: usize,
        /// [`MAX_BYTES`].
        limit: usize,
    },
    /// Not UTF-8 text.
    #[error("not UTF-8 text: invalid byte at offset {offset} (line {line}); save it as UTF-8")]
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
        /// 1-based line holding it.
        line: usize,
    },
    /// Contains NUL bytes: a binary file.
    #[error("line {line} contains a NUL byte: this is a binary file, not a gaps.md")]
    Binary {
        /// 1-based line of the first NUL.
        line: usize,
    },
    /// A line nests deeper than [`MAX_NESTING`].
    #[error(
        "line {line} nests {depth} block quotes or list items, more than the {limit} gaps renders"
    )]
    TooDeep {
        /// 1-based line.
        line: usize,
        /// The nesting found on it.
        depth: usize,
        /// [`MAX_NESTING`].
        limit: usize,
    },
}

/// Decodes a gaps.md file's bytes: the size limit, UTF-8, no NUL, a leading BOM dropped, then
/// [`check`].
pub fn decode(bytes: &[u8]) -> Result<&str, GapsMdError> {
    if bytes.len() > MAX_BYTES {
        return Err(GapsMdError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_BYTES,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        GapsMdError::NotUtf8 {
            offset,
            line: line_of(bytes, offset),
        }
    })?;
    if let Some(at) = memchr::memchr(0, bytes) {
        return Err(GapsMdError::Binary {
            line: line_of(bytes, at),
        });
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    check(text)?;
    Ok(text)
}

/// The size and nesting limits, in one linear pass. Every gaps.md parser calls this first.
pub fn check(text: &str) -> Result<(), GapsMdError> {
    if text.len() > MAX_BYTES {
        return Err(GapsMdError::TooLarge {
            bytes: text.len(),
            limit: MAX_BYTES,
        });
    }
    for (i, line) in text.lines().enumerate() {
        let depth = line_nesting(line);
        if depth > MAX_NESTING {
            return Err(GapsMdError::TooDeep {
                line: i + 1,
                depth,
                limit: MAX_NESTING,
            });
        }
    }
    Ok(())
}

/// How many block-quote and list-item markers open a line (`> > - 1. text` is 4). Counts a
/// little more than CommonMark would (a `- - -` rule counts 3), never less.
pub fn line_nesting(line: &str) -> usize {
    let b = line.as_bytes();
    let mut i = 0;
    let mut depth = 0;
    loop {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        let Some(&c) = b.get(i) else { break };
        let spaced = |at: usize| at >= b.len() || b[at] == b' ' || b[at] == b'\t';
        match c {
            b'>' => i += 1,
            b'-' | b'*' | b'+' if spaced(i + 1) => i += 1,
            b'0'..=b'9' => {
                let digits = b[i..].iter().take_while(|d| d.is_ascii_digit()).count();
                let after = i + digits;
                if digits > 9 || !matches!(b.get(after), Some(b'.' | b')')) || !spaced(after + 1) {
                    break;
                }
                i = after + 1;
            }
            _ => break,
        }
        depth += 1;
    }
    depth
}

/// 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &bytes[..offset.min(bytes.len())]).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_counts_quotes_and_list_markers() {
        assert_eq!(line_nesting("plain text"), 0);
        assert_eq!(line_nesting("> quote"), 1);
        assert_eq!(line_nesting(">>> deep"), 3);
        assert_eq!(line_nesting("> - 1. x"), 3);
        assert_eq!(line_nesting("  * item"), 1);
        assert_eq!(line_nesting("-not a list"), 0);
        assert_eq!(line_nesting("2026. a year"), 1);
        assert_eq!(line_nesting("12345678901. too many digits"), 0);
    }

    #[test]
    fn a_deeply_nested_line_is_refused_with_its_line_number() {
        let text = format!("# R\n\nok\n{} x\n", ">".repeat(MAX_NESTING + 1));
        assert_eq!(
            check(&text),
            Err(GapsMdError::TooDeep {
                line: 4,
                depth: MAX_NESTING + 1,
                limit: MAX_NESTING
            })
        );
        let ok = format!("{} x\n", "> ".repeat(MAX_NESTING));
        assert_eq!(check(&ok), Ok(()));
    }

    #[test]
    fn an_oversized_registry_is_refused_before_decoding() {
        let big = vec![b'a'; MAX_BYTES + 1];
        assert!(matches!(
            decode(&big),
            Err(GapsMdError::TooLarge { bytes, .. }) if bytes == MAX_BYTES + 1
        ));
    }

    #[test]
    fn binary_and_non_utf8_files_are_refused_with_the_line() {
        assert_eq!(
            decode(b"# R\n\x00\x01\x02"),
            Err(GapsMdError::Binary { line: 2 })
        );
        assert_eq!(
            decode(b"# R\nok\n\xff\xfe"),
            Err(GapsMdError::NotUtf8 { offset: 7, line: 3 })
        );
    }

    #[test]
    fn a_leading_bom_is_dropped() {
        assert_eq!(decode("\u{feff}# R\n".as_bytes()), Ok("# R\n"));
    }
}
