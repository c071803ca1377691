//! Column references inside expressions. Every identifier that names a column of a real
//! table with certainty is recorded; what only looks like a column is not: the names of named
//! function arguments (`make_interval(days => $1)`, `f(x := 1)`), the fields of a composite
//! value (`(t.addr).city`), output aliases, whole-row references (`row_to_json(u)`), implicit
//! columns (`rowid`, `ctid`) and, on SQLite, a double-quoted word that may be a string.
//! Subqueries are analysed as queries of their own, under the current scope.

use std::collections::HashSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    AccessExpr, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, Query, Value, Visit,
    Visitor,
};

use super::access::{Access, SessionObject, SessionObjectKind};
use super::scope::{Ctx, Scope};
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
            _ => {}
        }
        ControlFlow::Continue(())
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
    fn reference(&mut self, e: &Expr, parts: &[Ident]) {
        if self.skip.contains(&(e as *const Expr)) {
            return;
        }
        if let [one] = parts {
            let key = self.ctx.names.key(one);
            if self.scope.is_alias(&key) || key == "default" || self.scope.is_relation(&key) {
                return;
            }
            // SQLite reads a double-quoted word that names no column as a string literal.
            if self.ctx.names.backend == Backend::Sqlite && one.quote_style == Some('"') {
                return;
            }
        }
        if let Some((table, column)) = self.ctx.resolve(parts, self.scope) {
            self.ctx.column(&table, column, Access::Read);
        }
    }
}
