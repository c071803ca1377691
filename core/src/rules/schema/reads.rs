//! What the code reads, against the live schema (or, without one, the expected schema): each
//! field of a FromRow model (`column_missing`, `column_type_mismatch` through the sqlx type
//! table, `column_nullability_mismatch`), each by-name read of a hand-written FromRow, and each
//! column a statement the database did not judge uses.

use crate::actions;
use crate::code::expected::ObjectKind;
use crate::code::mapping::aliased_output;
use crate::code::model::{ManualFromRow, Model, ModelField, RowRead};
use crate::finding::{Finding, FindingKind, Severity};
use crate::rules::static_sql;
use crate::schema::{Table, TableKind};
use crate::typemap::{Compat, RustType, TypeContext, check as type_check};

use super::context::{
    Ctx, Out, checked_mapping, columns_known, find_table, mapped_tables, not_null, query_phrase,
};

impl Ctx<'_> {
    pub(super) fn models(&self, out: &mut Out) {
        let (Some(code), Some((schema, against))) = (self.code, self.target()) else {
            return;
        };
        let tctx = self.type_context();
        for m in code
            .models
            .iter()
            .filter(|m| checked_mapping(m.mapping.source))
        {
            for table in mapped_tables(schema, &m.mapping) {
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
    pub(super) fn manual_impls(&self, out: &mut Out) {
        let (Some(code), Some((schema, against))) = (self.code, self.target()) else {
            return;
        };
        for m in code
            .manual_impls
            .iter()
            .filter(|m| checked_mapping(m.mapping.source))
        {
            for table in mapped_tables(schema, &m.mapping) {
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

    pub(super) fn query_columns(&self, out: &mut Out) {
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
