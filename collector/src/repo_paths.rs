//! Where a snapshot's files are in the repository: code scanning (SARIF) and GitHub annotations
//! need every path relative to the repository root, while gaps shows paths relative to the
//! service's source root (`src/db.rs`), which may be a folder inside a larger repository
//! (`services/billing/src/db.rs`). This module looks at the file system once, in the command
//! layer, and hands the renderers a plain map.
//!
//! The repository root is `--repo-root` when given, else the nearest folder above the source
//! root holding `.git`, else the source root itself. A file outside the repository (a log file
//! in `/var/log`) has no repository path; the renderers then anchor its finding elsewhere.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use gaps_core::causes::Diagnosis;
use gaps_core::finding::Finding;
use gaps_core::snapshot::Snapshot;

/// Repository-relative paths of a snapshot's files, and the file to anchor a finding at when
/// neither it nor its cause has one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoPaths {
    /// A finding's `file`, as the findings carry it, to its path from the repository root
    /// (`/`-separated). Files outside the repository are absent.
    map: BTreeMap<String, String>,
    /// The service's manifest (`Cargo.toml` in the source root), from the repository root.
    anchor: Option<String>,
}

impl RepoPaths {
    /// A map given directly (tests, callers that know their paths).
    pub fn new(map: BTreeMap<String, String>, anchor: Option<String>) -> RepoPaths {
        RepoPaths { map, anchor }
    }

    /// `file` (as a finding carries it) from the repository root, when it lies inside.
    pub fn get(&self, file: &str) -> Option<&str> {
        self.map.get(file).map(String::as_str)
    }

    /// The finding's own location from the repository root: its file (when inside) and line.
    pub fn of_finding(&self, f: &Finding) -> Option<(&str, Option<u32>)> {
        f.file
            .as_deref()
            .and_then(|file| self.get(file))
            .map(|p| (p, f.line))
    }

    /// The file to anchor a finding at when nothing closer is known.
    pub fn anchor(&self) -> Option<&str> {
        self.anchor.as_deref()
    }

    /// The files a diagnosis points at: the findings' files and the causes' call sites.
    pub fn files_of<'a>(findings: &'a [Finding], d: &'a Diagnosis) -> Vec<&'a str> {
        let mut files: Vec<&str> = findings.iter().filter_map(|f| f.file.as_deref()).collect();
        for c in &d.causes {
            for site in &c.impact.call_sites {
                files.push(site.rsplit_once(':').map_or(site.as_str(), |(f, _)| f));
            }
        }
        files
    }

    /// Resolves `files` (paths relative to the source root, or as the user named them)
    /// against the file system, relative to `repo_root` (see the module docs). `cwd` is the
    /// folder relative paths on the command line were given from.
    pub fn resolve(
        snapshot: &Snapshot,
        files: &[&str],
        repo_root: Option<&Path>,
        cwd: &Path,
    ) -> RepoPaths {
        let source = snapshot
            .code
            .data()
            .map(|c| c.root.clone())
            .or_else(|| snapshot.target.source_dir.clone())
            .map(|r| canonical(&cwd.join(r)));
        let root = match repo_root {
            Some(r) => canonical(&cwd.join(r)),
            None => source
                .as_deref()
                .and_then(git_root)
                .or_else(|| source.clone())
                .unwrap_or_else(|| canonical(cwd)),
        };
        // The source root from the repository root: what a path that no longer exists on
        // this machine (a snapshot checked elsewhere) is assumed to be relative to.
        let prefix = source
            .as_deref()
            .and_then(|s| s.strip_prefix(&root).ok())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let mut map = BTreeMap::new();
        for &file in files {
            if map.contains_key(file) {
                continue;
            }
            if let Some(rel) = locate(file, source.as_deref(), &root, &prefix, cwd) {
                map.insert(file.to_string(), rel);
            }
        }
        let anchor = source
            .as_deref()
            .map(|s| s.join("Cargo.toml"))
            .filter(|p| p.is_file())
            .and_then(|p| relative(&p, &root));
        RepoPaths { map, anchor }
    }
}

/// `file` from the repository root, or `None` when it lies outside.
fn locate(
    file: &str,
    source: Option<&Path>,
    root: &Path,
    prefix: &Path,
    cwd: &Path,
) -> Option<String> {
    let p = Path::new(file);
    let mut candidates = Vec::new();
    if p.is_absolute() {
        candidates.push(p.to_path_buf());
    } else {
        if let Some(s) = source {
            candidates.push(s.join(p));
        }
        candidates.push(cwd.join(p));
    }
    if let Some(found) = candidates.iter().find(|c| c.exists()) {
        return relative(&canonical(found), root);
    }
    if p.is_absolute() {
        return relative(p, root);
    }
    // Not on this machine: trust a plain relative path to be inside the source tree.
    p.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then(|| slashed(&prefix.join(p)))
}

/// `path` relative to `root`, `/`-separated, when it lies inside.
fn relative(path: &Path, root: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    (!rel.as_os_str().is_empty()).then(|| slashed(rel))
}

fn slashed(p: &Path) -> String {
    p.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The nearest folder at or above `dir` that holds `.git` (a folder, or a file in a worktree).
fn git_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gaps_core::finding::{FindingKind, Severity};

    fn finding(file: &str) -> Finding {
        Finding::new(
            FindingKind::QueryInvalid,
            Severity::Error,
            "ACTION-004",
            "m",
        )
        .location(file, Some(3))
    }

    #[test]
    fn paths_become_relative_to_the_git_root_above_the_source_root() {
        let repo = tempfile::tempdir().unwrap();
        let root = canonical(repo.path());
        std::fs::create_dir(root.join(".git")).unwrap();
        let svc = root.join("services/billing");
        std::fs::create_dir_all(svc.join("src")).unwrap();
        std::fs::write(svc.join("src/db.rs"), "").unwrap();
        std::fs::write(svc.join("Cargo.toml"), "").unwrap();
        let outside = tempfile::tempdir().unwrap();
        let log = outside.path().join("app.log");
        std::fs::write(&log, "").unwrap();
        let mut s = gaps_core::testing::snapshot();
        s.target.source_dir = Some("services/billing".into());
        let findings = [
            finding("src/db.rs"),
            finding(log.to_str().unwrap()),
            finding("src/gone.rs"),
            finding("../elsewhere.rs"),
        ];
        let files: Vec<&str> = findings.iter().filter_map(|f| f.file.as_deref()).collect();
        let p = RepoPaths::resolve(&s, &files, None, &root);
        assert_eq!(p.get("src/db.rs"), Some("services/billing/src/db.rs"));
        assert_eq!(p.get(log.to_str().unwrap()), None, "outside the repository");
        assert_eq!(
            p.get("src/gone.rs"),
            Some("services/billing/src/gone.rs"),
            "a file not on this machine is taken as inside the source tree"
        );
        assert_eq!(p.get("../elsewhere.rs"), None);
        assert_eq!(p.anchor(), Some("services/billing/Cargo.toml"));

        let given = RepoPaths::resolve(&s, &files, Some(&svc), &root);
        assert_eq!(
            given.get("src/db.rs"),
            Some("src/db.rs"),
            "--repo-root wins"
        );
    }
}
