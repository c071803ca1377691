//! The small sets the viewer's state is made of: statuses and severities as bits, table keys and
//! action ids as a sorted list.
//!
//! They behave like the `BTreeSet`s they replace (same iteration order, `insert`, `remove`,
//! `contains`, `collect`, `From<[T; N]>`), but each `BTreeSet<T>` was its own few kilobytes of
//! B-tree code in the page's wasm module, and these are a few hundred bytes between them.

use std::fmt;
use std::marker::PhantomData;

use crate::diff::Status;
use crate::finding::Severity;

/// A type whose values a [`Set`] can hold: few, with a fixed order.
pub trait Member: Copy + Eq + 'static {
    /// Every value, in the set's iteration order (which is also the type's `Ord` order).
    const ALL: &'static [Self];
}

impl Member for Status {
    const ALL: &'static [Status] = &Status::ALL;
}

impl Member for Severity {
    const ALL: &'static [Severity] = &[Severity::Info, Severity::Warning, Severity::Error];
}

/// A set of statuses or severities.
pub struct Set<T> {
    bits: u32,
    member: PhantomData<T>,
}

impl<T: Member> Set<T> {
    /// The empty set.
    pub fn new() -> Set<T> {
        Set {
            bits: 0,
            member: PhantomData,
        }
    }

    fn bit(x: T) -> u32 {
        T::ALL.iter().position(|y| *y == x).map_or(0, |i| 1u32 << i)
    }

    /// Adds `x`; true when it was not there.
    pub fn insert(&mut self, x: T) -> bool {
        let had = self.contains(&x);
        self.bits |= Set::bit(x);
        !had
    }

    /// Removes `x`; true when it was there.
    pub fn remove(&mut self, x: &T) -> bool {
        let had = self.contains(x);
        self.bits &= !Set::bit(*x);
        had
    }

    /// True when `x` is in the set.
    pub fn contains(&self, x: &T) -> bool {
        self.bits & Set::bit(*x) != 0
    }

    /// True when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    /// The members in order.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        T::ALL.iter().copied().filter(|x| self.contains(x))
    }
}

impl<T: Member> Default for Set<T> {
    fn default() -> Set<T> {
        Set::new()
    }
}

impl<T> Clone for Set<T> {
    fn clone(&self) -> Set<T> {
        *self
    }
}

impl<T> Copy for Set<T> {}

impl<T> PartialEq for Set<T> {
    fn eq(&self, other: &Set<T>) -> bool {
        self.bits == other.bits
    }
}

impl<T> Eq for Set<T> {}

impl<T: Member + fmt::Debug> fmt::Debug for Set<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl<T: Member> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Set<T> {
        let mut s = Set::new();
        for x in iter {
            s.insert(x);
        }
        s
    }
}

impl<T: Member, const N: usize> From<[T; N]> for Set<T> {
    fn from(items: [T; N]) -> Set<T> {
        items.into_iter().collect()
    }
}

/// A sorted set of names (table keys, action ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names(Vec<String>);

impl Names {
    /// The empty set.
    pub fn new() -> Names {
        Names(Vec::new())
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|n| n.as_str().cmp(name))
    }

    /// Adds `name`; true when it was not there.
    pub fn insert(&mut self, name: String) -> bool {
        match self.find(&name) {
            Ok(_) => false,
            Err(i) => {
                self.0.insert(i, name);
                true
            }
        }
    }

    /// Removes `name`; true when it was there.
    pub fn remove(&mut self, name: &str) -> bool {
        match self.find(name) {
            Ok(i) => {
                self.0.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// True when `name` is in the set.
    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_ok()
    }

    /// True when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The number of names.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The names in order.
    pub fn iter(&self) -> std::slice::Iter<'_, String> {
        self.0.iter()
    }
}

impl FromIterator<String> for Names {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Names {
        let mut s = Names::new();
        for x in iter {
            s.insert(x);
        }
        s
    }
}

impl<const N: usize> From<[String; N]> for Names {
    fn from(items: [String; N]) -> Names {
        items.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_sets_behave_like_ordered_sets() {
        let mut s: Set<Status> = [Status::Ok, Status::Missing].into();
        assert!(s.insert(Status::Type));
        assert!(!s.insert(Status::Type));
        assert_eq!(
            s.iter().collect::<Vec<_>>(),
            vec![Status::Missing, Status::Type, Status::Ok]
        );
        assert!(s.remove(&Status::Missing) && !s.remove(&Status::Missing));
        assert_eq!(s.len(), 2);
        assert!(Set::<Severity>::new().is_empty());
        assert_eq!(format!("{s:?}"), "{Type, Ok}");
    }

    #[test]
    fn names_stay_sorted_and_unique() {
        let mut n: Names = ["b".to_string(), "a".to_string(), "b".to_string()].into();
        assert_eq!(n.len(), 2);
        assert!(n.insert("c".into()) && !n.insert("a".into()));
        assert!(n.contains("c") && n.remove("c") && !n.contains("c"));
        assert_eq!(n.iter().cloned().collect::<Vec<_>>(), vec!["a", "b"]);
    }
}
