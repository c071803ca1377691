//! Tests of the schema rules: what each rule reports, and what it must never report.

use super::*;
use crate::code::model::{
    CodeEvidence, ManualFromRow, MappingSource, Model, ModelField, ModelMapping, QuerySite, RowRead,
};
use crate::code::replay::{MigrationSource, replay};
use crate::code::sql::analyse;
use crate::finding::{FindingKind, Severity};
use crate::schema::Schema;
use crate::section::Section;
use crate::testing::{self, migration_source as mig};

const M1: &str = "CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, \
                  bio TEXT, score INT NOT NULL DEFAULT 0, created_at TIMESTAMPTZ NOT NULL DEFAULT now());";
const M2: &str = "CREATE TABLE habits (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL REFERENCES users(id), \
                  name TEXT NOT NULL);\nCREATE INDEX habits_user_idx ON habits (user_id);";
const M3: &str = "ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';\n\
                  CREATE TABLE goals (id BIGINT PRIMARY KEY, title TEXT NOT NULL);";

fn schema_of(ms: &[MigrationSource]) -> Schema {
    replay(ms, Backend::Postgres).schema
}

fn field(name: &str, ty: &str) -> ModelField {
    ModelField {
        name: name.into(),
        column: name.into(),
        rust_type: ty.into(),
        line: 10,
        rename: None,
        skip: false,
        default: false,
        flatten: false,
        json: false,
        try_from: None,
    }
}

fn model(name: &str, table: Option<&str>, fields: Vec<ModelField>) -> Model {
    Model {
        name: name.into(),
        file: "src/user_models.rs".into(),
        line: 3,
        rename_all: None,
        fields,
        mapping: ModelMapping {
            tables: table.into_iter().map(String::from).collect(),
            source: if table.is_some() {
                MappingSource::Query
            } else {
                MappingSource::Projection
            },
            evidence: Vec::new(),
            database: None,
        },
    }
}

fn user_model() -> Model {
    model(
        "User",
        Some("users"),
        vec![
            field("id", "i64"),
            field("email", "String"),
            field("bio", "Option<String>"),
            field("score", "i32"),
            field("created_at", "chrono::DateTime<chrono::Utc>"),
        ],
    )
}

fn snapshot(live: Option<Schema>, applied: &[i64], code: CodeEvidence) -> Snapshot {
    let mut s = testing::snapshot();
    s.target.backend = Some(Backend::Postgres);
    s.expected_schema = Section::collected(replay(
        &[mig(1, M1), mig(2, M2), mig(3, M3)],
        Backend::Postgres,
    ));
    if let Some(l) = live {
        s.schema = Section::collected(l);
    }
    s.applied_migrations = Section::collected(testing::applied_migrations(
        applied.iter().map(|v| testing::applied(*v, "m")).collect(),
    ));
    s.code = Section::collected(code);
    s
}

fn kinds(f: &[Finding]) -> Vec<(FindingKind, String, String)> {
    f.iter()
        .map(|f| {
            (
                f.kind,
                f.table.clone().unwrap_or_default(),
                f.column.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn clean_db() -> Schema {
    schema_of(&[mig(1, M1), mig(2, M2), mig(3, M3)])
}

#[test]
fn a_database_matching_its_migrations_and_code_has_no_findings() {
    let code = CodeEvidence {
        models: vec![user_model()],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    assert!(f.is_empty(), "{:#?}", f);
}

#[test]
fn a_table_created_by_a_pending_migration_says_so() {
    let live = schema_of(&[mig(1, M1), mig(2, M2)]);
    let f = check(&snapshot(Some(live), &[1, 2], CodeEvidence::default()));
    let goals = f
        .iter()
        .find(|f| f.kind == FindingKind::TableMissing && f.table.as_deref() == Some("goals"))
        .expect("goals missing");
    assert!(
        goals.message.contains("migration 0003"),
        "{}",
        goals.message
    );
    assert!(
        goals.message.contains("which is pending"),
        "{}",
        goals.message
    );
    assert_eq!(goals.migration, Some(3));
    assert_eq!(goals.action, "ACTION-004");
    assert_eq!(goals.file.as_deref(), Some("0003_m.sql"));
    let col = f
        .iter()
        .find(|f| f.kind == FindingKind::ColumnMissing)
        .expect("display_name missing");
    assert_eq!(col.column.as_deref(), Some("display_name"));
    assert!(col.message.contains("pending"));
    assert_eq!(col.action, "ACTION-005");
}

#[test]
fn an_applied_migration_whose_table_is_gone_is_not_called_pending() {
    let live = schema_of(&[mig(1, M1), mig(2, M2)]);
    let f = check(&snapshot(Some(live), &[1, 2, 3], CodeEvidence::default()));
    let goals = f
        .iter()
        .find(|f| f.table.as_deref() == Some("goals"))
        .unwrap();
    assert!(
        goals.message.contains("recorded as applied"),
        "{}",
        goals.message
    );
}

#[test]
fn model_fields_report_missing_columns_types_and_nullability() {
    let mut m = user_model();
    m.fields.push(field("nickname", "String"));
    m.fields[3].rust_type = "i64".into(); // score INT
    m.fields[2].rust_type = "String".into(); // bio nullable
    m.fields[1].rust_type = "Option<String>".into(); // email NOT NULL
    let code = CodeEvidence {
        models: vec![m],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    let k = kinds(&f);
    assert!(k.contains(&(
        FindingKind::ColumnMissing,
        "users".into(),
        "nickname".into()
    )));
    assert!(k.contains(&(
        FindingKind::ColumnTypeMismatch,
        "users".into(),
        "score".into()
    )));
    let bio = f
        .iter()
        .find(|f| {
            f.kind == FindingKind::ColumnNullabilityMismatch && f.column.as_deref() == Some("bio")
        })
        .unwrap();
    assert_eq!(bio.severity, Severity::Error);
    assert!(bio.message.contains("unexpected null"));
    let email = f
        .iter()
        .find(|f| {
            f.kind == FindingKind::ColumnNullabilityMismatch && f.column.as_deref() == Some("email")
        })
        .unwrap();
    assert_eq!(email.severity, Severity::Info);
    let score = f
        .iter()
        .find(|f| f.kind == FindingKind::ColumnTypeMismatch)
        .unwrap();
    assert_eq!(
        (score.expected.as_deref(), score.live.as_deref()),
        (Some("i64"), Some("integer"))
    );
    assert_eq!(
        (score.file.as_deref(), score.line),
        (Some("src/user_models.rs"), Some(10))
    );
    assert_eq!(f.len(), 4, "{f:#?}");
}

#[test]
fn renamed_skipped_default_and_flattened_fields_are_not_reported() {
    let mut m = user_model();
    let mut renamed = field("mail", "String");
    renamed.column = "email".into();
    renamed.rename = Some("email".into());
    m.fields[1] = renamed;
    let mut skipped = field("cache", "Vec<u8>");
    skipped.skip = true;
    m.fields.push(skipped);
    let mut defaulted = field("not_a_column", "Option<i32>");
    defaulted.default = true;
    m.fields.push(defaulted);
    let mut flat = field("stamps", "Stamps");
    flat.flatten = true;
    m.fields.push(flat);
    let stamps = model(
        "Stamps",
        None,
        vec![field("created_at", "chrono::DateTime<chrono::Utc>")],
    );
    let code = CodeEvidence {
        models: vec![m, stamps],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn flattened_fields_are_checked_against_the_outer_table() {
    let mut m = user_model();
    let mut flat = field("stamps", "Stamps");
    flat.flatten = true;
    m.fields.push(flat);
    let stamps = model(
        "Stamps",
        None,
        vec![field("updated_at", "chrono::DateTime<chrono::Utc>")],
    );
    let code = CodeEvidence {
        models: vec![m, stamps],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    assert_eq!(
        kinds(&f),
        [(
            FindingKind::ColumnMissing,
            "users".into(),
            "updated_at".into()
        )]
    );
}

#[test]
fn projection_structs_are_never_checked_as_tables() {
    let p = model(
        "UserStats",
        None,
        vec![field("total", "i64"), field("avg_score", "f64")],
    );
    let code = CodeEvidence {
        models: vec![p],
        ..CodeEvidence::default()
    };
    assert!(check(&snapshot(Some(clean_db()), &[1, 2, 3], code)).is_empty());
}

#[test]
fn compatible_type_pairs_are_not_reported() {
    let m = model(
        "User",
        Some("users"),
        vec![
            field("id", "Option<i64>"),
            field("email", "Box<str>"),
            field("bio", "Option<std::borrow::Cow<'static, str>>"),
            field("created_at", "time::OffsetDateTime"),
        ],
    );
    let code = CodeEvidence {
        models: vec![m],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    // id is NOT NULL and Option: info only; nothing else.
    assert_eq!(
        kinds(&f),
        [(
            FindingKind::ColumnNullabilityMismatch,
            "users".into(),
            "id".into()
        )]
    );
    assert_eq!(f[0].severity, Severity::Info);
}

#[test]
fn live_drift_from_the_migrations_is_reported_as_warnings() {
    let live = schema_of(&[
        mig(
            1,
            "CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL UNIQUE, bio TEXT, \
             score BIGINT, created_at TIMESTAMPTZ NOT NULL DEFAULT now(), legacy TEXT, \
             display_name TEXT NOT NULL);",
        ),
        mig(
            2,
            "CREATE TABLE habits (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, name TEXT NOT NULL);",
        ),
        mig(
            3,
            "CREATE TABLE goals (id BIGINT PRIMARY KEY, title TEXT NOT NULL); CREATE TABLE tmp_import (x INT);",
        ),
    ]);
    let f = check(&snapshot(Some(live), &[1, 2, 3], CodeEvidence::default()));
    let k = kinds(&f);
    assert!(k.contains(&(
        FindingKind::ColumnTypeMismatch,
        "users".into(),
        "score".into()
    )));
    assert!(k.contains(&(
        FindingKind::ColumnNullabilityMismatch,
        "users".into(),
        "score".into()
    )));
    assert!(k.contains(&(
        FindingKind::ColumnUnexpected,
        "users".into(),
        "legacy".into()
    )));
    assert!(k.contains(&(
        FindingKind::TableUnexpected,
        "tmp_import".into(),
        String::new()
    )));
    assert!(k.contains(&(FindingKind::IndexMissing, "habits".into(), String::new())));
    assert!(k.contains(&(
        FindingKind::ConstraintMismatch,
        "habits".into(),
        "habits_user_id_fkey".into()
    )));
    // The live columns lack the migrations' DEFAULT 0 and DEFAULT ''.
    for c in ["score", "display_name"] {
        assert!(
            k.contains(&(FindingKind::DefaultMismatch, "users".into(), c.into())),
            "{c}: {k:#?}"
        );
    }
    for x in &f {
        let expect = match x.kind {
            FindingKind::TableUnexpected | FindingKind::ColumnUnexpected => Severity::Info,
            _ => Severity::Warning,
        };
        assert_eq!(x.severity, expect, "{x:?}");
    }
    assert_eq!(f.len(), 8, "{f:#?}");
}

#[test]
fn query_columns_and_tables_are_checked() {
    let q = |sql: &str, line: u32| QuerySite {
        file: "src/habit_repos.rs".into(),
        line,
        api: "sqlx::query".into(),
        macro_checked: false,
        sql: Some(sql.into()),
        sql_origin: Some("literal".into()),
        sql_line: None,
        target: None,
        target_origin: None,
        not_checkable: None,
        scope: Default::default(),
        access: Some(analyse(sql, Backend::Postgres)),
    };
    let code = CodeEvidence {
        queries: vec![
            q(
                "SELECT h.id, h.streak FROM habits h WHERE h.user_id = $1",
                20,
            ),
            q("SELECT * FROM habit_completions", 30),
            q("SELECT id, name FROM habits WHERE user_id = $1", 40),
        ],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    let k = kinds(&f);
    assert_eq!(
        k,
        [
            (
                FindingKind::TableMissing,
                "habit_completions".into(),
                String::new()
            ),
            (FindingKind::ColumnMissing, "habits".into(), "streak".into()),
        ]
    );
    let streak = &f[1];
    assert_eq!(
        (streak.file.as_deref(), streak.line),
        (Some("src/habit_repos.rs"), Some(20))
    );
    assert!(f[0].message.contains("no local migration creates it"));
}

#[test]
fn without_a_live_schema_the_code_is_checked_against_the_migrations() {
    let mut m = user_model();
    m.fields.push(field("nickname", "String"));
    let code = CodeEvidence {
        models: vec![m, model("Book", Some("books"), vec![field("id", "i64")])],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(None, &[], code));
    let k = kinds(&f);
    assert!(k.contains(&(
        FindingKind::ColumnMissing,
        "users".into(),
        "nickname".into()
    )));
    assert!(k.contains(&(FindingKind::TableMissing, "books".into(), String::new())));
    assert_eq!(f.len(), 2, "{f:#?}");
}

#[test]
fn gaps_md_tables_are_expectations() {
    let mut s = snapshot(Some(clean_db()), &[1, 2, 3], CodeEvidence::default());
    if let Section::Collected { data } = &mut s.expected_schema {
        data.gaps_md_tables = vec!["users".into(), "flashcards".into()];
        data.gaps_md_file = Some("gaps.md".into());
    }
    let f = check(&s);
    assert_eq!(
        kinds(&f),
        [(
            FindingKind::TableMissing,
            "flashcards".into(),
            String::new()
        )]
    );
    assert!(f[0].message.contains("gaps.md"));
    // The code and the migrations were read and neither knows it: a registry entry to
    // correct, a warning, not an error.
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(f[0].details["only_gaps_md"], true);

    // Without the code, "nothing uses it" is not known: it stays an error.
    s.code = Section::skipped("no --source");
    let f = check(&s);
    assert_eq!(f[0].severity, Severity::Error);
    assert!(!f[0].details.contains_key("only_gaps_md"));
}

#[test]
fn the_same_subject_from_two_sources_is_one_finding() {
    let live = schema_of(&[mig(1, M1), mig(2, M2)]);
    let mut m = user_model();
    m.fields.push(field("display_name", "String"));
    let code = CodeEvidence {
        models: vec![m],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(live), &[1, 2], code));
    let dn: Vec<&Finding> = f
        .iter()
        .filter(|f| f.column.as_deref() == Some("display_name"))
        .collect();
    assert_eq!(dn.len(), 1, "{dn:#?}");
    assert_eq!(dn[0].severity, Severity::Error);
    assert!(dn[0].details.contains_key("also"));
}

#[test]
fn keys_and_indexes_that_followed_renames_or_print_differently_are_not_reported() {
    // What the migrations did, step by step...
    let history = [
        mig(
            1,
            "CREATE TABLE owners (id INT PRIMARY KEY, email TEXT, data JSONB);\n\
             CREATE TABLE lines (owner_id INT REFERENCES owners, position INT, \
             PRIMARY KEY (owner_id, position));\n\
             CREATE INDEX ON owners (lower(email));\n\
             CREATE INDEX ON owners ((data ->> 'kind'));",
        ),
        mig(
            2,
            "ALTER TABLE lines RENAME COLUMN position TO line_no;\n\
             ALTER TABLE owners RENAME TO people;",
        ),
    ];
    // ...and the database Postgres built from them, as its catalogs print it.
    let mut live = schema_of(&[mig(
        1,
        "CREATE TABLE people (id INT, email TEXT, data JSONB, CONSTRAINT owners_pkey PRIMARY KEY (id));\n\
         CREATE TABLE lines (owner_id INT, line_no INT, \
         CONSTRAINT lines_pkey PRIMARY KEY (owner_id, line_no), \
         CONSTRAINT lines_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES people (id));\n\
         CREATE INDEX owners_lower_idx ON people (lower(email));\n\
         CREATE INDEX owners_expr_idx ON people ((data ->> 'kind'));",
    )]);
    for t in &mut live.tables {
        for i in &mut t.indexes {
            if i.name == "owners_expr_idx" {
                i.columns = vec!["((data ->> 'kind'::text))".into()];
            }
        }
    }
    let mut s = snapshot(Some(live), &[1, 2], CodeEvidence::default());
    s.expected_schema = Section::collected(replay(&history, Backend::Postgres));
    let f = check(&s);
    assert!(f.is_empty(), "{:#?}", f);
}

fn manual(name: &str, table: Option<&str>, reads: &[(&str, u32, &str, bool)]) -> ManualFromRow {
    ManualFromRow {
        name: name.into(),
        file: "src/legacy.rs".into(),
        line: 20,
        columns: reads.iter().map(|r| r.0.to_string()).collect(),
        reads: reads
            .iter()
            .map(|(c, l, m, h)| RowRead {
                column: c.to_string(),
                line: *l,
                method: m.to_string(),
                handled: *h,
            })
            .collect(),
        mapping: ModelMapping {
            tables: table.into_iter().map(String::from).collect(),
            source: if table.is_some() {
                MappingSource::Query
            } else {
                MappingSource::Projection
            },
            evidence: Vec::new(),
            database: None,
        },
    }
}

#[test]
fn manual_from_row_reads_of_absent_columns_are_reported_at_the_try_get_line() {
    let code = CodeEvidence {
        manual_impls: vec![manual(
            "LegacyUser",
            Some("users"),
            &[
                ("id", 23, "try_get", false),
                ("email_address", 24, "try_get", false),
                ("nick", 25, "get", false),
            ],
        )],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    assert_eq!(f.len(), 2, "{f:#?}");
    let ea = f
        .iter()
        .find(|x| x.column.as_deref() == Some("email_address"))
        .unwrap();
    assert_eq!(ea.kind, FindingKind::ColumnMissing);
    assert_eq!(ea.severity, Severity::Error);
    assert_eq!(ea.action, "ACTION-005");
    assert_eq!(ea.table.as_deref(), Some("users"));
    assert_eq!(
        (ea.file.as_deref(), ea.line),
        (Some("src/legacy.rs"), Some(24))
    );
    assert!(
        ea.message.contains("ColumnNotFound(\"email_address\")"),
        "{}",
        ea.message
    );
    let nick = f
        .iter()
        .find(|x| x.column.as_deref() == Some("nick"))
        .unwrap();
    assert!(nick.message.contains("panics"), "{}", nick.message);
}

#[test]
fn a_manual_read_of_a_column_added_by_a_pending_migration_says_so() {
    let code = CodeEvidence {
        manual_impls: vec![manual(
            "LegacyUser",
            Some("users"),
            &[("display_name", 30, "try_get", false)],
        )],
        ..CodeEvidence::default()
    };
    let live = schema_of(&[mig(1, M1), mig(2, M2)]);
    let f = check(&snapshot(Some(live), &[1, 2], code));
    let x = f
        .iter()
        .find(|x| {
            x.kind == FindingKind::ColumnMissing && x.column.as_deref() == Some("display_name")
        })
        .unwrap();
    // One finding per subject: the migration's expectation comes first, the read is attached.
    assert_eq!(x.migration, Some(3));
    assert_eq!(x.severity, Severity::Error);
    assert!(x.message.contains("pending"), "{}", x.message);
    assert_eq!(x.details["also"], serde_json::json!(["src/legacy.rs:30"]));

    // Without the migration's own expectation the read itself is the finding, at its line.
    let mut s = snapshot(
        Some(schema_of(&[mig(1, M1), mig(2, M2)])),
        &[1, 2],
        CodeEvidence {
            manual_impls: vec![manual(
                "LegacyUser",
                Some("users"),
                &[("display_name", 30, "try_get", false)],
            )],
            ..CodeEvidence::default()
        },
    );
    if let Section::Collected { data } = &mut s.expected_schema {
        data.schema = schema_of(&[mig(1, M1), mig(2, M2)]);
    }
    let f = check(&s);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        (f[0].file.as_deref(), f[0].line),
        (Some("src/legacy.rs"), Some(30))
    );
    assert_eq!(f[0].migration, Some(3));
    assert!(f[0].message.contains("pending"), "{}", f[0].message);
}

#[test]
fn manual_reads_that_exist_are_handled_aliased_or_of_a_projection_are_not_reported() {
    let alias_query = QuerySite {
        file: "src/legacy_repos.rs".into(),
        line: 5,
        api: "sqlx::query_as".into(),
        macro_checked: false,
        sql: Some("SELECT id, email AS contact FROM users".into()),
        sql_origin: Some("literal".into()),
        sql_line: None,
        target: Some("LegacyUser".into()),
        target_origin: Some("turbofish".into()),
        not_checkable: None,
        scope: Default::default(),
        access: Some(analyse(
            "SELECT id, email AS contact FROM users",
            Backend::Postgres,
        )),
    };
    let code = CodeEvidence {
        manual_impls: vec![
            manual(
                "LegacyUser",
                Some("users"),
                &[
                    ("id", 23, "try_get", false),
                    ("contact", 24, "try_get", false),
                    ("nickname", 25, "try_get", true),
                ],
            ),
            // A projection (joins, expressions): its names are not table columns.
            manual("UserStats", None, &[("habit_count", 40, "try_get", false)]),
            // Undecided mapping: nothing to check against.
            ManualFromRow {
                mapping: ModelMapping::default(),
                ..manual("Orphan", None, &[("whatever", 50, "try_get", false)])
            },
        ],
        queries: vec![alias_query],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn a_derived_field_the_loading_query_returns_under_an_alias_is_not_reported() {
    let sql = "SELECT id, email AS contact FROM users WHERE id = $1";
    let q = QuerySite {
        file: "src/user_repos.rs".into(),
        line: 9,
        api: "sqlx::query_as".into(),
        macro_checked: false,
        sql: Some(sql.into()),
        sql_origin: Some("literal".into()),
        sql_line: None,
        target: Some("Contact".into()),
        target_origin: Some("turbofish".into()),
        not_checkable: None,
        scope: Default::default(),
        access: Some(analyse(sql, Backend::Postgres)),
    };
    let code = CodeEvidence {
        models: vec![model(
            "Contact",
            Some("users"),
            vec![field("id", "i64"), field("contact", "String")],
        )],
        queries: vec![q],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(clean_db()), &[1, 2, 3], code));
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn statement_kinds_take_the_right_article() {
    assert_eq!(super::context::query_phrase(&"insert"), "an insert query");
    assert_eq!(super::context::query_phrase(&"update"), "an update query");
    assert_eq!(super::context::query_phrase(&"select"), "a select query");
    assert_eq!(super::context::query_phrase(&"delete"), "a delete query");
}

/// The live schema as the collector leaves it when `users` was locked: the relation is
/// listed, its columns, keys and indexes are not, and the gap says so.
fn users_locked(mark: bool) -> Schema {
    use crate::schema::{Catalog, IncompleteCatalog, IncompleteCause, RelationName};
    let mut live = clean_db();
    for t in live.tables.iter_mut().filter(|t| t.name == "users") {
        t.columns.clear();
        t.indexes.clear();
        t.primary_key = None;
        t.unique_constraints.clear();
    }
    // Another table's foreign key names users' columns through users' (unread) catalog.
    for t in live.tables.iter_mut().filter(|t| t.name == "habits") {
        for fk in &mut t.foreign_keys {
            fk.referenced_columns = vec!["#1".into()];
        }
    }
    if mark {
        live.incomplete.push(IncompleteCatalog {
            relations: vec![RelationName {
                schema: "public".into(),
                name: "users".into(),
            }],
            ..IncompleteCatalog::new(
                "reading columns, constraints and indexes",
                "public.users is locked by pid 42",
                &[
                    Catalog::Columns,
                    Catalog::Keys,
                    Catalog::ForeignKeys,
                    Catalog::Checks,
                    Catalog::Indexes,
                ],
                IncompleteCause::Locked,
            )
        });
    }
    live
}

#[test]
fn nothing_is_said_about_a_relation_whose_catalogs_were_not_read() {
    let code = || CodeEvidence {
        models: vec![user_model()],
        queries: vec![QuerySite {
            file: "src/user_repos.rs".into(),
            line: 7,
            api: "sqlx::query".into(),
            macro_checked: false,
            sql: Some("SELECT id, email FROM users WHERE id = $1".into()),
            sql_origin: Some("literal".into()),
            sql_line: None,
            target: None,
            target_origin: None,
            not_checkable: None,
            scope: Default::default(),
            access: Some(analyse(
                "SELECT id, email FROM users WHERE id = $1",
                Backend::Postgres,
            )),
        }],
        ..CodeEvidence::default()
    };
    let f = check(&snapshot(Some(users_locked(true)), &[1, 2, 3], code()));
    assert!(
        f.iter().all(|f| f.table.as_deref() != Some("users")),
        "{:#?}",
        f
    );
    assert!(
        f.iter().all(|f| f.kind != FindingKind::ConstraintMismatch),
        "{:#?}",
        f
    );
    // Control: the same evidence without the gap recorded is read as absent columns.
    let f = check(&snapshot(Some(users_locked(false)), &[1, 2, 3], code()));
    assert!(
        kinds(&f).contains(&(FindingKind::ColumnMissing, "users".into(), "email".into())),
        "{:#?}",
        f
    );
}
