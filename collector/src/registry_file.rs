//! Reading a gaps.md from disk: the one loader `collect` and `report` share, so both accept and
//! refuse exactly the same files (the rules are [`gaps_core::gapsmd_limits::decode`]). Never
//! reads more than the size limit into memory.

use std::io::Read;
use std::path::Path;

use anyhow::Context;
use gaps_core::gapsmd_limits::{self, GapsMdError};

/// The text of the gaps.md at `path`, or an error naming the file (and the line where the
/// problem is on one).
pub fn read(path: &Path) -> anyhow::Result<String> {
    let shown = path.display();
    let file = std::fs::File::open(path).with_context(|| format!("reading gaps.md {shown}"))?;
    let mut bytes = Vec::new();
    file.take(gapsmd_limits::MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading gaps.md {shown}"))?;
    if bytes.len() > gapsmd_limits::MAX_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len(), |m| m.len() as usize);
        let err = GapsMdError::TooLarge {
            bytes: size,
            limit: gapsmd_limits::MAX_BYTES,
        };
        anyhow::bail!("gaps.md {shown}: {err}");
    }
    match gapsmd_limits::decode(&bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(err) => anyhow::bail!("gaps.md {shown}: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_gaps_md_is_refused_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("gaps.md");
        std::fs::write(&p, b"\x7fELF\x02\x01\x01\x00\x00").unwrap();
        let err = format!("{:#}", read(&p).unwrap_err());
        assert!(err.contains(&p.display().to_string()), "{err}");
        assert!(err.contains("binary file"), "{err}");
    }

    #[test]
    fn an_oversized_gaps_md_names_its_real_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("gaps.md");
        std::fs::write(&p, vec![b'a'; gapsmd_limits::MAX_BYTES + 10]).unwrap();
        let err = format!("{:#}", read(&p).unwrap_err());
        assert!(
            err.contains(&(gapsmd_limits::MAX_BYTES + 10).to_string()),
            "{err}"
        );
    }

    #[test]
    fn a_missing_gaps_md_is_named() {
        let err = format!("{:#}", read(Path::new("/nonexistent/gaps.md")).unwrap_err());
        assert!(err.contains("/nonexistent/gaps.md"), "{err}");
    }
}
