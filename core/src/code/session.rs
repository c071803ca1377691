//! Statements that depend on objects the code creates for its own session: a temporary table
//! or view created by an earlier statement of the same function, or a `SET search_path` in
//! front of them. The live database has none of these when gaps describes the statement (it
//! never runs the creating DDL, and could not inside its read-only transaction), so such a
//! statement is recorded as not checkable, with the creating statement's `file:line`, never
//! as an error.

use super::model::QuerySite;
pub use super::site_scope::SessionDependency;
use super::sql::SessionObjectKind;

/// One object created by a site.
struct Created {
    kind: SessionObjectKind,
    name: String,
    file: String,
    line: u32,
}

fn created(sites: &[QuerySite]) -> Vec<Created> {
    let mut out = Vec::new();
    for s in sites {
        for st in s.access.iter().flat_map(|a| &a.statements) {
            for c in &st.creates {
                out.push(Created {
                    kind: c.kind,
                    name: c.name.clone(),
                    file: s.file.clone(),
                    line: s.line,
                });
            }
        }
    }
    out
}

fn dependency(c: &Created) -> SessionDependency {
    SessionDependency {
        kind: c.kind,
        name: c.name.clone(),
        file: c.file.clone(),
        line: c.line,
    }
}

fn add(site: &mut QuerySite, d: SessionDependency) {
    if !site.scope.depends_on.contains(&d) {
        site.scope.depends_on.push(d);
    }
}

/// Links the statement sites of one function body: a site that uses a temporary table or
/// view another site of the function creates depends on it; every site after a
/// `search_path` change depends on that change.
pub fn link_function(sites: &mut [QuerySite]) {
    let made = created(sites);
    if made.is_empty() {
        return;
    }
    for site in sites.iter_mut() {
        let uses: Vec<String> = site
            .access
            .iter()
            .flat_map(|a| &a.statements)
            .flat_map(|st| &st.tables)
            .filter(|t| t.schema.as_deref().is_none_or(|s| s == "pg_temp"))
            .map(|t| t.name.to_lowercase())
            .collect();
        for c in &made {
            let same_site = c.file == site.file && c.line == site.line;
            let applies = match c.kind {
                SessionObjectKind::SearchPath => !same_site && site.line > c.line,
                _ => !same_site && uses.contains(&c.name.to_lowercase()),
            };
            if applies {
                add(site, dependency(c));
            }
        }
    }
}

/// Links uses of a temporary table or view created in another function of the crate (a
/// helper that creates it for its caller), for names `is_project_table` does not know:
/// a table a migration creates is that table, not the temporary one.
pub fn link_crate(sites: &mut [QuerySite], is_project_table: &dyn Fn(&str) -> bool) {
    let made: Vec<Created> = created(sites)
        .into_iter()
        .filter(|c| c.kind != SessionObjectKind::SearchPath && !is_project_table(&c.name))
        .collect();
    if made.is_empty() {
        return;
    }
    for site in sites.iter_mut() {
        if !site.scope.depends_on.is_empty() {
            continue;
        }
        let uses: Vec<String> = site
            .access
            .iter()
            .flat_map(|a| &a.statements)
            .flat_map(|st| &st.tables)
            .filter(|t| t.schema.is_none())
            .map(|t| t.name.to_lowercase())
            .collect();
        if let Some(c) = made.iter().find(|c| uses.contains(&c.name.to_lowercase())) {
            add(site, dependency(c));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Backend;
    use crate::code::model::SiteScope;
    use crate::code::sql::analyse;

    fn site(line: u32, sql: &str) -> QuerySite {
        QuerySite {
            file: "src/db/jobs.rs".into(),
            line,
            api: "sqlx::query".into(),
            macro_checked: false,
            sql: Some(sql.into()),
            sql_origin: Some("literal".into()),
            sql_line: None,
            target: None,
            target_origin: None,
            not_checkable: None,
            access: Some(analyse(sql, Backend::Postgres)),
            scope: SiteScope::default(),
        }
    }

    #[test]
    fn uses_of_a_temporary_table_depend_on_its_creation() {
        let mut sites = vec![
            site(
                528,
                "create temporary table doomed on commit drop as (select id from jobs where \
                 finished_at < now() - interval '7 days')",
            ),
            site(
                531,
                "delete from job_logs where job_id in (select id from doomed)",
            ),
            site(534, "delete from jobs where id in (select id from doomed)"),
            site(540, "select count(*) from jobs"),
        ];
        link_function(&mut sites);
        assert!(sites[0].scope.depends_on.is_empty());
        assert_eq!(
            sites[1].not_described_reason().as_deref(),
            Some("depends on temporary table doomed created at src/db/jobs.rs:528")
        );
        assert_eq!(sites[1].session_tables(), ["doomed"]);
        assert!(sites[1].statically_checked());
        assert!(sites[2].not_described_reason().is_some());
        assert!(sites[3].scope.depends_on.is_empty());
    }

    #[test]
    fn statements_after_a_search_path_change_depend_on_it() {
        let mut sites = vec![
            site(10, "select 1 from accounts"),
            site(11, "set local search_path to tenant_7"),
            site(12, "select id from accounts"),
        ];
        link_function(&mut sites);
        assert!(sites[0].scope.depends_on.is_empty());
        assert!(sites[1].scope.depends_on.is_empty());
        let r = sites[2].not_described_reason().unwrap();
        assert!(r.contains("search_path set at src/db/jobs.rs:11"), "{r}");
        assert!(!sites[2].statically_checked());
    }

    #[test]
    fn a_temporary_table_a_migration_creates_is_not_part_of_the_expected_schema() {
        use crate::code::replay::{MigrationSource, replay};
        let e = replay(
            &[MigrationSource {
                version: 1,
                file: "0001_backfill.sql".into(),
                sql: "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n\
                      CREATE TEMP TABLE staging AS SELECT id FROM users;\n\
                      CREATE TEMPORARY VIEW recent AS SELECT id FROM users;\n\
                      UPDATE users SET email = lower(email) WHERE id IN (SELECT id FROM staging);"
                    .into(),
            }],
            Backend::Postgres,
        );
        let names: Vec<&str> = e.schema.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["users"]);
        assert!(e.not_modelled.is_empty(), "{:?}", e.not_modelled);
    }

    #[test]
    fn a_temporary_table_made_by_another_function_links_unless_a_migration_has_the_name() {
        let mut sites = vec![
            site(5, "create temp table staging (id int8)"),
            site(90, "insert into items (id) select id from staging"),
            site(95, "create temp table items (id int8)"),
        ];
        link_crate(&mut sites, &|t| t == "items");
        assert_eq!(sites[1].scope.depends_on[0].name, "staging");
        assert_eq!(sites[1].scope.depends_on.len(), 1);
    }
}
