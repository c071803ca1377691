//! Collection: gathers every section of evidence a [`Plan`] names into one snapshot. Each
//! section is independent: one that fails is recorded as failed and the others still run.
//! What one section needs of another is handed over explicitly (the local migrations to the
//! source's replay, the scanned code to the describe), never as a half-built snapshot.

mod plan;

use gaps_core::redact;
use gaps_core::section::Section;
use gaps_core::snapshot::{Snapshot, Target};

use crate::db::{Session, SessionOptions};
use crate::deadline::Deadline;
use crate::progress::Progress;
use crate::{hazards, health, inspect, logs, migrations, privileges, provider, querycheck, source};

pub use plan::{
    DEFAULT_HEALTH_TIMEOUT, Database, Health, Limits, Migrations, Plan, Request, UsageError,
};

/// Gathers a snapshot, redacted. Never fails as a whole: failures are recorded per section.
pub async fn collect(plan: &Plan, progress: &Progress) -> Snapshot {
    gather(plan, progress).await.redact()
}

/// A snapshot gathered but not yet given its last redaction (every field from outside, with
/// the secrets gaps was given verbatim): it can only be redacted, or written redacted in one
/// pass ([`Gathered::write_if_clean`]), never read as it is.
pub struct Gathered {
    snapshot: Snapshot,
    known: Vec<String>,
    /// Set by a complete [`Gathered::write_if_clean`] that found nothing to redact.
    clean: bool,
}

impl Gathered {
    /// `snapshot`, to be redacted with `known` secrets (besides every field from outside).
    pub fn new(snapshot: Snapshot, known: Vec<String>) -> Gathered {
        Gathered {
            snapshot,
            known,
            clean: false,
        }
    }

    /// The snapshot, redacted ([`Snapshot::redact`] with the known secrets; no pass at all
    /// when a one-pass write already found nothing to redact).
    pub fn redact(self) -> Snapshot {
        let Gathered {
            mut snapshot,
            known,
            clean,
        } = self;
        if !clean {
            snapshot.redact(&known);
        }
        snapshot
    }

    /// Writes the snapshot's text redacted on the way, with no separate pass over it first:
    /// `true` when no field needed redaction, and then the text written is exactly that of
    /// [`redact`](Gathered::redact)'s snapshot. `false` when one did: the text written holds
    /// no secret but is not canonical; the caller discards it and writes the redacted
    /// snapshot instead ([`Snapshot::write_json_if_clean`]).
    pub fn write_if_clean(&mut self, writer: &mut dyn std::io::Write) -> std::io::Result<bool> {
        self.clean = false;
        self.clean = self.snapshot.write_json_if_clean(writer, &self.known)?;
        Ok(self.clean)
    }
}

/// [`collect`] without its last redaction, which the caller makes ([`Gathered`]).
pub async fn gather(plan: &Plan, progress: &Progress) -> Gathered {
    let url = plan.database_url();
    let limits = &plan.limits;
    let target = Target {
        label: plan.label.clone(),
        database_url: url.map(redact::redact_url),
        backend: plan.database.as_ref().map(|d| d.backend),
        source_dir: plan.source.as_ref().map(|p| p.display().to_string()),
    };
    // Every round trip to the database, the health endpoint and the reading of logs end by it.
    let deadline = Deadline::starting_now(limits.deadline);
    let collected_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut snap = Snapshot::new(env!("CARGO_PKG_VERSION"), collected_at, target);

    progress.step("reading local migrations");
    snap.local_migrations = migrations::collect_local(plan.migrations.folder.as_ref());

    progress.step("reading the service's source");
    let inputs = source::Inputs {
        root: plan.source.as_deref(),
        config: plan.config.as_ref(),
        gaps: plan.gaps.as_deref(),
        scratch_url: plan.scratch_database_url.as_deref(),
        connect_timeout: limits.connect,
        backend: plan.backend(),
        target_url: url,
        describe_after: plan.describe.then_some(hazards::after::DescribeLimits {
            statement: limits.statement,
            lock: limits.lock,
        }),
    };
    let code = source::collect(&inputs, &snap.local_migrations).await;
    snap.code = code.code;
    snap.expected_schema = code.expected_schema;
    let after = code.after;

    match url {
        None => {
            let reason = "no database URL: pass --database-url or set DATABASE_URL";
            snap.database = Section::skipped(reason);
            snap.schema = Section::skipped(reason);
            snap.applied_migrations = Section::skipped(reason);
            snap.query_checks = Section::skipped(reason);
            snap.service = Section::skipped(reason);
            snap.migration_plan = Section::skipped(reason);
            snap.provider = provider::collect(None, None).await;
        }
        Some(url) => {
            progress.step("connecting to the database (read-only)");
            let opts = SessionOptions {
                connect_timeout: limits.connect,
                statement_timeout: limits.statement,
                lock_timeout: limits.lock,
                deadline: Some(deadline.at()),
            };
            let opened = if deadline.reached() {
                Err(format!(
                    "not read: {} was reached before connecting",
                    deadline.name()
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
                    snap.service = Section::failed(during, e.clone());
                    snap.migration_plan = Section::failed(during, e.clone());
                    snap.query_checks = Section::failed(during, e);
                    snap.provider = provider::collect(Some(url), None).await;
                }
                Ok(mut session) => {
                    progress.step("reading server identity");
                    snap.database = inspect::database_info(&mut session).await;
                    progress.step("reading the live schema");
                    snap.schema = inspect::schema(&mut session).await;
                    progress.step("reading applied migrations");
                    snap.applied_migrations =
                        migrations::collect_applied(&mut session, &plan.migrations.table).await;
                    progress.step("reading provider and connection facts");
                    snap.provider = provider::collect(Some(url), Some(&mut session)).await;
                    progress.step("reading the service role's privileges and settings");
                    let service = privileges::ServiceInputs {
                        role: plan.service_role.as_deref(),
                        url,
                        source_dir: plan.source.as_deref(),
                        code: snap.code.data(),
                    };
                    snap.service = privileges::collect(&mut session, &service).await;
                    progress.step("reading what the pending migrations would lock");
                    snap.migration_plan = hazards::collect(
                        &mut session,
                        &snap,
                        after,
                        &hazards::Options {
                            large_table: plan.large_table,
                        },
                    )
                    .await;
                    progress.step("describing the SQL found in the code");
                    snap.query_checks = if plan.describe {
                        querycheck::section(
                            &mut session,
                            plan.source.as_deref(),
                            &snap.code,
                            limits.statement,
                            limits.lock,
                            progress,
                        )
                        .await
                    } else {
                        Section::skipped("--no-describe given")
                    };
                    let mut report = session.report.clone();
                    report.canonicalize();
                    snap.session = Some(report);
                    session.close().await;
                }
            }
        }
    }

    progress.step("classifying logs");
    snap.logs = logs::collect(&plan.logs, plan.log_format, plan.log_jobs, Some(deadline));
    progress.step("querying the health endpoint");
    let left = deadline.left();
    let health = plan.health.as_ref();
    snap.health = match health {
        None => Section::skipped("no --health given"),
        Some(_) if left.is_zero() => Section::failed(
            "querying the health endpoint",
            format!("not queried: {} was reached", deadline.name()),
        ),
        Some(h) => tokio::time::timeout(left, health::collect(&h.url, h.timeout))
            .await
            .unwrap_or_else(|_| {
                Section::failed(
                    "querying the health endpoint",
                    format!("no answer before {}", deadline.name()),
                )
            }),
    };
    // Every field from outside, redacted once more with the secrets gaps was given verbatim.
    let known: Vec<String> = [
        url,
        plan.scratch_database_url.as_deref(),
        health.map(|h| h.url.as_str()),
    ]
    .into_iter()
    .flatten()
    .flat_map(redact::secrets_in_url)
    .collect();
    Gathered::new(snap, known)
}
