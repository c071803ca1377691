//! gaps-core: the pure heart of gaps — the snapshot format, the schema model, findings and the
//! rules that derive findings from a snapshot.
//!
//! Nothing in this crate performs I/O, spawns tasks or talks to a database (the one thread it
//! may start, [`par::join`], runs pure work on a second core): it is unit-tested
//! natively and builds for `wasm32-unknown-unknown`, so the report's interactive viewer runs the
//! very same logic as `gaps check`.

pub mod actions;
pub mod backend;
pub mod causes;
pub mod code;
pub mod diff;
pub mod errcode;
pub mod escape;
pub mod finding;
pub mod gapsmd;
pub mod gapsmd_limits;
pub mod hazards;
pub mod health;
pub mod logs;
pub mod migrations;
pub mod par;
pub mod paths;
pub mod provider;
pub mod querycheck;
pub mod redact;
pub mod rules;
pub mod schema;
pub mod section;
pub mod service;
pub mod session;
pub mod snapshot;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod typemap;
pub mod unread;
pub mod view;

pub use finding::{Finding, FindingKind, Severity};
pub use section::Section;
pub use snapshot::{FORMAT_VERSION, LoadError, Snapshot};
