//! The harness itself works: the cluster starts, databases are separate, and statements are
//! logged per database.

use gaps_tests::pg;

#[test]
fn cluster_runs_sql_and_logs_it_per_database() {
    let c = pg::cluster();
    let a = c.create_database("harness_a");
    let b = c.create_database("harness_b");
    c.psql(&a.name, "CREATE TABLE t (id int); SELECT 42")
        .unwrap();
    assert_eq!(
        c.psql(
            &b.name,
            "SELECT count(*) FROM pg_tables WHERE tablename = 't'"
        )
        .unwrap()
        .trim(),
        "0"
    );
    let logged = c.logged_statements(&a.name);
    assert!(
        logged.iter().any(|s| s.contains("CREATE TABLE t")),
        "{logged:?}"
    );
    assert!(
        c.logged_statements(&b.name)
            .iter()
            .all(|s| !s.contains("CREATE TABLE"))
    );
}
