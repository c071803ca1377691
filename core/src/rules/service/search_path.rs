//! `search_path_mismatch`: an unqualified name that resolves to another relation, or to none,
//! under the service role's effective search_path (and the schemas it may use) than in gaps'
//! session, where Describe resolved it. None: "relation does not exist" (42P01) at parse.
//! Another relation: the statement runs against it, and fails with 42703 at parse when that
//! relation lacks a column the statement uses.

use crate::actions;
use crate::backend::Backend;
use crate::finding::{Finding, FindingKind, Severity};
use crate::service::SettingSource;

use super::super::static_sql::has_column;
use super::judged::{Ctx, Resolved, Stmt};
use super::names::{Stage, pg_ident, predicts};

pub(super) fn check(ctx: &Ctx, s: &Stmt) -> Vec<Finding> {
    let Some(service) = ctx.service else {
        return Vec::new();
    };
    if ctx.backend != Backend::Postgres || ctx.service_path.is_none() {
        return Vec::new();
    }
    let setting = service.setting("search_path");
    let svc_path = setting.and_then(|x| x.value.clone()).unwrap_or_default();
    let gaps_path = ctx
        .snapshot
        .database
        .data()
        .and_then(|d| d.search_path.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut said: Vec<&str> = Vec::new();
    for t in s.st.tables.iter().filter(|t| t.schema.is_none()) {
        if said.contains(&t.name.as_str()) {
            continue;
        }
        let Resolved::Table(for_gaps) = ctx.resolve_for_gaps(t) else {
            continue;
        };
        let (predicted, other, lacking) = match ctx.resolve_for_service(t) {
            Resolved::Unknown => continue,
            Resolved::Table(x) if x.schema == for_gaps.schema => continue,
            Resolved::Missing => (Some("42P01"), None, None),
            Resolved::Table(x) => {
                let lacking =
                    s.st.columns
                        .iter()
                        .find(|c| c.table == t.name && !has_column(x, &c.column))
                        .map(|c| c.column.clone());
                (lacking.as_ref().map(|_| "42703"), Some(x), lacking)
            }
        };
        said.push(&t.name);
        let outcome = match (other, &lacking) {
            (None, _) => format!(
                "the service role finds no relation {} there: executing this statement fails \
                 with \"relation \\\"{}\\\" does not exist\" (SQLSTATE 42P01)",
                t.name, t.name
            ),
            (Some(x), Some(col)) => format!(
                "for the service role it is {}.{}, which has no column {col}: executing this \
                 statement fails with \"column \\\"{col}\\\" does not exist\" (SQLSTATE 42703)",
                x.schema, x.name
            ),
            (Some(x), None) => format!(
                "for the service role it is {}.{}: the statement reads and writes that \
                 relation instead, without an error",
                x.schema, x.name
            ),
        };
        let source = setting.map(|x| x.source).unwrap_or(SettingSource::Unknown);
        let fix_setting = match source {
            SettingSource::AfterConnect | SettingSource::ConnectOptions => format!(
                "change the search_path the code sets at {}",
                setting.and_then(|x| x.at.clone()).unwrap_or_default()
            ),
            SettingSource::Dsn => "change the search_path in the connection URL's options".into(),
            _ => format!(
                "ALTER ROLE {} IN DATABASE {} SET search_path = {};",
                pg_ident(&service.role),
                pg_ident(
                    ctx.snapshot
                        .database
                        .data()
                        .and_then(|d| d.database.as_deref())
                        .unwrap_or("current_database")
                ),
                ctx.gaps_path
                    .iter()
                    .flatten()
                    .map(|p| pg_ident(p))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let f = Finding::new(
            FindingKind::SearchPathMismatch,
            Severity::Error,
            actions::TABLES,
            format!(
                "{}: {} resolves to {}.{} in gaps' session (search_path {gaps_path}), where \
                 Describe accepted it, but the service role {} runs with search_path \
                 {svc_path} ({}): {outcome}",
                s.at(),
                t.name,
                for_gaps.schema,
                for_gaps.name,
                service.role,
                source.label()
            ),
        )
        .location(s.site.file.clone(), Some(s.line()))
        .schema(for_gaps.schema.clone())
        .table(t.name.clone())
        .expected(format!("{}.{}", for_gaps.schema, for_gaps.name))
        .live(match other {
            Some(x) => format!("{}.{}", x.schema, x.name),
            None => "no such relation".to_string(),
        })
        .detail("role", service.role.clone())
        .detail("service_search_path", svc_path.clone())
        .detail("gaps_search_path", gaps_path.clone())
        .next_step(format!(
            "write the name qualified ({}.{}) at {}, or {fix_setting}",
            pg_ident(&for_gaps.schema),
            pg_ident(&for_gaps.name),
            s.at()
        ));
        out.push(match predicted {
            Some(code) => predicts(f, code, None, Stage::Parse),
            None => f.detail("stage", "none"),
        });
    }
    out
}
