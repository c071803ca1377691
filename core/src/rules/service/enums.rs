//! `enum_value_missing`: a value sent to an enum that is not one of its labels. A Rust
//! `sqlx::Type` enum's variant (after `rename_all`/`rename`) is bound as a parameter, so
//! Describe never sees it: binding it fails with 22P02. A string literal compared with or
//! written to an enum column fails at parse on PostgreSQL, so Describe catches it there: the
//! literal is judged only in statements the database did not describe. On MySQL/MariaDB a
//! literal written to an inline ENUM fails (strict mode) with error 1265; a compared one only
//! matches nothing.

use crate::actions;
use crate::backend::Backend;
use crate::code::model::SqlTypeDef;
use crate::code::sql::LiteralUse;
use crate::finding::{Finding, FindingKind, Severity};
use crate::schema::{Catalog, EnumType};

use super::judged::{Ctx, Resolved, Stmt};
use super::names::{Stage, pg_ident, predicts};

/// A type name as written (`mood`, `app.mood`, `"Mood"`) -> (schema, name), folded as
/// Postgres folds unquoted names.
fn type_name(written: &str) -> (Option<String>, String) {
    let part = |p: &str| match p.trim().strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(q) => q.replace("\"\"", "\""),
        None => p.trim().to_lowercase(),
    };
    match written.rsplit_once('.') {
        // A quoted name may hold a dot: `"My.Type"` is one name, `"App".mood` two.
        Some((s, n)) if !written.starts_with('"') || written.contains("\".") => {
            (Some(part(s)), part(n))
        }
        _ => (None, part(written)),
    }
}

/// The one live enum a type name names, when exactly one does.
fn enum_named<'a>(ctx: &Ctx<'a>, written: &str) -> Option<&'a EnumType> {
    let (schema, name) = type_name(written);
    let found: Vec<&EnumType> = ctx
        .live
        .enums
        .iter()
        .filter(|e| e.name == name && schema.as_ref().is_none_or(|s| &e.schema == s))
        .collect();
    match found.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

pub(super) fn literals(ctx: &Ctx, s: &Stmt) -> Vec<Finding> {
    if !ctx.live.sees_all(Catalog::Enums) {
        return Vec::new();
    }
    let mysql = ctx.backend == Backend::Mysql;
    match ctx.backend {
        Backend::Postgres if s.described => return Vec::new(),
        Backend::Mysql => {
            let strict = ctx
                .service
                .and_then(|sv| sv.write_hooks.data())
                .and_then(|h| h.strict());
            if strict != Some(true) {
                return Vec::new();
            }
        }
        Backend::Sqlite => return Vec::new(),
        Backend::Postgres => {}
    }
    let mut out = Vec::new();
    for lit in s.st.literals.iter().filter(|l| l.written || !mysql) {
        let Some(t) = s.st.tables.iter().find(|t| t.name == lit.table) else {
            continue;
        };
        let Resolved::Table(live) = ctx.resolve_for_service(t) else {
            continue;
        };
        let Some(col) = live
            .columns
            .iter()
            .find(|c| c.name == lit.column || (mysql && c.name.eq_ignore_ascii_case(&lit.column)))
        else {
            continue;
        };
        let e = if mysql {
            let name = format!("{}.{}", live.name, col.name);
            ctx.live
                .enums
                .iter()
                .find(|e| e.schema == live.schema && e.name == name)
        } else {
            enum_named(ctx, &col.data_type)
        };
        let Some(e) = e else { continue };
        let known = if mysql {
            // MySQL compares ENUM labels without regard to case.
            e.labels
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&lit.literal))
        } else {
            e.labels.contains(&lit.literal)
        };
        if known {
            continue;
        }
        out.push(literal_finding(ctx, s, lit, e, &col.name));
    }
    out
}

fn literal_finding(ctx: &Ctx, s: &Stmt, lit: &LiteralUse, e: &EnumType, column: &str) -> Finding {
    let how = if lit.written { "writes" } else { "compares" };
    let (sqlstate, number, server, stage) = if ctx.backend == Backend::Mysql {
        (
            "01000",
            Some(1265),
            format!("Data truncated for column '{column}'"),
            Stage::Row,
        )
    } else {
        (
            "22P02",
            None,
            format!(
                "invalid input value for enum {}: \"{}\"",
                e.name, lit.literal
            ),
            Stage::Parse,
        )
    };
    let f = Finding::new(
        FindingKind::EnumValueMissing,
        Severity::Error,
        actions::COLUMNS,
        format!(
            "{}: this statement {how} '{}' for {}.{column}, whose enum {} has no such label \
             ({}): it fails with \"{server}\" ({})",
            s.at(),
            lit.literal,
            lit.table,
            e.name,
            e.labels.join(", "),
            match number {
                Some(n) => format!("error {n}, SQLSTATE {sqlstate}"),
                None => format!("SQLSTATE {sqlstate}"),
            }
        ),
    )
    .location(s.site.file.clone(), Some(s.line()))
    .table(lit.table.clone())
    .column(column.to_string())
    .expected(lit.literal.clone())
    .live(e.labels.join(", "))
    .detail("enum", e.name.clone())
    .detail("value", lit.literal.clone())
    .next_step(format!(
        "use one of the labels ({}) at {}, or add the label in a new migration",
        e.labels.join(", "),
        s.at()
    ));
    predicts(f, sqlstate, number, stage)
}

/// Each variant of a Rust `sqlx::Type` enum that the live Postgres enum it encodes as lacks.
pub(super) fn rust_types(ctx: &Ctx) -> Vec<Finding> {
    if ctx.backend != Backend::Postgres || !ctx.live.sees_all(Catalog::Enums) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for def in &ctx.code.sql_types {
        if def.labels.is_empty() || def.repr.is_some() || def.transparent.is_some() {
            continue;
        }
        // sqlx sends the type by name; without `type_name` that is the Rust name, which the
        // server folds to lowercase.
        let written = def.type_name.as_deref().unwrap_or(&def.name);
        let Some(e) = enum_named(ctx, written) else {
            continue;
        };
        for label in def.labels.iter().filter(|l| !e.labels.contains(l)) {
            out.push(variant_finding(ctx, def, e, label));
        }
    }
    out
}

fn variant_finding(ctx: &Ctx, def: &SqlTypeDef, e: &EnumType, label: &str) -> Finding {
    let pending = ctx
        .snapshot
        .expected_schema
        .data()
        .and_then(|x| x.schema.enums.iter().find(|x| x.name == e.name))
        .is_some_and(|x| x.labels.iter().any(|l| l == label));
    let fix = if pending {
        "the migrations add it: apply the pending migration (sqlx migrate run)".to_string()
    } else {
        format!(
            "add it in a new migration (ALTER TYPE {}.{} ADD VALUE '{}';), or rename the \
             variant (#[sqlx(rename = \"...\")]) to one of the labels",
            pg_ident(&e.schema),
            pg_ident(&e.name),
            label.replace('\'', "''")
        )
    };
    let f = Finding::new(
        FindingKind::EnumValueMissing,
        Severity::Error,
        actions::COLUMNS,
        format!(
            "{}:{}: the Rust enum {} (sqlx::Type{}) sends \"{label}\" for one of its variants, \
             but the database's enum {}.{} has no such label ({}): binding it fails with \
             \"invalid input value for enum {}: \\\"{label}\\\"\" (SQLSTATE 22P02); Describe \
             never sees a bound value",
            def.file,
            def.line,
            def.name,
            def.rename_all
                .as_deref()
                .map(|r| format!(", rename_all = \"{r}\""))
                .unwrap_or_default(),
            e.schema,
            e.name,
            e.labels.join(", "),
            e.name
        ),
    )
    .location(def.file.clone(), Some(def.line))
    .schema(e.schema.clone())
    .expected(label.to_string())
    .live(e.labels.join(", "))
    .detail("enum", e.name.clone())
    .detail("value", label.to_string())
    .detail("rust_type", def.name.clone())
    .next_step(fix);
    predicts(f, "22P02", None, Stage::Bind)
}
