//! A throwaway MariaDB server for a test process, built from the system's server binaries:
//! `mariadb-install-db` into a temporary directory, `mariadbd` on a free loopback port and a
//! unix socket in that directory, one fresh database per test, and the server killed plus the
//! directory removed when the process exits.
//!
//! The general query log goes to the `mysql.general_log` table once a test turns it on with
//! [`MariaServer::enable_general_log`], so a test can prove which statements a client sent.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// A running server. Obtain the process-wide one with [`server`].
#[derive(Debug)]
pub struct MariaServer {
    client: PathBuf,
    root: PathBuf,
    port: u16,
}

/// A database created for one test.
#[derive(Debug, Clone)]
pub struct TestDb {
    /// Database name, unique within the server.
    pub name: String,
    /// `mysql://root@127.0.0.1:PORT/NAME` (root has no password on the test server).
    pub url: String,
    port: u16,
}

impl TestDb {
    /// The URL for connecting as another account.
    pub fn url_as(&self, user: &str, password: Option<&str>) -> String {
        match password {
            Some(p) => format!("mysql://{user}:{p}@127.0.0.1:{}/{}", self.port, self.name),
            None => format!("mysql://{user}@127.0.0.1:{}/{}", self.port, self.name),
        }
    }
}

static SERVER: OnceLock<MariaServer> = OnceLock::new();
static TO_STOP: Mutex<Option<(Child, PathBuf)>> = Mutex::new(None);

/// The process-wide server, started on first use. Panics with the reason when MariaDB cannot
/// be started: a test that needs it must fail loudly, never skip.
pub fn server() -> &'static MariaServer {
    SERVER.get_or_init(|| match MariaServer::start() {
        Ok(s) => s,
        Err(e) => panic!(
            "could not start a throwaway MariaDB server: {e}\n\
             (scripts/install-test-deps installs it: apt-get install mariadb-server)"
        ),
    })
}

extern "C" fn stop_at_exit() {
    let Ok(mut guard) = TO_STOP.lock() else {
        return;
    };
    if let Some((mut child, root)) = guard.take() {
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&root);
    }
}

/// Finds a program in `GAPS_MARIADB_BIN`, then on PATH, then in /usr/sbin and /usr/bin.
fn find_program(names: &[&str]) -> Result<PathBuf, String> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = std::env::var("GAPS_MARIADB_BIN") {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.extend([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")]);
    for dir in &dirs {
        for name in names {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(format!(
        "no MariaDB binary named {} on PATH, in /usr/sbin or /usr/bin; set GAPS_MARIADB_BIN",
        names.join(" or ")
    ))
}

fn check(what: &str, out: std::io::Result<Output>) -> Result<Output, String> {
    let out = out.map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{what} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl MariaServer {
    fn start() -> Result<MariaServer, String> {
        let install = find_program(&["mariadb-install-db", "mysql_install_db"])?;
        let daemon = find_program(&["mariadbd", "mysqld"])?;
        let client = find_program(&["mariadb", "mysql"])?;
        // SAFETY: geteuid has no preconditions.
        let is_root = unsafe { libc::geteuid() } == 0;
        let root = tempfile::Builder::new()
            .prefix("gaps-mariadb-")
            .tempdir()
            .map_err(|e| format!("creating a temporary directory: {e}"))?
            .keep();
        let data = root.join("data");
        let mut cmd = Command::new(&install);
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
        if is_root {
            cmd.arg("--user=root");
        }
        check("mariadb-install-db", cmd.output())?;
        // SAFETY: registering a plain extern "C" fn with no captured state.
        unsafe { libc::atexit(stop_at_exit) };
        let mut last_err = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let log = std::fs::File::create(root.join("server.log"))
                .map_err(|e| format!("creating the server log: {e}"))?;
            let log2 = log.try_clone().map_err(|e| e.to_string())?;
            let mut cmd = Command::new(&daemon);
            cmd.arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()))
                .arg(format!("--socket={}", root.join("mysqld.sock").display()))
                .arg(format!("--pid-file={}", root.join("mysqld.pid").display()))
                .arg(format!("--port={port}"))
                .args([
                    "--bind-address=127.0.0.1",
                    "--skip-name-resolve",
                    "--innodb-flush-log-at-trx-commit=0",
                    "--innodb-buffer-pool-size=32M",
                    "--max-connections=200",
                    "--log-output=TABLE",
                    "--general-log=0",
                ])
                .stdin(Stdio::null())
                .stdout(log)
                .stderr(log2);
            if is_root {
                cmd.arg("--user=root");
            }
            let child = cmd
                .spawn()
                .map_err(|e| format!("starting {}: {e}", daemon.display()))?;
            *TO_STOP.lock().map_err(|e| e.to_string())? = Some((child, root.clone()));
            let server = MariaServer {
                client: client.clone(),
                root: root.clone(),
                port,
            };
            match server.wait_ready(Duration::from_secs(60)) {
                Ok(()) => return Ok(server),
                Err(e) => {
                    last_err = e;
                    if let Ok(mut g) = TO_STOP.lock()
                        && let Some((mut child, _)) = g.take()
                    {
                        let _ = child.kill();
                        let _ = child.wait();
                    }
                    // Keep the directory for the next attempt; it is removed at exit.
                    *TO_STOP.lock().map_err(|e| e.to_string())? = None;
                }
            }
        }
        let _ = std::fs::remove_dir_all(&root);
        Err(last_err)
    }

    fn wait_ready(&self, limit: Duration) -> Result<(), String> {
        let start = Instant::now();
        loop {
            if let Ok(mut g) = TO_STOP.lock()
                && let Some((child, _)) = g.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                return Err(format!(
                    "mariadbd exited ({status}):\n{}",
                    self.server_log()
                ));
            }
            if self.sql("", "SELECT 1").is_ok() {
                return Ok(());
            }
            if start.elapsed() > limit {
                return Err(format!(
                    "mariadbd did not accept connections within {}s:\n{}",
                    limit.as_secs(),
                    self.server_log()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// URL of `db` as root (no password).
    pub fn url(&self, db: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a fresh, empty database whose name starts with `hint`.
    pub fn create_database(&self, hint: &str) -> TestDb {
        let name = crate::unique_database_name(hint);
        self.sql("", &format!("CREATE DATABASE `{name}`"))
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        TestDb {
            url: self.url(&name),
            name,
            port: self.port,
        }
    }

    /// Runs SQL (one or more statements) through the `mariadb` client as root over the unix
    /// socket, in database `db` (none when empty); returns stdout, tab-separated, no headers.
    pub fn sql(&self, db: &str, sql: &str) -> Result<String, String> {
        let mut cmd = Command::new(&self.client);
        cmd.arg("--no-defaults")
            .arg(format!(
                "--socket={}",
                self.root.join("mysqld.sock").display()
            ))
            .args(["-uroot", "--batch", "--skip-column-names", "-e", sql]);
        if !db.is_empty() {
            cmd.arg(db);
        }
        check("mariadb", cmd.output()).map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// Runs a SQL file (many statements) through the client in database `db`.
    pub fn sql_file(&self, db: &str, file: &Path) -> Result<String, String> {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("reading {}: {e}", file.display()))?;
        self.sql(db, &text)
            .map_err(|e| format!("running {}: {e}", file.display()))
    }

    /// Turns the general query log on (into `mysql.general_log`) and empties it.
    pub fn enable_general_log(&self) -> Result<(), String> {
        self.sql(
            "",
            "SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = 'ON'; \
             TRUNCATE TABLE mysql.general_log",
        )
        .map(|_| ())
    }

    /// Every statement the general log holds from connections that logged in as `user`
    /// (matched by the `Connect` line's `user@host` prefix), in order.
    pub fn logged_statements_of(&self, user: &str) -> Result<Vec<String>, String> {
        // --batch escapes newlines, tabs and backslashes in values, so one row is one line.
        let out = self.sql(
            "",
            "SELECT thread_id, command_type, CONVERT(argument USING utf8mb4) \
             FROM mysql.general_log ORDER BY event_time",
        )?;
        let mut threads: Vec<String> = Vec::new();
        let mut statements = Vec::new();
        for line in out.lines() {
            let mut parts = line.splitn(3, '\t');
            let (Some(thread), Some(kind), Some(arg)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            if kind == "Connect" && arg.starts_with(&format!("{user}@")) {
                threads.push(thread.to_string());
            } else if threads.iter().any(|t| t == thread)
                && matches!(kind, "Query" | "Prepare" | "Execute")
            {
                statements.push(unescape(arg));
            }
        }
        Ok(statements)
    }

    /// The server's error log so far (for failure messages).
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default()
    }
}

/// Undoes the client's `--batch` escaping (`\n`, `\t`, `\\`, `\0`).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}
