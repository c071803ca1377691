//! Source evidence: the FromRow models, sqlx::Type definitions, manual FromRow impls, SQL call
//! sites and `migrate!` invocations found in the service's Rust source.
//!
//! Paths are relative to the scanned source root with `/` separators; lines are 1-based.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::site_scope::SiteScope;
use super::site_scope::{ConnectionSite, ProjectDatabase, SessionDependency, SiteDatabase};
use super::sql::SqlAccess;

/// Models and SQL statements found in the service's Rust source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CodeEvidence {
    /// The directory that was scanned, as given.
    #[serde(default)]
    pub root: String,
    /// Number of `.rs` files parsed.
    #[serde(default)]
    pub files_scanned: u32,
    /// Structs deriving `FromRow`, sorted by (file, line).
    #[serde(default)]
    pub models: Vec<Model>,
    /// Types deriving `sqlx::Type` (enums and transparent newtypes).
    #[serde(default)]
    pub sql_types: Vec<SqlTypeDef>,
    /// Hand-written `impl FromRow for T`, with the column names they read.
    #[serde(default)]
    pub manual_impls: Vec<ManualFromRow>,
    /// Every SQL call site, sorted by (file, line).
    #[serde(default)]
    pub queries: Vec<QuerySite>,
    /// `sqlx::migrate!("...")` invocations.
    #[serde(default)]
    pub migrate_macros: Vec<MigrateMacro>,
    /// The databases of the project, one per migrations folder (every `sqlx::migrate!`,
    /// sqlx.toml's `migrations-dir`, gaps.toml's `[[database]]`); the one this collection
    /// describes is marked `target`. Empty when the source names no more than one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub databases: Vec<ProjectDatabase>,
    /// Places where the code opens a database connection itself.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<ConnectionSite>,
    /// Session settings the code applies to every connection it opens (a SET in
    /// `after_connect`, `PgConnectOptions::options`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub session_settings: Vec<crate::service::CodeSetting>,
    /// Explicit model-to-table overrides read from gaps.toml.
    #[serde(default)]
    pub overrides: Vec<ModelOverride>,
    /// The gaps.toml that was read, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_file: Option<String>,
    /// Files that could not be read or parsed (the rest of the scan carries on).
    #[serde(default)]
    pub problems: Vec<SourceProblem>,
}

impl CodeEvidence {
    /// Finds a model by its Rust name (the last path segment).
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.iter().find(|m| m.name == name)
    }

    /// Finds an sqlx::Type definition by its Rust name.
    pub fn sql_type(&self, name: &str) -> Option<&SqlTypeDef> {
        self.sql_types.iter().find(|t| t.name == name)
    }

    /// The fields `m` reads from a row, the way sqlx's derived `FromRow` reads them: every
    /// `#[sqlx(flatten)]` field replaced by the fields of the flattened model (which reads the
    /// same row under its own names), nested up to four levels. A flattened type that is not a
    /// model found in the scan contributes nothing, since its columns are unknown.
    pub fn expanded_fields(&self, m: &Model) -> Vec<ModelField> {
        self.expand(m, 0)
    }

    fn expand(&self, m: &Model, depth: u32) -> Vec<ModelField> {
        let mut out = Vec::new();
        for f in &m.fields {
            if f.flatten && !f.skip {
                let ty = crate::typemap::RustType::parse(&f.rust_type);
                let inner = ty.strip_option().0;
                if depth < 4
                    && let Some(sub) = self.model(&inner.name)
                {
                    out.extend(self.expand(sub, depth + 1));
                }
                continue;
            }
            out.push(f.clone());
        }
        out
    }
}

/// A struct deriving `FromRow`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Model {
    /// Rust name of the struct.
    pub name: String,
    /// File the struct is defined in.
    pub file: String,
    /// Line of the `struct` keyword.
    pub line: u32,
    /// `#[sqlx(rename_all = "...")]` on the struct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename_all: Option<String>,
    /// Named fields in declaration order (tuple structs have none).
    #[serde(default)]
    pub fields: Vec<ModelField>,
    /// The table(s) the model is loaded from, and how that was decided.
    #[serde(default)]
    pub mapping: ModelMapping,
}

/// One field of a FromRow struct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ModelField {
    /// Rust field name.
    pub name: String,
    /// The column it decodes from, after `rename` / `rename_all`.
    pub column: String,
    /// The field's type as written, e.g. `Option<chrono::DateTime<Utc>>`.
    pub rust_type: String,
    /// Line of the field.
    pub line: u32,
    /// `#[sqlx(rename = "...")]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename: Option<String>,
    /// `#[sqlx(skip)]`: never read from the row.
    #[serde(default, skip_serializing_if = "is_false")]
    pub skip: bool,
    /// `#[sqlx(default)]` (on the field or the struct): a missing column is not an error.
    #[serde(default, skip_serializing_if = "is_false")]
    pub default: bool,
    /// `#[sqlx(flatten)]`: the field's own FromRow type reads columns of the same row.
    #[serde(default, skip_serializing_if = "is_false")]
    pub flatten: bool,
    /// `#[sqlx(json)]`: decoded from a JSON column.
    #[serde(default, skip_serializing_if = "is_false")]
    pub json: bool,
    /// `#[sqlx(try_from = "T")]`: decoded as T, then converted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub try_from: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// How a model was tied to its table(s).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ModelMapping {
    /// Tables the model's columns come from (schema-less names as written in SQL).
    #[serde(default)]
    pub tables: Vec<String>,
    /// Why.
    pub source: MappingSource,
    /// Locations of the queries that decided it, `file:line`.
    #[serde(default)]
    pub evidence: Vec<String>,
    /// When the model is loaded only by statements of another database of the project, that
    /// database's migrations folder: the model is not checked against this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<String>,
}

/// The reason a model maps (or does not map) to a table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MappingSource {
    /// Not decided (no loading query, no table by that name).
    #[default]
    Unknown,
    /// A `query_as` loads it from one table (FROM or RETURNING).
    Query,
    /// The struct name matches a known table (User -> users).
    Convention,
    /// gaps.toml says so.
    Config,
    /// Loaded only from joins or expressions: a projection, not a table.
    Projection,
}

/// A type deriving `sqlx::Type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SqlTypeDef {
    /// Rust name.
    pub name: String,
    /// File of the definition.
    pub file: String,
    /// Line of the definition.
    pub line: u32,
    /// `#[sqlx(type_name = "...")]`: the SQL type it encodes as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// `#[sqlx(rename_all = "...")]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename_all: Option<String>,
    /// `#[repr(i32)]` and similar: the enum is stored as that integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repr: Option<String>,
    /// `#[sqlx(transparent)]` newtype: the inner type as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transparent: Option<String>,
    /// Enum labels as sent to the database (after rename / rename_all), in order.
    #[serde(default)]
    pub labels: Vec<String>,
}

/// A hand-written `impl FromRow for T`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ManualFromRow {
    /// The type implemented for.
    pub name: String,
    /// File of the impl.
    pub file: String,
    /// Line of the impl.
    pub line: u32,
    /// Column names read with `row.try_get("col")` / `row.get("col")`, in order, each once.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Every such read, with its line (reads by index or by a computed name are not listed).
    #[serde(default)]
    pub reads: Vec<RowRead>,
    /// The table(s) the type is loaded from, decided like a derived model's.
    #[serde(default)]
    pub mapping: ModelMapping,
}

/// One `row.try_get("col")` (or `get`, `try_get_unchecked`, `get_unchecked`) in a manual
/// FromRow impl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RowRead {
    /// The column name passed.
    pub column: String,
    /// Line of the call.
    pub line: u32,
    /// The method called: `try_get` returns ColumnNotFound, `get` panics.
    pub method: String,
    /// True when the call's error is handled on the spot (`.ok()`, `.unwrap_or(..)`,
    /// `.unwrap_or_default()`, `if let Ok(..) =`, `match`): a missing column is then not a
    /// failure.
    #[serde(default, skip_serializing_if = "is_false")]
    pub handled: bool,
}

/// One place where the code hands SQL to sqlx.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct QuerySite {
    /// Source file.
    pub file: String,
    /// Line of the call.
    pub line: u32,
    /// The API used, e.g. `sqlx::query_as`, `query!`, `QueryBuilder::new`.
    pub api: String,
    /// True for the compile-time checked macros (`query!` ...), false for runtime functions.
    #[serde(default)]
    pub macro_checked: bool,
    /// The SQL text, when it is statically known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Where the text came from: "literal", "concat", "const NAME", "include_str FILE",
    /// "query_file FILE".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_origin: Option<String>,
    /// The line of `file` where the SQL text starts, when it is a string literal written in
    /// this file (inline, or a `const` of this file): the database's error position is
    /// counted from there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_line: Option<u32>,
    /// The struct or tuple type the rows decode into, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// How the target was found: "turbofish", "macro", "let", "return".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_origin: Option<String>,
    /// Why the SQL is not statically known (`format!`, a runtime string...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_checkable: Option<String>,
    /// Tables and columns the statement reads and writes (when the SQL is known).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<SqlAccess>,
    /// Which database the statement runs against and what it depends on, when that limits
    /// how it can be checked.
    #[serde(default, skip_serializing_if = "SiteScope::is_plain")]
    pub scope: SiteScope,
}

impl QuerySite {
    /// True when the statement runs against the database being collected (or the project
    /// has only that one).
    pub fn in_target_database(&self) -> bool {
        self.scope
            .database
            .as_ref()
            .is_none_or(SiteDatabase::is_target)
    }

    /// Why the statement is not sent to the database being collected, when it is not:
    /// the SQL is not known, it belongs to another database, or it depends on an object the
    /// code creates first.
    pub fn not_described_reason(&self) -> Option<String> {
        if let Some(r) = &self.not_checkable {
            return Some(r.clone());
        }
        if let Some(d) = self.scope.database.as_ref().filter(|d| !d.is_target()) {
            return Some(d.reason());
        }
        let first = self.scope.depends_on.first()?;
        Some(match self.scope.depends_on.len() {
            1 => first.reason(),
            n => format!("{} (and {} more)", first.reason(), n - 1),
        })
    }

    /// True when static analysis may judge the statement's tables and columns against the
    /// collected schema: it runs against that database, and no `search_path` change in front
    /// of it moves its unqualified names elsewhere.
    pub fn statically_checked(&self) -> bool {
        self.in_target_database()
            && !self
                .scope
                .depends_on
                .iter()
                .any(SessionDependency::moves_names)
    }

    /// The session objects (temporary tables and views) the statement depends on: names that
    /// are not tables of any schema.
    pub fn session_tables(&self) -> Vec<&str> {
        self.scope
            .depends_on
            .iter()
            .filter(|d| !d.moves_names())
            .map(|d| d.name.as_str())
            .collect()
    }
}

/// A `sqlx::migrate!(...)` invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MigrateMacro {
    /// Source file.
    pub file: String,
    /// Line.
    pub line: u32,
    /// The directory argument as written; `./migrations` when omitted.
    pub directory: String,
}

/// An explicit mapping from gaps.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ModelOverride {
    /// Rust name of the model.
    pub model: String,
    /// Its table, or None when it is declared a projection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// True when declared a projection (no table checks).
    #[serde(default)]
    pub projection: bool,
}

/// A source file that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SourceProblem {
    /// The file.
    pub file: String,
    /// The line, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What went wrong.
    pub message: String,
}
