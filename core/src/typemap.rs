//! Which Rust types sqlx can decode from which SQL column types, written from sqlx's documented
//! type mappings (`sqlx::postgres::types`, `sqlx::sqlite::types`, `sqlx::mysql::types`), plus
//! the spelling of SQL types: every type name is normalised to what Postgres' `format_type`
//! prints, so replayed migrations and the live catalogs compare equal.
//!
//! The checker answers Compatible, Incompatible or Unknown; only Incompatible becomes a
//! finding, so a type it does not know (a custom `impl Type`, a range, a composite) is never
//! reported.
//!
//! The parts: `spelling` (SQL type names), `rust_type` (the Rust side, parsed), `compat`
//! (the verdict and the user-defined types), one table per engine (`postgres`, `sqlite`,
//! `mysql`), and here the checks that apply to every engine (smart pointers, domains,
//! `sqlx::Type` definitions, Postgres arrays) before handing over to the engine's table.

mod compat;
mod mysql;
mod postgres;
mod rust_type;
mod spelling;
mod sqlite;

pub use compat::{Compat, RustSqlType, TypeContext};
pub use mysql::enum_labels as mysql_enum_labels;
pub use postgres::POSTGRES;
pub use rust_type::RustType;
pub use spelling::{is_serial, normalize_sql_type};

use crate::backend::Backend;

/// Whether sqlx decodes a column of SQL type `sql` into Rust type `rust` (its `Option` already
/// removed by the caller, or not: `Option<T>` is checked as T).
pub fn check(rust: &RustType, sql: &str, backend: Backend, ctx: &TypeContext) -> Compat {
    let (rust, _) = rust.strip_option();
    let sql_norm = normalize_sql_type(sql, backend);
    // Smart pointers are transparent for decoding.
    if let Some(inner) = pointee(rust) {
        return check(inner, sql, backend, ctx);
    }
    // Domains decode as their base type.
    if let Some((_, base)) = ctx.domains.iter().find(|(n, _)| *n == sql_norm) {
        return check(rust, base, backend, ctx);
    }
    if let Some((_, stored)) = ctx.rust_types.iter().find(|(n, _)| *n == rust.name) {
        return match stored {
            RustSqlType::As(t) => check(&RustType::parse(t), sql, backend, ctx),
            RustSqlType::Named(name) => {
                if backend != Backend::Postgres {
                    // sqlx encodes derived enums as TEXT on SQLite/MySQL.
                    return check(&RustType::parse("String"), sql, backend, ctx);
                }
                let want = normalize_sql_type(name, backend);
                if want == sql_norm {
                    Compat::Compatible
                } else if ctx.enums.contains(&sql_norm) || postgres::is_builtin(&sql_norm) {
                    Compat::Incompatible { accepts: want }
                } else {
                    Compat::Unknown
                }
            }
        };
    }
    match backend {
        Backend::Postgres => check_pg(rust, &sql_norm, ctx),
        Backend::Sqlite => sqlite::check(rust, &sql_norm),
        Backend::Mysql => mysql::check(rust, &sql_norm),
    }
}

/// Postgres arrays decode element by element (through the whole [`check`], so that a
/// `Vec<MyEnum>` meets its enum); everything else is the Postgres table's.
fn check_pg(rust: &RustType, sql: &str, ctx: &TypeContext) -> Compat {
    if !is_array(rust) {
        return postgres::check(rust, sql, ctx);
    }
    let Some(elem) = rust.args.first() else {
        return Compat::Unknown;
    };
    let Some(elem_sql) = sql.strip_suffix("[]") else {
        return if postgres::known(sql, ctx) {
            Compat::Incompatible {
                accepts: "an array type".into(),
            }
        } else {
            Compat::Unknown
        };
    };
    match check(elem, elem_sql, Backend::Postgres, ctx) {
        Compat::Incompatible { accepts } => Compat::Incompatible {
            accepts: format!("{accepts} (as array)"),
        },
        other => other,
    }
}

/// The SQL type sqlx says a Rust type *is* (`<T as Type<DB>>::type_info().name()`), in sqlx's
/// own spelling: `i32` -> `INT4`, `String` -> `TEXT`, `Vec<i64>` -> `INT8[]`, a derived enum
/// -> its `type_name`. This is the middle part of sqlx's runtime error "mismatched types; Rust
/// type `i32` (as SQL type `INT4`) is not compatible with SQL type `INT8`". None when the type
/// is not in the mapping.
pub fn sqlx_type_name(rust: &RustType, backend: Backend, ctx: &TypeContext) -> Option<String> {
    let (rust, _) = rust.strip_option();
    if let Some(inner) = pointee(rust) {
        return sqlx_type_name(inner, backend, ctx);
    }
    if let Some((_, stored)) = ctx.rust_types.iter().find(|(n, _)| *n == rust.name) {
        return match stored {
            RustSqlType::As(t) => sqlx_type_name(&RustType::parse(t), backend, ctx),
            RustSqlType::Named(name) if backend == Backend::Postgres => Some(name.clone()),
            RustSqlType::Named(_) => Some("TEXT".into()),
        };
    }
    match backend {
        Backend::Postgres if is_array(rust) => {
            let elem = sqlx_type_name(rust.args.first()?, backend, ctx)?;
            Some(format!("{elem}[]"))
        }
        Backend::Postgres => postgres::sqlx_type_name(rust),
        Backend::Sqlite => sqlite::sqlx_type_name(rust),
        Backend::Mysql => mysql::sqlx_type_name(rust),
    }
}

/// The Rust types (last path segment, as in the mapping) that decode a Postgres SQL type,
/// for a next step such as "use i64"; arrays as `Vec<T>`. Empty when the table has no row for
/// it.
pub fn rust_types_for(sql: &str, backend: Backend) -> Vec<String> {
    if backend == Backend::Mysql {
        return mysql::rust_types_for(&normalize_sql_type(sql, backend));
    }
    if backend != Backend::Postgres {
        return Vec::new();
    }
    let norm = normalize_sql_type(sql, backend);
    if let Some(elem) = norm.strip_suffix("[]") {
        return rust_types_for(elem, backend)
            .into_iter()
            .map(|t| format!("Vec<{t}>"))
            .collect();
    }
    postgres::rust_types_for(&norm)
}

/// The `T` of `Box<T>`, `Arc<T>` and `Rc<T>`, which decode as `T` (but `Box<str>` and
/// `Box<RawValue>` have rows of their own).
fn pointee(rust: &RustType) -> Option<&RustType> {
    (matches!(rust.name.as_str(), "Box" | "Arc" | "Rc")
        && rust.args.len() == 1
        && !matches!(rust.args[0].name.as_str(), "str" | "RawValue"))
    .then(|| &rust.args[0])
}

/// `Vec<T>` or `[T]` other than bytes (`Vec<u8>` is `bytea`, not an array).
fn is_array(rust: &RustType) -> bool {
    (rust.name == "Vec" || rust.name == "[]") && rust.args.first().is_none_or(|a| a.name != "u8")
}

#[cfg(test)]
mod tests;
