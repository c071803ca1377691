//! Benchmark for query validation: 500 and then 5,000 generated statements (SELECTs with joins
//! and parameters, INSERT/UPDATE/DELETE, rejected ones) described against a throwaway local
//! PostgreSQL, each against a baseline of as many `SELECT 1` round trips on the same
//! connection; prints how the time grows from 500 to 5,000 (linear: 10x). Target: 5,000 in
//! under 10 s. Run through `scripts/bench-describe` (`STATEMENTS=N` for one other count).

use std::time::{Duration, Instant};

use gaps_collector::db::{Session, SessionOptions};
use gaps_collector::querycheck::{CheckOptions, StatementInput, check};

const TABLES: usize = 25;
/// The default counts: the growth from the first to the second shows whether the work is linear.
const COUNTS: [usize; 2] = [500, 5000];
/// The count that has a target, and the target.
const TARGET: (usize, Duration) = (5000, Duration::from_secs(10));

fn main() {
    let counts: Vec<usize> = match std::env::var("STATEMENTS") {
        Ok(n) => vec![n.parse().expect("STATEMENTS is a number")],
        Err(_) => COUNTS.to_vec(),
    };
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
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut took = Vec::new();
    for &n in &counts {
        took.push((n, rt.block_on(run(&db.url, n))));
    }
    if let [(a, ta), (b, tb)] = took[..] {
        let growth = tb.as_secs_f64() / ta.as_secs_f64();
        let linear = b as f64 / a as f64;
        println!(
            "growth from {a} to {b} statements: {growth:.1}x the time for {linear:.0}x the statements ({})",
            if growth <= linear * 1.2 {
                "linear"
            } else {
                "FASTER THAN LINEAR"
            }
        );
    }
    if let Some(&(_, t)) = took.iter().find(|(n, _)| *n == TARGET.0) {
        let met = t < TARGET.1;
        println!(
            "target: {} statements in under {} s: {}",
            TARGET.0,
            TARGET.1.as_secs(),
            if met { "met" } else { "MISSED" }
        );
        if !met {
            std::process::exit(1);
        }
    }
}

/// Statements of every kind, `n` of them.
fn statements(n: usize) -> Vec<StatementInput> {
    (0..n)
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
        .collect()
}

/// Describes `n` statements after `n` trivial round trips; prints both, returns the first.
async fn run(url: &str, n: usize) -> Duration {
    let inputs = statements(n);
    {
        let opts = SessionOptions {
            connect_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
            ..SessionOptions::default()
        };
        let mut session = Session::open(url, &opts).await.expect("session");
        let Some(conn) = session.postgres() else {
            unreachable!()
        };
        let start = Instant::now();
        for _ in 0..n {
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
            "baseline: {n} x SELECT 1 round trip in {:.3} s",
            baseline.as_secs_f64()
        );
        println!(
            "describe: {n} statements in {:.3} s = {:.0} statements/s ({:.1}x the baseline)",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64(),
            took.as_secs_f64() / baseline.as_secs_f64()
        );
        took
    }
}
