//! A throwaway PostgreSQL cluster for a test process, built from the system's server binaries:
//! `initdb` into a temporary directory, `pg_ctl start` on a free loopback port (through
//! `runuser -u postgres` when running as root, since initdb refuses root), one fresh database
//! per test, and `pg_ctl stop -m immediate` plus removal of the directory when the process
//! exits.
//!
//! Every statement is logged (`log_statement=all`, with the database name in each line's
//! prefix) so a test can prove which statements a client sent to its own database.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// A running cluster. Obtain the process-wide one with [`cluster`].
#[derive(Debug)]
pub struct PgCluster {
    bin: PathBuf,
    root: PathBuf,
    port: u16,
    run_as_postgres: bool,
}

/// A database created for one test.
#[derive(Debug, Clone)]
pub struct TestDb {
    /// Database name, unique within the cluster.
    pub name: String,
    /// `postgres://postgres@127.0.0.1:PORT/NAME`.
    pub url: String,
    port: u16,
}

impl TestDb {
    /// The URL for connecting as another role (password auth is `trust` on the test cluster,
    /// so any password is accepted; tests use that to check redaction).
    pub fn url_as(&self, user: &str, password: Option<&str>) -> String {
        match password {
            Some(p) => format!(
                "postgres://{user}:{p}@127.0.0.1:{}/{}",
                self.port, self.name
            ),
            None => format!("postgres://{user}@127.0.0.1:{}/{}", self.port, self.name),
        }
    }
}

static CLUSTER: OnceLock<PgCluster> = OnceLock::new();
static TO_STOP: Mutex<Option<(PathBuf, PathBuf, bool)>> = Mutex::new(None);

/// The process-wide cluster, started on first use. Panics with the reason when PostgreSQL
/// cannot be started: a test that needs it must fail loudly, never skip.
pub fn cluster() -> &'static PgCluster {
    CLUSTER.get_or_init(|| match PgCluster::start() {
        Ok(c) => c,
        Err(e) => panic!(
            "could not start a throwaway PostgreSQL cluster: {e}\n\
             (scripts/test installs the server: apt-get install postgresql)"
        ),
    })
}

extern "C" fn stop_at_exit() {
    let Ok(mut guard) = TO_STOP.lock() else {
        return;
    };
    if let Some((bin, root, as_pg)) = guard.take() {
        let data = root.join("data");
        let mut cmd = wrap(&bin.join("pg_ctl"), as_pg);
        cmd.arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "-w", "stop"]);
        let _ = cmd.output();
        let _ = std::fs::remove_dir_all(&root);
    }
}

fn wrap(program: &Path, as_postgres: bool) -> Command {
    if as_postgres {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn find_bindir() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("GAPS_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut candidates: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    candidates.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(dir) = candidates
        .into_iter()
        .rev()
        .find(|d| d.join("initdb").is_file())
    {
        return Ok(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").is_file() {
            return Ok(dir);
        }
    }
    Err("no PostgreSQL server binaries (initdb) in /usr/lib/postgresql/*/bin or pg_config --bindir; set GAPS_PG_BIN".into())
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

impl PgCluster {
    fn start() -> Result<PgCluster, String> {
        let bin = find_bindir()?;
        // SAFETY: geteuid has no preconditions.
        let run_as_postgres = unsafe { libc::geteuid() } == 0;
        let root = tempfile::Builder::new()
            .prefix("gaps-pg-")
            .tempdir()
            .map_err(|e| format!("creating a temporary directory: {e}"))?
            .keep();
        if run_as_postgres {
            check(
                "chown of the cluster directory to postgres",
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&root)
                    .output(),
            )?;
        }
        let data = root.join("data");
        let mut initdb = wrap(&bin.join("initdb"), run_as_postgres);
        initdb.arg("-D").arg(&data).args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C",
        ]);
        check("initdb", initdb.output())?;
        *TO_STOP.lock().map_err(|e| e.to_string())? =
            Some((bin.clone(), root.clone(), run_as_postgres));
        // SAFETY: registering a plain extern "C" fn with no captured state.
        unsafe { libc::atexit(stop_at_exit) };
        let mut last_err = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let opts = format!(
                "-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
                 -c log_statement=all -c log_line_prefix='%m [%p] db=%d user=%u '",
                sock = root.display()
            );
            let mut pg_ctl = wrap(&bin.join("pg_ctl"), run_as_postgres);
            pg_ctl
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(root.join("server.log"))
                .arg("-o")
                .arg(&opts)
                .args(["-w", "-t", "60", "start"]);
            match check("pg_ctl start", pg_ctl.output()) {
                Ok(_) => {
                    return Ok(PgCluster {
                        bin,
                        root,
                        port,
                        run_as_postgres,
                    });
                }
                Err(e) => last_err = e,
            }
        }
        Err(last_err)
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The directory holding the server binaries (psql, pg_dump...).
    pub fn bindir(&self) -> &Path {
        &self.bin
    }

    /// URL of `db` as the superuser.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Creates a fresh, empty database whose name starts with `hint`.
    pub fn create_database(&self, hint: &str) -> TestDb {
        let name = crate::unique_database_name(hint);
        self.psql("postgres", &format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        TestDb {
            url: self.url(&name),
            name,
            port: self.port,
        }
    }

    /// Runs SQL through psql as the superuser with ON_ERROR_STOP; returns stdout.
    pub fn psql(&self, db: &str, sql: &str) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
            ])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-d")
            .arg(db)
            .arg("-c")
            .arg(sql)
            .output();
        check("psql", out).map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// Runs a SQL file (many statements) through psql.
    pub fn psql_file(&self, db: &str, file: &Path) -> Result<String, String> {
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
            ])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-d")
            .arg(db)
            .arg("-f")
            .arg(file)
            .output();
        check(&format!("psql -f {}", file.display()), out)
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    }

    /// Every statement the server logged for database `db`, in order (from `log_statement=all`).
    /// Multi-line statements are joined with their continuation lines.
    pub fn logged_statements(&self, db: &str) -> Vec<String> {
        self.logged(&format!(" db={db} "))
    }

    /// The statements the server logged for database `db` from sessions of role `user`.
    pub fn logged_statements_of(&self, db: &str, user: &str) -> Vec<String> {
        self.logged(&format!(" db={db} user={user} "))
    }

    fn logged(&self, marker: &str) -> Vec<String> {
        let text = std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default();
        let mut out: Vec<String> = Vec::new();
        let mut current: Option<String> = None;
        for line in text.lines() {
            let starts_entry =
                line.len() > 4 && line.as_bytes()[..4].iter().all(u8::is_ascii_digit);
            if starts_entry {
                if let Some(s) = current.take() {
                    out.push(s);
                }
                if line.contains(marker)
                    && let Some(i) = line.find("statement: ").map(|i| i + 11).or_else(|| {
                        line.find("execute ")
                            .and_then(|i| line[i..].find(": ").map(|j| i + j + 2))
                    })
                {
                    current = Some(line[i..].to_string());
                }
            } else if let Some(s) = current.as_mut() {
                s.push('\n');
                s.push_str(line);
            }
        }
        if let Some(s) = current {
            out.push(s);
        }
        out
    }

    /// The server log so far (for failure messages).
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(self.root.join("server.log")).unwrap_or_default()
    }

    /// Whether the cluster runs under the `postgres` account (the test process is root).
    pub fn runs_as_postgres(&self) -> bool {
        self.run_as_postgres
    }
}
