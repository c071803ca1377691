//! `gaps collect`: gathers every section of evidence into one snapshot. Each section is
//! independent: one that fails is recorded as failed and the others still run.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use gaps_core::redact;
use gaps_core::section::Section;
use gaps_core::snapshot::{Snapshot, Target};

use crate::cli::{CollectArgs, EXIT_FINDINGS, EXIT_OK};
use crate::db::{self, Session, SessionOptions};
use crate::progress::Progress;
use crate::{
    dotenv, hazards, health, inspect, logs, migrations, output, preserve, provider, querycheck,
    source,
};

/// Runs `gaps collect` and returns the exit code (1 when the snapshot is partial).
pub fn run(args: &CollectArgs) -> anyhow::Result<u8> {
    check_arguments(args)?;
    // A URL gaps cannot read is a usage error (exit 2), not a partial snapshot.
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    if let Some((url, _)) = dotenv::resolve_database_url(args.database_url.as_deref(), &cwd)
        && db::backend_of(&url).is_none()
    {
        // The URL itself is never echoed: one gaps cannot read may hold a password anywhere.
        let scheme = url.split_once(':').map(|(s, _)| s).filter(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        });
        anyhow::bail!(
            "unsupported database URL ({}): gaps reads postgres://, postgresql://, mysql://, \
             mariadb:// and sqlite: URLs",
            match scheme {
                Some(s) => format!("scheme \"{s}:\""),
                None => "no scheme".to_string(),
            }
        );
    }
    // The output is opened before any work: a bad --out fails now, not after the collection.
    let out = preserve::prepare(&args.out, args.force)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let progress = Progress::new(args.quiet, args.verbose);
    let snapshot = runtime.block_on(collect(args, &progress));
    progress.finish();
    let written = out.write(&snapshot)?;
    if !args.quiet {
        report_outcome(&snapshot);
    }
    if let Some(why) = &written.kept {
        // Said even with --quiet: the file the caller named was not updated.
        output::message(&format!(
            "kept the snapshot already at {}: {why}; this run's snapshot was written to {} \
             (pass --force to replace it)",
            args.out.display(),
            written.path.display()
        ));
    } else if !args.quiet && written.path.as_os_str() != "-" {
        output::message(&format!("snapshot written to {}", written.path.display()));
    }
    Ok(if snapshot.is_partial() || written.kept.is_some() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// Usage errors found before any work (exit 2): an empty `--database-url`, a `--source`
/// that is not a directory.
fn check_arguments(args: &CollectArgs) -> anyhow::Result<()> {
    if args
        .database_url
        .as_deref()
        .is_some_and(|u| u.trim().is_empty())
    {
        anyhow::bail!(
            "--database-url is empty: give the database URL, or leave the flag out to use \
             DATABASE_URL"
        );
    }
    if let Some(source) = &args.source
        && !source.is_dir()
    {
        let why = if source.exists() {
            "is not a directory"
        } else {
            "does not exist"
        };
        anyhow::bail!(
            "--source {} {why}: give the service's repository directory",
            source.display()
        );
    }
    Ok(())
}

/// Gathers a snapshot. Never fails as a whole: failures are recorded per section.
pub async fn collect(args: &CollectArgs, progress: &Progress) -> Snapshot {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let url = dotenv::resolve_database_url(args.database_url.as_deref(), &cwd).map(|(u, _)| u);
    let target = Target {
        label: args.label.clone(),
        database_url: url.as_deref().map(redact::redact_url),
        backend: url.as_deref().and_then(db::backend_of),
        source_dir: args.source.as_ref().map(|p| p.display().to_string()),
    };
    // Every round trip to the database and the health endpoint ends by this instant.
    let deadline = Instant::now() + args.deadline();
    let collected_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut snap = Snapshot::new(env!("CARGO_PKG_VERSION"), collected_at, target);

    progress.step("reading local migrations");
    snap.local_migrations = migrations::collect_local(args);

    progress.step("reading the service's source");
    let code = source::collect(args, &snap, url.as_deref()).await;
    snap.code = code.code;
    snap.expected_schema = code.expected_schema;
    let after = code.after;

    match url.as_deref() {
        None => {
            let reason = "no database URL: pass --database-url or set DATABASE_URL";
            snap.database = Section::skipped(reason);
            snap.schema = Section::skipped(reason);
            snap.applied_migrations = Section::skipped(reason);
            snap.query_checks = Section::skipped(reason);
            snap.provider = provider::collect(None, None).await;
            snap.migration_plan = Section::skipped(reason);
        }
        Some(url) => {
            progress.step("connecting to the database (read-only)");
            let opts = SessionOptions {
                connect_timeout: args.connect_timeout(),
                statement_timeout: args.statement_timeout(),
                lock_timeout: args.lock_timeout(),
                deadline: Some(deadline),
            };
            let opened = if Instant::now() >= deadline {
                Err(format!(
                    "not read: the --deadline of {:.0}s was reached before connecting",
                    args.deadline().as_secs_f64()
                ))
            } else {
                Session::open(url, &opts).await.map_err(|e| e.to_string())
            };
            match opened {
                Err(e) => {
                    let during = "connecting to the database";
                    snap.database = Section::failed(during, e.clone());
                    snap.schema = Section::failed(during, e.clone());
                    snap.applied_migrations = Section::failed(during, e.clone());
                    snap.query_checks = Section::failed(during, e.clone());
                    snap.migration_plan = Section::failed(during, e);
                    snap.provider = provider::collect(Some(url), None).await;
                }
                Ok(mut session) => {
                    progress.step("reading server identity");
                    snap.database = inspect::database_info(&mut session).await;
                    progress.step("reading the live schema");
                    snap.schema = inspect::schema(&mut session).await;
                    progress.step("reading applied migrations");
                    snap.applied_migrations = migrations::collect_applied(&mut session, args).await;
                    progress.step("reading provider and connection facts");
                    snap.provider = provider::collect(Some(url), Some(&mut session)).await;
                    progress.step("reading what the pending migrations would lock");
                    snap.migration_plan =
                        hazards::collect(&mut session, &snap, after, &hazards::options(args)).await;
                    progress.step("describing the SQL found in the code");
                    snap.query_checks =
                        querycheck::section(&mut session, &snap, args, progress).await;
                    let mut report = session.report.clone();
                    report.canonicalize();
                    snap.session = Some(report);
                    session.close().await;
                }
            }
        }
    }

    progress.step("classifying logs");
    snap.logs = logs::collect(args);
    progress.step("querying the health endpoint");
    let left = deadline.saturating_duration_since(Instant::now());
    snap.health = if args.health.is_some() && left.is_zero() {
        Section::failed(
            "querying the health endpoint",
            format!(
                "not queried: the --deadline of {:.0}s was reached",
                args.deadline().as_secs_f64()
            ),
        )
    } else {
        tokio::time::timeout(left, health::collect(args))
            .await
            .unwrap_or_else(|_| {
                Section::failed(
                    "querying the health endpoint",
                    format!(
                        "no answer before the --deadline of {:.0}s",
                        args.deadline().as_secs_f64()
                    ),
                )
            })
    };
    // Every field from outside, redacted once more with the secrets gaps was given verbatim.
    let known: Vec<String> = [
        url.as_deref(),
        args.scratch_database_url.as_deref(),
        args.health.as_deref(),
    ]
    .into_iter()
    .flatten()
    .flat_map(redact::secrets_in_url)
    .collect();
    snap.redact(&known);
    snap
}

fn report_outcome(snapshot: &Snapshot) {
    // The database errors first and in full: "could not connect" is the one a person must read.
    if let Some(e) = snapshot.database.error() {
        output::message(&format!("{}: {}", e.during, e.message));
    }
    if let Some(schema) = snapshot.schema.data() {
        for e in &schema.incomplete {
            output::message(&format!(
                "the live schema is partial: {}: {}",
                e.during, e.message
            ));
        }
    }
    if let Some(session) = &snapshot.session {
        for l in &session.locked {
            let pids: Vec<String> = l.blockers.iter().map(|b| b.pid.to_string()).collect();
            let not_read = if l.not_read.is_empty() {
                String::new()
            } else {
                format!("; not read: {}", l.not_read.join("; "))
            };
            output::message(&format!(
                "{} is locked by another session (pid {}){not_read}",
                l.relation,
                pids.join(", ")
            ));
        }
        if let Some(end) = &session.ended_early {
            output::message(&format!(
                "the database session ended early while {}: {}",
                end.during, end.message
            ));
        }
    }
    if let Some(why) = snapshot
        .query_checks
        .data()
        .and_then(|q| q.stopped.as_ref())
    {
        output::message(&format!("describing stopped early: {why}"));
    }
    for (name, status) in snapshot.section_statuses() {
        if status == gaps_core::snapshot::SectionStatus::Failed {
            output::message(&format!(
                "section {name} could not be collected (recorded in the snapshot)"
            ));
        }
    }
    for input in gaps_core::unread::unread_inputs(snapshot) {
        output::message(&format!(
            "could not read {input} (recorded in the snapshot)"
        ));
    }
}
