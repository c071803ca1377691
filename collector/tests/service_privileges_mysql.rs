//! The checks that apply on MySQL/MariaDB, against a throwaway MariaDB: the account's grants
//! (read with `SHOW GRANTS`, as the servers show grants only to the account itself), a NOT
//! NULL column an INSERT leaves out in strict mode (unless a BEFORE INSERT trigger fills it,
//! or the INSERT is IGNORE), and a literal written to an inline ENUM that lacks it. gaps
//! collects as the service account; every statement is then executed as that account in a
//! transaction that is rolled back, and fails exactly as predicted or not for a schema,
//! privilege or setting reason. The general log shows collect sent only reads.

mod common;

use std::collections::BTreeMap;

use gaps_tests::{fixtures, mysql};
use serde_json::Value;
use sqlx::{Connection, MySqlConnection};

#[derive(Debug, Clone, Copy)]
enum V {
    I(i32),
    T(&'static str),
}

const BINDS: &[(&str, &[V])] = &[
    ("SELECT id, customer, status FROM orders", &[V::I(1)]),
    (
        "INSERT INTO orders (customer, status) VALUES (?, ?)",
        &[V::T("ann"), V::T("new")],
    ),
    ("INSERT INTO orders (note) VALUES", &[V::T("hi")]),
    ("INSERT IGNORE INTO orders (note)", &[V::T("hi")]),
    ("VALUES (?, 'shipped')", &[V::T("bob")]),
    ("SET status = 'refunded'", &[V::I(1)]),
    ("SET status = 'paid'", &[V::I(1)]),
    ("INSERT INTO audit (id)", &[V::I(5)]),
    ("SELECT amount FROM ledger", &[V::I(1)]),
    ("INSERT INTO ledger", &[V::I(2), V::I(10)]),
    ("UPDATE ledger SET amount", &[V::I(20), V::I(1)]),
];

fn binds_for(sql: &str) -> &'static [V] {
    BINDS
        .iter()
        .filter(|(k, _)| sql.contains(k))
        .max_by_key(|(k, _)| k.len())
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no parameters listed for the fixture statement {sql:?}"))
}

/// MySQL error numbers about the schema, privileges or settings: a statement gaps predicted
/// nothing for must not fail with one of these.
const SCHEMA_PRIVILEGE_SETTING: &[u16] = &[1142, 1143, 1146, 1054, 1364, 1265, 1048, 1044];

async fn execute(conn: &mut MySqlConnection, sql: &str, binds: &[V]) -> Option<(String, u16)> {
    let mut tx = conn.begin().await.expect("BEGIN");
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = match *b {
            V::I(i) => q.bind(i),
            V::T(t) => q.bind(t),
        };
    }
    let result = q.execute(&mut *tx).await;
    tx.rollback().await.expect("ROLLBACK");
    match result {
        Ok(_) => None,
        Err(sqlx::Error::Database(e)) => {
            let state = e.code().map(|c| c.to_string()).unwrap_or_default();
            let number = e
                .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                .map(|m| m.number())
                .unwrap_or(0);
            Some((state, number))
        }
        Err(other) => panic!("executing {sql:?}: {other}"),
    }
}

#[test]
fn every_predicted_error_is_the_error_the_account_gets_and_no_other_fails() {
    let s = mysql::server();
    let db = s.create_database("service_privileges");
    let dir = fixtures::fixture("privileges-service-mysql");
    s.sql_file(&db.name, &dir.join("migrations/0001_orders.sql"))
        .expect("schema");
    let user = format!("svc_{}", std::process::id());
    s.sql(
        &db.name,
        &format!(
            "CREATE TRIGGER audit_fill BEFORE INSERT ON audit FOR EACH ROW \
             SET NEW.msg = COALESCE(NEW.msg, 'auto');\n\
             INSERT INTO orders (customer) VALUES ('seed');\n\
             INSERT INTO ledger VALUES (1, 100);\n\
             CREATE USER '{user}'@'%' IDENTIFIED BY 'svcpw';\n\
             GRANT SELECT, INSERT, UPDATE ON `{d}`.orders TO '{user}'@'%';\n\
             GRANT INSERT ON `{d}`.ledger TO '{user}'@'%';\n\
             GRANT SELECT, INSERT ON `{d}`.audit TO '{user}'@'%';",
            d = db.name
        ),
    )
    .expect("trigger, rows and the service account");
    s.enable_general_log().expect("general log on");
    for no_describe in [false, true] {
        let before = s.logged_statements_of(&user).expect("general log").len();
        let work = tempfile::tempdir().unwrap();
        let out = work.path().join("snap.json");
        let url = db.url_as(&user, Some("svcpw"));
        let collected = common::gaps(
            work.path(),
            &[
                "collect",
                "--database-url",
                &url,
                "--source",
                dir.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "-q",
            ]
            .into_iter()
            .chain(no_describe.then_some("--no-describe"))
            .collect::<Vec<_>>(),
        );
        assert!(
            common::code(&collected) <= 1,
            "{}",
            common::stderr(&collected)
        );
        let sent = s.logged_statements_of(&user).expect("general log")[before..].to_vec();
        assert!(sent.iter().any(|q| q.contains("SHOW GRANTS")), "{sent:#?}");
        for q in &sent {
            let code: String = q
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n");
            for part in code.split(';').filter(|p| !p.trim().is_empty()) {
                let kw = part
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty() && !l.starts_with("--"))
                    .and_then(|l| l.split_whitespace().next())
                    .unwrap_or("")
                    .to_ascii_uppercase();
                assert!(
                    ["SELECT", "SET", "START", "ROLLBACK", "SHOW"].contains(&kw.as_str()),
                    "collect sent a statement that is not a read: {q}"
                );
            }
        }
        let snap: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        let service = &snap["service"]["data"];
        assert_eq!(service["tables"]["status"], "collected", "{service:#}");
        assert!(
            service["write_hooks"]["data"]["sql_mode"]
                .as_str()
                .unwrap()
                .contains("STRICT_TRANS_TABLES")
        );
        assert_eq!(service["settings"]["status"], "skipped");

        let check = common::gaps(
            work.path(),
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
            "insert_missing_not_null",
            "enum_value_missing",
        ];
        let mut predicted: BTreeMap<(String, u64), Vec<Prediction>> = BTreeMap::new();
        for f in findings {
            let kind = f["kind"].as_str().unwrap();
            if !ours.contains(&kind) {
                continue;
            }
            predicted
                .entry((
                    f["file"].as_str().unwrap().into(),
                    f["line"].as_u64().unwrap(),
                ))
                .or_default()
                .push((
                    f["details"]["sqlstate"].as_str().unwrap().to_string(),
                    f["details"]["error_number"].as_u64().unwrap_or(0),
                    kind.to_string(),
                ));
        }
        // With --no-describe there are no statements here.
        for st in snap["query_checks"]["data"]["statements"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if st["outcome"]["status"] == "rejected" {
                predicted
                    .entry((
                        st["file"].as_str().unwrap().into(),
                        st["line"].as_u64().unwrap(),
                    ))
                    .or_default()
                    .push((
                        st["outcome"]["sqlstate"].as_str().unwrap().to_string(),
                        0,
                        "query_invalid".into(),
                    ));
            }
        }
        let line_of = |needle: &str| -> (String, u64) {
            let q = snap["code"]["data"]["queries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|q| q["sql"].as_str().is_some_and(|s| s.contains(needle)))
                .unwrap_or_else(|| panic!("no statement {needle}"));
            (
                q["file"].as_str().unwrap().into(),
                q["line"].as_u64().unwrap(),
            )
        };
        for (needle, kind, number) in [
            (
                "INSERT INTO orders (note) VALUES",
                "insert_missing_not_null",
                1364,
            ),
            ("VALUES (?, 'shipped')", "enum_value_missing", 1265),
            ("SET status = 'refunded'", "enum_value_missing", 1265),
            // Connected as the account, the server refuses to prepare what it may not run: the
            // database's verdict (query_invalid) comes first; without Describe, gaps predicts it.
            (
                "UPDATE ledger SET amount",
                if no_describe {
                    "privilege_missing"
                } else {
                    "query_invalid"
                },
                if no_describe { 1142 } else { 0 },
            ),
            (
                "SELECT amount FROM ledger",
                if no_describe {
                    "privilege_missing"
                } else {
                    "query_invalid"
                },
                if no_describe { 1142 } else { 0 },
            ),
        ] {
            let got = predicted.get(&line_of(needle)).cloned().unwrap_or_default();
            assert!(
                got.iter().any(|(_, n, k)| k == kind && *n == number),
                "{needle}: expected {kind} {number}, got {got:?}"
            );
        }
        for needle in [
            "INSERT IGNORE INTO orders",
            "INSERT INTO audit (id)",
            "SET status = 'paid'",
            "INSERT INTO ledger",
            "INSERT INTO orders (customer, status) VALUES (?, ?)",
        ] {
            assert!(
                !predicted.contains_key(&line_of(needle)),
                "{needle}: {:?}",
                predicted.get(&line_of(needle))
            );
        }

        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut conn = MySqlConnection::connect(&url)
                .await
                .expect("connect as the account");
            let mut executed = 0;
            for q in snap["code"]["data"]["queries"].as_array().unwrap() {
                let Some(sql) = q["sql"].as_str() else {
                    continue;
                };
                let key = (
                    q["file"].as_str().unwrap().to_string(),
                    q["line"].as_u64().unwrap(),
                );
                let got = execute(&mut conn, sql, binds_for(sql)).await;
                executed += 1;
                match predicted.get(&key) {
                    Some(p) => {
                        let (state, number) = got.clone().unwrap_or_else(|| {
                            panic!("{key:?} {sql}: gaps predicted {p:?}, it succeeded")
                        });
                        assert!(
                            p.iter().any(
                                |(s, n, _)| *s == state && (*n == 0 || *n == u64::from(number))
                            ),
                            "{key:?} {sql}: gaps predicted {p:?}, it failed with {state} ({number})"
                        );
                    }
                    None => assert!(
                        got.as_ref()
                            .is_none_or(|(_, n)| !SCHEMA_PRIVILEGE_SETTING.contains(n)),
                        "{key:?} {sql}: gaps predicted no error, it failed with {got:?}"
                    ),
                }
            }
            assert!(executed >= 11, "only {executed} statements executed");
            conn.close().await.unwrap();
        });
    }
}

#[test]
fn another_account_s_privileges_are_recorded_as_unreadable_not_as_absent() {
    let s = mysql::server();
    let db = s.create_database("service_other_account");
    let dir = fixtures::fixture("privileges-service-mysql");
    s.sql_file(&db.name, &dir.join("migrations/0001_orders.sql"))
        .expect("schema");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("snap.json");
    let collected = common::gaps(
        work.path(),
        &[
            "collect",
            "--database-url",
            &db.url,
            "--source",
            dir.to_str().unwrap(),
            "--service-role",
            "someone_else",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
    );
    // Partial: a part of the service evidence could not be read.
    assert_eq!(
        common::code(&collected),
        1,
        "{}",
        common::stderr(&collected)
    );
    let snap: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let tables = &snap["service"]["data"]["tables"];
    assert_eq!(tables["status"], "failed");
    assert!(
        tables["error"]["message"]
            .as_str()
            .unwrap()
            .contains("connecting account only"),
        "{tables}"
    );
    let check = common::gaps(
        work.path(),
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
    assert!(!findings.iter().any(|f| f["kind"] == "privilege_missing"));
    assert!(findings.iter().any(|f| f["kind"] == "evidence_incomplete"
        && f["message"].as_str().unwrap().contains("table privileges")));
    // The checks that need no privilege still run.
    assert!(
        findings
            .iter()
            .any(|f| f["kind"] == "insert_missing_not_null")
    );
}

/// One predicted failure of a statement: its SQLSTATE, MySQL error number and finding kind.
type Prediction = (String, u64, String);
