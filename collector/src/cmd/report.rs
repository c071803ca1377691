//! `gaps report`: the single-file offline HTML report from snapshots and gaps.md; prints the
//! page's path.

use std::path::PathBuf;

use clap::Args;

use crate::exit::EXIT_OK;
use crate::report::{Request, viewer_scripts, write_report};

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

impl ReportArgs {
    /// The flags as the report builder takes them.
    pub fn request(&self) -> Request {
        Request {
            snapshots: self.snapshots.clone(),
            gaps: self.gaps.clone(),
            out: self.out.clone(),
            templates: self.templates.clone(),
            write_gaps: self.write_gaps.clone(),
        }
    }
}

/// Runs `gaps report`.
pub fn run(args: &ReportArgs) -> anyhow::Result<u8> {
    let w = write_report(&args.request(), viewer_scripts())?;
    println!(
        "{}",
        gaps_core::escape::terminal(&w.index.display().to_string())
    );
    if let Some(g) = &w.gaps {
        crate::output::message(&format!(
            "updated registry written to {} ({} action(s) completed: {})",
            g.display(),
            w.completed.len(),
            if w.completed.is_empty() {
                "none".to_string()
            } else {
                w.completed.join(", ")
            }
        ));
    }
    Ok(EXIT_OK)
}
