//! gaps.toml: explicit model-to-table overrides for structs the mapping cannot decide, the
//! project's databases with the sources that use each, and paths to leave out.
//!
//! ```toml
//! exclude = ["src/legacy/**"]
//!
//! [models.UserSummary]
//! projection = true
//! [models.Account]
//! table = "accounts"
//!
//! [[database]]
//! migrations = "record-migrations"
//! sources = ["src/record/**"]
//! ```

use std::path::{Path, PathBuf};

use gaps_core::code::model::ModelOverride;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    models: std::collections::BTreeMap<String, ModelEntry>,
    #[serde(default)]
    database: Vec<DatabaseEntry>,
    #[serde(default)]
    exclude: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelEntry {
    table: Option<String>,
    #[serde(default)]
    projection: bool,
}

/// One `[[database]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseEntry {
    /// Its migrations folder, relative to the directory of gaps.toml.
    pub migrations: String,
    /// Source paths (glob patterns relative to the source root) whose statements run on it.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// What a gaps.toml says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// Model-to-table overrides.
    pub overrides: Vec<ModelOverride>,
    /// The project's databases.
    pub databases: Vec<DatabaseEntry>,
    /// Source paths (glob patterns) whose statements are not checked.
    pub exclude: Vec<String>,
}

/// The gaps.toml that applies to a source tree, and what reading it gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GapsToml {
    /// The file.
    pub path: PathBuf,
    /// Its settings, or why they could not be read (naming the file and the position).
    pub read: Result<Config, String>,
}

impl GapsToml {
    /// `flag` (`--config`), else `source/gaps.toml` when there is one, read; `None` when
    /// neither exists.
    pub fn find(flag: Option<&Path>, source: &Path) -> Option<GapsToml> {
        let path = flag
            .map(Path::to_path_buf)
            .or_else(|| Some(source.join("gaps.toml")).filter(|p| p.is_file()))?;
        Some(GapsToml {
            read: read(&path),
            path,
        })
    }
}

/// Reads a gaps.toml; the error names the file and the position.
pub fn read(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses gaps.toml text.
pub fn parse(text: &str) -> Result<Config, String> {
    let cfg: ConfigFile = toml::from_str(text).map_err(|e| e.to_string())?;
    for pattern in cfg
        .exclude
        .iter()
        .chain(cfg.database.iter().flat_map(|d| &d.sources))
    {
        globset::Glob::new(pattern).map_err(|e| format!("pattern {pattern:?}: {e}"))?;
    }
    Ok(Config {
        overrides: cfg
            .models
            .into_iter()
            .map(|(model, e)| ModelOverride {
                model,
                projection: e.projection || e.table.is_none(),
                table: e.table,
            })
            .collect(),
        databases: cfg.database,
        exclude: cfg.exclude,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_and_projections() {
        let o = parse("[models.A]\ntable = \"accounts\"\n[models.S]\nprojection = true\n")
            .unwrap()
            .overrides;
        assert_eq!(o[0].table.as_deref(), Some("accounts"));
        assert!(!o[0].projection);
        assert!(o[1].projection);
    }

    #[test]
    fn reads_databases_and_exclusions() {
        let c = parse(
            "exclude = [\"src/legacy/**\"]\n[[database]]\nmigrations = \"record-migrations\"\n\
             sources = [\"src/record/**\"]\n[[database]]\nmigrations = \"migrations\"\n",
        )
        .unwrap();
        assert_eq!(c.exclude, ["src/legacy/**"]);
        assert_eq!(c.databases[0].migrations, "record-migrations");
        assert_eq!(c.databases[0].sources, ["src/record/**"]);
        assert!(c.databases[1].sources.is_empty());
    }

    #[test]
    fn unknown_keys_and_bad_patterns_are_errors_with_position() {
        let e = parse("[models.A]\ntabel = \"x\"\n").unwrap_err();
        assert!(e.contains("tabel") && e.contains("line 2"), "{e}");
        let e = parse("exclude = [\"src/[oops\"]\n").unwrap_err();
        assert!(e.contains("src/[oops"), "{e}");
    }
}
