//! The collection's deadline (`--deadline`): the instant by which every part of a run ends,
//! the database session and the health endpoint as much as the reading of logs, and the words
//! with which a part that it stopped says so.

use std::time::{Duration, Instant};

/// The instant a collection must be done by, and the limit it was set from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn starting_now(limit: Duration) -> Deadline {
        Deadline {
            at: Instant::now() + limit,
            limit,
        }
    }

    /// The instant itself.
    pub fn at(&self) -> Instant {
        self.at
    }

    /// True once the instant has passed.
    pub fn reached(&self) -> bool {
        Instant::now() >= self.at
    }

    /// Time left (zero once reached).
    pub fn left(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    /// How messages name it: `the --deadline of 180s`.
    pub fn name(&self) -> String {
        format!("the --deadline of {:.0}s", self.limit.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_is_reached_only_once_its_instant_has_passed() {
        let later = Deadline::starting_now(Duration::from_secs(3600));
        assert!(!later.reached());
        assert!(later.left() > Duration::from_secs(3500));
        assert_eq!(later.name(), "the --deadline of 3600s");
        let now = Deadline::starting_now(Duration::ZERO);
        assert!(now.reached());
        assert_eq!(now.left(), Duration::ZERO);
    }
}
