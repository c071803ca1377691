//! Finding rules for the schema evidence: what the migrations, gaps.md and the code expect,
//! compared with the live schema (and, when the live schema is unavailable, the code compared
//! with the expected schema). One finding per (kind, table, column); further evidence for the
//! same subject is attached to it under `details.also`.
//!
//! Never reported: a renamed field (its column is the renamed one), a skipped field, a
//! `default` field whose column is absent, a projection struct, an unknown or compatible type
//! pair, live columns of tables the replay could not fully model, a column a loading query
//! returns under an alias, a manual FromRow read whose error is handled on the spot (`.ok()`,
//! `unwrap_or`, `match`) or that reads by index.
//!
//! Keys, CHECK constraints and column defaults are compared in [`constraints`]. Which SQL
//! statements static analysis may judge (the database's verdict wins) is [`static_sql`]'s.

use std::collections::BTreeMap;

use crate::actions;
use crate::code::expected::{ExpectedSchema, ObjectKind, Origin};
use crate::code::mapping::aliased_output;
use crate::code::model::{CodeEvidence, ManualFromRow, MappingSource, Model, ModelField, RowRead};
use crate::finding::{Finding, FindingKind, Severity};
use crate::migrations::AppliedMigrations;
use crate::querycheck::QueryChecks;
use crate::schema::{Catalog, Schema, Table, TableKind};
use crate::snapshot::{Backend, Snapshot};
use crate::typemap::{Compat, RustType, TypeContext, check as type_check, normalize_sql_type};

use super::static_sql;

/// Findings derived from the schema evidence.
pub(super) fn check(s: &Snapshot) -> Vec<Finding> {
    let backend = s
        .target
        .backend
        .or_else(|| s.database.data().map(|d| d.backend))
        .unwrap_or(Backend::Postgres);
    let ctx = Ctx {
        live: s.schema.data(),
        expected: s.expected_schema.data(),
        code: s.code.data(),
        applied: s.applied_migrations.data().and_then(|a| a.known()),
        checks: s.query_checks.data(),
        backend,
    };
    let mut out = Out::default();
    ctx.tables(&mut out);
    ctx.expected_columns(&mut out);
    ctx.models(&mut out);
    ctx.manual_impls(&mut out);
    ctx.query_columns(&mut out);
    let mut findings: Vec<Finding> = out.findings.into_values().collect();
    if let (Some(code), Some(live)) = (ctx.code, ctx.live) {
        findings.extend(static_sql::disagreements(code, ctx.checks, live));
    }
    findings
}

#[derive(Default)]
struct Out {
    findings: BTreeMap<(FindingKind, String, String), Finding>,
}

impl Out {
    fn push(&mut self, f: Finding) {
        let key = (
            f.kind,
            f.table.clone().unwrap_or_default(),
            f.column.clone().unwrap_or_default(),
        );
        match self.findings.get_mut(&key) {
            Some(existing) => {
                let also = format!(
                    "{}:{}",
                    f.file.clone().unwrap_or_default(),
                    f.line.unwrap_or(0)
                );
                let entry = existing
                    .details
                    .entry("also".to_string())
                    .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                if let Some(a) = entry.as_array_mut()
                    && !a.iter().any(|v| v.as_str() == Some(&also))
                {
                    a.push(also.into());
                }
                if f.severity > existing.severity {
                    existing.severity = f.severity;
                }
            }
            None => {
                self.findings.insert(key, f);
            }
        }
    }
}

struct Ctx<'a> {
    live: Option<&'a Schema>,
    expected: Option<&'a ExpectedSchema>,
    code: Option<&'a CodeEvidence>,
    applied: Option<&'a AppliedMigrations>,
    checks: Option<&'a QueryChecks>,
    backend: Backend,
}

/// Something that expects a table or column, with its location.
struct Expectation {
    what: String,
    file: String,
    line: u32,
}

fn find_table<'s>(schema: &'s Schema, name: &str) -> Option<&'s Table> {
    static_sql::find_table(schema, name)
}

/// Whether the columns of `t` were read: a table whose columns catalog could not be read (or
/// that was skipped because it was locked) has an empty or partial column list that says
/// nothing about which columns exist.
fn columns_known(schema: &Schema, t: &Table) -> bool {
    schema.sees(Catalog::Columns, &t.schema, &t.name)
}

fn not_null(t: &Table, column: &str) -> bool {
    t.column(column).is_some_and(|c| !c.nullable)
        || t.primary_key
            .as_ref()
            .is_some_and(|pk| pk.columns.iter().any(|c| c == column))
}

impl Ctx<'_> {
    /// "pending", "failed" or "applied" for a migration version, when the applied rows are known.
    fn status(&self, version: i64) -> Option<&'static str> {
        Some(self.applied?.status(version).as_str())
    }

    fn origin_phrase(&self, o: &Origin, verb: &str) -> String {
        let v = format!("{:04}", o.version);
        match self.status(o.version) {
            Some("applied") => format!(
                "{verb} by migration {v} ({}:{}), which is recorded as applied: the object was \
                 removed afterwards or the migration ran against another database",
                o.file, o.line
            ),
            Some(st) => format!(
                "{verb} by migration {v} ({}:{}), which is {st}",
                o.file, o.line
            ),
            None => format!("{verb} by migration {v} ({}:{})", o.file, o.line),
        }
    }

    fn next_step_for(&self, o: &Origin) -> String {
        match self.status(o.version) {
            Some("failed") => format!(
                "fix and re-run migration {} (sqlx refuses with Dirty({}) until the row is repaired)",
                o.version, o.version
            ),
            Some("applied") => format!(
                "check which database migration {} ran against (DATABASE_URL of the deploy)",
                o.version
            ),
            _ => format!("run migration {} (sqlx migrate run)", o.version),
        }
    }

    /// Tables the code uses: mapped models and the real tables of every query.
    fn code_tables(&self) -> Vec<(String, Expectation)> {
        let mut out = Vec::new();
        let Some(code) = self.code else {
            return out;
        };
        for m in &code.models {
            if matches!(
                m.mapping.source,
                MappingSource::Query | MappingSource::Config | MappingSource::Convention
            ) {
                for t in &m.mapping.tables {
                    out.push((
                        t.clone(),
                        Expectation {
                            what: format!("model {}", m.name),
                            file: m.file.clone(),
                            line: m.line,
                        },
                    ));
                }
            }
        }
        for m in &code.manual_impls {
            if checked_mapping(m.mapping.source) {
                for t in &m.mapping.tables {
                    out.push((
                        t.clone(),
                        Expectation {
                            what: format!("manual FromRow for {}", m.name),
                            file: m.file.clone(),
                            line: m.line,
                        },
                    ));
                }
            }
        }
        for j in static_sql::judged(code, self.checks) {
            for t in j.tables() {
                out.push((
                    t.name.clone(),
                    Expectation {
                        what: query_phrase(&j.st.kind),
                        file: j.site.file.clone(),
                        line: j.line(),
                    },
                ));
            }
        }
        out
    }

    fn tables(&self, out: &mut Out) {
        let mut expected: BTreeMap<String, Vec<Expectation>> = BTreeMap::new();
        let mut from_migrations: BTreeMap<String, &Origin> = BTreeMap::new();
        if let Some(e) = self.expected {
            for t in &e.schema.tables {
                if let Some(o) = e.created_by(ObjectKind::Table, &t.name, None) {
                    from_migrations.insert(t.name.clone(), o);
                }
                expected.entry(t.name.clone()).or_default();
            }
            for t in &e.gaps_md_tables {
                expected.entry(t.clone()).or_default().push(Expectation {
                    what: GAPS_MD_EXPECTATION.into(),
                    file: e.gaps_md_file.clone().unwrap_or_else(|| "gaps.md".into()),
                    line: 0,
                });
            }
        }
        for (t, ex) in self.code_tables() {
            expected.entry(t).or_default().push(ex);
        }
        match self.live {
            Some(live) => {
                for (name, exps) in &expected {
                    if find_table(live, name).is_some() {
                        continue;
                    }
                    let origin = from_migrations.get(name).copied();
                    let mut f = Finding::new(
                        FindingKind::TableMissing,
                        Severity::Error,
                        actions::TABLES,
                        String::new(),
                    )
                    .table(name.clone())
                    .expected("table exists")
                    .live("absent");
                    let users: Vec<String> = exps
                        .iter()
                        .map(|e| {
                            if e.line > 0 {
                                format!("{} ({}:{})", e.what, e.file, e.line)
                            } else {
                                format!("{} ({})", e.what, e.file)
                            }
                        })
                        .collect();
                    let message = match origin {
                        Some(o) => {
                            f = f
                                .migration(o.version)
                                .location(o.file.clone(), Some(o.line))
                                .next_step(self.next_step_for(o));
                            format!(
                                "table {name} does not exist; it is {}",
                                self.origin_phrase(o, "created")
                            )
                        }
                        None if self.only_gaps_md(exps) => {
                            // Nothing in the service uses it: a registry entry to correct, not
                            // a broken service.
                            f.severity = Severity::Warning;
                            if let Some(e) = exps.first() {
                                f = f.location(e.file.clone(), None);
                            }
                            f = f.next_step(
                                "remove it from gaps.md's Expected Tables, or add the migration \
                                 (and code) that should create and use it",
                            )
                            .detail("only_gaps_md", true);
                            format!(
                                "table {name} does not exist; only gaps.md lists it: no local \
                                 migration creates it and no code uses it"
                            )
                        }
                        None => {
                            if let Some(e) = exps.first() {
                                f = f.location(e.file.clone(), (e.line > 0).then_some(e.line));
                            }
                            f = f.next_step(
                                "add a migration that creates it, or fix the name the code uses",
                            );
                            format!("table {name} does not exist and no local migration creates it")
                        }
                    };
                    f.message = if users.is_empty() {
                        message
                    } else {
                        format!("{message}; expected by {}", users.join(", "))
                    };
                    out.push(f.detail("expected_by", users));
                }
                let has_expectations = self.expected.is_some() || self.code.is_some();
                if !has_expectations {
                    return;
                }
                let migrations_table = self
                    .applied
                    .map(|a| a.table.rsplit('.').next().unwrap_or("").to_string())
                    .unwrap_or_else(|| crate::migrations::DEFAULT_MIGRATIONS_TABLE.into());
                for t in &live.tables {
                    if t.kind != TableKind::Table
                        || !matches!(t.schema.as_str(), "public" | "main")
                        || t.name == migrations_table
                        || t.name == crate::migrations::DEFAULT_MIGRATIONS_TABLE
                        || t.name.starts_with("sqlite_")
                        || expected.contains_key(&t.name)
                    {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            FindingKind::TableUnexpected,
                            Severity::Info,
                            actions::TABLES,
                            format!(
                                "table {}.{} exists but no migration, gaps.md entry or code uses it",
                                t.schema, t.name
                            ),
                        )
                        .schema(t.schema.clone())
                        .table(t.name.clone()),
                    );
                }
            }
            None => {
                // No live schema: the code is checked against the migrations alone.
                let Some(e) = self.expected else { return };
                if e.migrations.is_empty() {
                    return;
                }
                let uncertain = !e.not_modelled.is_empty();
                for (t, ex) in self.code_tables() {
                    if find_table(&e.schema, &t).is_some() {
                        continue;
                    }
                    let mut msg = format!(
                        "{} ({}:{}) uses table {t}, which no local migration creates",
                        ex.what, ex.file, ex.line
                    );
                    if uncertain {
                        msg.push_str(" (some migration statements were not modelled)");
                    }
                    out.push(
                        Finding::new(
                            FindingKind::TableMissing,
                            if uncertain {
                                Severity::Warning
                            } else {
                                Severity::Error
                            },
                            actions::TABLES,
                            msg,
                        )
                        .table(t.clone())
                        .location(ex.file, Some(ex.line))
                        .expected("table created by a migration")
                        .live("not inspected; compared with the migrations"),
                    );
                }
            }
        }
    }

    /// True when gaps.md is the only thing expecting a table, and the code and the migrations
    /// were both read (so "nothing else uses it" is known, not assumed).
    fn only_gaps_md(&self, exps: &[Expectation]) -> bool {
        self.code.is_some()
            && self.expected.is_some_and(|e| !e.migrations.is_empty())
            && !exps.is_empty()
            && exps.iter().all(|e| e.what == GAPS_MD_EXPECTATION)
    }

    /// Columns the code uses for a table (model fields and query columns).
    fn code_uses(&self, table: &str, column: &str) -> bool {
        let Some(code) = self.code else {
            return false;
        };
        let in_models = code.models.iter().any(|m| {
            m.mapping.tables.iter().any(|t| t == table)
                && code
                    .expanded_fields(m)
                    .iter()
                    .any(|f| f.column == column && !f.skip)
        });
        let in_manual = code.manual_impls.iter().any(|m| {
            m.mapping.tables.iter().any(|t| t == table)
                && m.reads.iter().any(|r| r.column == column)
        });
        in_models
            || in_manual
            || code.queries.iter().any(|q| {
                q.access.iter().flat_map(|a| &a.statements).any(|st| {
                    st.columns
                        .iter()
                        .any(|c| c.table == table && c.column == column)
                })
            })
    }

    fn expected_columns(&self, out: &mut Out) {
        let (Some(live), Some(e)) = (self.live, self.expected) else {
            return;
        };
        for et in &e.schema.tables {
            if et.kind != TableKind::Table {
                continue;
            }
            let Some(lt) = find_table(live, &et.name) else {
                continue;
            };
            // Columns, defaults, indexes and constraints of a table whose catalogs could not be
            // read (locked, unreadable) are unknown, not absent.
            let columns_read = constraints::seen(live, Catalog::Columns, lt);
            for ec in et.columns.iter().filter(|_| columns_read) {
                let origin = e.last_change(ObjectKind::Column, &et.name, Some(&ec.name));
                let loc = |f: Finding| match origin {
                    Some(o) => f
                        .location(o.file.clone(), Some(o.line))
                        .migration(o.version),
                    None => f,
                };
                let Some(lc) = lt.column(&ec.name) else {
                    let used = self.code.is_none() || self.code_uses(&et.name, &ec.name);
                    let created = e.created_by(ObjectKind::Column, &et.name, Some(&ec.name));
                    let how = origin
                        .map(|o| {
                            let verb = if o.action == "rename" {
                                "renamed"
                            } else {
                                "added"
                            };
                            format!("; it is {}", self.origin_phrase(o, verb))
                        })
                        .unwrap_or_default();
                    let mut f = Finding::new(
                        FindingKind::ColumnMissing,
                        if used {
                            Severity::Error
                        } else {
                            Severity::Warning
                        },
                        actions::COLUMNS,
                        format!("column {}.{} does not exist{how}", et.name, ec.name),
                    )
                    .table(et.name.clone())
                    .column(ec.name.clone())
                    .expected(ec.data_type.clone())
                    .live("absent");
                    if let Some(o) = origin.or(created) {
                        f = f.next_step(self.next_step_for(o));
                    }
                    out.push(loc(f));
                    continue;
                };
                let (want, have) = (
                    normalize_sql_type(&ec.data_type, self.backend),
                    normalize_sql_type(&lc.data_type, self.backend),
                );
                if want != have {
                    out.push(loc(Finding::new(
                        FindingKind::ColumnTypeMismatch,
                        Severity::Warning,
                        actions::COLUMNS,
                        format!(
                            "column {}.{} is {have} in the database but the migrations make it {want}",
                            et.name, ec.name
                        ),
                    )
                    .table(et.name.clone())
                    .column(ec.name.clone())
                    .expected(want)
                    .live(have)));
                }
                if !ec.nullable && !not_null(lt, &lc.name) {
                    out.push(loc(Finding::new(
                        FindingKind::ColumnNullabilityMismatch,
                        Severity::Warning,
                        actions::COLUMNS,
                        format!(
                            "column {}.{} allows NULL in the database but the migrations make it NOT NULL",
                            et.name, ec.name
                        ),
                    )
                    .table(et.name.clone())
                    .column(ec.name.clone())
                    .expected("NOT NULL")
                    .live("nullable")));
                }
                self.column_default(out, e, live, (et, ec), (lt, lc));
            }
            if columns_read && !e.partial_tables.contains(&et.name) {
                for lc in &lt.columns {
                    if et.column(&lc.name).is_none() && !self.code_uses(&et.name, &lc.name) {
                        out.push(
                            Finding::new(
                                FindingKind::ColumnUnexpected,
                                Severity::Info,
                                actions::COLUMNS,
                                format!(
                                    "column {}.{} exists in the database but no migration creates it",
                                    et.name, lc.name
                                ),
                            )
                            .table(et.name.clone())
                            .column(lc.name.clone())
                            .live(lc.data_type.clone()),
                        );
                    }
                }
            }
            // Indexes behind a UNIQUE constraint are compared as constraints.
            let indexes_read = constraints::seen(live, Catalog::Indexes, lt);
            for ei in et.indexes.iter().filter(|i| {
                indexes_read
                    && !i.primary
                    && !et.unique_constraints.iter().any(|u| u.name == i.name)
            }) {
                let present = lt
                    .indexes
                    .iter()
                    .any(|li| li.same_keys(ei) && (li.unique || !ei.unique));
                if !present {
                    let o = e
                        .created_by(ObjectKind::Index, &et.name, Some(&ei.name))
                        .or_else(|| e.created_by(ObjectKind::Constraint, &et.name, Some(&ei.name)));
                    let mut f = Finding::new(
                        FindingKind::IndexMissing,
                        Severity::Warning,
                        actions::TABLES,
                        format!(
                            "{}index {} on {}({}) is missing{}",
                            if ei.unique { "unique " } else { "" },
                            ei.name,
                            et.name,
                            ei.columns.join(", "),
                            o.map(|o| format!("; it is {}", self.origin_phrase(o, "created")))
                                .unwrap_or_default()
                        ),
                    )
                    .table(et.name.clone())
                    .expected(ei.name.clone())
                    .live("absent")
                    .detail("index", ei.name.clone());
                    if let Some(o) = o {
                        f = f
                            .location(o.file.clone(), Some(o.line))
                            .migration(o.version);
                    }
                    out.push(f);
                }
            }
            self.table_constraints(out, e, live, et, lt);
        }
    }

    /// The schema code is checked against: live when inspected, else the expected one.
    fn target(&self) -> Option<(&Schema, &'static str)> {
        match (self.live, self.expected) {
            (Some(l), _) => Some((l, "live")),
            (None, Some(e)) if !e.migrations.is_empty() => Some((&e.schema, "expected")),
            _ => None,
        }
    }

    fn type_context(&self) -> TypeContext {
        TypeContext::from_evidence(self.code, self.expected, self.live, self.backend)
    }

    fn models(&self, out: &mut Out) {
        let (Some(code), Some((schema, against))) = (self.code, self.target()) else {
            return;
        };
        let tctx = self.type_context();
        for m in &code.models {
            if !matches!(
                m.mapping.source,
                MappingSource::Query | MappingSource::Config | MappingSource::Convention
            ) {
                continue;
            }
            for tname in &m.mapping.tables {
                let Some(table) = find_table(schema, tname) else {
                    continue; // reported as table_missing
                };
                if !columns_known(schema, table) {
                    continue;
                }
                for f in code.expanded_fields(m) {
                    if f.skip || f.flatten {
                        continue;
                    }
                    self.field(out, m, &f, table, against, &tctx);
                }
            }
        }
    }

    fn field(
        &self,
        out: &mut Out,
        m: &Model,
        f: &ModelField,
        table: &Table,
        against: &str,
        tctx: &TypeContext,
    ) {
        let subject = format!("{}.{} ({}:{})", m.name, f.name, m.file, f.line);
        let Some(col) = table.column(&f.column) else {
            if f.default {
                return; // #[sqlx(default)]: a missing column decodes as Default
            }
            if self
                .code
                .is_some_and(|c| aliased_output(c, &m.name, &f.column))
            {
                return; // the loading query returns it under an alias
            }
            let pending = self.expected.and_then(|e| {
                e.last_change(ObjectKind::Column, &table.name, Some(&f.column))
                    .filter(|_| against == "live")
            });
            let how = pending
                .map(|o| {
                    let verb = if o.action == "rename" {
                        "renamed"
                    } else {
                        "added"
                    };
                    format!("; it is {}", self.origin_phrase(o, verb))
                })
                .unwrap_or_else(|| {
                    if against == "expected" {
                        "; no local migration creates it".into()
                    } else {
                        String::new()
                    }
                });
            let mut fi = Finding::new(
                FindingKind::ColumnMissing,
                Severity::Error,
                actions::COLUMNS,
                format!(
                    "field {subject} reads column {}.{}, which does not exist{how}; sqlx fails with \
                     ColumnNotFound(\"{}\")",
                    table.name, f.column, f.column
                ),
            )
            .table(table.name.clone())
            .column(f.column.clone())
            .location(m.file.clone(), Some(f.line))
            .expected(f.rust_type.clone())
            .live("absent")
            .detail("against", against);
            if let Some(o) = pending {
                fi = fi.migration(o.version).next_step(self.next_step_for(o));
            }
            out.push(fi);
            return;
        };
        let written = f.try_from.clone().unwrap_or_else(|| f.rust_type.clone());
        let parsed = RustType::parse(&written);
        let (inner, is_option) = parsed.strip_option();
        let is_option = is_option || RustType::parse(&f.rust_type).strip_option().1;
        let decode_as = if f.json {
            RustType {
                name: "Json".into(),
                args: vec![inner.clone()],
            }
        } else {
            inner.clone()
        };
        if let Compat::Incompatible { accepts } =
            type_check(&decode_as, &col.data_type, self.backend, tctx)
        {
            out.push(
                Finding::new(
                    FindingKind::ColumnTypeMismatch,
                    Severity::Error,
                    actions::COLUMNS,
                    format!(
                        "field {subject} is {written} but column {}.{} is {}; sqlx fails with \
                         \"mismatched types\" ({written} decodes from {accepts})",
                        table.name, col.name, col.data_type
                    ),
                )
                .table(table.name.clone())
                .column(col.name.clone())
                .location(m.file.clone(), Some(f.line))
                .expected(written.clone())
                .live(col.data_type.clone())
                .detail("accepts", accepts)
                .detail("against", against),
            );
        }
        let nn = not_null(table, &col.name);
        if !nn && !is_option {
            out.push(
                Finding::new(
                    FindingKind::ColumnNullabilityMismatch,
                    Severity::Error,
                    actions::COLUMNS,
                    format!(
                        "field {subject} is not an Option but column {}.{} allows NULL: any row \
                         where it is NULL fails to decode (\"unexpected null\")",
                        table.name, col.name
                    ),
                )
                .table(table.name.clone())
                .column(col.name.clone())
                .location(m.file.clone(), Some(f.line))
                .expected("NOT NULL (non-Option field)")
                .live("nullable")
                .next_step(format!(
                    "make the field Option<{written}> or the column NOT NULL"
                ))
                .detail("against", against),
            );
        } else if nn && is_option {
            out.push(
                Finding::new(
                    FindingKind::ColumnNullabilityMismatch,
                    Severity::Info,
                    actions::COLUMNS,
                    format!(
                        "field {subject} is an Option but column {}.{} is NOT NULL: it is never None",
                        table.name, col.name
                    ),
                )
                .table(table.name.clone())
                .column(col.name.clone())
                .location(m.file.clone(), Some(f.line))
                .expected("nullable (Option field)")
                .live("NOT NULL")
                .detail("against", against),
            );
        }
    }

    /// The by-name reads of hand-written FromRow impls, checked like derived fields.
    fn manual_impls(&self, out: &mut Out) {
        let (Some(code), Some((schema, against))) = (self.code, self.target()) else {
            return;
        };
        for m in &code.manual_impls {
            if !checked_mapping(m.mapping.source) {
                continue;
            }
            for tname in &m.mapping.tables {
                let Some(table) = find_table(schema, tname) else {
                    continue; // reported as table_missing
                };
                if !columns_known(schema, table) {
                    continue;
                }
                if against == "expected"
                    && self
                        .expected
                        .is_some_and(|e| e.partial_tables.contains(&table.name))
                {
                    continue;
                }
                for r in &m.reads {
                    if r.handled
                        || table.column(&r.column).is_some()
                        || aliased_output(code, &m.name, &r.column)
                    {
                        continue;
                    }
                    self.manual_read_missing(out, m, r, table, against);
                }
            }
        }
    }

    fn manual_read_missing(
        &self,
        out: &mut Out,
        m: &ManualFromRow,
        r: &RowRead,
        table: &Table,
        against: &str,
    ) {
        let pending = self.expected.and_then(|e| {
            e.last_change(ObjectKind::Column, &table.name, Some(&r.column))
                .filter(|_| against == "live")
        });
        let how = match pending {
            Some(o) => format!(
                "; it is {}",
                self.origin_phrase(
                    o,
                    if o.action == "rename" {
                        "renamed"
                    } else {
                        "added"
                    }
                )
            ),
            None if against == "expected" => "; no local migration creates it".into(),
            None => String::new(),
        };
        let fails = if r.method.starts_with("try_get") {
            format!("sqlx returns ColumnNotFound(\"{}\")", r.column)
        } else {
            format!(
                "row.{}() panics on ColumnNotFound(\"{}\")",
                r.method, r.column
            )
        };
        let mut f = Finding::new(
            FindingKind::ColumnMissing,
            Severity::Error,
            actions::COLUMNS,
            format!(
                "the manual FromRow for {} ({}:{}) reads column {}.{} with row.{}(\"{}\"), which \
                 does not exist{how}; {fails}",
                m.name, m.file, r.line, table.name, r.column, r.method, r.column
            ),
        )
        .table(table.name.clone())
        .column(r.column.clone())
        .location(m.file.clone(), Some(r.line))
        .expected(format!("column read by {}", r.method))
        .live("absent")
        .detail("against", against);
        if let Some(o) = pending {
            f = f.migration(o.version).next_step(self.next_step_for(o));
        }
        out.push(f);
    }

    fn query_columns(&self, out: &mut Out) {
        let (Some(code), Some((schema, against))) = (self.code, self.target()) else {
            return;
        };
        for j in static_sql::judged(code, self.checks) {
            let (q, st) = (j.site, j.st);
            for c in j.columns() {
                let Some(t) = find_table(schema, &c.table) else {
                    continue;
                };
                if static_sql::has_column(t, &c.column)
                    || t.kind != TableKind::Table
                    || !columns_known(schema, t)
                {
                    continue;
                }
                if against == "expected"
                    && self
                        .expected
                        .is_some_and(|e| e.partial_tables.contains(&c.table))
                {
                    continue;
                }
                let line = q.line + st.line.saturating_sub(1);
                out.push(
                    Finding::new(
                        FindingKind::ColumnMissing,
                        Severity::Error,
                        actions::COLUMNS,
                        format!(
                            "{} ({}:{line}) uses column {}.{}, which does not exist",
                            query_phrase(&st.kind),
                            q.file,
                            c.table,
                            c.column
                        ),
                    )
                    .table(c.table.clone())
                    .column(c.column.clone())
                    .location(q.file.clone(), Some(line))
                    .live("absent")
                    .detail("against", against),
                );
            }
        }
    }
}

/// How a gaps.md "Expected Tables" entry is named as an expectation.
const GAPS_MD_EXPECTATION: &str = "gaps.md ACTION-004";

/// "a select query", "an insert query": the statement kind with its article.
fn query_phrase(kind: &impl std::fmt::Display) -> String {
    let kind = kind.to_string();
    let article = match kind.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    format!("{article} {kind} query")
}

/// Mappings whose table is the one the rows come from (not a projection, not undecided).
fn checked_mapping(source: MappingSource) -> bool {
    matches!(
        source,
        MappingSource::Query | MappingSource::Config | MappingSource::Convention
    )
}

mod constraints;

#[cfg(test)]
mod tests;
