//! Ties each FromRow model (derived, or a hand-written impl) to the table it is loaded from: first gaps.toml overrides, then the
//! queries that load it (a `query_as` target whose every result column comes from one table,
//! via FROM or RETURNING), then the naming convention against tables known to exist or to be
//! expected. A struct loaded only from joins or expressions is a projection: its fields are
//! not table columns and are never checked as such.

use super::model::{CodeEvidence, MappingSource, ModelMapping, ModelOverride, QuerySite};
use super::naming::conventional_tables;

/// The last path segment of a target type, without generics: `crate::models::User` -> `User`.
pub fn target_name(target: &str) -> &str {
    let t = target.split('<').next().unwrap_or(target).trim();
    t.rsplit("::").next().unwrap_or(t).trim()
}

/// Fills `mapping` of every model and manual FromRow impl. `known_tables` are table names the
/// expected or live schema (or gaps.md) has; the naming convention only maps to one of those.
pub fn map_models(code: &mut CodeEvidence, known_tables: &[String]) {
    let queries = code.queries.clone();
    let overrides = code.overrides.clone();
    for model in &mut code.models {
        model.mapping = mapping_of(&model.name, &queries, &overrides, known_tables);
    }
    for m in &mut code.manual_impls {
        m.mapping = mapping_of(&m.name, &queries, &overrides, known_tables);
    }
}

/// The table(s) the type named `name` is loaded from, and why.
fn mapping_of(
    name: &str,
    queries: &[QuerySite],
    overrides: &[ModelOverride],
    known_tables: &[String],
) -> ModelMapping {
    if let Some(o) = overrides.iter().find(|o| o.model == name) {
        return ModelMapping {
            tables: o.table.iter().cloned().collect(),
            source: if o.projection || o.table.is_none() {
                MappingSource::Projection
            } else {
                MappingSource::Config
            },
            evidence: vec!["gaps.toml".into()],
        };
    }
    let mut tables: Vec<String> = Vec::new();
    let mut table_evidence = Vec::new();
    let mut projection_evidence = Vec::new();
    for q in queries {
        let Some(target) = q.target.as_deref() else {
            continue;
        };
        if target_name(target) != name {
            continue;
        }
        let Some(access) = &q.access else {
            continue;
        };
        for st in &access.statements {
            let at = format!("{}:{}", q.file, q.line);
            match st.single_source_table() {
                Some(t) => {
                    if !tables.iter().any(|x| x == t) {
                        tables.push(t.to_string());
                    }
                    table_evidence.push(at);
                }
                None if !st.output.is_empty() => projection_evidence.push(at),
                None => {}
            }
        }
    }
    if !tables.is_empty() {
        tables.sort();
        ModelMapping {
            tables,
            source: MappingSource::Query,
            evidence: table_evidence,
        }
    } else if !projection_evidence.is_empty() {
        ModelMapping {
            tables: Vec::new(),
            source: MappingSource::Projection,
            evidence: projection_evidence,
        }
    } else if let Some(t) = conventional_tables(name)
        .into_iter()
        .find(|t| known_tables.contains(t))
    {
        ModelMapping {
            tables: vec![t],
            source: MappingSource::Convention,
            evidence: Vec::new(),
        }
    } else {
        ModelMapping::default()
    }
}

/// True when a query that loads the type named `name` returns a result column called
/// `column` under an alias (`SELECT id AS legacy_id FROM users`): the row has that column even
/// though the table does not.
pub fn aliased_output(code: &CodeEvidence, name: &str, column: &str) -> bool {
    code.queries
        .iter()
        .filter(|q| q.target.as_deref().is_some_and(|t| target_name(t) == name))
        .flat_map(|q| q.access.iter().flat_map(|a| &a.statements))
        .flat_map(|st| &st.output)
        .any(|o| o.name.as_deref() == Some(column) && o.column.as_deref() != Some(column))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Backend;
    use crate::code::model::{ManualFromRow, Model};
    use crate::code::sql::analyse;

    fn model(name: &str) -> Model {
        Model {
            name: name.into(),
            file: "src/m.rs".into(),
            line: 1,
            rename_all: None,
            fields: Vec::new(),
            mapping: ModelMapping::default(),
        }
    }

    fn query(target: &str, sql: &str, line: u32) -> QuerySite {
        QuerySite {
            file: "src/r.rs".into(),
            line,
            api: "sqlx::query_as".into(),
            macro_checked: false,
            sql: Some(sql.into()),
            sql_origin: Some("literal".into()),
            sql_line: None,
            target: Some(target.into()),
            target_origin: Some("turbofish".into()),
            not_checkable: None,
            access: Some(analyse(sql, Backend::Postgres)),
        }
    }

    fn code() -> CodeEvidence {
        CodeEvidence {
            models: vec![
                model("User"),
                model("QuestWithProgress"),
                model("Habit"),
                model("Orphan"),
                model("Goal"),
                model("Stats"),
            ],
            queries: vec![
                query("User", "SELECT * FROM users WHERE id = $1", 10),
                query(
                    "QuestWithProgress",
                    "SELECT q.*, p.status FROM quests q JOIN user_quest_progress p ON p.quest_id = q.id",
                    20,
                ),
                query(
                    "crate::models::Goal",
                    "INSERT INTO goals (title) VALUES ($1) RETURNING *",
                    30,
                ),
                query("Stats", "SELECT count(*) AS n FROM users", 40),
            ],
            ..CodeEvidence::default()
        }
    }

    #[test]
    fn queries_then_convention_decide_the_table() {
        let mut c = code();
        map_models(&mut c, &["habits".into(), "users".into()]);
        let m = |n: &str| c.model(n).unwrap().mapping.clone();
        assert_eq!(m("User").tables, ["users"]);
        assert_eq!(m("User").source, MappingSource::Query);
        assert_eq!(m("User").evidence, ["src/r.rs:10"]);
        assert_eq!(m("Goal").tables, ["goals"]);
        assert_eq!(m("Habit").source, MappingSource::Convention);
        assert_eq!(m("Habit").tables, ["habits"]);
        assert_eq!(m("Orphan").source, MappingSource::Unknown);
    }

    #[test]
    fn joins_and_expressions_make_projections_not_tables() {
        let mut c = code();
        map_models(&mut c, &["quest_with_progresses".into(), "stats".into()]);
        assert_eq!(
            c.model("QuestWithProgress").unwrap().mapping.source,
            MappingSource::Projection
        );
        assert!(
            c.model("QuestWithProgress")
                .unwrap()
                .mapping
                .tables
                .is_empty()
        );
        assert_eq!(
            c.model("Stats").unwrap().mapping.source,
            MappingSource::Projection
        );
    }

    #[test]
    fn gaps_toml_overrides_win() {
        let mut c = code();
        c.overrides = vec![
            ModelOverride {
                model: "User".into(),
                table: Some("app_users".into()),
                projection: false,
            },
            ModelOverride {
                model: "Habit".into(),
                table: None,
                projection: true,
            },
        ];
        map_models(&mut c, &["habits".into()]);
        assert_eq!(c.model("User").unwrap().mapping.tables, ["app_users"]);
        assert_eq!(
            c.model("User").unwrap().mapping.source,
            MappingSource::Config
        );
        assert_eq!(
            c.model("Habit").unwrap().mapping.source,
            MappingSource::Projection
        );
    }

    #[test]
    fn manual_impls_are_mapped_like_models_and_aliases_are_seen() {
        let mut c = code();
        let manual = |name: &str| ManualFromRow {
            name: name.into(),
            file: "src/m.rs".into(),
            line: 1,
            columns: Vec::new(),
            reads: Vec::new(),
            mapping: ModelMapping::default(),
        };
        c.manual_impls = vec![manual("LegacyUser"), manual("Habit"), manual("Summary")];
        c.queries.push(query(
            "LegacyUser",
            "SELECT id, email AS email_address FROM users",
            50,
        ));
        c.queries.push(query(
            "Summary",
            "SELECT u.id, count(h.id) AS n FROM users u JOIN habits h ON h.user_id = u.id GROUP BY u.id",
            60,
        ));
        map_models(&mut c, &["habits".into()]);
        let m = |n: &str| {
            c.manual_impls
                .iter()
                .find(|m| m.name == n)
                .unwrap()
                .mapping
                .clone()
        };
        assert_eq!(m("LegacyUser").tables, ["users"]);
        assert_eq!(m("LegacyUser").source, MappingSource::Query);
        assert_eq!(m("Habit").source, MappingSource::Convention);
        assert_eq!(m("Summary").source, MappingSource::Projection);
        assert!(aliased_output(&c, "LegacyUser", "email_address"));
        assert!(!aliased_output(&c, "LegacyUser", "id"));
        assert!(!aliased_output(&c, "User", "email_address"));
    }
}
