//! The rule that the database's verdict wins over static analysis, and the statements static
//! analysis must leave alone.

use crate::backend::Backend;
use crate::code::databases::SiteDatabase;
use crate::code::model::{CodeEvidence, QuerySite, SiteScope};
use crate::code::replay::{MigrationSource, replay};
use crate::code::session::link_function;
use crate::code::sql::analyse;
use crate::finding::{Finding, FindingKind, Severity};
use crate::querycheck::{
    Outcome, QueryChecks, QueryCounts, Rejection, StatementCheck, StatementKind,
};
use crate::section::Section;
use crate::snapshot::{Snapshot, Target};

const SCHEMA: &str = "CREATE TABLE jobs (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, \
                      finished_at TIMESTAMPTZ);\n\
                      CREATE TABLE job_logs (id BIGINT PRIMARY KEY, job_id BIGINT NOT NULL);";

fn site(line: u32, sql: &str) -> QuerySite {
    QuerySite {
        file: "src/db/jobs.rs".into(),
        line,
        api: "sqlx::query".into(),
        macro_checked: false,
        sql: Some(sql.into()),
        sql_origin: Some("literal".into()),
        sql_line: None,
        target: None,
        target_origin: None,
        not_checkable: None,
        access: Some(analyse(sql, Backend::Postgres)),
        scope: SiteScope::default(),
    }
}

fn verdict(s: &QuerySite, outcome: Outcome) -> StatementCheck {
    StatementCheck {
        file: s.file.clone(),
        line: s.line,
        api: Some(s.api.clone()),
        sql: s.sql.clone(),
        kind: StatementKind::Query,
        outcome,
        columns: Vec::new(),
        parameters: Vec::new(),
        target: None,
    }
}

fn snapshot(sites: Vec<QuerySite>, outcomes: Option<Vec<Outcome>>) -> Snapshot {
    let mut s = Snapshot::new("0", "2026-01-01T00:00:00Z".into(), Target::default());
    s.target.backend = Some(Backend::Postgres);
    let live = replay(
        &[MigrationSource {
            version: 1,
            file: "0001_jobs.sql".into(),
            sql: SCHEMA.into(),
        }],
        Backend::Postgres,
    );
    s.schema = Section::collected(live.schema);
    if let Some(outcomes) = outcomes {
        let statements: Vec<StatementCheck> = sites
            .iter()
            .zip(outcomes)
            .map(|(q, o)| verdict(q, o))
            .collect();
        s.query_checks = Section::collected(QueryChecks {
            backend: Backend::Postgres,
            counts: QueryCounts::of(&statements),
            statements,
            offline: None,
            stopped: None,
        });
    }
    s.code = Section::collected(CodeEvidence {
        queries: sites,
        ..CodeEvidence::default()
    });
    s
}

/// (kind, severity, table, column) of the findings about tables, columns and statements.
fn about_sql(fs: &[Finding]) -> Vec<(FindingKind, Severity, String, String)> {
    fs.iter()
        .filter(|f| {
            matches!(
                f.kind,
                FindingKind::TableMissing | FindingKind::ColumnMissing | FindingKind::QueryInvalid
            )
        })
        .map(|f| {
            (
                f.kind,
                f.severity,
                f.table.clone().unwrap_or_default(),
                f.column.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// A statement whose static reading names a table and a column the live schema lacks (as a
/// misread table function would).
const MISREAD: &str = "SELECT j.id, j.nope FROM ghost j";

#[test]
fn a_statement_the_database_accepted_gets_at_most_an_info_from_static_analysis() {
    let fs = crate::rules::analyse(&snapshot(vec![site(10, MISREAD)], Some(vec![Outcome::Ok])));
    let got = about_sql(&fs);
    assert_eq!(
        got,
        [(
            FindingKind::TableMissing,
            Severity::Info,
            "ghost".to_string(),
            String::new()
        )],
        "{fs:#?}"
    );
    assert!(
        fs[0]
            .message
            .contains("the database accepts this statement")
    );
}

#[test]
fn without_a_verdict_or_with_a_rejection_static_analysis_reports_errors() {
    let fs = crate::rules::analyse(&snapshot(vec![site(10, MISREAD)], None));
    assert_eq!(
        about_sql(&fs),
        [(
            FindingKind::TableMissing,
            Severity::Error,
            "ghost".into(),
            String::new()
        )]
    );
    let rejected = Outcome::Rejected(Rejection {
        sqlstate: "42P01".into(),
        message: "relation \"ghost\" does not exist".into(),
        detail: None,
        hint: None,
        position: None,
        line: None,
        table: Some("ghost".into()),
        column: None,
    });
    let fs = crate::rules::analyse(&snapshot(vec![site(10, MISREAD)], Some(vec![rejected])));
    let mut got = about_sql(&fs);
    got.sort();
    assert_eq!(
        got,
        [
            (
                FindingKind::TableMissing,
                Severity::Error,
                "ghost".into(),
                String::new()
            ),
            (
                FindingKind::QueryInvalid,
                Severity::Error,
                "ghost".into(),
                String::new()
            ),
        ]
    );
}

#[test]
fn statements_of_other_databases_are_not_judged_here() {
    let mut s = site(10, "SELECT id, value FROM store");
    s.scope.database = Some(SiteDatabase::Other {
        migrations: "./record-migrations".into(),
        how: "tables".into(),
    });
    let mut e = site(20, "SELECT cmd FROM commands");
    e.scope.database = Some(SiteDatabase::External {
        reason: "src/import/shell.rs:4 opens its own connection".into(),
    });
    let fs = crate::rules::analyse(&snapshot(vec![s, e], None));
    assert!(about_sql(&fs).is_empty(), "{fs:#?}");
}

#[test]
fn a_temporary_table_is_no_table_but_the_real_ones_beside_it_are_checked() {
    let mut sites = vec![
        site(
            528,
            "create temporary table doomed on commit drop as (select id from jobs where \
             finished_at < now() - interval '7 days')",
        ),
        site(
            531,
            "delete from job_logs where job_id in (select id from doomed)",
        ),
        site(
            534,
            "delete from job_archive where job_id in (select id from doomed)",
        ),
        site(540, "set local search_path to tenant_1"),
        site(541, "select id from somewhere_in_tenant"),
    ];
    link_function(&mut sites);
    let fs = crate::rules::analyse(&snapshot(sites, None));
    // job_archive does not exist: that is still reported; doomed and the tenant's table
    // are not.
    assert_eq!(
        about_sql(&fs),
        [(
            FindingKind::TableMissing,
            Severity::Error,
            "job_archive".into(),
            String::new()
        )],
        "{fs:#?}"
    );
}
