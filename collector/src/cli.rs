//! Command-line interface: argument definitions and the dispatch from subcommand to library
//! call, mapping every error to a clear message and a documented exit code.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit code: nothing at the `--fail-on` level.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at the `--fail-on` level, or a collection that was only partial.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: a usage or input error (bad flag, unreadable file, malformed snapshot).
pub const EXIT_ERROR: u8 = 2;

/// gaps finds out why a service's database calls fail, from read-only evidence.
#[derive(Debug, Parser)]
#[command(name = "gaps", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
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

/// Flags of `gaps collect`.
#[derive(Debug, Clone, Args)]
pub struct CollectArgs {
    /// Database to inspect (postgres://, postgresql://, sqlite:). Falls back to DATABASE_URL
    /// from the environment, then from a .env file in the current directory.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// The service's repository (Rust source, migrations, sqlx.toml).
    #[arg(long, value_name = "DIR")]
    pub source: Option<PathBuf>,
    /// Migrations folder; default: from sqlx::migrate!("...") in the source, else DIR/migrations.
    #[arg(long, value_name = "DIR")]
    pub migrations: Option<PathBuf>,
    /// Name of sqlx's migrations table; default: sqlx.toml's `[migrate] table-name`, else _sqlx_migrations.
    #[arg(long, value_name = "NAME")]
    pub migrations_table: Option<String>,
    /// Where to write the snapshot; `-` for standard output.
    #[arg(long, short, value_name = "FILE", default_value = "gaps-snapshot.json")]
    pub out: PathBuf,
    /// A label for this target, e.g. production or staging.
    #[arg(long)]
    pub label: Option<String>,
    /// Seconds to wait for a database connection.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub connect_timeout: f64,
    /// Seconds any single catalog statement may run.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub statement_timeout: f64,
    /// Seconds any catalog read or describe may wait for a lock another session holds
    /// (never retried; the blocked object and who holds the lock are recorded).
    #[arg(long, value_name = "SECS", default_value_t = 2.0)]
    pub lock_timeout: f64,
    /// Seconds the whole collection may take; then what was gathered is written and the
    /// rest is marked as not read.
    #[arg(long, value_name = "SECS", default_value_t = 180.0)]
    pub deadline: f64,
    /// gaps.md action registry; its ACTION-004 "Expected Tables" list becomes an expectation.
    #[arg(long, value_name = "FILE")]
    pub gaps: Option<PathBuf>,
    /// A scratch server on which to build the exact expected schema (never the target).
    #[arg(long, value_name = "URL")]
    pub scratch_database_url: Option<String>,
    /// gaps.toml (model-to-table overrides, the project's databases, excluded paths); default: DIR/gaps.toml when present.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Application or server log to classify (repeatable; `-` for stdin; .gz is read transparently).
    #[arg(long = "logs", value_name = "FILE")]
    pub logs: Vec<PathBuf>,
    /// Log files read at once, one thread each (the result is the same for every N).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: u16,
    /// Force the log format instead of detecting it per file.
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormatArg>,
    /// The service's health endpoint, e.g. `https://api.example.com/health`.
    #[arg(long, value_name = "URL")]
    pub health: Option<String>,
    /// Seconds to wait for the health endpoint.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub health_timeout: f64,
    /// Do not ask the database to describe the SQL found in the code.
    #[arg(long)]
    pub no_describe: bool,
    /// Replace the snapshot at --out even when this run collected less than it (or it is not
    /// a gaps snapshot); without it a worse snapshot is written beside it.
    #[arg(long)]
    pub force: bool,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Say what is being collected, step by step.
    #[arg(long, short)]
    pub verbose: bool,
}

impl CollectArgs {
    /// The connection timeout as a duration.
    pub fn connect_timeout(&self) -> Duration {
        seconds(self.connect_timeout, 0.1)
    }
    /// The per-statement timeout as a duration.
    pub fn statement_timeout(&self) -> Duration {
        seconds(self.statement_timeout, 0.1)
    }
    /// The lock timeout as a duration (at least 10 ms).
    pub fn lock_timeout(&self) -> Duration {
        seconds(self.lock_timeout, 0.01)
    }
    /// The collection's deadline as a duration (at least one second).
    pub fn deadline(&self) -> Duration {
        seconds(self.deadline, 1.0)
    }
}

/// A flag's seconds as a duration: at least `min`, at most a day (so `inf` or `1e300` cannot
/// overflow), `min` for NaN.
fn seconds(value: f64, min: f64) -> Duration {
    let v = if value.is_nan() { min } else { value };
    Duration::from_secs_f64(v.clamp(min, 86_400.0))
}

/// Log formats `--log-format` can force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// `fly logs` text.
    Fly,
    /// JSON lines.
    Json,
    /// tracing / env_logger text.
    Text,
    /// PostgreSQL server log (stderr).
    Postgres,
}

/// Flags of `gaps check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The snapshot to check.
    pub snapshot: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For programs.
    Json,
}

/// The `--fail-on` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 on any error finding.
    Error,
    /// Exit 1 on any warning or error finding.
    Warning,
    /// Always exit 0 (unless the input is bad).
    Never,
}

/// Flags of `gaps report`.
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// One or more snapshots (e.g. staging and production, or before and after a deploy).
    #[arg(required = true)]
    pub snapshots: Vec<PathBuf>,
    /// The gaps.md action registry to render and answer.
    #[arg(long, value_name = "FILE")]
    pub gaps: Option<PathBuf>,
    /// Output directory; the report is DIR/index.html.
    #[arg(long, value_name = "DIR", default_value = "gaps-report")]
    pub out: PathBuf,
    /// Directory of templates overriding the built-in ones, file by file.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Also write an updated copy of gaps.md with completed actions moved (never in place).
    #[arg(long, value_name = "FILE")]
    pub write_gaps: Option<PathBuf>,
}

/// Flags of `gaps demo`.
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Output directory for the demo database, snapshot and report.
    #[arg(long, value_name = "DIR", default_value = "gaps-demo")]
    pub out: PathBuf,
}

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

/// Runs a parsed command line and returns the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Collect(args) => crate::collect::run(&args),
        Command::Check(args) => crate::check::run(&args),
        Command::Report(args) => crate::report::run(&args),
        Command::Demo(args) => crate::demo::run(&args),
        Command::Diff(args) => crate::diff::run(&args),
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
