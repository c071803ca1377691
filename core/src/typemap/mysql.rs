//! The MySQL/MariaDB rows of the type mapping, from sqlx-mysql 0.9's `Type::compatible`
//! implementations, and the normalisation of MySQL column type spellings (`int(11)` -> `int`,
//! `BOOLEAN` -> `tinyint(1)`, `numeric` -> `decimal(10,0)`).
//!
//! sqlx decides compatibility by the column's wire type, not its declared width: every signed
//! integer column decodes into every signed Rust integer (a value that does not fit fails per
//! row, not as "mismatched types"), and the `UNSIGNED` flag alone separates `i*` from `u*`.

use super::compat::{Compat, row_matches};
use super::rust_type::RustType;

/// What a MySQL column is on the wire, which is what sqlx's compatibility checks look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wire {
    /// TINYINT..BIGINT, with the UNSIGNED flag.
    Int {
        unsigned: bool,
    },
    Bit,
    Year,
    Float,
    Double,
    Decimal,
    Date,
    Time,
    Datetime,
    Timestamp,
    /// CHAR, VARCHAR, the TEXT types, ENUM, SET.
    Text,
    /// BINARY, VARBINARY, the BLOB types.
    Binary,
    /// MySQL 8's native JSON (MariaDB's JSON is LONGTEXT).
    Json,
}

/// Normalises a MySQL type spelling: lowercase keywords, integer display widths dropped
/// (`int(11)`, as MySQL 5.7 and MariaDB print them, and `int`, as MySQL 8.0.19+ does, are the
/// same type) except `tinyint(1)`, the boolean convention; aliases mapped to the name
/// `information_schema.COLUMNS.COLUMN_TYPE` prints; `zerofill` implies `unsigned`. ENUM and
/// SET labels keep their case.
pub fn normalize(text: &str) -> String {
    let t = text.trim();
    let (head, params, tail) = match (t.find('('), t.rfind(')')) {
        (Some(open), Some(close)) if close > open => {
            (&t[..open], Some(&t[open + 1..close]), &t[close + 1..])
        }
        _ => (t, None, ""),
    };
    let mut words: Vec<String> = head
        .split_whitespace()
        .chain(tail.split_whitespace())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut unsigned = false;
    words.retain(|w| match w.as_str() {
        "unsigned" | "zerofill" => {
            unsigned = true;
            false
        }
        "signed" => false,
        _ => true,
    });
    let name = words.join(" ");
    let keep_case = matches!(name.as_str(), "enum" | "set");
    let params = params.map(|p| {
        if keep_case {
            p.trim().to_string()
        } else {
            p.split(',').map(str::trim).collect::<Vec<_>>().join(",")
        }
    });
    let with = |n: &str| match &params {
        Some(p) => format!("{n}({p})"),
        None => n.to_string(),
    };
    let base = match name.as_str() {
        "bool" | "boolean" => "tinyint(1)".to_string(),
        "tinyint" if params.as_deref() == Some("1") && !unsigned => "tinyint(1)".to_string(),
        "tinyint" | "smallint" | "mediumint" | "bigint" => name.clone(),
        "int" | "integer" | "int4" => "int".to_string(),
        "int1" => "tinyint".to_string(),
        "int2" => "smallint".to_string(),
        "int3" | "middleint" => "mediumint".to_string(),
        "int8" => "bigint".to_string(),
        "serial" => {
            unsigned = true;
            "bigint".to_string()
        }
        "real" | "double precision" | "float8" => with("double"),
        "float4" => "float".to_string(),
        "float" => match params.as_deref().and_then(|p| p.parse::<u32>().ok()) {
            Some(n) if n > 24 => "double".to_string(),
            Some(_) => "float".to_string(),
            None => with("float"),
        },
        "decimal" | "dec" | "numeric" | "fixed" => match params.as_deref() {
            None => "decimal(10,0)".to_string(),
            Some(p) if !p.contains(',') => format!("decimal({p},0)"),
            Some(_) => with("decimal"),
        },
        "character varying" | "char varying" | "varchar" => with("varchar"),
        "character" | "char" => match params {
            Some(_) => with("char"),
            None => "char(1)".to_string(),
        },
        "binary" => match params {
            Some(_) => with("binary"),
            None => "binary(1)".to_string(),
        },
        "bit" => match params {
            Some(_) => with("bit"),
            None => "bit(1)".to_string(),
        },
        "long varchar" | "long" => "mediumtext".to_string(),
        "long varbinary" => "mediumblob".to_string(),
        _ => with(&name),
    };
    if unsigned && int_like(&base) {
        format!("{base} unsigned")
    } else {
        base
    }
}

fn int_like(base: &str) -> bool {
    matches!(
        base,
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" | "tinyint(1)"
    ) || base.starts_with("decimal")
        || base.starts_with("float")
        || base.starts_with("double")
}

/// The labels of an inline `enum('a','b')` type as `COLUMN_TYPE` prints it (quotes doubled
/// inside a label); None for any other type.
pub fn enum_labels(column_type: &str) -> Option<Vec<String>> {
    let t = column_type.trim();
    let open = t.find('(')?;
    if !t[..open].trim().eq_ignore_ascii_case("enum") || !t.ends_with(')') {
        return None;
    }
    let inner = &t[open + 1..t.len() - 1];
    let mut labels = Vec::new();
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        match chars.next() {
            None => break,
            Some('\'') => {}
            Some(_) => return None,
        }
        let mut label = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    label.push('\'');
                }
                '\'' => break,
                '\\' => label.push(chars.next()?),
                c => label.push(c),
            }
        }
        labels.push(label);
    }
    Some(labels)
}

fn wire(norm: &str) -> Option<Wire> {
    let unsigned = norm.ends_with(" unsigned");
    let base = norm.trim_end_matches(" unsigned");
    let name = base.split('(').next().unwrap_or(base).trim();
    Some(match name {
        "tinyint" | "smallint" | "mediumint" | "int" | "bigint" => Wire::Int { unsigned },
        "bit" => Wire::Bit,
        "year" => Wire::Year,
        "float" => Wire::Float,
        "double" => Wire::Double,
        "decimal" => Wire::Decimal,
        "date" => Wire::Date,
        "time" => Wire::Time,
        "datetime" => Wire::Datetime,
        "timestamp" => Wire::Timestamp,
        "char" | "varchar" | "tinytext" | "text" | "mediumtext" | "longtext" | "enum" | "set" => {
            Wire::Text
        }
        "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob" => Wire::Binary,
        "json" => Wire::Json,
        _ => return None,
    })
}

const STRINGS: &[&str] = &["String", "str", "Cow", "Box<str>", "Arc<str>", "Rc<str>"];
const TEXT_OR_BYTES: &[Wire] = &[Wire::Text, Wire::Binary];

/// One row: Rust type names -> the wire types sqlx-mysql's `compatible` accepts, and the
/// spelling of those for a message.
fn rows() -> Vec<(&'static [&'static str], Vec<Wire>, &'static str)> {
    let any_int = vec![Wire::Int { unsigned: false }, Wire::Int { unsigned: true }];
    vec![
        (
            &["bool"],
            [any_int, vec![Wire::Bit]].concat(),
            "an integer type or BIT",
        ),
        (
            &["i8", "i16", "i32", "i64"],
            vec![Wire::Int { unsigned: false }],
            "a signed integer type (TINYINT..BIGINT)",
        ),
        (
            &["u8", "u16", "u32", "u64"],
            vec![Wire::Int { unsigned: true }, Wire::Year, Wire::Bit],
            "an UNSIGNED integer type, YEAR or BIT",
        ),
        (
            &["f32", "f64"],
            vec![Wire::Float, Wire::Double],
            "FLOAT, DOUBLE",
        ),
        (
            STRINGS,
            TEXT_OR_BYTES.to_vec(),
            "CHAR, VARCHAR, TEXT, ENUM, BINARY, BLOB",
        ),
        (
            &["Vec<u8>", "[u8]"],
            TEXT_OR_BYTES.to_vec(),
            "BINARY, VARBINARY, BLOB, CHAR, TEXT",
        ),
        (
            &["Uuid", "Hyphenated", "Simple"],
            TEXT_OR_BYTES.to_vec(),
            "BINARY(16), CHAR(36)",
        ),
        (
            &[
                "DateTime",
                "NaiveDateTime",
                "OffsetDateTime",
                "PrimitiveDateTime",
            ],
            vec![Wire::Datetime, Wire::Timestamp],
            "DATETIME, TIMESTAMP",
        ),
        (&["NaiveDate", "Date"], vec![Wire::Date], "DATE"),
        (
            &["NaiveTime", "Time", "MySqlTime"],
            vec![Wire::Time],
            "TIME",
        ),
        (&["Decimal", "BigDecimal"], vec![Wire::Decimal], "DECIMAL"),
        (
            &["Value", "JsonValue", "Json", "RawValue", "Box<RawValue>"],
            vec![Wire::Json, Wire::Text, Wire::Binary],
            "JSON, TEXT",
        ),
    ]
}

/// Whether sqlx-mysql decodes a column of (normalised) type `sql` into `rust`.
pub fn check(rust: &RustType, sql: &str) -> Compat {
    let Some(w) = wire(sql) else {
        return Compat::Unknown;
    };
    let Some((_, wires, accepts)) = rows()
        .into_iter()
        .find(|(names, _, _)| row_matches(names, rust))
    else {
        return Compat::Unknown;
    };
    if wires.contains(&w) {
        Compat::Compatible
    } else {
        Compat::Incompatible {
            accepts: accepts.to_string(),
        }
    }
}

/// `Type::type_info().name()` of a Rust type on MySQL, from sqlx-mysql 0.9.
pub fn sqlx_type_name(rust: &RustType) -> Option<String> {
    const NAMES: &[(&[&str], &str)] = &[
        (&["bool"], "BOOLEAN"),
        (&["i8"], "TINYINT"),
        (&["i16"], "SMALLINT"),
        (&["i32"], "INT"),
        (&["i64"], "BIGINT"),
        (&["u8"], "TINYINT UNSIGNED"),
        (&["u16"], "SMALLINT UNSIGNED"),
        (&["u32"], "INT UNSIGNED"),
        (&["u64"], "BIGINT UNSIGNED"),
        (&["f32"], "FLOAT"),
        (&["f64"], "DOUBLE"),
        (STRINGS, "VARCHAR"),
        (&["Vec<u8>", "[u8]", "Uuid"], "VARBINARY"),
        (&["Hyphenated", "Simple"], "VARCHAR"),
        (&["DateTime", "OffsetDateTime"], "TIMESTAMP"),
        (&["NaiveDateTime", "PrimitiveDateTime"], "DATETIME"),
        (&["NaiveDate", "Date"], "DATE"),
        (&["NaiveTime", "Time", "MySqlTime"], "TIME"),
        (&["Decimal", "BigDecimal"], "DECIMAL"),
        (
            &["Value", "JsonValue", "Json", "RawValue", "Box<RawValue>"],
            "JSON",
        ),
    ];
    NAMES
        .iter()
        .find(|(names, _)| row_matches(names, rust))
        .map(|(_, n)| n.to_string())
}

/// Rust types that decode a MySQL column type, for a "use i64" style next step.
pub fn rust_types_for(sql: &str) -> Vec<String> {
    let Some(w) = wire(sql) else {
        return Vec::new();
    };
    rows()
        .into_iter()
        .filter(|(_, wires, _)| wires.contains(&w))
        .flat_map(|(names, _, _)| names.iter().map(|n| n.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
