//! The code's statements against the schema as it will be once every migration ran: in scratch
//! mode each statement is described on the scratch database (the migrations applied there,
//! exactly as sqlx applies them), with the same query checker as on the target, before the
//! scratch database is dropped. Without a scratch database the rules fall back to the replay
//! (the statements' tables and columns against what the migrations drop and rename).

use std::time::Duration;

use gaps_core::code::CodeEvidence;
use gaps_core::code::expected::{ExpectationMode, ExpectedSchema};
use gaps_core::hazards::{AfterCheck, AfterStatement};
use gaps_core::querycheck::Outcome;
use gaps_core::section::Section;

use crate::querycheck::{CheckOptions, MAX_DESCRIBE_TIMEOUT, check as describe, inputs_from_code};
use crate::source::scratch::ScratchDb;

/// How long each describe on the scratch database may take and wait for a lock.
#[derive(Debug, Clone, Copy)]
pub struct DescribeLimits {
    /// The statement timeout.
    pub statement: Duration,
    /// The lock timeout.
    pub lock: Duration,
}

/// Describes the code's statements on `db` (when there is one; not when `limits` is `None`,
/// which is `--no-describe`) and drops it.
pub async fn check(
    db: Option<ScratchDb>,
    code: Option<&CodeEvidence>,
    expected: &Section<ExpectedSchema>,
    limits: Option<DescribeLimits>,
) -> AfterCheck {
    let replay = |scratch_error: Option<String>| AfterCheck {
        mode: ExpectationMode::Replay,
        statements: Vec::new(),
        scratch_error,
    };
    let Some(db) = db else {
        return replay(expected.data().and_then(|e| e.scratch_error.clone()));
    };
    let result = match (code, limits) {
        (Some(code), Some(limits)) if !code.queries.is_empty() => {
            on_scratch(&db, code, limits).await
        }
        (Some(_), None) => Err("--no-describe given".to_string()),
        _ => Ok(Vec::new()),
    };
    let dropped = db.drop().await;
    match result {
        Ok(statements) => AfterCheck {
            mode: ExpectationMode::Scratch,
            statements,
            scratch_error: dropped.err(),
        },
        Err(e) => replay(Some(e)),
    }
}

async fn on_scratch(
    db: &ScratchDb,
    code: &CodeEvidence,
    limits: DescribeLimits,
) -> Result<Vec<AfterStatement>, String> {
    let mut session = db.session().await?;
    let opts = CheckOptions {
        timeout: limits.statement.min(MAX_DESCRIBE_TIMEOUT),
        lock_timeout: limits.lock,
        ..CheckOptions::default()
    };
    let checked = describe(&mut session, &inputs_from_code(code), &opts).await;
    session.close().await;
    let checked =
        checked.map_err(|e| format!("describing the code on the scratch database: {e}"))?;
    Ok(checked
        .statements
        .into_iter()
        .filter(|s| !matches!(s.outcome, Outcome::NotCheckable { .. }))
        .map(|s| AfterStatement {
            file: s.file,
            line: s.line,
            outcome: s.outcome,
        })
        .collect())
}
