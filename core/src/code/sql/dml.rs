//! Statements: INSERT (column lists, `INSERT ... SELECT`, VALUES, MySQL's `INSERT ... SET`,
//! `ON CONFLICT ... DO UPDATE SET x = EXCLUDED.x`, `ON DUPLICATE KEY UPDATE`, SQLite's
//! `INSERT OR REPLACE`, RETURNING), UPDATE (`UPDATE ... FROM`, MySQL's multi-table form),
//! DELETE (`DELETE ... USING`, MySQL's multi-table form), and what session objects a
//! statement creates: `CREATE TEMPORARY TABLE` / `VIEW` and `SET search_path`. The query of
//! a `CREATE ... AS SELECT` is read like any query.

use sqlparser::ast::{
    Assignment, AssignmentTarget, ConflictTarget, Delete, FromTable, Insert, ObjectName,
    OnConflict, OnConflictAction, OnInsert, Set, Statement, TableObject, Update,
    UpdateTableFromKind,
};

use super::access::{Access, OutputColumn, SessionObject, SessionObjectKind};
use super::exprs::{refs, string_literal};
use super::query::{from_item, from_list, projection, query};
use super::scope::{Ctx, RelSource, Relation, Scope};
use super::shape::{ConflictAction, ConflictShape, InsertSource, WriteKind, WriteShape};

/// Analyses one statement; returns its kind and result columns.
pub(super) fn statement(stmt: &Statement, ctx: &mut Ctx) -> (String, Vec<OutputColumn>) {
    match stmt {
        Statement::Query(q) => ("select".into(), query(q, ctx, None)),
        Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
            let kind = match stmt {
                Statement::Insert(_) => "insert",
                Statement::Update(_) => "update",
                _ => "delete",
            };
            (kind.into(), nested(stmt, ctx, None))
        }
        Statement::CreateTable(ct) => {
            if ct.temporary {
                let name = ctx.names.object(&ct.name).1;
                ctx.creates.push(SessionObject {
                    kind: SessionObjectKind::TemporaryTable,
                    name,
                });
            }
            if let Some(q) = &ct.query {
                let _ = query(q, ctx, None);
            }
            ("create".into(), Vec::new())
        }
        Statement::CreateView(v) => {
            if v.temporary {
                let name = ctx.names.object(&v.name).1;
                ctx.creates.push(SessionObject {
                    kind: SessionObjectKind::TemporaryView,
                    name,
                });
            }
            let _ = query(&v.query, ctx, None);
            ("create".into(), Vec::new())
        }
        Statement::Set(set) => {
            if let Some(value) = search_path(set) {
                ctx.creates.push(SessionObject {
                    kind: SessionObjectKind::SearchPath,
                    name: value,
                });
            }
            ("set".into(), Vec::new())
        }
        other => {
            let text = other.to_string();
            let kw = text
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            (kw, Vec::new())
        }
    }
}

/// The schema list of `SET [LOCAL|SESSION] search_path ...`.
fn search_path(set: &Set) -> Option<String> {
    match set {
        Set::SingleAssignment {
            variable, values, ..
        } if variable.to_string().eq_ignore_ascii_case("search_path") => Some(
            values
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// An INSERT, UPDATE or DELETE at any depth (a data-modifying CTE included), sharing the
/// enclosing statement's CTEs; returns its RETURNING columns.
pub(super) fn nested(stmt: &Statement, ctx: &mut Ctx, parent: Option<&Scope>) -> Vec<OutputColumn> {
    match stmt {
        Statement::Insert(ins) => insert(ins, ctx, parent),
        Statement::Update(up) => update(up, ctx, parent),
        Statement::Delete(del) => delete(del, ctx, parent),
        _ => Vec::new(),
    }
}

fn target_table(rel: &Relation) -> Option<String> {
    match &rel.source {
        RelSource::Table(t) => Some(t.clone()),
        _ => None,
    }
}

/// Records the written columns of assignments (`SET a = .., (b, c) = ..`), and the string
/// literals written to them, and reads their values. A qualified target (`t.a`, MySQL's
/// multi-table UPDATE) is resolved by its alias. Returns the resolved (table, column)
/// targets, or None when one of them could not be resolved.
fn assignments(
    list: &[Assignment],
    default_table: Option<&str>,
    scope: &Scope,
    ctx: &mut Ctx,
) -> Option<Vec<(String, String)>> {
    let mut targets = Some(Vec::new());
    for a in list {
        let names: Vec<&ObjectName> = match &a.target {
            AssignmentTarget::ColumnName(n) => vec![n],
            AssignmentTarget::Tuple(ns) => ns.iter().collect(),
        };
        for n in names {
            let parts: Vec<_> = n.0.iter().filter_map(|p| p.as_ident().cloned()).collect();
            let resolved = match parts.as_slice() {
                [one] => default_table.map(|t| (t.to_string(), ctx.names.name(one))),
                [.., rel, col] => scope
                    .find(&ctx.names.key(rel))
                    .and_then(target_table)
                    .map(|t| (t, ctx.names.name(col))),
                [] => None,
            };
            match resolved {
                Some((t, c)) => {
                    if let Some(lit) = string_literal(&a.value)
                        && matches!(a.target, AssignmentTarget::ColumnName(_))
                    {
                        ctx.literal(&t, &c, lit, true);
                    }
                    ctx.column(&t, c.clone(), Access::Write);
                    if let Some(v) = targets.as_mut() {
                        v.push((t, c));
                    }
                }
                None => targets = None,
            }
        }
        refs(&a.value, scope, ctx);
    }
    targets
}

/// The string literals of a VALUES list written to the columns of its column list.
fn written_values(source: &sqlparser::ast::Query, table: &str, columns: &[String], ctx: &mut Ctx) {
    let sqlparser::ast::SetExpr::Values(v) = &*source.body else {
        return;
    };
    for row in &v.rows {
        for (col, e) in columns.iter().zip(row.iter()) {
            if let Some(lit) = string_literal(e) {
                ctx.literal(table, col, lit, true);
            }
        }
    }
}

/// Where an INSERT's rows come from.
fn insert_source(ins: &Insert) -> InsertSource {
    match &ins.source {
        None if ins.assignments.is_empty() => InsertSource::DefaultValues,
        None => InsertSource::Set,
        Some(q) => match &*q.body {
            sqlparser::ast::SetExpr::Values(v) => InsertSource::Values {
                width: v.rows.iter().map(|r| r.len()).max().unwrap_or(0) as u32,
            },
            _ => InsertSource::Query,
        },
    }
}

fn insert(ins: &Insert, ctx: &mut Ctx, parent: Option<&Scope>) -> Vec<OutputColumn> {
    let TableObject::TableName(name) = &ins.table else {
        return Vec::new();
    };
    let (schema, tname) = ctx.names.object(name);
    ctx.table(schema.clone(), tname.clone(), Access::Write);
    let alias = ins
        .table_alias
        .as_ref()
        .map(|a| ctx.names.key(&a.alias))
        .unwrap_or_else(|| ctx.names.key_of(&tname));
    let target = Relation {
        alias,
        source: RelSource::Table(tname.clone()),
    };
    let mut columns: Vec<String> = Vec::new();
    for c in &ins.columns {
        let col = ctx.names.object(c).1;
        columns.push(col.clone());
        ctx.column(&tname, col, Access::Write);
    }
    if let Some(src) = &ins.source {
        let _ = query(src, ctx, parent);
        written_values(src, &tname, &columns, ctx);
    }
    let scope = Scope::new(vec![target.clone()], parent);
    let set = assignments(&ins.assignments, Some(&tname), &scope, ctx);
    if ins.source.is_none() {
        // MySQL's INSERT ... SET: its columns are the assigned ones.
        columns.extend(set.unwrap_or_default().into_iter().map(|(_, c)| c));
    }
    let mut shape = WriteShape {
        kind: WriteKind::Insert,
        schema,
        table: tname.clone(),
        columns,
        source: Some(insert_source(ins)),
        ignore: ins.ignore || matches!(ins.or, Some(sqlparser::ast::SqliteOnConflict::Ignore)),
        conflict: None,
    };
    match &ins.on {
        Some(OnInsert::OnConflict(OnConflict {
            conflict_target,
            action,
        })) => {
            let mut conflict = ConflictShape {
                columns: Vec::new(),
                constraint: None,
                predicate: false,
                action: match action {
                    OnConflictAction::DoNothing => ConflictAction::Nothing,
                    OnConflictAction::DoUpdate(_) => ConflictAction::Update,
                },
            };
            match conflict_target {
                Some(ConflictTarget::Columns { columns, predicate }) => {
                    for c in columns {
                        let col = ctx.names.name(c);
                        conflict.columns.push(col.clone());
                        ctx.column(&tname, col, Access::Read);
                    }
                    if let Some(p) = predicate {
                        conflict.predicate = true;
                        refs(p, &scope, ctx);
                    }
                }
                Some(ConflictTarget::OnConstraint(name)) => {
                    conflict.constraint = Some(ctx.names.object(name).1);
                }
                None => {}
            }
            shape.conflict = Some(conflict);
            if let OnConflictAction::DoUpdate(du) = action {
                // EXCLUDED is the row proposed for insertion: the target's columns.
                let excluded = Relation {
                    alias: ctx.names.key_of("excluded"),
                    source: RelSource::Table(tname.clone()),
                };
                let scope = Scope::new(vec![target.clone(), excluded], parent);
                let _ = assignments(&du.assignments, Some(&tname), &scope, ctx);
                if let Some(sel) = &du.selection {
                    refs(sel, &scope, ctx);
                }
            }
        }
        Some(OnInsert::DuplicateKeyUpdate(list)) => {
            let mut rels = vec![target.clone()];
            if let Some(a) = &ins.insert_alias {
                // MySQL 8's `INSERT ... AS new ON DUPLICATE KEY UPDATE a = new.a`.
                rels.push(Relation {
                    alias: ctx.names.key_of(&ctx.names.object(&a.row_alias).1),
                    source: RelSource::Table(tname.clone()),
                });
            }
            let scope = Scope::new(rels, parent);
            let _ = assignments(list, Some(&tname), &scope, ctx);
            shape.conflict = Some(ConflictShape {
                columns: Vec::new(),
                constraint: None,
                predicate: false,
                action: ConflictAction::Update,
            });
        }
        _ => {}
    }
    ctx.writes.push(shape);
    match &ins.returning {
        Some(items) => projection(items, &scope, ctx),
        None => Vec::new(),
    }
}

fn update(up: &Update, ctx: &mut Ctx, parent: Option<&Scope>) -> Vec<OutputColumn> {
    let (mut rels, mut ons) = from_item(&up.table, ctx, parent, &[], Access::Write);
    let default_table = rels.first().and_then(target_table);
    let from = match &up.from {
        Some(UpdateTableFromKind::BeforeSet(f)) | Some(UpdateTableFromKind::AfterSet(f)) => {
            f.as_slice()
        }
        None => &[],
    };
    let mut seen = rels.clone();
    for twj in from {
        let (r, o) = from_item(twj, ctx, parent, &seen, Access::Read);
        seen.extend(r.iter().cloned());
        rels.extend(r);
        ons.extend(o);
    }
    let scope = Scope::new(rels, parent);
    // With joins (MySQL), an unqualified SET target is not certainly the first table's.
    let default = if up.table.joins.is_empty() {
        default_table.as_deref()
    } else {
        None
    };
    let set = assignments(&up.assignments, default, &scope, ctx);
    if let Some(t) = &default_table {
        let schema = match &up.table.relation {
            sqlparser::ast::TableFactor::Table { name, .. } => ctx.names.object(name).0,
            _ => None,
        };
        // The SET targets, when every one is certainly the target's.
        let columns = set
            .filter(|v| v.iter().all(|(table, _)| table == t))
            .map(|v| v.into_iter().map(|(_, c)| c).collect())
            .unwrap_or_default();
        ctx.writes.push(WriteShape {
            kind: WriteKind::Update,
            schema,
            table: t.clone(),
            columns,
            source: None,
            ignore: up.or.is_some(),
            conflict: None,
        });
    }
    for e in ons {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &up.selection {
        refs(e, &scope, ctx);
    }
    for o in &up.order_by {
        refs(&o.expr, &scope, ctx);
    }
    match &up.returning {
        Some(items) => projection(items, &scope, ctx),
        None => Vec::new(),
    }
}

fn delete(del: &Delete, ctx: &mut Ctx, parent: Option<&Scope>) -> Vec<OutputColumn> {
    let from = match &del.from {
        FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
    };
    // MySQL's `DELETE t1 FROM t1 JOIN t2 ...` names the written tables first; the FROM
    // list is read.
    let first = if del.tables.is_empty() {
        Access::Write
    } else {
        Access::Read
    };
    let (mut rels, mut ons) = from_list(from, ctx, parent, first);
    for twj in del.using.iter().flatten() {
        let (r, o) = from_item(twj, ctx, parent, &rels, Access::Read);
        rels.extend(r);
        ons.extend(o);
    }
    let scope = Scope::new(rels, parent);
    for t in &del.tables {
        let (_, n) = ctx.names.object(t);
        if let Some(RelSource::Table(real)) = scope.find(&ctx.names.key_of(&n)).map(|r| &r.source) {
            ctx.table(None, real.clone(), Access::Write);
            ctx.writes.push(WriteShape {
                kind: WriteKind::Delete,
                schema: None,
                table: real.clone(),
                columns: Vec::new(),
                source: None,
                ignore: false,
                conflict: None,
            });
        }
    }
    if del.tables.is_empty()
        && let Some(first) = from.first()
        && let sqlparser::ast::TableFactor::Table {
            name, args: None, ..
        } = &first.relation
    {
        let (schema, n) = ctx.names.object(name);
        if schema.is_some() || ctx.cte(&ctx.names.key_of(&n)).is_none() {
            ctx.writes.push(WriteShape {
                kind: WriteKind::Delete,
                schema,
                table: n,
                columns: Vec::new(),
                source: None,
                ignore: false,
                conflict: None,
            });
        }
    }
    for e in ons {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &del.selection {
        refs(e, &scope, ctx);
    }
    for o in &del.order_by {
        refs(&o.expr, &scope, ctx);
    }
    match &del.returning {
        Some(items) => projection(items, &scope, ctx),
        None => Vec::new(),
    }
}
