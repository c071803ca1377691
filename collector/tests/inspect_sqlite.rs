//! The SQLite inspector reads a real file read-only (its bytes do not change) and reports
//! every table, column, key, index and foreign key; a missing file is an error, never created.

use std::path::Path;
use std::process::Command;
use std::str::FromStr;

use gaps_core::schema::{Column, ForeignKey, Index, KeyConstraint, Table, TableKind};
use gaps_core::section::Section;
use gaps_core::snapshot::Snapshot;
use gaps_core::testing::col;
use gaps_tests::fixtures;
use sqlx::{Connection, SqliteConnection};

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

async fn create_fixture(path: &Path) {
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&format!("sqlite:{}", path.display()))
        .unwrap()
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&opts).await.unwrap();
    let sql = std::fs::read_to_string(fixtures::fixture("schema/every_object_sqlite.sql")).unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

fn collect(url: &str, out: &Path) -> (i32, String, Snapshot) {
    let o = Command::new(GAPS)
        .args(["collect", "--database-url", url, "--out"])
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let text =
        std::fs::read_to_string(out).unwrap_or_else(|e| panic!("no snapshot: {e}\n{stderr}"));
    (
        o.status.code().unwrap(),
        stderr,
        Snapshot::from_json(&text).unwrap(),
    )
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn a_real_file_is_read_back_exactly_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    create_fixture(&path).await;
    let before = std::fs::read(&path).unwrap();
    let listing_before: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();

    let url = format!("sqlite:{}", path.display());
    let (code, stderr, snap) = collect(&url, &dir.path().join("snap.json"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the database file changed"
    );
    let mut listing_after: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    listing_after.retain(|n| n != "snap.json");
    assert_eq!(
        listing_after, listing_before,
        "collect left journal or WAL files behind"
    );

    let info = snap.database.data().expect("database info");
    assert_eq!(info.database.as_deref(), Some("app.db"));
    assert!(info.server_version.starts_with('3'), "{info:?}");

    let schema = match &snap.schema {
        Section::Collected { data } => data,
        other => panic!("{other:?}"),
    };
    assert!(schema.incomplete.is_empty(), "{:?}", schema.incomplete);
    assert_eq!(schema.schemas, vec!["main"]);
    let names: Vec<(&str, TableKind)> = schema
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t.kind))
        .collect();
    assert_eq!(
        names,
        vec![
            ("posts", TableKind::Table),
            ("tags", TableKind::Table),
            ("users", TableKind::Table),
            ("v_users", TableKind::View),
        ],
        "sqlite_sequence and other internal tables are not reported"
    );

    let users = Table {
        schema: "main".into(),
        name: "users".into(),
        kind: TableKind::Table,
        columns: vec![
            col(1, "id", "INTEGER", true),
            col(2, "email", "TEXT", false),
            Column {
                default: Some("'anon'".into()),
                ..col(3, "name", "TEXT", true)
            },
            col(4, "score", "REAL", true),
        ],
        primary_key: Some(KeyConstraint {
            name: "users_pkey".into(),
            columns: strings(&["id"]),
        }),
        unique_constraints: vec![KeyConstraint {
            name: "sqlite_autoindex_users_1".into(),
            columns: strings(&["email"]),
        }],
        check_constraints: vec![],
        foreign_keys: vec![],
        indexes: vec![Index {
            name: "sqlite_autoindex_users_1".into(),
            columns: strings(&["email"]),
            unique: true,
            primary: false,
            definition: None,
        }],
    };
    assert_eq!(schema.table("main", "users"), Some(&users));

    let posts = schema.table("main", "posts").unwrap();
    assert_eq!(
        posts.columns,
        vec![
            col(1, "id", "INTEGER", true),
            col(2, "user_id", "INTEGER", false),
            col(3, "title", "TEXT", true),
            Column {
                generated: Some("virtual".into()),
                ..col(4, "title_len", "INTEGER", true)
            },
        ]
    );
    assert_eq!(
        posts.foreign_keys,
        vec![ForeignKey {
            name: "posts_fk0".into(),
            columns: strings(&["user_id"]),
            referenced_schema: "main".into(),
            referenced_table: "users".into(),
            // "REFERENCES users" without columns means the parent's primary key.
            referenced_columns: strings(&["id"]),
            on_delete: "cascade".into(),
            on_update: "no action".into(),
        }]
    );
    assert_eq!(
        posts.indexes,
        vec![
            Index {
                name: "posts_lower_title_idx".into(),
                columns: strings(&["(expression)"]),
                unique: false,
                primary: false,
                definition: Some(
                    "CREATE INDEX posts_lower_title_idx ON posts (lower(title))".into()
                ),
            },
            Index {
                name: "posts_user_idx".into(),
                columns: strings(&["user_id", "title"]),
                unique: false,
                primary: false,
                definition: Some("CREATE INDEX posts_user_idx ON posts (user_id, title)".into()),
            },
        ]
    );

    let tags = schema.table("main", "tags").unwrap();
    assert_eq!(
        tags.primary_key,
        Some(KeyConstraint {
            name: "tags_pkey".into(),
            columns: strings(&["post_id", "tag"]),
        })
    );
    assert_eq!(tags.foreign_keys.len(), 1);
    assert_eq!(tags.foreign_keys[0].referenced_columns, strings(&["id"]));
    assert_eq!(tags.foreign_keys[0].on_update, "set null");
    assert!(
        tags.indexes
            .iter()
            .any(|i| i.primary && i.columns == strings(&["post_id", "tag"])),
        "{:?}",
        tags.indexes
    );

    assert_eq!(
        schema.table("main", "v_users").unwrap().columns,
        vec![col(1, "id", "INTEGER", true), col(2, "email", "TEXT", true)]
    );
}

#[test]
fn a_missing_file_is_an_error_and_is_never_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.db");
    let url = format!("sqlite:{}", path.display());
    let (code, stderr, snap) = collect(&url, &dir.path().join("snap.json"));
    assert_eq!(code, 1, "{stderr}");
    assert!(!path.exists(), "collect created the database file");
    let err = snap.database.error().expect("database section failed");
    assert!(err.message.contains("missing.db"), "{err:?}");
    assert!(snap.schema.is_failed());
    assert!(
        stderr.contains("missing.db"),
        "the error is shown: {stderr}"
    );
}
