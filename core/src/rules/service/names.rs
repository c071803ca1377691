//! Names as SQL must spell them in the fix a finding proposes (`GRANT ... TO`, `ALTER ROLE`),
//! and the fields every finding of these rules carries: the predicted SQLSTATE and the stage
//! the statement fails at.

use crate::backend::Backend;
use crate::finding::Finding;

/// Where in its life a statement fails, in the order the server gets there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Stage {
    /// Parse analysis: names, schema USAGE, literals.
    Parse,
    /// Binding parameters: a value the type's input function refuses.
    Bind,
    /// Planning: the ON CONFLICT arbiter index.
    Plan,
    /// Executor start: table, column and function privileges.
    Execute,
    /// Per row: a column default (nextval) and the NOT NULL check.
    Row,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Bind => "bind",
            Stage::Plan => "plan",
            Stage::Execute => "execute",
            Stage::Row => "row",
        }
    }
}

/// Adds the predicted failure: SQLSTATE (and MySQL's error number), stage.
pub(super) fn predicts(
    f: Finding,
    sqlstate: &str,
    error_number: Option<u32>,
    stage: Stage,
) -> Finding {
    let f = f
        .detail("sqlstate", sqlstate)
        .detail("stage", stage.as_str());
    match error_number {
        Some(n) => f.detail("error_number", n),
        None => f,
    }
}

const RESERVED: &[&str] = &[
    "all",
    "and",
    "any",
    "array",
    "as",
    "case",
    "check",
    "column",
    "constraint",
    "create",
    "default",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "into",
    "limit",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "primary",
    "references",
    "select",
    "table",
    "then",
    "to",
    "union",
    "unique",
    "user",
    "using",
    "when",
    "where",
    "with",
];

/// An identifier as Postgres must read it back: quoted unless it is a plain lowercase word.
pub(super) fn pg_ident(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !RESERVED.contains(&name);
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// An identifier in backticks, for MySQL.
pub(super) fn my_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// `schema.name`, quoted for the backend.
pub(super) fn qualified(backend: Backend, schema: &str, name: &str) -> String {
    match backend {
        Backend::Mysql => format!("{}.{}", my_ident(schema), my_ident(name)),
        _ => format!("{}.{}", pg_ident(schema), pg_ident(name)),
    }
}

/// The grantee: a Postgres role, or MySQL's `'user'@'host'` from `user@host`.
pub(super) fn grantee(backend: Backend, role: &str) -> String {
    match backend {
        Backend::Mysql => {
            let (user, host) = role.rsplit_once('@').unwrap_or((role, "%"));
            format!(
                "'{}'@'{}'",
                user.replace('\'', "''"),
                host.replace('\'', "''")
            )
        }
        _ => pg_ident(role),
    }
}
