//! The statements these rules judge, and how their names resolve: for gaps' own session
//! (what Describe saw) and for the service role (its search_path, the schemas it may use).

use crate::backend::Backend;
use crate::code::model::{CodeEvidence, QuerySite};
use crate::code::sql::{StatementAccess, TableUse};
use crate::querycheck::{Outcome, QueryChecks};
use crate::schema::{Catalog, Schema, Table, TableKind};
use crate::service::ServiceEvidence;
use crate::service::settings::search_path_schemas;
use crate::snapshot::Snapshot;

use super::super::static_sql::{find_table, has_column};

/// What every rule reads.
pub(super) struct Ctx<'a> {
    pub snapshot: &'a Snapshot,
    pub backend: Backend,
    pub live: &'a Schema,
    pub code: &'a CodeEvidence,
    pub checks: Option<&'a QueryChecks>,
    /// The service evidence, when it was collected.
    pub service: Option<&'a ServiceEvidence>,
    /// gaps' own search_path (`$user` expanded), Postgres only.
    pub gaps_path: Option<Vec<String>>,
    /// The service role's search_path (`$user` expanded); None when unknown.
    pub service_path: Option<Vec<String>>,
}

/// One statement judged.
pub(super) struct Stmt<'a> {
    pub site: &'a QuerySite,
    pub st: &'a StatementAccess,
    /// Whether the live database described it without error.
    pub described: bool,
}

impl Stmt<'_> {
    /// The source line of the statement.
    pub fn line(&self) -> u32 {
        self.site.line + self.st.line.saturating_sub(1)
    }

    /// `file:line`.
    pub fn at(&self) -> String {
        format!("{}:{}", self.site.file, self.line())
    }
}

/// How a name resolves.
#[derive(Debug, Clone, Copy)]
pub(super) enum Resolved<'a> {
    /// To this live relation.
    Table(&'a Table),
    /// To nothing: "relation does not exist".
    Missing,
    /// Not known (a setting or privilege gaps could not read, a system relation).
    Unknown,
}

fn expand(path: &str, user: Option<&str>) -> Vec<String> {
    search_path_schemas(path)
        .into_iter()
        .filter_map(|s| {
            if s == "$user" {
                user.map(str::to_string)
            } else {
                Some(s)
            }
        })
        .collect()
}

impl<'a> Ctx<'a> {
    /// None when there is nothing to judge against (no live schema or no source scan).
    pub fn new(snapshot: &'a Snapshot) -> Option<Ctx<'a>> {
        let live = snapshot.schema.data()?;
        let code = snapshot.code.data()?;
        let backend = snapshot
            .database
            .data()
            .map(|d| d.backend)
            .or(snapshot.target.backend)?;
        let service = snapshot.service.data();
        let db = snapshot.database.data();
        let (gaps_path, service_path) = if backend == Backend::Postgres {
            let gaps =
                db.and_then(|d| Some(expand(d.search_path.as_deref()?, d.current_user.as_deref())));
            let svc = service.and_then(|s| {
                Some(expand(
                    s.setting("search_path")?.value.as_deref()?,
                    Some(&s.role),
                ))
            });
            (gaps, svc)
        } else {
            (None, None)
        };
        Some(Ctx {
            snapshot,
            backend,
            live,
            code,
            checks: snapshot.query_checks.data(),
            service,
            gaps_path,
            service_path,
        })
    }

    /// The statements judged: of the database being collected, read by the parser, not
    /// depending on objects the code creates, not rejected by the database; one it did not
    /// describe only when every table and column the analysis read exists.
    pub fn statements(&self) -> Vec<Stmt<'a>> {
        let mut out = Vec::new();
        for site in &self.code.queries {
            if !site.statically_checked() || !site.scope.depends_on.is_empty() {
                continue;
            }
            let Some(access) = &site.access else { continue };
            if !access.parse_errors.is_empty() {
                continue;
            }
            let outcome = self.checks.and_then(|c| {
                c.statements
                    .iter()
                    .find(|s| s.file == site.file && s.line == site.line && s.sql == site.sql)
                    .map(|s| &s.outcome)
            });
            if matches!(outcome, Some(Outcome::Rejected(_))) {
                continue;
            }
            let described = matches!(outcome, Some(Outcome::Ok));
            for st in &access.statements {
                if !matches!(st.kind.as_str(), "select" | "insert" | "update" | "delete") {
                    continue;
                }
                if !described && !self.all_exist(st) {
                    continue;
                }
                out.push(Stmt {
                    site,
                    st,
                    described,
                });
            }
        }
        out
    }

    /// Every table the statement uses resolves for gaps, and every column it reads of a
    /// table is there.
    fn all_exist(&self, st: &StatementAccess) -> bool {
        st.tables
            .iter()
            .all(|t| matches!(self.resolve_for_gaps(t), Resolved::Table(_)))
            && st
                .columns
                .iter()
                .all(|c| match self.table_named(st, &c.table) {
                    Some(t) => t.kind != TableKind::Table || has_column(t, &c.column),
                    None => false,
                })
    }

    /// The live relation a table name of the statement resolves to for gaps.
    pub fn table_named(&self, st: &StatementAccess, name: &str) -> Option<&'a Table> {
        let t = st.tables.iter().find(|t| t.name == name)?;
        match self.resolve_for_gaps(t) {
            Resolved::Table(t) => Some(t),
            _ => None,
        }
    }

    /// How `t` resolves in gaps' session (what Describe saw).
    pub fn resolve_for_gaps(&self, t: &TableUse) -> Resolved<'a> {
        if self.backend != Backend::Postgres {
            return match find_table(self.live, &t.name) {
                Some(x) => Resolved::Table(x),
                None => Resolved::Missing,
            };
        }
        self.resolve(t, self.gaps_path.as_deref(), &|_| Some(true))
    }

    /// How `t` resolves for the service role: its search_path, skipping the schemas it may
    /// not use (Postgres leaves those out of the path).
    pub fn resolve_for_service(&self, t: &TableUse) -> Resolved<'a> {
        if self.backend != Backend::Postgres {
            return self.resolve_for_gaps(t);
        }
        let Some(service) = self.service else {
            return Resolved::Unknown;
        };
        self.resolve(t, self.service_path.as_deref(), &|s| {
            service.schema_usage(s)
        })
    }

    fn resolve(
        &self,
        t: &TableUse,
        path: Option<&[String]>,
        usage: &dyn Fn(&str) -> Option<bool>,
    ) -> Resolved<'a> {
        if let Some(schema) = &t.schema {
            return match self.live.table(schema, &t.name) {
                Some(x) => Resolved::Table(x),
                None => Resolved::Unknown,
            };
        }
        let Some(path) = path else {
            return Resolved::Unknown;
        };
        for schema in path {
            if schema == "pg_catalog" || schema == "pg_temp" {
                continue;
            }
            if !self.live.sees(Catalog::Tables, schema, &t.name) {
                return Resolved::Unknown;
            }
            let Some(found) = self.live.table(schema, &t.name) else {
                continue;
            };
            match usage(schema) {
                Some(true) => return Resolved::Table(found),
                Some(false) => continue,
                None => return Resolved::Unknown,
            }
        }
        Resolved::Missing
    }
}
