//! The `#[sqlx(...)]`, `#[derive(...)]`, `#[repr(...)]` and `cfg_attr` attributes of the
//! items the walker reads, as plain values.

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Meta, Token};

/// The attributes of an item with every `cfg_attr(pred, a, b)` opened up into `a`, `b`.
pub(super) fn effective_metas(attrs: &[Attribute]) -> Vec<Meta> {
    let mut out = Vec::new();
    for a in attrs {
        if a.path().is_ident("cfg_attr") {
            if let Ok(list) = a.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
                out.extend(list.into_iter().skip(1));
            }
        } else {
            out.push(a.meta.clone());
        }
    }
    out
}

/// Derive paths (as written) of an item.
pub(super) fn derives(metas: &[Meta]) -> Vec<syn::Path> {
    let mut out = Vec::new();
    for m in metas {
        if let Meta::List(l) = m
            && l.path.is_ident("derive")
            && let Ok(paths) =
                l.parse_args_with(Punctuated::<syn::Path, Token![,]>::parse_terminated)
        {
            out.extend(paths);
        }
    }
    out
}

pub(super) fn path_is(p: &syn::Path, name: &str, mentions_sqlx: bool) -> bool {
    let Some(last) = p.segments.last() else {
        return false;
    };
    if last.ident != name {
        return false;
    }
    if p.segments.len() == 1 {
        // A bare `FromRow` / `Type` only counts in a file that uses sqlx at all.
        return mentions_sqlx;
    }
    p.segments.first().is_some_and(|s| s.ident == "sqlx")
}

/// `#[sqlx(...)]` keys of an item or field.
#[derive(Debug, Default)]
pub(super) struct SqlxAttrs {
    pub rename: Option<String>,
    pub rename_all: Option<String>,
    pub type_name: Option<String>,
    pub try_from: Option<String>,
    pub skip: bool,
    pub default: bool,
    pub flatten: bool,
    pub json: bool,
    pub transparent: bool,
}

pub(super) fn sqlx_attrs(metas: &[Meta]) -> SqlxAttrs {
    let mut a = SqlxAttrs::default();
    for m in metas {
        let Meta::List(l) = m else { continue };
        if !l.path.is_ident("sqlx") {
            continue;
        }
        let _ = l.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            let value = || -> Option<String> {
                let v = meta.value().ok()?;
                let lit: syn::LitStr = v.parse().ok()?;
                Some(lit.value())
            };
            match key.as_str() {
                "rename" => a.rename = value(),
                "rename_all" => a.rename_all = value(),
                "type_name" => a.type_name = value(),
                "try_from" => a.try_from = value(),
                "skip" => a.skip = true,
                "default" => a.default = true,
                "flatten" => a.flatten = true,
                "json" => {
                    a.json = true;
                    // `json(nullable)`
                    if meta.input.peek(syn::token::Paren) {
                        let _ = meta.parse_nested_meta(|_| Ok(()));
                    }
                }
                "transparent" => a.transparent = true,
                _ => {
                    // Consume `key = value` or `key(...)` of keys we do not need.
                    if meta.input.peek(Token![=]) {
                        let _ = meta.value().and_then(|v| v.parse::<Expr>());
                    } else if meta.input.peek(syn::token::Paren) {
                        let _ = meta.parse_nested_meta(|_| Ok(()));
                    }
                }
            }
            Ok(())
        });
    }
    a
}

pub(super) fn repr(metas: &[Meta]) -> Option<String> {
    for m in metas {
        if let Meta::List(l) = m
            && l.path.is_ident("repr")
        {
            let t = l.tokens.to_string();
            if matches!(
                t.as_str(),
                "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64"
            ) {
                return Some(t);
            }
        }
    }
    None
}
