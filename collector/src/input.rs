//! Reading the files the commands are given: a snapshot (or standard input for `-`), and text
//! that must be UTF-8, refused with the byte offset of the first bad byte. Every command reads
//! its snapshots here, so `check`, `diff` and `report` accept and refuse the same files.

use std::path::Path;

use anyhow::Context;
use gaps_core::snapshot::Snapshot;

/// Reads and parses a snapshot file (`-`: standard input); errors name the file (and
/// line/column when malformed).
pub fn read_snapshot(path: &Path) -> anyhow::Result<Snapshot> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .context("reading the snapshot from standard input")?
    } else {
        read_text(path)?
    };
    Snapshot::from_json(&text).with_context(|| format!("loading snapshot {}", path.display()))
}

/// The file at `path` as text; an error names the file, and the offset of the first byte that
/// is not UTF-8.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}
