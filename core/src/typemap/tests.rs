//! The type table against sqlx's documented mappings: parsing, spelling, every Postgres and
//! SQLite row, enums and domains, and sqlx's own names.

use super::*;
use crate::backend::Backend;

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
