//! The vocabulary every engine's table answers in: the verdict ([`Compat`]), what is known about
//! user-defined types ([`TypeContext`]) and how a table row names its Rust types.

use super::rust_type::RustType;

/// The verdict on one (Rust type, SQL type) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compat {
    /// sqlx decodes this column into this type.
    Compatible,
    /// sqlx refuses with "mismatched types"; `accepts` lists the SQL types it would take.
    Incompatible {
        /// SQL types the Rust type decodes from.
        accepts: String,
    },
    /// Not known to this table: never reported.
    Unknown,
}

/// What the checker needs to know about user-defined types.
#[derive(Debug, Clone, Default)]
pub struct TypeContext {
    /// Rust enums / newtypes deriving `sqlx::Type`: (Rust name, how it is stored).
    pub rust_types: Vec<(String, RustSqlType)>,
    /// Domains: (name, base type).
    pub domains: Vec<(String, String)>,
    /// Live (or expected) enum type names.
    pub enums: Vec<String>,
}

/// How a Rust `sqlx::Type` is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustSqlType {
    /// A named SQL type (a Postgres enum), compared by name.
    Named(String),
    /// Stored as this Rust type (transparent newtype, `repr(i32)` enum, `type_name = "text"`).
    As(String),
}

/// Whether `ty` is one of a table row's Rust type names (`Vec<u8>`, `Box<str>` and `Cow` matched
/// by shape, the rest by last path segment).
pub(super) fn row_matches(names: &[&str], ty: &RustType) -> bool {
    let inner_u8 = ty.args.first().is_some_and(|a| a.name == "u8");
    names.iter().any(|n| match *n {
        "Vec<u8>" => ty.name == "Vec" && inner_u8,
        "[u8]" => ty.name == "[]" && inner_u8,
        "Box<str>" | "Arc<str>" | "Rc<str>" => {
            n.starts_with(&ty.name) && ty.args.first().is_some_and(|a| a.name == "str")
        }
        "Box<RawValue>" => {
            ty.name == "Box" && ty.args.first().is_some_and(|a| a.name == "RawValue")
        }
        "Cow" => ty.name == "Cow",
        other => ty.name == other && !(ty.name == "Vec" || ty.name == "[]"),
    })
}
