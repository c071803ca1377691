//! Sorting and lookup through indices, with one compiled sort for every use: the diff orders
//! tables, columns, constraints, migrations and findings, and a sort (or a B-tree) per element
//! type was several kilobytes each of the wasm module inlined into every report.

use std::cmp::Ordering;

/// The indices `0..n` of some items, in the (stable) order `cmp` gives them.
pub(crate) struct Sorted(Vec<usize>);

impl Sorted {
    /// Sorts `n` items by `cmp`, which compares two of them by index.
    pub(crate) fn new(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Sorted {
        let mut v: Vec<usize> = (0..n).collect();
        v.sort_by(|a, b| cmp(*a, *b));
        Sorted(v)
    }

    /// The indices in order.
    pub(crate) fn into_vec(self) -> Vec<usize> {
        self.0
    }

    /// The item that `probe` finds equal to the sought key (`probe(i)` compares item `i` with
    /// it); of several equal items, the last in the input, as a map built from them would keep.
    pub(crate) fn find(&self, probe: &dyn Fn(usize) -> Ordering) -> Option<usize> {
        let k = self.0.partition_point(|&i| probe(i) != Ordering::Greater);
        let i = *self.0.get(k.checked_sub(1)?)?;
        (probe(i) == Ordering::Equal).then_some(i)
    }

    /// The indices in order, keeping of each run of `same` items only the last (as a map would).
    pub(crate) fn unique(&self, same: &dyn Fn(usize, usize) -> bool) -> Vec<usize> {
        let v = &self.0;
        (0..v.len())
            .filter(|&k| v.get(k + 1).is_none_or(|&next| !same(v[k], next)))
            .map(|k| v[k])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_finds_and_dedups_keeping_the_last() {
        let items = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd')];
        let s = Sorted::new(items.len(), &|a, b| items[a].0.cmp(&items[b].0));
        assert_eq!(s.0, vec![1, 3, 0, 2]);
        assert_eq!(s.find(&|i| items[i].0.cmp(&3)), Some(2));
        assert_eq!(s.find(&|i| items[i].0.cmp(&1)), Some(1));
        assert_eq!(s.find(&|i| items[i].0.cmp(&9)), None);
        assert_eq!(s.find(&|i| items[i].0.cmp(&0)), None);
        assert_eq!(s.unique(&|a, b| items[a].0 == items[b].0), vec![1, 3, 2]);
    }
}
