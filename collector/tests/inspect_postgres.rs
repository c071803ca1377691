//! The Postgres inspector reads every kind of object back exactly, from a real throwaway
//! server loaded with `tests/fixtures/schema/every_object.sql`.

use std::time::Duration;

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::inspect;
use gaps_core::schema::{
    CheckConstraint, Column, EnumType, Extension, ForeignKey, Index, Schema, Table, TableKind,
};
use gaps_core::section::Section;
use gaps_core::testing::{col, key};
use gaps_tests::{fixtures, pg};

fn opts() -> SessionOptions {
    SessionOptions {
        connect_timeout: Duration::from_secs(10),
        statement_timeout: Duration::from_secs(30),
        ..SessionOptions::default()
    }
}

fn index(name: &str, columns: &[&str], unique: bool, primary: bool, def: &str) -> Index {
    Index {
        name: name.into(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        unique,
        primary,
        definition: Some(def.into()),
    }
}

fn table(schema: &str, name: &str, kind: TableKind, columns: Vec<Column>) -> Table {
    Table::new(schema, name, kind, columns)
}

async fn read(url: &str) -> (Section<gaps_core::schema::DatabaseInfo>, Schema) {
    let mut session = Session::open(url, &opts()).await.expect("session opens");
    let info = inspect::database_info(&mut session).await;
    let schema = match inspect::schema(&mut session).await {
        Section::Collected { data } => data,
        other => panic!("schema not collected: {other:?}"),
    };
    session.close().await;
    (info, schema)
}

#[tokio::test]
async fn every_kind_of_object_is_read_back_exactly() {
    let c = pg::cluster();
    let db = c.create_database("inspect_every_object");
    c.psql_file(&db.name, &fixtures::fixture("schema/every_object.sql"))
        .expect("fixture loads");
    let (info, schema) = read(&db.url).await;

    let info = info.data().expect("server identity collected");
    assert!(info.server_version.starts_with("15"), "{info:?}");
    assert_eq!(info.database.as_deref(), Some(db.name.as_str()));
    assert_eq!(info.current_user.as_deref(), Some("postgres"));
    assert_eq!(info.search_path.as_deref(), Some("\"$user\", public"));

    assert!(schema.incomplete.is_empty(), "{:?}", schema.incomplete);
    assert_eq!(schema.schemas, vec!["billing", "public"]);
    let names: Vec<(&str, &str, TableKind)> = schema
        .tables
        .iter()
        .map(|t| (t.schema.as_str(), t.name.as_str(), t.kind))
        .collect();
    assert_eq!(
        names,
        vec![
            ("billing", "invoice_lines", TableKind::Table),
            ("billing", "invoices", TableKind::Table),
            ("public", "active_users", TableKind::View),
            ("public", "events", TableKind::PartitionedTable),
            ("public", "events_2026", TableKind::Table),
            ("public", "remote_things", TableKind::ForeignTable),
            ("public", "user_counts", TableKind::MaterializedView),
            ("public", "users", TableKind::Table),
        ]
    );

    // users: identity, a dropped column's gap in the ordinals, defaults, a generated column,
    // pk, unique, check, an expression index.
    let mut users = table(
        "public",
        "users",
        TableKind::Table,
        vec![
            Column {
                identity: Some("always".into()),
                ..col(1, "id", "bigint", false)
            },
            col(3, "email", "citext", false),
            Column {
                default: Some("'anon'::character varying".into()),
                ..col(4, "name", "character varying(100)", true)
            },
            Column {
                default: Some("'ok'::mood".into()),
                ..col(5, "mood", "mood", false)
            },
            col(6, "score", "numeric(10,2)", true),
            Column {
                default: Some("now()".into()),
                ..col(7, "created_at", "timestamp with time zone", false)
            },
            Column {
                generated: Some("lower((email)::text)".into()),
                ..col(8, "email_lower", "text", true)
            },
        ],
    );
    users.primary_key = Some(key("users_pkey", &["id"]));
    users.unique_constraints = vec![key("users_email_key", &["email"])];
    users.check_constraints = vec![CheckConstraint {
        name: "users_score_check".into(),
        expression: "(score >= (0)::numeric)".into(),
    }];
    users.indexes = vec![
        index(
            "users_email_key",
            &["email"],
            true,
            false,
            "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)",
        ),
        index(
            "users_lower_name_idx",
            &["lower((name)::text)"],
            false,
            false,
            "CREATE INDEX users_lower_name_idx ON public.users USING btree (lower((name)::text))",
        ),
        index(
            "users_pkey",
            &["id"],
            true,
            true,
            "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)",
        ),
    ];
    assert_eq!(schema.table("public", "users"), Some(&users));

    // invoices: serial default, identity by default, array type, fk actions, composite
    // unique, named check, an index with INCLUDE (only key columns listed).
    let mut invoices = table(
        "billing",
        "invoices",
        TableKind::Table,
        vec![
            Column {
                default: Some("nextval('billing.invoices_id_seq'::regclass)".into()),
                ..col(1, "id", "integer", false)
            },
            col(2, "user_id", "bigint", false),
            Column {
                identity: Some("by_default".into()),
                ..col(3, "seq", "integer", false)
            },
            col(4, "amount_cents", "integer", false),
            col(5, "tags", "text[]", true),
        ],
    );
    invoices.primary_key = Some(key("invoices_pkey", &["id"]));
    invoices.unique_constraints = vec![key("invoices_user_id_seq_key", &["user_id", "seq"])];
    invoices.check_constraints = vec![CheckConstraint {
        name: "invoices_amount_positive".into(),
        expression: "(amount_cents > 0)".into(),
    }];
    invoices.foreign_keys = vec![ForeignKey {
        name: "invoices_user_id_fkey".into(),
        columns: vec!["user_id".into()],
        referenced_schema: "public".into(),
        referenced_table: "users".into(),
        referenced_columns: vec!["id".into()],
        on_delete: "cascade".into(),
        on_update: "restrict".into(),
    }];
    invoices.indexes = vec![
        index(
            "invoices_pkey",
            &["id"],
            true,
            true,
            "CREATE UNIQUE INDEX invoices_pkey ON billing.invoices USING btree (id)",
        ),
        index(
            "invoices_user_id_seq_key",
            &["user_id", "seq"],
            true,
            false,
            "CREATE UNIQUE INDEX invoices_user_id_seq_key ON billing.invoices USING btree (user_id, seq)",
        ),
        index(
            "invoices_user_idx",
            &["user_id"],
            false,
            false,
            "CREATE INDEX invoices_user_idx ON billing.invoices USING btree (user_id) INCLUDE (amount_cents)",
        ),
    ];
    assert_eq!(schema.table("billing", "invoices"), Some(&invoices));

    // A composite foreign key in another schema with ON DELETE SET NULL; no pk, no index.
    let mut lines = table(
        "billing",
        "invoice_lines",
        TableKind::Table,
        vec![
            col(1, "user_id", "bigint", true),
            col(2, "seq", "integer", true),
            col(3, "line", "integer", false),
        ],
    );
    lines.foreign_keys = vec![ForeignKey {
        name: "invoice_lines_invoice_fkey".into(),
        columns: vec!["user_id".into(), "seq".into()],
        referenced_schema: "billing".into(),
        referenced_table: "invoices".into(),
        referenced_columns: vec!["user_id".into(), "seq".into()],
        on_delete: "set null".into(),
        on_update: "no action".into(),
    }];
    assert_eq!(schema.table("billing", "invoice_lines"), Some(&lines));

    // Views, materialized views and foreign tables have their columns too.
    assert_eq!(
        schema.table("public", "active_users").unwrap().columns,
        vec![
            col(1, "id", "bigint", true),
            col(2, "email", "citext", true)
        ]
    );
    assert_eq!(
        schema.table("public", "user_counts").unwrap().columns,
        vec![col(1, "mood", "mood", true), col(2, "n", "bigint", true)]
    );
    assert_eq!(
        schema.table("public", "remote_things").unwrap().columns,
        vec![col(1, "id", "integer", true), col(2, "label", "text", true)]
    );
    assert_eq!(
        schema.table("public", "events").unwrap().columns,
        vec![col(1, "id", "integer", true), col(2, "at", "date", false)]
    );

    assert_eq!(
        schema.enums,
        vec![EnumType {
            schema: "public".into(),
            name: "mood".into(),
            labels: vec!["sad".into(), "ok".into(), "happy".into()],
        }]
    );
    let exts: Vec<&Extension> = schema.extensions.iter().collect();
    assert_eq!(
        exts.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        vec!["citext", "plpgsql"]
    );
    assert!(exts.iter().all(|e| !e.version.is_empty()), "{exts:?}");
}

#[tokio::test]
async fn system_schemas_and_other_databases_are_not_reported() {
    let c = pg::cluster();
    let other = c.create_database("inspect_other");
    c.psql(&other.name, "CREATE TABLE elsewhere (id int)")
        .unwrap();
    let db = c.create_database("inspect_empty");
    let (_, schema) = read(&db.url).await;
    assert_eq!(schema.schemas, vec!["public"]);
    assert!(schema.tables.is_empty(), "{:?}", schema.tables);
    assert!(schema.enums.is_empty());
    assert_eq!(
        schema.extensions.len(),
        1,
        "only plpgsql: {:?}",
        schema.extensions
    );
}

#[tokio::test]
async fn the_number_of_statements_does_not_grow_with_the_number_of_tables() {
    let c = pg::cluster();
    let small = c.create_database("inspect_count_small");
    let large = c.create_database("inspect_count_large");
    c.psql(&small.name, "CREATE TABLE t1 (id int PRIMARY KEY)")
        .unwrap();
    c.psql(
        &large.name,
        "DO $$ BEGIN FOR i IN 1..200 LOOP \
         EXECUTE format('CREATE TABLE IF NOT EXISTS t%s (id int PRIMARY KEY, v text DEFAULT ''x'')', i); \
         END LOOP; END $$",
    )
    .unwrap();
    let before_small = c.logged_statements(&small.name).len();
    let before_large = c.logged_statements(&large.name).len();
    let (_, s) = read(&small.url).await;
    let (_, l) = read(&large.url).await;
    assert_eq!(s.tables.len(), 1);
    assert_eq!(l.tables.len(), 200);
    let n_small = c.logged_statements(&small.name).len() - before_small;
    let n_large = c.logged_statements(&large.name).len() - before_large;
    assert!(n_small > 5, "the catalog reads were logged ({n_small})");
    assert_eq!(n_small, n_large, "statement count grew with table count");
}
