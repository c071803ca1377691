//! The project's databases, read from the source tree: every `sqlx::migrate!("dir")`
//! (resolved against its crate root, as the macro does, with the crate's sqlx.toml
//! `migrations-dir` for a bare `migrate!()`), sqlx.toml's `migrations-dir` at the source root,
//! and gaps.toml's `[[database]]` entries. Each folder's migrations are replayed for the
//! tables they create; the folder of the local-migrations section is the database being
//! collected. Then every statement site is attributed to one of them
//! ([`gaps_core::code::databases::attribute`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gaps_core::backend::Backend;
use gaps_core::code::databases::{FileHint, ProjectDatabase, attribute};
use gaps_core::code::replay::replay;
use gaps_core::code::session::link_crate;
use gaps_core::code::{CodeEvidence, ExpectedSchema};
use gaps_core::migrations::LocalMigrations;

use super::config::Config;
use super::migrations_input;
use crate::migrations::config::MigrateConfig;
use crate::migrations::local::{clean_join, crate_root_of, locate, read};

/// One folder found, before its tables are read.
struct Found {
    dir: PathBuf,
    declared_at: Vec<String>,
    sources: Vec<String>,
}

/// `dir` as shown: relative to the source root with a leading `./`, else as given.
fn shown(root: &Path, dir: &Path) -> String {
    match dir.strip_prefix(root) {
        Ok(rel) => format!(
            "./{}",
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        ),
        Err(_) => dir.display().to_string(),
    }
}

/// A comparison key for a folder (resolved when it exists).
fn key(dir: &Path) -> PathBuf {
    std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())
}

fn add(found: &mut Vec<Found>, dir: PathBuf, at: String, sources: &[String]) {
    let k = key(&dir);
    match found.iter_mut().find(|f| key(&f.dir) == k) {
        Some(f) => {
            if !f.declared_at.contains(&at) {
                f.declared_at.push(at);
            }
            f.sources.extend(sources.iter().cloned());
        }
        None => found.push(Found {
            dir,
            declared_at: vec![at],
            sources: sources.to_vec(),
        }),
    }
}

/// Every migrations folder the source names, the target's first.
fn discover(root: &Path, code: &CodeEvidence, config: &Config, target: &Path) -> Vec<Found> {
    let mut found = Vec::new();
    add(&mut found, target.to_path_buf(), "collected".into(), &[]);
    for m in &code.migrate_macros {
        let crate_root = crate_root_of(&root.join(&m.file), root);
        let rel = if m.directory == "./migrations" {
            MigrateConfig::load(&crate_root)
                .ok()
                .and_then(|c| c.migrations_dir)
                .unwrap_or_else(|| m.directory.clone())
        } else {
            m.directory.clone()
        };
        add(
            &mut found,
            clean_join(&crate_root, &rel),
            format!("{}:{}", m.file, m.line),
            &[],
        );
    }
    if let Some(rel) = MigrateConfig::load(root)
        .ok()
        .and_then(|c| c.migrations_dir)
    {
        add(&mut found, clean_join(root, &rel), "sqlx.toml".into(), &[]);
    }
    for d in &config.databases {
        add(
            &mut found,
            clean_join(root, &d.migrations),
            "gaps.toml".into(),
            &d.sources,
        );
    }
    found
}

/// The tables and views a folder's migrations create, or why they could not be read.
fn tables_of(dir: &Path, backend: Backend) -> Result<Vec<String>, String> {
    let located = locate(Some(dir), None).map_err(|e| e.to_string())?;
    let local = read(&located).map_err(|e| e.to_string())?;
    // A folder with an unreadable file is not attributed by table: a table left out would
    // send its statements to the wrong database.
    let (sources, problems) = migrations_input::from_section(&local);
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    Ok(replay(&sources, backend)
        .schema
        .tables
        .into_iter()
        .map(|t| t.name)
        .collect())
}

fn matcher(patterns: &[String]) -> Vec<(String, globset::GlobMatcher)> {
    patterns
        .iter()
        .filter_map(|p| {
            globset::Glob::new(p)
                .ok()
                .map(|g| (p.clone(), g.compile_matcher()))
        })
        .collect()
}

/// Records the project's databases in `code` and attributes every statement site to one of
/// them. `local` is the local-migrations section's data (the database being collected) and
/// `expected` its replay, when they were read.
pub fn attribute_sites(
    root: &Path,
    code: &mut CodeEvidence,
    config: &Config,
    local: Option<&LocalMigrations>,
    expected: Option<&ExpectedSchema>,
    backend: Backend,
) {
    let Some(local) = local else {
        return;
    };
    let target = PathBuf::from(&local.directory);
    let found = discover(root, code, config, &target);
    let mut databases: Vec<ProjectDatabase> = Vec::new();
    for (i, f) in found.iter().enumerate() {
        let is_target = i == 0;
        let tables = match (is_target, expected) {
            (true, Some(e)) => Ok(e.schema.tables.iter().map(|t| t.name.clone()).collect()),
            _ => tables_of(&f.dir, backend),
        };
        let (tables, problem) = match tables {
            Ok(t) => (t, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let mut declared_at: Vec<String> = f
            .declared_at
            .iter()
            .filter(|a| *a != "collected")
            .cloned()
            .collect();
        if is_target && local.directory_source == "flag" {
            declared_at.push("--migrations".into());
        }
        databases.push(ProjectDatabase {
            migrations: shown(root, &f.dir),
            declared_at,
            tables,
            sources: f.sources.clone(),
            target: is_target,
            chosen_by: is_target.then(|| local.directory_source.clone()),
            problem,
        });
    }
    let excluded = matcher(&config.exclude);
    let by_source: Vec<(String, Vec<(String, globset::GlobMatcher)>)> = databases
        .iter()
        .map(|d| (d.migrations.clone(), matcher(&d.sources)))
        .collect();
    let mut hints: BTreeMap<String, FileHint> = BTreeMap::new();
    for q in &code.queries {
        let hint = FileHint {
            excluded: excluded
                .iter()
                .find(|(_, m)| m.is_match(&q.file))
                .map(|(p, _)| p.clone()),
            database: by_source
                .iter()
                .find(|(_, ms)| ms.iter().any(|(_, m)| m.is_match(&q.file)))
                .map(|(d, _)| d.clone()),
        };
        if hint != FileHint::default() {
            hints.insert(q.file.clone(), hint);
        }
    }
    code.databases = databases;
    attribute(code, &hints);
    let known: Vec<String> = code
        .databases
        .iter()
        .flat_map(|d| d.tables.iter().map(|t| t.to_lowercase()))
        .collect();
    link_crate(&mut code.queries, &|t| known.contains(&t.to_lowercase()));
    if code.databases.len() <= 1 && code.queries.iter().all(|q| q.scope.database.is_none()) {
        code.databases.clear();
    }
}
