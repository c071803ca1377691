//! A fleet: several services listed in one gaps.toml, collected in one run
//! (`gaps collect --all`), each into its own snapshot.
//!
//! ```toml
//! [[target]]
//! name = "billing"                      # required, unique, the snapshot's file name
//! database_url_env = "BILLING_DB_URL"   # the environment variable holding its URL
//! source = "services/billing"           # optional, like --source
//! migrations = "services/billing/migrations"   # optional, like --migrations
//! logs = ["logs/billing.log"]           # optional, like --logs
//! health = "http://127.0.0.1:8080/health"      # optional, like --health
//! service_role = "billing_svc"          # optional, like --service-role
//! ```
//!
//! Relative paths are relative to the gaps.toml file. A database URL is never written in
//! gaps.toml (it holds a password): a `database_url` key is refused, and so is a
//! `database_url_env` that looks like a URL rather than a variable name.

mod run;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use run::{Outcome, collect_all};

/// Why a fleet file cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The file could not be read.
    #[error("could not read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown key (the message has the position).
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The file lists no `[[target]]`.
    #[error("{path} lists no [[target]]: gaps collect --all needs at least one")]
    NoTargets {
        /// The file.
        path: PathBuf,
    },
    /// A target is not usable as written.
    #[error("{path}: target {index} ({name}): {why}")]
    Target {
        /// The file.
        path: PathBuf,
        /// 1-based position of the target in the file.
        index: usize,
        /// Its name as written.
        name: String,
        /// What is wrong.
        why: String,
    },
}

#[derive(Debug, Deserialize)]
struct FleetFile {
    #[serde(default)]
    target: Vec<TargetEntry>,
    // The rest of gaps.toml belongs to the service's own configuration (source/config.rs).
    #[serde(flatten)]
    _rest: toml::Table,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetEntry {
    name: String,
    database_url_env: Option<String>,
    source: Option<PathBuf>,
    migrations: Option<PathBuf>,
    #[serde(default)]
    logs: Vec<PathBuf>,
    health: Option<String>,
    service_role: Option<String>,
}

/// One service of the fleet, its paths resolved against the gaps.toml's folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Unique name; the snapshot is `<out-dir>/<name>.json` and its label is the name.
    pub name: String,
    /// The environment variable that holds the database URL.
    pub database_url_env: Option<String>,
    /// The service's source tree.
    pub source: Option<PathBuf>,
    /// Its migrations folder.
    pub migrations: Option<PathBuf>,
    /// Log files to classify.
    pub logs: Vec<PathBuf>,
    /// Its health endpoint.
    pub health: Option<String>,
    /// The role the service connects as.
    pub service_role: Option<String>,
}

/// Reads the `[[target]]` entries of the gaps.toml at `path`.
pub fn read(path: &Path) -> Result<Vec<Target>, FleetError> {
    let text = std::fs::read_to_string(path).map_err(|source| FleetError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let base = crate::output::parent_dir(path);
    parse(&text, base).map_err(|e| match e {
        Parsed::Toml(message) => FleetError::Parse {
            path: path.to_path_buf(),
            message,
        },
        Parsed::NoTargets => FleetError::NoTargets {
            path: path.to_path_buf(),
        },
        Parsed::Target { index, name, why } => FleetError::Target {
            path: path.to_path_buf(),
            index,
            name,
            why,
        },
    })
}

/// What [`parse`] refuses, before the file's name is attached.
#[derive(Debug, PartialEq, Eq)]
enum Parsed {
    Toml(String),
    NoTargets,
    Target {
        index: usize,
        name: String,
        why: String,
    },
}

/// A name that is safe as a file name on every system: letters, digits, `-`, `_`, `.`, not
/// starting with `.`, at most 100 characters.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// An environment variable name: letters, digits and `_`, not starting with a digit.
fn valid_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse(text: &str, base: &Path) -> Result<Vec<Target>, Parsed> {
    let file: FleetFile = toml::from_str(text).map_err(|e| {
        // toml's message quotes the offending line; a URL written there must not be echoed.
        Parsed::Toml(gaps_core::redact::redact_text(&e.to_string()))
    })?;
    if file.target.is_empty() {
        return Err(Parsed::NoTargets);
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, t) in file.target.into_iter().enumerate() {
        let fail = |why: String| Parsed::Target {
            index: i + 1,
            name: t.name.clone(),
            why,
        };
        if !valid_name(&t.name) {
            return Err(fail(
                "the name must be letters, digits, '-', '_' or '.', not starting with '.' \
                 (it becomes the snapshot's file name)"
                    .into(),
            ));
        }
        if !seen.insert(t.name.to_ascii_lowercase()) {
            return Err(fail("another target has the same name".into()));
        }
        if let Some(env) = &t.database_url_env
            && !valid_env_name(env)
        {
            return Err(fail(
                "database_url_env names an environment variable (e.g. BILLING_DB_URL); a URL \
                 is never written in gaps.toml"
                    .into(),
            ));
        }
        let resolve = |p: &PathBuf| {
            if p.is_absolute() {
                p.clone()
            } else {
                base.join(p)
            }
        };
        out.push(Target {
            database_url_env: t.database_url_env.clone(),
            source: t.source.as_ref().map(resolve),
            migrations: t.migrations.as_ref().map(resolve),
            logs: t.logs.iter().map(resolve).collect(),
            health: t.health.clone(),
            service_role: t.service_role.clone(),
            name: t.name,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
