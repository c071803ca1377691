//! Streaming scanner: raw bytes in, [`LogsEvidence`] out, with flat memory.
//!
//! Bytes are fed in chunks of any size. Complete lines are searched for the classifier's trigger
//! words ([`super::prefilter`]); only the lines holding one, and one of its literals
//! ([`PREFILTER`]), are parsed and classified. Lines are never required to be UTF-8, and a
//! line longer than [`MAX_LINE`] is read up to that length and counted.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// A hash map with foldhash's hasher (several times faster than SipHash on short keys; it
/// is seeded per process, and every map here is capped, so crafted keys cannot make it slow).
type Map<V> = HashMap<String, V, foldhash::fast::RandomState>;
/// Counts per name (instance, region, path).
type Names = Map<u64>;

use std::ops::Range;

#[cfg(doc)]
use super::classify::PREFILTER;
use super::classify::{Classification, classify};
use super::format::{self, LogFormat};
use super::prefilter::{Prefilter, Scratch};
use super::{
    LogInput, LogSample, LogSignature, LogsEvidence, MigrationEvent, NamedCount, SeriesPoint, time,
};
use crate::redact;

/// Lines longer than this many bytes are counted as long.
pub const LONG_LINE: usize = 64 * 1024;
pub use super::prefilter::MAX_LINE;
/// Sample lines are cut at this many bytes.
pub const MAX_SAMPLE: usize = 600;
/// Samples kept per signature.
pub const MAX_SAMPLES: usize = 3;
/// Distinct signatures kept; further ones are counted in `ungrouped_lines`.
pub const MAX_SIGNATURES: usize = 2000;
/// Distinct instances / regions / paths kept per signature.
pub const MAX_NAMES: usize = 50;
/// Migration lifecycle events kept (the latest).
pub const MAX_MIGRATION_EVENTS: usize = 200;
/// Points a series is allowed to have before buckets are widened.
pub const MAX_SERIES_POINTS: usize = 240;

/// Bytes held back at the start of an input to detect its layout.
const DETECT_BYTES: usize = 64 * 1024;

/// Bucket widths tried for the time series, in seconds.
const BUCKETS: [i64; 9] = [
    60,
    300,
    900,
    3600,
    6 * 3600,
    86400,
    7 * 86400,
    30 * 86400,
    365 * 86400,
];

struct Group {
    sig: LogSignature,
    first: Option<i64>,
    last: Option<i64>,
    // Hashed: a path missing from a full map of fifty cost a dozen string comparisons in a
    // B-tree, on every line. Their order only matters when merging, which sorts them.
    instances: Names,
    regions: Names,
    paths: Names,
    inputs: BTreeSet<String>,
    /// The number of the last input (counted from 1) added to `inputs`.
    seen_input: usize,
    buckets: BTreeMap<i64, u64>,
}

/// Builds [`LogsEvidence`] from any number of inputs fed one after the other.
pub struct LogAnalyzer {
    pre: Prefilter,
    scratch: Scratch,
    hits: Vec<Range<usize>>,
    /// The reference path: every line is checked for a literal, no trigger search.
    every_line: bool,
    /// By signature key: looked up once per classified line, where a B-tree compared long
    /// keys with shared prefixes a dozen times (their order only matters when merging, which
    /// sorts them).
    groups: Map<Group>,
    /// The key of the line being grouped (reused: no allocation per line).
    key: String,
    events: VecDeque<MigrationEvent>,
    inputs: Vec<LogInput>,
    ungrouped: u64,
    bucket: i64,
    // Current input.
    cur: Option<LogInput>,
    forced: Option<LogFormat>,
    detected: bool,
    first: Option<i64>,
    last: Option<i64>,
    carry: Vec<u8>,
    carry_len: usize,
    pending: Vec<u8>,
}

impl Default for LogAnalyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl LogAnalyzer {
    /// A fresh analyzer.
    pub fn new() -> Self {
        LogAnalyzer {
            pre: Prefilter::new(),
            scratch: Scratch::default(),
            hits: Vec::new(),
            every_line: false,
            groups: Map::default(),
            key: String::new(),
            events: VecDeque::new(),
            inputs: Vec::new(),
            ungrouped: 0,
            bucket: BUCKETS[0],
            cur: None,
            forced: None,
            detected: false,
            first: None,
            last: None,
            carry: Vec::new(),
            carry_len: 0,
            pending: Vec::new(),
        }
    }

    /// The reference analyzer: the trigger search is skipped and every line holding one of the
    /// classifier's literals is parsed and classified. The evidence is the same as
    /// [`LogAnalyzer::new`]'s but for `candidate_lines` and `unparsed_lines` (which count the
    /// lines parsed); it is slower, and is what the fast path is tested against.
    pub fn reference() -> Self {
        LogAnalyzer {
            every_line: true,
            ..Self::new()
        }
    }

    /// Starts a new input; `format` forces the layout, None detects it from the first lines.
    pub fn begin_input(&mut self, name: &str, format: Option<LogFormat>, compressed: bool) {
        if self.cur.is_some() {
            self.end_input(None);
        }
        self.cur = Some(LogInput {
            name: name.to_string(),
            format: format.unwrap_or_default(),
            format_forced: format.is_some(),
            compressed,
            ..LogInput::default()
        });
        self.forced = format;
        self.detected = format.is_some();
        self.first = None;
        self.last = None;
        self.carry.clear();
        self.carry_len = 0;
        self.pending.clear();
    }

    /// Feeds the next bytes of the current input (chunks may split lines anywhere).
    pub fn feed(&mut self, data: &[u8]) {
        if self.cur.is_none() {
            self.begin_input("-", None, false);
        }
        if let Some(cur) = self.cur.as_mut() {
            cur.bytes += data.len() as u64;
        }
        if !self.detected {
            // Detection needs a few whole lines: hold the first bytes back until it has them.
            self.pending.extend_from_slice(data);
            let lines = memchr::memchr_iter(b'\n', &self.pending).take(32).count();
            if lines < 32 && self.pending.len() < DETECT_BYTES {
                return;
            }
            self.detect_pending();
            return;
        }
        self.feed_lines(data);
    }

    fn detect_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let f = format::detect(&pending[..pending.len().min(DETECT_BYTES)]);
        if let Some(cur) = self.cur.as_mut() {
            cur.format = f;
        }
        self.detected = true;
        self.feed_lines(&pending);
    }

    fn feed_lines(&mut self, mut data: &[u8]) {
        if !self.carry.is_empty() || self.carry_len > 0 {
            match memchr::memchr(b'\n', data) {
                None => {
                    self.push_carry(data);
                    return;
                }
                Some(nl) => {
                    self.push_carry(&data[..nl]);
                    let line = std::mem::take(&mut self.carry);
                    let len = self.carry_len;
                    self.carry_len = 0;
                    self.whole_line(&line, len);
                    self.carry = line;
                    self.carry.clear();
                    data = &data[nl + 1..];
                }
            }
        }
        match memchr::memrchr(b'\n', data) {
            Some(last) => {
                self.block(&data[..=last]);
                self.push_carry(&data[last + 1..]);
            }
            None => self.push_carry(data),
        }
    }

    /// Ends the current input; `error` records why reading stopped early.
    pub fn end_input(&mut self, error: Option<String>) {
        if !self.detected && self.cur.is_some() {
            self.detect_pending();
        }
        if self.carry_len > 0 {
            let line = std::mem::take(&mut self.carry);
            let len = self.carry_len;
            self.carry_len = 0;
            self.whole_line(&line, len);
        }
        if let Some(mut cur) = self.cur.take() {
            cur.first_seen = self.first.map(time::format);
            cur.last_seen = self.last.map(time::format);
            cur.error = error;
            self.inputs.push(cur);
        }
    }

    /// Finishes every input and returns the evidence.
    pub fn finish(mut self) -> LogsEvidence {
        if self.cur.is_some() {
            self.end_input(None);
        }
        // Widen the buckets until the longest series fits.
        let span = self
            .groups
            .values()
            .filter_map(|g| Some((g.first?, g.last?)))
            .fold(None, |acc: Option<(i64, i64)>, (a, b)| {
                Some(acc.map_or((a, b), |(x, y)| (x.min(a), y.max(b))))
            });
        if let Some((a, b)) = span {
            while (b - a) / self.bucket >= MAX_SERIES_POINTS as i64 && self.widen() {}
        }
        let bucket = self.bucket;
        let mut signatures: Vec<LogSignature> = self
            .groups
            .into_values()
            .map(|g| {
                let mut s = g.sig;
                s.first_seen = g.first.map(time::format);
                s.last_seen = g.last.map(time::format);
                s.instances = top(g.instances);
                s.regions = top(g.regions);
                s.paths = top(g.paths);
                s.inputs = g.inputs.into_iter().collect();
                s.series = g
                    .buckets
                    .into_iter()
                    .map(|(k, count)| SeriesPoint {
                        start: time::format(k * bucket),
                        epoch: k * bucket,
                        count,
                    })
                    .collect();
                s
            })
            .collect();
        signatures.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
        LogsEvidence {
            inputs: self.inputs,
            signatures,
            migration_events: self.events.into_iter().collect(),
            bucket_seconds: bucket as u64,
            ungrouped_lines: self.ungrouped,
        }
    }

    fn push_carry(&mut self, data: &[u8]) {
        self.carry_len += data.len();
        let room = MAX_LINE.saturating_sub(self.carry.len());
        self.carry.extend_from_slice(&data[..data.len().min(room)]);
    }

    /// A line assembled from several chunks; `len` is its full length.
    fn whole_line(&mut self, line: &[u8], len: usize) {
        let cur = self.cur.as_mut().expect("input started");
        cur.lines += 1;
        if len > LONG_LINE {
            cur.long_lines += 1;
        }
        if len > MAX_LINE {
            cur.truncated_lines += 1;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if std::str::from_utf8(line).is_err() {
            cur.invalid_utf8_lines += 1;
        }
        let n = cur.lines;
        let line = &line[..line.len().min(MAX_LINE)];
        if (self.every_line || self.pre.line_has_trigger(line, &mut self.scratch))
            && self.pre.has_literal(line)
        {
            self.candidate(line, n);
        }
    }

    /// A block of complete lines, ending in `\n`.
    fn block(&mut self, block: &[u8]) {
        let Some(cur) = self.cur.as_mut() else {
            return;
        };
        let base = cur.lines;
        // Long lines: a window of LONG_LINE bytes without a newline.
        let mut pos = 0;
        while pos + LONG_LINE < block.len() {
            match memchr::memrchr(b'\n', &block[pos..pos + LONG_LINE]) {
                Some(i) => pos += i + 1,
                None => {
                    cur.long_lines += 1;
                    let nl = memchr::memchr(b'\n', &block[pos + LONG_LINE..])
                        .map_or(block.len(), |i| pos + LONG_LINE + i);
                    if nl - pos > MAX_LINE {
                        cur.truncated_lines += 1;
                    }
                    pos = nl + 1;
                }
            }
        }
        // Candidates: the lines holding a trigger, then a literal.
        let mut hits = std::mem::take(&mut self.hits);
        hits.clear();
        let ascii = if self.every_line {
            let mut start = 0;
            for nl in memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len())) {
                if start < block.len() {
                    hits.push(start..nl);
                }
                start = nl + 1;
            }
            false
        } else {
            self.pre.trigger_lines(block, &mut self.scratch, &mut hits)
        };
        // Invalid UTF-8: unless the search saw only ASCII, validate the whole block, and only
        // on failure find the lines.
        let mut from = if ascii { block.len() } else { 0 };
        while from < block.len() {
            // simdutf8 checks with AVX2 / NEON: about twice std's speed on log text.
            match simdutf8::compat::from_utf8(&block[from..]) {
                Ok(_) => break,
                Err(e) => {
                    let bad = from + e.valid_up_to();
                    cur.invalid_utf8_lines += 1;
                    from =
                        memchr::memchr(b'\n', &block[bad..]).map_or(block.len(), |i| bad + i + 1);
                }
            }
        }
        let mut counted_to = 0;
        let mut line_no = base;
        for r in &hits {
            let line = &block[r.start..r.end.min(r.start + MAX_LINE)];
            if !self.pre.has_literal(line) {
                continue;
            }
            line_no += memchr::memchr_iter(b'\n', &block[counted_to..r.start]).count() as u64;
            counted_to = r.start;
            self.candidate(line, line_no + 1);
        }
        self.hits = hits;
        let total = memchr::memchr_iter(b'\n', &block[counted_to..]).count() as u64;
        if let Some(cur) = self.cur.as_mut() {
            cur.lines = line_no + total;
        }
    }

    fn candidate(&mut self, line: &[u8], line_no: u64) {
        // Lines from a block still end in the CR of a CR LF: the same line must parse and
        // sample the same whichever path (block or carried) brought it here.
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(cur) = self.cur.as_mut() else {
            return;
        };
        cur.candidate_lines += 1;
        let mut parsed = format::parse_line(cur.format, line);
        if !parsed.matched {
            cur.unparsed_lines += 1;
        }
        let Some(class) = classify(&parsed.message) else {
            return;
        };
        cur.classified_lines += 1;
        let input = cur.name.as_str();
        if let Some(t) = parsed.time {
            self.first = Some(self.first.map_or(t, |f| f.min(t)));
            self.last = Some(self.last.map_or(t, |l| l.max(t)));
        }
        if class.kind.category() == super::LogCategory::Migration {
            if self.events.len() == MAX_MIGRATION_EVENTS {
                self.events.pop_front();
            }
            self.events.push_back(MigrationEvent {
                kind: class.kind,
                at: parsed.time.map(time::format),
                instance: parsed.instance.clone(),
                applied: class.applied,
                migration: class.migration,
                input: input.to_string(),
                line: line_no,
                message: cut(&redact::redact_text(&parsed.message), MAX_SAMPLE),
            });
        }
        let path = match parsed.path.take() {
            Some(p) => Some(p),
            None => format::path_in_text(&parsed.message),
        };
        let mut key = std::mem::take(&mut self.key);
        write_signature_key(&class, &mut key);
        if !self.groups.contains_key(key.as_str()) {
            if self.groups.len() >= MAX_SIGNATURES {
                self.ungrouped += 1;
                self.key = key;
                return;
            }
            let g = Group {
                sig: new_signature(key.clone(), &class),
                first: None,
                last: None,
                instances: Map::default(),
                regions: Map::default(),
                paths: Map::default(),
                inputs: BTreeSet::new(),
                seen_input: 0,
                buckets: BTreeMap::new(),
            };
            self.groups.insert(key.clone(), g);
        }
        let bucket = self.bucket;
        let g = self.groups.get_mut(key.as_str());
        self.key = key;
        let Some(g) = g else {
            return;
        };
        g.sig.count += 1;
        if let Some(t) = parsed.time {
            g.first = Some(g.first.map_or(t, |f| f.min(t)));
            g.last = Some(g.last.map_or(t, |l| l.max(t)));
            *g.buckets.entry(t.div_euclid(bucket)).or_insert(0) += 1;
        }
        bump(&mut g.instances, parsed.instance.as_deref());
        bump(&mut g.regions, parsed.region.as_deref());
        bump(&mut g.paths, path.as_deref());
        let input_no = self.inputs.len() + 1;
        if g.seen_input != input_no {
            g.seen_input = input_no;
            if !g.inputs.contains(input) {
                g.inputs.insert(input.to_string());
            }
        }
        // Redaction only for the lines that are kept.
        if g.sig.samples.len() < MAX_SAMPLES {
            g.sig.samples.push(LogSample {
                input: input.to_string(),
                line: line_no,
                text: cut(
                    &redact::redact_text(&String::from_utf8_lossy(line)),
                    MAX_SAMPLE,
                ),
            });
        }
        let widen = g.buckets.len() > 4 * MAX_SERIES_POINTS;
        if widen {
            self.widen();
        }
    }

    /// Moves every series to the next wider bucket; false when already at the widest.
    fn widen(&mut self) -> bool {
        let Some(next) = BUCKETS.iter().copied().find(|b| *b > self.bucket) else {
            return false;
        };
        let old = self.bucket;
        for g in self.groups.values_mut() {
            let mut merged = BTreeMap::new();
            for (k, v) in std::mem::take(&mut g.buckets) {
                *merged.entry((k * old).div_euclid(next)).or_insert(0) += v;
            }
            g.buckets = merged;
        }
        self.bucket = next;
        true
    }
}

fn bump(map: &mut Names, name: Option<&str>) {
    if let Some(n) = name {
        if let Some(c) = map.get_mut(n) {
            *c += 1;
        } else if map.len() < MAX_NAMES {
            map.insert(n.to_string(), 1);
        }
    }
}

fn top(map: Names) -> Vec<NamedCount> {
    let mut v: Vec<NamedCount> = map
        .into_iter()
        .map(|(name, count)| NamedCount { name, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    v
}

fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The grouping key of a classification: kind, SQLSTATE, table, column, object, migration.
pub fn signature_key(c: &Classification) -> String {
    let mut key = String::new();
    write_signature_key(c, &mut key);
    key
}

/// [`signature_key`] written into `key` (cleared first).
fn write_signature_key(c: &Classification, key: &mut String) {
    use std::fmt::Write;
    key.clear();
    key.push_str(c.kind.as_str());
    for part in [
        &c.sqlstate,
        &c.table,
        &c.column,
        &c.object,
        &c.rust_type,
        &c.sql_type,
    ]
    .into_iter()
    .flatten()
    {
        key.push(':');
        key.push_str(part);
    }
    if let Some(m) = c.migration {
        let _ = write!(key, ":{m}");
    }
}

fn new_signature(key: String, c: &Classification) -> LogSignature {
    LogSignature {
        key,
        kind: c.kind,
        category: c.kind.category(),
        sqlstate: c.sqlstate.clone(),
        table: c.table.clone(),
        column: c.column.clone(),
        object: c.object.clone(),
        rust_type: c.rust_type.clone(),
        sql_type: c.sql_type.clone(),
        migration: c.migration,
        count: 0,
        first_seen: None,
        last_seen: None,
        instances: Vec::new(),
        regions: Vec::new(),
        paths: Vec::new(),
        inputs: Vec::new(),
        samples: Vec::new(),
        series: Vec::new(),
    }
}

/// Classifies a whole in-memory text (tests and small inputs).
pub fn analyse_text(name: &str, format: Option<LogFormat>, text: &[u8]) -> LogsEvidence {
    let mut a = LogAnalyzer::new();
    a.begin_input(name, format, false);
    a.feed(text);
    a.finish()
}

mod merge;

#[cfg(test)]
mod tests;
