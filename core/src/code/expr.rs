//! SQL expression normalisation for CHECK constraints and column defaults, so that a
//! migration's text and the server's rendering of the same expression compare equal.
//!
//! Postgres prints an expression its own way (`pg_get_expr`): redundant parentheses, casts on
//! literals and columns (`'x'::text`, `(0)::numeric`, `(name)::text`), `IN (...)` as
//! `= ANY (ARRAY[...])`, `BETWEEN` as two comparisons, `LIKE` as `~~`, negative numbers as
//! `'-1'::integer`, and typed constants in its own output format (`'24 hours'` becomes
//! `'24:00:00'::interval`). Both texts are parsed with sqlparser and rewritten into one
//! canonical form. When the canonical texts differ, the expressions are called different only
//! when that is certain: they reference other columns, or they hold other literal values none
//! of which the server may have reformatted. Anything else is [`Comparison::Unsure`], and the
//! rules do not report it (a false alarm costs more trust than a miss).

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArgumentList, FunctionArguments, Ident, InTarget,
    ObjectName, ObjectNamePart, UnaryOperator, Value, ValueWithSpan, visit_expressions,
    visit_expressions_mut,
};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use super::sql::dialect;
use crate::backend::Backend;
use crate::typemap::normalize_sql_type;

/// What is known about the expression being compared.
#[derive(Debug, Clone, Copy)]
pub struct ExprContext<'a> {
    /// Which server's syntax (and rendering) the texts follow.
    pub backend: Backend,
    /// Enum type names: their labels are printed verbatim, like text.
    pub enums: &'a [String],
    /// The type of the column, for a default: a bare literal there has that type.
    pub column_type: Option<&'a str>,
    /// The table's column names: only these count as column references.
    pub columns: &'a [String],
}

/// The verdict of [`compare`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// The same expression, up to the server's way of printing it.
    Same,
    /// Certainly different: other columns, or other literal values that are printed verbatim.
    Differs,
    /// Different texts that may still mean the same (an unparsed text, a reformatted constant,
    /// a construct the normalisation does not know).
    Unsure,
}

/// An expression in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The canonical text.
    pub text: String,
    /// The table columns it references.
    pub columns: BTreeSet<String>,
    /// Its literal values, keyed so that `'-1'` and `-1` are one value.
    pub literals: BTreeSet<String>,
    /// True when a literal has a type whose constants the server re-prints in its own format
    /// (timestamps, intervals, json, arrays...): literal values are then no proof of change.
    pub opaque: bool,
    /// True when the expression is a `nextval(...)` call (a serial column's default).
    pub nextval: bool,
}

/// How constants of a type are printed back by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Verbatim (text, varchar, enums).
    Text,
    /// As a number.
    Number,
    /// As `true` / `false`.
    Bool,
    /// In a type-specific output format.
    Opaque,
}

fn class_of(type_text: &str, ctx: &ExprContext<'_>) -> Class {
    let t = normalize_sql_type(type_text, Backend::Postgres);
    if t.ends_with("[]") {
        return Class::Opaque;
    }
    let base = t.split('(').next().unwrap_or(&t).trim();
    let base = base.rsplit('.').next().unwrap_or(base);
    match base {
        "text" | "character varying" | "varchar" | "character" | "char" | "bpchar" | "name"
        | "citext" | "unknown" => Class::Text,
        "smallint" | "integer" | "bigint" | "numeric" | "decimal" | "real" | "double precision"
        | "oid" => Class::Number,
        "boolean" | "bool" => Class::Bool,
        other if ctx.enums.iter().any(|e| e == other) => Class::Text,
        _ => Class::Opaque,
    }
}

/// A number in one spelling: `1.50` and `1.5`, `1e3` and `1000` are one value.
fn canonical_number(text: &str) -> Option<String> {
    let v: f64 = text.trim().parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Some(format!("{}", v as i64))
    } else {
        Some(format!("{v}"))
    }
}

fn bool_text(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "t" | "true" | "y" | "yes" | "on" | "1" => Some(true),
        "f" | "false" | "n" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

fn value(v: Value) -> Expr {
    Expr::Value(ValueWithSpan {
        value: v,
        span: sqlparser::tokenizer::Span::empty(),
    })
}

fn string_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::NationalStringLiteral(s)
            | Value::DoubleQuotedString(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// A literal of class `class`, re-spelled as the server prints it back; `opaque` is set when
/// the server's spelling cannot be predicted.
fn retype(e: Expr, class: Class, opaque: &mut bool) -> Expr {
    let Expr::Value(v) = &e else { return e };
    match (&v.value, class) {
        (Value::Null, _) => e,
        (Value::Number(n, _), Class::Number) => match canonical_number(n) {
            Some(c) => value(Value::Number(c, false)),
            None => e,
        },
        (Value::Boolean(_), Class::Bool) => e,
        (_, Class::Text) => match string_of(&e) {
            Some(s) => value(Value::SingleQuotedString(s)),
            None => e,
        },
        (_, Class::Number) => match string_of(&e).as_deref().and_then(canonical_number) {
            Some(c) => value(Value::Number(c, false)),
            None => {
                *opaque = true;
                e
            }
        },
        (_, Class::Bool) => match string_of(&e).as_deref().and_then(bool_text) {
            Some(b) => value(Value::Boolean(b)),
            None => {
                *opaque = true;
                e
            }
        },
        (_, Class::Opaque) => {
            *opaque = true;
            e
        }
    }
}

fn is_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(_))
}

fn plain_name(name: &ObjectName) -> String {
    let last = name.0.last().map(|p| match p {
        ObjectNamePart::Identifier(id) => canonical_ident(id),
        ObjectNamePart::Function(f) => canonical_ident(&f.name),
    });
    last.unwrap_or_default()
}

fn canonical_ident(id: &Ident) -> String {
    if id.quote_style.is_some() {
        id.value.clone()
    } else {
        id.value.to_lowercase()
    }
}

fn function(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| {
                    sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(a))
                })
                .collect(),
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    })
}

fn binary(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(left),
        op,
        right: Box::new(right),
    }
}

/// Rewrites one node whose children are already canonical.
fn canonical_node(e: &mut Expr, opaque: &mut bool, ctx: &ExprContext<'_>) {
    let taken = std::mem::replace(e, value(Value::Null));
    *e = match taken {
        Expr::Nested(inner) => *inner,
        Expr::Cast {
            expr, data_type, ..
        } => {
            if is_literal(&expr) {
                retype(*expr, class_of(&data_type.to_string(), ctx), opaque)
            } else {
                *expr
            }
        }
        Expr::TypedString(ts) => retype(
            Expr::Value(ts.value),
            class_of(&ts.data_type.to_string(), ctx),
            opaque,
        ),
        Expr::Interval(iv) => {
            *opaque = true;
            *iv.value
        }
        Expr::Value(v) => match v.value {
            Value::Number(n, long) => match canonical_number(&n) {
                Some(c) => value(Value::Number(c, false)),
                None => value(Value::Number(n, long)),
            },
            Value::EscapedStringLiteral(s) | Value::NationalStringLiteral(s) => {
                value(Value::SingleQuotedString(s))
            }
            other => value(other),
        },
        Expr::UnaryOp {
            op: op @ (UnaryOperator::Minus | UnaryOperator::Plus),
            expr,
        } => match &*expr {
            Expr::Value(ValueWithSpan {
                value: Value::Number(n, _),
                ..
            }) => {
                let signed = if op == UnaryOperator::Minus {
                    format!("-{n}")
                } else {
                    n.clone()
                };
                match canonical_number(&signed) {
                    Some(c) => value(Value::Number(c, false)),
                    None => Expr::UnaryOp { op, expr },
                }
            }
            _ => Expr::UnaryOp { op, expr },
        },
        Expr::Identifier(id) => Expr::Identifier(Ident::new(canonical_ident(&id))),
        Expr::CompoundIdentifier(parts) => match parts.last() {
            Some(id) => Expr::Identifier(Ident::new(canonical_ident(id))),
            None => Expr::CompoundIdentifier(parts),
        },
        Expr::Function(mut f) => {
            let name = plain_name(&f.name);
            let name = match name.as_str() {
                "current_timestamp" | "transaction_timestamp" => "now".to_string(),
                _ => name,
            };
            f.name = ObjectName::from(vec![Ident::new(name)]);
            if matches!(f.args, FunctionArguments::None) {
                f.args = FunctionArguments::List(FunctionArgumentList {
                    duplicate_treatment: None,
                    args: Vec::new(),
                    clauses: Vec::new(),
                });
            }
            Expr::Function(f)
        }
        // PG 13 and older print EXTRACT as date_part('field', x); newer versions keep EXTRACT.
        Expr::Extract { field, expr, .. } => function(
            "date_part",
            vec![
                value(Value::SingleQuotedString(field.to_string().to_lowercase())),
                *expr,
            ],
        ),
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } if matches!(&*right, Expr::Array(_)) => {
            let Expr::Array(a) = *right else {
                unreachable!("matched above")
            };
            in_list(*left, a.elem, false)
        }
        Expr::AllOp {
            left,
            compare_op: BinaryOperator::NotEq,
            right,
        } if matches!(&*right, Expr::Array(_)) => {
            let Expr::Array(a) = *right else {
                unreachable!("matched above")
            };
            in_list(*left, a.elem, true)
        }
        Expr::In {
            expr,
            target: InTarget::List(list),
            negated,
            global: false,
        } => in_list(*expr, list, negated),
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => {
            let (lo_op, hi_op, join) = if negated {
                (BinaryOperator::Lt, BinaryOperator::Gt, BinaryOperator::Or)
            } else {
                (
                    BinaryOperator::GtEq,
                    BinaryOperator::LtEq,
                    BinaryOperator::And,
                )
            };
            binary(
                binary((*expr).clone(), lo_op, *low),
                join,
                binary(*expr, hi_op, *high),
            )
        }
        Expr::Like {
            negated,
            any: false,
            expr,
            pattern,
            escape_char: None,
        } => binary(
            *expr,
            if negated {
                BinaryOperator::PGNotLikeMatch
            } else {
                BinaryOperator::PGLikeMatch
            },
            *pattern,
        ),
        Expr::ILike {
            negated,
            any: false,
            expr,
            pattern,
            escape_char: None,
        } => binary(
            *expr,
            if negated {
                BinaryOperator::PGNotILikeMatch
            } else {
                BinaryOperator::PGILikeMatch
            },
            *pattern,
        ),
        Expr::Trim {
            expr,
            trim_where: None,
            trim_what: None,
            trim_characters: None,
        } => Expr::Trim {
            expr,
            trim_where: Some(sqlparser::ast::TrimWhereField::Both),
            trim_what: None,
            trim_characters: None,
        },
        other => other,
    };
}

/// `x IN (a)` is printed by Postgres as `x = a`.
fn in_list(expr: Expr, mut list: Vec<Expr>, negated: bool) -> Expr {
    if list.len() == 1 {
        let only = list.remove(0);
        let op = if negated {
            BinaryOperator::NotEq
        } else {
            BinaryOperator::Eq
        };
        return binary(expr, op, only);
    }
    Expr::In {
        expr: Box::new(expr),
        target: InTarget::List(list),
        negated,
        global: false,
    }
}

/// Parses one expression; None when the text is not exactly one expression.
pub fn parse(text: &str, backend: Backend) -> Option<Expr> {
    let d = dialect(backend);
    let mut p = Parser::new(d.as_ref()).try_with_sql(text).ok()?;
    let e = p.parse_expr().ok()?;
    (p.peek_token().token == Token::EOF).then_some(e)
}

fn literal_key(v: &Value) -> String {
    match v {
        Value::Number(n, _) => format!("n:{}", canonical_number(n).unwrap_or_else(|| n.clone())),
        Value::Boolean(b) => format!("b:{b}"),
        Value::Null => "null".into(),
        other => {
            let s = match other {
                Value::SingleQuotedString(s)
                | Value::EscapedStringLiteral(s)
                | Value::NationalStringLiteral(s)
                | Value::DoubleQuotedString(s)
                | Value::DollarQuotedString(sqlparser::ast::DollarQuotedString {
                    value: s, ..
                }) => s.clone(),
                o => o.to_string(),
            };
            match canonical_number(&s) {
                Some(n) => format!("n:{n}"),
                None => format!("s:{s}"),
            }
        }
    }
}

/// The canonical form of `text`, or None when it is not one expression sqlparser can read.
pub fn normalize(text: &str, ctx: &ExprContext<'_>) -> Option<Normalized> {
    let mut e = parse(text, ctx.backend)?;
    let mut opaque = false;
    if ctx.backend == Backend::Postgres {
        let _ = visit_expressions_mut(&mut e, |x| {
            canonical_node(x, &mut opaque, ctx);
            ControlFlow::<()>::Continue(())
        });
        // A bare literal default has the column's type (Postgres prints it with a cast).
        if let Some(t) = ctx.column_type
            && is_literal(&e)
        {
            e = retype(e, class_of(t, ctx), &mut opaque);
        }
    } else {
        // SQLite keeps the text as written: only the spelling sqlparser varies is folded.
        let mut sink = false;
        let _ = visit_expressions_mut(&mut e, |x| {
            if !matches!(
                x,
                Expr::Cast { .. } | Expr::TypedString(_) | Expr::Interval(_)
            ) {
                canonical_node(x, &mut sink, ctx);
            }
            ControlFlow::<()>::Continue(())
        });
    }
    let mut columns = BTreeSet::new();
    let mut literals = BTreeSet::new();
    let _ = visit_expressions(&e, |x| {
        match x {
            Expr::Identifier(id) if ctx.columns.contains(&id.value) => {
                columns.insert(id.value.clone());
            }
            Expr::Value(v) => {
                literals.insert(literal_key(&v.value));
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    let nextval = matches!(&e, Expr::Function(f) if plain_name(&f.name) == "nextval");
    Some(Normalized {
        text: e.to_string(),
        columns,
        literals,
        opaque,
        nextval,
    })
}

/// Compares a migration's expression with the server's.
pub fn compare(expected: &str, live: &str, ctx: &ExprContext<'_>) -> Comparison {
    let (Some(a), Some(b)) = (normalize(expected, ctx), normalize(live, ctx)) else {
        return if expected == live {
            Comparison::Same
        } else {
            Comparison::Unsure
        };
    };
    if a.text == b.text || (a.nextval && b.nextval) {
        Comparison::Same
    } else if a.columns != b.columns || (!a.opaque && !b.opaque && a.literals != b.literals) {
        Comparison::Differs
    } else {
        Comparison::Unsure
    }
}

/// The distinct column names an expression references (identifiers, lowercased unless
/// quoted), in order of first appearance; empty when it cannot be parsed.
pub fn referenced_columns(text: &str, backend: Backend) -> Vec<String> {
    let Some(e) = parse(text, backend) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let _ = visit_expressions(&e, |x| {
        let id = match x {
            Expr::Identifier(id) => Some(id),
            Expr::CompoundIdentifier(parts) => parts.last(),
            _ => None,
        };
        if let Some(id) = id {
            let n = canonical_ident(id);
            if !out.contains(&n) {
                out.push(n);
            }
        }
        ControlFlow::<()>::Continue(())
    });
    out
}

/// `text` with every reference to column `old` renamed to `new`; None when it cannot be
/// parsed (the caller keeps the text).
pub fn rename_column(text: &str, old: &str, new: &str, backend: Backend) -> Option<String> {
    let mut e = parse(text, backend)?;
    let _ = visit_expressions_mut(&mut e, |x| {
        let id = match x {
            Expr::Identifier(id) => Some(id),
            Expr::CompoundIdentifier(parts) => parts.last_mut(),
            _ => None,
        };
        if let Some(id) = id
            && canonical_ident(id) == old
        {
            let plain = new
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            *id = if plain {
                Ident::new(new)
            } else {
                Ident::with_quote('"', new)
            };
        }
        ControlFlow::<()>::Continue(())
    });
    Some(e.to_string())
}

#[cfg(test)]
mod tests;
