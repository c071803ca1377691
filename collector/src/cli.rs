//! The command line's top level: the parser, the global flags (`--color`) and the dispatch
//! from subcommand to its command ([`crate::cmd`]), mapping every error to a clear message
//! and a documented exit code.

use std::process::ExitCode;
use std::sync::LazyLock;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::cmd::check::CheckArgs;
use crate::cmd::collect::CollectArgs;
use crate::cmd::completions::CompletionsArgs;
use crate::cmd::demo::DemoArgs;
use crate::cmd::diff::DiffArgs;
use crate::cmd::man::ManArgs;
use crate::cmd::report::ReportArgs;
use crate::exit::EXIT_ERROR;
use crate::render::diagnosis;

/// `gaps --version`: the program's version and the snapshot format it writes and reads.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (snapshot format {})",
        env!("CARGO_PKG_VERSION"),
        gaps_core::snapshot::FORMAT_VERSION
    )
});

/// gaps finds out why a service's database calls fail, from read-only evidence.
#[derive(Debug, Parser)]
#[command(name = "gaps", version = VERSION.as_str(), about, long_about = None)]
pub struct Cli {
    /// Colour: auto (a terminal without NO_COLOR), always, or never.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The values of `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless NO_COLOR is set (<https://no-color.org>).
    Auto,
    /// Always colour, even when piped or with NO_COLOR.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether standard output gets colour.
    pub fn stdout(self) -> bool {
        self.resolve(diagnosis::stdout_color)
    }

    /// Whether standard error gets colour.
    pub fn stderr(self) -> bool {
        self.resolve(diagnosis::stderr_color)
    }

    fn resolve(self, auto: fn() -> bool) -> bool {
        match self {
            ColorChoice::Auto => auto(),
            ColorChoice::Always => true,
            ColorChoice::Never => false,
        }
    }
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
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (or write one per command with --out).
    Man(ManArgs),
}

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let color = cli.color;
    let result = match cli.command {
        Command::Collect(args) => crate::cmd::collect::run(&args),
        Command::Check(args) => crate::cmd::check::run(&args, color.stdout()),
        Command::Report(args) => crate::cmd::report::run(&args),
        Command::Demo(args) => crate::cmd::demo::run(&args, color.stderr()),
        Command::Diff(args) => crate::cmd::diff::run(&args),
        Command::Completions(args) => crate::cmd::completions::run(&args, Cli::command()),
        Command::Man(args) => crate::cmd::man::run(&args, Cli::command()),
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
