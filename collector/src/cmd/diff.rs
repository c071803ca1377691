//! `gaps diff A B`: what changed between two snapshots, as text or JSON. Exit 0: no
//! differences, 1: differences, 2: bad input.

use std::path::{Path, PathBuf};

use clap::Args;
use gaps_core::diff::diff_snapshots;

use super::format::Format;
use crate::exit::{EXIT_FINDINGS, EXIT_OK};
use crate::render::diff::{
    causes_diff, render_json, render_text, with_causes_json, with_causes_text,
};

/// Flags of `gaps diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The older snapshot.
    pub a: PathBuf,
    /// The newer snapshot.
    pub b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `gaps diff`.
pub fn run(args: &DiffArgs) -> anyhow::Result<u8> {
    let a = crate::input::read_snapshot(&args.a)?;
    let b = crate::input::read_snapshot(&args.b)?;
    let diff = diff_snapshots(&a, &b);
    let causes = causes_diff(&a, &b);
    let text = match args.format {
        Format::Json => with_causes_json(render_json(&diff), &causes),
        Format::Text => with_causes_text(render_text(&diff), &causes),
    };
    crate::output::write_output(Path::new("-"), &text)?;
    Ok(if diff.has_differences() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
