//! What the service's code expects: FromRow models, SQL statements found in the source, the
//! schema replayed from the migrations, and the live database's verdict on each statement.
//!
//! The types live in [`model`] (source evidence) and [`expected`] (the expected schema); the
//! pure analyses that fill them are [`sql`] (tables and columns a statement touches),
//! [`expr`] (CHECK and DEFAULT expressions in one canonical form),
//! [`replay`] (migrations into a schema), [`mapping`] (model to table), [`session`]
//! (statements that depend on temporary objects the code creates) and [`databases`] (which of
//! the project's databases each statement runs against); [`site_scope`] holds what those two
//! record. gaps.md's "Expected Tables" come from the one registry parser,
//! [`crate::gapsmd`].

pub mod databases;
pub mod expected;
pub mod expr;
pub mod mapping;
pub mod model;
pub mod naming;
pub mod replay;
pub mod session;
pub mod site_scope;
pub mod sql;

pub use expected::ExpectedSchema;
pub use model::CodeEvidence;
