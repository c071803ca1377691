//! Collecting a fleet: every target concurrently, at most `jobs` at a time, each into its own
//! snapshot. A target that cannot be collected (its URL variable unset, its server
//! unreachable, a permission refused, a bad path) still gets a snapshot that says so, and
//! never stops the others.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use gaps_core::section::Section;
use gaps_core::snapshot::{Snapshot, Target as SnapshotTarget};

use super::Target;
use crate::collect::{Request, collect};
use crate::progress::Progress;

/// How one target's collection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The target's name.
    pub name: String,
    /// Where its snapshot was written.
    pub path: PathBuf,
    /// What was not collected, in words (empty when the snapshot is complete).
    pub problems: Vec<String>,
    /// The snapshot already at the path was kept (this run's was worse) — see `--force`.
    pub kept: Option<String>,
}

impl Outcome {
    /// True when the snapshot is partial or was not written where asked.
    pub fn is_partial(&self) -> bool {
        !self.problems.is_empty() || self.kept.is_some()
    }
}

/// The four sections that need the database, failed with one reason.
fn fail_database(s: &mut Snapshot, during: &str, why: &str) {
    s.database = Section::failed(during, why);
    s.schema = Section::failed(during, why);
    s.applied_migrations = Section::failed(during, why);
    s.query_checks = Section::failed(during, why);
}

/// A snapshot for a target whose collection could not even be planned: every section failed.
fn unplanned(name: &str, why: &str) -> Snapshot {
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut s = Snapshot::new(
        env!("CARGO_PKG_VERSION"),
        at,
        SnapshotTarget {
            label: Some(name.to_string()),
            database_url: None,
            backend: None,
            source_dir: None,
        },
    );
    let during = "planning the collection";
    fail_database(&mut s, during, why);
    s.local_migrations = Section::failed(during, why);
    s.code = Section::failed(during, why);
    s.expected_schema = Section::failed(during, why);
    s.logs = Section::failed(during, why);
    s.health = Section::failed(during, why);
    s.provider = Section::failed(during, why);
    s
}

/// What is missing from `s`, one line per problem.
fn problems(s: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    for (name, section) in [
        ("database", s.database.error()),
        ("schema", s.schema.error()),
        ("applied migrations", s.applied_migrations.error()),
        ("local migrations", s.local_migrations.error()),
        ("code", s.code.error()),
        ("query checks", s.query_checks.error()),
        ("logs", s.logs.error()),
        ("health", s.health.error()),
        ("provider", s.provider.error()),
    ] {
        if let Some(e) = section {
            out.push(format!("{name}: {}: {}", e.during, e.message));
        }
    }
    if s.is_partial() && out.is_empty() {
        out.push("some evidence was read only in part (see the snapshot)".into());
    }
    // Sections failing for one reason (the connection) are said once.
    out.dedup_by(|a, b| a.split_once(": ").map(|x| x.1) == b.split_once(": ").map(|x| x.1));
    out
}

/// Collects one target with `base` (the shared flags) into `out`.
async fn one(target: Target, base: Request, out: PathBuf) -> anyhow::Result<Outcome> {
    let url = target.database_url_env.as_deref().map(|var| {
        (
            var,
            std::env::var(var).ok().filter(|v| !v.trim().is_empty()),
        )
    });
    let request = Request {
        database_url: url.as_ref().and_then(|(_, v)| v.clone()),
        source: target.source.clone(),
        migrations: target.migrations.clone(),
        logs: target.logs.clone(),
        health: target.health.clone(),
        service_role: target.service_role.clone(),
        label: Some(target.name.clone()),
        out: out.clone(),
        quiet: true,
        verbose: false,
        // The service's own gaps.toml (models, exclusions) is found in its source tree.
        config: None,
        ..base
    };
    let snapshot = match request.plan() {
        Err(e) => unplanned(&target.name, &e.to_string()),
        Ok(mut plan) => {
            let missing = match url {
                None => Some("the target has no database_url_env".to_string()),
                Some((var, None)) => Some(format!("the environment variable {var} is not set")),
                Some((_, Some(_))) => None,
            };
            if missing.is_some() {
                // Never fall back to DATABASE_URL or .env: that is another target's database.
                plan.database = None;
            }
            let mut s = collect(&plan, &Progress::new(true, false)).await;
            if let Some(why) = missing {
                fail_database(&mut s, "reading the database URL", &why);
            }
            s
        }
    };
    let prepared = crate::preserve::prepare(&out, base.force)?;
    let written = prepared.write(&snapshot)?;
    Ok(Outcome {
        name: target.name,
        path: written.path,
        problems: problems(&snapshot),
        kept: written.kept,
    })
}

/// Collects every target into `out_dir/<name>.json`, at most `jobs` at a time, with the
/// shared settings of `base` (limits, describe, force). Outcomes come back in the order of
/// `targets`. Fails only when `out_dir` cannot be created or a snapshot cannot be written.
///
/// Each of the `jobs` workers is a thread with its own single-threaded runtime taking the next
/// target from a shared queue: collection mostly waits on servers, and the source scan of one
/// target runs beside another's waits.
pub fn collect_all(
    targets: Vec<Target>,
    base: &Request,
    out_dir: &Path,
    jobs: usize,
) -> anyhow::Result<Vec<Outcome>> {
    use anyhow::Context;
    std::fs::create_dir_all(out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    let count = targets.len();
    let queue = Mutex::new(targets.into_iter().enumerate().collect::<VecDeque<_>>());
    let results: Mutex<Vec<Option<anyhow::Result<Outcome>>>> =
        Mutex::new((0..count).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, count.max(1)) {
            scope.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                loop {
                    let next = queue.lock().expect("the queue lock").pop_front();
                    let Some((i, t)) = next else { break };
                    let out = out_dir.join(format!("{}.json", t.name));
                    let outcome = match &runtime {
                        Ok(rt) => rt.block_on(one(t, base.clone(), out)),
                        Err(e) => Err(anyhow::anyhow!("starting the async runtime: {e}")),
                    };
                    results.lock().expect("the results lock")[i] = Some(outcome);
                }
            });
        }
    });
    results
        .into_inner()
        .expect("the results lock")
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("a collection worker stopped early"))))
        .collect()
}
