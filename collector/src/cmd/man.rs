//! `gaps man`: the man page generated from the clap definitions (`clap_mangen`): `gaps(1)` on
//! standard output, or with `--out DIR` one page per command (`gaps.1`, `gaps-check.1`, ...).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::exit::EXIT_OK;

/// Flags of `gaps man`.
#[derive(Debug, Clone, Args)]
pub struct ManArgs {
    /// Write gaps.1 and one gaps-SUBCOMMAND.1 per subcommand into DIR instead of printing
    /// gaps.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs `gaps man` for the command line `cmd` (the top level's, handed down so this module
/// does not reach back up to it).
pub fn run(args: &ManArgs, cmd: clap::Command) -> anyhow::Result<u8> {
    match &args.out {
        None => {
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut page)
                .context("rendering the man page")?;
            crate::output::write_output(Path::new("-"), &String::from_utf8_lossy(&page))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(cmd, dir)
                .with_context(|| format!("writing the man pages into {}", dir.display()))?;
            crate::output::message(&format!("man pages written to {}", dir.display()));
        }
    }
    Ok(EXIT_OK)
}
