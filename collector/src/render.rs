//! What the commands print: findings ([`findings`]) and the comparison of two snapshots
//! ([`diff`]), each as text for people and as JSON for programs. Every value from a snapshot is
//! escaped for the terminal; the JSON is valid and safe to print ([`json`]).

pub mod diagnosis;
pub mod diff;
pub mod findings;
pub mod json;
