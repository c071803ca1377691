//! Replays migration files, in order, into an expected [`Schema`](crate::schema::Schema): CREATE/DROP/ALTER TABLE
//! (add, drop, rename column; alter type; set/drop not null; set/drop default; rename table;
//! add/drop constraint), CREATE/DROP INDEX, CREATE/ALTER/DROP TYPE ... AS ENUM, CREATE DOMAIN,
//! CREATE SCHEMA and CREATE EXTENSION. Every other statement is listed as not modelled with
//! its file and line — never silently dropped. Unnamed indexes and constraints get the names
//! Postgres would give them (`pgnames`: `users_pkey`, `users_email_key`,
//! `posts_user_id_fkey`, shortened to 63 bytes, numbered when taken). Renames and drops carry
//! through to the keys, indexes and foreign keys that name the object, as in Postgres; column
//! ordinals keep the gaps dropped columns leave on Postgres.

mod alter;
mod objects;
mod pgnames;
mod state;
mod table;

use sqlparser::ast::{AlterIndexOperation, Statement};
use sqlparser::parser::Parser;

use self::state::{Replay, leading_words};
use super::expected::{ExpectedSchema, ReplayedMigration};
use super::sql::{dialect, split_statements};
use crate::backend::Backend;

/// One migration to replay.
#[derive(Debug, Clone)]
pub struct MigrationSource {
    /// Version.
    pub version: i64,
    /// File name (relative to the migrations directory).
    pub file: String,
    /// The file's text.
    pub sql: String,
}

/// Replays `migrations` (already in the order sqlx applies them) into an expected schema.
/// Down migrations must not be passed.
pub fn replay(migrations: &[MigrationSource], backend: Backend) -> ExpectedSchema {
    let mut r = Replay::new(backend);
    let dialect = dialect(backend);
    for m in migrations {
        r.version = m.version;
        r.file = m.file.clone();
        let mut modelled = 0;
        let before = r.out.not_modelled.len();
        for piece in split_statements(&m.sql) {
            r.line = piece.line;
            match Parser::parse_sql(dialect.as_ref(), &piece.text) {
                Ok(stmts) => {
                    for s in &stmts {
                        statement(&mut r, s, &piece.text);
                    }
                }
                Err(e) => {
                    let reason = unmodelled_reason(&piece.text)
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("sqlparser cannot read it: {e}"));
                    r.not_modelled(&piece.text, reason);
                }
            }
            modelled += 1;
        }
        let skipped = (r.out.not_modelled.len() - before) as u32;
        r.out.migrations.push(ReplayedMigration {
            version: m.version,
            file: m.file.clone(),
            statements: modelled - skipped.min(modelled),
            not_modelled: skipped,
        });
    }
    r.out.schema.canonicalize();
    r.out.partial_tables.sort();
    r.out.partial_tables.dedup();
    r.out
}

/// Hands one parsed statement to the handler of its kind.
fn statement(r: &mut Replay, stmt: &Statement, text: &str) {
    match stmt {
        Statement::CreateTable(ct) => r.create_table(ct, text),
        Statement::AlterTable(at) => r.alter_table(at, text),
        Statement::CreateIndex(ci) => r.create_index(ci, text),
        Statement::Drop {
            object_type, names, ..
        } => r.drop(object_type, names, text),
        Statement::AlterIndex {
            name,
            operation: AlterIndexOperation::RenameIndex { index_name },
        } => r.rename_index(name, index_name, text),
        Statement::CreateType {
            name,
            representation,
        } => r.create_type(name, representation.as_ref(), text),
        Statement::AlterType(at) => r.alter_type(at, text),
        Statement::CreateDomain(d) => r.create_domain(d),
        Statement::CreateView(v) => r.create_view(v),
        Statement::CreateSchema { schema_name, .. } => r.create_schema(schema_name),
        Statement::CreateExtension(ce) => r.create_extension(ce),
        // Data changes and session statements leave the schema as it is.
        Statement::Insert(_)
        | Statement::Update(_)
        | Statement::Delete(_)
        | Statement::Query(_)
        | Statement::Set(_)
        | Statement::Comment { .. }
        | Statement::StartTransaction { .. }
        | Statement::Commit { .. } => {}
        _ => {
            let reason =
                unmodelled_reason(text).unwrap_or("this kind of statement is not modelled");
            r.not_modelled(text, reason);
        }
    }
}

/// Why a statement of this kind is not modelled, when the kind alone says it.
fn unmodelled_reason(text: &str) -> Option<&'static str> {
    Some(match leading_words(text).as_str() {
        "DO" => "DO blocks run procedural code the replay cannot follow",
        w if w.contains("FUNCTION") || w.contains("PROCEDURE") => {
            "functions and procedures run code the replay cannot follow"
        }
        w if w.contains("TRIGGER") => "triggers are not modelled",
        "GRANT" | "REVOKE" => "privileges are not modelled",
        "EXECUTE" => "dynamic SQL cannot be followed",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
