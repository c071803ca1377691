//! `gaps check`: loads a snapshot, derives findings and their causes, prints them as text,
//! JSON, SARIF or GitHub workflow commands (with a Markdown step summary), and sets the exit
//! code from `--fail-on`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use gaps_core::finding::{Finding, Severity};

use crate::exit::{EXIT_FINDINGS, EXIT_OK};
use crate::render::{diagnosis, github, sarif};
use crate::repo_paths::RepoPaths;

/// Output formats of `gaps check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For people: the diagnosis, causes in fix order.
    Text,
    /// For programs: findings with their cause, and the causes.
    Json,
    /// SARIF 2.1.0 for code scanning (GitHub, GitLab, IDEs); paths from the repository root.
    Sarif,
    /// GitHub Actions workflow commands (annotations); see --summary.
    Github,
}

/// Flags of `gaps check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The snapshot to check.
    pub snapshot: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// List each cause's findings under it (text output).
    #[arg(long)]
    pub findings: bool,
    /// Everything: the same as --findings (text output).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// The repository root that sarif and github paths are relative to [default: the nearest
    /// folder above the source root holding .git, else the source root].
    #[arg(long, value_name = "DIR")]
    pub repo_root: Option<PathBuf>,
    /// Append the diagnosis as Markdown (causes and fix plan) to FILE [default with --format
    /// github: $GITHUB_STEP_SUMMARY when set].
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
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

/// Runs `gaps check`; `color` says whether the text output is coloured.
pub fn run(args: &CheckArgs, color: bool) -> anyhow::Result<u8> {
    let snapshot = crate::input::read_snapshot(&args.snapshot)?;
    let findings = gaps_core::rules::analyse(&snapshot);
    let diagnosis = gaps_core::causes::diagnose(&snapshot, &findings);
    let repo_paths = || -> anyhow::Result<RepoPaths> {
        let cwd = std::env::current_dir().context("reading the current directory")?;
        let files = RepoPaths::files_of(&findings, &diagnosis);
        Ok(RepoPaths::resolve(
            &snapshot,
            &files,
            args.repo_root.as_deref(),
            &cwd,
        ))
    };
    let text = match args.format {
        CheckFormat::Json => diagnosis::json(&findings, &diagnosis),
        CheckFormat::Text => diagnosis::text(
            &snapshot,
            &findings,
            &diagnosis,
            diagnosis::TextOptions {
                color,
                findings: args.findings || args.verbose,
            },
        ),
        CheckFormat::Sarif => {
            let paths = repo_paths()?;
            let log = sarif::sarif(&snapshot, &findings, &diagnosis, &paths);
            let unplaced = (0..findings.len())
                .filter(|&i| sarif::place(i, &findings, &diagnosis, &paths).is_none())
                .count();
            if unplaced > 0 {
                crate::output::message(&format!(
                    "{unplaced} result(s) have no file in the repository (collect with --source, \
                     or give --repo-root): GitHub code scanning refuses a SARIF file with such results"
                ));
            }
            sarif::to_text(&log)
        }
        CheckFormat::Github => github::annotations(&findings, &diagnosis, &repo_paths()?),
    };
    let summary_file = args.summary.clone().or_else(|| {
        (args.format == CheckFormat::Github)
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY"))
            .flatten()
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(file) = summary_file {
        append(&file, &github::summary(&snapshot, &findings, &diagnosis))?;
    }
    crate::output::write_output(Path::new("-"), &text)?;
    Ok(exit_code(&findings, args.fail_on))
}

/// Appends `text` to `file` (created when missing), as GitHub expects of a step summary that
/// several steps write to.
fn append(file: &Path, text: &str) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .with_context(|| format!("opening the summary file {}", file.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing the summary file {}", file.display()))
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
