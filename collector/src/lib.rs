//! gaps-collector: the `gaps` command line. Gathers evidence read-only (database catalogs,
//! migrations, source code, logs, health endpoint) into a snapshot, and turns snapshots into
//! findings and reports.

pub mod cli;
// clap prints the argument structs' doc comments as `--help` text, which is not markdown:
// `[migrate]` and a bare URL are meant literally there.
#[allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls)]
pub mod cmd;
pub mod collect;
pub mod db;
pub mod deadline;
pub mod demo;
pub mod dotenv;
pub mod exit;
pub mod fleet;
pub mod hazards;
pub mod health;
pub mod input;
pub mod inspect;
pub mod locks;
pub mod logs;
pub mod migrations;
pub mod output;
pub mod preserve;
pub mod privileges;
pub mod progress;
pub mod provider;
pub mod querycheck;
pub mod registry_file;
pub mod render;
pub mod repo_paths;
pub mod report;
pub mod source;
