//! The health probe against a real HTTP server on 127.0.0.1 (std TcpListener in a thread), one
//! route per outcome, and the health rules on what it recorded.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use gaps_collector::health::probe;
use gaps_core::health::{HealthBody, HealthErrorKind, HealthEvidence};
use gaps_core::migrations::{LocalMigration, LocalMigrations};
use gaps_core::testing;
use gaps_core::{FindingKind, Section, Snapshot};

/// Starts a server answering by path; returns its base URL. It lives for the test process.
fn server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let target = first.split_whitespace().nth(1).unwrap_or("/");
                let path = target.split('?').next().unwrap_or("/").to_string();
                let (status, ctype, body, extra): (&str, &str, String, String) = match path.as_str() {
                    "/healthy" => ("200 OK", "application/json", r#"{"status":"healthy","version":"0.1.0","schema_version":14,"timestamp":"2026-01-09T12:00:00Z"}"#.into(), String::new()),
                    "/old" => ("200 OK", "application/json", r#"{"status":"healthy","schema_version":12}"#.into(), String::new()),
                    "/null" => ("200 OK", "application/json", r#"{"status":"healthy","schema_version":null}"#.into(), String::new()),
                    "/unhealthy" => ("503 Service Unavailable", "application/json", r#"{"status":"unhealthy","schema_version":14,"error":"database unreachable"}"#.into(), String::new()),
                    "/error" => ("500 Internal Server Error", "text/plain", "internal_error".into(), String::new()),
                    "/text" => ("200 OK", "text/html", "<html>OK</html>".into(), "Set-Cookie: session=s3cr3tcookie\r\n".into()),
                    "/loop" => ("302 Found", "text/plain", String::new(), "Location: /loop\r\n".into()),
                    "/redirect" => ("301 Moved Permanently", "text/plain", String::new(), "Location: /healthy\r\n".into()),
                    "/slow" => {
                        std::thread::sleep(Duration::from_secs(5));
                        ("200 OK", "application/json", "{}".into(), String::new())
                    }
                    _ => ("404 Not Found", "text/plain", "no".into(), String::new()),
                };
                let resp = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nServer: test\r\n{extra}Connection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(resp.as_bytes());
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn snapshot_with(h: HealthEvidence) -> Snapshot {
    let mut s = Snapshot::new("0", "2026-01-09T13:00:00Z".into(), Default::default());
    s.health = Section::collected(h);
    s.local_migrations = Section::collected(LocalMigrations {
        directory_source: "flag".into(),
        ..testing::local_migrations(
            [1, 14]
                .iter()
                .map(|v| LocalMigration {
                    size: 1,
                    ..testing::local(*v, "m")
                })
                .collect(),
        )
    });
    s.applied_migrations = Section::collected(testing::applied_migrations(
        [1, 14].iter().map(|v| testing::applied(*v, "m")).collect(),
    ));
    s
}

fn kinds(h: HealthEvidence) -> Vec<FindingKind> {
    gaps_core::rules::analyse(&snapshot_with(h))
        .iter()
        .filter(|f| f.action == "ACTION-006")
        .map(|f| f.kind)
        .collect()
}

const T: Duration = Duration::from_secs(2);

#[test]
fn healthy_endpoint_is_recorded_and_gives_no_finding() {
    let base = server();
    let h = probe(&format!("{base}/healthy"), T);
    assert!(h.reachable);
    assert_eq!(h.status, Some(200));
    assert!(h.latency_ms.is_some());
    assert_eq!(h.headers.get("server").map(String::as_str), Some("test"));
    assert!(matches!(h.body, Some(HealthBody::Json { .. })));
    assert_eq!(kinds(h), []);
}

#[test]
fn unhealthy_status_and_http_500_are_unhealthy() {
    let base = server();
    let h = probe(&format!("{base}/unhealthy"), T);
    assert_eq!(h.status, Some(503));
    assert_eq!(kinds(h), [FindingKind::HealthUnhealthy]);
    let h = probe(&format!("{base}/error"), T);
    assert!(matches!(h.body, Some(HealthBody::Text { .. })));
    assert_eq!(kinds(h), [FindingKind::HealthUnhealthy]);
}

#[test]
fn non_json_body_is_text_and_cookies_are_not_recorded() {
    let base = server();
    let h = probe(&format!("{base}/text"), T);
    match &h.body {
        Some(HealthBody::Text { text, .. }) => assert_eq!(text, "<html>OK</html>"),
        other => panic!("{other:?}"),
    }
    let json = serde_json::to_string(&h).unwrap();
    assert!(!json.contains("s3cr3tcookie") && !json.to_lowercase().contains("set-cookie"));
    // Healthy by HTTP status; no JSON means no schema_version to compare.
    assert_eq!(kinds(h), []);
}

#[test]
fn schema_version_mismatch_names_all_three_versions() {
    let base = server();
    let h = probe(&format!("{base}/old"), T);
    let f = gaps_core::rules::analyse(&snapshot_with(h));
    let m = f
        .iter()
        .find(|f| f.kind == FindingKind::HealthSchemaVersionMismatch)
        .unwrap();
    assert!(m.message.contains("schema_version 12"), "{}", m.message);
    assert!(
        m.message.contains("applied migration is 14"),
        "{}",
        m.message
    );
    assert!(m.message.contains("local migration is 14"), "{}", m.message);
}

#[test]
fn null_schema_version_is_missing() {
    let base = server();
    assert_eq!(
        kinds(probe(&format!("{base}/null"), T)),
        [FindingKind::HealthSchemaVersionMissing]
    );
}

#[test]
fn redirects_are_followed_up_to_the_limit() {
    let base = server();
    let h = probe(&format!("{base}/redirect"), T);
    assert_eq!(h.status, Some(200));
    assert!(h.final_url.as_deref().unwrap().ends_with("/healthy"));
    let h = probe(&format!("{base}/loop"), T);
    assert!(!h.reachable);
    assert_eq!(
        h.error.as_ref().unwrap().kind,
        HealthErrorKind::TooManyRedirects
    );
    assert_eq!(kinds(h), [FindingKind::HealthUnreachable]);
}

#[test]
fn slow_endpoint_times_out() {
    let base = server();
    let started = std::time::Instant::now();
    let h = probe(&format!("{base}/slow"), Duration::from_millis(500));
    assert!(started.elapsed() < Duration::from_secs(4));
    assert!(!h.reachable);
    assert_eq!(h.error.as_ref().unwrap().kind, HealthErrorKind::Timeout);
    assert_eq!(kinds(h), [FindingKind::HealthUnreachable]);
}

#[test]
fn closed_port_is_unreachable() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let h = probe(&format!("http://127.0.0.1:{port}/health"), T);
    assert!(!h.reachable);
    assert_eq!(
        h.error.as_ref().unwrap().kind,
        HealthErrorKind::ConnectionRefused,
        "{:?}",
        h.error
    );
    assert_eq!(kinds(h), [FindingKind::HealthUnreachable]);
}

#[test]
fn health_url_secrets_are_redacted_through_the_binary() {
    let base = server();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.json");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_gaps"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["collect", "--quiet", "--health"])
        .arg(format!("{base}/healthy?token=hunter2hunter2"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("hunter2hunter2"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["health"]["status"], "collected");
    assert_eq!(v["health"]["data"]["status"], 200);
}
