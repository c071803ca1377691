//! gaps' own rules that need no live fact, beside squawk's: a statement that cannot run in a
//! transaction block in a migration sqlx runs in one (or in a `-- no-transaction` file with
//! other statements, which Postgres runs as one implicit transaction), and a table rewrite
//! squawk has no rule for (serial or identity columns added, SET LOGGED/UNLOGGED, SET
//! TABLESPACE, VACUUM FULL, CLUSTER).

use gaps_core::hazards::{Effect, Hazard};

use super::postgres::Analysed;

/// Adds the rules' hazards to `a`.
pub fn attach(a: &mut Analysed) {
    let no_transaction = a.migration.no_transaction;
    let several = a.migration.statements.len() > 1;
    for (st, f) in a.migration.statements.iter_mut().zip(&a.facts) {
        if let Some(what) = &f.no_transaction_block {
            // squawk's rule already says it for CREATE INDEX CONCURRENTLY in a transaction.
            let squawk_said = st.hazards.iter().any(|h| h.fails);
            let why = if !no_transaction {
                (!squawk_said).then(|| {
                    format!(
                        "fails as written: {what} cannot run inside a transaction block, and \
                         sqlx runs this migration in one"
                    )
                })
            } else if several {
                Some(format!(
                    "fails as written: {what} cannot run inside a transaction block, and the \
                     other statements of this `-- no-transaction` file make one: sqlx sends the \
                     file as one query, which Postgres runs as a single implicit transaction"
                ))
            } else {
                None
            };
            if let Some(message) = why {
                st.hazards.push(Hazard {
                    rule: "gaps:cannot-run-in-transaction".into(),
                    fails: true,
                    sqlstate: Some("25001".into()),
                    message,
                    safe: format!(
                        "put the {what} alone in its own migration whose first line is \
                         `-- no-transaction`"
                    ),
                    table: st.locks.first().map(|l| l.table.clone()),
                });
            }
        }
        if st.effect == Effect::Rewrite && st.hazards.iter().all(|h| h.fails) {
            st.hazards.push(Hazard {
                rule: "gaps:table-rewrite".into(),
                fails: false,
                sqlstate: None,
                message: format!(
                    "{} rewrites the whole table under ACCESS EXCLUSIVE",
                    st.operation
                ),
                safe: "add the column (or make the change) without rewriting: a nullable \
                       column without default, filled in batches; for SET LOGGED, TABLESPACE, \
                       VACUUM FULL or CLUSTER use pg_repack, or run it in a maintenance window"
                    .into(),
                table: st.locks.first().map(|l| l.table.clone()),
            });
        }
    }
}
