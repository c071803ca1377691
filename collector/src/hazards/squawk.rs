//! squawk's rule set, run on each pending migration: the rules about how long a statement
//! holds its lock (index builds, validation scans, rewrites) and the ones that fail as written
//! (CREATE INDEX CONCURRENTLY in a transaction, a NOT NULL column without a default). squawk
//! judges the SQL text alone; gaps runs it with the live server's version and with sqlx's
//! transaction rule (`-- no-transaction`), attaches each verdict to its statement with gaps'
//! wording and the safe alternative, and then lets the live facts overrule it (`refine`).
//!
//! The style rules (prefer-text-field, prefer-robust-stmts, ...) and the expand/contract rules
//! (renaming-column, ban-drop-column...) are left out: the first say nothing about an outage,
//! and gaps checks the second against the code that is deployed (`query_breaks_after_migration`)
//! instead of flagging every rename.

use gaps_core::hazards::{Effect, Hazard};
use squawk_linter::{Linter, Rule};
use squawk_syntax::SourceFile;

use super::postgres::Analysed;

/// The linter, as the plan names it.
pub const LINTER: &str = "squawk-linter 2.68.0";

/// The squawk rules gaps applies.
const RULES: [Rule; 10] = [
    Rule::RequireConcurrentIndexCreation,
    Rule::ConstraintMissingNotValid,
    Rule::AddingForeignKeyConstraint,
    Rule::AddingFieldWithDefault,
    Rule::ChangingColumnType,
    Rule::AddingNotNullableField,
    Rule::AddingSerialPrimaryKeyField,
    Rule::DisallowedUniqueConstraint,
    Rule::AddingRequiredField,
    Rule::BanConcurrentIndexCreationInTransaction,
];

/// Runs squawk on `sql` (the file of `a`) and attaches its verdicts to the statements whose
/// span holds them. `pg_version` is the live server's `major.minor` (squawk assumes 15
/// without it). A parser panic is caught: the file is then marked as not analysed by squawk.
pub fn attach(a: &mut Analysed, sql: &str, pg_version: Option<&str>, spans: &[(usize, usize)]) {
    let no_transaction = a.migration.no_transaction;
    let version = pg_version.and_then(|v| v.parse().ok());
    let lint = std::panic::catch_unwind(|| {
        let parse = SourceFile::parse(sql);
        let mut linter = Linter::from(RULES);
        if let Some(v) = version {
            linter.settings.pg_version = v;
        }
        // sqlx runs a file in a transaction unless its first line is `-- no-transaction`.
        linter.settings.assume_in_transaction = !no_transaction;
        linter
            .lint(&parse, sql)
            .into_iter()
            .map(|v| (u32::from(v.text_range.start()) as usize, v.code))
            .collect::<Vec<_>>()
    });
    let Ok(violations) = lint else {
        a.migration
            .not_analysed
            .push("squawk could not read this file (its parser stopped)".into());
        return;
    };
    for (at, rule) in violations {
        let Some(i) = spans.iter().position(|(s, e)| (*s..*e).contains(&at)) else {
            continue;
        };
        let st = &mut a.migration.statements[i];
        // An unvalidated foreign key is reported by two rules; one hazard says it.
        if rule == Rule::ConstraintMissingNotValid
            && st.operation.contains("ADD FOREIGN KEY")
            && !st.operation.contains("ADD CHECK")
        {
            continue;
        }
        let table = st.locks.first().map(|l| l.table.clone());
        let (message, safe, fails, sqlstate) = wording(rule);
        if rule == Rule::AddingFieldWithDefault {
            st.effect = Effect::Rewrite;
        }
        if st.hazards.iter().any(|h| h.rule == rule.to_string()) {
            continue;
        }
        st.hazards.push(Hazard {
            rule: rule.to_string(),
            fails,
            sqlstate: sqlstate.map(str::to_string),
            message: message.to_string(),
            safe: safe.to_string(),
            table,
        });
    }
}

/// gaps' wording of a squawk rule: (what happens, the safe way, fails as written, SQLSTATE).
fn wording(rule: Rule) -> (&'static str, &'static str, bool, Option<&'static str>) {
    match rule {
        Rule::RequireConcurrentIndexCreation => (
            "builds an index without CONCURRENTLY: it reads the whole table under a SHARE lock",
            "build it with CREATE INDEX CONCURRENTLY, alone in a migration whose first line is \
             `-- no-transaction`",
            false,
            None,
        ),
        Rule::ConstraintMissingNotValid => (
            "adds a constraint without NOT VALID: it checks every row while holding its lock",
            "add it with NOT VALID (instant), then ALTER TABLE ... VALIDATE CONSTRAINT in a later \
             migration (SHARE UPDATE EXCLUSIVE: reads and writes go on during the scan)",
            false,
            None,
        ),
        Rule::AddingForeignKeyConstraint => (
            "adds a foreign key without NOT VALID: it checks every row while holding SHARE ROW \
             EXCLUSIVE on both tables",
            "add it with NOT VALID (instant), then ALTER TABLE ... VALIDATE CONSTRAINT in a later \
             migration (SHARE UPDATE EXCLUSIVE: reads and writes go on during the scan)",
            false,
            None,
        ),
        Rule::AddingFieldWithDefault => (
            "adds a column whose default is volatile (or a stored generated column): every row \
             is rewritten under ACCESS EXCLUSIVE",
            "add the column without a default, then ALTER COLUMN ... SET DEFAULT (new rows only) \
             and backfill the existing rows in batches",
            false,
            None,
        ),
        Rule::ChangingColumnType => (
            "changes a column's type: the table is rewritten and its indexes rebuilt under \
             ACCESS EXCLUSIVE",
            "add a column of the new type, backfill it in batches, switch the code to it, then \
             drop the old column (expand, then contract)",
            false,
            None,
        ),
        Rule::AddingNotNullableField => (
            "sets NOT NULL: every row is scanned under ACCESS EXCLUSIVE",
            "first ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID and VALIDATE CONSTRAINT it \
             in a later migration; SET NOT NULL then skips the scan (Postgres 12+), and the \
             check can be dropped",
            false,
            None,
        ),
        Rule::AddingSerialPrimaryKeyField | Rule::DisallowedUniqueConstraint => (
            "adds a primary key or unique constraint without an index: the index is built under \
             ACCESS EXCLUSIVE",
            "CREATE UNIQUE INDEX CONCURRENTLY in a `-- no-transaction` migration, then ADD \
             CONSTRAINT ... PRIMARY KEY (or UNIQUE) USING INDEX",
            false,
            None,
        ),
        Rule::AddingRequiredField => (
            "adds a NOT NULL column without a default: it fails with 23502 as soon as the table \
             has a row",
            "add it with a constant DEFAULT (instant from Postgres 11), or nullable, backfill, \
             then set NOT NULL",
            false,
            None,
        ),
        Rule::BanConcurrentIndexCreationInTransaction => (
            "fails as written: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, \
             and sqlx runs this migration in one",
            "move it to its own migration whose first line is `-- no-transaction`, with no other \
             statement in that file",
            true,
            Some("25001"),
        ),
        _ => ("", "", false, None),
    }
}
