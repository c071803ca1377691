//! `gaps demo`: the whole job on the bundled example service ([`crate::demo`]); says where the
//! snapshot and updated registry went and prints the report's path.

use std::path::PathBuf;

use clap::Args;

use crate::demo::run_demo;
use crate::exit::EXIT_OK;

/// Flags of `gaps demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Output directory for the demo database, snapshot and report.
    #[arg(long, value_name = "DIR", default_value = "gaps-demo")]
    pub out: PathBuf,
}

/// Runs `gaps demo`.
pub fn run(args: &DemoArgs) -> anyhow::Result<u8> {
    let o = run_demo(&args.out)?;
    crate::output::message(&format!("snapshot {}", o.snapshot.display()));
    crate::output::message(&format!("updated registry {}", o.gaps.display()));
    crate::output::message("open the report in a browser:");
    println!(
        "{}",
        gaps_core::escape::terminal(&o.report.display().to_string())
    );
    Ok(EXIT_OK)
}
