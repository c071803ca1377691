//! TLS to Postgres through sqlx's rustls: with a certificate on the (throwaway) server,
//! `sslmode=require` connects encrypted, `sslmode=verify-ca` checks the certificate against
//! `sslrootcert`, and a wrong root is refused. Its own test binary, hence its own cluster,
//! so turning TLS on does not change the conditions of the other tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use gaps_core::snapshot::Snapshot;
use gaps_tests::pg;

const GAPS: &str = env!("CARGO_BIN_EXE_gaps");

fn openssl(args: &[&str], cwd: &Path) {
    let o = Command::new("openssl")
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("openssl runs (scripts/install-test-deps installs it)");
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A certificate authority `NAME.crt`/`NAME.key` in `dir`.
fn make_ca(dir: &Path, name: &str) -> PathBuf {
    let (crt, key) = (format!("{name}.crt"), format!("{name}.key"));
    let subject = format!("/CN=gaps test {name}");
    openssl(
        &[
            "req", "-new", "-x509", "-days", "2", "-nodes", "-subj", &subject, "-keyout", &key,
            "-out", &crt,
        ],
        dir,
    );
    dir.join(crt)
}

/// `server.crt`/`server.key` for 127.0.0.1 in `dir`, signed by the CA `ca`.
fn make_server_cert(dir: &Path, ca: &str) -> (PathBuf, PathBuf) {
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        &[
            "req",
            "-new",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
        dir,
    );
    let (ca_crt, ca_key) = (format!("{ca}.crt"), format!("{ca}.key"));
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &ca_crt,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
        dir,
    );
    (dir.join("server.crt"), dir.join("server.key"))
}

fn collect(url: &str, out: &Path) -> (i32, Snapshot, String) {
    let o = Command::new(GAPS)
        .args(["collect", "--database-url", url, "--out"])
        .arg(out)
        .output()
        .unwrap();
    let text = std::fs::read_to_string(out).unwrap();
    (
        o.status.code().unwrap(),
        Snapshot::from_json(&text).unwrap(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn sslmode_require_and_verify_ca_connect_over_tls() {
    let c = pg::cluster();
    let db = c.create_database("tls");
    let data = PathBuf::from(c.psql("postgres", "SHOW data_directory").unwrap().trim());
    let certs = tempfile::tempdir().unwrap();
    let ca = make_ca(certs.path(), "root");
    let (made_crt, made_key) = make_server_cert(certs.path(), "root");
    let (crt, key) = (data.join("server.crt"), data.join("server.key"));
    std::fs::copy(&made_crt, &crt).unwrap();
    std::fs::copy(&made_key, &key).unwrap();
    if c.runs_as_postgres() {
        let o = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&crt)
            .arg(&key)
            .output()
            .unwrap();
        assert!(o.status.success());
    }
    let o = Command::new("chmod").arg("600").arg(&key).output().unwrap();
    assert!(o.status.success());
    c.psql("postgres", "ALTER SYSTEM SET ssl = on").unwrap();
    c.psql("postgres", "ALTER SYSTEM SET log_connections = on")
        .unwrap();
    c.psql("postgres", "SELECT pg_reload_conf()").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("snap.json");
    let before = c.server_log().len();
    let (code, snap, err) = collect(&format!("{}?sslmode=require", db.url), &out);
    assert_eq!(code, 0, "{err}");
    assert!(snap.database.data().is_some());
    let log = c.server_log()[before..].to_string();
    assert!(
        log.lines()
            .any(|l| l.contains("connection authorized") && l.contains("SSL enabled")),
        "the server saw a TLS connection: {log}"
    );

    // verify-ca: the server's certificate is checked against the given root.
    let (code, _, err) = collect(
        &format!("{}?sslmode=verify-ca&sslrootcert={}", db.url, ca.display()),
        &out,
    );
    assert_eq!(code, 0, "{err}");

    // A root that did not sign the server's certificate is refused, with a clear error.
    let other = make_ca(certs.path(), "other");
    // Its own file: a failed connection is never written over the good snapshot at `out`.
    let refused = out.with_file_name("refused.json");
    let (code, snap, _) = collect(
        &format!(
            "{}?sslmode=verify-ca&sslrootcert={}",
            db.url,
            other.display()
        ),
        &refused,
    );
    assert_eq!(code, 1);
    let e = snap.database.error().expect("connection refused");
    assert!(e.during.contains("connecting"), "{e:?}");
}
