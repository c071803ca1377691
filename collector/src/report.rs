//! The report as `gaps report` and `gaps demo` write it: reads snapshots, the optional gaps.md
//! and template overrides, builds the single-file report with gaps-site and writes
//! DIR/index.html atomically; asked to, also writes an updated copy of the registry (never
//! over the input).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use gaps_core::finding::Finding;
use gaps_site::{NamedSnapshot, Templates};

use crate::input::read_snapshot;
use crate::output::write_atomic;

/// What to build the report from and where to write it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The snapshots, in the order to show them.
    pub snapshots: Vec<PathBuf>,
    /// The gaps.md action registry to render and answer.
    pub gaps: Option<PathBuf>,
    /// Output directory; the report is DIR/index.html.
    pub out: PathBuf,
    /// Directory of templates overriding the built-in ones, file by file.
    pub templates: Option<PathBuf>,
    /// Where to write an updated copy of gaps.md with completed actions moved.
    pub write_gaps: Option<PathBuf>,
}

/// Reads `--templates DIR`: every file in it must be one of the template names.
pub fn load_templates(dir: Option<&Path>) -> anyhow::Result<Templates> {
    let mut t = Templates::builtin();
    let Some(dir) = dir else { return Ok(t) };
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("reading templates from {}", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("listing {}", dir.display()))?;
        let path = entry.path();
        if !path.is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading template {}", path.display()))?;
        t.set(&name, text)?;
    }
    Ok(t)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// What `gaps report` wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// DIR/index.html.
    pub index: PathBuf,
    /// The updated registry, when asked for.
    pub gaps: Option<PathBuf>,
    /// Actions moved to Completed.
    pub completed: Vec<String>,
}

/// Builds and writes the report. `extra_scripts` are inline scripts to add (the diff viewer).
pub fn write_report(req: &Request, extra_scripts: Vec<String>) -> anyhow::Result<Written> {
    if let (Some(w), Some(g)) = (&req.write_gaps, &req.gaps)
        && same_file(w, g)
    {
        bail!(
            "--write-gaps {} is the input registry; gaps never modifies it in place: choose another file",
            w.display()
        );
    }
    if req.write_gaps.is_some() && req.gaps.is_none() {
        bail!("--write-gaps needs --gaps FILE (the registry to update)");
    }
    let analysed = read_and_analyse(&req.snapshots)?;
    let registry = match &req.gaps {
        Some(p) => Some(
            gaps_site::load_registry(
                &p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| p.display().to_string()),
                &crate::registry_file::read(p)?,
            )
            .context("building the report")?,
        ),
        None => None,
    };
    let templates = load_templates(req.templates.as_deref())?;
    let report = gaps_site::build_analysed(analysed, registry, &templates, &extra_scripts)
        .context("building the report")?;
    std::fs::create_dir_all(&req.out)
        .with_context(|| format!("creating the output directory {}", req.out.display()))?;
    let index = req.out.join("index.html");
    write_atomic(&index, report.html.as_bytes())?;
    let mut written = Written {
        index,
        gaps: None,
        completed: vec![],
    };
    if let (Some(out), Some(doc)) = (&req.write_gaps, &report.registry) {
        let done = gaps_site::update::completions(doc, &report.analysed);
        let text = gaps_site::update::updated_registry(doc, &done);
        write_atomic(out, text.as_bytes())?;
        written.completed = done.into_iter().map(|c| c.action).collect();
        written.gaps = Some(out.clone());
    }
    Ok(written)
}

/// Reads each snapshot and runs the rules on it, on as many threads as there are cores (a
/// fleet report reads tens of snapshots, each on its own); the result and the first error keep
/// the order of `paths`.
fn read_and_analyse(paths: &[PathBuf]) -> anyhow::Result<Vec<(NamedSnapshot, Vec<Finding>)>> {
    let one = |p: &PathBuf| -> anyhow::Result<(NamedSnapshot, Vec<Finding>)> {
        let snapshot = read_snapshot(p)?;
        let findings = gaps_core::rules::analyse(&snapshot);
        let file = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string());
        Ok((NamedSnapshot { file, snapshot }, findings))
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(paths.len());
    if threads <= 1 {
        return paths.iter().map(one).collect();
    }
    let per_thread = paths.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(per_thread)
            .map(|chunk| scope.spawn(move || chunk.iter().map(one).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(results) => results,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

/// The interactive diff viewer's inline scripts (glue, then bootstrap with the inlined wasm),
/// or none when the committed artifacts are absent: the page then keeps its static tables.
pub fn viewer_scripts() -> Vec<String> {
    gaps_site::wasm::viewer_assets()
        .map(|a| vec![a.glue_js.to_string(), a.bootstrap_js])
        .unwrap_or_default()
}
