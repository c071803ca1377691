//! Merging analyzers: several inputs read apart (in parallel, by `gaps collect --jobs N`) and
//! combined in input order. The caps (signatures, names, samples, migration events) are applied
//! as each input is merged, so the result depends on the order of the inputs only, never on
//! which finished first; [`LogAnalyzer::merge`] is also how one thread combines them.

use super::{
    Group, LogAnalyzer, MAX_MIGRATION_EVENTS, MAX_NAMES, MAX_SAMPLES, MAX_SERIES_POINTS, Names,
};

impl LogAnalyzer {
    /// Adds everything `other` read after what this analyzer read: its inputs follow this one's,
    /// its signatures are added to the ones with the same key, its samples and migration events
    /// come after this one's. Both must be between inputs (an unfinished input of `other` is
    /// ended first).
    pub fn merge(&mut self, mut other: LogAnalyzer) {
        if self.cur.is_some() {
            self.end_input(None);
        }
        if other.cur.is_some() {
            other.end_input(None);
        }
        // Series are summed at the wider of the two bucket widths.
        while self.bucket < other.bucket && self.widen() {}
        while other.bucket < self.bucket && other.widen() {}
        self.inputs.append(&mut other.inputs);
        self.ungrouped += other.ungrouped;
        self.events.extend(other.events);
        while self.events.len() > MAX_MIGRATION_EVENTS {
            self.events.pop_front();
        }
        // In key order, so which signatures fit under the cap never depends on hashing.
        let mut theirs: Vec<_> = other.groups.into_iter().collect();
        theirs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (key, mut g) in theirs {
            g.seen_input = 0;
            if let Some(mine) = self.groups.get_mut(&key) {
                merge_group(mine, g);
            } else if self.groups.len() < super::MAX_SIGNATURES {
                self.groups.insert(key, g);
            } else {
                self.ungrouped += g.sig.count;
            }
        }
        while self
            .groups
            .values()
            .any(|g| g.buckets.len() > 4 * MAX_SERIES_POINTS)
            && self.widen()
        {}
    }
}

fn merge_group(mine: &mut Group, theirs: Group) {
    mine.sig.count += theirs.sig.count;
    mine.first = either(mine.first, theirs.first, i64::min);
    mine.last = either(mine.last, theirs.last, i64::max);
    merge_names(&mut mine.instances, theirs.instances);
    merge_names(&mut mine.regions, theirs.regions);
    merge_names(&mut mine.paths, theirs.paths);
    mine.inputs.extend(theirs.inputs);
    mine.seen_input = 0;
    for (k, v) in theirs.buckets {
        *mine.buckets.entry(k).or_insert(0) += v;
    }
    let room = MAX_SAMPLES.saturating_sub(mine.sig.samples.len());
    mine.sig
        .samples
        .extend(theirs.sig.samples.into_iter().take(room));
}

/// Either, or the one `pick` prefers when both are there.
fn either(a: Option<i64>, b: Option<i64>, pick: fn(i64, i64) -> i64) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(pick(x, y)),
        (x, y) => x.or(y),
    }
}

/// Adds the counts of `theirs`; a new name is kept while there is room, as when counting.
/// Theirs are taken in name order, so which names fit never depends on hashing.
fn merge_names(mine: &mut Names, theirs: Names) {
    let mut theirs: Vec<_> = theirs.into_iter().collect();
    theirs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for (name, count) in theirs {
        if let Some(c) = mine.get_mut(&name) {
            *c += count;
        } else if mine.len() < MAX_NAMES {
            mine.insert(name, count);
        }
    }
}
