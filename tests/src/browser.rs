//! Real headless Chromium for page tests, driven over WebDriver (Debian's `chromium` and
//! `chromedriver`; `scripts/install-test-deps` installs them).
//!
//! ```no_run
//! let b = gaps_tests::browser::Browser::start();        // chromedriver on a free loopback port
//! b.goto("file:///tmp/report/index.html");
//! let title = b.execute("return document.title", vec![]);
//! b.screenshot(std::path::Path::new("target/page.png"));
//! let urls = b.requested_urls();                         // every URL the page asked for
//! // dropping `b` ends the session and kills chromedriver
//! ```
//!
//! Chromium runs with the flags that keep it off the network (no background networking,
//! component updates or sync), a fresh profile directory, and Chrome's performance log on, so
//! [`Browser::requested_urls`] sees every request the page made. Errors panic with the reason:
//! a browser test must fail loudly, never skip.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The flags every test browser gets.
pub const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1300,2000",
];

/// A chromedriver process with one browser session.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

fn find(env: &str, candidates: &[&str]) -> PathBuf {
    if let Ok(p) = std::env::var(env) {
        return PathBuf::from(p);
    }
    candidates
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{} not found (looked in {candidates:?}; set {env}); scripts/install-test-deps installs chromium and chromium-driver",
                candidates[0]
            )
        })
}

impl Browser {
    /// Starts chromedriver on a free 127.0.0.1 port and opens a headless Chromium session.
    pub fn start() -> Browser {
        Browser::start_with(true)
    }

    /// [`Browser::start`] with the page's JavaScript turned off (Chromium's content setting):
    /// for pages that must read the same without scripts. WebDriver's own scripts
    /// ([`Browser::execute`]) still run, through DevTools.
    pub fn start_without_javascript() -> Browser {
        Browser::start_with(false)
    }

    fn start_with(javascript: bool) -> Browser {
        let chromedriver = find("CHROMEDRIVER", &["/usr/bin/chromedriver"]);
        let chromium = find(
            "CHROMIUM",
            &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("finding a free loopback port");
        let mut driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", chromedriver.display()));
        // chromedriver prints "... was started successfully" once it listens.
        if let Some(out) = driver.stdout.take() {
            let mut lines = BufReader::new(out).lines();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                match lines.next() {
                    Some(Ok(l)) if l.contains("started successfully") => break,
                    Some(Ok(_)) => continue,
                    _ => break,
                }
            }
            std::thread::spawn(move || for _ in lines {});
        }
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(90)))
            .build()
            .into();
        let profile = tempfile::Builder::new()
            .prefix("gaps-chromium-")
            .tempdir()
            .expect("creating a Chromium profile directory");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut options = json!({"binary": chromium.display().to_string(), "args": args});
        if !javascript {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"performance": "ALL", "browser": "ALL"},
            "goog:chromeOptions": options
        }}});
        let base = format!("http://127.0.0.1:{port}");
        let mut last = String::new();
        for _ in 0..50 {
            match agent.post(format!("{base}/session")).send_json(&caps) {
                Ok(mut resp) => {
                    let v: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
                    if let Some(id) = v["value"]["sessionId"].as_str() {
                        return Browser {
                            driver,
                            session: id.to_string(),
                            base,
                            agent,
                            _profile: profile,
                        };
                    }
                    last = v.to_string();
                    break;
                }
                Err(e) => {
                    last = e.to_string();
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
        let _ = driver.kill();
        let _ = driver.wait();
        panic!("could not open a Chromium session through chromedriver: {last}");
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let resp = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, b) => self.agent.post(&url).send_json(b.unwrap_or(json!({}))),
        };
        let mut resp = resp.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let status = resp.status();
        let v: Value = resp.body_mut().read_json().unwrap_or(Value::Null);
        if !status.is_success() {
            panic!("WebDriver {method} {path} failed ({status}): {v}");
        }
        v["value"].clone()
    }

    /// Navigates and waits for the load event. Network events from before (the browser's own
    /// start page) are discarded, so [`Browser::requested_urls`] reports this page's only.
    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": "about:blank" })));
        let _ = self.log("performance");
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its result.
    pub fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Runs `script` (a function body) every 50 ms until it returns something other than
    /// `null`, `undefined` or `false`, and returns that; panics with `what` after `timeout`.
    pub fn wait_until(&self, what: &str, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.execute(script, vec![]);
            if !(v.is_null() || v == Value::Bool(false)) {
                return v;
            }
            if Instant::now() > deadline {
                panic!("timed out after {timeout:?} waiting for {what}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Saves a PNG screenshot of the viewport.
    pub fn screenshot(&self, path: &Path) {
        let b64 = self.call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// Chrome's log entries of one type ("performance" or "browser") since the last call.
    pub fn log(&self, kind: &str) -> Vec<Value> {
        self.call("POST", "/se/log", Some(json!({ "type": kind })))
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Every URL the browser requested since the last call (from Chrome's network events),
    /// plus the page's Performance API resource entries.
    pub fn requested_urls(&self) -> Vec<String> {
        let mut urls = Vec::new();
        for entry in self.log("performance") {
            let Some(msg) = entry["message"].as_str() else {
                continue;
            };
            let Ok(v) = serde_json::from_str::<Value>(msg) else {
                continue;
            };
            if v["message"]["method"] == "Network.requestWillBeSent"
                && let Some(u) = v["message"]["params"]["request"]["url"].as_str()
            {
                urls.push(u.to_string());
            }
        }
        let resources = self.execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        );
        for r in resources.as_array().into_iter().flatten() {
            if let Some(u) = r.as_str() {
                urls.push(u.to_string());
            }
        }
        urls
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
