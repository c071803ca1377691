//! The log scanner's literal prefilter: finds, in a block of raw lines, the few lines that can
//! be database problems, with SIMD multi-literal search (Teddy, from `aho-corasick`) over a
//! lower-cased copy of the bytes, so that nearly every line is skipped without being parsed.
//!
//! A line is classified when two things hold (see [`super::scan`]): it contains one of the
//! classifier's case-sensitive literals ([`super::classify::PREFILTER`]), and
//! [`super::classify()`] names a problem in its parsed message. The second needs one of the
//! classifier's needles, matched case-insensitively. Every such needle contains one of the
//! [`TRIGGERS`] (or `tls` / `ssl`), so the search looks for those first: in real logs they are
//! far rarer than the literals (every `sqlx::query` info line holds `sqlx`, none holds a
//! trigger), and only the lines holding one are checked for a literal and parsed.
//!
//! Why a trigger in the parsed message is always a trigger in the raw line: a trigger is ASCII
//! and holds no space, `=`, `.`, quote, backslash or slash. The message is a piece of the line
//! (fly, text, PostgreSQL layouts; invalid UTF-8 becomes U+FFFD, never removed), or, for
//! JSON, the string values and keys unescaped and joined as `key=value` with spaces and dots,
//! which a trigger cannot span. An unescaped JSON string only differs from its raw bytes by the
//! characters above, except for `\uXXXX` escapes, which can spell any letter: a line with
//! `\u00` in it (every escape of an ASCII character starts so, and triggers are ASCII) is
//! always checked, `\u00` being one of the [`TRIGGERS`] (arrays and numbers are written back as
//! JSON text, which only drops whitespace between tokens and re-escapes). PostgreSQL lines get a `LEVEL: ` prefix written from the raw
//! `LEVEL:  ` (`rror:`, `atal:` and `anic:` are triggers). `prefilter/tests.rs` checks,
//! property-based, that every classified message holds a trigger and that the fast path gives
//! the evidence of the reference that parses every line holding a literal.

use std::ops::Range;

use aho_corasick::{AhoCorasick, Input, MatchKind, packed};

use super::classify::PREFILTER;

/// Lines are read up to this many bytes; the rest of a longer line is skipped and counted
/// (the scanner cuts them, the prefilter looks no further).
pub const MAX_LINE: usize = 1024 * 1024;

/// Lower-case pieces of words of which at least one occurs (ASCII case-insensitively) in every
/// message [`super::classify()`] classifies, `tls` and `ssl` aside (searched apart: a
/// three-byte word would weaken the search for the others). A new needle in the classifier
/// must contain one (a property test checks it).
///
/// Most drop the word's first letter: Teddy finds candidates by the first four bytes of each
/// pattern, and `xist` or `olumn` start far less often in log text than `exis` or `colu`
/// (on the generated fly file the search ran at 6.5 GB/s instead of 4.6).
pub const TRIGGERS: &[&str] = &[
    "igration",
    "pplied",
    "chema",
    "repared",
    "xist",
    "olumn",
    "ismatch",
    "nexpected",
    "imed",
    "many",
    "emaining",
    "uthentic",
    "imeout",
    "eadlock",
    "ead-only",
    "enied",
    "iolates",
    "uplicate",
    "efused",
    "reset",
    "losed",
    "ertificate",
    "abase:",
    "_error",
    "rror:",
    "atal:",
    "anic:",
    "qlstate",
    "code",
    // SQLite: `no such table: x`, `UNIQUE constraint failed: t.c`.
    "such",
    "nstraint",
    // A JSON escape of an ASCII character (`\u0065` is `e`), which can spell any trigger.
    "\\u00",
];

/// The triggers shorter than four bytes.
pub const SHORT_TRIGGERS: &[&str] = &["tls", "ssl"];

/// Lines are searched in pieces of about this many bytes (whole lines), so the lower-cased copy
/// stays in the CPU cache and its size does not depend on the input.
const PIECE: usize = 64 * 1024;

/// One multi-literal searcher: Teddy where the CPU has it, else an Aho-Corasick automaton.
#[derive(Debug, Clone)]
enum Finder {
    Packed(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Finder {
    fn new(literals: &[&str]) -> Finder {
        // Fat Teddy (16 buckets) for many literals: fewer of them share a bucket, so fewer
        // false candidates to verify (about twice as fast as slim on log text for 30 words).
        let mut builder = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .only_teddy_fat((literals.len() > 8).then_some(true))
            .builder();
        builder.extend(literals);
        match builder.build() {
            Some(s) => Finder::Packed(s),
            None => Finder::Automaton(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostFirst)
                    .build(literals)
                    .expect("prefilter literals build"),
            ),
        }
    }

    /// Start of the first match at or after `at`.
    fn find(&self, hay: &[u8], at: usize) -> Option<usize> {
        match self {
            Finder::Packed(s) => s
                .find_in(hay, aho_corasick::Span::from(at..hay.len()))
                .map(|m| m.start()),
            Finder::Automaton(a) => a.find(Input::new(hay).range(at..)).map(|m| m.start()),
        }
    }
}

/// The compiled searchers, built once per analyzer.
#[derive(Debug, Clone)]
pub struct Prefilter {
    triggers: Finder,
    short: Finder,
    literals: Finder,
}

/// Reusable buffers of [`Prefilter::trigger_lines`].
#[derive(Debug, Default)]
pub struct Scratch {
    lower: Vec<u8>,
    starts: Vec<usize>,
}

impl Default for Prefilter {
    fn default() -> Self {
        Self::new()
    }
}

impl Prefilter {
    /// Builds the searchers.
    pub fn new() -> Prefilter {
        Prefilter {
            triggers: Finder::new(TRIGGERS),
            short: Finder::new(SHORT_TRIGGERS),
            literals: Finder::new(PREFILTER),
        }
    }

    /// True when `line` holds one of the classifier's case-sensitive literals.
    pub fn has_literal(&self, line: &[u8]) -> bool {
        self.literals.find(line, 0).is_some()
    }

    /// True when `line` (its first [`MAX_LINE`] bytes) holds a trigger in any letter case,
    /// (a JSON `\u00` escape is one).
    pub fn line_has_trigger(&self, line: &[u8], scratch: &mut Scratch) -> bool {
        let line = &line[..line.len().min(MAX_LINE)];
        let longest = TRIGGERS.iter().map(|t| t.len()).max().unwrap_or(1);
        let mut at = 0;
        while at < line.len() {
            // Windows overlap by a trigger's length, so none is cut in two.
            let end = (at + PIECE + longest).min(line.len());
            let (window, _) = lower_into(&mut scratch.lower, &line[at..end]);
            if self.triggers.find(window, 0).is_some() || self.short.find(window, 0).is_some() {
                return true;
            }
            at += PIECE;
        }
        false
    }

    /// Appends to `out`, in order, the byte ranges (without the `\n`) of the lines of `block`
    /// that hold a trigger in their first [`MAX_LINE`] bytes. `block` is whole lines: it ends
    /// with `\n` or at the end of the input. Returns true when every byte of `block` is ASCII
    /// (so it is valid UTF-8 and needs no other check); false when one is not, or was not
    /// looked at.
    pub fn trigger_lines(
        &self,
        block: &[u8],
        scratch: &mut Scratch,
        out: &mut Vec<Range<usize>>,
    ) -> bool {
        let mut ascii = true;
        let mut pos = 0;
        while pos < block.len() {
            let limit = (pos + PIECE).min(block.len());
            let piece_end = if limit == block.len() {
                limit
            } else {
                match memchr::memrchr(b'\n', &block[pos..limit]) {
                    Some(i) => pos + i + 1,
                    None => {
                        // One line longer than a piece: searched on its own, in windows.
                        let end = line_end(block, pos);
                        if self.line_has_trigger(&block[pos..end], scratch) {
                            out.push(pos..end);
                        }
                        ascii = false;
                        pos = end + 1;
                        continue;
                    }
                }
            };
            ascii &= self.piece_lines(&block[pos..piece_end], pos, scratch, out);
            pos = piece_end;
        }
        ascii
    }

    /// [`Self::trigger_lines`] for a piece of whole lines shorter than [`PIECE`]; true when
    /// the piece is ASCII.
    fn piece_lines(
        &self,
        piece: &[u8],
        offset: usize,
        scratch: &mut Scratch,
        out: &mut Vec<Range<usize>>,
    ) -> bool {
        let Scratch { lower, starts } = scratch;
        let (lower, ascii) = lower_into(lower, piece);
        starts.clear();
        for finder in [&self.triggers, &self.short] {
            let mut at = 0;
            while let Some(m) = finder.find(lower, at) {
                let start = memchr::memrchr(b'\n', &lower[..m]).map_or(0, |i| i + 1);
                starts.push(start);
                at = line_end(lower, m) + 1;
                if at >= lower.len() {
                    break;
                }
            }
        }
        if starts.is_empty() {
            return ascii;
        }
        starts.sort_unstable();
        starts.dedup();
        for &start in starts.iter() {
            let end = line_end(piece, start);
            out.push(offset + start..offset + end);
        }
        ascii
    }
}

/// End (the `\n` or the block's end) of the line holding byte `at`.
fn line_end(block: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &block[at..]).map_or(block.len(), |i| at + i)
}

/// ASCII-lower-cases `src` into `buf`, and tells whether every byte was ASCII (one loop the
/// compiler vectorises: the ASCII check costs nothing beside the copy, and spares a UTF-8
/// validation pass over nearly every block).
fn lower_into<'a>(buf: &'a mut Vec<u8>, src: &[u8]) -> (&'a [u8], bool) {
    if buf.len() < src.len() {
        buf.resize(src.len(), 0);
    }
    let out = &mut buf[..src.len()];
    let mut high = 0u8;
    for (d, &b) in out.iter_mut().zip(src) {
        *d = b | (((b.wrapping_sub(b'A') < 26) as u8) << 5);
        high |= b;
    }
    (out, high < 0x80)
}

#[cfg(test)]
mod tests;
