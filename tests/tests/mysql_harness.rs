//! The throwaway MariaDB server starts, creates databases and records statements in its
//! general log.

use gaps_tests::mysql;

#[test]
fn server_starts_and_logs_statements_per_user() {
    let s = mysql::server();
    let db = s.create_database("harness");
    s.sql(&db.name, "CREATE TABLE t (id INT PRIMARY KEY)")
        .expect("create table");
    s.sql(
        "",
        &format!(
            "CREATE USER 'harness_reader'@'127.0.0.1'; GRANT SELECT ON `{}`.* TO 'harness_reader'@'127.0.0.1'",
            db.name
        ),
    )
    .expect("create user");
    s.enable_general_log().expect("general log");
    let out = std::process::Command::new("mariadb")
        .args([
            "--no-defaults",
            "-h127.0.0.1",
            "-uharness_reader",
            "--batch",
            "--skip-column-names",
        ])
        .arg(format!("-P{}", s.port()))
        .arg(&db.name)
        .args(["-e", "SELECT COUNT(*)\nFROM t"])
        .output()
        .expect("run client");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
    let logged = s.logged_statements_of("harness_reader").expect("read log");
    assert!(
        logged.iter().any(|q| q == "SELECT COUNT(*)\nFROM t"),
        "statement not in the general log: {logged:?}"
    );
    assert!(
        !logged.iter().any(|q| q.contains("CREATE TABLE")),
        "root's statements leaked into the reader's: {logged:?}"
    );
}
