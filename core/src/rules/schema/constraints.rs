//! Keys, CHECK constraints and column defaults: what the migrations create compared with the
//! live table. Findings: `constraint_mismatch` (warning) for a primary key, UNIQUE, foreign
//! key or CHECK constraint that is missing or defined differently, and `default_mismatch`
//! (warning when the migrations' default is missing or different, info when the database
//! has a default no migration sets). All of them are ACTION-005 evidence.
//!
//! Expressions are compared in canonical form ([`crate::code::expr`]). With a replayed
//! expectation, a changed CHECK or DEFAULT is reported only when the difference is certain
//! (other columns, other verbatim literals); with a scratch-database expectation both sides
//! were printed by the same catalog code, so any canonical difference is reported. Never
//! reported: a constraint found under another name with the same definition, a serial's
//! sequence name, identity and generated columns, CHECKs on SQLite (its pragmas do not list
//! them), anything a catalog that could not be read would have shown.

use super::context::{Ctx, Out};
use crate::actions;
use crate::backend::Backend;
use crate::code::expected::{ExpectationMode, ExpectedSchema, ObjectKind, Origin};
use crate::code::expr::{self, Comparison, ExprContext};
use crate::finding::{Finding, FindingKind, Severity};
use crate::schema::{Catalog, CheckConstraint, Column, Schema, Table};

/// Whether `catalog` was read for live table `t`: what an unread catalog describes is unknown.
pub(super) fn seen(live: &Schema, catalog: Catalog, t: &Table) -> bool {
    live.sees(catalog, &t.schema, &t.name)
}

/// The statement that gave a column its current default (or took it away).
fn default_origin<'e>(e: &'e ExpectedSchema, table: &str, column: &str) -> Option<&'e Origin> {
    e.origins_of(ObjectKind::Column, table, Some(column))
        .rev()
        .find(|o| matches!(o.action.as_str(), "create" | "set default" | "drop default"))
        .or_else(|| e.last_change(ObjectKind::Column, table, Some(column)))
}

/// A default that means "no default": Postgres stores none for `DEFAULT NULL`.
fn effective_default(d: Option<&str>) -> Option<&str> {
    d.map(str::trim).filter(|d| {
        let t = d.trim_start_matches('(').trim_end_matches(')');
        let t = t.split("::").next().unwrap_or(t).trim();
        !t.eq_ignore_ascii_case("null")
    })
}

struct TableCheck<'a> {
    e: &'a ExpectedSchema,
    et: &'a Table,
    lt: &'a Table,
    exact: bool,
    enums: Vec<String>,
    columns: Vec<String>,
}

impl TableCheck<'_> {
    fn ctx<'s>(&'s self, backend: Backend, column_type: Option<&'s str>) -> ExprContext<'s> {
        ExprContext {
            backend,
            enums: &self.enums,
            column_type,
            columns: &self.columns,
        }
    }

    /// Reported when certainly different, or (scratch mode) when not provably the same.
    fn reportable(&self, c: Comparison) -> bool {
        c == Comparison::Differs || (self.exact && c == Comparison::Unsure)
    }

    fn comparison_detail(&self) -> &'static str {
        if self.exact {
            "exact (scratch database)"
        } else {
            "normalised (replayed migrations)"
        }
    }
}

impl Ctx<'_> {
    fn table_check<'a>(
        &self,
        e: &'a ExpectedSchema,
        live: &Schema,
        et: &'a Table,
        lt: &'a Table,
    ) -> TableCheck<'a> {
        let mut enums: Vec<String> = e.schema.enums.iter().map(|x| x.name.clone()).collect();
        enums.extend(live.enums.iter().map(|x| x.name.clone()));
        let mut columns: Vec<String> = et.columns.iter().map(|c| c.name.clone()).collect();
        columns.extend(lt.columns.iter().map(|c| c.name.clone()));
        TableCheck {
            e,
            et,
            lt,
            exact: e.mode == ExpectationMode::Scratch,
            enums,
            columns,
        }
    }

    /// A finding about constraint `name` of `table`, located at the migration that created it.
    fn constraint_finding(
        &self,
        e: &ExpectedSchema,
        table: &str,
        name: &str,
        message: String,
    ) -> Finding {
        let o = e.created_by(ObjectKind::Constraint, table, Some(name));
        let message = match o {
            Some(o) => format!("{message}; it is {}", self.origin_phrase(o, "created")),
            None => message,
        };
        let mut f = Finding::new(
            FindingKind::ConstraintMismatch,
            Severity::Warning,
            actions::COLUMNS,
            message,
        )
        .table(table.to_string())
        .column(name.to_string())
        .detail("constraint", name.to_string());
        if let Some(o) = o {
            f = f
                .location(o.file.clone(), Some(o.line))
                .migration(o.version);
            if matches!(self.status(o.version), Some("pending" | "failed")) {
                f = f.next_step(self.next_step_for(o));
            }
        }
        f
    }

    /// Primary key, UNIQUE, foreign key and CHECK constraints of one table.
    pub(super) fn table_constraints(
        &self,
        out: &mut Out,
        e: &ExpectedSchema,
        live: &Schema,
        et: &Table,
        lt: &Table,
    ) {
        let tc = self.table_check(e, live, et, lt);
        // Key columns are resolved through the columns catalog: without it they are unknown.
        let columns_read = seen(live, Catalog::Columns, lt);
        if columns_read && seen(live, Catalog::Keys, lt) {
            self.primary_key(out, &tc);
            if seen(live, Catalog::Indexes, lt) {
                self.unique_constraints(out, &tc);
            }
        }
        if columns_read && seen(live, Catalog::ForeignKeys, lt) {
            self.foreign_keys(out, live, &tc);
        }
        // SQLite's pragmas do not list CHECK constraints: the live side is unknown there.
        if columns_read && seen(live, Catalog::Checks, lt) && self.backend == Backend::Postgres {
            self.checks(out, &tc);
        }
    }

    fn primary_key(&self, out: &mut Out, tc: &TableCheck<'_>) {
        let Some(pk) = &tc.et.primary_key else {
            return;
        };
        let message = match &tc.lt.primary_key {
            Some(l) if l.columns == pk.columns => return,
            Some(l) => format!(
                "the primary key of {} is ({}) in the database, but the migrations make it ({}) \
                 with {}",
                tc.et.name,
                l.columns.join(", "),
                pk.columns.join(", "),
                pk.name
            ),
            None => format!(
                "primary key {} ({}) on {} is missing in the database",
                pk.name,
                pk.columns.join(", "),
                tc.et.name
            ),
        };
        let live = tc
            .lt
            .primary_key
            .as_ref()
            .map(|l| format!("primary key ({})", l.columns.join(", ")))
            .unwrap_or_else(|| "absent".into());
        out.push(
            self.constraint_finding(tc.e, &tc.et.name, &pk.name, message)
                .expected(format!("primary key ({})", pk.columns.join(", ")))
                .live(live),
        );
    }

    fn unique_constraints(&self, out: &mut Out, tc: &TableCheck<'_>) {
        for u in &tc.et.unique_constraints {
            // A unique index on the same columns enforces the same thing (and serves
            // ON CONFLICT on those columns), whatever its name.
            let present = tc
                .lt
                .indexes
                .iter()
                .any(|i| i.unique && i.columns == u.columns)
                || tc
                    .lt
                    .unique_constraints
                    .iter()
                    .any(|l| l.columns == u.columns)
                || tc
                    .lt
                    .primary_key
                    .as_ref()
                    .is_some_and(|p| p.columns == u.columns);
            if present {
                continue;
            }
            let cols = u.columns.join(", ");
            let message = format!(
                "unique constraint {} ({cols}) on {} is missing in the database: duplicate values \
                 are accepted",
                u.name, tc.et.name
            );
            out.push(
                self.constraint_finding(tc.e, &tc.et.name, &u.name, message)
                    .expected(format!("UNIQUE ({cols})"))
                    .live("absent"),
            );
        }
    }

    fn foreign_keys(&self, out: &mut Out, live: &Schema, tc: &TableCheck<'_>) {
        let rules_read = seen(live, Catalog::ForeignKeyRules, tc.lt);
        for fk in &tc.et.foreign_keys {
            // Referenced columns are named through the referenced table's columns catalog.
            // When it was read for every relation there is nothing to look up (a scan of all
            // tables per foreign key was most of the rules' time at 50,000 tables).
            let target_read = live.sees_all(Catalog::Columns)
                || live
                    .tables
                    .iter()
                    .filter(|t| t.name == fk.referenced_table)
                    .all(|t| seen(live, Catalog::Columns, t));
            if !target_read {
                continue;
            }
            let want = format!(
                "FOREIGN KEY ({}) REFERENCES {}",
                fk.columns.join(", "),
                fk.referenced_table
            );
            let Some(l) = tc
                .lt
                .foreign_keys
                .iter()
                .find(|l| l.columns == fk.columns && l.referenced_table == fk.referenced_table)
            else {
                let message = format!(
                    "foreign key {} ({}) -> {} on {} is missing in the database",
                    fk.name,
                    fk.columns.join(", "),
                    fk.referenced_table,
                    tc.et.name
                );
                out.push(
                    self.constraint_finding(tc.e, &tc.et.name, &fk.name, message)
                        .expected(want)
                        .live("absent"),
                );
                continue;
            };
            let mut diffs = Vec::new();
            if !fk.referenced_columns.is_empty()
                && !l.referenced_columns.is_empty()
                && fk.referenced_columns != l.referenced_columns
            {
                diffs.push((
                    format!("references ({})", fk.referenced_columns.join(", ")),
                    format!("references ({})", l.referenced_columns.join(", ")),
                ));
            }
            let known = |rule: &str| rules_read && rule != "unknown";
            if known(&l.on_delete) && fk.on_delete != l.on_delete {
                diffs.push((
                    format!("ON DELETE {}", fk.on_delete.to_uppercase()),
                    format!("ON DELETE {}", l.on_delete.to_uppercase()),
                ));
            }
            if known(&l.on_update) && fk.on_update != l.on_update {
                diffs.push((
                    format!("ON UPDATE {}", fk.on_update.to_uppercase()),
                    format!("ON UPDATE {}", l.on_update.to_uppercase()),
                ));
            }
            if diffs.is_empty() {
                continue;
            }
            let expected: Vec<String> = diffs.iter().map(|d| d.0.clone()).collect();
            let live: Vec<String> = diffs.iter().map(|d| d.1.clone()).collect();
            let message = format!(
                "foreign key {} on {} differs: the migrations say {}, the database has {}",
                fk.name,
                tc.et.name,
                expected.join(", "),
                live.join(", ")
            );
            out.push(
                self.constraint_finding(tc.e, &tc.et.name, &fk.name, message)
                    .expected(format!("{want} {}", expected.join(" ")))
                    .live(format!(
                        "FOREIGN KEY ({}) REFERENCES {} {}",
                        l.columns.join(", "),
                        l.referenced_table,
                        live.join(" ")
                    ))
                    .detail("live_name", l.name.clone()),
            );
        }
    }

    fn checks(&self, out: &mut Out, tc: &TableCheck<'_>) {
        let ctx = tc.ctx(self.backend, None);
        let cmp = |a: &CheckConstraint, b: &CheckConstraint| {
            expr::compare(&a.expression, &b.expression, &ctx)
        };
        // Live checks that are the same as some expected one belong to it, whatever the name.
        let claimed = |l: &CheckConstraint| {
            tc.et
                .check_constraints
                .iter()
                .any(|x| cmp(x, l) == Comparison::Same)
        };
        for ek in &tc.et.check_constraints {
            let live = &tc.lt.check_constraints;
            if live.iter().any(|l| cmp(ek, l) == Comparison::Same) {
                continue;
            }
            let want = format!("CHECK ({})", ek.expression);
            match live.iter().find(|l| l.name == ek.name && !claimed(l)) {
                Some(l) => {
                    if !tc.reportable(cmp(ek, l)) {
                        continue;
                    }
                    // As pg_get_constraintdef prints it.
                    let have = format!("CHECK ({})", l.expression);
                    let message = format!(
                        "check constraint {} on {} differs: the migrations create {want}, the \
                         database has {have}",
                        ek.name, tc.et.name
                    );
                    out.push(
                        self.constraint_finding(tc.e, &tc.et.name, &ek.name, message)
                            .expected(want)
                            .live(have)
                            .detail("comparison", tc.comparison_detail()),
                    );
                }
                None => {
                    // Another live check that may be this one under another name and
                    // spelling: not provably missing.
                    if live
                        .iter()
                        .any(|l| !claimed(l) && cmp(ek, l) == Comparison::Unsure)
                    {
                        continue;
                    }
                    let message = format!(
                        "check constraint {} on {} is missing in the database: {want} is not \
                         enforced",
                        ek.name, tc.et.name
                    );
                    let mut f = self
                        .constraint_finding(tc.e, &tc.et.name, &ek.name, message)
                        .expected(want.clone())
                        .live("absent")
                        .detail("comparison", tc.comparison_detail());
                    if f.next_step.is_none() {
                        f = f.next_step(format!(
                            "fix the rows that violate it, then ALTER TABLE {} ADD CONSTRAINT {} \
                             {want}",
                            tc.et.name, ek.name
                        ));
                    }
                    out.push(f);
                }
            }
        }
    }

    /// The default of one column that exists on both sides.
    pub(super) fn column_default(
        &self,
        out: &mut Out,
        e: &ExpectedSchema,
        live: &Schema,
        (et, ec): (&Table, &Column),
        (lt, lc): (&Table, &Column),
    ) {
        // Identity and generated columns have no default to compare; a serial's default is
        // its sequence, whose name Postgres may have chosen differently. Only Postgres and
        // SQLite spellings are known.
        if !matches!(self.backend, Backend::Postgres | Backend::Sqlite)
            || ec.identity.is_some()
            || lc.identity.is_some()
            || ec.generated.is_some()
            || lc.generated.is_some()
        {
            return;
        }
        let tc = self.table_check(e, live, et, lt);
        let ctx = tc.ctx(self.backend, Some(&ec.data_type));
        let want = effective_default(ec.default.as_deref());
        let have = effective_default(lc.default.as_deref());
        let is_nextval = |d: &str| expr::normalize(d, &ctx).is_some_and(|n| n.nextval);
        let (severity, message, next) = match (want, have) {
            (None, None) => return,
            (Some(w), Some(h)) => {
                if !tc.reportable(expr::compare(w, h, &ctx)) {
                    return;
                }
                (
                    Severity::Warning,
                    format!(
                        "column {}.{} defaults to {h} in the database, but the migrations give it \
                         DEFAULT {w}: an INSERT that omits it stores another value",
                        et.name, ec.name
                    ),
                    Some(format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {w}",
                        et.name, ec.name
                    )),
                )
            }
            (Some(w), None) => {
                let consequence = if lc.nullable {
                    "an INSERT that omits it stores NULL"
                } else {
                    "an INSERT that omits it fails with a NOT NULL violation"
                };
                (
                    Severity::Warning,
                    format!(
                        "column {}.{} has no default in the database, but the migrations give it \
                         DEFAULT {w}: {consequence}",
                        et.name, ec.name
                    ),
                    Some(format!(
                        "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {w}",
                        et.name, ec.name
                    )),
                )
            }
            (None, Some(h)) => {
                // A table the replay could not follow, a statement it could not model (a DO
                // block may set defaults), or a sequence someone attached: the migrations'
                // silence is no evidence.
                let replay_uncertain = !tc.exact && !e.not_modelled.is_empty();
                if e.partial_tables.contains(&et.name) || replay_uncertain || is_nextval(h) {
                    return;
                }
                (
                    Severity::Info,
                    format!(
                        "column {}.{} has DEFAULT {h} in the database, but no migration sets one",
                        et.name, ec.name
                    ),
                    None,
                )
            }
        };
        let o = default_origin(e, &et.name, &ec.name);
        let message = match (o, want) {
            (Some(o), Some(_)) => format!("{message}; it is {}", self.origin_phrase(o, "set")),
            _ => message,
        };
        let mut f = Finding::new(
            FindingKind::DefaultMismatch,
            severity,
            actions::COLUMNS,
            message,
        )
        .table(et.name.clone())
        .column(ec.name.clone())
        .expected(
            want.map(|w| format!("DEFAULT {w}"))
                .unwrap_or("no default".into()),
        )
        .live(
            have.map(|h| format!("DEFAULT {h}"))
                .unwrap_or("no default".into()),
        )
        .detail("comparison", tc.comparison_detail());
        if let Some(o) = o {
            f = f
                .location(o.file.clone(), Some(o.line))
                .migration(o.version);
            if matches!(self.status(o.version), Some("pending" | "failed")) && want.is_some() {
                f = f.next_step(self.next_step_for(o));
            }
        }
        if f.next_step.is_none()
            && let Some(n) = next
        {
            f = f.next_step(n);
        }
        out.push(f);
    }
}

#[cfg(test)]
mod tests;
