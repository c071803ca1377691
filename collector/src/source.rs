//! The service's source: FromRow models and SQL statements (syn), the expected schema replayed
//! from the migrations (or built exactly on a scratch database), and the live database's
//! describe of each statement.

mod attrs;
pub mod config;
mod connections;
pub mod databases;
pub mod manual;
pub mod migrations_input;
pub mod scan;
pub mod scratch;
mod settings;
mod sqltext;
pub mod walk;

use std::path::Path;
use std::time::Duration;

use gaps_core::backend::Backend;
use gaps_core::code::expected::ExpectationMode;
use gaps_core::code::mapping::map_models;
use gaps_core::code::model::SourceProblem;
use gaps_core::code::replay::{MigrationSource, replay};
use gaps_core::code::{CodeEvidence, ExpectedSchema};
use gaps_core::gapsmd;
use gaps_core::hazards::AfterCheck;
use gaps_core::migrations::LocalMigrations;
use gaps_core::redact;
use gaps_core::schema::IncompleteCatalog;
use gaps_core::section::Section;

use config::{Config, GapsToml};

/// The two code-side sections.
pub struct CodeSections {
    /// Models and queries.
    pub code: Section<CodeEvidence>,
    /// The expected schema.
    pub expected_schema: Section<ExpectedSchema>,
    /// The code's statements described on the scratch database (all migrations applied),
    /// when scratch mode ran; else the replay mode, with why scratch mode was not used.
    pub after: AfterCheck,
}

/// What the code sections are read from, as the collection's plan resolved it.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The service's repository.
    pub root: Option<&'a Path>,
    /// The gaps.toml that applies to it, read.
    pub config: Option<&'a GapsToml>,
    /// The gaps.md registry whose ACTION-004 tables become expectations.
    pub gaps: Option<&'a Path>,
    /// A scratch server on which to build the exact expected schema (never the target).
    pub scratch_url: Option<&'a str>,
    /// How long to wait for the scratch server.
    pub connect_timeout: Duration,
    /// The engine whose dialect the source's SQL is read in.
    pub backend: Backend,
    /// The database being inspected: scratch mode refuses to run on it, and on MySQL its
    /// database is the schema of the migrations' unqualified tables.
    pub target_url: Option<&'a str>,
    /// How the code's statements are described on the scratch database (the schema after
    /// every migration ran), when there is one; `None`: they are not (`--no-describe`).
    pub describe_after: Option<crate::hazards::after::DescribeLimits>,
}

/// Reads models and queries from the source, replays the `local` migrations (or applies them
/// to a scratch database) and ties models to tables.
pub async fn collect(inputs: &Inputs<'_>, local: &Section<LocalMigrations>) -> CodeSections {
    let backend = inputs.backend;
    let mut code = match inputs.root {
        None => Section::skipped("no --source given"),
        Some(root) if !root.is_dir() => Section::failed(
            "reading the service's source",
            format!("{} is not a directory", root.display()),
        ),
        Some(root) => Section::collected(scan_source(root, inputs.config, backend)),
    };
    let (mut expected, scratch_db) = expected_schema(inputs, local).await;
    let no_config = Config::default();
    let config = inputs
        .config
        .and_then(|c| c.read.as_ref().ok())
        .unwrap_or(&no_config);
    if let (Section::Collected { data: ev }, Some(root)) = (&mut code, inputs.root) {
        databases::attribute_sites(root, ev, config, local.data(), expected.data(), backend);
    }
    if let (Section::Collected { data: ev }, expected) = (&mut code, &expected) {
        let mut known: Vec<String> = Vec::new();
        if let Section::Collected { data: e } = expected {
            known.extend(e.schema.tables.iter().map(|t| t.name.clone()));
            known.extend(e.gaps_md_tables.iter().cloned());
        }
        map_models(ev, &known);
    }
    if let Section::Collected { data } = &mut expected {
        data.schema.canonicalize();
    }
    // While the scratch database exists, the code's statements are described on it: the
    // schema as it will be once every migration ran.
    let after =
        crate::hazards::after::check(scratch_db, code.data(), &expected, inputs.describe_after)
            .await;
    CodeSections {
        code,
        expected_schema: expected,
        after,
    }
}

/// The scan of the source, with what its gaps.toml says (or why it could not be read).
fn scan_source(root: &Path, config: Option<&GapsToml>, backend: Backend) -> CodeEvidence {
    let (files, walk_errors) = walk::rust_files(root);
    let mut ev = scan::scan(root, &files, backend);
    ev.root = root.display().to_string();
    for (path, message) in walk_errors {
        ev.problems.push(SourceProblem {
            file: path,
            line: None,
            message,
        });
    }
    if let Some(toml) = config {
        ev.config_file = Some(toml.path.display().to_string());
        match &toml.read {
            Ok(c) => ev.overrides = c.overrides.clone(),
            Err(message) => ev.problems.push(SourceProblem {
                file: toml.path.display().to_string(),
                line: None,
                message: message.clone(),
            }),
        }
    }
    ev
}

/// The expected schema, and the scratch database it was read from (still to be dropped) in
/// scratch mode.
async fn expected_schema(
    inputs: &Inputs<'_>,
    local: &Section<LocalMigrations>,
) -> (Section<ExpectedSchema>, Option<scratch::ScratchDb>) {
    let backend = inputs.backend;
    let gaps_tables = match inputs.gaps {
        // The same loader `gaps report` uses: a file one command refuses, the other does too.
        Some(path) => match crate::registry_file::read(path).and_then(|text| {
            gapsmd::expected_tables(&text)
                .map_err(|e| anyhow::anyhow!("gaps.md {}: {e}", path.display()))
        }) {
            Ok(tables) => Some((path.display().to_string(), tables)),
            Err(e) => {
                return (
                    Section::failed("reading the gaps.md registry", format!("{e:#}")),
                    None,
                );
            }
        },
        None => None,
    };
    // The replay reads exactly the files the local-migrations section lists: without it there
    // is nothing sound to replay, and guessing the folder again here would hide why. gaps.md's
    // expected tables still stand on their own; the failure is recorded with them.
    let mut unreadable_migrations = None;
    let mut unreadable_files: Vec<String> = Vec::new();
    let migrations: Option<Vec<MigrationSource>> = match local {
        Section::Collected { data } => {
            let (sources, problems) = migrations_input::from_section(data);
            unreadable_files = problems;
            Some(sources)
        }
        Section::Failed { error } => {
            unreadable_migrations = Some(format!(
                "the local migrations could not be read ({}: {}), so the expected schema \
                 cannot be replayed",
                error.during, error.message
            ));
            None
        }
        Section::Skipped { .. } => None,
    };
    if let (Some(message), None) = (&unreadable_migrations, &gaps_tables) {
        return (
            Section::failed("reading the migration files to replay", message.clone()),
            None,
        );
    }
    if migrations.is_none() && gaps_tables.is_none() {
        return (
            Section::skipped("no migrations (no --source or --migrations) and no --gaps file"),
            None,
        );
    }
    let replayable = migrations.is_some();
    let migrations = migrations.unwrap_or_default();
    let mut expected = replay(&migrations, backend);
    for message in unreadable_migrations.into_iter().chain(unreadable_files) {
        // No catalog named: nothing of the expected schema is assumed complete.
        expected.schema.incomplete.push(IncompleteCatalog {
            during: "reading the migration files to replay".into(),
            message,
            catalogs: Vec::new(),
            relations: Vec::new(),
            cause: None,
        });
    }
    if backend == Backend::Mysql
        && let Some(db) = inputs.target_url.and_then(mysql_database_of)
    {
        place_in_database(&mut expected, &db);
    }
    if let Some((file, tables)) = gaps_tables {
        expected.gaps_md_file = Some(file);
        expected.gaps_md_tables = tables;
    }
    let mut kept = None;
    if let Some(scratch_url) = inputs.scratch_url.filter(|_| replayable) {
        expected.scratch_server = Some(redact::redact_url(scratch_url));
        let built = scratch::build(
            scratch_url,
            inputs.target_url,
            &migrations,
            inputs.connect_timeout,
        )
        .await;
        let inspected = match &built {
            Ok(db) => db.inspect().await,
            Err(e) => Err(e.clone()),
        };
        match inspected {
            Ok(schema) => {
                expected.mode = ExpectationMode::Scratch;
                expected.schema = schema;
                // Every statement ran for real: nothing is approximate any more.
                expected.not_modelled.clear();
                expected.partial_tables.clear();
            }
            Err(e) => expected.scratch_error = Some(e),
        }
        kept = built.ok();
    }
    (Section::collected(expected), kept)
}

/// The database a mysql:// or mariadb:// URL names (its path), if any.
fn mysql_database_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let path = parsed.path().trim_start_matches('/');
    let decoded = url::form_urlencoded::parse(format!("x={path}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    (!decoded.is_empty()).then_some(decoded)
}

/// On MySQL a migration's unqualified table lives in the connection's database, which the
/// replay cannot know: its tables (schema "") are placed in `db`, the schema the live
/// inspector gives them.
fn place_in_database(expected: &mut ExpectedSchema, db: &str) {
    let fix = |s: &mut String| {
        if s.is_empty() {
            *s = db.to_string();
        }
    };
    for s in &mut expected.schema.schemas {
        fix(s);
    }
    for t in &mut expected.schema.tables {
        fix(&mut t.schema);
        for fk in &mut t.foreign_keys {
            fix(&mut fk.referenced_schema);
        }
    }
    for e in &mut expected.schema.enums {
        fix(&mut e.schema);
    }
    for o in &mut expected.origins {
        fix(&mut o.schema);
    }
    for r in &mut expected.removals {
        fix(&mut r.schema);
    }
    expected.schema.canonicalize();
}
