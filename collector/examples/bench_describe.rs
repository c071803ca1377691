//! Benchmark for query validation: 500 generated statements (SELECTs with joins and
//! parameters, INSERT/UPDATE/DELETE, rejected ones) described against a throwaway local
//! PostgreSQL, against a baseline of 500 `SELECT 1` round trips on the same connection.
//! Run through `scripts/bench-describe`.

use std::time::{Duration, Instant};

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};

const TABLES: usize = 25;
const STATEMENTS: usize = 500;

fn main() {
    let c = gaps_tests::pg::cluster();
    let db = c.create_database("bench_describe");
    let mut ddl = String::new();
    for t in 0..TABLES {
        ddl.push_str(&format!(
            "CREATE TABLE t{t} (id bigserial PRIMARY KEY, owner_id bigint, title text NOT NULL, \
             body text, score numeric(10,2), created_at timestamptz NOT NULL DEFAULT now(), \
             tags text[]);\n"
        ));
    }
    c.psql(&db.name, &ddl).expect("schema");
    let inputs: Vec<StatementInput> = (0..STATEMENTS)
        .map(|i| {
            let t = i % TABLES;
            let u = (i + 7) % TABLES;
            let sql = match i % 10 {
                0..=3 => format!(
                    "SELECT a.id, a.title, a.body, a.created_at, b.title AS other\n  FROM t{t} a\n  LEFT JOIN t{u} b ON b.id = a.owner_id\n WHERE a.id = $1 AND a.score > $2 -- {i}"
                ),
                4 => format!("SELECT count(*) AS n, max(score) FROM t{t} WHERE owner_id = ANY($1) -- {i}"),
                5 => format!("INSERT INTO t{t} (owner_id, title, body) VALUES ($1, $2, $3) RETURNING id -- {i}"),
                6 => format!("UPDATE t{t} SET body = $1 WHERE id = $2 -- {i}"),
                7 => format!("DELETE FROM t{t} WHERE id = $1 -- {i}"),
                8 => format!("SELECT id, missing_{i} FROM t{t}"),
                _ => format!("SELECT id FROM no_such_table_{i}"),
            };
            StatementInput {
                file: format!("src/gen_{}.rs", i / 50),
                line: (i % 50) as u32 * 10 + 1,
                sql: Some(sql),
                ..StatementInput::default()
            }
        })
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let opts = SessionOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            ..SessionOptions::default()
        };
        let mut session = Session::open(&db.url, &opts).await.expect("session");
        let Some(conn) = session.postgres() else {
            unreachable!()
        };
        let start = Instant::now();
        for _ in 0..STATEMENTS {
            sqlx::raw_sql("SELECT 1").execute(&mut *conn).await.unwrap();
        }
        let baseline = start.elapsed();
        let start = Instant::now();
        let checks = check(
            &mut session,
            &inputs,
            &CheckOptions {
                timeout: Duration::from_secs(5),
                offline_dir: None,
                source_scanned: false,
                ..CheckOptions::default()
            },
        )
        .await
        .expect("check");
        let took = start.elapsed();
        session.close().await;
        let c = checks.counts;
        println!(
            "statements: {} (ok {}, rejected {}, not checkable {})",
            c.total, c.ok, c.rejected, c.not_checkable
        );
        println!(
            "baseline: {STATEMENTS} x SELECT 1 round trip in {:.3} s",
            baseline.as_secs_f64()
        );
        println!(
            "describe: {STATEMENTS} statements in {:.3} s = {:.0} statements/s ({:.1}x the baseline)",
            took.as_secs_f64(),
            STATEMENTS as f64 / took.as_secs_f64(),
            took.as_secs_f64() / baseline.as_secs_f64()
        );
        let target = Duration::from_secs(5);
        println!(
            "target: under {} s: {}",
            target.as_secs(),
            if took < target { "met" } else { "MISSED" }
        );
        if took >= target {
            std::process::exit(1);
        }
    });
}
