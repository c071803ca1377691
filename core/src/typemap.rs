//! Which Rust types sqlx can decode from which SQL column types, written from sqlx's documented
//! type mappings (`sqlx::postgres::types`, `sqlx::sqlite::types`, `sqlx::mysql::types` in
//! `typemap/mysql.rs`), plus the spelling of SQL
//! types: every type name is normalised to what Postgres' `format_type` prints, so replayed
//! migrations and the live catalogs compare equal.
//!
//! The checker answers Compatible, Incompatible or Unknown; only Incompatible becomes a
//! finding, so a type it does not know (a custom `impl Type`, a range, a composite) is never
//! reported.

mod mysql;

pub use mysql::enum_labels as mysql_enum_labels;

use crate::code::expected::ExpectedSchema;
use crate::code::model::CodeEvidence;
use crate::schema::Schema;
use crate::snapshot::Backend;

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

/// A parsed Rust type: last path segment and generic arguments (references, lifetimes and
/// paths stripped). `[T]` and `[T; N]` are named "[]".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustType {
    /// Last path segment, e.g. `DateTime`, `Option`, `Vec`, `i64`.
    pub name: String,
    /// Generic arguments.
    pub args: Vec<RustType>,
}

impl RustType {
    /// Parses a type as written (`Option<chrono::DateTime<Utc>>`, `&'a str`, `Vec<u8>`).
    pub fn parse(text: &str) -> RustType {
        // Drop lifetimes first (`&'a str`), then whitespace.
        let mut cleaned = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\'' {
                while chars
                    .peek()
                    .is_some_and(|n| n.is_alphanumeric() || *n == '_')
                {
                    chars.next();
                }
            } else if !c.is_whitespace() {
                cleaned.push(c);
            }
        }
        let mut p = TypeParser {
            s: cleaned.as_bytes(),
            i: 0,
        };
        p.ty()
    }

    /// `Option<T>` -> (T, true); anything else -> (self, false).
    pub fn strip_option(&self) -> (&RustType, bool) {
        if self.name == "Option" && self.args.len() == 1 {
            (&self.args[0], true)
        } else {
            (self, false)
        }
    }
}

struct TypeParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl TypeParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn ty(&mut self) -> RustType {
        // references and lifetimes
        loop {
            match self.peek() {
                Some(b'&') => self.i += 1,
                Some(b'\'') => {
                    self.i += 1;
                    while self
                        .peek()
                        .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                    {
                        self.i += 1;
                    }
                }
                _ => break,
            }
            if self.s[self.i..].starts_with(b"mut") && self.s.get(self.i + 3) != Some(&b'<') {
                self.i += 3;
            }
        }
        if self.peek() == Some(b'[') {
            self.i += 1;
            let inner = self.ty();
            while self.peek().is_some_and(|c| c != b']') {
                self.i += 1;
            }
            self.i += 1;
            return RustType {
                name: "[]".into(),
                args: vec![inner],
            };
        }
        if self.peek() == Some(b'(') {
            self.i += 1;
            let mut args = Vec::new();
            while self.peek().is_some_and(|c| c != b')') {
                args.push(self.ty());
                if self.peek() == Some(b',') {
                    self.i += 1;
                }
            }
            self.i += 1;
            return RustType {
                name: "()".into(),
                args,
            };
        }
        let mut name;
        loop {
            let start = self.i;
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
            {
                self.i += 1;
            }
            name = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
            if self.s[self.i..].starts_with(b"::") {
                self.i += 2;
                continue;
            }
            break;
        }
        let mut args = Vec::new();
        if self.peek() == Some(b'<') {
            self.i += 1;
            while let Some(c) = self.peek() {
                if c == b'>' {
                    self.i += 1;
                    break;
                }
                if c == b',' {
                    self.i += 1;
                    continue;
                }
                let before = self.i;
                let t = self.ty();
                if self.i == before {
                    self.i += 1;
                    continue;
                }
                if !t.name.is_empty() {
                    args.push(t);
                }
            }
        }
        RustType { name, args }
    }
}

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
fn base_name(sql: &str) -> String {
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

impl TypeContext {
    /// The context the model check and the query checks share: the `sqlx::Type` definitions
    /// found in the code (transparent newtypes and `repr` enums stored as their inner type,
    /// enums with a text `type_name` stored as `String`, other enums as the named SQL type),
    /// the expected schema's domains and enums, and the live enums.
    pub fn from_evidence(
        code: Option<&CodeEvidence>,
        expected: Option<&ExpectedSchema>,
        live: Option<&Schema>,
        backend: Backend,
    ) -> TypeContext {
        let mut ctx = TypeContext::default();
        if let Some(code) = code {
            for t in &code.sql_types {
                let stored = if let Some(inner) = &t.transparent {
                    RustSqlType::As(inner.clone())
                } else if let Some(r) = &t.repr {
                    RustSqlType::As(r.clone())
                } else {
                    let name = t.type_name.clone().unwrap_or_else(|| t.name.to_lowercase());
                    match normalize_sql_type(&name, backend).as_str() {
                        "text" | "character varying" | "varchar" => {
                            RustSqlType::As("String".into())
                        }
                        _ => RustSqlType::Named(name),
                    }
                };
                ctx.rust_types.push((t.name.clone(), stored));
            }
        }
        if let Some(e) = expected {
            ctx.domains = e
                .domains
                .iter()
                .map(|d| (d.name.clone(), d.base_type.clone()))
                .collect();
            ctx.enums
                .extend(e.schema.enums.iter().map(|x| x.name.clone()));
        }
        if let Some(l) = live {
            ctx.enums.extend(l.enums.iter().map(|x| x.name.clone()));
        }
        ctx
    }
}

/// How a Rust `sqlx::Type` is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustSqlType {
    /// A named SQL type (a Postgres enum), compared by name.
    Named(String),
    /// Stored as this Rust type (transparent newtype, `repr(i32)` enum, `type_name = "text"`).
    As(String),
}

fn row_matches(names: &[&str], ty: &RustType) -> bool {
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

/// Whether sqlx decodes a column of SQL type `sql` into Rust type `rust` (its `Option` already
/// removed by the caller, or not: `Option<T>` is checked as T).
pub fn check(rust: &RustType, sql: &str, backend: Backend, ctx: &TypeContext) -> Compat {
    let (rust, _) = rust.strip_option();
    let sql_norm = normalize_sql_type(sql, backend);
    // Smart pointers are transparent for decoding.
    if matches!(rust.name.as_str(), "Box" | "Arc" | "Rc")
        && rust.args.len() == 1
        && !matches!(rust.args[0].name.as_str(), "str" | "RawValue")
    {
        return check(&rust.args[0], sql, backend, ctx);
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
                } else if ctx.enums.contains(&sql_norm)
                    || POSTGRES
                        .iter()
                        .any(|(_, sqls)| sqls.contains(&base_name(&sql_norm).as_str()))
                {
                    Compat::Incompatible { accepts: want }
                } else {
                    Compat::Unknown
                }
            }
        };
    }
    match backend {
        Backend::Postgres => check_pg(rust, &sql_norm, ctx),
        Backend::Sqlite => check_sqlite(rust, &sql_norm),
        Backend::Mysql => mysql::check(rust, &sql_norm),
    }
}

/// The SQL type sqlx says a Rust type *is* (`<T as Type<DB>>::type_info().name()`), in sqlx's
/// own spelling: `i32` -> `INT4`, `String` -> `TEXT`, `Vec<i64>` -> `INT8[]`, a derived enum
/// -> its `type_name`. This is the middle part of sqlx's runtime error "mismatched types; Rust
/// type `i32` (as SQL type `INT4`) is not compatible with SQL type `INT8`". None when the type
/// is not in the mapping.
pub fn sqlx_type_name(rust: &RustType, backend: Backend, ctx: &TypeContext) -> Option<String> {
    let (rust, _) = rust.strip_option();
    if matches!(rust.name.as_str(), "Box" | "Arc" | "Rc")
        && rust.args.len() == 1
        && !matches!(rust.args[0].name.as_str(), "str" | "RawValue")
    {
        return sqlx_type_name(&rust.args[0], backend, ctx);
    }
    if let Some((_, stored)) = ctx.rust_types.iter().find(|(n, _)| *n == rust.name) {
        return match stored {
            RustSqlType::As(t) => sqlx_type_name(&RustType::parse(t), backend, ctx),
            RustSqlType::Named(name) if backend == Backend::Postgres => Some(name.clone()),
            RustSqlType::Named(_) => Some("TEXT".into()),
        };
    }
    let is_bytes = |t: &RustType| {
        (t.name == "Vec" || t.name == "[]") && t.args.first().is_some_and(|a| a.name == "u8")
    };
    match backend {
        Backend::Postgres => {
            if (rust.name == "Vec" || rust.name == "[]") && !is_bytes(rust) {
                let elem = sqlx_type_name(rust.args.first()?, backend, ctx)?;
                return Some(format!("{elem}[]"));
            }
            let name = PG_SQLX_NAMES
                .iter()
                .find(|(names, _)| row_matches(names, rust))?
                .1;
            Some(name.to_string())
        }
        Backend::Sqlite => {
            let name = SQLITE_SQLX_NAMES
                .iter()
                .find(|(names, _)| row_matches(names, rust))?
                .1;
            Some(name.to_string())
        }
        Backend::Mysql => mysql::sqlx_type_name(rust),
    }
}

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
    let base = base_name(&norm);
    POSTGRES
        .iter()
        .find(|(_, sqls)| sqls.contains(&base.as_str()))
        .map(|(names, _)| names.iter().map(|n| n.to_string()).collect())
        .unwrap_or_default()
}

fn check_pg(rust: &RustType, sql: &str, ctx: &TypeContext) -> Compat {
    let is_array = sql.ends_with("[]");
    let is_bytes = (rust.name == "Vec" || rust.name == "[]")
        && rust.args.first().is_some_and(|a| a.name == "u8");
    if (rust.name == "Vec" || rust.name == "[]") && !is_bytes {
        let Some(elem) = rust.args.first() else {
            return Compat::Unknown;
        };
        if !is_array {
            return if known_pg(sql, ctx) {
                Compat::Incompatible {
                    accepts: "an array type".into(),
                }
            } else {
                Compat::Unknown
            };
        }
        let elem_sql = &sql[..sql.len() - 2];
        return match check(elem, elem_sql, Backend::Postgres, ctx) {
            Compat::Incompatible { accepts } => Compat::Incompatible {
                accepts: format!("{accepts} (as array)"),
            },
            other => other,
        };
    }
    let Some((_, sqls)) = POSTGRES.iter().find(|(names, _)| row_matches(names, rust)) else {
        return Compat::Unknown;
    };
    let base = base_name(sql);
    if sqls.contains(&base.as_str()) {
        return Compat::Compatible;
    }
    if is_array || known_pg(sql, ctx) {
        Compat::Incompatible {
            accepts: sqls.join(", "),
        }
    } else {
        Compat::Unknown
    }
}

/// True when `sql` is a type this table knows (a built-in of some row, or a known enum).
fn known_pg(sql: &str, ctx: &TypeContext) -> bool {
    let base = base_name(sql);
    ctx.enums.iter().any(|e| *e == sql)
        || POSTGRES
            .iter()
            .any(|(_, sqls)| sqls.contains(&base.as_str()))
        || base.ends_with("[]")
}

fn check_sqlite(rust: &RustType, decl: &str) -> Compat {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(rust: &str, sql: &str) -> Compat {
        check(
            &RustType::parse(rust),
            sql,
            Backend::Postgres,
            &TypeContext::default(),
        )
    }
    fn ok(rust: &str, sql: &str) {
        assert_eq!(pg(rust, sql), Compat::Compatible, "{rust} vs {sql}");
    }
    fn bad(rust: &str, sql: &str) {
        assert!(
            matches!(pg(rust, sql), Compat::Incompatible { .. }),
            "{rust} vs {sql}: {:?}",
            pg(rust, sql)
        );
    }

    #[test]
    fn parses_paths_generics_and_references() {
        let t = RustType::parse("Option<chrono::DateTime<chrono::Utc>>");
        assert_eq!(t.name, "Option");
        assert_eq!(t.args[0].name, "DateTime");
        assert_eq!(t.args[0].args[0].name, "Utc");
        assert_eq!(RustType::parse("&'a str").name, "str");
        assert_eq!(RustType::parse("&[u8]").name, "[]");
        assert_eq!(RustType::parse("Vec < u8 >").args[0].name, "u8");
    }

    #[test]
    fn normalises_to_format_type_spelling() {
        let n = |s| normalize_sql_type(s, Backend::Postgres);
        assert_eq!(n("INT4"), "integer");
        assert_eq!(n("SERIAL"), "integer");
        assert_eq!(n("BIGSERIAL"), "bigint");
        assert_eq!(n("VARCHAR(255)"), "character varying(255)");
        assert_eq!(n("TIMESTAMPTZ"), "timestamp with time zone");
        assert_eq!(n("timestamp"), "timestamp without time zone");
        assert_eq!(n("DECIMAL(10, 2)"), "numeric(10,2)");
        assert_eq!(n("TEXT[]"), "text[]");
        assert_eq!(n("int ARRAY"), "integer[]");
        assert_eq!(n("float"), "double precision");
        assert_eq!(n("float(10)"), "real");
        assert_eq!(n("public.mood"), "mood");
        assert_eq!(n("bool"), "boolean");
        assert_eq!(n("char"), "character(1)");
        assert_eq!(
            n("TIMESTAMP(3) WITH TIME ZONE"),
            "timestamp(3) with time zone"
        );
        // As format_type prints them (checked against a real server by the collector's
        // scratch parity test): the precision of timetz is kept, array dimensions are not.
        assert_eq!(n("TIME(0) WITH TIME ZONE"), "time(0) with time zone");
        assert_eq!(n("timetz(3)"), "time(3) with time zone");
        assert_eq!(n("INTEGER[][]"), "integer[]");
        assert_eq!(n("integer[3][3]"), "integer[]");
    }

    #[test]
    fn a_multidimensional_array_is_not_a_type_mismatch() {
        // The migration says integer[][], the server says integer[]: the same column.
        assert_eq!(
            normalize_sql_type("integer[][]", Backend::Postgres),
            normalize_sql_type("integer[]", Backend::Postgres)
        );
    }

    /// Every row of the Postgres table: each Rust name decodes each listed SQL type, and none
    /// of them decodes the types of a different row.
    #[test]
    fn every_postgres_row_accepts_its_types_and_refuses_others() {
        let sample = |n: &str| match n {
            "Vec<u8>" => "Vec<u8>".to_string(),
            "[u8]" => "&[u8]".to_string(),
            "Cow" => "Cow<'static, str>".to_string(),
            "DateTime" => "DateTime<Utc>".to_string(),
            "Json" => "Json<Foo>".to_string(),
            other => other.to_string(),
        };
        for (i, (names, sqls)) in POSTGRES.iter().enumerate() {
            for n in *names {
                let rust = sample(n);
                for s in *sqls {
                    ok(&rust, s);
                }
                for (j, (_, other)) in POSTGRES.iter().enumerate() {
                    if i == j {
                        continue;
                    }
                    for s in *other {
                        if sqls.contains(s) || *s == "unknown" {
                            continue;
                        }
                        bad(&rust, s);
                    }
                }
            }
        }
    }

    #[test]
    fn the_issue_examples_are_mismatches() {
        bad("f64", "real");
        bad("i32", "bigint");
        bad("String", "uuid");
        bad("Option<String>", "integer[]");
        bad("i64", "integer");
        bad("DateTime<Utc>", "timestamp without time zone");
        bad("NaiveDateTime", "timestamptz");
    }

    #[test]
    fn compatible_pairs_are_not_mismatches() {
        ok("String", "character varying(255)");
        ok("String", "text");
        ok("Option<i64>", "bigint");
        ok("chrono::DateTime<chrono::Utc>", "timestamp with time zone");
        ok("time::OffsetDateTime", "timestamp(3) with time zone");
        ok("rust_decimal::Decimal", "numeric(10,2)");
        ok("sqlx::types::Json<Settings>", "jsonb");
        ok("serde_json::Value", "json");
        ok("Vec<String>", "text[]");
        ok("Vec<Option<i32>>", "integer[]");
        ok("Vec<u8>", "bytea");
        ok("Box<str>", "text");
        ok("Arc<i64>", "bigint");
        ok("ipnetwork::IpNetwork", "cidr");
        ok("bit_vec::BitVec", "bit varying(8)");
    }

    #[test]
    fn unknown_types_are_never_reported() {
        assert_eq!(pg("MyCustom", "text"), Compat::Unknown);
        assert_eq!(pg("PgRange<i32>", "int4range"), Compat::Unknown);
        assert_eq!(pg("String", "some_domain"), Compat::Unknown);
    }

    #[test]
    fn enums_and_domains_follow_their_definitions() {
        let ctx = TypeContext {
            rust_types: vec![
                ("Status".into(), RustSqlType::Named("task_status".into())),
                ("Priority".into(), RustSqlType::As("i32".into())),
                ("UserId".into(), RustSqlType::As("uuid::Uuid".into())),
            ],
            domains: vec![("email".into(), "citext".into())],
            enums: vec!["task_status".into(), "mood".into()],
        };
        let c = |r: &str, s: &str| check(&RustType::parse(r), s, Backend::Postgres, &ctx);
        assert_eq!(c("Status", "task_status"), Compat::Compatible);
        assert!(matches!(c("Status", "text"), Compat::Incompatible { .. }));
        assert!(matches!(c("Status", "mood"), Compat::Incompatible { .. }));
        assert_eq!(c("Priority", "integer"), Compat::Compatible);
        assert!(matches!(
            c("Priority", "bigint"),
            Compat::Incompatible { .. }
        ));
        assert_eq!(c("UserId", "uuid"), Compat::Compatible);
        assert_eq!(c("String", "email"), Compat::Compatible);
        assert!(matches!(c("i32", "email"), Compat::Incompatible { .. }));
        assert!(matches!(c("String", "mood"), Compat::Incompatible { .. }));
        assert_eq!(
            c("Option<Vec<Status>>", "task_status[]"),
            Compat::Compatible
        );
    }

    /// Every row of the SQLite table against the affinities it accepts and one it refuses.
    #[test]
    fn every_sqlite_row_follows_affinity() {
        let s = |r: &str, d: &str| {
            check(
                &RustType::parse(r),
                d,
                Backend::Sqlite,
                &TypeContext::default(),
            )
        };
        assert_eq!(s("bool", "BOOLEAN"), Compat::Compatible);
        assert!(matches!(s("bool", "TEXT"), Compat::Incompatible { .. }));
        assert_eq!(s("i64", "INTEGER"), Compat::Compatible);
        assert_eq!(s("i32", "BIGINT"), Compat::Compatible);
        assert!(matches!(s("i64", "TEXT"), Compat::Incompatible { .. }));
        assert_eq!(s("f64", "REAL"), Compat::Compatible);
        assert!(matches!(s("f64", "BLOB"), Compat::Incompatible { .. }));
        assert_eq!(s("String", "VARCHAR(20)"), Compat::Compatible);
        assert!(matches!(
            s("String", "INTEGER"),
            Compat::Incompatible { .. }
        ));
        assert_eq!(s("Vec<u8>", "BLOB"), Compat::Compatible);
        assert!(matches!(s("Vec<u8>", "TEXT"), Compat::Incompatible { .. }));
        assert_eq!(s("uuid::Uuid", "TEXT"), Compat::Compatible);
        assert!(matches!(s("Uuid", "INTEGER"), Compat::Incompatible { .. }));
        assert_eq!(s("chrono::NaiveDateTime", "DATETIME"), Compat::Compatible);
        assert!(matches!(
            s("NaiveDate", "BLOB"),
            Compat::Incompatible { .. }
        ));
        assert_eq!(s("Json<Foo>", "TEXT"), Compat::Compatible);
        assert!(matches!(
            s("serde_json::Value", "REAL"),
            Compat::Incompatible { .. }
        ));
        assert_eq!(s("i64", "DECIMAL"), Compat::Unknown);
    }

    #[test]
    fn sqlx_spells_the_rust_side_of_a_mismatch_its_own_way() {
        let n = |r: &str, b| sqlx_type_name(&RustType::parse(r), b, &TypeContext::default());
        let pg = Backend::Postgres;
        assert_eq!(n("i32", pg).as_deref(), Some("INT4"));
        assert_eq!(n("Option<i64>", pg).as_deref(), Some("INT8"));
        assert_eq!(n("String", pg).as_deref(), Some("TEXT"));
        assert_eq!(n("i8", pg).as_deref(), Some("\"CHAR\""));
        assert_eq!(n("Vec<i64>", pg).as_deref(), Some("INT8[]"));
        assert_eq!(n("Vec<u8>", pg).as_deref(), Some("BYTEA"));
        assert_eq!(n("Json<Foo>", pg).as_deref(), Some("JSONB"));
        assert_eq!(
            n("chrono::DateTime<Utc>", pg).as_deref(),
            Some("TIMESTAMPTZ")
        );
        assert_eq!(n("Arc<f64>", pg).as_deref(), Some("FLOAT8"));
        assert_eq!(n("MyType", pg), None);
        let lite = Backend::Sqlite;
        assert_eq!(n("i64", lite).as_deref(), Some("INTEGER"));
        assert_eq!(n("uuid::Uuid", lite).as_deref(), Some("BLOB"));
        assert_eq!(n("NaiveDate", lite).as_deref(), Some("DATE"));
        let ctx = TypeContext {
            rust_types: vec![
                ("Status".into(), RustSqlType::Named("task_status".into())),
                ("UserId".into(), RustSqlType::As("uuid::Uuid".into())),
            ],
            ..TypeContext::default()
        };
        let c = |r: &str, b| sqlx_type_name(&RustType::parse(r), b, &ctx);
        assert_eq!(c("Status", pg).as_deref(), Some("task_status"));
        assert_eq!(c("Status", lite).as_deref(), Some("TEXT"));
        assert_eq!(c("UserId", pg).as_deref(), Some("UUID"));
    }

    #[test]
    fn described_type_names_in_sqlx_spelling_normalise_like_the_catalog() {
        let n = |s| normalize_sql_type(s, Backend::Postgres);
        for (sqlx, catalog) in [
            ("INT8", "bigint"),
            ("INT4[]", "integer[]"),
            ("FLOAT8", "double precision"),
            ("BOOL", "boolean"),
            ("VARCHAR", "character varying"),
            ("CHAR", "character(1)"),
            ("\"CHAR\"", "\"char\""),
            ("\"CHAR\"[]", "\"char\"[]"),
            ("TIMESTAMPTZ", "timestamp with time zone"),
            ("TIMETZ", "time with time zone"),
            ("VARBIT", "bit varying"),
        ] {
            assert_eq!(n(sqlx), catalog, "{sqlx}");
        }
        assert_eq!(pg("i8", "\"CHAR\""), Compat::Compatible);
        assert_eq!(pg("Vec<i8>", "\"CHAR\"[]"), Compat::Compatible);
    }

    #[test]
    fn rust_types_for_a_sql_type_come_from_the_same_rows() {
        let r = |s| rust_types_for(s, Backend::Postgres);
        assert_eq!(r("INT8").first().map(String::as_str), Some("i64"));
        assert_eq!(r("text").first().map(String::as_str), Some("String"));
        assert_eq!(r("INT4[]").first().map(String::as_str), Some("Vec<i32>"));
        assert!(r("int4range").is_empty());
        assert!(rust_types_for("INTEGER", Backend::Sqlite).is_empty());
    }
}
