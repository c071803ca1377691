//! `gaps check`: loads a snapshot, derives findings and their causes, prints them as text,
//! JSON, SARIF or GitHub workflow commands (with a Markdown step summary), and sets the exit
//! code from `--fail-on`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use gaps_core::causes::Diagnosis;
use gaps_core::finding::{Finding, Severity};

use crate::exit::{EXIT_FINDINGS, EXIT_OK};
use crate::render::{diagnosis, fleet, github, sarif};
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
    /// The snapshot to check; several (a fleet, `DIR/*.json`) open with an overview, one row
    /// per target (in JSON: one entry per target, worst first).
    #[arg(required = true, value_name = "SNAPSHOT")]
    pub snapshots: Vec<PathBuf>,
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

/// One snapshot, checked.
struct Checked {
    name: String,
    file: String,
    snapshot: gaps_core::snapshot::Snapshot,
    findings: Vec<Finding>,
    diagnosis: Diagnosis,
}

impl Checked {
    fn item(&self) -> fleet::Item<'_> {
        fleet::Item {
            name: &self.name,
            file: &self.file,
            snapshot: &self.snapshot,
            findings: &self.findings,
            diagnosis: &self.diagnosis,
        }
    }
}

/// Reads and checks every snapshot. A target's name is its label, else its file name; a name
/// two snapshots share gets the file name added.
fn check_all(paths: &[PathBuf]) -> anyhow::Result<Vec<Checked>> {
    let mut out = Vec::new();
    for p in paths {
        let snapshot = crate::input::read_snapshot(p)?;
        let findings = gaps_core::rules::analyse(&snapshot);
        let diagnosis = gaps_core::causes::diagnose(&snapshot, &findings);
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string());
        out.push(Checked {
            name: snapshot.target.label.clone().unwrap_or(stem),
            file: p.display().to_string(),
            snapshot,
            findings,
            diagnosis,
        });
    }
    let names: Vec<String> = out.iter().map(|c| c.name.clone()).collect();
    for (c, p) in out.iter_mut().zip(paths) {
        if names.iter().filter(|n| **n == c.name).count() > 1 {
            c.name = format!("{} ({})", c.name, p.display());
        }
    }
    Ok(out)
}

/// Runs `gaps check`; `color` says whether the text output is coloured.
pub fn run(args: &CheckArgs, color: bool) -> anyhow::Result<u8> {
    let checked = check_all(&args.snapshots)?;
    let fleet = checked.len() > 1;
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let repo_paths = |c: &Checked| {
        let files = RepoPaths::files_of(&c.findings, &c.diagnosis);
        RepoPaths::resolve(&c.snapshot, &files, args.repo_root.as_deref(), &cwd)
    };
    let text = match args.format {
        CheckFormat::Json if fleet => {
            fleet::json(&checked.iter().map(Checked::item).collect::<Vec<_>>())
        }
        CheckFormat::Json => diagnosis::json(&checked[0].findings, &checked[0].diagnosis),
        CheckFormat::Text => {
            let opts = diagnosis::TextOptions {
                color,
                findings: args.findings || args.verbose,
            };
            let mut out = String::new();
            if fleet {
                let items: Vec<fleet::Item> = checked.iter().map(Checked::item).collect();
                out.push_str(&fleet::text_overview(&items));
            }
            for item in fleet::ordered(&checked.iter().map(Checked::item).collect::<Vec<_>>()) {
                if fleet {
                    out.push_str(&fleet::text_heading(&item));
                }
                out.push_str(&diagnosis::text(
                    item.snapshot,
                    item.findings,
                    item.diagnosis,
                    opts,
                ));
            }
            out
        }
        CheckFormat::Sarif => {
            let mut runs = Vec::new();
            let mut unplaced = 0;
            for c in &checked {
                let paths = repo_paths(c);
                unplaced += (0..c.findings.len())
                    .filter(|&i| sarif::place(i, &c.findings, &c.diagnosis, &paths).is_none())
                    .count();
                let name = (fleet || c.snapshot.target.label.is_some()).then_some(c.name.as_str());
                runs.push(sarif::run(
                    &c.snapshot,
                    &c.findings,
                    &c.diagnosis,
                    &paths,
                    name,
                ));
            }
            if unplaced > 0 {
                crate::output::message(&format!(
                    "{unplaced} result(s) have no file in the repository (collect with --source, \
                     or give --repo-root): GitHub code scanning refuses a SARIF file with such results"
                ));
            }
            sarif::to_text(&sarif::log(runs))
        }
        CheckFormat::Github => checked
            .iter()
            .map(|c| {
                github::annotations(
                    &c.findings,
                    &c.diagnosis,
                    &repo_paths(c),
                    fleet.then_some(c.name.as_str()),
                )
            })
            .collect(),
    };
    let summary_file = args.summary.clone().or_else(|| {
        (args.format == CheckFormat::Github)
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY"))
            .flatten()
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(file) = summary_file {
        let mut md = String::new();
        let items: Vec<fleet::Item> = checked.iter().map(Checked::item).collect();
        if fleet {
            md.push_str(&fleet::markdown_overview(&items));
        }
        for item in fleet::ordered(&items) {
            md.push_str(&github::summary(
                item.snapshot,
                item.findings,
                item.diagnosis,
            ));
        }
        append(&file, &md)?;
    }
    crate::output::write_output(Path::new("-"), &text)?;
    Ok(checked
        .iter()
        .map(|c| exit_code(&c.findings, args.fail_on))
        .max()
        .unwrap_or(EXIT_OK))
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
