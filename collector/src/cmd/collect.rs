//! `gaps collect`: turns the flags into a collection [`Request`], resolves it into a plan
//! (usage errors exit 2 before anything is collected), opens the output, collects, writes the
//! snapshot without ever replacing a better one, says what could not be read, and exits 1 when
//! the snapshot is partial.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use gaps_core::logs::LogFormat;
use gaps_core::snapshot::Snapshot;

use crate::collect::{DEFAULT_HEALTH_TIMEOUT, Limits, Request, gather};
use crate::exit::{EXIT_FINDINGS, EXIT_OK};
use crate::output;
use crate::preserve;
use crate::progress::Progress;

/// Targets collected at once by `--all` when `--jobs` is not given.
const DEFAULT_FLEET_JOBS: u16 = 4;

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
    #[arg(long, value_name = "SECS", default_value_t = Limits::DEFAULT.connect.as_secs_f64())]
    pub connect_timeout: f64,
    /// Seconds any single catalog statement may run.
    #[arg(long, value_name = "SECS", default_value_t = Limits::DEFAULT.statement.as_secs_f64())]
    pub statement_timeout: f64,
    /// Seconds any catalog read or describe may wait for a lock another session holds
    /// (never retried; the blocked object and who holds the lock are recorded).
    #[arg(long, value_name = "SECS", default_value_t = Limits::DEFAULT.lock.as_secs_f64())]
    pub lock_timeout: f64,
    /// Seconds the whole collection may take; then what was gathered is written and the
    /// rest is marked as not read.
    #[arg(long, value_name = "SECS", default_value_t = Limits::DEFAULT.deadline.as_secs_f64())]
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
    /// Force the log format instead of detecting it per file.
    #[arg(long, value_enum)]
    pub log_format: Option<LogFormatArg>,
    /// How much is read at once: log files, one thread each (default 1; the evidence is the
    /// same for every N), or with --all, targets (default 4).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,
    /// The service's health endpoint, e.g. `https://api.example.com/health`.
    #[arg(long, value_name = "URL")]
    pub health: Option<String>,
    /// Seconds to wait for the health endpoint.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_HEALTH_TIMEOUT.as_secs_f64())]
    pub health_timeout: f64,
    /// Do not ask the database to describe the SQL found in the code.
    #[arg(long)]
    pub no_describe: bool,
    /// The role (MySQL: account) the service connects as, whose privileges and session
    /// settings are checked; default: the user gaps connects as.
    #[arg(long, value_name = "NAME")]
    pub service_role: Option<String>,
    /// Rows from which a table counts as large: a pending migration's lock or rewrite hazard
    /// on it is an error (below: a warning).
    #[arg(long, value_name = "ROWS", default_value_t = gaps_core::hazards::DEFAULT_LARGE_ROWS)]
    pub large_table_rows: u64,
    /// Bytes (indexes and TOAST included) from which a table counts as large.
    #[arg(long, value_name = "BYTES", default_value_t = gaps_core::hazards::DEFAULT_LARGE_BYTES)]
    pub large_table_bytes: u64,
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
    /// Collect every [[target]] of the fleet file (--config, default ./gaps.toml), each
    /// into DIR/NAME.json (--out-dir); exit 1 when any is partial.
    #[arg(long, conflicts_with_all = [
        "database_url", "source", "migrations", "out", "label", "logs", "health", "service_role",
    ])]
    pub all: bool,
    /// With --all: the folder the snapshots are written to.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "gaps-snapshots",
        requires = "all"
    )]
    pub out_dir: PathBuf,
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

impl LogFormatArg {
    /// The format the log reader takes.
    pub fn format(self) -> LogFormat {
        match self {
            LogFormatArg::Fly => LogFormat::Fly,
            LogFormatArg::Json => LogFormat::Json,
            LogFormatArg::Text => LogFormat::Text,
            LogFormatArg::Postgres => LogFormat::Postgres,
        }
    }
}

impl CollectArgs {
    /// The flags as a collection request: seconds become durations (the limits at least
    /// 100 ms, the lock timeout at least 10 ms, the deadline at least a second, none over a
    /// day).
    pub fn request(&self) -> Request {
        Request {
            database_url: self.database_url.clone(),
            source: self.source.clone(),
            migrations: self.migrations.clone(),
            migrations_table: self.migrations_table.clone(),
            config: self.config.clone(),
            gaps: self.gaps.clone(),
            scratch_database_url: self.scratch_database_url.clone(),
            label: self.label.clone(),
            limits: Limits {
                connect: seconds(self.connect_timeout, 0.1),
                statement: seconds(self.statement_timeout, 0.1),
                lock: seconds(self.lock_timeout, 0.01),
                deadline: seconds(self.deadline, 1.0),
            },
            logs: self.logs.clone(),
            log_format: self.log_format.map(LogFormatArg::format),
            log_jobs: usize::from(self.jobs.unwrap_or(1)),
            health: self.health.clone(),
            health_timeout: seconds(self.health_timeout, 0.1),
            describe: !self.no_describe,
            service_role: self.service_role.clone(),
            large_table: gaps_core::hazards::SizeThreshold {
                rows: self.large_table_rows,
                bytes: self.large_table_bytes,
            },
            out: self.out.clone(),
            force: self.force,
            quiet: self.quiet,
            verbose: self.verbose,
        }
    }
}

/// A flag's seconds as a duration: at least `min`, at most a day (so `inf` or `1e300` cannot
/// overflow), `min` for NaN.
fn seconds(value: f64, min: f64) -> Duration {
    let v = if value.is_nan() { min } else { value };
    Duration::from_secs_f64(v.clamp(min, 86_400.0))
}

/// Runs `gaps collect` and returns the exit code (1 when the snapshot is partial).
pub fn run(args: &CollectArgs) -> anyhow::Result<u8> {
    if args.all {
        return run_all(args);
    }
    let plan = args.request().plan()?;
    // The output is opened before any work: a bad --out fails now, not after the collection.
    // A snapshot already there is read meanwhile; a file that must not be overwritten stops
    // the collection as soon as that is known.
    let mut out = preserve::open(&plan.out, plan.force)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let progress = Progress::new(plan.quiet, plan.verbose);
    let gathered = runtime.block_on(async {
        tokio::select! {
            biased;
            refused = out.refused() => Err(refused),
            gathered = gather(&plan, &progress) => Ok(gathered),
        }
    });
    let gathered = match gathered {
        Ok(g) => g,
        Err(refused) => {
            progress.finish();
            return Err(refused);
        }
    };
    progress.finish();
    let (snapshot, written) = out.write_gathered(gathered)?;
    if !plan.quiet {
        report_outcome(&snapshot);
    }
    if let Some(why) = &written.kept {
        // Said even with --quiet: the file the caller named was not updated.
        output::message(&format!(
            "kept the snapshot already at {}: {why}; this run's snapshot was written to {} \
             (pass --force to replace it)",
            plan.out.display(),
            written.path.display()
        ));
    } else if !plan.quiet && written.path.as_os_str() != "-" {
        output::message(&format!("snapshot written to {}", written.path.display()));
    }
    Ok(if snapshot.is_partial() || written.kept.is_some() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// `gaps collect --all`: every target of the fleet file, each into its own snapshot; exit 1
/// when any is partial.
fn run_all(args: &CollectArgs) -> anyhow::Result<u8> {
    let file = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("gaps.toml"));
    let targets = crate::fleet::read(&file)?;
    let count = targets.len();
    let outcomes = crate::fleet::collect_all(
        targets,
        &args.request(),
        &args.out_dir,
        usize::from(args.jobs.unwrap_or(DEFAULT_FLEET_JOBS)),
    )?;
    let partial = outcomes.iter().filter(|o| o.is_partial()).count();
    for o in &outcomes {
        if let Some(why) = &o.kept {
            output::message(&format!(
                "{}: kept the snapshot already there: {why}; this run's is {} (--force replaces it)",
                o.name,
                o.path.display()
            ));
        } else if o.problems.is_empty() {
            if !args.quiet {
                output::message(&format!("{}: complete, {}", o.name, o.path.display()));
            }
        } else {
            // Said even with --quiet: this target's evidence is incomplete.
            output::message(&format!(
                "{}: partial, {}: {}",
                o.name,
                o.path.display(),
                o.problems.join("; ")
            ));
        }
    }
    if !args.quiet || partial > 0 {
        output::message(&format!(
            "{count} target(s): {} complete, {partial} partial",
            count - partial
        ));
    }
    Ok(if partial > 0 { EXIT_FINDINGS } else { EXIT_OK })
}

/// Says on stderr what could not be read: the database error in full, catalogs read in part,
/// locks, a session that ended early, failed sections and unread inputs.
fn report_outcome(snapshot: &Snapshot) {
    // The database errors first and in full: "could not connect" is the one a person must read.
    if let Some(e) = snapshot.database.error() {
        output::message(&format!("{}: {}", e.during, e.message));
    }
    if let Some(schema) = snapshot.schema.data() {
        for e in &schema.incomplete {
            output::message(&format!(
                "the live schema is partial: {}: {}",
                e.during, e.message
            ));
        }
    }
    if let Some(session) = &snapshot.session {
        for l in &session.locked {
            let pids: Vec<String> = l.blockers.iter().map(|b| b.pid.to_string()).collect();
            let not_read = if l.not_read.is_empty() {
                String::new()
            } else {
                format!("; not read: {}", l.not_read.join("; "))
            };
            output::message(&format!(
                "{} is locked by another session (pid {}){not_read}",
                l.relation,
                pids.join(", ")
            ));
        }
        if let Some(end) = &session.ended_early {
            output::message(&format!(
                "the database session ended early while {}: {}",
                end.during, end.message
            ));
        }
    }
    if let Some(why) = snapshot
        .query_checks
        .data()
        .and_then(|q| q.stopped.as_ref())
    {
        output::message(&format!("describing stopped early: {why}"));
    }
    for (name, status) in snapshot.section_statuses() {
        if status == gaps_core::snapshot::SectionStatus::Failed {
            output::message(&format!(
                "section {name} could not be collected (recorded in the snapshot)"
            ));
        }
    }
    for input in gaps_core::unread::unread_inputs(snapshot) {
        output::message(&format!(
            "could not read {input} (recorded in the snapshot)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(argv: &[&str]) -> CollectArgs {
        let cli = Cli::try_parse_from(["gaps", "collect"].iter().chain(argv)).unwrap();
        let Command::Collect(args) = cli.command else {
            unreachable!("parsed as collect")
        };
        args
    }

    #[test]
    fn no_flags_is_the_default_request() {
        let r = parse(&[]).request();
        let d = Request::default();
        assert_eq!(r.limits, d.limits);
        assert_eq!(r.health_timeout, d.health_timeout);
        assert_eq!(r.out, d.out);
        assert_eq!(r.describe, d.describe);
        assert_eq!((r.force, r.quiet, r.verbose), (d.force, d.quiet, d.verbose));
        assert!(r.database_url.is_none() && r.source.is_none() && r.logs.is_empty());
    }

    #[test]
    fn seconds_are_clamped_to_durations() {
        let r = parse(&[
            "--connect-timeout",
            "0",
            "--lock-timeout",
            "NaN",
            "--deadline",
            "inf",
            "--health-timeout",
            "1e300",
            "--statement-timeout",
            "2.5",
            "--no-describe",
            "--log-format",
            "postgres",
        ])
        .request();
        assert_eq!(r.limits.connect, Duration::from_millis(100));
        assert_eq!(r.limits.lock, Duration::from_millis(10));
        assert_eq!(r.limits.deadline, Duration::from_secs(86_400));
        assert_eq!(r.limits.statement, Duration::from_millis(2500));
        assert_eq!(r.health_timeout, Duration::from_secs(86_400));
        assert!(!r.describe);
        assert_eq!(r.log_format, Some(LogFormat::Postgres));
    }
}
