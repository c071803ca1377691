//! Where `gaps collect` writes its snapshot, decided before collecting and kept safe after:
//! the output is opened first (a temporary file in the target directory), so a bad `--out`
//! fails at once (a file already there that is not a snapshot as soon as that is known: it is
//! read while the collection goes on); the snapshot is written atomically; and a good snapshot
//! already at `--out` is never replaced by a worse one (fewer sections collected, or no
//! database connection) unless `--force`: the new one is written beside it instead and stderr
//! says so.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use gaps_core::snapshot::{LoadError, Outline, SectionStatus, Snapshot};

use crate::collect::Gathered;
use crate::output;

/// The output, opened before collecting.
pub enum SnapshotOut {
    /// `--out -`.
    Stdout,
    /// A device or pipe (`/dev/null`), written in place.
    Special(PathBuf),
    /// A regular file, written through a temporary file beside it.
    File {
        /// `--out`.
        path: PathBuf,
        /// The temporary file that becomes the snapshot.
        tmp: tempfile::NamedTempFile,
        /// What is at `--out` now.
        previous: Pending,
        /// `--force`.
        force: bool,
    },
}

/// What was at `--out` before this run.
pub enum Previous {
    /// Nothing (or an empty file).
    None,
    /// A snapshot this gaps reads: what it collected (the evidence is not read).
    Snapshot(Outline),
    /// A gaps snapshot this gaps cannot compare (newer format, or damaged): kept unless
    /// `--force`.
    Unreadable(String),
}

/// What is at `--out`: known, or still being read.
pub enum Pending {
    /// Read.
    Known(Previous),
    /// Being read on a thread of its own ([`open`]).
    Reading(tokio::sync::oneshot::Receiver<anyhow::Result<Previous>>),
}

impl Pending {
    /// What was there, waiting for the reading when it is still going on.
    fn settle(self) -> anyhow::Result<Previous> {
        match self {
            Pending::Known(done) => Ok(done),
            // A reading that stopped (it cannot, but a panic would) keeps the file.
            Pending::Reading(rx) => rx
                .blocking_recv()
                .unwrap_or_else(|_| Ok(Previous::Unreadable("reading it stopped".into()))),
        }
    }
}

/// Where the snapshot went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The file written (`-` for standard output).
    pub path: PathBuf,
    /// Why `--out` was kept and the snapshot written beside it, when it was.
    pub kept: Option<String>,
}

/// Opens the output before any evidence is gathered. Errors (exit 2) name the path: a missing
/// or read-only directory, a directory given as the file, a file that is not a gaps snapshot.
pub fn prepare(out: &Path, force: bool) -> anyhow::Result<SnapshotOut> {
    opened(out, force, false)
}

/// [`prepare`], with the file already at `--out` read (its outline: two passes over the whole
/// previous snapshot) on a thread of its own while the collection goes on: a file gaps must
/// not overwrite is then told by [`SnapshotOut::refused`], which the caller races with the
/// collection.
pub fn open(out: &Path, force: bool) -> anyhow::Result<SnapshotOut> {
    opened(out, force, true)
}

/// [`prepare`], or [`open`] when `meanwhile`.
fn opened(out: &Path, force: bool, meanwhile: bool) -> anyhow::Result<SnapshotOut> {
    if out.as_os_str() == "-" {
        return Ok(SnapshotOut::Stdout);
    }
    let meta = std::fs::metadata(out).ok();
    if let Some(m) = &meta {
        if m.is_dir() {
            bail!(
                "--out {} is a directory: give the snapshot's file name, e.g. {}",
                out.display(),
                out.join("gaps-snapshot.json").display()
            );
        }
        if !m.is_file() {
            std::fs::OpenOptions::new()
                .append(true)
                .open(out)
                .with_context(|| format!("--out {} cannot be written", out.display()))?;
            return Ok(SnapshotOut::Special(out.to_path_buf()));
        }
    }
    let tmp = output::temp_beside(out).with_context(|| format!("--out {}", out.display()))?;
    let previous = match meta {
        Some(m) if m.len() > 0 && !meanwhile => Pending::Known(previous(out, force)?),
        Some(m) if m.len() > 0 => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            let path = out.to_path_buf();
            let reading = std::thread::Builder::new()
                .name("gaps-previous".into())
                .spawn(move || {
                    // The receiver gone means nobody waits for the answer any more.
                    let _ = tx.send(previous(&path, force));
                });
            match reading {
                Ok(_) => Pending::Reading(rx),
                // No thread: read here, as before.
                Err(_) => Pending::Known(previous(out, force)?),
            }
        }
        _ => Pending::Known(Previous::None),
    };
    Ok(SnapshotOut::File {
        path: out.to_path_buf(),
        tmp,
        previous,
        force,
    })
}

/// Reads what is at `--out`: a snapshot to compare with, or a file gaps must not overwrite.
fn previous(out: &Path, force: bool) -> anyhow::Result<Previous> {
    let not_ours = |why: String| -> anyhow::Result<Previous> {
        if force {
            return Ok(Previous::None);
        }
        bail!(
            "--out {} already exists and is not a gaps snapshot ({why}); refusing to overwrite \
             it: choose another file, or pass --force",
            out.display()
        )
    };
    let text = match std::fs::read(out).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => return not_ours("it is not UTF-8 text".into()),
        Err(e) => return not_ours(format!("it cannot be read: {e}")),
    };
    match Outline::from_json(&text) {
        Ok(s) => Ok(Previous::Snapshot(s)),
        Err(e @ (LoadError::TooNew { .. } | LoadError::Invalid { .. })) => {
            Ok(Previous::Unreadable(e.to_string()))
        }
        Err(e) => not_ours(e.to_string()),
    }
}

impl SnapshotOut {
    /// Resolves only if the file already at `--out` turns out to be one gaps must not
    /// overwrite (the error to stop with); otherwise never, so that racing it with the
    /// collection leaves the collection to finish.
    pub async fn refused(&mut self) -> anyhow::Error {
        if let SnapshotOut::File { previous, .. } = self
            && let Pending::Reading(rx) = previous
        {
            let done = match rx.await {
                Ok(Err(e)) => return e,
                Ok(Ok(done)) => done,
                Err(_) => Previous::Unreadable("reading it stopped".into()),
            };
            *previous = Pending::Known(done);
        }
        std::future::pending().await
    }

    /// Writes the snapshot: to `--out` unless that would replace a better snapshot without
    /// `--force`, in which case beside it as `NAME.partial-<time>.json`.
    /// The text is streamed into the output as it is serialised (redacted and escaped on the
    /// way, [`Snapshot::write_json`]), never held whole.
    pub fn write(self, snapshot: &Snapshot) -> anyhow::Result<Written> {
        let emit = &mut |w: &mut dyn std::io::Write| snapshot.write_json(w);
        match self {
            SnapshotOut::Stdout => {
                output::write_output_with(Path::new("-"), emit)?;
                Ok(Written {
                    path: PathBuf::from("-"),
                    kept: None,
                })
            }
            SnapshotOut::Special(path) => {
                output::write_output_with(&path, emit)?;
                Ok(Written { path, kept: None })
            }
            SnapshotOut::File {
                path,
                mut tmp,
                previous,
                force,
            } => {
                output::fill_temp_with(&mut tmp, &path, emit)?;
                place(path, tmp, previous, force, snapshot)
            }
        }
    }

    /// [`write`](SnapshotOut::write) of a snapshot gathered but not yet redacted, returning
    /// it redacted. Into a file, the text is redacted on the way in one pass
    /// ([`Gathered::write_if_clean`]); only when a field needed redaction is the snapshot
    /// redacted in memory and the file written again, before anything is moved into place.
    pub fn write_gathered(self, mut gathered: Gathered) -> anyhow::Result<(Snapshot, Written)> {
        let SnapshotOut::File {
            path,
            mut tmp,
            previous,
            force,
        } = self
        else {
            let snapshot = gathered.redact();
            let written = self.write(&snapshot)?;
            return Ok((snapshot, written));
        };
        let mut clean = false;
        output::fill_temp_with(&mut tmp, &path, &mut |w| {
            clean = gathered.write_if_clean(w)?;
            Ok(())
        })?;
        let snapshot = gathered.redact();
        if !clean {
            // Not the canonical text (though free of secrets): replaced by the redacted
            // snapshot's before the file goes anywhere.
            output::rewind(&mut tmp, &path)?;
            output::fill_temp_with(&mut tmp, &path, &mut |w| snapshot.write_json(w))?;
        }
        let written = place(path, tmp, previous, force, &snapshot)?;
        Ok((snapshot, written))
    }
}

/// Moves the filled temporary file `tmp` of `snapshot` to `path` (`--out`), or beside it when
/// that would replace a better snapshot (`previous`) without `force`.
fn place(
    path: PathBuf,
    tmp: tempfile::NamedTempFile,
    previous: Pending,
    force: bool,
    snapshot: &Snapshot,
) -> anyhow::Result<Written> {
    let previous = previous.settle()?;
    let kept = if force {
        None
    } else {
        match &previous {
            Previous::None => None,
            Previous::Snapshot(old) => worse(snapshot, old),
            Previous::Unreadable(why) => Some(format!(
                "it is a gaps snapshot this gaps cannot compare with ({why})"
            )),
        }
    };
    let Some(why) = kept else {
        tmp.persist(&path)
            .map_err(|e| e.error)
            .with_context(|| format!("moving the new file into place at {}", path.display()))?;
        return Ok(Written { path, kept: None });
    };
    let beside = persist_beside(tmp, &path, &snapshot.collected_at)?;
    Ok(Written {
        path: beside,
        kept: Some(why),
    })
}

/// Why `new` is worse than `old` (the outline of the snapshot at `--out`), if it is: fewer
/// sections collected, or the database could not be reached when it could before.
pub fn worse(new: &Snapshot, old: &Outline) -> Option<String> {
    let collected = |s: &Outline| {
        s.statuses
            .iter()
            .filter(|(_, st)| *st == SectionStatus::Collected)
            .count()
    };
    let (n, o) = (collected(&Outline::of(new)), collected(old));
    if new.database.is_failed() && old.status("database") == SectionStatus::Collected {
        let why = new
            .database
            .error()
            .map(|e| format!("{}: {}", e.during, e.message))
            .unwrap_or_default();
        return Some(format!(
            "this run could not reach the database ({why}), the snapshot there did"
        ));
    }
    (n < o).then(|| {
        format!(
            "it has {o} collected section(s), this run only {n} ({})",
            lost_sections(new, old).join(", ")
        )
    })
}

/// Sections collected in `old` but not in `new`.
fn lost_sections(new: &Snapshot, old: &Outline) -> Vec<&'static str> {
    old.statuses
        .iter()
        .copied()
        .zip(new.section_statuses())
        .filter(|((_, o), (_, n))| *o == SectionStatus::Collected && *n != SectionStatus::Collected)
        .map(|((name, _), _)| name)
        .collect()
}

/// `DIR/NAME.partial-<time>.json` (a `-2`, `-3`... when taken), never replacing a file.
fn persist_beside(
    mut tmp: tempfile::NamedTempFile,
    path: &Path,
    collected_at: &str,
) -> anyhow::Result<PathBuf> {
    let stamp: String = collected_at
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "gaps-snapshot".into());
    let dir = output::parent_dir(path);
    for n in 1..1000 {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        let candidate = dir.join(format!("{stem}.partial-{stamp}{suffix}.json"));
        match tmp.persist_noclobber(&candidate) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => tmp = e.file,
            Err(e) => {
                return Err(e.error)
                    .with_context(|| format!("writing the snapshot to {}", candidate.display()));
            }
        }
    }
    bail!(
        "no free name for the snapshot beside {}: remove old {stem}.partial-*.json files",
        path.display()
    )
}

#[cfg(test)]
mod tests;
