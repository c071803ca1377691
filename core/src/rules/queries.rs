//! Finding rules for the query checks: statements the database rejects (`query_invalid`),
//! results that do not decode into their target type (`query_result_mismatch`: a field with
//! no result column, a Rust type sqlx refuses for the column's type, a non-Option field over a
//! nullable column), and `.sqlx/` offline data that no longer matches the database or the
//! source (`sqlx_offline_stale`).
//!
//! Types are judged with the same table as the model check ([`crate::typemap::check`]), and
//! only an incompatible pair is reported: an unknown type (a custom `impl Type`, a range) never
//! is. A missing table or column is tied to the migration that would create it when exactly
//! one pending or failed local migration does.

use crate::actions;
use crate::backend::Backend;
use crate::code::expected::{ExpectedSchema, ObjectKind, Origin};
use crate::code::sql::StatementAccess;
use crate::finding::{Finding, FindingKind, Severity};
use crate::migrations::MigrationStatus;
use crate::querycheck::{
    DescribedColumn, LiveDescribe, OfflineCheck, Outcome, Rejection, StatementCheck, TargetField,
    TargetShape, TargetType, offline_differences,
};
use crate::snapshot::Snapshot;
use crate::typemap::{
    Compat, RustType, TypeContext, check as type_check, rust_types_for, sqlx_type_name,
};

/// Findings derived from the query checks.
pub(super) fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let Some(checks) = snapshot.query_checks.data() else {
        return Vec::new();
    };
    let ctx = Ctx {
        snapshot,
        backend: checks.backend,
        types: TypeContext::from_evidence(
            snapshot.code.data(),
            snapshot.expected_schema.data(),
            snapshot.schema.data(),
            checks.backend,
        ),
    };
    let mut out = Vec::new();
    for st in &checks.statements {
        match &st.outcome {
            Outcome::Rejected(r) => out.push(ctx.invalid(st, r)),
            Outcome::Ok => {
                if let Some(target) = &st.target {
                    out.extend(ctx.result_mismatches(st, target));
                }
            }
            Outcome::NotCheckable { .. } => {}
        }
    }
    if let Some(offline) = &checks.offline {
        out.extend(offline_stale(offline));
    }
    out
}

fn short_sql(sql: Option<&str>) -> String {
    let one_line = sql
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if one_line.chars().count() > 120 {
        format!("{}...", one_line.chars().take(117).collect::<String>())
    } else {
        one_line
    }
}

/// What the rules read besides the statement itself.
struct Ctx<'a> {
    snapshot: &'a Snapshot,
    backend: Backend,
    types: TypeContext,
}

/// A local migration that is not applied (pending or failed) and would create a missing
/// table or column.
struct Fix<'a> {
    origin: &'a Origin,
    status: MigrationStatus,
}

impl Fix<'_> {
    /// "created by 0013_x.sql, which is pending".
    fn phrase(&self) -> String {
        let verb = if self.origin.action == "rename" {
            "given this name by"
        } else {
            "created by"
        };
        format!(
            "{verb} {}, which is {}",
            self.origin.file,
            self.status.as_str()
        )
    }

    fn next_step(&self) -> String {
        let (v, file) = (self.origin.version, &self.origin.file);
        match self.status {
            MigrationStatus::Failed => format!(
                "migration {file} failed part-way and sqlx refuses every migration with \
                 Dirty({v}): finish or undo its objects by hand, delete its row from the \
                 migrations table, then run `sqlx migrate run`"
            ),
            _ => format!(
                "apply the pending migration {file}, which creates it: `sqlx migrate run` \
                 against the direct (non-pooled) host"
            ),
        }
    }
}

/// Attaches what the pending migrations say about a missing object: one candidate is linked
/// (migration, next step); several are listed and none is linked. Returns whether a next step
/// was set.
fn attach_fixes(f: Finding, fixes: &[Fix]) -> (Finding, bool) {
    match fixes {
        [] => (f, false),
        [one] => {
            let mut f = f
                .migration(one.origin.version)
                .detail("fixed_by", one.origin.file.clone())
                .detail("fixed_by_line", one.origin.line)
                .detail("fixed_by_status", one.status.as_str())
                .next_step(one.next_step());
            f.message = format!("{}; it is {}", f.message, one.phrase());
            (f, true)
        }
        several => {
            let list: Vec<String> = several
                .iter()
                .map(|x| format!("{} ({})", x.origin.file, x.status.as_str()))
                .collect();
            let mut f = f
                .detail("fixed_by_candidates", list.clone())
                .next_step(format!(
                    "read {} before applying them: each creates or renames it",
                    list.join(" and ")
                ));
            f.message = format!(
                "{}; more than one unapplied migration creates or renames it ({}), so none is \
                 named as the fix",
                f.message,
                list.join(", ")
            );
            (f, true)
        }
    }
}

/// What the source scan recorded about a statement site (the real tables of its one
/// statement and its result columns), when known.
fn site_access<'s>(snapshot: &'s Snapshot, st: &StatementCheck) -> Option<&'s StatementAccess> {
    let code = snapshot.code.data()?;
    let q = code
        .queries
        .iter()
        .find(|q| q.file == st.file && q.line == st.line && q.sql == st.sql)?;
    let access = q.access.as_ref()?;
    match access.statements.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

fn unqualified(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

impl Ctx<'_> {
    /// The unapplied (pending or failed) local migrations that create `kind` `name` on one of
    /// `tables` (any table when empty), one per migration, where the replayed end state still
    /// has the object (a migration whose object a later one drops again is no fix).
    fn fixes(&self, kind: ObjectKind, tables: &[&str], name: Option<&str>) -> Vec<Fix<'_>> {
        let (Some(e), Some(applied)) = (
            self.snapshot.expected_schema.data(),
            self.snapshot
                .applied_migrations
                .data()
                .and_then(|a| a.known()),
        ) else {
            return Vec::new();
        };
        let mut out: Vec<Fix> = Vec::new();
        for o in &e.origins {
            if o.kind != kind
                || o.name.as_deref() != name
                || !(tables.is_empty() || tables.contains(&o.table.as_str()))
                || !matches!(o.action.as_str(), "create" | "rename" | "create view")
                || !exists_at_end(e, kind, &o.table, name)
            {
                continue;
            }
            let status = applied.status(o.version);
            if status == MigrationStatus::Applied
                || out.iter().any(|x| x.origin.version == o.version)
            {
                continue;
            }
            out.push(Fix { origin: o, status });
        }
        out
    }

    fn invalid(&self, st: &StatementCheck, r: &Rejection) -> Finding {
        let action = if r.column.is_some() || r.sqlstate == "42703" {
            actions::COLUMNS
        } else {
            actions::TABLES
        };
        let line = r.line.unwrap_or(st.line);
        let mut f = Finding::new(
            FindingKind::QueryInvalid,
            Severity::Error,
            action,
            format!(
                "{}:{line}: the database rejects this statement: {} ({})",
                st.file,
                r.message,
                crate::errcode::label(&r.sqlstate)
            ),
        )
        .location(st.file.clone(), Some(line))
        .live(r.message.clone())
        .detail("sqlstate", r.sqlstate.clone())
        .detail("sql", short_sql(st.sql.as_deref()))
        .detail("call_line", st.line);
        if let Some(api) = &st.api {
            f = f.detail("api", api.clone());
        }
        if let Some(t) = &r.table {
            f = f.table(t.clone());
        }
        if let Some(c) = &r.column {
            f = f.column(c.clone());
        }
        if let Some(h) = &r.hint {
            f = f.detail("hint", h.clone());
        }
        if let Some(d) = &r.detail {
            f = f.detail("server_detail", d.clone());
        }
        if let Some(p) = r.position {
            f = f.detail("position", p);
        }
        // Postgres' undefined table / column, SQLite's messages for the same.
        let missing_table = r.sqlstate == "42P01" || r.message.starts_with("no such table");
        let missing_column = r.sqlstate == "42703"
            || r.message.starts_with("no such column")
            || r.message.contains(" has no column named ");
        let fixes = match (&r.table, &r.column) {
            (Some(t), _) if missing_table => self.fixes(ObjectKind::Table, &[unqualified(t)], None),
            (table, Some(c)) if missing_column => {
                let tables: Vec<&str> = match table {
                    Some(t) => vec![unqualified(t)],
                    None => site_access(self.snapshot, st)
                        .map(|a| a.tables.iter().map(|t| t.name.as_str()).collect())
                        .unwrap_or_default(),
                };
                if tables.is_empty() {
                    Vec::new() // the column's table is unknown: no guess
                } else {
                    self.fixes(ObjectKind::Column, &tables, Some(c))
                }
            }
            _ => Vec::new(),
        };
        let (f, linked) = attach_fixes(f, &fixes);
        if linked {
            return f;
        }
        match (r.sqlstate.as_str(), &r.table, &r.column) {
            ("42P01", Some(t), _) => f.next_step(format!(
                "create table {t} with a migration, or check that the migrations ran against \
                 this database"
            )),
            ("42703", _, Some(c)) => f.next_step(format!(
                "add column {c} with a migration, or fix the name in the statement"
            )),
            _ => f.next_step("fix the statement; the server's message says where"),
        }
    }

    fn result_mismatches(&self, st: &StatementCheck, target: &TargetType) -> Vec<Finding> {
        let mut out = Vec::new();
        let returned = st
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        match target.shape {
            TargetShape::Struct => {
                for field in target.fields.iter().filter(|f| !f.not_a_column) {
                    let column = if field.column.is_empty() {
                        &field.name
                    } else {
                        &field.column
                    };
                    match st.columns.iter().find(|c| &c.name == column) {
                        None if field.default => {}
                        None => {
                            out.push(self.column_not_found(st, target, field, column, &returned))
                        }
                        Some(col) => {
                            out.extend(self.type_mismatch(st, target, field, col));
                            out.extend(nullability(st, target, field, col));
                        }
                    }
                }
            }
            TargetShape::Tuple | TargetShape::Scalar => {
                let wanted = if target.shape == TargetShape::Scalar {
                    target.fields.len().min(1)
                } else {
                    target.fields.len()
                };
                if wanted > st.columns.len() {
                    out.push(
                        base(
                            st,
                            target,
                            format!(
                                "{}:{}: {} reads {wanted} column{} but the statement returns {}: \
                                 sqlx fails with ColumnIndexOutOfBounds",
                                st.file,
                                st.line,
                                target.name,
                                if wanted == 1 { "" } else { "s" },
                                st.columns.len()
                            ),
                        )
                        .expected(wanted.to_string())
                        .live(st.columns.len().to_string()),
                    );
                }
                for (field, col) in target.fields.iter().take(wanted).zip(&st.columns) {
                    out.extend(self.type_mismatch(st, target, field, col));
                    out.extend(nullability(st, target, field, col));
                }
            }
        }
        out
    }

    fn column_not_found(
        &self,
        st: &StatementCheck,
        target: &TargetType,
        field: &TargetField,
        column: &str,
        returned: &str,
    ) -> Finding {
        let f = base(
            st,
            target,
            format!(
                "{}:{}: field {}.{} reads column \"{column}\", which this statement does not \
                 return: sqlx fails with ColumnNotFound(\"{column}\")",
                st.file, st.line, target.name, field.name
            ),
        )
        .column(column.to_string())
        .expected(column.to_string())
        .live(returned.to_string())
        .detail("field", field.name.clone());
        // Only a `*` picks up a column a migration adds; a column list needs editing anyway.
        let star_tables: Vec<&str> = site_access(self.snapshot, st)
            .map(|a| {
                a.output
                    .iter()
                    .filter(|o| o.star)
                    .filter_map(|o| o.table.as_deref())
                    .collect()
            })
            .unwrap_or_default();
        let fixes = if star_tables.is_empty() {
            Vec::new()
        } else {
            self.fixes(ObjectKind::Column, &star_tables, Some(column))
        };
        let (f, linked) = attach_fixes(f, &fixes);
        if linked {
            f
        } else {
            f.next_step(format!(
                "select {column} in the statement, or mark the field #[sqlx(default)]"
            ))
        }
    }

    /// A field whose Rust type sqlx refuses for the column's type: "mismatched types" on the
    /// first non-NULL value.
    fn type_mismatch(
        &self,
        st: &StatementCheck,
        target: &TargetType,
        field: &TargetField,
        col: &DescribedColumn,
    ) -> Option<Finding> {
        let written = field.try_from.as_deref().unwrap_or(&field.rust_type);
        let parsed = RustType::parse(written);
        let (inner, _) = parsed.strip_option();
        let (decode_as, shown) = if field.json {
            (
                RustType {
                    name: "Json".into(),
                    args: vec![inner.clone()],
                },
                format!("Json<{}>", inner_text(written)),
            )
        } else {
            (inner.clone(), written.to_string())
        };
        let Compat::Incompatible { accepts } =
            type_check(&decode_as, &col.type_name, self.backend, &self.types)
        else {
            return None;
        };
        let sqlx_error = match sqlx_type_name(&decode_as, self.backend, &self.types) {
            Some(as_sql) => format!(
                "mismatched types; Rust type `{shown}` (as SQL type `{as_sql}`) is not \
                 compatible with SQL type `{}`",
                col.type_name
            ),
            None => format!(
                "mismatched types; Rust type `{shown}` is not compatible with SQL type `{}`",
                col.type_name
            ),
        };
        let described = match &field.try_from {
            Some(t) if !field.json => {
                format!("{} (decoded as {t} by try_from)", field.rust_type)
            }
            _ => shown.clone(),
        };
        let subject = match target.shape {
            TargetShape::Struct => format!("field {}.{}", target.name, field.name),
            TargetShape::Tuple => format!("element {} of {}", field.name, target.name),
            TargetShape::Scalar => "the scalar".to_string(),
        };
        let suggestion = rust_types_for(&col.type_name, self.backend)
            .into_iter()
            .next()
            .map(|t| format!("use a type that decodes {} (e.g. {t}), or ", col.type_name))
            .unwrap_or_else(|| format!("use a type that decodes {}, or ", col.type_name));
        Some(
            base(
                st,
                target,
                format!(
                    "{}:{}: {subject} is {described} but column \"{}\" is {}: sqlx fails \
                     with \"{sqlx_error}\"",
                    st.file, st.line, col.name, col.type_name
                ),
            )
            .column(col.name.clone())
            .expected(shown.clone())
            .live(col.type_name.clone())
            .detail("field", field.name.clone())
            .detail("accepts", accepts)
            .detail(
                "sqlx_error",
                format!(
                    "error occurred while decoding column \"{}\": {sqlx_error}",
                    col.name
                ),
            )
            .next_step(format!(
                "{suggestion}cast the column in the statement to what {shown} decodes"
            )),
        )
    }
}

/// Whether the replayed end state still has the object.
fn exists_at_end(e: &ExpectedSchema, kind: ObjectKind, table: &str, name: Option<&str>) -> bool {
    let Some(t) = e.schema.tables.iter().find(|t| t.name == table) else {
        return false;
    };
    match (kind, name) {
        (ObjectKind::Table, _) => true,
        (ObjectKind::Column, Some(c)) => t.column(c).is_some(),
        _ => false,
    }
}

/// `Option<Foo>` -> `Foo` as written (the text inside the outer Option), for `Json<Foo>`.
fn inner_text(written: &str) -> &str {
    let t = written.trim();
    match t.find('<') {
        Some(i) if t.ends_with('>') && t[..i].trim().rsplit("::").next() == Some("Option") => {
            t[i + 1..t.len() - 1].trim()
        }
        _ => t,
    }
}

/// The common part of a `query_result_mismatch`: where the statement is and what it decodes
/// into.
fn base(st: &StatementCheck, target: &TargetType, message: String) -> Finding {
    let mut f = Finding::new(
        FindingKind::QueryResultMismatch,
        Severity::Error,
        actions::COLUMNS,
        message,
    )
    .location(st.file.clone(), Some(st.line))
    .detail("target", target.name.clone())
    .detail("sql", short_sql(st.sql.as_deref()));
    if let Some(d) = &target.defined_at {
        f = f.detail("defined_at", d.clone());
    }
    f
}

fn is_option(field: &TargetField) -> bool {
    let opt = |t: &str| RustType::parse(t).strip_option().1;
    opt(&field.rust_type) || field.try_from.as_deref().is_some_and(opt)
}

/// A non-Option field over a column the database says can be NULL: sqlx fails with
/// "unexpected null" on the first row where it is.
fn nullability(
    st: &StatementCheck,
    target: &TargetType,
    field: &TargetField,
    col: &DescribedColumn,
) -> Option<Finding> {
    if col.nullable != Some(true) || is_option(field) {
        return None;
    }
    let rust_type = &field.rust_type;
    Some(
        Finding::new(
            FindingKind::QueryResultMismatch,
            Severity::Warning,
            actions::COLUMNS,
            format!(
                "{}:{}: field {}.{} is {rust_type}, but column \"{}\" can be NULL here: \
                 sqlx fails with an unexpected-null error on such a row",
                st.file, st.line, target.name, field.name, col.name
            ),
        )
        .location(st.file.clone(), Some(st.line))
        .column(col.name.clone())
        .expected(rust_type.to_string())
        .live(format!("{} (nullable)", col.type_name))
        .detail("target", target.name.clone())
        .detail("field", field.name.clone())
        .next_step(format!(
            "make the field Option<{rust_type}>, or COALESCE the column in the statement"
        )),
    )
}

fn offline_stale(offline: &OfflineCheck) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in &offline.entries {
        let path = format!("{}/{}", offline.directory, e.file);
        let base = |message: String| {
            Finding::new(
                FindingKind::SqlxOfflineStale,
                Severity::Warning,
                actions::COLUMNS,
                message,
            )
            .location(path.clone(), None)
            .detail("query", short_sql(Some(&e.query)))
            .next_step("regenerate the offline data against this schema: cargo sqlx prepare")
        };
        match &e.live {
            LiveDescribe::Described(live) => {
                let diffs = offline_differences(&e.cached, live);
                if !diffs.is_empty() {
                    out.push(
                        base(format!(
                            "{path}: the cached describe no longer matches the database: {}",
                            diffs.join("; ")
                        ))
                        .detail("differences", diffs),
                    );
                }
            }
            LiveDescribe::Rejected(r) => out.push(
                base(format!(
                    "{path}: the database now rejects the cached query: {} ({})",
                    r.message,
                    crate::errcode::label(&r.sqlstate)
                ))
                .detail("sqlstate", r.sqlstate.clone()),
            ),
            LiveDescribe::NotDescribed { .. } => {}
        }
        if e.in_source == Some(false) {
            out.push(
                base(format!(
                    "{path}: the cached query is no longer in the source (left over from \
                     removed or edited code)"
                ))
                .detail("reason", "not_in_source"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests;
