//! The migration files to replay, in the order sqlx applies them. They come from the
//! `local_migrations` section when it was collected (the migrations helper owns directory
//! discovery and naming rules); otherwise from a minimal reading of the directory here.
//!
//! TODO(merge): once `collector/src/migrations` fills `local_migrations` on main, the fallback
//! [`read_dir`] is only used for snapshots without that section and can be removed.

use std::path::{Path, PathBuf};

use gaps_core::code::replay::MigrationSource;
use gaps_core::migrations::{LocalMigrations, MigrationKind};

/// Reads the files listed in the local-migrations section (simple and up migrations only).
pub fn from_section(local: &LocalMigrations) -> Result<Vec<MigrationSource>, String> {
    let dir = PathBuf::from(&local.directory);
    let mut files: Vec<_> = local
        .files
        .iter()
        .filter(|f| f.kind != MigrationKind::Down)
        .collect();
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

/// Minimal fallback: `<VERSION>_<DESC>.sql` and `.up.sql` files of `dir`, by version.
pub fn read_dir(dir: &Path) -> Result<Vec<MigrationSource>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("could not list {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".sql") || name.ends_with(".down.sql") {
            continue;
        }
        let Some((version, _)) = name.split_once('_') else {
            continue;
        };
        let Ok(version) = version.parse::<i64>() else {
            continue;
        };
        out.push(MigrationSource {
            version,
            sql: read(&entry.path())?,
            file: name,
        });
    }
    out.sort_by_key(|m| m.version);
    Ok(out)
}
