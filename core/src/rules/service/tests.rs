//! What each rule reports, and what it must not: a privilege held (at table level, through
//! column grants, as superuser), a column something fills, a statement the database rejected
//! or did not see, evidence gaps could not read.

use super::*;
use crate::backend::Backend;
use crate::code::CodeEvidence;
use crate::code::expected::{ExpectedSchema, NotModelled, ObjectKind, Origin};
use crate::code::model::{QuerySite, SqlTypeDef};
use crate::querycheck::{
    Outcome, QueryChecks, QueryCounts, Rejection, StatementCheck, StatementKind,
};
use crate::schema::{DatabaseInfo, EnumType, RelationName};
use crate::section::Section;
use crate::service::{
    ColumnPrivileges, DefaultPrivilege, EffectiveSetting, FunctionPrivileges, Privilege,
    SchemaPrivileges, SequencePrivileges, ServiceEvidence, SettingSource, TablePrivileges,
};
use crate::testing::{
    applied, applied_migrations, col, index, key, query_site, service_evidence, snapshot, table_in,
};
use crate::{Finding, FindingKind, Snapshot};

const ALL: [Privilege; 4] = [
    Privilege::Select,
    Privilege::Insert,
    Privilege::Update,
    Privilege::Delete,
];

fn grants(schema: &str, name: &str, held: &[Privilege]) -> TablePrivileges {
    TablePrivileges {
        schema: schema.into(),
        name: name.into(),
        owner: Some("migrator".into()),
        owned: false,
        held: held.to_vec(),
        on_some_columns: Vec::new(),
    }
}

fn serial(ordinal: i32, name: &str, seq: &str) -> crate::schema::Column {
    crate::schema::Column {
        default: Some(format!("nextval('{seq}'::regclass)")),
        ..col(ordinal, name, "bigint", false)
    }
}

/// A Postgres service in schema `app`: accounts (serial id, email NOT NULL, mood enum,
/// nickname), notes (identity id, body, author NOT NULL added by 0002), payments; the role
/// `svc` with every privilege on them and USAGE on `app` and the sequence, search_path `app`
/// for both svc and gaps.
fn world(sql: &[&str]) -> Snapshot {
    let mut s = snapshot();
    s.target.backend = Some(Backend::Postgres);
    s.database = Section::collected(DatabaseInfo {
        backend: Backend::Postgres,
        server_version: "15".into(),
        database: Some("appdb".into()),
        current_user: Some("gaps".into()),
        search_path: Some("app, public".into()),
    });
    let mut accounts = table_in(
        "app",
        "accounts",
        vec![
            serial(1, "id", "app.accounts_id_seq"),
            col(2, "email", "text", false),
            col(3, "mood", "app.mood", true),
            col(4, "nickname", "text", true),
        ],
    );
    accounts.primary_key = Some(key("accounts_pkey", &["id"]));
    accounts.indexes = vec![index("accounts_email_key", &["email"], true, None)];
    let notes = table_in(
        "app",
        "notes",
        vec![
            crate::schema::Column {
                identity: Some("always".into()),
                ..col(1, "id", "bigint", false)
            },
            col(2, "body", "text", true),
            col(3, "author", "text", false),
        ],
    );
    let payments = table_in("app", "payments", vec![col(1, "id", "bigint", false)]);
    let legacy = table_in("public", "legacy", vec![col(1, "id", "bigint", false)]);
    let mut live = crate::testing::schema(vec![accounts, notes, payments, legacy]);
    live.schemas = vec!["app".into(), "public".into()];
    live.enums = vec![EnumType {
        schema: "app".into(),
        name: "mood".into(),
        labels: vec!["happy".into(), "sad".into()],
    }];
    s.schema = Section::collected(live);
    let mut svc = service_evidence("svc");
    svc.tables = Section::collected(
        ["accounts", "notes", "payments"]
            .iter()
            .map(|t| grants("app", t, &ALL))
            .chain([grants("public", "legacy", &ALL)])
            .collect(),
    );
    svc.schemas = Section::collected(vec![
        SchemaPrivileges {
            name: "app".into(),
            held: vec![Privilege::Usage],
        },
        SchemaPrivileges {
            name: "public".into(),
            held: vec![Privilege::Usage],
        },
    ]);
    svc.sequences = Section::collected(vec![SequencePrivileges {
        schema: "app".into(),
        name: "accounts_id_seq".into(),
        held: vec![Privilege::Usage],
    }]);
    svc.settings = Section::collected(vec![setting("app, public")]);
    s.service = Section::collected(svc);
    s.code = Section::collected(CodeEvidence {
        queries: sql
            .iter()
            .enumerate()
            .map(|(i, q)| query_site("src/db.rs", 10 * (i as u32 + 1), q, Backend::Postgres))
            .collect(),
        ..CodeEvidence::default()
    });
    described(&mut s, |_| Outcome::Ok);
    s
}

fn setting(path: &str) -> EffectiveSetting {
    EffectiveSetting {
        name: "search_path".into(),
        value: Some(path.into()),
        source: SettingSource::RoleInDatabase,
        at: Some("role svc in database appdb".into()),
        gaps_value: None,
    }
}

/// Records the database's verdict on every site.
fn described(s: &mut Snapshot, verdict: impl Fn(&QuerySite) -> Outcome) {
    let code = s.code.data().unwrap().clone();
    let statements: Vec<StatementCheck> = code
        .queries
        .iter()
        .map(|q| StatementCheck {
            file: q.file.clone(),
            line: q.line,
            api: Some(q.api.clone()),
            sql: q.sql.clone(),
            kind: StatementKind::Query,
            outcome: verdict(q),
            columns: Vec::new(),
            parameters: Vec::new(),
            target: None,
        })
        .collect();
    s.query_checks = Section::collected(QueryChecks {
        backend: Backend::Postgres,
        counts: QueryCounts::of(&statements),
        statements,
        offline: None,
        stopped: None,
    });
}

fn service(s: &mut Snapshot) -> &mut ServiceEvidence {
    match &mut s.service {
        Section::Collected { data } => data,
        _ => unreachable!(),
    }
}

fn of(s: &Snapshot, kind: FindingKind) -> Vec<Finding> {
    check(s).into_iter().filter(|f| f.kind == kind).collect()
}

fn sqlstate(f: &Finding) -> &str {
    f.details["sqlstate"].as_str().unwrap()
}

#[test]
fn a_table_privilege_the_role_lacks_is_an_error_with_the_grant_that_fixes_it() {
    let mut s = world(&[
        "SELECT id FROM payments WHERE id = $1",
        "SELECT id, email FROM accounts",
    ]);
    service(&mut s).tables = Section::collected(vec![
        grants("app", "payments", &[Privilege::Insert]),
        grants("app", "accounts", &ALL),
    ]);
    let f = of(&s, FindingKind::PrivilegeMissing);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].line, Some(10));
    assert_eq!(sqlstate(&f[0]), "42501");
    assert_eq!(f[0].details["stage"], "execute");
    assert_eq!(
        f[0].details["grant"],
        "GRANT SELECT ON app.payments TO svc;"
    );
    assert!(f[0].next_step.as_ref().unwrap().contains("GRANT SELECT"));
}

#[test]
fn writes_need_their_own_privilege_and_select_only_when_they_read_a_column() {
    let mut s = world(&[
        "UPDATE payments SET id = $1",
        "UPDATE payments SET id = $1 WHERE id = $2",
        "DELETE FROM payments",
        "INSERT INTO notes (body, author) VALUES ($1, $2)",
        "INSERT INTO notes (body, author) VALUES ($1, $2) RETURNING id",
    ]);
    service(&mut s).tables = Section::collected(vec![
        grants("app", "payments", &[Privilege::Update, Privilege::Delete]),
        grants("app", "notes", &[Privilege::Insert]),
    ]);
    let f = of(&s, FindingKind::PrivilegeMissing);
    let lines: Vec<(u32, &str)> = f
        .iter()
        .map(|f| (f.line.unwrap(), f.details["privilege"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [(20, "SELECT"), (50, "SELECT")], "{f:#?}");
}

#[test]
fn a_superuser_or_unreadable_privileges_get_no_privilege_finding() {
    let mut s = world(&["SELECT id FROM payments"]);
    service(&mut s).tables = Section::collected(vec![grants("app", "payments", &[])]);
    service(&mut s).role_facts = Section::collected(crate::service::RoleFacts {
        superuser: true,
        connecting_user: "gaps".into(),
        active_roles: Vec::new(),
    });
    assert!(of(&s, FindingKind::PrivilegeMissing).is_empty());
    let mut s = world(&["SELECT id FROM payments"]);
    service(&mut s).tables = Section::failed(
        "reading the service role's table privileges",
        "permission denied for function has_table_privilege",
    );
    assert!(of(&s, FindingKind::PrivilegeMissing).is_empty());
    let incomplete = of(&s, FindingKind::EvidenceIncomplete);
    assert_eq!(incomplete.len(), 1);
    assert!(incomplete[0].message.contains("table privileges"));
}

#[test]
fn column_grants_are_judged_on_the_columns_the_statement_reads() {
    let mut s = world(&[
        "SELECT id, email FROM accounts",
        "SELECT id, nickname FROM accounts",
        "SELECT count(*) FROM accounts",
        "SELECT * FROM accounts",
    ]);
    let mut t = grants("app", "accounts", &[Privilege::Insert]);
    t.on_some_columns = vec![Privilege::Select];
    service(&mut s).tables = Section::collected(vec![t]);
    service(&mut s).columns = Section::collected(
        ["id", "email", "mood", "nickname"]
            .iter()
            .map(|c| ColumnPrivileges {
                schema: "app".into(),
                table: "accounts".into(),
                column: c.to_string(),
                held: if ["id", "email"].contains(c) {
                    vec![Privilege::Select]
                } else {
                    Vec::new()
                },
            })
            .collect(),
    );
    let f = of(&s, FindingKind::PrivilegeMissing);
    let got: Vec<(u32, &str)> = f
        .iter()
        .map(|f| (f.line.unwrap(), f.column.as_deref().unwrap()))
        .collect();
    assert_eq!(got, [(20, "nickname"), (40, "mood, nickname")], "{f:#?}");
    assert_eq!(
        f[0].details["grant"],
        "GRANT SELECT (nickname) ON app.accounts TO svc;"
    );
}

#[test]
fn a_serial_default_needs_the_sequence_and_an_identity_column_does_not() {
    let mut s = world(&[
        "INSERT INTO accounts (email) VALUES ($1)",
        "INSERT INTO accounts (id, email) VALUES ($1, $2)",
        "INSERT INTO notes (body, author) VALUES ($1, $2)",
        "SELECT nextval('app.accounts_id_seq')",
    ]);
    service(&mut s).sequences = Section::collected(vec![SequencePrivileges {
        schema: "app".into(),
        name: "accounts_id_seq".into(),
        held: vec![Privilege::Select],
    }]);
    let f = of(&s, FindingKind::PrivilegeMissing);
    let got: Vec<(u32, &str)> = f
        .iter()
        .map(|f| (f.line.unwrap(), f.details["stage"].as_str().unwrap()))
        .collect();
    assert_eq!(got, [(10, "row"), (40, "row")], "{f:#?}");
    assert_eq!(
        f[0].details["grant"],
        "GRANT USAGE ON SEQUENCE app.accounts_id_seq TO svc;"
    );
}

#[test]
fn a_qualified_name_in_a_schema_the_role_may_not_use_fails_at_parse() {
    let mut s = world(&["SELECT id FROM app.payments"]);
    service(&mut s).schemas = Section::collected(vec![SchemaPrivileges {
        name: "app".into(),
        held: Vec::new(),
    }]);
    let f = of(&s, FindingKind::PrivilegeMissing);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].details["stage"], "parse");
    assert_eq!(f[0].details["grant"], "GRANT USAGE ON SCHEMA app TO svc;");
}

#[test]
fn a_function_no_overload_of_which_the_role_may_execute_is_reported() {
    let mut s = world(&["SELECT app.risk($1)", "SELECT lower($1)"]);
    service(&mut s).functions = Section::collected(vec![FunctionPrivileges {
        schema: "app".into(),
        name: "risk".into(),
        overloads: 1,
        executable: 0,
        executable_elsewhere: false,
        denied: vec!["integer".into()],
    }]);
    let f = of(&s, FindingKind::PrivilegeMissing);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(
        f[0].details["grant"],
        "GRANT EXECUTE ON FUNCTION app.risk(integer) TO svc;"
    );
    // Another overload it may execute: which one runs is not known, so nothing is said.
    service(&mut s).functions = Section::collected(vec![FunctionPrivileges {
        executable: 1,
        overloads: 2,
        ..FunctionPrivileges {
            schema: "app".into(),
            name: "risk".into(),
            overloads: 1,
            executable: 0,
            executable_elsewhere: false,
            denied: vec!["integer".into()],
        }
    }]);
    assert!(of(&s, FindingKind::PrivilegeMissing).is_empty());
}

#[test]
fn a_search_path_that_hides_or_shadows_a_table_is_an_error_and_the_same_one_is_not() {
    let mut s = world(&[
        "SELECT id FROM legacy",
        "SELECT id FROM accounts",
        "SELECT id FROM public.legacy",
    ]);
    service(&mut s).settings = Section::collected(vec![setting("app")]);
    let f = of(&s, FindingKind::SearchPathMismatch);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].line, sqlstate(&f[0])), (Some(10), "42P01"));
    assert!(f[0].next_step.as_ref().unwrap().contains("public.legacy"));
    // Shadowed by a relation without the column the statement reads: 42703.
    let mut s = world(&["SELECT email FROM accounts"]);
    let mut live = s.schema.data().unwrap().clone();
    live.tables.push(table_in(
        "public",
        "accounts",
        vec![col(1, "id", "bigint", false)],
    ));
    live.canonicalize();
    s.schema = Section::collected(live);
    let mut t = service(&mut s).tables.data().unwrap().clone();
    t.push(grants("public", "accounts", &ALL));
    service(&mut s).tables = Section::collected(t);
    service(&mut s).settings = Section::collected(vec![setting("public, app")]);
    let f = of(&s, FindingKind::SearchPathMismatch);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(sqlstate(&f[0]), "42703");
    // An unknown search_path says nothing.
    let mut s = world(&["SELECT id FROM legacy"]);
    service(&mut s).settings = Section::collected(vec![EffectiveSetting {
        value: None,
        source: SettingSource::Unknown,
        ..setting("")
    }]);
    assert!(check(&s).is_empty(), "{:#?}", check(&s));
}

#[test]
fn an_insert_that_leaves_out_a_not_null_column_names_the_migration_that_made_it_so() {
    let mut s = world(&[
        "INSERT INTO notes (body) VALUES ($1)",
        "INSERT INTO notes (body, author) VALUES ($1, $2)",
        "INSERT INTO notes (id, body) OVERRIDING SYSTEM VALUE VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET body = EXCLUDED.body",
        "INSERT INTO accounts (email) VALUES ($1)",
    ]);
    s.expected_schema = Section::collected(ExpectedSchema {
        origins: vec![Origin {
            kind: ObjectKind::Column,
            schema: "app".into(),
            table: "notes".into(),
            name: Some("author".into()),
            action: "set not null".into(),
            version: 2,
            file: "0002_author.sql".into(),
            line: 3,
        }],
        ..ExpectedSchema::default()
    });
    let f = of(&s, FindingKind::InsertMissingNotNull);
    let got: Vec<(u32, &str)> = f
        .iter()
        .map(|f| (f.line.unwrap(), f.column.as_deref().unwrap()))
        .collect();
    assert_eq!(got, [(10, "author"), (30, "author")], "{f:#?}");
    assert_eq!(sqlstate(&f[0]), "23502");
    assert_eq!(f[0].migration, Some(2));
    assert!(f[0].message.contains("0002_author.sql"));
    assert!(f[1].message.contains("upsert"));
}

#[test]
fn a_trigger_rule_or_domain_default_that_may_fill_the_value_stands_the_rule_down() {
    for hooks in [
        crate::service::WriteHooks {
            before_insert_triggers: vec![RelationName {
                schema: "app".into(),
                name: "notes".into(),
            }],
            ..Default::default()
        },
        crate::service::WriteHooks {
            domain_defaults: vec![crate::service::ColumnName {
                schema: "app".into(),
                table: "notes".into(),
                column: "author".into(),
            }],
            ..Default::default()
        },
    ] {
        let mut s = world(&["INSERT INTO notes (body) VALUES ($1)"]);
        service(&mut s).write_hooks = Section::collected(hooks);
        assert!(of(&s, FindingKind::InsertMissingNotNull).is_empty());
    }
    let mut s = world(&["INSERT INTO notes (body) VALUES ($1)"]);
    service(&mut s).write_hooks = Section::failed("reading triggers", "permission denied");
    assert!(of(&s, FindingKind::InsertMissingNotNull).is_empty());
}

#[test]
fn rejected_unparsed_and_other_database_statements_are_not_judged() {
    let mut s = world(&[
        "INSERT INTO notes (body) VALUES ($1)",
        "INSERT INTO notes (body) VALUES ($1",
        "INSERT INTO notes (body) VALUES ($1)  ",
    ]);
    described(&mut s, |q| {
        if q.line == 10 {
            Outcome::Rejected(Rejection {
                sqlstate: "42703".into(),
                message: "column does not exist".into(),
                detail: None,
                hint: None,
                position: None,
                line: None,
                table: None,
                column: None,
            })
        } else {
            Outcome::Ok
        }
    });
    if let Section::Collected { data } = &mut s.code {
        data.queries[2].scope.database = Some(crate::code::site_scope::SiteDatabase::Other {
            migrations: "./other".into(),
            how: "tables".into(),
        });
    }
    assert!(check(&s).is_empty(), "{:#?}", check(&s));
}

#[test]
fn a_statement_gaps_did_not_describe_is_judged_only_when_its_tables_and_columns_exist() {
    let mut s = world(&[
        "INSERT INTO notes (body) VALUES ($1)",
        "INSERT INTO notes (body, nope) VALUES ($1, $2)",
    ]);
    s.query_checks = Section::skipped("--no-describe");
    let f = of(&s, FindingKind::InsertMissingNotNull);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].line, Some(10));
}

#[test]
fn a_rust_enum_variant_the_live_enum_lacks_is_an_error_at_bind() {
    let mut s = world(&[]);
    if let Section::Collected { data } = &mut s.code {
        data.sql_types = vec![SqlTypeDef {
            name: "Mood".into(),
            file: "src/model.rs".into(),
            line: 4,
            type_name: Some("mood".into()),
            rename_all: Some("lowercase".into()),
            repr: None,
            transparent: None,
            labels: vec!["happy".into(), "sad".into(), "angry".into()],
        }];
    }
    let f = of(&s, FindingKind::EnumValueMissing);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].expected.as_deref(), Some("angry"));
    assert_eq!(
        (sqlstate(&f[0]), &f[0].details["stage"]),
        ("22P02", &"bind".into())
    );
    assert!(
        f[0].next_step
            .as_ref()
            .unwrap()
            .contains("ALTER TYPE app.mood ADD VALUE 'angry'")
    );
}

#[test]
fn an_enum_literal_is_judged_only_where_the_database_did_not_describe_the_statement() {
    let sql = ["SELECT id FROM accounts WHERE mood = 'angry'"];
    assert!(of(&world(&sql), FindingKind::EnumValueMissing).is_empty());
    let mut s = world(&sql);
    s.query_checks = Section::skipped("--no-describe");
    let f = of(&s, FindingKind::EnumValueMissing);
    assert_eq!(f.len(), 1);
    assert_eq!(
        (sqlstate(&f[0]), &f[0].details["stage"]),
        ("22P02", &"parse".into())
    );
}

#[test]
fn a_conflict_target_without_a_unique_index_is_an_error_and_a_matching_one_is_not() {
    let s = world(&[
        "INSERT INTO accounts (email) VALUES ($1) ON CONFLICT (nickname) DO NOTHING",
        "INSERT INTO accounts (email) VALUES ($1) ON CONFLICT (email) DO NOTHING",
        "INSERT INTO accounts (id, email) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
        "INSERT INTO accounts (email) VALUES ($1) ON CONFLICT DO NOTHING",
    ]);
    let f = of(&s, FindingKind::OnConflictTargetMissing);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].line, sqlstate(&f[0])), (Some(10), "42P10"));
    assert_eq!(f[0].details["stage"], "plan");
}

fn pending_world(defaults: Vec<DefaultPrivilege>, not_modelled: Vec<NotModelled>) -> Snapshot {
    let mut s = world(&["SELECT id FROM invoices"]);
    let mut rows = applied_migrations(vec![applied(1, "init")]);
    rows.table = "app._sqlx_migrations".into();
    s.applied_migrations = Section::collected(rows);
    let mut t = service(&mut s).tables.data().unwrap().clone();
    t.push(grants("app", "_sqlx_migrations", &[]));
    service(&mut s).tables = Section::collected(t);
    service(&mut s).default_privileges = Section::collected(defaults);
    s.expected_schema = Section::collected(ExpectedSchema {
        origins: vec![Origin {
            kind: ObjectKind::Table,
            schema: "app".into(),
            table: "invoices".into(),
            name: None,
            action: "create".into(),
            version: 3,
            file: "0003_invoices.sql".into(),
            line: 1,
        }],
        not_modelled,
        ..ExpectedSchema::default()
    });
    // The statement is on a table that does not exist yet: the database rejects it.
    described(&mut s, |_| {
        Outcome::Rejected(Rejection {
            sqlstate: "42P01".into(),
            message: "relation \"invoices\" does not exist".into(),
            detail: None,
            hint: None,
            position: None,
            line: None,
            table: None,
            column: None,
        })
    });
    s
}

#[test]
fn a_table_a_pending_migration_creates_without_a_default_privilege_is_a_warning() {
    let f = of(
        &pending_world(Vec::new(), Vec::new()),
        FindingKind::PrivilegeMissing,
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].severity, crate::Severity::Warning);
    assert_eq!(f[0].migration, Some(3));
    assert!(
        f[0].details["grant"]
            .as_str()
            .unwrap()
            .starts_with("ALTER DEFAULT PRIVILEGES FOR ROLE migrator IN SCHEMA app GRANT SELECT")
    );
    let covered = DefaultPrivilege {
        owner: "migrator".into(),
        schema: Some("app".into()),
        object_type: "table".into(),
        grantee: "svc".into(),
        privilege: Privilege::Select,
        applies: true,
    };
    assert!(
        of(
            &pending_world(vec![covered.clone()], Vec::new()),
            FindingKind::PrivilegeMissing
        )
        .is_empty()
    );
    // A default privilege for someone else does not cover the service role.
    let other = DefaultPrivilege {
        grantee: "reporting".into(),
        applies: false,
        ..covered
    };
    assert_eq!(
        of(
            &pending_world(vec![other], Vec::new()),
            FindingKind::PrivilegeMissing
        )
        .len(),
        1
    );
    // A GRANT in the migration the replay did not model may cover it: nothing is said.
    let grant = NotModelled {
        version: 3,
        file: "0003_invoices.sql".into(),
        line: 5,
        statement: "GRANT SELECT ON".into(),
        reason: "privileges are not modelled".into(),
    };
    assert!(
        of(
            &pending_world(Vec::new(), vec![grant]),
            FindingKind::PrivilegeMissing
        )
        .is_empty()
    );
}

#[test]
fn the_diagnosis_gathers_missing_privileges_into_one_cause_whose_fix_is_the_grants() {
    let mut s = world(&[
        "SELECT id FROM payments WHERE id = $1",
        "SELECT id, email FROM accounts",
        "DELETE FROM payments",
    ]);
    service(&mut s).tables = Section::collected(vec![
        grants("app", "payments", &[Privilege::Insert]),
        grants("app", "accounts", &[]),
    ]);
    let findings = crate::rules::analyse(&s);
    let privilege: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].kind == FindingKind::PrivilegeMissing)
        .collect();
    assert!(privilege.len() >= 3, "{findings:#?}");
    let d = crate::causes::diagnose(&s, &findings);
    let owners: std::collections::BTreeSet<usize> =
        privilege.iter().map(|&i| d.of_finding[i]).collect();
    assert_eq!(owners.len(), 1, "one cause: {:#?}", d.causes);
    let cause = &d.causes[*owners.first().unwrap()];
    assert_eq!(cause.title, "The service role lacks privileges");
    let sql: Vec<&str> = cause.fix.iter().filter_map(|s| s.sql.as_deref()).collect();
    assert!(
        sql.contains(&"GRANT SELECT ON app.accounts TO svc;"),
        "{sql:?}"
    );
    assert!(sql.iter().any(|g| g.contains("ON app.payments")), "{sql:?}");
    let distinct: std::collections::BTreeSet<&&str> = sql.iter().collect();
    assert_eq!(distinct.len(), sql.len(), "each GRANT once: {sql:?}");
    // Without privilege findings the cause does not exist.
    let mut clean = world(&["SELECT id FROM payments"]);
    service(&mut clean).tables = Section::collected(vec![grants("app", "payments", &ALL)]);
    let findings = crate::rules::analyse(&clean);
    let d = crate::causes::diagnose(&clean, &findings);
    assert!(
        d.causes.iter().all(|c| c.title != cause.title),
        "{:#?}",
        d.causes
    );
}

#[test]
fn gaps_own_read_only_role_does_not_stand_in_for_the_service_unless_named() {
    let sql = ["SELECT id FROM payments", "DELETE FROM payments"];
    let read_only = || vec![grants("app", "payments", &[Privilege::Select])];
    // Not named: gaps' own read-only user; its missing DELETE says nothing of the service.
    let mut s = world(&sql);
    service(&mut s).role_source = crate::service::RoleSource::ConnectingUser;
    service(&mut s).tables = Section::collected(read_only());
    assert!(of(&s, FindingKind::PrivilegeMissing).is_empty());
    let said = of(&s, FindingKind::EvidenceUnavailable);
    assert_eq!(said.len(), 1, "{said:#?}");
    assert!(said[0].message.contains("privileges not judged"));
    // Named with --service-role: the same grants are judged.
    let mut s = world(&sql);
    service(&mut s).tables = Section::collected(read_only());
    assert_eq!(of(&s, FindingKind::PrivilegeMissing).len(), 1);
    // Not named but the connecting user writes somewhere: it is judged as the service.
    let mut s = world(&sql);
    service(&mut s).role_source = crate::service::RoleSource::ConnectingUser;
    service(&mut s).tables = Section::collected(vec![
        grants("app", "payments", &[Privilege::Select]),
        grants("app", "notes", &[Privilege::Insert]),
    ]);
    assert_eq!(of(&s, FindingKind::PrivilegeMissing).len(), 1);
    assert!(of(&s, FindingKind::EvidenceUnavailable).is_empty());
}
