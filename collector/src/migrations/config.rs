//! sqlx 0.9's `sqlx.toml`: the `[migrate]` keys that change what gaps must read
//! (`table-name`, `migrations-dir`, `ignored-chars`). Other sections are not ours to judge.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The `[migrate]` settings gaps honours, with the file they came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrateConfig {
    /// The sqlx.toml that was read, if one exists.
    pub file: Option<PathBuf>,
    /// `table-name`.
    pub table_name: Option<String>,
    /// `migrations-dir`, relative to the directory of `file`.
    pub migrations_dir: Option<String>,
    /// `ignored-chars`.
    pub ignored_chars: Vec<char>,
}

#[derive(Deserialize, Default)]
struct File {
    #[serde(default)]
    migrate: Migrate,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
struct Migrate {
    table_name: Option<String>,
    migrations_dir: Option<String>,
    #[serde(default)]
    ignored_chars: Vec<char>,
}

/// Why sqlx.toml could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// It exists but cannot be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// It is not valid TOML or has the wrong shape.
    #[error("parsing {path}{at}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// " at line L, column C" when known.
        at: String,
        /// The parser's message.
        message: String,
    },
}

impl MigrateConfig {
    /// Reads `dir/sqlx.toml` when it exists; no file means sqlx's defaults.
    pub fn load(dir: &Path) -> Result<MigrateConfig, ConfigError> {
        let path = dir.join("sqlx.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(MigrateConfig::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let parsed: File = toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|span| {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!(" at line {line}, column {column}")
                })
                .unwrap_or_default();
            ConfigError::Parse {
                path: path.display().to_string(),
                at,
                message: e.message().to_string(),
            }
        })?;
        Ok(MigrateConfig {
            file: Some(path),
            table_name: parsed.migrate.table_name,
            migrations_dir: parsed.migrate.migrations_dir,
            ignored_chars: parsed.migrate.ignored_chars,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_file_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            MigrateConfig::load(dir.path()).unwrap(),
            MigrateConfig::default()
        );
    }

    #[test]
    fn reads_table_name_dir_and_ignored_chars() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("sqlx.toml"),
            "[common]\ndatabase-url-var = \"X\"\n[migrate]\ntable-name = \"app._migrations\"\nmigrations-dir = \"db/m\"\nignored-chars = [\"\\r\", \"\\uFEFF\"]\n",
        )
        .unwrap();
        let c = MigrateConfig::load(dir.path()).unwrap();
        assert_eq!(c.table_name.as_deref(), Some("app._migrations"));
        assert_eq!(c.migrations_dir.as_deref(), Some("db/m"));
        assert_eq!(c.ignored_chars, vec!['\r', '\u{feff}']);
    }

    #[test]
    fn malformed_file_is_named_with_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("sqlx.toml"), "[migrate]\ntable-name = \n").unwrap();
        let err = MigrateConfig::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("sqlx.toml") && err.contains("line 2"), "{err}");
    }
}
