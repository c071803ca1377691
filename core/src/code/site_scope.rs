//! What limits how one statement site can be checked, as recorded in the snapshot: the
//! project's databases (one per migrations folder) and the one a statement runs against, the
//! connections the code opens itself, and the temporary tables, views or `search_path`
//! changes a statement depends on. The decisions are made in [`super::databases`] and
//! [`super::session`]; these are only the recorded results.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::sql::SessionObjectKind;

/// What limits how a statement site can be checked: another database, or an object the
/// code itself creates earlier in the same function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SiteScope {
    /// The database it runs against, when the project has more than one or it opens one of
    /// its own (None: the database being collected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<SiteDatabase>,
    /// The temporary tables, temporary views or `search_path` changes it depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<SessionDependency>,
}

impl SiteScope {
    /// True when nothing limits the checks.
    pub fn is_plain(&self) -> bool {
        self.database.is_none() && self.depends_on.is_empty()
    }
}

/// One database of the project: a migrations folder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProjectDatabase {
    /// The migrations folder, relative to the source root (`./record-migrations`).
    pub migrations: String,
    /// Where it is named: `file:line` of a `sqlx::migrate!`, `sqlx.toml`, `gaps.toml`,
    /// `--migrations`.
    #[serde(default)]
    pub declared_at: Vec<String>,
    /// The tables and views its migrations create (as replayed).
    #[serde(default)]
    pub tables: Vec<String>,
    /// gaps.toml `sources` patterns mapped to it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// True for the database this collection describes.
    #[serde(default)]
    pub target: bool,
    /// For the target: how it was chosen (`flag` for `--migrations`, `migrate_macro`,
    /// `sqlx_toml`, `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen_by: Option<String>,
    /// Why its tables are unknown (its migrations could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The database a statement site runs against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SiteDatabase {
    /// The database being collected.
    Target {
        /// The evidence: `tables`, `pool`, `gaps_toml` or `default`.
        how: String,
    },
    /// Another database of the project.
    Other {
        /// Its migrations folder, relative to the source root.
        migrations: String,
        /// The evidence: `tables`, `pool` or `gaps_toml`.
        how: String,
    },
    /// A database the project does not migrate (another application's file).
    External {
        /// Why: the connection the code opens and the tables no migration creates.
        reason: String,
    },
    /// Left out by a gaps.toml `exclude` pattern.
    Excluded {
        /// The pattern.
        pattern: String,
    },
}

impl SiteDatabase {
    /// True for the database being collected.
    pub fn is_target(&self) -> bool {
        matches!(self, SiteDatabase::Target { .. })
    }

    /// Why a statement of this database is not checked here.
    pub fn reason(&self) -> String {
        match self {
            SiteDatabase::Target { .. } => "runs against the database being collected".into(),
            SiteDatabase::Other { migrations, .. } => {
                format!("belongs to the database migrated by {migrations}")
            }
            SiteDatabase::External { reason } => format!("external database: {reason}"),
            SiteDatabase::Excluded { pattern } => {
                format!("excluded by gaps.toml (exclude = \"{pattern}\")")
            }
        }
    }
}

/// A place where the code opens a database connection itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConnectionSite {
    /// Source file.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// The call, e.g. `SqlitePool::connect`, `SqliteConnectOptions::filename`.
    pub api: String,
    /// Its argument as written (shortened).
    pub argument: String,
    /// True when the argument is the service's own database URL (`DATABASE_URL`,
    /// `database_url`).
    #[serde(default)]
    pub service_url: bool,
}

/// A session object a statement depends on, and where the code creates it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct SessionDependency {
    /// What it is.
    pub kind: SessionObjectKind,
    /// Its name (the schema list for `search_path`).
    pub name: String,
    /// File of the creating statement.
    pub file: String,
    /// Line of the creating statement's call.
    pub line: u32,
}

impl SessionDependency {
    /// "depends on temporary table doomed created at src/db/jobs.rs:528".
    pub fn reason(&self) -> String {
        match self.kind {
            SessionObjectKind::SearchPath => format!(
                "depends on the search_path set at {}:{} ({}), which the collecting session \
                 does not have",
                self.file, self.line, self.name
            ),
            kind => format!(
                "depends on {} {} created at {}:{}",
                kind.as_str(),
                self.name,
                self.file,
                self.line
            ),
        }
    }

    /// True for a `search_path` change: every unqualified name after it may resolve
    /// elsewhere.
    pub fn moves_names(&self) -> bool {
        self.kind == SessionObjectKind::SearchPath
    }
}
