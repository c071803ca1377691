//! Lists the service's `.rs` files: honours `.gitignore` (also outside a git checkout),
//! skips hidden directories and every `target/` directory, and sorts the result.

use std::path::{Path, PathBuf};

/// Every Rust source file under `root`, sorted, plus the walk errors (unreadable
/// directories, broken links) as `(path, message)`.
pub fn rust_files(root: &Path) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .require_git(false)
        .filter_entry(|e| !(e.file_type().is_some_and(|t| t.is_dir()) && e.file_name() == "target"))
        .build();
    for entry in walker {
        match entry {
            Ok(e) => {
                if e.file_type().is_some_and(|t| t.is_file())
                    && e.path().extension().is_some_and(|x| x == "rs")
                {
                    files.push(e.into_path());
                }
            }
            Err(err) => {
                let path = match &err {
                    ignore::Error::WithPath { path, .. } => path.display().to_string(),
                    _ => root.display().to_string(),
                };
                errors.push((path, err.to_string()));
            }
        }
    }
    files.sort();
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_target_and_gitignored_files() {
        let dir = tempfile::tempdir().unwrap();
        let w = |rel: &str| {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "fn x() {}").unwrap();
        };
        w("src/main.rs");
        w("src/gen/skip.rs");
        w("target/debug/build/out.rs");
        w("crates/a/target/x.rs");
        w("crates/a/src/lib.rs");
        std::fs::write(dir.path().join(".gitignore"), "src/gen/\n").unwrap();
        let (files, errors) = rust_files(dir.path());
        assert!(errors.is_empty());
        let rel: Vec<String> = files
            .iter()
            .map(|p| super::super::scan::relative(dir.path(), p))
            .collect();
        assert_eq!(rel, ["crates/a/src/lib.rs", "src/main.rs"]);
    }
}
