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
mod sqltext;
pub mod walk;

use std::path::Path;

use gaps_core::code::expected::ExpectationMode;
use gaps_core::code::mapping::map_models;
use gaps_core::code::model::SourceProblem;
use gaps_core::code::replay::{MigrationSource, replay};
use gaps_core::code::{CodeEvidence, ExpectedSchema, gapsmd};
use gaps_core::hazards::AfterCheck;
use gaps_core::redact;
use gaps_core::schema::IncompleteCatalog;
use gaps_core::section::Section;
use gaps_core::snapshot::{Backend, Snapshot};

use crate::cli::CollectArgs;
use config::Config;

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

/// Reads models and queries from the source, replays the migrations (or applies them to a
/// scratch database) and ties models to tables. `target_url` is the database being inspected;
/// scratch mode refuses to run on it.
pub async fn collect(
    args: &CollectArgs,
    snapshot: &Snapshot,
    target_url: Option<&str>,
) -> CodeSections {
    let backend = snapshot.target.backend.unwrap_or(Backend::Postgres);
    let mut code = match &args.source {
        None => Section::skipped("no --source given"),
        Some(root) if !root.is_dir() => Section::failed(
            "reading the service's source",
            format!("{} is not a directory", root.display()),
        ),
        Some(root) => Section::collected(scan_source(root, args, backend)),
    };
    let (mut expected, scratch_db) = expected_schema(args, snapshot, backend, target_url).await;
    if let (Section::Collected { data: (ev, config) }, Some(root)) = (&mut code, &args.source) {
        databases::attribute_sites(
            root,
            ev,
            config,
            snapshot.local_migrations.data(),
            expected.data(),
            backend,
        );
    }
    let mut code = match code {
        Section::Collected { data: (ev, _) } => Section::collected(ev),
        Section::Failed { error } => Section::Failed { error },
        Section::Skipped { reason } => Section::Skipped { reason },
    };
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
    let after = crate::hazards::after::check(scratch_db, code.data(), &expected, args).await;
    CodeSections {
        code,
        expected_schema: expected,
        after,
    }
}

/// The scan of the source and the gaps.toml that applies to it.
fn scan_source(root: &Path, args: &CollectArgs, backend: Backend) -> (CodeEvidence, Config) {
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
    let config = args
        .config
        .clone()
        .or_else(|| Some(root.join("gaps.toml")).filter(|p| p.is_file()));
    let mut read = Config::default();
    if let Some(path) = config {
        ev.config_file = Some(path.display().to_string());
        match config::read(&path) {
            Ok(c) => {
                ev.overrides = c.overrides.clone();
                read = c;
            }
            Err(message) => ev.problems.push(SourceProblem {
                file: path.display().to_string(),
                line: None,
                message,
            }),
        }
    }
    (ev, read)
}

/// The expected schema, and the scratch database it was read from (still to be dropped) in
/// scratch mode.
async fn expected_schema(
    args: &CollectArgs,
    snapshot: &Snapshot,
    backend: Backend,
    target_url: Option<&str>,
) -> (Section<ExpectedSchema>, Option<scratch::ScratchDb>) {
    let gaps_tables = match &args.gaps {
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
    let migrations: Option<Vec<MigrationSource>> = match &snapshot.local_migrations {
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
        && let Some(db) = target_url.and_then(mysql_database_of)
    {
        place_in_database(&mut expected, &db);
    }
    if let Some((file, tables)) = gaps_tables {
        expected.gaps_md_file = Some(file);
        expected.gaps_md_tables = tables;
    }
    let mut kept = None;
    if let Some(scratch_url) = args.scratch_database_url.as_ref().filter(|_| replayable) {
        expected.scratch_server = Some(redact::redact_url(scratch_url));
        let built =
            scratch::build(scratch_url, target_url, &migrations, args.connect_timeout()).await;
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
    expected.schema.canonicalize();
}
