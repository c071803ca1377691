//! What Describe cannot see, checked against reality on a throwaway PostgreSQL: a service
//! role with partial grants (no SELECT on one table, INSERT without the sequence's USAGE,
//! column grants, a function it may not execute), a per-database search_path that hides one
//! table and shadows another, a NOT NULL column added by a later migration, an enum missing a
//! variant of the Rust enum, a conflict target without a unique index, and a pending
//! migration whose table no default privilege covers. gaps collects as another, read-only
//! role with `--service-role`; then every statement of the fixture is executed as the service
//! role in a transaction that is rolled back: where gaps predicted an error it fails with
//! exactly that SQLSTATE, where it predicted none it does not fail for a schema, privilege or
//! setting reason. The collecting role's statement log shows only reads.

mod common;

use std::collections::BTreeMap;

use gaps_tests::{fixtures, pg};
use serde_json::Value;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo};
use sqlx::{Connection, Encode, PgConnection, Postgres, Type};

/// A Rust enum variant as sqlx's derived `Encode` sends it: its label, typed as `mood`.
#[derive(Debug, Clone, Copy)]
struct Mood(&'static str);

impl Type<Postgres> for Mood {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("mood")
    }
}

impl Encode<'_, Postgres> for Mood {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as Encode<Postgres>>::encode(self.0, buf)
    }
}

/// A parameter value.
#[derive(Debug, Clone, Copy)]
enum V {
    I(i64),
    T(&'static str),
    M(&'static str),
}

/// Plausible parameters for each statement of the fixture, by a part of its SQL.
const BINDS: &[(&str, &[V])] = &[
    ("SELECT id, email, mood, nickname FROM accounts", &[V::I(1)]),
    (
        "INSERT INTO accounts (email, mood)",
        &[V::T("new@example.com"), V::M("sad")],
    ),
    ("UPDATE accounts SET nickname", &[V::T("nick"), V::I(1)]),
    ("ON CONFLICT (email)", &[V::T("seed@example.com")]),
    (
        "ON CONFLICT (nickname)",
        &[V::T("other@example.com"), V::T("nick")],
    ),
    ("DELETE FROM accounts", &[V::I(1)]),
    ("INSERT INTO tickets", &[V::T("broken")]),
    ("INSERT INTO audit_log", &[V::T("looked")]),
    ("SELECT amount_cents FROM payments", &[V::I(1)]),
    ("INSERT INTO payments", &[V::I(2), V::I(500)]),
    ("SELECT id, display_name FROM profiles", &[V::I(1)]),
    ("SELECT id, tax_id FROM profiles", &[V::I(1)]),
    ("SELECT risk_score", &[V::I(1)]),
    (
        "INSERT INTO notes (id, body) VALUES ($1, $2)",
        &[V::I(7), V::T("hi")],
    ),
    // The upsert on an existing row: the insert part is checked first and fails anyway.
    (
        "($1, $2) ON CONFLICT (id) DO UPDATE SET body",
        &[V::I(1), V::T("edited")],
    ),
    (
        "INSERT INTO notes (id, body, author)",
        &[V::I(1), V::T("edited"), V::T("ann")],
    ),
    ("SELECT id, body, author FROM notes", &[]),
    ("FROM legacy_events ORDER BY", &[]),
    ("FROM public.legacy_events", &[]),
    ("SELECT id, payload FROM events", &[V::I(1)]),
    ("SELECT id, kind FROM events", &[]),
    ("FROM invoices", &[]),
    ("SET lock_timeout", &[]),
];

fn binds_for(sql: &str) -> &'static [V] {
    // The longest matching key: "INSERT INTO notes (id, body) VALUES" must not take the
    // upsert's parameters.
    BINDS
        .iter()
        .filter(|(k, _)| sql.contains(k))
        .max_by_key(|(k, _)| k.len())
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no parameters listed for the fixture statement {sql:?}"))
}

/// SQLSTATEs of errors about the schema, privileges or settings: a statement gaps predicted
/// nothing for must not fail with one of these.
const SCHEMA_PRIVILEGE_SETTING: &[&str] = &[
    "42501", "42P01", "42703", "42P10", "23502", "22P02", "42883", "3F000", "42804", "57014",
    "55P03",
];

struct Roles {
    migrator: String,
    service: String,
    reader: String,
}

fn setup(c: &pg::PgCluster, db: &pg::TestDb) -> Roles {
    let tag = &db.name;
    let roles = Roles {
        migrator: format!("migrator_{tag}"),
        service: format!("svc_{tag}"),
        reader: format!("reader_{tag}"),
    };
    let (m, s, r) = (&roles.migrator, &roles.service, &roles.reader);
    let dir = fixtures::fixture("privileges-service/migrations");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let rows = common::rows_as_sqlx_writes(&dir);
    let applied: Vec<common::Row> = rows.into_iter().filter(|r| r.version < 3).collect();
    let sql = format!(
        "CREATE ROLE \"{m}\" NOLOGIN; CREATE ROLE \"{s}\" LOGIN; CREATE ROLE \"{r}\" LOGIN;\n\
         CREATE SCHEMA app AUTHORIZATION \"{m}\";\n\
         GRANT CREATE ON SCHEMA public TO \"{m}\";\n\
         SET ROLE \"{m}\";\n{}\n{}\n{}\n\
         INSERT INTO app.accounts (email) VALUES ('seed@example.com');\n\
         INSERT INTO app.notes (id, body, author) VALUES (1, 'first', 'ann');\n\
         INSERT INTO app.profiles VALUES (1, 'Ann', 'T-1');\n\
         INSERT INTO app.events VALUES (1, 'signup');\n\
         INSERT INTO public.events VALUES (1, 'signup', '{{}}');\n\
         RESET ROLE;\n\
         GRANT USAGE ON SCHEMA app TO \"{s}\";\n\
         GRANT SELECT, INSERT, UPDATE, DELETE ON app.accounts, app.notes, app.events TO \"{s}\";\n\
         GRANT USAGE ON SEQUENCE app.accounts_id_seq TO \"{s}\";\n\
         GRANT INSERT ON app.tickets, app.audit_log, app.payments TO \"{s}\";\n\
         GRANT SELECT (id, display_name) ON app.profiles TO \"{s}\";\n\
         GRANT SELECT ON public.events, public.legacy_events TO \"{s}\";\n\
         REVOKE EXECUTE ON FUNCTION app.risk_score(bigint) FROM PUBLIC;\n\
         ALTER ROLE \"{s}\" IN DATABASE \"{d}\" SET search_path = app;\n\
         ALTER ROLE \"{s}\" IN DATABASE \"{d}\" SET statement_timeout = '5s';\n\
         GRANT USAGE ON SCHEMA app TO \"{r}\";\n\
         GRANT SELECT ON ALL TABLES IN SCHEMA app, public TO \"{r}\";\n\
         ALTER ROLE \"{r}\" IN DATABASE \"{d}\" SET search_path = public, app;\n\
         ALTER DEFAULT PRIVILEGES FOR ROLE \"{m}\" IN SCHEMA app GRANT SELECT ON TABLES TO \"{r}\";",
        read("0001_init.sql"),
        read("0002_notes_author.sql"),
        common::postgres_replay_sql(&applied),
        d = db.name,
    );
    c.psql(&db.name, &sql)
        .expect("the fixture's schema, roles and grants");
    roles
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Executes `sql` with `binds` as `url`'s role in a transaction that is rolled back; returns
/// the SQLSTATE it failed with, if it failed.
async fn execute(conn: &mut PgConnection, sql: &str, binds: &[V]) -> Option<String> {
    let mut tx = conn.begin().await.expect("BEGIN");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = match *b {
            V::I(i) => q.bind(i),
            V::T(t) => q.bind(t),
            V::M(m) => q.bind(Mood(m)),
        };
    }
    let result = q.execute(&mut *tx).await;
    tx.rollback().await.expect("ROLLBACK");
    match result {
        Ok(_) => None,
        Err(sqlx::Error::Database(e)) => Some(e.code().map(|c| c.to_string()).unwrap_or_default()),
        Err(other) => panic!("executing {sql:?}: {other}"),
    }
}

/// The stage order of the predictions (the earliest is the error the statement meets).
fn stage_rank(stage: &str) -> u32 {
    match stage {
        "parse" => 0,
        "bind" => 1,
        "plan" => 2,
        "execute" => 3,
        "row" => 4,
        _ => 9,
    }
}

#[test]
fn every_predicted_error_is_the_error_the_service_role_gets_and_no_other_fails() {
    let c = pg::cluster();
    let db = c.create_database("service_privileges");
    let roles = setup(c, &db);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let source = fixtures::fixture("privileges-service");
    let collected = common::gaps(
        dir.path(),
        &[
            "collect",
            "--database-url",
            &db.url_as(&roles.reader, None),
            "--source",
            source.to_str().unwrap(),
            "--service-role",
            &roles.service,
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
    );
    assert!(
        common::code(&collected) <= 1,
        "collect failed: {}",
        common::stderr(&collected)
    );
    // The collecting role sent nothing but reads.
    let sent = c.logged_statements_of(&db.name, &roles.reader);
    assert!(
        sent.iter().any(|s| s.contains("has_table_privilege")),
        "{sent:#?}"
    );
    for s in &sent {
        let kw = s
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("--"))
            .and_then(|l| l.split_whitespace().next())
            .unwrap_or("")
            .to_ascii_uppercase();
        // sqlx's nullability inference EXPLAINs a prepared statement: never ANALYZE.
        assert!(
            [
                "SELECT",
                "WITH",
                "BEGIN",
                "SET",
                "SAVEPOINT",
                "ROLLBACK",
                "SHOW",
                "DEALLOCATE",
                "EXPLAIN"
            ]
            .contains(&kw.trim_end_matches(';'))
                && !s.to_ascii_uppercase().contains("ANALYZE"),
            "collect sent a statement that is not a read: {s}"
        );
    }

    let snap: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let service = &snap["service"]["data"];
    assert_eq!(service["role"], roles.service.as_str());
    let settings: BTreeMap<String, Value> = service["settings"]["data"]
        .as_array()
        .expect("settings were read")
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s.clone()))
        .collect();
    assert_eq!(settings["search_path"]["value"], "app");
    assert_eq!(settings["search_path"]["source"], "role_in_database");
    assert_eq!(settings["statement_timeout"]["value"], "5s");
    assert_eq!(settings["lock_timeout"]["source"], "after_connect");
    assert_eq!(settings["lock_timeout"]["value"], "3s");
    assert_eq!(
        settings["idle_in_transaction_session_timeout"]["source"],
        "connect_options"
    );

    let check = common::gaps(
        dir.path(),
        &[
            "check",
            out.to_str().unwrap(),
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
    );
    let report: Value = serde_json::from_str(&common::stdout(&check)).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let ours = [
        "privilege_missing",
        "search_path_mismatch",
        "insert_missing_not_null",
        "enum_value_missing",
        "on_conflict_target_missing",
    ];
    // (file, line) -> the earliest predicted SQLSTATE, or None for "no error predicted".
    let mut predicted: BTreeMap<(String, u64), Vec<Prediction>> = BTreeMap::new();
    for f in findings {
        let kind = f["kind"].as_str().unwrap();
        if !ours.contains(&kind)
            || f["severity"] != "error"
            || f["details"]["rust_type"].is_string()
        {
            continue;
        }
        let key = (
            f["file"].as_str().unwrap().to_string(),
            f["line"].as_u64().unwrap(),
        );
        predicted.entry(key).or_default().push((
            stage_rank(f["details"]["stage"].as_str().unwrap_or("")),
            f["details"]["sqlstate"].as_str().map(str::to_string),
            kind.to_string(),
        ));
    }
    // The database's own verdict: a statement rejected at Describe fails at parse with it.
    for st in snap["query_checks"]["data"]["statements"]
        .as_array()
        .unwrap()
    {
        if st["outcome"]["status"] == "rejected" {
            predicted
                .entry((
                    st["file"].as_str().unwrap().to_string(),
                    st["line"].as_u64().unwrap(),
                ))
                .or_default()
                .push((
                    0,
                    st["outcome"]["sqlstate"].as_str().map(str::to_string),
                    "query_invalid".into(),
                ));
        }
    }
    let kinds_at = |file: &str, needle: &str| -> Vec<String> {
        let q = snap["code"]["data"]["queries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["file"] == file && q["sql"].as_str().is_some_and(|s| s.contains(needle)))
            .unwrap_or_else(|| panic!("no statement {needle} in {file}"));
        let key = (file.to_string(), q["line"].as_u64().unwrap());
        let mut v: Vec<String> = predicted
            .get(&key)
            .map(|p| {
                p.iter()
                    .map(|(_, s, k)| format!("{k}:{}", s.clone().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    // Each case of the fixture is predicted (so the comparison below cannot pass vacuously).
    let expect = [
        (
            "src/db/payments.rs",
            "SELECT amount_cents",
            "privilege_missing:42501",
        ),
        (
            "src/db/payments.rs",
            "SELECT id, tax_id",
            "privilege_missing:42501",
        ),
        (
            "src/db/payments.rs",
            "risk_score",
            "privilege_missing:42501",
        ),
        (
            "src/db/tickets.rs",
            "INSERT INTO tickets",
            "privilege_missing:42501",
        ),
        (
            "src/db/events.rs",
            "legacy_events ORDER BY",
            "search_path_mismatch:42P01",
        ),
        (
            "src/db/events.rs",
            "SELECT id, payload",
            "search_path_mismatch:42703",
        ),
        (
            "src/db/events.rs",
            "SELECT id, kind FROM events",
            "search_path_mismatch:",
        ),
        (
            "src/db/notes.rs",
            "INSERT INTO notes (id, body) VALUES ($1, $2)\"",
            "insert_missing_not_null:23502",
        ),
        (
            "src/db/accounts.rs",
            "ON CONFLICT (nickname)",
            "on_conflict_target_missing:42P10",
        ),
        ("src/db/events.rs", "FROM invoices", "query_invalid:42P01"),
    ];
    for (file, needle, want) in expect {
        let needle = needle.trim_end_matches('"');
        let got = kinds_at(file, needle);
        assert!(
            got.iter().any(|k| k == want),
            "{file} {needle}: expected {want}, got {got:?}"
        );
    }
    // The upsert's insert part too.
    assert!(
        findings
            .iter()
            .any(|f| f["kind"] == "insert_missing_not_null"
                && f["message"].as_str().unwrap().contains("upsert")
                && f["migration"] == 2),
        "{findings:#?}"
    );
    // Statements that are fine are not reported by these rules.
    for (file, needle) in [
        ("src/db/accounts.rs", "SELECT id, email, mood"),
        ("src/db/accounts.rs", "ON CONFLICT (email)"),
        ("src/db/tickets.rs", "INSERT INTO audit_log"),
        ("src/db/payments.rs", "INSERT INTO payments"),
        ("src/db/payments.rs", "SELECT id, display_name"),
        ("src/db/notes.rs", "INSERT INTO notes (id, body, author)"),
        ("src/db/events.rs", "public.legacy_events"),
    ] {
        assert!(
            kinds_at(file, needle).is_empty(),
            "{file} {needle}: {:?}",
            kinds_at(file, needle)
        );
    }

    // Now reality: every statement, executed as the service role.
    rt().block_on(async {
        let mut conn = PgConnection::connect(&db.url_as(&roles.service, None))
            .await
            .expect("connect as the service role");
        let mut executed = 0;
        for q in snap["code"]["data"]["queries"].as_array().unwrap() {
            let (Some(sql), file, line) = (
                q["sql"].as_str(),
                q["file"].as_str().unwrap(),
                q["line"].as_u64().unwrap(),
            ) else {
                continue;
            };
            let got = execute(&mut conn, sql, binds_for(sql)).await;
            executed += 1;
            let expected = predicted
                .get(&(file.to_string(), line))
                .and_then(|p| p.iter().min_by_key(|(rank, _, _)| *rank).cloned());
            match expected {
                Some((_, Some(state), kind)) => assert_eq!(
                    got.as_deref(),
                    Some(state.as_str()),
                    "{file}:{line} {sql}: gaps predicted {kind} {state}"
                ),
                _ => assert!(
                    got.as_deref()
                        .is_none_or(|s| !SCHEMA_PRIVILEGE_SETTING.contains(&s)),
                    "{file}:{line} {sql}: gaps predicted no error, it failed with {got:?}"
                ),
            }
        }
        assert!(executed >= 20, "only {executed} statements executed");

        // The Rust enum's variant the database lacks: binding it fails as predicted.
        let enum_finding = findings
            .iter()
            .find(|f| f["kind"] == "enum_value_missing" && f["details"]["rust_type"] == "Mood")
            .expect("the Mood enum's missing variant is reported");
        assert_eq!(enum_finding["details"]["value"], "angry");
        assert_eq!(enum_finding["details"]["sqlstate"], "22P02");
        let insert = "INSERT INTO accounts (email, mood) VALUES ($1, $2) RETURNING id";
        assert_eq!(
            execute(&mut conn, insert, &[V::T("x@example.com"), V::M("angry")])
                .await
                .as_deref(),
            Some("22P02")
        );
        assert_eq!(
            execute(&mut conn, insert, &[V::T("x@example.com"), V::M("happy")]).await,
            None
        );

        // The pending migration's table: once the migrator runs it, the service role cannot
        // read it, as the warning said.
        let warning = findings
            .iter()
            .find(|f| f["kind"] == "privilege_missing" && f["severity"] == "warning")
            .expect("the pending table's warning");
        assert_eq!(warning["table"], "invoices");
        assert_eq!(warning["migration"], 3);
        let dir = fixtures::fixture("privileges-service/migrations");
        c.psql(
            &db.name,
            &format!(
                "SET ROLE \"{}\"; {}",
                roles.migrator,
                std::fs::read_to_string(dir.join("0003_invoices.sql")).unwrap()
            ),
        )
        .expect("the pending migration, run by the migrator");
        assert_eq!(
            execute(&mut conn, "SELECT id, total_cents FROM invoices", &[])
                .await
                .as_deref(),
            Some("42501")
        );
        conn.close().await.unwrap();
    });
}

/// One predicted failure of a statement: the stage's rank, the SQLSTATE, the finding kind.
type Prediction = (u32, Option<String>, String);
