//! What the analysis records about a SQL text: the real tables and columns each statement
//! reads and writes, its result columns, the session objects it creates, and the statements
//! the parser could not read. These types are part of the snapshot format.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::shape::{FunctionUse, LiteralUse, WriteShape};

/// What one SQL text touches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SqlAccess {
    /// One entry per statement in the text.
    #[serde(default)]
    pub statements: Vec<StatementAccess>,
    /// Statements sqlparser could not read: (1-based line within the text, message). Such a
    /// statement is "not analysed": no table or column is guessed for it.
    #[serde(default)]
    pub parse_errors: Vec<SqlParseError>,
}

impl SqlAccess {
    /// Why the text (or part of it) was not analysed, when the parser could not read it.
    pub fn not_analysed(&self) -> Option<String> {
        let e = self.parse_errors.first()?;
        Some(format!(
            "not analysed: the SQL parser could not read line {} ({})",
            e.line, e.message
        ))
    }
}

/// A statement sqlparser could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SqlParseError {
    /// 1-based line within the SQL text.
    pub line: u32,
    /// The parser's message.
    pub message: String,
}

/// Whether a table or column is read or written.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Read (FROM, JOIN, WHERE, SELECT list, RETURNING).
    Read,
    /// Written (INSERT INTO, UPDATE, DELETE FROM, SET targets, insert column lists).
    Write,
}

/// What one statement touches.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StatementAccess {
    /// "select", "insert", "update", "delete" or the statement's first keyword.
    pub kind: String,
    /// 1-based line within the SQL text where the statement starts.
    pub line: u32,
    /// Real tables (CTEs, derived tables and table functions resolved away), deduplicated.
    #[serde(default)]
    pub tables: Vec<TableUse>,
    /// Columns resolved with certainty to a real table, deduplicated.
    #[serde(default)]
    pub columns: Vec<ColumnUse>,
    /// The result columns (SELECT list or RETURNING), in order.
    #[serde(default)]
    pub output: Vec<OutputColumn>,
    /// Objects that live only in the session that runs the statement (`CREATE TEMPORARY
    /// TABLE`, `CREATE TEMP VIEW`, `SET search_path`): later statements of the same code may
    /// depend on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub creates: Vec<SessionObject>,
    /// Each INSERT, UPDATE and DELETE with its shape (column list, row source, ON CONFLICT).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<WriteShape>,
    /// String literals compared with, or written to, a column resolved with certainty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub literals: Vec<LiteralUse>,
    /// Functions called, deduplicated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionUse>,
}

/// An object a statement creates for its own session only.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct SessionObject {
    /// What it is.
    pub kind: SessionObjectKind,
    /// Its name (the schema list for `search_path`).
    pub name: String,
}

/// The kinds of session-local objects.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SessionObjectKind {
    /// `CREATE TEMPORARY TABLE`.
    TemporaryTable,
    /// `CREATE TEMPORARY VIEW`.
    TemporaryView,
    /// `SET [LOCAL] search_path` or `set_config('search_path', ...)`: unqualified names
    /// after it resolve elsewhere.
    SearchPath,
}

impl SessionObjectKind {
    /// "temporary table", "temporary view", "search_path".
    pub fn as_str(self) -> &'static str {
        match self {
            SessionObjectKind::TemporaryTable => "temporary table",
            SessionObjectKind::TemporaryView => "temporary view",
            SessionObjectKind::SearchPath => "search_path",
        }
    }
}

/// A real table a statement uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct TableUse {
    /// Schema when written (`app.users`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Table name (on Postgres, unquoted names folded to lowercase; SQLite and MySQL names
    /// as written, since those engines compare them without regard to case).
    pub name: String,
    /// Read or written.
    pub access: Access,
}

/// A column of a real table a statement uses.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct ColumnUse {
    /// The real table.
    pub table: String,
    /// The column.
    pub column: String,
    /// Read or written.
    pub access: Access,
}

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutputColumn {
    /// The name sqlx sees (alias with any sqlx override such as `!`, `?` or `: Type`
    /// removed, column name, or function name); None when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The real table it comes from, when it is a plain column (or a `*` over one table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The real column, when it is a plain column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// True for `*` / `t.*`: every column of `table` (or of something unknown when None).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub star: bool,
}

impl OutputColumn {
    /// A result column of unknown origin named `name`.
    pub fn named(name: Option<String>) -> OutputColumn {
        OutputColumn {
            name,
            table: None,
            column: None,
            star: false,
        }
    }
}

impl StatementAccess {
    /// The one real table every result column comes from (plain columns or `*`), when there
    /// is exactly one: the table a `query_as` target is loaded from.
    pub fn single_source_table(&self) -> Option<&str> {
        let mut table: Option<&str> = None;
        if self.output.is_empty() {
            return None;
        }
        for o in &self.output {
            let t = o.table.as_deref()?;
            if !o.star && o.column.is_none() {
                return None;
            }
            match table {
                None => table = Some(t),
                Some(prev) if prev == t => {}
                Some(_) => return None,
            }
        }
        table
    }
}
