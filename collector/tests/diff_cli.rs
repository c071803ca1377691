//! `gaps diff A B` through the real binary: exit codes 0/1/2, text and JSON output, and clear
//! messages for bad input. Snapshot files are written with the core types.

use std::path::{Path, PathBuf};
use std::process::Command;

use gaps_core::Section;
use gaps_core::migrations::AppliedMigration;
use gaps_core::schema::{ForeignKey, Index, Table};
use gaps_core::snapshot::Snapshot;
use gaps_core::testing::{applied, col, snapshot_of, table};

fn migration(version: i64, description: &str) -> AppliedMigration {
    AppliedMigration {
        installed_on: Some("2026-01-09T11:00:00Z".into()),
        execution_time: 1_000_000,
        ..applied(version, description)
    }
}

fn before() -> Snapshot {
    snapshot_of(
        "before",
        vec![
            table(
                "users",
                vec![
                    col(1, "id", "bigint", false),
                    col(2, "email", "text", false),
                ],
            ),
            table("legacy", vec![col(1, "id", "bigint", false)]),
        ],
        vec![migration(1, "create users")],
    )
}

fn after() -> Snapshot {
    snapshot_of(
        "after",
        vec![
            table(
                "users",
                vec![
                    col(1, "id", "integer", false),
                    col(2, "email", "text", false),
                    col(3, "nick", "text", true),
                ],
            ),
            table("todos", vec![col(1, "id", "bigint", false)]),
        ],
        vec![migration(1, "create users"), migration(2, "add todos")],
    )
}

fn write(dir: &Path, name: &str, s: &Snapshot) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, s.to_json()).unwrap();
    p
}

fn gaps(args: &[&Path], extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gaps"))
        .arg("diff")
        .args(args)
        .args(extra)
        .output()
        .expect("run gaps");
    (
        out.status.code().expect("exit code"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn identical_snapshots_exit_0_with_no_differences() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &before());
    let b = write(dir.path(), "b.json", &before());
    let (code, out, err) = gaps(&[&a, &b], &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("No differences."), "{out}");
    assert!(
        out.contains("Schema: 0 tables added, 0 dropped, 0 altered, 2 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("Migrations: 0 applied, 0 removed, 0 changed"),
        "{out}"
    );
    assert!(!out.contains("Differences found"), "{out}");
}

#[test]
fn differences_exit_1_and_name_every_change() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &before());
    let b = write(dir.path(), "b.json", &after());
    let (code, out, err) = gaps(&[&a, &b], &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("gaps diff: A before (collected 2026-01-09T12:00:00Z) -> B after"),
        "{out}"
    );
    assert!(
        out.contains("Schema: 1 table added, 1 dropped, 1 altered, 0 unchanged"),
        "{out}"
    );
    assert!(out.contains("  + public.todos\n"), "{out}");
    assert!(out.contains("  - public.legacy\n"), "{out}");
    assert!(out.contains("  ~ public.users\n"), "{out}");
    assert!(
        out.contains("      ~ id (type): bigint NOT NULL -> integer NOT NULL\n"),
        "{out}"
    );
    assert!(out.contains("      + nick text\n"), "{out}");
    assert!(!out.contains("email"), "unchanged column listed: {out}");
    assert!(
        out.contains("Migrations: 1 applied, 0 removed, 0 changed"),
        "{out}"
    );
    assert!(
        out.contains("  + 2 add todos (installed 2026-01-09T11:00:00Z)"),
        "{out}"
    );
    assert!(out.ends_with("\nDifferences found.\n"), "{out}");
}

/// Deserialisation types written independently of gaps-core, so that a silent change of the
/// JSON contract fails here.
mod contract {
    use serde::Deserialize;

    #[derive(Deserialize)]
    pub struct Diff {
        pub differences: bool,
        pub a: Side,
        pub b: Side,
        pub schema: Part<Schema>,
        pub migrations: Part<Migrations>,
        pub findings: Findings,
        pub causes: Causes,
    }
    #[derive(Deserialize)]
    pub struct Causes {
        pub appeared: Vec<CauseRef>,
        pub disappeared: Vec<CauseRef>,
        pub changed: Vec<CauseChange>,
        pub unchanged: usize,
    }
    #[derive(Deserialize)]
    pub struct CauseRef {
        pub id: String,
        pub severity: String,
        pub title: String,
        pub findings: usize,
    }
    #[derive(Deserialize)]
    pub struct CauseChange {
        pub cause: CauseRef,
        pub changes: Vec<String>,
    }
    #[derive(Deserialize)]
    pub struct Side {
        pub label: String,
    }
    #[derive(Deserialize)]
    pub struct Part<T> {
        pub status: String,
        pub diff: Option<T>,
        pub reason: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Schema {
        pub summary: Summary,
        pub tables: Vec<Table>,
    }
    #[derive(Deserialize)]
    pub struct Summary {
        pub tables_missing: usize,
        pub tables_unexpected: usize,
        pub tables_altered: usize,
        pub columns_type: usize,
        pub constraints_missing: usize,
        pub constraints_unexpected: usize,
        pub constraints_changed: usize,
    }
    #[derive(Deserialize)]
    pub struct Table {
        pub schema: String,
        pub name: String,
        pub status: String,
        pub columns: Vec<Column>,
        pub constraints: Vec<Constraint>,
    }
    #[derive(Deserialize)]
    pub struct Constraint {
        pub kind: String,
        pub name: String,
        pub status: String,
        pub left: Option<String>,
        pub right: Option<String>,
    }
    #[derive(Deserialize)]
    pub struct Column {
        pub name: String,
        pub status: String,
    }
    #[derive(Deserialize)]
    pub struct Migrations {
        pub applied: Vec<Migration>,
    }
    #[derive(Deserialize)]
    pub struct Migration {
        pub version: i64,
    }
    #[derive(Deserialize)]
    pub struct Findings {
        pub appeared: Vec<serde_json::Value>,
        pub cleared: Vec<serde_json::Value>,
    }
}

#[test]
fn json_format_is_the_documented_contract() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &before());
    let b = write(dir.path(), "b.json", &after());
    let (code, out, err) = gaps(&[&a, &b], &["--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let d: contract::Diff = serde_json::from_str(&out).expect("JSON contract");
    assert!(d.differences);
    assert_eq!(
        (d.a.label.as_str(), d.b.label.as_str()),
        ("before", "after")
    );
    assert_eq!(d.schema.status, "compared");
    let s = d.schema.diff.unwrap();
    assert_eq!(
        (
            s.summary.tables_missing,
            s.summary.tables_unexpected,
            s.summary.tables_altered,
            s.summary.columns_type
        ),
        (1, 1, 1, 1)
    );
    let t: Vec<(String, String)> = s
        .tables
        .iter()
        .map(|t| (format!("{}.{}", t.schema, t.name), t.status.clone()))
        .collect();
    assert_eq!(
        t,
        vec![
            ("public.legacy".to_string(), "missing".to_string()),
            ("public.todos".to_string(), "unexpected".to_string()),
            ("public.users".to_string(), "altered".to_string()),
        ]
    );
    let users: Vec<(&str, &str)> = s.tables[2]
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(
        users,
        vec![("id", "type"), ("email", "ok"), ("nick", "unexpected")]
    );
    assert_eq!(d.migrations.diff.unwrap().applied[0].version, 2);
    assert!(d.findings.appeared.is_empty() && d.findings.cleared.is_empty());
    // Same input, same bytes.
    let (_, again, _) = gaps(&[&a, &b], &["--format", "json"]);
    assert_eq!(out, again);
}

#[test]
fn a_failed_section_is_not_compared_and_the_failure_appears() {
    let dir = tempfile::tempdir().unwrap();
    let mut broken = before();
    broken.schema = Section::failed(
        "reading columns from pg_attribute",
        "permission denied for table pg_attribute",
    );
    let a = write(dir.path(), "a.json", &before());
    let b = write(dir.path(), "b.json", &broken);
    let (code, out, _) = gaps(&[&a, &b], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "Schema: not compared: B: the schema could not be collected (reading columns from pg_attribute: permission denied"
        ),
        "{out}"
    );
    assert!(
        out.contains("  + warning evidence_unavailable: schema evidence could not be collected"),
        "{out}"
    );
    let (_, json, _) = gaps(&[&a, &b], &["--format", "json"]);
    let d: contract::Diff = serde_json::from_str(&json).unwrap();
    assert_eq!(d.schema.status, "unavailable");
    assert!(d.schema.reason.unwrap().contains("permission denied"));
}

#[test]
fn malformed_snapshot_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &before());
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"format_version\": 1,\n  nope\n}\n").unwrap();
    let (code, out, err) = gaps(&[&a, &bad], &[]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("bad.json") && err.contains("line 3"), "{err}");
}

#[test]
fn missing_file_and_invalid_utf8_exit_2_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &before());
    let gone = dir.path().join("gone.json");
    let (code, _, err) = gaps(&[&a, &gone], &[]);
    assert_eq!(code, 2);
    assert!(err.contains("gone.json"), "{err}");
    let latin = dir.path().join("latin1.json");
    std::fs::write(&latin, b"{\"format_version\": 1, \"x\": \"\xe9\"}").unwrap();
    let (code, _, err) = gaps(&[&latin, &a], &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("latin1.json") && err.contains("UTF-8"),
        "{err}"
    );
    let (code, _, err) = gaps(&[&a], &[]);
    assert_eq!(code, 2, "one snapshot is a usage error: {err}");
}

#[test]
fn constraint_and_index_changes_are_listed_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = before();
    let mut b = before();
    fn users(s: &mut Snapshot) -> &mut Table {
        match &mut s.schema {
            Section::Collected { data } => &mut data.tables[1],
            _ => unreachable!("before() has a collected schema"),
        }
    }
    users(&mut a).indexes.push(Index {
        name: "users_email_idx".into(),
        columns: vec!["email".into()],
        unique: false,
        primary: false,
        definition: Some("CREATE INDEX users_email_idx ON public.users USING btree (email)".into()),
    });
    let fk = |on_delete: &str| ForeignKey {
        name: "users_legacy_fkey".into(),
        columns: vec!["id".into()],
        referenced_schema: "public".into(),
        referenced_table: "legacy".into(),
        referenced_columns: vec!["id".into()],
        on_delete: on_delete.into(),
        on_update: "no action".into(),
    };
    users(&mut a).foreign_keys.push(fk("no action"));
    users(&mut b).foreign_keys.push(fk("cascade"));
    let a = write(dir.path(), "a.json", &a);
    let b = write(dir.path(), "b.json", &b);
    let (code, out, err) = gaps(&[&a, &b], &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("Constraints and indexes: 0 added, 1 dropped, 1 changed, 0 unchanged\n"),
        "{out}"
    );
    assert!(out.contains("  ~ public.users\n"), "{out}");
    assert!(
        out.contains("      - index users_email_idx: INDEX (email)\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "      ~ foreign key users_legacy_fkey: FOREIGN KEY (id) REFERENCES public.legacy (id) -> FOREIGN KEY (id) REFERENCES public.legacy (id) ON DELETE cascade\n"
        ),
        "{out}"
    );
    let (_, json, _) = gaps(&[&a, &b], &["--format", "json"]);
    let d: contract::Diff = serde_json::from_str(&json).unwrap();
    let s = d.schema.diff.unwrap();
    assert_eq!(
        (
            s.summary.constraints_missing,
            s.summary.constraints_unexpected,
            s.summary.constraints_changed
        ),
        (1, 0, 1)
    );
    let c: Vec<(&str, &str, &str)> = s.tables[1]
        .constraints
        .iter()
        .map(|c| (c.kind.as_str(), c.name.as_str(), c.status.as_str()))
        .collect();
    assert_eq!(
        c,
        vec![
            ("foreign_key", "users_legacy_fkey", "changed"),
            ("index", "users_email_idx", "missing"),
        ]
    );
    assert_eq!(
        s.tables[1].constraints[1].left.as_deref(),
        Some("INDEX (email)")
    );
    assert!(s.tables[1].constraints[1].right.is_none());
}

/// A service before and after its pending migration ran, with a new query that reads a
/// table nothing creates: one cause disappears, one appears, one changes.
#[test]
fn causes_that_appeared_disappeared_or_changed_are_named() {
    use gaps_core::testing::{Service, rejected};
    let base = || {
        Service::new()
            .migration(1, "CREATE TABLE users (id BIGINT PRIMARY KEY);")
            .migration(2, "CREATE TABLE habits (id BIGINT PRIMARY KEY);")
            .query(
                "src/a.rs",
                1,
                "SELECT id FROM audit",
                rejected(
                    "42P01",
                    "relation \"audit\" does not exist",
                    Some("audit"),
                    None,
                ),
            )
    };
    let mut a_snap = base().applied(&[1]).snapshot();
    a_snap.target.label = Some("before".into());
    let mut b_snap = base()
        .applied(&[1, 2])
        .query(
            "src/b.rs",
            2,
            "SELECT id FROM todos",
            rejected(
                "42P01",
                "relation \"todos\" does not exist",
                Some("todos"),
                None,
            ),
        )
        .query(
            "src/a.rs",
            9,
            "DELETE FROM audit",
            rejected(
                "42P01",
                "relation \"audit\" does not exist",
                Some("audit"),
                None,
            ),
        )
        .snapshot();
    b_snap.target.label = Some("after".into());
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a.json", &a_snap);
    let b = write(dir.path(), "b.json", &b_snap);
    let (code, out, err) = gaps(&[&a, &b], &["--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let d: contract::Diff = serde_json::from_str(&out).expect("JSON contract");
    let ids = |v: &[contract::CauseRef]| v.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&d.causes.appeared), ["table-todos-missing"]);
    assert_eq!(ids(&d.causes.disappeared), ["migrations-pending"]);
    assert_eq!(d.causes.changed.len(), 1);
    let c = &d.causes.changed[0];
    assert_eq!(c.cause.id, "table-audit-missing");
    assert_eq!(c.cause.severity, "error");
    assert_eq!(c.cause.findings, 3);
    assert!(!c.cause.title.is_empty());
    assert_eq!(c.changes, ["findings 2 -> 3", "failing call sites 1 -> 2"]);
    assert_eq!(d.causes.unchanged, 0);
    let (_, text, _) = gaps(&[&a, &b], &[]);
    assert!(
        text.contains("Causes: 1 appeared, 1 disappeared, 1 changed, 0 unchanged"),
        "{text}"
    );
    assert!(
        text.contains("  + error Table todos does not exist"),
        "{text}"
    );
    assert!(
        text.contains("  - error Migration 0002 (m) has not been applied"),
        "{text}"
    );
    assert!(text.ends_with("\nDifferences found.\n"), "{text}");
}
