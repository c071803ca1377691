//! Column references inside expressions. Every identifier that names a column of a real
//! table with certainty is recorded; what only looks like a column is not: the names of named
//! function arguments (`make_interval(days => $1)`, `f(x := 1)`), the fields of a composite
//! value (`(t.addr).city`), output aliases, whole-row references (`row_to_json(u)`), implicit
//! columns (`rowid`, `ctid`) and, on SQLite, a double-quoted word that may be a string.
//! Subqueries are analysed as queries of their own, under the current scope.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    AccessExpr, BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    Ident, InTarget, Query, Value, Visit, Visitor,
};

use super::access::{Access, SessionObject, SessionObjectKind};
use super::scope::{Ctx, Scope};
use super::shape::FunctionUse;
use crate::backend::Backend;

/// Records the columns `node` reads, resolved in `scope`.
pub(super) fn refs<T: Visit>(node: &T, scope: &Scope, ctx: &mut Ctx) {
    let mut v = RefCollector {
        ctx,
        scope,
        depth: 0,
        skip: HashSet::new(),
    };
    let _ = node.visit(&mut v);
}

struct RefCollector<'c, 's, 'p> {
    ctx: &'c mut Ctx,
    scope: &'s Scope<'p>,
    /// >0 inside a nested query (already analysed on entry).
    depth: usize,
    /// Identifier expressions that are names, not column references (named-argument names,
    /// composite field names), by address in the statement's syntax tree.
    skip: HashSet<*const Expr>,
}

impl Visitor for RefCollector<'_, '_, '_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            let _ = (self.ctx.hooks.query)(q, self.ctx, Some(self.scope));
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _q: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        match e {
            Expr::Function(f) => {
                self.ctx.functions.push(function_use(f, self.ctx));
                if let FunctionArguments::List(list) = &f.args {
                    for arg in &list.args {
                        if let FunctionArg::ExprNamed { name, .. } = arg {
                            self.skip.insert(name as *const Expr);
                        }
                    }
                    if self
                        .ctx
                        .names
                        .name(last(&f.name.0))
                        .eq_ignore_ascii_case("set_config")
                        && let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))) =
                            list.args.first()
                        && matches!(&v.value, Value::SingleQuotedString(s) if s.eq_ignore_ascii_case("search_path"))
                    {
                        self.ctx.creates.push(SessionObject {
                            kind: SessionObjectKind::SearchPath,
                            name: "set_config('search_path', ...)".into(),
                        });
                    }
                }
            }
            Expr::CompoundFieldAccess { access_chain, .. } => {
                for a in access_chain {
                    if let AccessExpr::Dot(x) = a {
                        self.skip.insert(x as *const Expr);
                    }
                }
            }
            Expr::Identifier(id) => self.reference(e, std::slice::from_ref(id)),
            Expr::CompoundIdentifier(ids) => self.reference(e, ids),
            Expr::BinaryOp {
                left,
                op:
                    BinaryOperator::Eq
                    | BinaryOperator::NotEq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq,
                right,
            } => {
                let pair = match (string_literal(left), string_literal(right)) {
                    (None, Some(lit)) => Some((&**left, lit)),
                    (Some(lit), None) => Some((&**right, lit)),
                    _ => None,
                };
                if let Some((column, lit)) = pair {
                    self.compared(column, &[lit]);
                }
            }
            Expr::In {
                expr,
                target: InTarget::List(list),
                ..
            } => {
                let lits: Option<Vec<&str>> = list.iter().map(string_literal).collect();
                if let Some(lits) = lits {
                    self.compared(expr, &lits);
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// The text of a plain string literal (`'x'`, and MySQL's `"x"`), without a cast.
pub(super) fn string_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Some(s),
            _ => None,
        },
        Expr::Nested(inner) => string_literal(inner),
        _ => None,
    }
}

/// A function call as recorded: its name, and the sequence of `nextval('s')`, `currval` and
/// `setval` (also through a `::regclass` cast).
fn function_use(f: &Function, ctx: &Ctx) -> FunctionUse {
    let (schema, name) = ctx.names.object(&f.name);
    let sequence = if matches!(
        name.to_ascii_lowercase().as_str(),
        "nextval" | "currval" | "setval"
    ) {
        match &f.args {
            FunctionArguments::List(list) => match list.args.first() {
                Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(e))) => {
                    let inner = match e {
                        Expr::Cast { expr, .. } => expr,
                        other => other,
                    };
                    string_literal(inner).map(str::to_string)
                }
                _ => None,
            },
            _ => None,
        }
    } else {
        None
    };
    FunctionUse {
        schema,
        name,
        sequence,
    }
}

/// The last part of a function's object name (its name without schema).
fn last(parts: &[sqlparser::ast::ObjectNamePart]) -> &Ident {
    static EMPTY: std::sync::OnceLock<Ident> = std::sync::OnceLock::new();
    match parts.last() {
        Some(sqlparser::ast::ObjectNamePart::Identifier(id)) => id,
        Some(sqlparser::ast::ObjectNamePart::Function(f)) => &f.name,
        None => EMPTY.get_or_init(|| Ident::new("")),
    }
}

impl RefCollector<'_, '_, '_> {
    /// Records `literals` compared with `column`, when it is a column of a real table.
    fn compared(&mut self, column: &Expr, literals: &[&str]) {
        let parts: &[Ident] = match column {
            Expr::Identifier(id) => std::slice::from_ref(id),
            Expr::CompoundIdentifier(ids) => ids,
            _ => return,
        };
        if !self.is_column_reference(parts) {
            return;
        }
        if let Some((table, col)) = self.ctx.resolve(parts, self.scope) {
            for lit in literals {
                self.ctx.literal(&table, &col, lit, false);
            }
        }
    }

    /// False for what only looks like a column: an output alias, a relation's name (a
    /// whole-row reference), `DEFAULT`, or a double-quoted word SQLite reads as a string.
    fn is_column_reference(&self, parts: &[Ident]) -> bool {
        if let [one] = parts {
            let key = self.ctx.names.key(one);
            if self.scope.is_alias(&key) || key == "default" || self.scope.is_relation(&key) {
                return false;
            }
            if self.ctx.names.backend == Backend::Sqlite && one.quote_style == Some('"') {
                return false;
            }
        }
        true
    }

    fn reference(&mut self, e: &Expr, parts: &[Ident]) {
        if self.skip.contains(&(e as *const Expr)) || !self.is_column_reference(parts) {
            return;
        }
        if let Some((table, column)) = self.ctx.resolve(parts, self.scope) {
            self.ctx.column(&table, column, Access::Read);
        }
    }
}
