//! gaps.toml's `[[target]]` entries: paths resolved against the file's folder, and every
//! refusal (no target, a duplicate or unsafe name, a URL where a variable name belongs, an
//! unknown key) naming the target, without echoing a URL.

use super::*;

fn ok(text: &str) -> Vec<Target> {
    parse(text, Path::new("/repo")).unwrap_or_else(|e| panic!("{e:?}"))
}

fn err(text: &str) -> Parsed {
    parse(text, Path::new("/repo")).unwrap_err()
}

#[test]
fn targets_are_read_with_paths_relative_to_the_file() {
    let t = ok(r#"
exclude = ["src/legacy/**"]

[[target]]
name = "billing"
database_url_env = "BILLING_DB_URL"
source = "services/billing"
migrations = "services/billing/migrations"
logs = ["logs/billing.log", "/var/log/b.log"]
health = "http://127.0.0.1:8080/health"
service_role = "billing_svc"

[[target]]
name = "search"
"#);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].name, "billing");
    assert_eq!(t[0].database_url_env.as_deref(), Some("BILLING_DB_URL"));
    assert_eq!(t[0].source, Some(PathBuf::from("/repo/services/billing")));
    assert_eq!(
        t[0].migrations,
        Some(PathBuf::from("/repo/services/billing/migrations"))
    );
    assert_eq!(
        t[0].logs,
        [
            PathBuf::from("/repo/logs/billing.log"),
            PathBuf::from("/var/log/b.log")
        ]
    );
    assert_eq!(t[0].health.as_deref(), Some("http://127.0.0.1:8080/health"));
    assert_eq!(t[0].service_role.as_deref(), Some("billing_svc"));
    assert_eq!(t[1].source, None);
    assert!(t[1].logs.is_empty());
}

#[test]
fn bad_targets_are_refused_by_position_and_name() {
    assert_eq!(err("exclude = []\n"), Parsed::NoTargets);
    let dup = err("[[target]]\nname = \"a\"\n[[target]]\nname = \"A\"\n");
    assert!(
        matches!(&dup, Parsed::Target { index: 2, name, why } if name == "A" && why.contains("same name")),
        "{dup:?}"
    );
    for bad in ["", "../x", ".hidden", "a/b", "a b"] {
        let e = err(&format!("[[target]]\nname = {bad:?}\n"));
        assert!(
            matches!(e, Parsed::Target { index: 1, .. }),
            "{bad:?}: {e:?}"
        );
    }
    let url_in_env =
        err("[[target]]\nname = \"a\"\ndatabase_url_env = \"postgres://u:hunter2@h/db\"\n");
    match url_in_env {
        Parsed::Target { why, .. } => {
            assert!(why.contains("never written in gaps.toml"), "{why}");
            assert!(!why.contains("hunter2"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_url_key_is_refused_without_echoing_its_password() {
    let e = err("[[target]]\nname = \"a\"\ndatabase_url = \"postgres://u:hunter2@h/db\"\n");
    match e {
        Parsed::Toml(message) => {
            assert!(message.contains("database_url"), "{message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(err("[[target]]\nnme = \"a\"\n"), Parsed::Toml(_)));
}
