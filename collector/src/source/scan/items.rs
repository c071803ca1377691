//! The type definitions the scan records, each read from its syn item: a `FromRow` model with
//! its fields and `#[sqlx(...)]` attributes, a `sqlx::Type` struct or enum, a hand-written
//! `impl FromRow` with the columns it reads.

use gaps_core::code::model::{ManualFromRow, Model, ModelField, ModelMapping, SqlTypeDef};
use gaps_core::code::naming::apply_rename_all;
use syn::Meta;

use super::syntax::type_text;
use crate::source::attrs::{effective_metas, repr, sqlx_attrs};
use crate::source::manual;
use crate::source::sqltext::line_of;

/// A `#[derive(FromRow)]` struct in `file`.
pub(super) fn model(s: &syn::ItemStruct, metas: &[Meta], file: &str) -> Model {
    let container = sqlx_attrs(metas);
    let mut fields = Vec::new();
    if let syn::Fields::Named(named) = &s.fields {
        for f in &named.named {
            let Some(ident) = &f.ident else { continue };
            let fm = effective_metas(&f.attrs);
            let a = sqlx_attrs(&fm);
            let raw = ident.to_string();
            let raw = raw.strip_prefix("r#").unwrap_or(&raw).to_string();
            let column = match (&a.rename, &container.rename_all) {
                (Some(r), _) => r.clone(),
                (None, Some(rule)) => apply_rename_all(rule, &raw),
                (None, None) => raw.clone(),
            };
            fields.push(ModelField {
                name: raw,
                column,
                rust_type: type_text(&f.ty),
                // The field's own line, not that of the doc comment or attribute above it.
                line: line_of(ident),
                rename: a.rename,
                skip: a.skip,
                default: a.default || container.default,
                flatten: a.flatten,
                json: a.json,
                try_from: a.try_from,
            });
        }
    }
    Model {
        name: s.ident.to_string(),
        file: file.to_string(),
        line: line_of(&s.struct_token),
        rename_all: container.rename_all,
        fields,
        mapping: ModelMapping::default(),
    }
}

/// A `#[derive(sqlx::Type)]` struct in `file`: transparent over its one field, or named.
pub(super) fn sql_type_struct(s: &syn::ItemStruct, metas: &[Meta], file: &str) -> SqlTypeDef {
    let a = sqlx_attrs(metas);
    let inner = match &s.fields {
        syn::Fields::Unnamed(u) if u.unnamed.len() == 1 => Some(type_text(&u.unnamed[0].ty)),
        _ => None,
    };
    let transparent = if a.transparent || (inner.is_some() && a.type_name.is_none()) {
        inner
    } else {
        None
    };
    SqlTypeDef {
        name: s.ident.to_string(),
        file: file.to_string(),
        line: line_of(&s.struct_token),
        type_name: a.type_name,
        rename_all: a.rename_all,
        repr: None,
        transparent,
        labels: Vec::new(),
    }
}

/// A `#[derive(sqlx::Type)]` enum in `file`, with its labels as the database spells them.
pub(super) fn sql_type_enum(e: &syn::ItemEnum, metas: &[Meta], file: &str) -> SqlTypeDef {
    let a = sqlx_attrs(metas);
    let labels = e
        .variants
        .iter()
        .map(|v| {
            let va = sqlx_attrs(&effective_metas(&v.attrs));
            let name = v.ident.to_string();
            match (va.rename, &a.rename_all) {
                (Some(r), _) => r,
                (None, Some(rule)) => apply_rename_all(rule, &name),
                (None, None) => name,
            }
        })
        .collect();
    SqlTypeDef {
        name: e.ident.to_string(),
        file: file.to_string(),
        line: line_of(&e.enum_token),
        type_name: a.type_name,
        rename_all: a.rename_all,
        repr: repr(metas),
        transparent: None,
        labels,
    }
}

/// An `impl FromRow for T` in `file`, with the columns its body reads; `None` for another impl.
pub(super) fn manual_from_row(i: &syn::ItemImpl, file: &str) -> Option<ManualFromRow> {
    let (_, trait_path, _) = i.trait_.as_ref()?;
    if trait_path
        .segments
        .last()
        .is_none_or(|s| s.ident != "FromRow")
    {
        return None;
    }
    let name = match &*i.self_ty {
        syn::Type::Path(tp) => tp
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        other => type_text(other),
    };
    let reads = manual::reads(i);
    let mut columns: Vec<String> = Vec::new();
    for r in &reads {
        if !columns.contains(&r.column) {
            columns.push(r.column.clone());
        }
    }
    Some(ManualFromRow {
        name,
        file: file.to_string(),
        line: line_of(&i.impl_token),
        columns,
        reads,
        mapping: ModelMapping::default(),
    })
}
