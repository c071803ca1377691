//! The PostgreSQL rows of the type mapping, from sqlx-postgres 0.9's `Type` implementations:
//! which SQL base types each Rust type decodes from, and what sqlx calls each Rust type. Arrays
//! are checked element by element by the caller ([`super::check`]).

use super::compat::{Compat, TypeContext, row_matches};
use super::rust_type::RustType;
use super::spelling::base_name;

/// One row of the Postgres mapping: Rust type names (last path segment) -> SQL base types.
pub const POSTGRES: &[(&[&str], &[&str])] = &[
    (&["bool"], &["boolean"]),
    (&["i8"], &["\"char\""]),
    (&["i16"], &["smallint"]),
    (&["i32"], &["integer"]),
    (&["i64"], &["bigint"]),
    (&["f32"], &["real"]),
    (&["f64"], &["double precision"]),
    (&["Oid", "u32"], &["oid"]),
    (
        &["String", "str", "Cow", "Box<str>", "Arc<str>", "Rc<str>"],
        &[
            "text",
            "character varying",
            "character",
            "bpchar",
            "name",
            "citext",
            "unknown",
        ],
    ),
    (&["Vec<u8>", "[u8]"], &["bytea"]),
    (&["Uuid"], &["uuid"]),
    (
        &["DateTime", "OffsetDateTime"],
        &["timestamp with time zone"],
    ),
    (
        &["NaiveDateTime", "PrimitiveDateTime"],
        &["timestamp without time zone"],
    ),
    (&["NaiveDate", "Date"], &["date"]),
    (&["NaiveTime", "Time"], &["time without time zone"]),
    (&["PgTimeTz"], &["time with time zone"]),
    (&["Decimal", "BigDecimal"], &["numeric"]),
    (
        &["Value", "JsonValue", "Json", "RawValue", "Box<RawValue>"],
        &["json", "jsonb"],
    ),
    (&["IpNetwork", "IpNet", "IpAddr"], &["inet", "cidr"]),
    (&["MacAddress"], &["macaddr"]),
    (&["BitVec"], &["bit", "bit varying"]),
    (&["PgInterval"], &["interval"]),
    (&["PgMoney"], &["money"]),
    (&["PgLTree"], &["ltree"]),
    (&["PgLQuery"], &["lquery"]),
    (&["PgCiText"], &["citext"]),
    (&["()"], &["void"]),
];

/// `Type::type_info().name()` of the Postgres rows, from sqlx-postgres 0.9.
const PG_SQLX_NAMES: &[(&[&str], &str)] = &[
    (&["bool"], "BOOL"),
    (&["i8"], "\"CHAR\""),
    (&["i16"], "INT2"),
    (&["i32"], "INT4"),
    (&["i64"], "INT8"),
    (&["f32"], "FLOAT4"),
    (&["f64"], "FLOAT8"),
    (&["Oid", "u32"], "OID"),
    (
        &["String", "str", "Cow", "Box<str>", "Arc<str>", "Rc<str>"],
        "TEXT",
    ),
    (&["Vec<u8>", "[u8]"], "BYTEA"),
    (&["Uuid"], "UUID"),
    (&["DateTime", "OffsetDateTime"], "TIMESTAMPTZ"),
    (&["NaiveDateTime", "PrimitiveDateTime"], "TIMESTAMP"),
    (&["NaiveDate", "Date"], "DATE"),
    (&["NaiveTime", "Time"], "TIME"),
    (&["PgTimeTz"], "TIMETZ"),
    (&["Decimal", "BigDecimal"], "NUMERIC"),
    (
        &["Value", "JsonValue", "Json", "RawValue", "Box<RawValue>"],
        "JSONB",
    ),
    (&["IpNetwork", "IpNet", "IpAddr"], "INET"),
    (&["MacAddress"], "MACADDR"),
    (&["BitVec"], "VARBIT"),
    (&["PgInterval"], "INTERVAL"),
    (&["PgMoney"], "MONEY"),
    (&["PgLTree"], "ltree"),
    (&["PgLQuery"], "lquery"),
    (&["PgCiText"], "citext"),
    (&["()"], "VOID"),
];

/// Whether sqlx-postgres decodes a column of (normalised, non-array) type `sql` into `rust`, a
/// Rust type that is not an array.
pub(super) fn check(rust: &RustType, sql: &str, ctx: &TypeContext) -> Compat {
    let Some((_, sqls)) = POSTGRES.iter().find(|(names, _)| row_matches(names, rust)) else {
        return Compat::Unknown;
    };
    let base = base_name(sql);
    if sqls.contains(&base.as_str()) {
        return Compat::Compatible;
    }
    if sql.ends_with("[]") || known(sql, ctx) {
        Compat::Incompatible {
            accepts: sqls.join(", "),
        }
    } else {
        Compat::Unknown
    }
}

/// True when the base of `sql` is a built-in type of some row.
pub(super) fn is_builtin(sql: &str) -> bool {
    let base = base_name(sql);
    POSTGRES
        .iter()
        .any(|(_, sqls)| sqls.contains(&base.as_str()))
}

/// True when `sql` is a type this table knows (a built-in of some row, or a known enum).
pub(super) fn known(sql: &str, ctx: &TypeContext) -> bool {
    ctx.enums.iter().any(|e| *e == sql) || is_builtin(sql) || base_name(sql).ends_with("[]")
}

/// sqlx's name for a Rust type that is not an array (`i32` -> `INT4`).
pub(super) fn sqlx_type_name(rust: &RustType) -> Option<String> {
    let name = PG_SQLX_NAMES
        .iter()
        .find(|(names, _)| row_matches(names, rust))?
        .1;
    Some(name.to_string())
}

/// The Rust types of the row whose SQL types include the (non-array) base type of `sql`.
pub(super) fn rust_types_for(sql: &str) -> Vec<String> {
    let base = base_name(sql);
    POSTGRES
        .iter()
        .find(|(_, sqls)| sqls.contains(&base.as_str()))
        .map(|(names, _)| names.iter().map(|n| n.to_string()).collect())
        .unwrap_or_default()
}
