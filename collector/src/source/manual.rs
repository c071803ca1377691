//! The columns a hand-written `impl FromRow` reads: `row.try_get("col")`, `row.get("col")`
//! and their `_unchecked` variants called on the impl's row parameter, with the line of each
//! call and whether a missing column is handled on the spot (`.ok()`, `.unwrap_or*(..)`,
//! `.map_or*(..)`, `if let Ok(..) =`, `let Ok(..) = .. else`, `match`). Reads by index
//! (`try_get(0)`), by a computed name, or on anything but the row (a JSON value's
//! `.get("key")`) are not column names and are skipped.

use gaps_core::code::model::RowRead;
use proc_macro2::LineColumn;
use syn::visit::Visit;
use syn::{Expr, Lit};

const READS: &[&str] = &["try_get", "get", "try_get_unchecked", "get_unchecked"];
const HANDLERS: &[&str] = &[
    "ok",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "map_or",
    "map_or_else",
    "is_ok",
    "is_err",
];

/// The reads of `from_row`'s row parameter in `i`, in source order.
pub fn reads(i: &syn::ItemImpl) -> Vec<RowRead> {
    let Some(param) = row_param(i) else {
        return Vec::new();
    };
    let mut c = Collector {
        param: &param,
        reads: Vec::new(),
        handled: Vec::new(),
    };
    c.visit_item_impl(i);
    let handled = c.handled;
    c.reads
        .into_iter()
        .map(|(at, mut r)| {
            r.handled = handled.contains(&at);
            r
        })
        .collect()
}

/// The name bound by `from_row`'s first parameter (`row` in `fn from_row(row: &PgRow)`).
fn row_param(i: &syn::ItemImpl) -> Option<String> {
    i.items.iter().find_map(|item| match item {
        syn::ImplItem::Fn(f) if f.sig.ident == "from_row" => match f.sig.inputs.first()? {
            syn::FnArg::Typed(pt) => match &*pt.pat {
                syn::Pat::Ident(pi) => Some(pi.ident.to_string()),
                _ => None,
            },
            syn::FnArg::Receiver(_) => None,
        },
        _ => None,
    })
}

fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Reference(r) => strip(&r.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => strip(&u.expr),
        other => other,
    }
}

fn is_param(e: &Expr, param: &str) -> bool {
    matches!(strip(e), Expr::Path(p) if p.qself.is_none() && p.path.is_ident(param))
}

struct Collector<'p> {
    param: &'p str,
    reads: Vec<(LineColumn, RowRead)>,
    handled: Vec<LineColumn>,
}

impl Collector<'_> {
    /// The position of `e` when it is a by-name read of the row.
    fn read_at(&self, e: &Expr) -> Option<LineColumn> {
        match strip(e) {
            Expr::MethodCall(mc) => self.read(mc).map(|_| mc.method.span().start()),
            _ => None,
        }
    }

    fn read(&self, mc: &syn::ExprMethodCall) -> Option<RowRead> {
        let method = mc.method.to_string();
        if !READS.contains(&method.as_str()) || !is_param(&mc.receiver, self.param) {
            return None;
        }
        let Some(Expr::Lit(l)) = mc.args.first() else {
            return None;
        };
        let Lit::Str(s) = &l.lit else { return None };
        Some(RowRead {
            column: s.value(),
            line: mc.method.span().start().line as u32,
            method,
            handled: false,
        })
    }

    fn handles(&mut self, e: &Expr) {
        if let Some(at) = self.read_at(e) {
            self.handled.push(at);
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_expr_method_call(&mut self, mc: &'ast syn::ExprMethodCall) {
        if let Some(r) = self.read(mc) {
            self.reads.push((mc.method.span().start(), r));
        }
        if HANDLERS.contains(&mc.method.to_string().as_str()) {
            self.handles(&mc.receiver);
        }
        syn::visit::visit_expr_method_call(self, mc);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        self.handles(&m.expr);
        syn::visit::visit_expr_match(self, m);
    }

    fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
        self.handles(&l.expr);
        syn::visit::visit_expr_let(self, l);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(init) = &l.init
            && init.diverge.is_some()
        {
            self.handles(&init.expr);
        }
        syn::visit::visit_local(self, l);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads_of(src: &str) -> Vec<(String, u32, String, bool)> {
        let file: syn::File = syn::parse_str(src).expect("test source parses");
        let i = file
            .items
            .iter()
            .find_map(|it| match it {
                syn::Item::Impl(i) => Some(i),
                _ => None,
            })
            .expect("an impl");
        reads(i)
            .into_iter()
            .map(|r| (r.column, r.line, r.method, r.handled))
            .collect()
    }

    #[test]
    fn by_name_reads_of_the_row_are_listed_with_lines_and_handling() {
        let got = reads_of(
            r#"impl<'r> FromRow<'r, PgRow> for Legacy {
    fn from_row(r: &'r PgRow) -> Result<Self, sqlx::Error> {
        let extra: serde_json::Value = r.try_get("extra")?;
        let nick = r.try_get::<String, _>("nick").ok();
        let bio = match r.try_get("bio") { Ok(b) => b, Err(_) => None };
        let n = if let Ok(n) = (*r).try_get("n") { n } else { 0 };
        let Ok(m) = r.try_get::<i32, _>("m") else { return Err(sqlx::Error::RowNotFound) };
        Ok(Legacy {
            id: r.get("legacy_id"),
            first: r.try_get(0)?,
            name: extra.get("name").cloned(),
            other: row.try_get("not_the_param")?,
            dynamic: r.try_get(format!("{}id", "x").as_str())?,
        })
    }
}"#,
        );
        let s = |c: &str, l: u32, m: &str, h: bool| (c.to_string(), l, m.to_string(), h);
        assert_eq!(
            got,
            [
                s("extra", 3, "try_get", false),
                s("nick", 4, "try_get", true),
                s("bio", 5, "try_get", true),
                s("n", 6, "try_get", true),
                s("m", 7, "try_get", true),
                s("legacy_id", 9, "get", false),
            ]
        );
    }

    #[test]
    fn an_impl_without_a_named_row_parameter_reads_nothing() {
        assert!(
            reads_of(
                r#"impl FromRow<'_, PgRow> for X {
    fn from_row(_: &PgRow) -> Result<Self, sqlx::Error> { Ok(X) }
}"#
            )
            .is_empty()
        );
    }
}
