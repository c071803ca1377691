//! `--format` of `gaps diff` (`gaps check` has more: [`super::check::CheckFormat`]).

use clap::ValueEnum;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For programs.
    Json,
}
