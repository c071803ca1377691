//! Tests of the MySQL/MariaDB type rows and spellings against sqlx-mysql's compatibility rules.

use super::*;

fn c(rust: &str, sql: &str) -> Compat {
    check(&RustType::parse(rust), &normalize(sql))
}
fn ok(rust: &str, sql: &str) {
    assert_eq!(c(rust, sql), Compat::Compatible, "{rust} vs {sql}");
}
fn bad(rust: &str, sql: &str) {
    assert!(
        matches!(c(rust, sql), Compat::Incompatible { .. }),
        "{rust} vs {sql}: {:?}",
        c(rust, sql)
    );
}

#[test]
fn spellings_normalise_to_column_type() {
    assert_eq!(normalize("INT(11)"), "int");
    assert_eq!(normalize("integer"), "int");
    assert_eq!(normalize("int(10) unsigned"), "int unsigned");
    assert_eq!(normalize("INT UNSIGNED ZEROFILL"), "int unsigned");
    assert_eq!(normalize("BOOLEAN"), "tinyint(1)");
    assert_eq!(normalize("tinyint(1)"), "tinyint(1)");
    assert_eq!(normalize("tinyint(4)"), "tinyint");
    assert_eq!(normalize("bigint(20) unsigned"), "bigint unsigned");
    assert_eq!(normalize("SERIAL"), "bigint unsigned");
    assert_eq!(normalize("NUMERIC"), "decimal(10,0)");
    assert_eq!(normalize("decimal(12, 2)"), "decimal(12,2)");
    assert_eq!(normalize("DEC(5)"), "decimal(5,0)");
    assert_eq!(normalize("REAL"), "double");
    assert_eq!(normalize("float(30)"), "double");
    assert_eq!(normalize("VARCHAR(255)"), "varchar(255)");
    assert_eq!(normalize("CHARACTER VARYING(20)"), "varchar(20)");
    assert_eq!(normalize("CHAR"), "char(1)");
    assert_eq!(normalize("ENUM('Draft','Sent')"), "enum('Draft','Sent')");
    assert_eq!(normalize("  DATETIME(6) "), "datetime(6)");
}

#[test]
fn enum_labels_are_read_from_column_type() {
    assert_eq!(
        enum_labels("enum('draft','it''s','a,b')"),
        Some(vec!["draft".into(), "it's".into(), "a,b".into()])
    );
    assert_eq!(enum_labels("ENUM('x')"), Some(vec!["x".into()]));
    assert_eq!(enum_labels("varchar(10)"), None);
    assert_eq!(enum_labels("enum('open"), None);
}

#[test]
fn booleans_are_tinyint_1_or_any_integer() {
    ok("bool", "TINYINT(1)");
    ok("bool", "BOOLEAN");
    ok("bool", "bit(1)");
    ok("bool", "int");
    bad("bool", "varchar(5)");
}

#[test]
fn signed_integers_decode_from_signed_integer_columns() {
    ok("i8", "tinyint");
    ok("i16", "smallint");
    ok("i32", "int(11)");
    ok("i64", "bigint(20)");
    ok("i32", "mediumint");
    ok("i64", "int");
    bad("i64", "bigint unsigned");
    bad("i32", "decimal(10,2)");
    bad("i32", "varchar(10)");
}

#[test]
fn unsigned_integers_need_the_unsigned_flag() {
    ok("u8", "tinyint unsigned");
    ok("u16", "smallint(5) unsigned");
    ok("u32", "int unsigned");
    ok("u64", "bigint(20) unsigned");
    ok("u64", "SERIAL");
    ok("u16", "year");
    bad("u64", "bigint");
}

#[test]
fn floats_decode_from_float_and_double_only() {
    ok("f32", "FLOAT");
    ok("f64", "DOUBLE");
    ok("f64", "real");
    bad("f64", "decimal(10,2)");
}

#[test]
fn strings_decode_from_character_and_text_types() {
    ok("String", "VARCHAR(255)");
    ok("String", "char(36)");
    ok("String", "TEXT");
    ok("String", "longtext");
    ok("&str", "enum('a','b')");
    bad("String", "int");
    bad("String", "json");
    bad("String", "datetime");
}

#[test]
fn bytes_decode_from_binary_and_blob_types() {
    ok("Vec<u8>", "VARBINARY(16)");
    ok("Vec<u8>", "BLOB");
    ok("Vec<u8>", "binary(16)");
    ok("Uuid", "binary(16)");
    bad("Vec<u8>", "bigint");
}

#[test]
fn date_and_time_types() {
    ok("chrono::DateTime<Utc>", "TIMESTAMP");
    ok("DateTime<Utc>", "datetime(6)");
    ok("NaiveDateTime", "DATETIME");
    ok("time::OffsetDateTime", "timestamp");
    ok("PrimitiveDateTime", "datetime");
    ok("NaiveDate", "DATE");
    ok("time::Date", "date");
    ok("NaiveTime", "TIME");
    bad("NaiveDate", "datetime");
    bad("DateTime<Utc>", "date");
}

#[test]
fn decimals_decode_into_decimal_types() {
    ok("rust_decimal::Decimal", "DECIMAL(12,2)");
    ok("BigDecimal", "numeric");
    bad("Decimal", "double");
}

#[test]
fn json_decodes_from_json_and_text() {
    ok("serde_json::Value", "JSON");
    ok("Json<Payload>", "longtext");
    bad("Value", "int");
}

#[test]
fn unknown_types_are_never_reported() {
    assert_eq!(c("String", "geometry"), Compat::Unknown);
    assert_eq!(c("MyNewtype", "int"), Compat::Unknown);
}

#[test]
fn sqlx_names_and_suggestions() {
    assert_eq!(
        sqlx_type_name(&RustType::parse("i64")).as_deref(),
        Some("BIGINT")
    );
    assert_eq!(
        sqlx_type_name(&RustType::parse("u32")).as_deref(),
        Some("INT UNSIGNED")
    );
    assert_eq!(
        sqlx_type_name(&RustType::parse("String")).as_deref(),
        Some("VARCHAR")
    );
    let for_bigint = rust_types_for(&normalize("bigint"));
    assert!(for_bigint.contains(&"i64".to_string()));
    assert!(!for_bigint.contains(&"u64".to_string()));
}
