//! `gaps completions SHELL`: a shell completion script generated from the clap definitions
//! (`clap_complete`), printed to standard output.

use clap::Args;
use clap_complete::Shell;

use crate::exit::EXIT_OK;

/// Flags of `gaps completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for (bash, zsh, fish, elvish, powershell).
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Runs `gaps completions` for the command line `cmd` (the top level's, handed down so this
/// module does not reach back up to it).
pub fn run(args: &CompletionsArgs, mut cmd: clap::Command) -> anyhow::Result<u8> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "gaps", &mut out);
    crate::output::write_output(std::path::Path::new("-"), &String::from_utf8_lossy(&out))?;
    Ok(EXIT_OK)
}
