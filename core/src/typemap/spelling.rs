//! The spelling of SQL types: every name is normalised to what Postgres' `format_type` prints
//! (MySQL's to what `COLUMN_TYPE` prints), so replayed migrations and the live catalogs compare
//! equal.

use super::mysql;
use crate::backend::Backend;

/// Normalises a SQL type name to the spelling of Postgres' `format_type` (`int4` ->
/// `integer`, `timestamptz` -> `timestamp with time zone`, `varchar(20)` ->
/// `character varying(20)`, `public.mood` -> `mood`). SQLite declared types are lowercased
/// and otherwise kept; MySQL types are normalised to what `COLUMN_TYPE` prints (`int(11)` ->
/// `int`, `BOOLEAN` -> `tinyint(1)`).
pub fn normalize_sql_type(text: &str, backend: Backend) -> String {
    // The single-byte "char" (sqlx spells it `"CHAR"`), not character(1).
    let trimmed = text.trim();
    if let Some(rest) = trimmed
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("\"char\""))
        .map(|_| &trimmed[6..])
        && (rest.is_empty() || rest.trim() == "[]")
    {
        return format!("\"char\"{}", rest.trim());
    }
    if backend == Backend::Mysql {
        return mysql::normalize(text);
    }
    let t = text.trim().to_lowercase().replace('"', "");
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if backend != Backend::Postgres {
        return t;
    }
    let (mut base, mut dims) = (t.as_str(), 0);
    loop {
        if let Some(b) = base.strip_suffix("[]") {
            base = b.trim_end();
            dims += 1;
        } else if let Some(b) = base.strip_suffix(" array") {
            base = b.trim_end();
            dims += 1;
        } else {
            break;
        }
    }
    // Remove a bracketed dimension size, e.g. integer[3].
    let mut base = base.to_string();
    while let Some(open) = base.rfind('[') {
        if base.ends_with(']') {
            base.truncate(open);
            base = base.trim_end().to_string();
            dims += 1;
        } else {
            break;
        }
    }
    let base = base
        .strip_prefix("public.")
        .or_else(|| base.strip_prefix("pg_catalog."))
        .unwrap_or(&base)
        .to_string();
    let (name, params) = match base.find('(') {
        Some(i) => {
            let close = base.rfind(')').unwrap_or(base.len());
            (
                format!(
                    "{} {}",
                    base[..i].trim(),
                    base.get(close + 1..).unwrap_or("").trim()
                )
                .trim()
                .to_string(),
                Some(base[i + 1..close.max(i + 1)].replace(' ', "")),
            )
        }
        None => (base.clone(), None),
    };
    let p = |s: &str| match &params {
        Some(x) => format!("{s}({x})"),
        None => s.to_string(),
    };
    let mapped = match name.as_str() {
        "int" | "integer" | "int4" | "serial" | "serial4" => "integer".into(),
        "smallint" | "int2" | "smallserial" | "serial2" => "smallint".into(),
        "bigint" | "int8" | "bigserial" | "serial8" => "bigint".into(),
        "real" | "float4" => "real".into(),
        "double precision" | "float8" => "double precision".into(),
        "float" => match params.as_deref().and_then(|x| x.parse::<u32>().ok()) {
            Some(n) if n <= 24 => "real".into(),
            _ => "double precision".into(),
        },
        "bool" | "boolean" => "boolean".into(),
        "varchar" | "character varying" | "char varying" => p("character varying"),
        "char" | "character" | "bpchar" => match &params {
            Some(_) => p("character"),
            None if name == "bpchar" => "bpchar".into(),
            None => "character(1)".into(),
        },
        "decimal" | "numeric" => p("numeric"),
        "timestamptz" | "timestamp with time zone" => match &params {
            Some(x) => format!("timestamp({x}) with time zone"),
            None => "timestamp with time zone".into(),
        },
        "timestamp" | "timestamp without time zone" => match &params {
            Some(x) => format!("timestamp({x}) without time zone"),
            None => "timestamp without time zone".into(),
        },
        "timetz" | "time with time zone" => match &params {
            Some(x) => format!("time({x}) with time zone"),
            None => "time with time zone".into(),
        },
        "time" | "time without time zone" => match &params {
            Some(x) => format!("time({x}) without time zone"),
            None => "time without time zone".into(),
        },
        "varbit" | "bit varying" => p("bit varying"),
        "bit" => match &params {
            Some(_) => p("bit"),
            None => "bit(1)".into(),
        },
        other => {
            if other.starts_with("timestamp ") && other.ends_with("with time zone") {
                match &params {
                    Some(x) => format!("timestamp({x}) with time zone"),
                    None => "timestamp with time zone".into(),
                }
            } else {
                p(other)
            }
        }
    };
    // Postgres does not record an array's dimensions: `integer[][]` is `integer[]`.
    let mut out = mapped;
    if dims > 0 {
        out.push_str("[]");
    }
    out
}

/// Types that are serial (implicit NOT NULL and a sequence default).
pub fn is_serial(text: &str) -> bool {
    matches!(
        text.trim().to_lowercase().as_str(),
        "serial" | "serial4" | "smallserial" | "serial2" | "bigserial" | "serial8"
    )
}

/// The base name of a normalised type, without parameters: `character varying(20)` ->
/// `character varying`, `numeric(10,2)` -> `numeric`.
pub(super) fn base_name(sql: &str) -> String {
    match sql.find('(') {
        Some(i) => {
            let close = sql.rfind(')').unwrap_or(sql.len());
            format!("{}{}", &sql[..i], sql.get(close + 1..).unwrap_or(""))
                .trim()
                .to_string()
        }
        None => sql.to_string(),
    }
}
