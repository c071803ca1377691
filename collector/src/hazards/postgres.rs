//! One Postgres migration file, statement by statement: the lock each statement takes and on
//! which tables, what it does to the data (catalog only, scan, index build, rewrite), the
//! schema changes the code will see, and the facts the live checks need (functions called,
//! extensions created, enum values added, columns made NOT NULL). squawk's parser reads the
//! file; the lock levels follow the Postgres documentation ("Explicit Locking" and each
//! command's page). squawk's rule verdicts are attached afterwards (`squawk`).

use gaps_core::code::replay::MigrationSource;
use gaps_core::hazards::{
    ChangeKind, Effect, LockMode, PlanStatus, PlannedMigration, PlannedStatement,
};
use gaps_core::schema::{RelationName, Schema};
use squawk_syntax::{SourceFile, SyntaxKind as K, SyntaxNode};

use super::alter;
use super::cst::{
    self, child, compact, descendant, descendants, has_token, line_at, relation, start,
};
pub use super::shape::Facts;
use super::shape::Shape;

/// The longest statement text kept in the plan.
const SQL_CHARS: usize = 300;

/// One file's statements with their facts, in order.
#[derive(Debug, Clone)]
pub struct Analysed {
    /// The plan of the file (hazards not yet attached).
    pub migration: PlannedMigration,
    /// One entry per statement of `migration.statements`.
    pub facts: Vec<Facts>,
    /// Each statement's byte range in the file (where squawk's verdicts are attached).
    pub spans: Vec<(usize, usize)>,
}

/// Reads one migration file. `live` (the live schema, when read) tells which table an index
/// that is dropped belongs to.
pub fn analyse(
    source: &MigrationSource,
    status: PlanStatus,
    no_transaction: bool,
    live: Option<&Schema>,
) -> Analysed {
    let parse = SourceFile::parse(&source.sql);
    let root = parse.syntax_node();
    let mut migration = PlannedMigration {
        version: source.version,
        file: source.file.clone(),
        status,
        no_transaction,
        lock_timeout: None,
        statements: Vec::new(),
        not_analysed: parse
            .errors()
            .iter()
            .take(5)
            .map(|e| {
                format!(
                    "line {}: {}",
                    line_at(&source.sql, u32::from(e.range().start()) as usize),
                    e.message()
                )
            })
            .collect(),
    };
    let mut facts = Vec::new();
    let mut spans = Vec::new();
    let mut locked_before = false;
    for stmt in root.children() {
        let mut f = Facts::default();
        let shape = statement(&stmt, &mut f, live);
        if let Some(value) = lock_timeout_set(&stmt)
            && !locked_before
        {
            migration.lock_timeout = Some(value);
        }
        locked_before |= shape
            .locks
            .iter()
            .any(|l| l.mode == LockMode::AccessExclusive);
        let mut sql = compact(&stmt);
        if let Some((i, _)) = sql.char_indices().nth(SQL_CHARS) {
            sql.truncate(i);
            sql.push_str(" ...");
        }
        f.strings = cst::strings(&stmt);
        f.lower = sql.to_lowercase();
        f.functions = called_functions(&stmt);
        migration.statements.push(PlannedStatement {
            line: line_at(&source.sql, start(&stmt)),
            sql,
            operation: shape.operation,
            locks: shape.locks,
            effect: shape.effect.unwrap_or(Effect::None),
            hazards: Vec::new(),
            changes: shape.changes,
        });
        facts.push(f);
        spans.push((
            u32::from(stmt.text_range().start()) as usize,
            u32::from(stmt.text_range().end()) as usize,
        ));
    }
    Analysed {
        migration,
        facts,
        spans,
    }
}

/// The value of `SET [LOCAL|SESSION] lock_timeout = ...`.
fn lock_timeout_set(stmt: &SyntaxNode) -> Option<String> {
    if stmt.kind() != K::SET {
        return None;
    }
    let config = descendant(stmt, K::CONFIG_PARAMETER_REF)?;
    if cst::name(&config) != "lock_timeout" {
        return None;
    }
    let value = child(&descendant(stmt, K::SET_CONFIG)?, K::TO_CONFIG_VALUE)?;
    let text = compact(&value);
    let text = text
        .trim_start_matches('=')
        .trim_start_matches("TO ")
        .trim_start_matches("to ")
        .trim();
    Some(text.to_string())
}

/// The functions a statement calls: calls whose name is an identifier (a keyword such as
/// COALESCE or GREATEST is SQL syntax, not a function in the catalog).
fn called_functions(stmt: &SyntaxNode) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for call in descendants(stmt, K::CALL_EXPR) {
        let Some(callee) = call.children().next() else {
            continue;
        };
        let name_ref = match callee.kind() {
            K::NAME_REF => Some(callee),
            K::FIELD_EXPR => descendants(&callee, K::NAME_REF).pop(),
            _ => None,
        };
        let Some(name_ref) = name_ref else { continue };
        let Some(token) = name_ref
            .children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| !t.kind().is_trivia())
        else {
            continue;
        };
        if token.kind() != K::IDENT {
            continue;
        }
        let name = cst::fold(token.text());
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The words a statement starts with, e.g. "CREATE UNIQUE INDEX CONCURRENTLY".
fn leading_words(stmt: &SyntaxNode, max: usize) -> String {
    stmt.children_with_tokens()
        .take_while(|e| e.as_token().is_some())
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind().is_keyword())
        .take(max)
        .map(|t| t.text().to_uppercase())
        .collect::<Vec<_>>()
        .join(" ")
}

fn statement(stmt: &SyntaxNode, f: &mut Facts, live: Option<&Schema>) -> Shape {
    let mut s = Shape::default();
    match stmt.kind() {
        K::ALTER_TABLE => alter::alter_table(stmt, &mut s, f),
        K::CREATE_INDEX => {
            let concurrently = has_token(stmt, K::CONCURRENTLY_KW);
            s.operation = leading_words(stmt, 4);
            if let Some(t) = child(stmt, K::TABLE_RELATION_NAME) {
                let mode = if concurrently {
                    LockMode::ShareUpdateExclusive
                } else {
                    LockMode::Share
                };
                s.lock(relation(&t), mode);
            }
            s.effect(Effect::IndexBuild);
            if concurrently {
                f.no_transaction_block = Some("CREATE INDEX CONCURRENTLY".into());
            }
        }
        K::DROP_INDEX => {
            let concurrently = has_token(stmt, K::CONCURRENTLY_KW);
            s.operation = leading_words(stmt, 3);
            for ix in cst::children(stmt, K::INDEX_REF) {
                let index = relation(&ix);
                if let Some(table) = live.and_then(|l| table_of_index(l, &index)) {
                    let mode = if concurrently {
                        LockMode::ShareUpdateExclusive
                    } else {
                        LockMode::AccessExclusive
                    };
                    s.lock(table, mode);
                }
            }
            s.effect(Effect::Metadata);
            if concurrently {
                f.no_transaction_block = Some("DROP INDEX CONCURRENTLY".into());
            }
        }
        K::DROP_TABLE => {
            s.operation = "DROP TABLE".into();
            for t in cst::children(stmt, K::TABLE_NAME_REF) {
                let table = relation(&t);
                s.lock(table.clone(), LockMode::AccessExclusive);
                s.change(ChangeKind::DropTable, &table, None, None);
            }
            s.effect(Effect::Metadata);
        }
        K::TRUNCATE => {
            s.operation = "TRUNCATE".into();
            for t in descendants(stmt, K::TABLE_NAME_REF) {
                s.lock(relation(&t), LockMode::AccessExclusive);
            }
            s.effect(Effect::Metadata);
        }
        K::CREATE_TABLE => {
            s.operation = leading_words(stmt, 3);
            if let Some(name) = child(stmt, K::TABLE_NAME) {
                f.creates_table = Some(relation(&name));
            }
            // A foreign key takes SHARE ROW EXCLUSIVE on the table it references.
            for r in descendants(stmt, K::REFERENCES_CONSTRAINT)
                .into_iter()
                .chain(descendants(stmt, K::FOREIGN_KEY_CONSTRAINT))
            {
                if let Some(t) = child(&r, K::TABLE_NAME_REF) {
                    s.lock(relation(&t), LockMode::ShareRowExclusive);
                }
            }
            s.effect(Effect::Metadata);
        }
        K::ALTER_TYPE => {
            s.operation = "ALTER TYPE".into();
            if let Some(add) = child(stmt, K::ADD_VALUE) {
                s.operation = "ALTER TYPE ... ADD VALUE".into();
                let label = child(&add, K::LITERAL)
                    .and_then(|l| cst::string_value(&compact(&l)))
                    .unwrap_or_default();
                let ty = child(stmt, K::TYPE_NAME_REF)
                    .map(|t| relation(&t).name)
                    .unwrap_or_default();
                f.enum_value = Some((ty, label));
            }
            s.effect(Effect::Metadata);
        }
        K::CREATE_EXTENSION => {
            s.operation = "CREATE EXTENSION".into();
            f.extension = child(stmt, K::EXTENSION).map(|e| cst::name(&e));
            s.effect(Effect::Metadata);
        }
        K::CREATE_FUNCTION | K::CREATE_PROCEDURE | K::CREATE_AGGREGATE => {
            s.operation = leading_words(stmt, 4);
            if let Some(n) = stmt
                .children()
                .find(|c| matches!(c.kind(), K::FUNCTION_NAME | K::PATH))
                .or_else(|| descendant(stmt, K::PATH))
            {
                f.creates_functions.push(relation(&n).name);
            }
            s.effect(Effect::None);
        }
        K::UPDATE | K::DELETE | K::INSERT => {
            s.operation = leading_words(stmt, 1);
            if let Some(t) = stmt
                .children()
                .find(|c| matches!(c.kind(), K::RELATION_NAME | K::RELATION_NAME_REF))
            {
                s.lock(relation(&t), LockMode::RowExclusive);
            }
            s.effect(Effect::Data);
        }
        K::CREATE_TRIGGER => {
            s.operation = "CREATE TRIGGER".into();
            if let Some(on) = child(stmt, K::ON_RELATION) {
                s.lock(relation(&on), LockMode::ShareRowExclusive);
            }
            s.effect(Effect::Metadata);
        }
        K::VACUUM => {
            s.operation = leading_words(stmt, 2);
            f.no_transaction_block = Some("VACUUM".into());
            let full = has_token(stmt, K::FULL_KW);
            for t in descendants(stmt, K::TABLE_NAME_REF) {
                let mode = if full {
                    LockMode::AccessExclusive
                } else {
                    LockMode::ShareUpdateExclusive
                };
                s.lock(relation(&t), mode);
            }
            s.effect(if full { Effect::Rewrite } else { Effect::Scan });
        }
        K::CLUSTER => {
            s.operation = "CLUSTER".into();
            for t in descendants(stmt, K::TABLE_NAME_REF) {
                s.lock(relation(&t), LockMode::AccessExclusive);
            }
            s.effect(Effect::Rewrite);
        }
        K::REINDEX => {
            s.operation = leading_words(stmt, 3);
            if has_token(stmt, K::CONCURRENTLY_KW) {
                f.no_transaction_block = Some("REINDEX CONCURRENTLY".into());
            }
            s.effect(Effect::IndexBuild);
        }
        K::REFRESH => {
            s.operation = leading_words(stmt, 4);
            let mode = if has_token(stmt, K::CONCURRENTLY_KW) {
                LockMode::Exclusive
            } else {
                LockMode::AccessExclusive
            };
            if let Some(t) = descendant(stmt, K::PATH_REF).or_else(|| descendant(stmt, K::PATH)) {
                s.lock(relation(&t), mode);
            }
            s.effect(Effect::Data);
        }
        K::SET
        | K::BEGIN
        | K::COMMIT_TRANSACTION
        | K::ROLLBACK_TRANSACTION
        | K::CREATE_TYPE
        | K::CREATE_DOMAIN
        | K::CREATE_SCHEMA
        | K::CREATE_SEQUENCE
        | K::CREATE_VIEW
        | K::COMMENT_ON
        | K::GRANT
        | K::REVOKE
        | K::SELECT => {
            s.operation = leading_words(stmt, 2);
            s.effect(Effect::None);
        }
        _ => {
            s.operation = leading_words(stmt, 3);
            s.effect(Effect::Unknown);
        }
    }
    if s.operation.is_empty() {
        s.operation = leading_words(stmt, 3);
    }
    s
}

/// The table an index of the live schema belongs to.
fn table_of_index(live: &Schema, index: &RelationName) -> Option<RelationName> {
    live.tables
        .iter()
        .filter(|t| index.schema.is_empty() || t.schema == index.schema)
        .find(|t| {
            t.indexes.iter().any(|i| i.name == index.name)
                || t.primary_key.as_ref().is_some_and(|k| k.name == index.name)
                || t.unique_constraints.iter().any(|k| k.name == index.name)
        })
        .map(|t| RelationName {
            schema: t.schema.clone(),
            name: t.name.clone(),
        })
}

#[cfg(test)]
mod tests;
