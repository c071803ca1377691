//! gaps.toml: explicit model-to-table overrides for structs the mapping cannot decide.
//!
//! ```toml
//! [models.UserSummary]
//! projection = true
//! [models.Account]
//! table = "accounts"
//! ```

use std::path::Path;

use gaps_core::code::model::ModelOverride;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    models: std::collections::BTreeMap<String, ModelEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelEntry {
    table: Option<String>,
    #[serde(default)]
    projection: bool,
}

/// Reads the overrides of a gaps.toml; the error names the file and the position.
pub fn read(path: &Path) -> Result<Vec<ModelOverride>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Parses gaps.toml text.
pub fn parse(text: &str) -> Result<Vec<ModelOverride>, String> {
    let cfg: ConfigFile = toml::from_str(text).map_err(|e| e.to_string())?;
    Ok(cfg
        .models
        .into_iter()
        .map(|(model, e)| ModelOverride {
            model,
            projection: e.projection || e.table.is_none(),
            table: e.table,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tables_and_projections() {
        let o = parse("[models.A]\ntable = \"accounts\"\n[models.S]\nprojection = true\n").unwrap();
        assert_eq!(o[0].table.as_deref(), Some("accounts"));
        assert!(!o[0].projection);
        assert!(o[1].projection);
    }

    #[test]
    fn unknown_keys_are_errors_with_position() {
        let e = parse("[models.A]\ntabel = \"x\"\n").unwrap_err();
        assert!(e.contains("tabel") && e.contains("line 2"), "{e}");
    }
}
