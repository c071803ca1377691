//! Test support: snapshot fixtures, a report-like page builder and a minimal WebDriver client
//! for chromedriver + headless Chromium (loopback only).
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gaps_core::Section;
use gaps_core::code::ExpectedSchema;
use gaps_core::code::expected::ReplayedMigration;
use gaps_core::snapshot::Snapshot;
use gaps_core::testing::{applied, col, index, schema, snapshot_of, table};
use serde_json::{Value, json};

/// staging: users(id bigint, email), legacy(id)
pub fn snapshot_before() -> Snapshot {
    snapshot_of(
        "staging",
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
        vec![applied(1, "create users")],
    )
}

/// production: users(id integer, email, nick, index on nick), todos(id)
pub fn snapshot_after() -> Snapshot {
    let mut users = table(
        "users",
        vec![
            col(1, "id", "integer", false),
            col(2, "email", "text", false),
            col(3, "nick", "text", true),
        ],
    );
    users
        .indexes
        .push(index("users_nick_idx", &["nick"], false, None));
    snapshot_of(
        "production </script><b>x</b>",
        vec![users, table("todos", vec![col(1, "id", "bigint", false)])],
        vec![applied(1, "create users"), applied(2, "add todos")],
    )
}

/// after deploy: production plus orders, email nullable
pub fn snapshot_deploy() -> Snapshot {
    snapshot_of(
        "after deploy",
        vec![
            table(
                "users",
                vec![
                    col(1, "id", "integer", false),
                    col(2, "email", "text", true),
                    col(3, "nick", "text", true),
                ],
            ),
            table("todos", vec![col(1, "id", "bigint", false)]),
            table("orders", vec![col(1, "id", "bigint", false)]),
        ],
        vec![
            applied(1, "create users"),
            applied(2, "add todos"),
            applied(3, "add orders"),
        ],
    )
}

/// One snapshot whose migrations create users(id, email) and todos(id), while the live users
/// lacks email and has an unexpected column.
pub fn snapshot_expected() -> Snapshot {
    let mut s = snapshot_of(
        "staging",
        vec![
            table(
                "users",
                vec![col(1, "id", "bigint", false), col(2, "nick", "text", true)],
            ),
            table("todos", vec![col(1, "id", "bigint", false)]),
        ],
        vec![applied(1, "create users")],
    );
    s.expected_schema = Section::collected(ExpectedSchema {
        schema: schema(vec![
            table(
                "users",
                vec![
                    col(1, "id", "bigint", false),
                    col(2, "email", "text", false),
                ],
            ),
            table("todos", vec![col(1, "id", "bigint", false)]),
        ]),
        migrations: vec![ReplayedMigration {
            version: 1,
            file: "0001_create_users.sql".into(),
            statements: 2,
            not_modelled: 0,
        }],
        ..ExpectedSchema::default()
    });
    s
}

pub fn snapshots_json() -> String {
    let snaps = [snapshot_before(), snapshot_after(), snapshot_deploy()];
    with_findings(&snaps)
}

/// `{"snapshots": [...], "findings": [[...], ...]}` as the report embeds it.
pub fn with_findings(snaps: &[Snapshot]) -> String {
    let findings: Vec<_> = snaps.iter().map(gaps_core::rules::analyse).collect();
    json!({"snapshots": snaps, "findings": findings}).to_string()
}

/// Escapes JSON for a `<script type="application/json">` element.
pub fn embed_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Writes a page like the report's: mount point, data element, glue and bootstrap inline under
/// `default-src 'none'; script-src 'sha256-…' 'sha256-…' 'wasm-unsafe-eval'`.
pub fn page(dir: &Path, name: &str, data_json: &str) -> PathBuf {
    let assets = gaps_site::wasm::viewer_assets().expect("committed viewer assets");
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src {csp}\">\
<title>viewer test</title></head><body>\
<div id=\"gaps-diff-app\"></div>\
<script type=\"application/json\" id=\"gaps-data\">{data}</script>\
<script>{glue}</script><script>{boot}</script></body></html>\n",
        csp = assets.csp_script_sources(),
        data = embed_json(data_json),
        glue = assets.glue_js,
        boot = assets.bootstrap_js,
    );
    let path = dir.join(name);
    std::fs::write(&path, html).unwrap();
    path
}

/// Writes a page that packs its data as the report does: the gzip+base64 block, the empty
/// `gaps-data` element the loader fills, the loader, glue and bootstrap inline under a hash-only
/// CSP (the viewer then mounts on the unpacked bytes).
pub fn packed_page(dir: &Path, name: &str, data_json: &str) -> PathBuf {
    let assets = gaps_site::wasm::viewer_assets().expect("committed viewer assets");
    let loader = gaps_site::embed::LOADER_JS;
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src {loader_hash} {csp}\">\
<title>viewer test</title></head><body>\
<div id=\"gaps-diff-app\"></div>\
{packed}{json}\
<script>{loader}</script><script>{glue}</script><script>{boot}</script></body></html>\n",
        loader_hash = gaps_site::wasm::csp_hash(loader),
        csp = assets.csp_script_sources(),
        packed = gaps_site::page::packed_data_block(&gaps_site::embed::pack(data_json)),
        json = gaps_site::page::JSON_DATA_BLOCK,
        glue = assets.glue_js,
        boot = assets.bootstrap_js,
    );
    let path = dir.join(name);
    std::fs::write(&path, html).unwrap();
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One chromedriver process and one headless Chromium session.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    _profile: tempfile::TempDir,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session; fails loudly if either
    /// is missing (run scripts/install-test-deps).
    pub fn start() -> Browser {
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {driver_bin}: {e} (run scripts/install-test-deps)")
            });
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(mut r) = ureq::get(&format!("{base}/status")).call()
                && r.body_mut()
                    .read_json::<Value>()
                    .is_ok_and(|v| v["value"]["ready"] == true)
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1400,900",
                    format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
            _profile: profile,
        };
        let v = b.post("/session", caps);
        b.session = v["sessionId"]
            .as_str()
            .or_else(|| v["value"]["sessionId"].as_str())
            .expect("session id")
            .to_string();
        b
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{}", self.base, path);
        let mut r = ureq::post(&url)
            .config()
            .http_status_as_error(false)
            .build()
            .send_json(&body)
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        let status = r.status();
        let v: Value = r.body_mut().read_json().expect("WebDriver JSON");
        assert!(status.is_success(), "POST {path} -> {status}: {v}");
        v
    }

    fn s(&self, path: &str) -> String {
        format!("/session/{}{}", self.session, path)
    }

    /// Navigates to a file with a URL fragment.
    pub fn open(&self, file: &Path, fragment: &str) {
        let mut url = format!("file://{}", file.display());
        if !fragment.is_empty() {
            url.push('#');
            url.push_str(fragment);
        }
        self.post(&self.s("/url"), json!({"url": "about:blank"}));
        self.post(&self.s("/url"), json!({ "url": url }));
    }

    /// Runs a script and returns its value.
    pub fn eval(&self, script: &str) -> Value {
        self.post(
            &self.s("/execute/sync"),
            json!({"script": script, "args": []}),
        )["value"]
            .clone()
    }

    /// Runs a script returning an array of strings.
    pub fn eval_strings(&self, script: &str) -> Vec<String> {
        self.eval(script)
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits up to 10 s for an element.
    pub fn wait_for(&self, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.eval(&format!("return document.querySelector({css:?}) !== null;")) != true {
            assert!(
                Instant::now() < deadline,
                "{css} never appeared; page text: {}",
                self.eval("return document.body ? document.body.textContent : '';")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn element(&self, css: &str) -> String {
        let v = self.post(
            &self.s("/element"),
            json!({"using": "css selector", "value": css}),
        );
        v["value"][ELEMENT]
            .as_str()
            .expect("element id")
            .to_string()
    }

    /// A real click.
    pub fn click(&self, css: &str) {
        let e = self.element(css);
        self.post(&self.s(&format!("/element/{e}/click")), json!({}));
    }

    /// Clears an input and types into it with real key events.
    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.element(css);
        self.post(&self.s(&format!("/element/{e}/clear")), json!({}));
        self.post(
            &self.s(&format!("/element/{e}/value")),
            json!({ "text": text }),
        );
    }

    /// Sends keys to an element (WebDriver key codes such as U+E007 for Enter).
    pub fn keys(&self, css: &str, keys: &str) {
        let e = self.element(css);
        self.post(
            &self.s(&format!("/element/{e}/value")),
            json!({ "text": keys }),
        );
    }

    /// Picks an option of a `<select>` by value, as a user would (click on the option).
    pub fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"));
    }

    /// Ends the session.
    pub fn quit(mut self) {
        let url = format!("{}{}", self.base, self.s(""));
        let _ = ureq::delete(&url).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
