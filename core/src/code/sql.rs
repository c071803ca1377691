//! The tables and columns a SQL text reads and writes, parsed with sqlparser in the dialect of
//! the backend (Postgres, SQLite, MySQL). CTEs (plain, recursive, nested, data-modifying),
//! derived tables, LATERAL items, table functions, VALUES lists and joins are resolved to
//! real tables; a column is recorded against a table only when that is certain (qualified by
//! a known alias, or unqualified with exactly one table in scope), because a wrong guess
//! would become a false `column_missing`. A statement the parser cannot read is "not
//! analysed" ([`SqlAccess::parse_errors`]): nothing is guessed for it.
//!
//! [`split`] splits scripts (the migration replay uses it too), [`names`] spells names per
//! engine, `scope` resolves them, `exprs` reads expressions, `query` queries and `dml`
//! statements; [`access`] holds the recorded result and [`shape`] what the statement does
//! beyond naming tables and columns (its writes, literals and function calls).

pub mod access;
mod dml;
mod exprs;
pub mod names;
mod query;
mod scope;
pub mod shape;
pub mod split;

use sqlparser::ast::Statement;
use sqlparser::parser::Parser;

pub use access::{
    Access, ColumnUse, OutputColumn, SessionObject, SessionObjectKind, SqlAccess, SqlParseError,
    StatementAccess, TableUse,
};
pub use names::{dialect, ident_name, object_name, strip_sqlx_override};
pub use shape::{
    ConflictAction, ConflictShape, FunctionUse, InsertSource, LiteralUse, WriteKind, WriteShape,
};
pub use split::{SplitStatement, split_statements};

use crate::backend::Backend;
use names::Names;
use scope::{Ctx, Hooks};

const HOOKS: Hooks = Hooks {
    query: query::query,
    statement: dml::nested,
};

/// The tables and columns every statement in `sql` touches.
pub fn analyse(sql: &str, backend: Backend) -> SqlAccess {
    let dialect = dialect(backend);
    let mut access = SqlAccess::default();
    for piece in split_statements(sql) {
        match Parser::parse_sql(dialect.as_ref(), &piece.text) {
            Ok(stmts) => {
                for stmt in &stmts {
                    let mut st = statement_access(stmt, backend);
                    st.line = piece.line;
                    access.statements.push(st);
                }
            }
            Err(e) => access.parse_errors.push(SqlParseError {
                line: piece.line,
                message: e.to_string(),
            }),
        }
    }
    access
}

fn statement_access(stmt: &Statement, backend: Backend) -> StatementAccess {
    let mut ctx = Ctx::new(Names { backend }, HOOKS);
    let (kind, output) = dml::statement(stmt, &mut ctx);
    let mut tables = ctx.tables;
    tables.sort();
    tables.dedup();
    let mut columns = ctx.columns;
    columns.sort();
    columns.dedup();
    let mut creates = ctx.creates;
    creates.sort();
    creates.dedup();
    let mut literals = ctx.literals;
    literals.sort();
    literals.dedup();
    let mut functions = ctx.functions;
    functions.sort();
    functions.dedup();
    StatementAccess {
        kind,
        line: 1,
        tables,
        columns,
        output,
        creates,
        writes: ctx.writes,
        literals,
        functions,
    }
}

#[cfg(test)]
mod tests;
