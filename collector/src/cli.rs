//! The command line's top level: the parser and the dispatch from subcommand to its command
//! ([`crate::cmd`]), mapping every error to a clear message and a documented exit code.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::cmd::check::CheckArgs;
use crate::cmd::collect::CollectArgs;
use crate::cmd::demo::DemoArgs;
use crate::cmd::diff::DiffArgs;
use crate::cmd::report::ReportArgs;
use crate::exit::EXIT_ERROR;

/// gaps finds out why a service's database calls fail, from read-only evidence.
#[derive(Debug, Parser)]
#[command(name = "gaps", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Gather evidence read-only into a snapshot (JSON).
    Collect(CollectArgs),
    /// Turn a snapshot into findings; exit 1 when one reaches --fail-on.
    Check(CheckArgs),
    /// Build the single-file offline HTML report from snapshots and gaps.md.
    Report(ReportArgs),
    /// Run the whole job on a bundled example service with an embedded SQLite database.
    Demo(DemoArgs),
    /// Compare two snapshots: tables, columns, migrations and findings that changed.
    Diff(DiffArgs),
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Collect(args) => crate::cmd::collect::run(&args),
        Command::Check(args) => crate::cmd::check::run(&args),
        Command::Report(args) => crate::cmd::report::run(&args),
        Command::Demo(args) => crate::cmd::demo::run(&args),
        Command::Diff(args) => crate::cmd::diff::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            crate::output::message(&format!("error: {err:#}"));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Prints a command-line parse error (or `--help` / `--version`) and returns clap's exit code.
/// An error is printed redacted and without colours: clap quotes the offending argument, and
/// a database URL typed in the wrong place must not be echoed with its password.
pub fn usage_error(err: clap::Error) -> ExitCode {
    if !err.use_stderr() {
        // --help and --version: clap's own text, on stdout.
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    let text = err.render().to_string();
    let safe = gaps_core::redact::redact_text(&text);
    eprint!("{}", gaps_core::escape::terminal_lines(&safe));
    ExitCode::from(u8::try_from(err.exit_code()).unwrap_or(EXIT_ERROR))
}
