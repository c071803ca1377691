use super::*;

fn service() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    dir
}

fn request(source: &Path) -> Request {
    Request {
        database_url: Some("sqlite::memory:".into()),
        source: Some(source.to_path_buf()),
        ..Request::default()
    }
}

#[test]
fn the_flag_url_wins_over_dotenv_and_names_its_engine() {
    let dir = service();
    std::fs::write(
        dir.path().join(".env"),
        "DATABASE_URL=postgres://u@h/from_env\n",
    )
    .unwrap();
    let plan = request(dir.path()).plan_in(dir.path()).unwrap();
    assert_eq!(plan.database_url(), Some("sqlite::memory:"));
    assert_eq!(plan.backend(), Backend::Sqlite);
}

#[test]
fn without_a_flag_the_url_comes_from_the_environment_else_dotenv() {
    let dir = service();
    std::fs::write(
        dir.path().join(".env"),
        "DATABASE_URL=mysql://u@h/from_dotenv\n",
    )
    .unwrap();
    let plan = Request {
        database_url: None,
        ..request(dir.path())
    }
    .plan_in(dir.path())
    .unwrap();
    // The process environment comes first, as in sqlx-cli; tests may run with it set.
    match std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        Some(env) => assert_eq!(plan.database_url(), Some(env.as_str())),
        None => {
            assert_eq!(plan.database_url(), Some("mysql://u@h/from_dotenv"));
            assert_eq!(plan.backend(), Backend::Mysql);
        }
    }
}

#[test]
fn usage_errors_name_the_flag_and_never_echo_the_url() {
    let dir = service();
    let empty = Request {
        database_url: Some("  ".into()),
        ..request(dir.path())
    };
    assert!(matches!(
        empty.plan_in(dir.path()),
        Err(UsageError::EmptyDatabaseUrl)
    ));
    let missing = request(&dir.path().join("nope")).plan_in(dir.path());
    let e = missing.unwrap_err().to_string();
    assert!(
        e.starts_with("--source ") && e.contains("does not exist"),
        "{e}"
    );
    let file = dir.path().join("Cargo.toml");
    std::fs::write(&file, "").unwrap();
    let e = request(&file).plan_in(dir.path()).unwrap_err().to_string();
    assert!(e.contains("is not a directory"), "{e}");
    let bad = Request {
        database_url: Some("oracle://scott:tiger@h/db".into()),
        ..request(dir.path())
    };
    let e = bad.plan_in(dir.path()).unwrap_err().to_string();
    assert!(e.contains("scheme \"oracle:\""), "{e}");
    assert!(!e.contains("tiger"), "{e}");
    let bad = Request {
        database_url: Some("tiger@h".into()),
        ..request(dir.path())
    };
    let e = bad.plan_in(dir.path()).unwrap_err().to_string();
    assert!(e.contains("(no scheme)") && !e.contains("tiger"), "{e}");
}

#[test]
fn the_migrations_folder_and_table_come_from_sqlx_toml_unless_flagged() {
    let dir = service();
    std::fs::write(
        dir.path().join("sqlx.toml"),
        "[migrate]\ntable-name = \"app._migrations\"\nmigrations-dir = \"db\"\n",
    )
    .unwrap();
    let plan = request(dir.path()).plan_in(dir.path()).unwrap();
    let folder = plan.migrations.folder.unwrap().unwrap();
    assert_eq!(folder.dir, dir.path().join("db"));
    assert_eq!(folder.how, "sqlx_toml");
    let table = plan.migrations.table.unwrap();
    assert_eq!(
        (table.name.as_str(), table.origin),
        ("app._migrations", "sqlx_toml")
    );

    let flagged = Request {
        migrations: Some(dir.path().join("migrations")),
        migrations_table: Some("mine".into()),
        ..request(dir.path())
    }
    .plan_in(dir.path())
    .unwrap();
    assert_eq!(flagged.migrations.folder.unwrap().unwrap().how, "flag");
    assert_eq!(flagged.migrations.table.unwrap().origin, "flag");
}

#[test]
fn an_unreadable_sqlx_toml_is_kept_for_the_sections_not_a_usage_error() {
    let dir = service();
    std::fs::write(dir.path().join("sqlx.toml"), "[migrate]\ntable-name = \n").unwrap();
    let plan = request(dir.path()).plan_in(dir.path()).unwrap();
    let folder = plan.migrations.folder.unwrap().unwrap_err();
    assert_eq!(folder.during, "reading sqlx.toml");
    let table = plan.migrations.table.unwrap_err();
    assert!(
        table.contains("sqlx.toml") && table.contains("line 2"),
        "{table}"
    );
}

#[test]
fn nothing_to_locate_without_a_source_or_migrations_folder() {
    let dir = service();
    let plan = Request {
        source: None,
        config: Some(dir.path().join("gaps.toml")),
        ..request(dir.path())
    }
    .plan_in(dir.path())
    .unwrap();
    assert!(plan.migrations.folder.is_none());
    assert_eq!(plan.migrations.table.unwrap().origin, "default");
    // gaps.toml belongs to a source tree: without one it is not read.
    assert!(plan.config.is_none());
}

#[test]
fn gaps_toml_is_the_flag_else_the_sources_own_and_is_read_once() {
    let dir = service();
    let plan = request(dir.path()).plan_in(dir.path()).unwrap();
    assert!(plan.config.is_none(), "no gaps.toml in the source");
    std::fs::write(dir.path().join("gaps.toml"), "exclude = [\"src/old/**\"]\n").unwrap();
    let plan = request(dir.path()).plan_in(dir.path()).unwrap();
    let config = plan.config.unwrap();
    assert_eq!(config.path, dir.path().join("gaps.toml"));
    assert_eq!(config.read.unwrap().exclude, ["src/old/**"]);
    let other = dir.path().join("other.toml");
    std::fs::write(&other, "exclude = [\n").unwrap();
    let plan = Request {
        config: Some(other.clone()),
        ..request(dir.path())
    }
    .plan_in(dir.path())
    .unwrap();
    let config = plan.config.unwrap();
    assert_eq!(config.path, other);
    assert!(config.read.unwrap_err().contains("other.toml"));
}

#[test]
fn health_carries_its_own_timeout() {
    let dir = service();
    let plan = Request {
        health: Some("http://127.0.0.1:9/health".into()),
        health_timeout: Duration::from_millis(250),
        ..request(dir.path())
    }
    .plan_in(dir.path())
    .unwrap();
    let h = plan.health.unwrap();
    assert_eq!(h.url, "http://127.0.0.1:9/health");
    assert_eq!(h.timeout, Duration::from_millis(250));
}
