//! The order PostgreSQL applies settings in, and the SET and DSN forms services use.

use super::*;

fn rs(role: Option<&str>, db: Option<&str>, name: &str, value: &str) -> RoleSetting {
    RoleSetting {
        role: role.map(str::to_string),
        database: db.map(str::to_string),
        name: name.into(),
        value: value.into(),
    }
}

fn session(name: &str, value: &str) -> SessionValue {
    SessionValue {
        name: name.into(),
        reset: value.into(),
        now: value.into(),
    }
}

fn get<'a>(all: &'a [EffectiveSetting], name: &str) -> &'a EffectiveSetting {
    all.iter().find(|s| s.name == name).unwrap()
}

#[test]
fn the_most_specific_role_setting_wins_and_says_where_it_is() {
    let roles = [
        rs(None, None, "statement_timeout", "1min"),
        rs(None, Some("app"), "statement_timeout", "30s"),
        rs(Some("svc"), None, "statement_timeout", "10s"),
        rs(Some("svc"), Some("app"), "search_path", "app"),
        rs(Some("svc"), Some("other"), "lock_timeout", "1s"),
    ];
    let sess = [
        session("search_path", "\"$user\", public"),
        session("statement_timeout", "30s"),
        session("lock_timeout", "0ms"),
        session("idle_in_transaction_session_timeout", "0"),
    ];
    let all = effective(&Inputs {
        role: "svc",
        connecting_user: "gaps",
        database: "app",
        role_settings: &roles,
        session: &sess,
        ..Inputs::default()
    });
    let sp = get(&all, "search_path");
    assert_eq!(sp.value.as_deref(), Some("app"));
    assert_eq!(sp.source, SettingSource::RoleInDatabase);
    assert_eq!(sp.at.as_deref(), Some("role svc in database app"));
    assert_eq!(sp.gaps_value.as_deref(), Some("\"$user\", public"));
    let st = get(&all, "statement_timeout");
    assert_eq!(
        (st.value.as_deref(), st.source),
        (Some("10s"), SettingSource::Role)
    );
    assert_eq!(st.gaps_value.as_deref(), Some("30s"));
    // Another database's setting does not apply; the server's value does.
    let lt = get(&all, "lock_timeout");
    assert_eq!(
        (lt.value.as_deref(), lt.source),
        (Some("0ms"), SettingSource::Server)
    );
    assert_eq!(lt.gaps_value, None, "same as gaps'");
}

#[test]
fn database_and_all_roles_settings_apply_below_the_role_ones() {
    let roles = [
        rs(None, None, "lock_timeout", "5s"),
        rs(None, Some("app"), "statement_timeout", "30s"),
    ];
    let all = effective(&Inputs {
        role: "svc",
        connecting_user: "gaps",
        database: "app",
        role_settings: &roles,
        ..Inputs::default()
    });
    assert_eq!(
        get(&all, "statement_timeout").source,
        SettingSource::Database
    );
    assert_eq!(get(&all, "lock_timeout").source, SettingSource::AllRoles);
    // Without gaps' session values, the server's value is unknown, not assumed.
    let sp = get(&all, "search_path");
    assert_eq!(
        (sp.value.as_deref(), sp.source),
        (None, SettingSource::Unknown)
    );
}

#[test]
fn the_server_value_is_unknown_when_gaps_own_user_or_url_overrides_it() {
    let roles = [rs(Some("gaps"), None, "search_path", "reporting")];
    let sess = [session("search_path", "reporting")];
    let all = effective(&Inputs {
        role: "svc",
        connecting_user: "gaps",
        database: "app",
        role_settings: &roles,
        session: &sess,
        ..Inputs::default()
    });
    let sp = get(&all, "search_path");
    assert_eq!(
        (sp.value.as_deref(), sp.source),
        (None, SettingSource::Unknown)
    );
    let dsn = [("lock_timeout".to_string(), "3s".to_string())];
    let sess = [session("lock_timeout", "3s")];
    let all = effective(&Inputs {
        role: "svc",
        connecting_user: "gaps",
        database: "app",
        gaps_dsn: &dsn,
        session: &sess,
        ..Inputs::default()
    });
    assert_eq!(get(&all, "lock_timeout").source, SettingSource::Unknown);
}

#[test]
fn for_the_connecting_user_its_own_url_options_and_role_settings_apply() {
    let dsn = [("search_path".to_string(), "app,public".to_string())];
    let roles = [rs(Some("svc"), None, "statement_timeout", "10s")];
    let sess = [
        session("search_path", "app,public"),
        session("statement_timeout", "10s"),
    ];
    let all = effective(&Inputs {
        role: "svc",
        connecting_user: "svc",
        database: "app",
        role_settings: &roles,
        session: &sess,
        gaps_dsn: &dsn,
        ..Inputs::default()
    });
    let sp = get(&all, "search_path");
    assert_eq!(
        (sp.value.as_deref(), sp.source, sp.at.as_deref()),
        (
            Some("app,public"),
            SettingSource::Dsn,
            Some("--database-url")
        )
    );
    assert_eq!(get(&all, "statement_timeout").source, SettingSource::Role);
}

#[test]
fn code_wins_over_the_url_and_the_url_over_role_settings() {
    let roles = [rs(Some("svc"), Some("app"), "search_path", "app")];
    let env = [("search_path".to_string(), "tenant".to_string())];
    let code = [CodeSetting {
        name: "lock_timeout".into(),
        value: "3s".into(),
        file: "src/db.rs".into(),
        line: 14,
        via: "after_connect".into(),
    }];
    let all = effective(&Inputs {
        role: "svc",
        connecting_user: "gaps",
        database: "app",
        role_settings: &roles,
        service_dsn: Some((&env, ".env")),
        code: &code,
        ..Inputs::default()
    });
    let sp = get(&all, "search_path");
    assert_eq!(
        (sp.value.as_deref(), sp.source, sp.at.as_deref()),
        (Some("tenant"), SettingSource::Dsn, Some(".env"))
    );
    let lt = get(&all, "lock_timeout");
    assert_eq!(
        (lt.value.as_deref(), lt.source, lt.at.as_deref()),
        (
            Some("3s"),
            SettingSource::AfterConnect,
            Some("src/db.rs:14")
        )
    );
}

#[test]
fn two_code_sites_that_disagree_leave_the_value_unknown() {
    let site = |line, value: &str| CodeSetting {
        name: "search_path".into(),
        value: value.into(),
        file: "src/db.rs".into(),
        line,
        via: "after_connect".into(),
    };
    let code = [site(10, "a"), site(20, "b")];
    let all = effective(&Inputs {
        role: "svc",
        code: &code,
        ..Inputs::default()
    });
    let sp = get(&all, "search_path");
    assert_eq!(sp.value, None);
    assert_eq!(sp.source, SettingSource::AfterConnect);
    assert_eq!(sp.at.as_deref(), Some("src/db.rs:10, src/db.rs:20"));
}

#[test]
fn dsn_options_are_read_in_every_spelling_libpq_takes() {
    let url = "postgres://u:pw@h/db?sslmode=disable&options=-c%20search_path%3Dapp%2Cpublic%20-cstatement_timeout%3D5s%20--lock-timeout%3D2s";
    assert_eq!(
        dsn_options(url),
        [
            ("search_path".to_string(), "app,public".to_string()),
            ("statement_timeout".to_string(), "5s".to_string()),
            ("lock_timeout".to_string(), "2s".to_string()),
        ]
    );
    assert!(dsn_options("postgres://h/db").is_empty());
    assert!(dsn_options("not a url").is_empty());
}

#[test]
fn set_statements_are_read_and_local_ones_left_out() {
    assert_eq!(
        settings_set_by("SET search_path TO app, public"),
        [("search_path".to_string(), "app, public".to_string())]
    );
    assert_eq!(
        settings_set_by("SET SESSION statement_timeout = '5s'; SET lock_timeout = 3000"),
        [
            ("statement_timeout".to_string(), "5s".to_string()),
            ("lock_timeout".to_string(), "3000".to_string())
        ]
    );
    assert_eq!(
        settings_set_by("set search_path = 'tenant_1', 'public'"),
        [("search_path".to_string(), "tenant_1, public".to_string())]
    );
    assert!(settings_set_by("SET LOCAL search_path = x").is_empty());
    assert!(settings_set_by("SET application_name = 'x'").is_empty());
    assert_eq!(
        settings_set_by("SELECT set_config('search_path', 'app', false)"),
        [("search_path".to_string(), "app".to_string())]
    );
    assert!(settings_set_by("SELECT set_config('search_path', 'app', true)").is_empty());
}

#[test]
fn search_path_lists_are_split_like_the_server_reads_them() {
    assert_eq!(
        search_path_schemas("\"$user\", public"),
        ["$user", "public"]
    );
    assert_eq!(search_path_schemas("App, \"Mixed\""), ["app", "Mixed"]);
    assert_eq!(search_path_schemas(""), Vec::<String>::new());
}
