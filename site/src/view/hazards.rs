//! "Before you run the pending migrations": per migration sqlx would run next, a timeline of
//! its statements (in the order they run) with the lock each takes and how long it is held,
//! the table's size now, what the statement does to the data and the verdict; the sessions in
//! the way; and how the code was checked against the schema afterwards.

use gaps_core::code::expected::ExpectationMode;
use gaps_core::finding::{Finding, FindingKind, Severity};
use gaps_core::hazards::{LockMode, MigrationPlan, PlanStatus, PlannedMigration};
use gaps_core::snapshot::Snapshot;
use serde::Serialize;

use crate::status::{self, SectionRef};

/// The plan part of the migrations section.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// The `migration_plan` section's status.
    pub section: SectionRef,
    /// One sentence over the whole plan.
    pub lead: Option<String>,
    /// What judged the statements.
    pub linter: Option<String>,
    /// How the code was checked against the schema after the migrations.
    pub after: Option<String>,
    /// One timeline per migration, in the order sqlx runs them.
    pub migrations: Vec<PlanMigrationView>,
    /// Reads that failed.
    pub problems: Vec<String>,
}

/// One migration's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct PlanMigrationView {
    /// "0014".
    pub version: String,
    /// File.
    pub file: String,
    /// "pending" or "failed (re-run)".
    pub status: String,
    /// "one transaction (sqlx BEGIN ... COMMIT)", "-- no-transaction"...
    pub transaction: String,
    /// The lock_timeout the file sets, if any.
    pub lock_timeout: Option<String>,
    /// The statements, in order.
    pub rows: Vec<PlanRow>,
    /// Parts the parser could not read.
    pub not_analysed: Vec<String>,
    /// "error", "warning" or "ok": the worst verdict of its rows.
    pub verdict: String,
    /// What each lock its statements take blocks, once per lock (`("SHARE", "writes (...)")`),
    /// strongest first: the rows with no hazard name their lock only, this explains it.
    pub locks: Vec<(String, String)>,
    /// True when some rows have no hazard (and are shown in short).
    pub has_ok: bool,
}

/// One statement on the timeline.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    /// Line in the file.
    pub line: u32,
    /// The statement (cut; a statement with no hazard to its first 80
    /// characters: its line locates it in the file).
    pub sql: String,
    /// What it does.
    pub operation: String,
    /// The table(s) it locks, with their size now ("public.events: 2.1 M rows, 1.3 GB").
    pub tables: Vec<String>,
    /// The strongest lock ("ACCESS EXCLUSIVE"), or "none".
    pub lock: String,
    /// CSS-safe lock class, e.g. "access_exclusive".
    pub lock_class: String,
    /// What the lock blocks while held.
    pub blocks: Option<String>,
    /// How long the lock is held: "until COMMIT" or "this statement".
    pub held: String,
    /// "rewrites the table"...
    pub effect: String,
    /// "ok", "warning" or "error".
    pub verdict: String,
    /// A symbol for the verdict that does not rely on colour.
    pub icon: String,
    /// The verdict in words.
    pub verdict_text: Vec<String>,
}

/// How much of a statement with no hazard the timeline shows. A fleet's first deploy can
/// plan thousands of plain `CREATE TABLE`s; shown whole, they were most of the page.
pub const OK_SQL_CHARS: usize = 80;

/// `sql` cut to `max` characters, with `…` when it was longer.
fn cut(sql: &str, max: usize) -> String {
    match sql.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &sql[..i]),
        None => sql.to_string(),
    }
}

/// "1 statement", "2 statements".
fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn lock_class(m: LockMode) -> String {
    m.label().to_lowercase().replace(' ', "_")
}

/// The plan view of a snapshot, when a plan was attempted.
pub(crate) fn plan_view(s: &Snapshot, findings: &[Finding]) -> PlanView {
    let section = status::section_ref(s, "migration_plan");
    let Some(plan) = s.migration_plan.data() else {
        return PlanView {
            section,
            lead: None,
            linter: None,
            after: None,
            migrations: Vec::new(),
            problems: Vec::new(),
        };
    };
    let migrations: Vec<PlanMigrationView> = plan
        .migrations
        .iter()
        .map(|m| migration_view(plan, m, findings))
        .collect();
    PlanView {
        section,
        lead: Some(lead(plan, findings)),
        linter: Some(plan.linter.clone()),
        after: (!plan.migrations.is_empty()).then(|| after_text(plan)),
        migrations,
        problems: plan.problems.clone(),
    }
}

fn lead(plan: &MigrationPlan, findings: &[Finding]) -> String {
    if plan.migrations.is_empty() {
        return "No migration is pending: there is nothing to run.".into();
    }
    let count = |kind: FindingKind, pred: &dyn Fn(&Finding) -> bool| {
        findings
            .iter()
            .filter(|f| f.kind == kind && pred(f))
            .count()
    };
    let fails = count(FindingKind::MigrationHazard, &|f| {
        f.details.get("fails") == Some(&serde_json::Value::Bool(true))
    });
    let hazards = count(FindingKind::MigrationHazard, &|f| {
        f.details.get("fails") != Some(&serde_json::Value::Bool(true))
    });
    let mut pids: Vec<i64> = findings
        .iter()
        .filter(|f| f.kind == FindingKind::MigrationBlocked)
        .filter_map(|f| f.details.get("pid").and_then(serde_json::Value::as_i64))
        .collect();
    pids.sort_unstable();
    pids.dedup();
    let breaks = count(FindingKind::QueryBreaksAfterMigration, &|f| {
        f.severity == Severity::Error
    });
    let mut parts = vec![format!(
        "{} to run",
        plural(plan.migrations.len(), "migration", "migrations")
    )];
    if fails > 0 {
        parts.push(plural(
            fails,
            "statement fails as written",
            "statements fail as written",
        ));
    }
    if hazards > 0 {
        parts.push(plural(
            hazards,
            "statement holds a lock while it scans or rewrites a table",
            "statements hold a lock while they scan or rewrite a table",
        ));
    }
    if !pids.is_empty() {
        parts.push(format!(
            "{} in the way now (pid {})",
            plural(pids.len(), "session is", "sessions are"),
            pids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if breaks > 0 {
        parts.push(plural(
            breaks,
            "statement of the deployed code breaks afterwards",
            "statements of the deployed code break afterwards",
        ));
    }
    if parts.len() == 1 {
        parts.push("no hazard found".into());
    }
    format!("{}.", parts.join("; "))
}

fn after_text(plan: &MigrationPlan) -> String {
    match plan.after.mode {
        ExpectationMode::Scratch => format!(
            "The code's statements were described on a scratch database with every migration \
             applied ({} statement sites).",
            plan.after.statements.len()
        ),
        ExpectationMode::Replay => format!(
            "The code's statements were compared with what the migrations drop and rename (the \
             replay){}.",
            match &plan.after.scratch_error {
                Some(e) => format!("; scratch mode was not used: {e}"),
                None => "; pass --scratch-database-url to describe them on the schema as it \
                         will be"
                    .into(),
            }
        ),
    }
}

fn migration_view(
    plan: &MigrationPlan,
    m: &PlannedMigration,
    findings: &[Finding],
) -> PlanMigrationView {
    let one_transaction = !m.no_transaction || m.statements.len() > 1;
    let transaction = match (m.no_transaction, one_transaction) {
        (false, _) => "one transaction (sqlx wraps the file in BEGIN ... COMMIT)",
        (true, true) => "-- no-transaction, but its statements run as one implicit transaction",
        (true, false) => "-- no-transaction: the statement runs on its own",
    };
    let rows: Vec<PlanRow> = m
        .statements
        .iter()
        .map(|st| {
            let mine: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.migration == Some(m.version) && f.line == Some(st.line))
                .filter(|f| {
                    matches!(
                        f.kind,
                        FindingKind::MigrationHazard | FindingKind::MigrationBlocked
                    )
                })
                .collect();
            let worst = mine.iter().map(|f| f.severity).max();
            let (verdict, icon) = match worst {
                Some(Severity::Error) => ("error", "✖"),
                Some(Severity::Warning) => ("warning", "▲"),
                _ => ("ok", "✔"),
            };
            let strongest = st.locks.iter().max_by_key(|l| l.mode);
            PlanRow {
                line: st.line,
                sql: if mine.is_empty() {
                    cut(&st.sql, OK_SQL_CHARS)
                } else {
                    st.sql.clone()
                },
                operation: st.operation.clone(),
                tables: st
                    .locks
                    .iter()
                    .map(|l| {
                        let name = if l.table.schema.is_empty() {
                            l.table.name.clone()
                        } else {
                            format!("{}.{}", l.table.schema, l.table.name)
                        };
                        match plan.size_of(&l.table) {
                            Some(z) => format!("{name}: {}", z.describe()),
                            None => format!("{name}: new (created by these migrations)"),
                        }
                    })
                    .collect(),
                lock: strongest.map_or("none".into(), |l| l.mode.label().to_string()),
                lock_class: strongest.map_or("none".into(), |l| lock_class(l.mode)),
                blocks: strongest.map(|l| l.mode.blocks().to_string()),
                held: if strongest.is_none() {
                    "—".into()
                } else if one_transaction {
                    "until COMMIT".into()
                } else {
                    "this statement".into()
                },
                effect: st.effect.label().to_string(),
                verdict: verdict.into(),
                icon: icon.into(),
                verdict_text: if mine.is_empty() {
                    vec!["no hazard found".into()]
                } else {
                    mine.iter().map(|f| f.message.clone()).collect()
                },
            }
        })
        .collect();
    let verdict = if rows.iter().any(|r| r.verdict == "error") {
        "error"
    } else if rows.iter().any(|r| r.verdict == "warning") {
        "warning"
    } else {
        "ok"
    };
    let mut modes: Vec<LockMode> = m
        .statements
        .iter()
        .filter_map(|st| st.locks.iter().map(|l| l.mode).max())
        .collect();
    modes.sort_unstable_by(|a, b| b.cmp(a));
    modes.dedup();
    PlanMigrationView {
        has_ok: rows.iter().any(|r| r.verdict == "ok"),
        locks: modes
            .into_iter()
            .map(|m| (m.label().to_string(), m.blocks().to_string()))
            .collect(),
        version: status::version_label(m.version),
        file: m.file.clone(),
        status: match m.status {
            PlanStatus::Pending => "pending".into(),
            PlanStatus::Failed => "failed (the fix re-runs it)".into(),
        },
        transaction: transaction.into(),
        lock_timeout: m.lock_timeout.clone(),
        rows,
        not_analysed: m.not_analysed.clone(),
        verdict: verdict.into(),
    }
}
