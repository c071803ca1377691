//! A hand-written `impl FromRow` on a real PostgreSQL, through the real `gaps collect`: the
//! by-name `try_get` reads are checked against the table the type is loaded from, a read of
//! an absent column is reported at its line, and reads that exist, are handled on the spot or
//! go by index are not.

use std::process::Command;

use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::snapshot::Snapshot;
use gaps_tests::pg;

const MIGRATION: &str = "CREATE TABLE orders (id BIGINT PRIMARY KEY, amount NUMERIC NOT NULL);\n";

const SOURCE: &str = r#"use sqlx::{postgres::PgRow, FromRow, Row};

pub struct Order {
    pub id: i64,
    pub note: String,
    pub tag: Option<String>,
    pub first: i64,
}

impl<'r> FromRow<'r, PgRow> for Order {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Order {
            id: row.try_get("id")?,
            note: row.try_get("note")?,
            tag: row.try_get("tag").ok(),
            first: row.try_get(0)?,
        })
    }
}

pub async fn orders(pool: &sqlx::PgPool) -> Result<Vec<Order>, sqlx::Error> {
    sqlx::query_as::<_, Order>("SELECT * FROM orders").fetch_all(pool).await
}
"#;

fn column_findings(url: &str) -> (Snapshot, Vec<Finding>) {
    let src = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(src.path().join("src")).expect("mkdir src");
    std::fs::create_dir_all(src.path().join("migrations")).expect("mkdir migrations");
    std::fs::write(src.path().join("src/lib.rs"), SOURCE).expect("write source");
    std::fs::write(src.path().join("migrations/0001_orders.sql"), MIGRATION)
        .expect("write migration");
    let snap = src.path().join("snap.json");
    let o = Command::new(env!("CARGO_BIN_EXE_gaps"))
        .args(["collect", "--quiet", "--database-url", url, "--source"])
        .arg(src.path())
        .arg("--out")
        .arg(&snap)
        .env_remove("DATABASE_URL")
        .output()
        .expect("gaps runs");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = Snapshot::from_json(&std::fs::read_to_string(&snap).expect("snapshot written"))
        .expect("snapshot parses");
    let f = gaps_core::rules::analyse(&s)
        .into_iter()
        .filter(|f| f.kind == FindingKind::ColumnMissing)
        .collect();
    (s, f)
}

#[test]
fn a_try_get_of_an_absent_column_is_reported_at_its_line_and_nothing_else() {
    let c = pg::cluster();
    let db = c.create_database("manual_from_row");
    c.psql(&db.name, MIGRATION).expect("table created");

    let (s, f) = column_findings(&db.url);
    let m = &s.code.data().expect("code scanned").manual_impls[0];
    assert_eq!(m.name, "Order");
    assert_eq!(m.mapping.tables, ["orders"]);
    assert_eq!(f.len(), 1, "{f:#?}");
    let note = &f[0];
    assert_eq!(note.table.as_deref(), Some("orders"));
    assert_eq!(note.column.as_deref(), Some("note"));
    assert_eq!(note.severity, Severity::Error);
    assert_eq!(note.action, "ACTION-005");
    assert_eq!(
        (note.file.as_deref(), note.line),
        (Some("src/lib.rs"), Some(14))
    );
    assert!(
        note.message.contains("ColumnNotFound(\"note\")"),
        "{}",
        note.message
    );

    // Once the column exists, nothing is reported.
    c.psql(
        &db.name,
        "ALTER TABLE orders ADD COLUMN note TEXT NOT NULL DEFAULT ''",
    )
    .expect("column added");
    let (_, f) = column_findings(&db.url);
    assert!(f.is_empty(), "{f:#?}");
}
