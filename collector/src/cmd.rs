//! The command layer: one module per subcommand, each owning its clap arguments and its `run`
//! (the shape of mdBook's `src/cmd/`). A command turns its flags into plain values, calls the
//! library (collection, rules, renderers, the report builder) and maps the outcome to an exit
//! code ([`crate::exit`]). Nothing below this layer sees a clap type.

pub mod check;
pub mod collect;
pub mod demo;
pub mod diff;
pub mod format;
pub mod report;
