//! Queries: WITH lists (plain, recursive, nested, data-modifying, each CTE visible to the
//! later ones), set operations, VALUES, `TABLE t`, and SELECT with its FROM items: real
//! tables, CTEs, derived tables (LATERAL ones see the items before them), table functions
//! (`unnest(..) AS t(a, b)`, `jsonb_to_recordset(..) AS x(id int)`, `generate_series(..)`,
//! `json_each(..)`) whose columns are never a table's, and joins. The WHERE, GROUP BY,
//! HAVING, DISTINCT ON, WINDOW, QUALIFY and ORDER BY expressions are read in the SELECT's
//! scope, output aliases and ordinals excepted.

use sqlparser::ast::{
    Distinct, Expr, GroupByExpr, JoinConstraint, JoinOperator, NamedWindowExpr, OrderBy,
    OrderByKind, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, TableAlias,
    TableFactor, TableWithJoins,
};

use super::access::{Access, OutputColumn};
use super::exprs::refs;
use super::names::strip_sqlx_override;
use super::scope::{Ctx, RelSource, Relation, Scope, star_of, unknown_star};

/// Analyses a query under `parent` (the enclosing level of a subquery); returns its result
/// columns.
pub(super) fn query(q: &Query, ctx: &mut Ctx, parent: Option<&Scope>) -> Vec<OutputColumn> {
    let mut pushed = 0;
    if let Some(with) = &q.with {
        for cte in &with.cte_tables {
            let key = ctx.names.key(&cte.alias.name);
            if with.recursive {
                // The CTE refers to itself: visible, with the columns its alias list names.
                let known = alias_columns(ctx, &cte.alias, Vec::new());
                ctx.ctes.push((key.clone(), known));
                pushed += 1;
            }
            let out = query(&cte.query, ctx, parent);
            let out = alias_columns(ctx, &cte.alias, out);
            if with.recursive {
                ctx.ctes.pop();
                pushed -= 1;
            }
            ctx.ctes.push((key, out));
            pushed += 1;
        }
    }
    let out = set_expr(&q.body, ctx, parent, q.order_by.as_ref());
    for _ in 0..pushed {
        ctx.ctes.pop();
    }
    out
}

/// Renames `out` by the alias's column list (`AS v(id, name)`), adding unnamed-origin
/// columns where the list is longer.
fn alias_columns(ctx: &Ctx, alias: &TableAlias, mut out: Vec<OutputColumn>) -> Vec<OutputColumn> {
    for (i, c) in alias.columns.iter().enumerate() {
        let name = Some(ctx.names.name(&c.name));
        match out.get_mut(i) {
            Some(o) => {
                o.name = name;
                o.star = false;
            }
            None => out.push(OutputColumn::named(name)),
        }
    }
    out
}

fn set_expr(
    body: &SetExpr,
    ctx: &mut Ctx,
    parent: Option<&Scope>,
    order_by: Option<&OrderBy>,
) -> Vec<OutputColumn> {
    match body {
        SetExpr::Select(s) => select(s, ctx, parent, order_by),
        SetExpr::Query(q) => query(q, ctx, parent),
        SetExpr::SetOperation { left, right, .. } => {
            let out = set_expr(left, ctx, parent, None);
            let _ = set_expr(right, ctx, parent, None);
            out
        }
        SetExpr::Values(v) => {
            let scope = Scope::new(Vec::new(), parent);
            let width = v.rows.first().map(|r| r.len()).unwrap_or(0);
            for row in &v.rows {
                for e in row.iter() {
                    refs(e, &scope, ctx);
                }
            }
            (0..width).map(|_| OutputColumn::named(None)).collect()
        }
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => {
            (ctx.hooks.statement)(s, ctx, parent)
        }
        SetExpr::Table(t) => match &t.table_name {
            Some(name) => {
                let schema = t.schema_name.as_ref().map(|s| ctx.names.name(s));
                let rel = ctx.named_relation(schema, ctx.names.name(name), None, Access::Read);
                star_of(&rel)
            }
            None => Vec::new(),
        },
        // MERGE and anything newer: not analysed, nothing guessed.
        _ => Vec::new(),
    }
}

/// The relations of one FROM item (or DML target), given the relations before it at the
/// same level (`siblings`, which a LATERAL item or a table function's arguments may use).
pub(super) fn relation(
    tf: &TableFactor,
    ctx: &mut Ctx,
    parent: Option<&Scope>,
    siblings: &[Relation],
    access: Access,
) -> Vec<Relation> {
    let lateral_scope = Scope::new(siblings.to_vec(), parent);
    match tf {
        TableFactor::Table {
            name, alias, args, ..
        } => {
            let (schema, tname) = ctx.names.object(name);
            if let Some(args) = args {
                // A set-returning function in FROM: `generate_series(..) AS g(d)`.
                ctx.functions.push(super::shape::FunctionUse {
                    schema,
                    name: tname.clone(),
                    sequence: None,
                });
                for a in &args.args {
                    refs(a, &lateral_scope, ctx);
                }
                return vec![opaque(ctx, alias.as_ref(), &tname)];
            }
            vec![ctx.named_relation(schema, tname, alias.as_ref().map(|a| &a.name), access)]
        }
        TableFactor::Derived {
            lateral,
            subquery,
            alias,
            ..
        } => {
            let out = if *lateral {
                query(subquery, ctx, Some(&lateral_scope))
            } else {
                query(subquery, ctx, parent)
            };
            let (alias_key, out) = match alias {
                Some(a) => (ctx.names.key(&a.name), alias_columns(ctx, a, out)),
                None => (String::new(), out),
            };
            vec![Relation {
                alias: alias_key,
                source: RelSource::Derived(out),
            }]
        }
        TableFactor::Function {
            name, args, alias, ..
        } => {
            for a in args {
                refs(a, &lateral_scope, ctx);
            }
            let (fschema, fname) = ctx.names.object(name);
            ctx.functions.push(super::shape::FunctionUse {
                schema: fschema,
                name: fname.clone(),
                sequence: None,
            });
            vec![opaque(ctx, alias.as_ref(), &fname)]
        }
        TableFactor::UNNEST {
            alias, array_exprs, ..
        } => {
            for e in array_exprs {
                refs(e, &lateral_scope, ctx);
            }
            vec![opaque(ctx, alias.as_ref(), "unnest")]
        }
        TableFactor::TableFunction { expr, alias } => {
            refs(expr, &lateral_scope, ctx);
            vec![opaque(ctx, alias.as_ref(), "")]
        }
        TableFactor::NestedJoin {
            table_with_joins,
            alias,
        } => {
            let (rels, ons) = from_item(table_with_joins, ctx, parent, siblings, access);
            let scope = Scope::new(rels.clone(), parent);
            for e in ons {
                refs(e, &scope, ctx);
            }
            match alias {
                // `(a JOIN b) AS x`: the inner names are hidden behind x.
                Some(a) => vec![opaque(ctx, Some(a), "")],
                None => rels,
            }
        }
        other => {
            let alias = match other {
                TableFactor::JsonTable { alias, .. }
                | TableFactor::OpenJsonTable { alias, .. }
                | TableFactor::Pivot { alias, .. }
                | TableFactor::Unpivot { alias, .. }
                | TableFactor::MatchRecognize { alias, .. }
                | TableFactor::XmlTable { alias, .. } => alias.as_ref(),
                _ => None,
            };
            vec![opaque(ctx, alias, "")]
        }
    }
}

/// A relation whose columns are not a table's, named by its alias (or `default`).
fn opaque(ctx: &Ctx, alias: Option<&TableAlias>, default: &str) -> Relation {
    Relation {
        alias: alias
            .map(|a| ctx.names.key(&a.name))
            .unwrap_or_else(|| ctx.names.key_of(default)),
        source: RelSource::Opaque,
    }
}

/// Relations of one FROM item with its joins, and the join conditions to read once every
/// relation of the item is known.
pub(super) fn from_item<'a>(
    twj: &'a TableWithJoins,
    ctx: &mut Ctx,
    parent: Option<&Scope>,
    siblings: &[Relation],
    access: Access,
) -> (Vec<Relation>, Vec<&'a Expr>) {
    let mut seen: Vec<Relation> = siblings.to_vec();
    let mut rels = relation(&twj.relation, ctx, parent, &seen, access);
    seen.extend(rels.iter().cloned());
    let mut ons = Vec::new();
    for j in &twj.joins {
        let r = relation(&j.relation, ctx, parent, &seen, Access::Read);
        seen.extend(r.iter().cloned());
        rels.extend(r);
        let c = match &j.join_operator {
            JoinOperator::Join(c)
            | JoinOperator::Inner(c)
            | JoinOperator::Left(c)
            | JoinOperator::LeftOuter(c)
            | JoinOperator::Right(c)
            | JoinOperator::RightOuter(c)
            | JoinOperator::FullOuter(c)
            | JoinOperator::CrossJoin(c)
            | JoinOperator::Semi(c)
            | JoinOperator::LeftSemi(c)
            | JoinOperator::RightSemi(c)
            | JoinOperator::Anti(c)
            | JoinOperator::LeftAnti(c)
            | JoinOperator::RightAnti(c)
            | JoinOperator::StraightJoin(c) => Some(c),
            _ => None,
        };
        if let Some(JoinConstraint::On(e)) = c {
            ons.push(e);
        }
    }
    (rels, ons)
}

/// The relations of a whole FROM list (each item sees the ones before it, as LATERAL
/// needs) and its join conditions.
pub(super) fn from_list<'a>(
    items: &'a [TableWithJoins],
    ctx: &mut Ctx,
    parent: Option<&Scope>,
    first_access: Access,
) -> (Vec<Relation>, Vec<&'a Expr>) {
    let mut rels: Vec<Relation> = Vec::new();
    let mut ons = Vec::new();
    for (i, twj) in items.iter().enumerate() {
        let access = if i == 0 { first_access } else { Access::Read };
        let (r, o) = from_item(twj, ctx, parent, &rels, access);
        rels.extend(r);
        ons.extend(o);
    }
    (rels, ons)
}

fn select(
    s: &Select,
    ctx: &mut Ctx,
    parent: Option<&Scope>,
    order_by: Option<&OrderBy>,
) -> Vec<OutputColumn> {
    let (rels, ons) = from_list(&s.from, ctx, parent, Access::Read);
    let mut scope = Scope::new(rels, parent);
    scope.aliases = s
        .projection
        .iter()
        .filter_map(|p| match p {
            SelectItem::ExprWithAlias { alias, .. } => Some(
                ctx.names
                    .key_of(strip_sqlx_override(&ctx.names.name(alias))),
            ),
            _ => None,
        })
        .collect();
    for e in ons {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &s.selection {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &s.having {
        refs(e, &scope, ctx);
    }
    if let Some(e) = &s.qualify {
        refs(e, &scope, ctx);
    }
    if let Some(Distinct::On(exprs)) = &s.distinct {
        for e in exprs {
            refs(e, &scope, ctx);
        }
    }
    if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
        for e in exprs {
            refs(e, &scope, ctx);
        }
    }
    for w in &s.named_window {
        if let NamedWindowExpr::WindowSpec(spec) = &w.1 {
            refs(spec, &scope, ctx);
        }
    }
    let out = projection(&s.projection, &scope, ctx);
    // ORDER BY may name output columns as well as input ones: the output names are not
    // read as columns.
    if let Some(OrderBy {
        kind: OrderByKind::Expressions(items),
        ..
    }) = order_by
    {
        for o in &out {
            if let Some(n) = &o.name {
                scope.aliases.push(ctx.names.key_of(n));
            }
        }
        for item in items {
            refs(&item.expr, &scope, ctx);
        }
    }
    out
}

/// The result columns of a SELECT list (or RETURNING list), recording the columns read.
pub(super) fn projection(items: &[SelectItem], scope: &Scope, ctx: &mut Ctx) -> Vec<OutputColumn> {
    let mut out = Vec::new();
    for item in items {
        match item {
            SelectItem::UnnamedExpr(e) => {
                refs(e, scope, ctx);
                out.push(expr_output(e, None, scope, ctx));
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                refs(expr, scope, ctx);
                let name = strip_sqlx_override(&ctx.names.name(alias)).to_string();
                out.push(expr_output(expr, Some(name), scope, ctx));
            }
            SelectItem::ExprWithAliases { expr, aliases } => {
                refs(expr, scope, ctx);
                for a in aliases {
                    out.push(OutputColumn::named(Some(ctx.names.name(a))));
                }
            }
            SelectItem::Wildcard(_) => {
                for r in &scope.rels {
                    out.extend(star_of(r));
                }
            }
            SelectItem::QualifiedWildcard(kind, _) => match kind {
                SelectItemQualifiedWildcardKind::ObjectName(n) => {
                    let (_, alias) = ctx.names.object(n);
                    match scope.find(&ctx.names.key_of(&alias)) {
                        Some(r) => out.extend(star_of(r)),
                        None => out.push(unknown_star()),
                    }
                }
                SelectItemQualifiedWildcardKind::Expr(_) => out.push(unknown_star()),
            },
        }
    }
    out
}

fn expr_output(e: &Expr, alias: Option<String>, scope: &Scope, ctx: &Ctx) -> OutputColumn {
    let (name, src) = match e {
        Expr::Identifier(id) => (
            Some(ctx.names.name(id)),
            ctx.resolve(std::slice::from_ref(id), scope),
        ),
        Expr::CompoundIdentifier(ids) => (
            ids.last().map(|i| ctx.names.name(i)),
            ctx.resolve(ids, scope),
        ),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => {
            (expr_output(expr, None, scope, ctx).name, None)
        }
        Expr::Function(f) => (Some(ctx.names.object(&f.name).1), None),
        _ => (None, None),
    };
    let (table, column) = match src {
        Some((t, c)) => (Some(t), Some(c)),
        None => (None, None),
    };
    OutputColumn {
        name: alias.or(name),
        table,
        column,
        star: false,
    }
}
