//! Finding rules for the query checks: statements the database rejects (`query_invalid`),
//! results that do not decode into their target type (`query_result_mismatch`), and `.sqlx/`
//! offline data that no longer matches the database or the source (`sqlx_offline_stale`).

use crate::actions;
use crate::finding::{Finding, FindingKind, Severity};
use crate::querycheck::{
    DescribedColumn, LiveDescribe, OfflineCheck, Outcome, QueryChecks, Rejection, StatementCheck,
    TargetShape, TargetType, offline_differences,
};
use crate::snapshot::Snapshot;

/// Findings derived from the query checks.
pub(super) fn check(snapshot: &Snapshot) -> Vec<Finding> {
    let Some(checks) = snapshot.query_checks.data() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for st in &checks.statements {
        match &st.outcome {
            Outcome::Rejected(r) => out.push(invalid(snapshot, st, r)),
            Outcome::Ok => {
                if let Some(target) = &st.target {
                    out.extend(result_mismatches(checks, st, target));
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

fn invalid(snapshot: &Snapshot, st: &StatementCheck, r: &Rejection) -> Finding {
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
            "{}:{line}: the database rejects this statement: {} (SQLSTATE {})",
            st.file, r.message, r.sqlstate
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
    match pending_fix(snapshot, r.table.as_deref(), r.column.as_deref()) {
        Some((version, file)) => f
            .migration(version)
            .detail("fixed_by", file.clone())
            .next_step(format!(
                "apply the pending migration {version} ({file}), which creates it: sqlx migrate run"
            )),
        None => match (r.sqlstate.as_str(), &r.table, &r.column) {
            ("42P01", Some(t), _) => f.next_step(format!(
                "create table {t} with a migration, or check that the migrations ran against \
                 this database"
            )),
            ("42703", _, Some(c)) => f.next_step(format!(
                "add column {c} with a migration, or fix the name in the statement"
            )),
            _ => f.next_step("fix the statement; the server's message says where"),
        },
    }
}

/// The pending local migration (not applied in the database) that creates `table` (or its
/// `column`), with its file, when exactly one does. Needs the expected schema's record of
/// which migration created what.
fn pending_fix(
    _snapshot: &Snapshot,
    _table: Option<&str>,
    _column: Option<&str>,
) -> Option<(i64, String)> {
    None
}

fn result_mismatches(
    _checks: &QueryChecks,
    st: &StatementCheck,
    target: &TargetType,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let base = |message: String, column: &str, line: u32| {
        Finding::new(
            FindingKind::QueryResultMismatch,
            Severity::Error,
            actions::COLUMNS,
            message,
        )
        .location(st.file.clone(), Some(line))
        .column(column.to_string())
        .detail("target", target.name.clone())
        .detail("sql", short_sql(st.sql.as_deref()))
    };
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
                    None => out.push(
                        base(
                            format!(
                                "{}:{}: field {}.{} reads column \"{column}\", which this \
                                 statement does not return: sqlx fails with ColumnNotFound",
                                st.file, st.line, target.name, field.name
                            ),
                            column,
                            st.line,
                        )
                        .expected(column.clone())
                        .live(returned.clone())
                        .detail("field", field.name.clone())
                        .next_step(format!(
                            "select {column} in the statement, or mark the field #[sqlx(default)]"
                        )),
                    ),
                    Some(col) => {
                        out.extend(nullability(st, target, &field.name, &field.rust_type, col))
                    }
                }
            }
        }
        TargetShape::Tuple => {
            if target.fields.len() > st.columns.len() {
                out.push(
                    base(
                        format!(
                            "{}:{}: {} reads {} columns but the statement returns {}: sqlx fails \
                             with ColumnIndexOutOfBounds",
                            st.file,
                            st.line,
                            target.name,
                            target.fields.len(),
                            st.columns.len()
                        ),
                        "",
                        st.line,
                    )
                    .expected(target.fields.len().to_string())
                    .live(st.columns.len().to_string()),
                );
            }
            for (field, col) in target.fields.iter().zip(&st.columns) {
                out.extend(nullability(st, target, &field.name, &field.rust_type, col));
            }
        }
    }
    for f in &mut out {
        if f.column.as_deref() == Some("") {
            f.column = None;
        }
    }
    out
}

fn is_option(rust_type: &str) -> bool {
    let t = rust_type.trim();
    let last = t
        .split('<')
        .next()
        .unwrap_or(t)
        .rsplit("::")
        .next()
        .unwrap_or(t)
        .trim();
    last == "Option"
}

/// A non-Option field over a column the database says can be NULL: sqlx fails with
/// "unexpected null" on the first row where it is.
fn nullability(
    st: &StatementCheck,
    target: &TargetType,
    field: &str,
    rust_type: &str,
    col: &DescribedColumn,
) -> Option<Finding> {
    if col.nullable != Some(true) || is_option(rust_type) {
        return None;
    }
    Some(
        Finding::new(
            FindingKind::QueryResultMismatch,
            Severity::Warning,
            actions::COLUMNS,
            format!(
                "{}:{}: field {}.{field} is {rust_type}, but column \"{}\" can be NULL here: \
                 sqlx fails with an unexpected-null error on such a row",
                st.file, st.line, target.name, col.name
            ),
        )
        .location(st.file.clone(), Some(st.line))
        .column(col.name.clone())
        .expected(rust_type.to_string())
        .live(format!("{} (nullable)", col.type_name))
        .detail("target", target.name.clone())
        .detail("field", field.to_string())
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
                    "{path}: the database now rejects the cached query: {} (SQLSTATE {})",
                    r.message, r.sqlstate
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
mod tests {
    use super::*;
    use crate::querycheck::{
        OfflineColumn, OfflineDescribe, OfflineEntry, QueryCounts, StatementKind, TargetField,
    };
    use crate::section::Section;
    use crate::snapshot::{Backend, Target};

    fn snapshot(statements: Vec<StatementCheck>, offline: Option<OfflineCheck>) -> Snapshot {
        let mut s = Snapshot::new("0", "2026-01-09T12:00:00Z".into(), Target::default());
        s.query_checks = Section::collected(QueryChecks {
            backend: Backend::Postgres,
            counts: QueryCounts::of(&statements),
            statements,
            offline,
        });
        s
    }

    fn stmt(sql: &str, outcome: Outcome) -> StatementCheck {
        StatementCheck {
            file: "src/users.rs".into(),
            line: 10,
            api: Some("sqlx::query_as".into()),
            sql: Some(sql.into()),
            kind: StatementKind::Query,
            outcome,
            columns: vec![],
            parameters: vec![],
            target: None,
        }
    }

    fn col(name: &str, nullable: Option<bool>) -> DescribedColumn {
        DescribedColumn {
            name: name.into(),
            type_name: "TEXT".into(),
            nullable,
        }
    }

    fn field(name: &str, ty: &str) -> TargetField {
        TargetField {
            name: name.into(),
            column: name.into(),
            rust_type: ty.into(),
            default: false,
            not_a_column: false,
        }
    }

    #[test]
    fn rejected_statement_is_query_invalid_with_sqlstate_and_mapped_line() {
        let r = Rejection {
            sqlstate: "42P01".into(),
            message: "relation \"todos\" does not exist".into(),
            detail: None,
            hint: None,
            position: Some(20),
            line: Some(11),
            table: Some("todos".into()),
            column: None,
        };
        let f = check(&snapshot(
            vec![stmt("SELECT id\n FROM todos", Outcome::Rejected(r))],
            None,
        ));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FindingKind::QueryInvalid);
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].table.as_deref(), Some("todos"));
        assert_eq!(
            (f[0].file.as_deref(), f[0].line),
            (Some("src/users.rs"), Some(11))
        );
        assert_eq!(f[0].details["sqlstate"], "42P01");
        assert_eq!(f[0].action, actions::TABLES);
    }

    #[test]
    fn accepted_and_not_checkable_statements_are_not_reported() {
        let f = check(&snapshot(
            vec![
                stmt("SELECT 1", Outcome::Ok),
                stmt(
                    "SET x = 1",
                    Outcome::NotCheckable {
                        reason: "SET".into(),
                    },
                ),
            ],
            None,
        ));
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn struct_field_without_a_result_column_is_a_mismatch() {
        let mut s = stmt("SELECT id, name FROM users", Outcome::Ok);
        s.columns = vec![col("id", Some(false)), col("name", Some(false))];
        let mut email = field("email", "Option<String>");
        let mut nick = field("nick", "String");
        nick.default = true;
        let mut skipped = field("cache", "String");
        skipped.not_a_column = true;
        email.column = "email".into();
        s.target = Some(TargetType {
            name: "User".into(),
            shape: TargetShape::Struct,
            fields: vec![
                field("id", "i64"),
                field("name", "String"),
                email,
                nick,
                skipped,
            ],
            defined_at: None,
        });
        let f = check(&snapshot(vec![s], None));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, FindingKind::QueryResultMismatch);
        assert_eq!(f[0].column.as_deref(), Some("email"));
        assert!(f[0].message.contains("ColumnNotFound"));
    }

    #[test]
    fn non_option_field_over_nullable_column_is_a_warning_option_field_is_not() {
        let mut s = stmt("SELECT u.name, n.body FROM u LEFT JOIN n", Outcome::Ok);
        s.columns = vec![col("name", Some(true)), col("body", Some(true))];
        s.target = Some(TargetType {
            name: "(Option<String>, String)".into(),
            shape: TargetShape::Tuple,
            fields: vec![field("0", "Option<String>"), field("1", "String")],
            defined_at: None,
        });
        let f = check(&snapshot(vec![s], None));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].column.as_deref(), Some("body"));
    }

    #[test]
    fn tuple_wider_than_the_result_is_a_mismatch() {
        let mut s = stmt("SELECT id FROM users", Outcome::Ok);
        s.columns = vec![col("id", Some(false))];
        s.target = Some(TargetType {
            name: "(i64, String)".into(),
            shape: TargetShape::Tuple,
            fields: vec![field("0", "i64"), field("1", "String")],
            defined_at: None,
        });
        let f = check(&snapshot(vec![s], None));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].message.contains("ColumnIndexOutOfBounds"));
    }

    fn describe(ty: &str) -> OfflineDescribe {
        OfflineDescribe {
            columns: vec![OfflineColumn {
                name: "id".into(),
                type_info: ty.into(),
                nullable: Some(false),
            }],
            parameters: vec![],
        }
    }

    #[test]
    fn offline_entries_that_changed_or_left_the_source_are_stale() {
        let entry = |file: &str, cached: &str, live: &str, in_source| OfflineEntry {
            file: file.into(),
            query: "SELECT id FROM users".into(),
            in_source,
            cached: describe(cached),
            live: LiveDescribe::Described(describe(live)),
        };
        let offline = OfflineCheck {
            directory: ".sqlx".into(),
            entries: vec![
                entry("query-a.json", "Int8", "Int8", Some(true)),
                entry("query-b.json", "Int4", "Int8", Some(true)),
                entry("query-c.json", "Int8", "Int8", Some(false)),
            ],
            problems: vec![],
        };
        let f = check(&snapshot(vec![], Some(offline)));
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f.iter().all(|f| f.kind == FindingKind::SqlxOfflineStale));
        assert!(
            f.iter()
                .any(|f| f.file.as_deref() == Some(".sqlx/query-b.json")
                    && f.message.contains("was Int4 and is now Int8"))
        );
        assert!(
            f.iter()
                .any(|f| f.file.as_deref() == Some(".sqlx/query-c.json")
                    && f.details["reason"] == "not_in_source")
        );
    }
}
