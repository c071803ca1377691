//! View models: small serialisable structs the templates render, built from snapshots,
//! findings and the parsed registry. Templates never see the domain types, so a template can
//! be overridden without knowing the snapshot format, and every string here is plain text
//! that tera escapes (the few pre-rendered HTML fields are named `*_html` / `*_svg`).
//!
//! One module per part of the page: the page itself (`page`), the actions, one snapshot's part
//! (`snapshot`), the [`diagnosis`] (causes in fix order) with a fleet overview above it for
//! several snapshots (`fleet`), and the evidence sections: migrations, schema, [`code`],
//! [`logs`], [`health`] and [`provider`] (with the service's session, [`service`]);
//! `findings` holds what they all show the same way.

mod actions;
mod anchors;
pub mod code;
pub mod diagnosis;
mod findings;
mod fleet;
mod hazards;
pub mod health;
mod input;
pub mod logs;
mod migrations;
mod page;
pub mod provider;
mod schema;
pub mod service;
mod snapshot;

pub use actions::{ActionStatusView, ActionView, FindingGroup, Link, PriorityView};
pub use diagnosis::{CauseView, DiagnosisView, StepView};
pub use findings::{Counts, FindingView, finding_view};
pub use fleet::{FleetRow, fleet_rows};
pub use hazards::{PlanMigrationView, PlanRow, PlanView};
pub use input::{NamedSnapshot, RegistryDoc, expectations};
pub use migrations::{MigrationRow, MigrationsView};
pub use page::{RegistryView, ReportView, UnknownView, report_view};
pub use schema::{
    ColumnRow, Coverage, MissingTable, OK_TABLE_NAMES_LIMIT, OPEN_PROBLEM_TABLES, SchemaView,
    TableView,
};
pub use snapshot::{ActionCount, SnapshotView, verdict};
