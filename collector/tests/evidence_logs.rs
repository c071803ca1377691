//! `gaps collect --logs`: every fixture layout classified through the real binary, with the
//! identifiers kept, secrets redacted, and bad input (gzip cut short, invalid UTF-8, a 100 KB
//! line, a missing file) counted rather than fatal.

use std::path::Path;
use std::process::Command;

use gaps_tests::fixtures::fixture;
use serde_json::Value;

/// `gaps collect --quiet` in `dir`, with no database (DATABASE_URL removed); the caller adds
/// the rest.
fn gaps_collect(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gaps"));
    cmd.current_dir(dir)
        .env_remove("DATABASE_URL")
        .args(["collect", "--quiet"]);
    cmd
}

/// Runs `gaps collect` with only log inputs (no database) and returns the snapshot, the exit
/// code and the snapshot text.
fn collect(extra: &[&str], logs: &[&Path]) -> (Value, i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let mut cmd = gaps_collect(dir.path());
    cmd.arg("--out").arg(&out).args(extra);
    for l in logs {
        cmd.arg("--logs").arg(l);
    }
    let o = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let text =
        std::fs::read_to_string(&out).unwrap_or_else(|e| panic!("no snapshot: {e}\n{stderr}"));
    (
        serde_json::from_str(&text).unwrap(),
        o.status.code().unwrap_or(-1),
        text,
    )
}

fn logs(snap: &Value) -> &Value {
    assert_eq!(snap["logs"]["status"], "collected", "{}", snap["logs"]);
    &snap["logs"]["data"]
}

fn sig<'a>(snap: &'a Value, key: &str) -> &'a Value {
    let all = logs(snap)["signatures"].as_array().unwrap();
    all.iter().find(|s| s["key"] == key).unwrap_or_else(|| {
        let keys: Vec<&Value> = all.iter().map(|s| &s["key"]).collect();
        panic!("no signature {key}; have {keys:?}")
    })
}

#[test]
fn fly_logs_are_grouped_with_identifiers_instances_regions_and_paths() {
    let (snap, _, text) = collect(&[], &[&fixture("logs/fly.log")]);
    let input = &logs(&snap)["inputs"][0];
    assert_eq!(input["format"], "fly");
    assert_eq!(input["lines"], 12);
    let t = sig(&snap, "undefined_table:42P01:focus_pause_state");
    assert_eq!(t["count"], 2);
    assert_eq!(t["table"], "focus_pause_state");
    assert_eq!(t["first_seen"], "2026-01-09T12:01:00Z");
    assert_eq!(t["last_seen"], "2026-01-09T12:02:00Z");
    assert_eq!(t["regions"].as_array().unwrap().len(), 2);
    assert_eq!(t["instances"].as_array().unwrap().len(), 2);
    assert_eq!(t["paths"][0]["name"], "/api/focus/pause");
    assert_eq!(t["paths"][0]["count"], 2);
    assert!(!t["series"].as_array().unwrap().is_empty());
    let c = sig(&snap, "undefined_column:42703:users:nickname");
    assert_eq!(c["column"], "nickname");
    assert_eq!(
        sig(&snap, "pool_timeout")["paths"][0]["name"],
        "/api/quests"
    );
    assert_eq!(
        sig(&snap, "prepared_statement_exists:42P05:sqlx_s_1")["category"],
        "pooler"
    );
    assert_eq!(
        sig(&snap, "authentication_failed:28P01:ignition_api")["count"],
        1
    );
    let kinds: Vec<&Value> = logs(&snap)["migration_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["kind"])
        .collect();
    assert_eq!(kinds, ["migration_check", "schema_up_to_date"]);
    // The info-level sqlx query line and the health request are not database errors.
    assert_eq!(input["classified_lines"], 8);
    // Secrets on the lines never reach the snapshot.
    for secret in ["Sup3rS3cretPw", "tok_abcdef123456", "eyJhbGciOiJIUzI1NiJ9"] {
        assert!(!text.contains(secret), "{secret} leaked into the snapshot");
    }
}

#[test]
fn json_lines_from_tracing_and_fly_are_classified() {
    let (snap, _, _) = collect(&[], &[&fixture("logs/json.log")]);
    assert_eq!(logs(&snap)["inputs"][0]["format"], "json");
    let m = sig(&snap, "migration_failed:focus_pause_state:14");
    assert_eq!(m["migration"], 14);
    let t = sig(&snap, "type_mismatch:xp_total:i32:INT8");
    assert_eq!(t["rust_type"], "i32");
    assert_eq!(t["sql_type"], "INT8");
    assert_eq!(t["paths"][0]["name"], "/api/wallet");
    assert_eq!(
        sig(&snap, "column_not_found:streak_days")["column"],
        "streak_days"
    );
    let n = sig(&snap, "unexpected_null:ended_at");
    assert_eq!(n["instances"][0]["name"], "148e272a");
    assert_eq!(n["regions"][0]["name"], "iad");
}

#[test]
fn tracing_and_env_logger_text_is_classified() {
    let (snap, _, _) = collect(&[], &[&fixture("logs/text.log")]);
    assert_eq!(logs(&snap)["inputs"][0]["format"], "text");
    for key in [
        "connection_refused",
        "connection_reset",
        "tls",
        "statement_timeout:57014",
        "deadlock:40P01",
        "read_only_transaction:25006:INSERT",
        "permission_denied:42501:platform_settings",
        "unique_violation:23505:users_email_key",
        "foreign_key_violation:23503:habit_completions:habit_completions_habit_id_fkey",
        "prepared_statement_missing:26000:sqlx_s_7",
        "migrations_applied",
    ] {
        assert_eq!(sig(&snap, key)["count"], 1, "{key}");
    }
    assert_eq!(logs(&snap)["migration_events"][0]["applied"], 2);
}

#[test]
fn postgres_server_logs_are_detected_and_classified() {
    let (snap, _, _) = collect(&[], &[&fixture("logs/postgres.log")]);
    assert_eq!(logs(&snap)["inputs"][0]["format"], "postgres");
    assert_eq!(
        sig(&snap, "undefined_table:42P01:focus_pause_state")["first_seen"],
        "2026-01-09T12:00:01Z"
    );
    assert_eq!(
        sig(&snap, "undefined_column:42703:paused_at")["column"],
        "paused_at"
    );
    assert_eq!(sig(&snap, "too_many_connections:53300")["count"], 1);
    sig(&snap, "authentication_failed:28P01:ignition_api");
    sig(&snap, "prepared_statement_exists:42P05:sqlx_s_1");
    let other = sig(
        &snap,
        "other_database_error:22P02:invalid input syntax for type uuid: \"?\"",
    );
    assert_eq!(other["sqlstate"], "22P02");
}

#[test]
fn forced_format_overrides_detection() {
    let (snap, _, _) = collect(&["--log-format", "text"], &[&fixture("logs/fly.log")]);
    let input = &logs(&snap)["inputs"][0];
    assert_eq!(input["format"], "text");
    assert_eq!(input["format_forced"], true);
    // As plain text the Fly instance is not known, but the identifier still is.
    let t = sig(&snap, "undefined_table:42P01:focus_pause_state");
    assert!(t["instances"].as_array().unwrap().is_empty());
}

#[test]
fn gzip_is_read_transparently_and_gives_the_same_signatures() {
    let (plain, _, _) = collect(&[], &[&fixture("logs/fly.log")]);
    let (gz, _, _) = collect(&[], &[&fixture("logs/fly.log.gz")]);
    assert_eq!(logs(&gz)["inputs"][0]["compressed"], true);
    assert_eq!(
        logs(&gz)["inputs"][0]["lines"],
        logs(&plain)["inputs"][0]["lines"]
    );
    let keys = |s: &Value| -> Vec<Value> {
        logs(s)["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["key"].clone())
            .collect()
    };
    assert_eq!(keys(&gz), keys(&plain));
}

#[test]
fn truncated_gzip_keeps_what_was_read_and_says_it_was_cut() {
    let (snap, code, _) = collect(&[], &[&fixture("logs/truncated.log.gz")]);
    let input = &logs(&snap)["inputs"][0];
    assert!(
        input["error"].as_str().unwrap().contains("truncated"),
        "{input}"
    );
    assert!(input["lines"].as_u64().unwrap() > 100, "{input}");
    sig(&snap, "undefined_table:42P01:before_cut");
    assert!(
        logs(&snap)["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["table"] != "never_reached")
    );
    assert_eq!(
        code, 1,
        "a partly read log input is recorded (not a failed section) and the run is partial"
    );
}

#[test]
fn invalid_utf8_and_a_100_kb_line_are_counted_not_fatal() {
    let (snap, _, _) = collect(
        &[],
        &[
            &fixture("logs/invalid-utf8.log"),
            &fixture("logs/long-line.log"),
        ],
    );
    let inputs = logs(&snap)["inputs"].as_array().unwrap();
    assert_eq!(inputs[0]["invalid_utf8_lines"], 1);
    assert_eq!(inputs[0]["lines"], 2);
    assert_eq!(inputs[1]["long_lines"], 1);
    assert_eq!(inputs[1]["lines"], 2);
    sig(&snap, "undefined_table:42P01:latin1_table");
    sig(&snap, "undefined_table:42P01:after_long_line");
    assert_eq!(sig(&snap, "migration_check")["count"], 1);
}

#[test]
fn stdin_is_read_with_dash() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let mut child = gaps_collect(dir.path())
        .args(["--logs", "-", "--out"])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"FATAL:  sorry, too many clients already\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let snap: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(logs(&snap)["inputs"][0]["name"], "-");
    sig(&snap, "too_many_connections:53300");
}

#[test]
fn a_missing_log_file_fails_the_section_naming_the_file() {
    let (snap, code, _) = collect(&[], &[Path::new("/nonexistent/gaps-test.log")]);
    assert_eq!(snap["logs"]["status"], "failed");
    assert!(
        snap["logs"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent/gaps-test.log")
    );
    assert_eq!(code, 1);
}

#[test]
fn collected_log_signatures_become_findings() {
    let (_, _, text) = collect(&[], &[&fixture("logs/fly.log")]);
    let s = gaps_core::Snapshot::from_json(&text).unwrap();
    let f = gaps_core::rules::analyse(&s);
    use gaps_core::FindingKind as K;
    assert!(f.iter().any(|f| f.kind == K::LogDatabaseError
        && f.table.as_deref() == Some("focus_pause_state")
        && f.details["count"] == 2));
    assert!(f.iter().any(|f| f.kind == K::LogPoolExhaustion));
    assert!(f.iter().any(|f| f.kind == K::LogPoolerIncompatibility));
}

/// `--jobs N` reads several inputs at once; the logs section is the same for every N (inputs in
/// the order given, signatures, samples, series, migration events). That merging inputs read
/// apart gives what one analyzer reading them in turn gives is checked in core's scan tests.
#[test]
fn jobs_read_several_files_at_once_with_the_same_evidence_as_one() {
    let dir = tempfile::tempdir().unwrap();
    // A generated file with enough signatures and a long span that its series widens.
    let mut many = String::new();
    for i in 0..3000 {
        many.push_str(&format!(
            "2026-02-{:02}T{:02}:00:00Z app[{}] ams [info] database_error: error returned from database: relation \"t{}\" does not exist\n",
            1 + i / 24 % 28,
            i % 24,
            i % 5,
            i % 40,
        ));
    }
    let generated = dir.path().join("many.log");
    std::fs::write(&generated, many).unwrap();
    let files = [
        fixture("logs/fly.log"),
        fixture("logs/json.log"),
        generated,
        fixture("logs/postgres.log"),
        fixture("logs/fly.log.gz"),
        fixture("logs/text.log"),
        fixture("logs/invalid-utf8.log"),
    ];
    let files: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let (one, code, _) = collect(&["--jobs", "1"], &files);
    assert_eq!(code, 0);
    let one = logs(&one).clone();
    let names: Vec<&str> = one["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    let given: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(names, given);
    assert!(one["signatures"].as_array().unwrap().len() > 40);
    for jobs in ["2", "3", "8"] {
        for _ in 0..3 {
            let (snap, _, _) = collect(&["--jobs", jobs], &files);
            assert_eq!(logs(&snap), &one, "--jobs {jobs} differs from --jobs 1");
        }
    }
    let (default, _, _) = collect(&[], &files);
    assert_eq!(logs(&default), &one);
}

#[test]
fn zero_jobs_is_refused_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let o = gaps_collect(dir.path())
        .args(["--jobs", "0", "--logs"])
        .arg(fixture("logs/fly.log"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--jobs"));
    assert!(!dir.path().join("gaps-snapshot.json").exists());
}

/// Waits for `child` at most `limit`; kills it and fails the test past that.
fn wait_at_most(child: &mut std::process::Child, limit: std::time::Duration) -> i32 {
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("gaps collect still running {limit:?} after it started");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `fly logs | gaps collect --logs -`: a stream that never ends is read until the deadline,
/// the lines sent before are classified, and the input says where it stopped (partial, 1).
#[test]
fn a_log_stream_that_never_ends_is_read_until_the_deadline() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let started = std::time::Instant::now();
    let mut child = gaps_collect(dir.path())
        .args(["--deadline", "3", "--logs", "-", "--out"])
        .arg(&out)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(&std::fs::read(fixture("logs/fly.log")).unwrap())
        .unwrap();
    stdin.flush().unwrap();
    // The pipe stays open (as `fly logs` keeps it) until gaps has finished.
    let code = wait_at_most(&mut child, std::time::Duration::from_secs(20));
    let took = started.elapsed();
    drop(stdin);
    assert_eq!(code, 1, "a stopped input makes the snapshot partial");
    assert!(took >= std::time::Duration::from_secs(3), "{took:?}");
    let snap: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let input = &logs(&snap)["inputs"][0];
    assert_eq!(input["name"], "-");
    assert_eq!(input["lines"], 12, "{input}");
    let error = input["error"].as_str().unwrap();
    assert!(
        error.contains("stopped at the --deadline of 3s") && error.contains("were classified"),
        "{error}"
    );
    // The same evidence as the file read whole (named `-` here).
    let file = fixture("logs/fly.log");
    let (whole, _, _) = collect(&[], &[&file]);
    let whole = logs(&whole)["signatures"]
        .to_string()
        .replace(&format!("\"{}\"", file.display()), "\"-\"");
    assert_eq!(
        logs(&snap)["signatures"].to_string(),
        whole,
        "the lines sent before the deadline are classified as usual"
    );
}

/// A FIFO that a writer holds open without writing is a stream too: it stops at the deadline,
/// and a regular file beside it is read whole.
#[test]
fn a_fifo_held_open_stops_at_the_deadline_and_the_other_inputs_are_read() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("app.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    let (release, held) = std::sync::mpsc::channel::<()>();
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        // Opening for writing waits until gaps opens the FIFO for reading.
        let mut w = std::fs::OpenOptions::new()
            .write(true)
            .open(writer_path)
            .unwrap();
        w.write_all(b"FATAL:  sorry, too many clients already\n")
            .unwrap();
        let _ = held.recv();
    });
    let out = dir.path().join("snap.json");
    let mut child = gaps_collect(dir.path())
        .args(["--deadline", "2", "--jobs", "2", "--out"])
        .arg(&out)
        .arg("--logs")
        .arg(&fifo)
        .arg("--logs")
        .arg(fixture("logs/fly.log"))
        .spawn()
        .unwrap();
    let code = wait_at_most(&mut child, std::time::Duration::from_secs(20));
    release.send(()).unwrap();
    writer.join().unwrap();
    assert_eq!(code, 1);
    let snap: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let inputs = logs(&snap)["inputs"].as_array().unwrap();
    let error = inputs[0]["error"].as_str().unwrap();
    assert!(error.contains("stopped at the --deadline of 2s"), "{error}");
    assert_eq!(inputs[0]["lines"], 1);
    assert!(inputs[1]["error"].is_null(), "{}", inputs[1]);
    assert_eq!(inputs[1]["lines"], 12);
    sig(&snap, "too_many_connections:53300");
    sig(&snap, "undefined_table:42P01:focus_pause_state");
}
