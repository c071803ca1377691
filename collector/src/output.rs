//! Writing results: atomically to a file (temporary file in the same directory, then rename, so
//! a crash never leaves half a snapshot), or to standard output where a closed pipe is not an
//! error.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Prints `gaps: <text>` on standard error, redacted ([`gaps_core::redact::redact_text`]) and
/// with control and bidi characters escaped ([`gaps_core::escape::terminal`]): every message
/// gaps prints about its work goes through here, since file names, driver errors and object
/// names in it come from outside.
pub fn message(text: &str) {
    eprintln!("gaps: {}", safe_line(text));
}

/// `text` as [`message`] prints it: redacted and escaped, on one line.
pub fn safe_line(text: &str) -> String {
    gaps_core::escape::terminal(&gaps_core::redact::redact_text(text)).into_owned()
}

/// What writes a document into an output, as it is produced.
pub type Emit<'a> = &'a mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>;

/// Writes `text` to `path` atomically, or to stdout when `path` is `-`.
pub fn write_output(path: &Path, text: &str) -> anyhow::Result<()> {
    write_output_with(path, &mut |w| w.write_all(text.as_bytes()))
}

/// [`write_output`] of what `emit` writes, through a buffer and never held whole.
pub fn write_output_with(path: &Path, emit: Emit<'_>) -> anyhow::Result<()> {
    if path.as_os_str() == "-" {
        let out = std::io::stdout().lock();
        return match buffered(out, emit) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            other => other.context("writing to standard output"),
        };
    }
    // A device or pipe (`--out /dev/null`, a FIFO) is written in place: renaming a temporary
    // file over it would replace the device node with a regular file.
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.is_file()
        && !meta.is_dir()
    {
        return std::fs::OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(path)
            .and_then(|f| buffered(f, emit))
            .with_context(|| format!("writing {}", path.display()));
    }
    let tmp = temp_beside(path)?;
    finish_atomic_with(tmp, path, emit)
}

/// Runs `emit` into `out` through a 64 KiB buffer, flushed at the end.
fn buffered(out: impl Write, emit: Emit<'_>) -> std::io::Result<()> {
    let mut buf = std::io::BufWriter::with_capacity(1 << 16, out);
    emit(&mut buf)?;
    buf.flush()
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = temp_beside(path)?;
    finish_atomic(tmp, path, bytes)
}

/// The directory a file at `path` goes to (`.` for a bare file name).
pub fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A temporary file in `path`'s directory, ready to become `path`: opening it first proves
/// the directory exists and is writable before any work is done.
pub fn temp_beside(path: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
    tempfile::NamedTempFile::new_in(dir).with_context(|| {
        format!(
            "cannot write {}: creating a temporary file in {} failed",
            path.display(),
            dir.display()
        )
    })
}

/// Writes `bytes` into `tmp` and renames it to `path`.
pub fn finish_atomic(
    tmp: tempfile::NamedTempFile,
    path: &Path,
    bytes: &[u8],
) -> anyhow::Result<()> {
    finish_atomic_with(tmp, path, &mut |w| w.write_all(bytes))
}

/// Writes what `emit` writes into `tmp` and renames it to `path`.
pub fn finish_atomic_with(
    mut tmp: tempfile::NamedTempFile,
    path: &Path,
    emit: Emit<'_>,
) -> anyhow::Result<()> {
    fill_temp_with(&mut tmp, path, emit)?;
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("moving the new file into place at {}", path.display()))?;
    Ok(())
}

/// Writes `bytes` into `tmp` (synced, with a plain file's mode); `path` names it in errors.
pub fn fill_temp(
    tmp: &mut tempfile::NamedTempFile,
    path: &Path,
    bytes: &[u8],
) -> anyhow::Result<()> {
    fill_temp_with(tmp, path, &mut |w| w.write_all(bytes))
}

/// Writes what `emit` writes into `tmp` through a buffer (synced, with a plain file's mode);
/// `path` names it in errors.
pub fn fill_temp_with(
    tmp: &mut tempfile::NamedTempFile,
    path: &Path,
    emit: Emit<'_>,
) -> anyhow::Result<()> {
    // tempfile creates 0600; a report or snapshot is meant to be shared, so give it the mode
    // a plain `create` would (0644 before the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let umask = current_umask();
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644 & !umask))
            .with_context(|| format!("setting permissions of {}", path.display()))?;
    }
    buffered(tmp.as_file_mut(), emit)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// Empties `tmp` to be filled again from its start; `path` names it in errors.
pub fn rewind(tmp: &mut tempfile::NamedTempFile, path: &Path) -> anyhow::Result<()> {
    use std::io::Seek;
    tmp.as_file()
        .set_len(0)
        .and_then(|_| tmp.as_file_mut().rewind())
        .with_context(|| format!("writing {}", path.display()))
}

/// The process umask (read by setting and restoring it; there is no read-only call).
#[cfg(unix)]
fn current_umask() -> u32 {
    // SAFETY: umask only swaps the process's file-mode mask; restored immediately.
    unsafe {
        let old = libc::umask(0o022);
        libc::umask(old);
        old as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn written_files_are_readable_by_others_like_a_plain_create() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("index.html");
        write_atomic(&p, b"<html>").unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644 & !current_umask(), "mode {mode:o}");
    }

    #[test]
    fn writing_to_a_device_keeps_the_device() {
        let dev = Path::new("/dev/null");
        write_output(dev, "discarded").unwrap();
        let meta = std::fs::metadata(dev).unwrap();
        assert!(!meta.is_file(), "/dev/null was replaced by a regular file");
    }

    #[test]
    fn missing_directory_is_named_in_the_error() {
        let err = write_atomic(Path::new("/nonexistent-gaps-dir/s.json"), b"x").unwrap_err();
        assert!(format!("{err:#}").contains("/nonexistent-gaps-dir"));
    }
}
