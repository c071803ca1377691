//! Paths to the committed test fixtures.

use std::path::PathBuf;

/// The repository root (the workspace directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// `tests/fixtures/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    repo_root().join("tests").join("fixtures").join(rel)
}

/// The real gaps.md registry shipped in the shared folder beside the checkout, falling back to
/// the committed copy in the fixtures.
pub fn seed_gaps_md() -> PathBuf {
    let shared = repo_root()
        .join("..")
        .join("shared")
        .join("seed")
        .join("gaps.md");
    if shared.is_file() {
        shared
    } else {
        fixture("gaps.md")
    }
}
