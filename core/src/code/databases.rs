//! Several databases in one source tree. Every `sqlx::migrate!("dir")` (and every migrations
//! folder named in sqlx.toml or gaps.toml) is a database of its own; each statement site is
//! attributed to one of them, in this order of evidence:
//!
//! 1. gaps.toml: `exclude` patterns, then `[[database]] sources` patterns;
//! 2. the tables it uses, when exactly one database's migrations create them all;
//! 3. the module that runs `sqlx::migrate!` on the pool (the file that calls it, and the
//!    module directory under it), the most specific one;
//! 4. code that opens a connection of its own (not from the service's `DATABASE_URL`) in a
//!    module that runs no migrations and opens a file (or never uses only a project
//!    database's tables), when the statement uses tables no migration of the project
//!    creates: an external database (another application's file, read by an importer);
//! 5. otherwise the database being collected.
//!
//! Only the statements of the database being collected are described and checked; the others
//! are listed with the database they belong to, never reported as errors.

use std::collections::BTreeMap;

use super::model::{CodeEvidence, QuerySite};
pub use super::site_scope::{ConnectionSite, ProjectDatabase, SiteDatabase};

/// What gaps.toml says about one source file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileHint {
    /// The `exclude` pattern that matches it.
    pub excluded: Option<String>,
    /// The migrations folder of the `[[database]]` whose `sources` match it.
    pub database: Option<String>,
}

/// How specific a module scope is for a file: the length of the matching prefix; crate
/// roots (`lib.rs`, `main.rs`) cover everything below them and count as weak.
fn scope_depth(scope_file: &str, file: &str) -> Option<(usize, bool)> {
    if scope_file == file {
        return Some((usize::MAX, false));
    }
    let (dir, weak) = match scope_file.rsplit_once('/') {
        Some((parent, "mod.rs")) => (format!("{parent}/"), false),
        Some((parent, "lib.rs" | "main.rs")) => (format!("{parent}/"), true),
        Some((_, _)) | None => (
            format!("{}/", scope_file.strip_suffix(".rs").unwrap_or(scope_file)),
            false,
        ),
    };
    file.starts_with(&dir).then_some((dir.len(), weak))
}

/// The database whose `sqlx::migrate!` module covers `file` most specifically, and whether
/// that module is a crate root.
fn pool_of<'d>(databases: &'d [ProjectDatabase], file: &str) -> Option<(&'d str, bool)> {
    let mut best: Option<(usize, bool, &str)> = None;
    for db in databases {
        for at in &db.declared_at {
            let Some((macro_file, _)) = at.rsplit_once(':') else {
                continue;
            };
            if !macro_file.ends_with(".rs") {
                continue;
            }
            if let Some((depth, weak)) = scope_depth(macro_file, file)
                && best.is_none_or(|(d, _, _)| depth > d)
            {
                best = Some((depth, weak, db.migrations.as_str()));
            }
        }
    }
    best.map(|(_, weak, m)| (m, weak))
}

/// Whether connection `c` covers `file`: a crate root (`main.rs`, `lib.rs`) covers itself
/// only, any other module its file and the directory of its submodules.
fn covers(c: &ConnectionSite, file: &str) -> bool {
    match scope_depth(&c.file, file) {
        Some((_, true)) => c.file == file,
        Some((_, false)) => true,
        None => false,
    }
}

/// The connections the code opens itself, from something other than the service's URL, in a
/// module that runs no migrations and either opens a file or never uses only tables of a
/// project database: where an importer reads another application's database. Computed once
/// per collection.
fn foreign_connections(code: &CodeEvidence) -> Vec<&ConnectionSite> {
    code.connections
        .iter()
        .filter(|c| !c.service_url)
        .filter(|c| {
            let runs_migrations = code.migrate_macros.iter().any(|m| {
                m.file == c.file || scope_depth(&m.file, &c.file).is_some_and(|(_, weak)| !weak)
            });
            let uses_project_tables = || {
                code.queries
                    .iter()
                    .filter(|q| covers(c, &q.file))
                    .any(|q| !candidates(code, &tables_of(q)).is_empty())
            };
            !runs_migrations && (opens_a_file(c) || !uses_project_tables())
        })
        .collect()
}

/// True when a connection is opened from a file (an SQLite path, `:memory:`), not a server
/// URL: what an importer of another application's data does.
fn opens_a_file(c: &ConnectionSite) -> bool {
    let arg = c.argument.to_ascii_lowercase();
    c.api == ".filename"
        || ["path", "file", ".db", ".sqlite", "sqlite:", "memory"]
            .iter()
            .any(|w| arg.contains(w))
}

/// The project databases whose migrations create every one of `tables`.
fn candidates<'d>(code: &'d CodeEvidence, tables: &[String]) -> Vec<&'d str> {
    if tables.is_empty() {
        return Vec::new();
    }
    code.databases
        .iter()
        .filter(|d| d.problem.is_none())
        .filter(|d| {
            tables
                .iter()
                .all(|t| d.tables.iter().any(|x| x.eq_ignore_ascii_case(t)))
        })
        .map(|d| d.migrations.as_str())
        .collect()
}

fn tables_of(site: &QuerySite) -> Vec<String> {
    let temp = site.session_tables();
    let mut out: Vec<String> = site
        .access
        .iter()
        .flat_map(|a| &a.statements)
        .flat_map(|st| &st.tables)
        .map(|t| t.name.to_lowercase())
        .filter(|t| !temp.iter().any(|x| x.eq_ignore_ascii_case(t)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Attributes every statement site of `code` to a database (see the module documentation),
/// given what gaps.toml says per file. Sites of a project with one database and no
/// connection of its own are left plain.
pub fn attribute(code: &mut CodeEvidence, hints: &BTreeMap<String, FileHint>) {
    let several = code.databases.len() > 1;
    let target = code
        .databases
        .iter()
        .find(|d| d.target)
        .map(|d| d.migrations.clone());
    let foreign = foreign_connections(code);
    let ctx = Decide {
        code,
        foreign: &foreign,
        target: target.as_deref(),
        several,
    };
    let decisions: Vec<Option<SiteDatabase>> = code
        .queries
        .iter()
        .map(|site| ctx.decide(site, hints.get(&site.file)))
        .collect();
    for (site, d) in code.queries.iter_mut().zip(decisions) {
        site.scope.database = d;
    }
}

/// What one attribution reads besides the site.
struct Decide<'a> {
    code: &'a CodeEvidence,
    foreign: &'a [&'a ConnectionSite],
    target: Option<&'a str>,
    several: bool,
}

impl Decide<'_> {
    fn decide(&self, site: &QuerySite, hint: Option<&FileHint>) -> Option<SiteDatabase> {
        let Decide {
            code,
            target,
            several,
            ..
        } = *self;
        if let Some(pattern) = hint.and_then(|h| h.excluded.clone()) {
            return Some(SiteDatabase::Excluded { pattern });
        }
        let pick = |migrations: &str, how: &str| -> Option<SiteDatabase> {
            if Some(migrations) == target || target.is_none() {
                several.then(|| SiteDatabase::Target { how: how.into() })
            } else {
                Some(SiteDatabase::Other {
                    migrations: migrations.to_string(),
                    how: how.into(),
                })
            }
        };
        if let Some(db) = hint.and_then(|h| h.database.as_deref()) {
            return pick(db, "gaps_toml");
        }
        let tables = tables_of(site);
        let candidates = candidates(code, &tables);
        if let [one] = candidates.as_slice() {
            return pick(one, "tables");
        }
        let pool = pool_of(&code.databases, &site.file);
        if let Some((p, false)) = pool
            && (candidates.is_empty() || candidates.contains(&p))
        {
            return pick(p, "pool");
        }
        if candidates.len() > 1 {
            let chosen = target
                .filter(|t| candidates.contains(t))
                .unwrap_or(candidates[0]);
            return pick(chosen, "tables");
        }
        // Only when the database being collected is known: otherwise every table would look
        // like one no migration creates.
        let target_known = code
            .databases
            .iter()
            .any(|d| d.target && d.problem.is_none());
        if !tables.is_empty()
            && target_known
            && let Some(c) = self.foreign.iter().find(|c| covers(c, &site.file))
        {
            return Some(SiteDatabase::External {
                reason: format!(
                    "{}:{} opens its own connection ({} {}) and no migration of the project \
                 creates {}",
                    c.file,
                    c.line,
                    c.api,
                    c.argument,
                    tables.join(", ")
                ),
            });
        }
        if let Some((p, true)) = pool {
            return pick(p, "pool");
        }
        target.and_then(|t| pick(t, "default"))
    }
}

#[cfg(test)]
mod tests;
