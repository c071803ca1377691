//! The vocabulary of a schema comparison, shared by the table and column comparison and the
//! constraint comparison: what one comparison found ([`Status`]) and how the two sides relate
//! ([`Sides`]).

use serde::{Deserialize, Serialize};

use crate::finding::Severity;

/// The outcome of comparing one column or table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// On the left only: expected but absent from the live schema (or dropped since A).
    Missing,
    /// On the right only: present but not expected (or added since A).
    Unexpected,
    /// The data type differs.
    Type,
    /// NULL / NOT NULL differs.
    Nullability,
    /// The default expression differs.
    Default,
    /// A constraint's or index's definition differs.
    Changed,
    /// Present on both sides and identical.
    Ok,
}

impl Status {
    /// Every status, in display order.
    pub const ALL: [Status; 7] = [
        Status::Missing,
        Status::Unexpected,
        Status::Type,
        Status::Nullability,
        Status::Default,
        Status::Changed,
        Status::Ok,
    ];

    /// The snake_case name used in JSON and URL fragments.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::Unexpected => "unexpected",
            Status::Type => "type",
            Status::Nullability => "nullability",
            Status::Default => "default",
            Status::Changed => "changed",
            Status::Ok => "ok",
        }
    }

    /// Parses [`Status::as_str`] back.
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Severity of a column-level status when the left side is what the code expects.
pub fn status_severity(s: Status) -> Option<Severity> {
    match s {
        Status::Missing | Status::Type => Some(Severity::Error),
        Status::Nullability | Status::Changed => Some(Severity::Warning),
        Status::Unexpected | Status::Default => Some(Severity::Info),
        Status::Ok => None,
    }
}

/// How the two sides of a schema comparison relate, which decides how constraints and indexes
/// are matched and compared (see [`super::constraints`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sides {
    /// Both sides were read by the same catalog code (snapshot vs snapshot): constraints and
    /// indexes pair by name and compare in full, definitions included.
    SameCatalog,
    /// The left side is the migrations' expected schema: constraints and indexes pair by name,
    /// then by columns, and compare by columns, never by definition text.
    Expected,
}
