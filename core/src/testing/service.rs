//! A whole service in a few lines, for the tests of everything that reads more than one
//! section (the causes above all): its migrations (replayed into the expected schema), which
//! of them the database applied, failed or has in another version, the live schema as those
//! migrations left it (then changed by hand), SQL call sites with the database's verdict,
//! FromRow models, logs and a health response.

use crate::backend::Backend;
use crate::code::model::{CodeEvidence, MappingSource, Model, ModelField, ModelMapping, QuerySite};
use crate::code::replay::{MigrationSource, replay};
use crate::code::sql::analyse;
use crate::health::{HealthEvidence, body_from_bytes};
use crate::logs::scan::analyse_text;
use crate::migrations::{AppliedMigration, LocalMigration};
use crate::querycheck::{
    DescribedColumn, Outcome, QueryChecks, QueryCounts, Rejection, StatementCheck, StatementKind,
    TargetField, TargetShape, TargetType,
};
use crate::schema::Schema;
use crate::section::Section;
use crate::snapshot::Snapshot;

/// A rejection with a SQLSTATE, a message, and the table and column the error names.
pub fn rejected(
    sqlstate: &str,
    message: &str,
    table: Option<&str>,
    column: Option<&str>,
) -> Outcome {
    Outcome::Rejected(Rejection {
        sqlstate: sqlstate.into(),
        message: message.into(),
        detail: None,
        hint: None,
        position: None,
        line: None,
        table: table.map(str::to_owned),
        column: column.map(str::to_owned),
    })
}

type LiveEdit = Box<dyn Fn(&mut Schema)>;

/// A service and its database, built into a [`Snapshot`] by [`Service::snapshot`].
pub struct Service {
    backend: Backend,
    migrations: Vec<MigrationSource>,
    applied: Vec<i64>,
    failed: Vec<i64>,
    edited: Vec<(i64, Option<String>)>,
    live_edits: Vec<LiveEdit>,
    queries: Vec<(QuerySite, StatementCheck)>,
    models: Vec<Model>,
    logs: Option<String>,
    health: Option<String>,
    gaps_md_tables: Vec<String>,
    migrations_table_missing: bool,
}

impl Default for Service {
    fn default() -> Self {
        Service::new()
    }
}

impl Service {
    /// A Postgres service with no migration, no code and nothing collected but the sections
    /// that follow from what is added.
    pub fn new() -> Service {
        Service {
            backend: Backend::Postgres,
            migrations: Vec::new(),
            applied: Vec::new(),
            failed: Vec::new(),
            edited: Vec::new(),
            live_edits: Vec::new(),
            queries: Vec::new(),
            models: Vec::new(),
            logs: None,
            health: None,
            gaps_md_tables: Vec::new(),
            migrations_table_missing: false,
        }
    }

    /// Migration `version` (`NNNN_m.sql`) with `sql`.
    pub fn migration(mut self, version: i64, sql: &str) -> Service {
        self.migrations
            .push(crate::testing::migration_source(version, sql));
        self
    }

    /// The database applied these migrations (successfully).
    pub fn applied(mut self, versions: &[i64]) -> Service {
        self.applied.extend_from_slice(versions);
        self
    }

    /// The database recorded `version` with success = false (its SQL ran in full; take
    /// objects away with [`Service::live`]).
    pub fn failed(mut self, version: i64) -> Service {
        self.failed.push(version);
        self
    }

    /// The local file of applied migration `version` was edited after it was applied;
    /// `applied_as` is the SQL that ran (None: the same SQL, only the checksum differs).
    pub fn edited(mut self, version: i64, applied_as: Option<&str>) -> Service {
        self.edited.push((version, applied_as.map(str::to_owned)));
        self
    }

    /// The migrations table does not exist (nothing applied).
    pub fn no_migrations_table(mut self) -> Service {
        self.migrations_table_missing = true;
        self
    }

    /// A change made by hand to the live schema after the migrations ran.
    pub fn live(mut self, edit: impl Fn(&mut Schema) + 'static) -> Service {
        self.live_edits.push(Box::new(edit));
        self
    }

    /// A SQL call site at `file:line` and the database's verdict on it.
    pub fn query(self, file: &str, line: u32, sql: &str, outcome: Outcome) -> Service {
        self.query_as(file, line, sql, outcome, None, &[])
    }

    /// A call site whose rows decode into `target` (struct fields `(name, rust type)`), with
    /// the result columns the database described (`(name, SQL type, nullable)`).
    pub fn query_as(
        mut self,
        file: &str,
        line: u32,
        sql: &str,
        outcome: Outcome,
        target: Option<(&str, &[(&str, &str)])>,
        columns: &[(&str, &str, Option<bool>)],
    ) -> Service {
        let site = QuerySite {
            file: file.into(),
            line,
            api: "sqlx::query_as".into(),
            macro_checked: false,
            sql: Some(sql.into()),
            sql_origin: Some("literal".into()),
            sql_line: None,
            target: target.map(|(n, _)| n.to_string()),
            target_origin: target.map(|_| "turbofish".to_string()),
            not_checkable: None,
            scope: Default::default(),
            access: Some(analyse(sql, self.backend)),
        };
        let check = StatementCheck {
            file: file.into(),
            line,
            api: Some("sqlx::query_as".into()),
            sql: Some(sql.into()),
            kind: StatementKind::Query,
            outcome,
            columns: columns
                .iter()
                .map(|(n, t, null)| DescribedColumn {
                    name: n.to_string(),
                    type_name: t.to_string(),
                    nullable: *null,
                })
                .collect(),
            parameters: Vec::new(),
            target: target.map(|(name, fields)| TargetType {
                name: name.into(),
                shape: TargetShape::Struct,
                fields: fields
                    .iter()
                    .map(|(f, ty)| TargetField {
                        name: f.to_string(),
                        column: f.to_string(),
                        rust_type: ty.to_string(),
                        default: false,
                        not_a_column: false,
                        json: false,
                        try_from: None,
                    })
                    .collect(),
                defined_at: None,
            }),
        };
        self.queries.push((site, check));
        self
    }

    /// A FromRow model loaded from `table`, defined in `file` at `line`, with fields
    /// `(name, rust type)` on the lines after it.
    pub fn model(
        mut self,
        name: &str,
        file: &str,
        line: u32,
        table: &str,
        fields: &[(&str, &str)],
    ) -> Service {
        self.models.push(Model {
            name: name.into(),
            file: file.into(),
            line,
            rename_all: None,
            fields: fields
                .iter()
                .enumerate()
                .map(|(i, (f, ty))| ModelField {
                    name: f.to_string(),
                    column: f.to_string(),
                    rust_type: ty.to_string(),
                    line: line + 1 + i as u32,
                    rename: None,
                    skip: false,
                    default: false,
                    flatten: false,
                    json: false,
                    try_from: None,
                })
                .collect(),
            mapping: ModelMapping {
                tables: vec![table.into()],
                source: MappingSource::Query,
                evidence: Vec::new(),
                database: None,
            },
        });
        self
    }

    /// The service's log (fly.io lines or any format the scanner reads).
    pub fn logs(mut self, text: &str) -> Service {
        self.logs = Some(text.into());
        self
    }

    /// The health endpoint answers with this JSON body.
    pub fn health(mut self, body: &str) -> Service {
        self.health = Some(body.into());
        self
    }

    /// gaps.md lists these tables under ACTION-004.
    pub fn gaps_md_tables(mut self, tables: &[&str]) -> Service {
        self.gaps_md_tables = tables.iter().map(|t| t.to_string()).collect();
        self
    }

    /// The snapshot gaps would collect from this service.
    pub fn snapshot(&self) -> Snapshot {
        let mut s = crate::testing::snapshot();
        s.target.backend = Some(self.backend);
        s.target.source_dir = Some("/srv/app".into());
        let checksum = |v: i64| format!("{:096x}", v);
        let mut expected = replay(&self.migrations, self.backend);
        expected.gaps_md_tables = self.gaps_md_tables.clone();
        if !self.gaps_md_tables.is_empty() {
            expected.gaps_md_file = Some("gaps.md".into());
        }
        s.expected_schema = Section::collected(expected);
        // The live schema: what the applied (and failed) migrations made, as they ran.
        let ran: Vec<MigrationSource> = self
            .migrations
            .iter()
            .filter(|m| self.applied.contains(&m.version) || self.failed.contains(&m.version))
            .map(|m| MigrationSource {
                sql: self
                    .edited
                    .iter()
                    .find(|(v, _)| *v == m.version)
                    .and_then(|(_, sql)| sql.clone())
                    .unwrap_or_else(|| m.sql.clone()),
                ..m.clone()
            })
            .collect();
        let mut live = replay(&ran, self.backend).schema;
        for edit in &self.live_edits {
            edit(&mut live);
        }
        live.canonicalize();
        s.schema = Section::collected(live);
        let files: Vec<LocalMigration> = self
            .migrations
            .iter()
            .map(|m| {
                let mut sum = checksum(m.version);
                if self.edited.iter().any(|(v, _)| *v == m.version) {
                    sum = format!("{:096x}", m.version + 1_000_000);
                }
                LocalMigration {
                    file: m.file.clone(),
                    checksum: sum.clone(),
                    checksum_normalized: sum,
                    ..crate::testing::local(m.version, "m")
                }
            })
            .collect();
        s.local_migrations = Section::collected(crate::migrations::LocalMigrations {
            directory: "/srv/app/migrations".into(),
            ..crate::testing::local_migrations(files)
        });
        let mut rows: Vec<AppliedMigration> = Vec::new();
        for m in &self.migrations {
            let ok = self.applied.contains(&m.version);
            let failed = self.failed.contains(&m.version);
            if ok || failed {
                rows.push(AppliedMigration {
                    success: ok,
                    checksum: checksum(m.version),
                    installed_on: Some(format!("2026-01-0{} 09:00:00", m.version.clamp(1, 8))),
                    ..crate::testing::applied(m.version, "m")
                });
            }
        }
        let mut applied = crate::testing::applied_migrations(rows);
        if self.migrations_table_missing {
            applied.present = false;
            applied.rows.clear();
        }
        s.applied_migrations = Section::collected(applied);
        s.code = Section::collected(CodeEvidence {
            root: "/srv/app".into(),
            models: self.models.clone(),
            queries: self.queries.iter().map(|(q, _)| q.clone()).collect(),
            ..CodeEvidence::default()
        });
        let statements: Vec<StatementCheck> = self.queries.iter().map(|(_, c)| c.clone()).collect();
        s.query_checks = Section::collected(QueryChecks {
            backend: self.backend,
            counts: QueryCounts::of(&statements),
            statements,
            offline: None,
            stopped: None,
        });
        if let Some(text) = &self.logs {
            s.logs = Section::collected(analyse_text("logs/app.log", None, text.as_bytes()));
        }
        if let Some(body) = &self.health {
            s.health = Section::collected(HealthEvidence {
                url: "http://127.0.0.1:8080/health".into(),
                reachable: true,
                status: Some(200),
                body: body_from_bytes(body.as_bytes(), false),
                ..HealthEvidence::default()
            });
        }
        s
    }
}
