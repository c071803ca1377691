//! `gaps check`: loads a snapshot, derives findings, prints them as text or JSON, and sets the
//! exit code from `--fail-on`.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use gaps_core::finding::{Finding, Severity};

use super::format::Format;
use crate::exit::{EXIT_FINDINGS, EXIT_OK};
use crate::render::diagnosis;

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
    /// List each cause's findings under it (text output).
    #[arg(long)]
    pub findings: bool,
    /// Everything: the same as --findings (text output).
    #[arg(long, short = 'v')]
    pub verbose: bool,
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

/// Runs `gaps check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<u8> {
    let snapshot = crate::input::read_snapshot(&args.snapshot)?;
    let findings = gaps_core::rules::analyse(&snapshot);
    let diagnosis = gaps_core::causes::diagnose(&snapshot, &findings);
    let text = match args.format {
        Format::Json => diagnosis::json(&findings, &diagnosis),
        Format::Text => diagnosis::text(
            &snapshot,
            &findings,
            &diagnosis,
            diagnosis::TextOptions {
                color: diagnosis::stdout_color(),
                findings: args.findings || args.verbose,
            },
        ),
    };
    crate::output::write_output(Path::new("-"), &text)?;
    Ok(exit_code(&findings, args.fail_on))
}

/// 1 when any finding reaches `fail_on`, else 0.
pub fn exit_code(findings: &[Finding], fail_on: FailOn) -> u8 {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if findings.iter().any(|f| f.severity >= t) => EXIT_FINDINGS,
        _ => EXIT_OK,
    }
}
