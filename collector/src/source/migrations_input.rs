//! The migration files to replay, in the order sqlx applies them: exactly the files of the
//! `local_migrations` section (which owns folder discovery and sqlx's naming rules), never a
//! second reading of the directory with rules of its own.

use std::path::{Path, PathBuf};

use gaps_core::code::replay::MigrationSource;
use gaps_core::migrations::LocalMigrations;

/// Reads the files listed in the local-migrations section (simple and up migrations only).
pub fn from_section(local: &LocalMigrations) -> Result<Vec<MigrationSource>, String> {
    let dir = PathBuf::from(&local.directory);
    let mut files: Vec<_> = local.files.iter().filter(|f| f.kind.is_applied()).collect();
    files.sort_by_key(|f| f.version);
    files
        .into_iter()
        .map(|f| {
            let path = dir.join(&f.file);
            read(&path).map(|sql| MigrationSource {
                version: f.version,
                file: f.file.clone(),
                sql,
            })
        })
        .collect()
}

fn read(path: &Path) -> Result<String, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("could not read {}: {e}", path.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|_| format!("{} is not valid UTF-8", path.display()))?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}
