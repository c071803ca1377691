//! The SQLite rows of the type mapping, from sqlx-sqlite 0.9: SQLite decides by type affinity,
//! so a declared type is reduced to its affinity and each Rust type lists the affinities sqlx
//! decodes it from.

use super::compat::{Compat, row_matches};
use super::rust_type::RustType;

/// SQLite type affinities (section 3.1 of the SQLite datatype docs) with the declared types
/// sqlx gives a meaning of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Affinity {
    Integer,
    Text,
    Blob,
    Real,
    Boolean,
    Datetime,
    Numeric,
}

fn sqlite_affinity(decl: &str) -> Affinity {
    let d = decl.to_uppercase();
    if d == "BOOLEAN" || d == "BOOL" {
        return Affinity::Boolean;
    }
    if matches!(d.as_str(), "DATETIME" | "DATE" | "TIME" | "TIMESTAMP") {
        return Affinity::Datetime;
    }
    if d.contains("INT") {
        Affinity::Integer
    } else if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") {
        Affinity::Text
    } else if d.contains("BLOB") || d.is_empty() {
        Affinity::Blob
    } else if d.contains("REAL") || d.contains("FLOA") || d.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

/// One row of the SQLite mapping: Rust type names -> affinities sqlx decodes them from.
const SQLITE: &[(&[&str], &[Affinity])] = &[
    (&["bool"], &[Affinity::Boolean, Affinity::Integer]),
    (
        &["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"],
        &[Affinity::Integer, Affinity::Boolean],
    ),
    (&["f32", "f64"], &[Affinity::Real, Affinity::Integer]),
    (
        &["String", "str", "Cow", "Box<str>", "Arc<str>", "Rc<str>"],
        &[Affinity::Text, Affinity::Datetime],
    ),
    (&["Vec<u8>", "[u8]"], &[Affinity::Blob]),
    (&["Uuid", "Hyphenated"], &[Affinity::Blob, Affinity::Text]),
    (
        &[
            "DateTime",
            "NaiveDateTime",
            "NaiveDate",
            "NaiveTime",
            "OffsetDateTime",
            "PrimitiveDateTime",
            "Date",
            "Time",
        ],
        &[
            Affinity::Datetime,
            Affinity::Text,
            Affinity::Integer,
            Affinity::Real,
        ],
    ),
    (
        &["Value", "JsonValue", "Json", "RawValue"],
        &[Affinity::Text, Affinity::Blob],
    ),
];

/// `Type::type_info().name()` of the SQLite rows, from sqlx-sqlite 0.9.
const SQLITE_SQLX_NAMES: &[(&[&str], &str)] = &[
    (&["bool"], "BOOLEAN"),
    (
        &["i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64"],
        "INTEGER",
    ),
    (&["f32", "f64"], "REAL"),
    (
        &["String", "str", "Cow", "Box<str>", "Arc<str>", "Rc<str>"],
        "TEXT",
    ),
    (&["Vec<u8>", "[u8]", "Uuid"], "BLOB"),
    (&["Hyphenated"], "TEXT"),
    (
        &[
            "DateTime",
            "NaiveDateTime",
            "OffsetDateTime",
            "PrimitiveDateTime",
        ],
        "DATETIME",
    ),
    (&["NaiveDate", "Date"], "DATE"),
    (&["NaiveTime", "Time"], "TIME"),
    (&["Value", "JsonValue", "Json", "RawValue"], "TEXT"),
];

/// Whether sqlx-sqlite decodes a column declared `decl` into `rust`.
pub(super) fn check(rust: &RustType, decl: &str) -> Compat {
    let Some((_, affs)) = SQLITE.iter().find(|(names, _)| row_matches(names, rust)) else {
        return Compat::Unknown;
    };
    let a = sqlite_affinity(decl);
    if affs.contains(&a) {
        Compat::Compatible
    } else if a == Affinity::Numeric {
        Compat::Unknown
    } else {
        Compat::Incompatible {
            accepts: affs
                .iter()
                .map(|a| format!("{a:?}").to_uppercase())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// sqlx's name for a Rust type on SQLite (`i64` -> `INTEGER`).
pub(super) fn sqlx_type_name(rust: &RustType) -> Option<String> {
    let name = SQLITE_SQLX_NAMES
        .iter()
        .find(|(names, _)| row_matches(names, rust))?
        .1;
    Some(name.to_string())
}
