//! Columns and indexes: what the migrations create compared with the live table. A missing
//! column is `column_missing` (an error when the code uses it), a different type or
//! nullability a warning, a live column no migration creates `column_unexpected` (info), a
//! missing index `index_missing`. Keys, CHECKs and defaults go on to [`super::constraints`].

use crate::actions;
use crate::code::expected::ObjectKind;
use crate::finding::{Finding, FindingKind, Severity};
use crate::schema::{Catalog, TableKind};
use crate::typemap::normalize_sql_type;

use super::constraints;
use super::context::{Ctx, Out, find_table, not_null};

impl Ctx<'_> {
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

    pub(super) fn expected_columns(&self, out: &mut Out) {
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
}
