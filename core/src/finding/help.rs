//! What each finding kind means and what usually fixes it, in words for a code-scanning rule
//! page or a CI summary (`gaps check --format sarif` makes one rule per kind from these).

use super::FindingKind;

impl FindingKind {
    /// One sentence saying what the kind means (a rule's short description).
    pub fn summary(self) -> &'static str {
        self.texts().0
    }

    /// What usually fixes it, in a few sentences (a rule's help text).
    pub fn help(self) -> &'static str {
        self.texts().1
    }

    fn texts(self) -> (&'static str, &'static str) {
        use FindingKind::*;
        match self {
            MigrationsTableMissing => (
                "The database has no sqlx migrations table.",
                "sqlx records applied migrations in `_sqlx_migrations` (or the table set in sqlx.toml). Without it every migration counts as pending: check that the service points at the right database and schema, then run `sqlx migrate run`.",
            ),
            MigrationsTableNotOnSearchPath => (
                "The migrations table exists in another schema that the session's search_path hides.",
                "sqlx looks the table up through the search_path, often set per role. Set the role's search_path to include the schema (`ALTER ROLE ... SET search_path = ...`) or configure the table's schema in sqlx.toml.",
            ),
            MigrationPending => (
                "A local migration file has not been applied to the database.",
                "Run the pending migrations (`sqlx migrate run`) after fixing anything the diagnosis orders first: sqlx refuses to apply while an applied migration was edited or a row is dirty.",
            ),
            MigrationFailed => (
                "A migration row is dirty (`success = false`): the migration stopped part-way.",
                "sqlx refuses every migration while a row is dirty. Finish or undo what the migration did by hand, then repair the row (delete it to re-run, or mark it successful), as the fix plan says.",
            ),
            MigrationChecksumMismatch => (
                "An applied migration's file was edited after it was applied.",
                "sqlx validates the checksums of applied migrations before it applies anything. Restore the file as it was applied (from version control) and put the change into a new migration.",
            ),
            MigrationMissingLocally => (
                "A migration is applied in the database but no local file has its version.",
                "sqlx refuses to run when an applied migration is missing locally (unless told to ignore it). Restore the file, or check that the service is deployed from the branch that created that database.",
            ),
            MigrationIgnoredFile => (
                "A file in the migrations folder that sqlx ignores.",
                "sqlx only reads `<version>_<description>.sql` (and `.up.sql`/`.down.sql`). Rename the file if it was meant to run, or move it out of the folder.",
            ),
            MigrationNotTimed => (
                "A migration row has `execution_time = -1`: it was skipped or interrupted.",
                "Check that everything the migration creates exists; the object findings under the same cause say what is missing.",
            ),
            MigrationOutOfOrder => (
                "A pending migration has a lower version than the highest applied one.",
                "sqlx applies it anyway only if it was never applied; it may run against a schema it was not written for. Renumber it after the latest applied migration.",
            ),
            MigrationLockHeld => (
                "sqlx's advisory migration lock is held by another session.",
                "Another `migrate run` is in progress or died holding the lock. Wait for it, or end that session once you are sure it is gone.",
            ),
            MigrationHazard => (
                "A pending migration's statement would lock a live table while it scans or rewrites it, or fails as written.",
                "The fix plan says what to do before running it: a concurrent or two-step form of the statement (`CREATE INDEX CONCURRENTLY`, a constraint added NOT VALID then validated), a quiet window, or a lock_timeout so it gives up instead of queueing.",
            ),
            MigrationBlocked => (
                "A session holds a lock that a pending migration's statement would queue behind.",
                "Queued, the migration blocks the service's queries behind itself. Let the holding session finish or end it before running the migration.",
            ),
            PrivilegeMissing => (
                "The service role lacks a privilege a statement needs, or will lack it on a table a pending migration creates.",
                "Grant it (the fix plan has every GRANT), or set default privileges so tables created later are covered.",
            ),
            SearchPathMismatch => (
                "An unqualified name resolves differently under the service role's search_path than under gaps' connection.",
                "Qualify the name with its schema in the SQL, or set the role's search_path (`ALTER ROLE ... SET search_path = ...`) to the one the code expects.",
            ),
            InsertMissingNotNull => (
                "An INSERT leaves out a NOT NULL column that nothing fills.",
                "Insert a value for the column, give it a default, or make it nullable with a migration.",
            ),
            EnumValueMissing => (
                "A value sent to an enum column is not one of its labels.",
                "Add the label to the type with a migration (`ALTER TYPE ... ADD VALUE`), or change the value the code sends.",
            ),
            OnConflictTargetMissing => (
                "`ON CONFLICT (columns)` names no unique index or constraint of the table.",
                "The database refuses the statement. Create the unique index the statement relies on, or name the conflict target that exists.",
            ),
            QueryBreaksAfterMigration => (
                "A statement the database accepts now fails once the pending migrations ran.",
                "Change the statement in the same deploy as the migration that drops or renames what it uses, or split the migration so the old shape stays until the code no longer needs it.",
            ),
            TableMissing => (
                "A table that the code, the migrations or gaps.md expect does not exist.",
                "If a migration creates it, run or repair that migration (see the cause). If none does, add a migration that creates it, or remove the code that uses it.",
            ),
            TableUnexpected => (
                "A live table that no migration, model, statement or gaps.md knows.",
                "Often left by a hand change or another service. Add it to gaps.md if it is expected, or drop it through a migration.",
            ),
            ColumnMissing => (
                "A column that a model or a statement reads has no live column.",
                "Run or repair the migration that adds it (see the cause), or add one; if the code is wrong, change the field or the SQL.",
            ),
            ColumnUnexpected => (
                "A live column that nobody expects.",
                "Usually harmless; remove it through a migration or describe it where the code expects it.",
            ),
            ColumnTypeMismatch => (
                "A Rust type cannot decode the column's SQL type.",
                "sqlx fails at run time with \"mismatched types\". Change the field's Rust type to one sqlx maps to the column's type, or change the column with a migration.",
            ),
            ColumnNullabilityMismatch => (
                "A field's Option-ness disagrees with the column's nullability.",
                "A NULL read into a non-Option field fails at run time. Make the field an Option, or make the column NOT NULL with a migration once no row holds NULL.",
            ),
            IndexMissing => (
                "An index the migrations create is missing from the database.",
                "Recreate it (the fix plan gives the statement, `CREATE INDEX CONCURRENTLY` on PostgreSQL) or repair the migration that creates it.",
            ),
            ConstraintMismatch => (
                "A primary key, UNIQUE, foreign key or CHECK constraint the migrations create is missing or different.",
                "Recreate the constraint as the migration defines it, after checking that the existing rows satisfy it.",
            ),
            DefaultMismatch => (
                "A column's default differs from the one the migrations set.",
                "Set the default the migrations define (`ALTER TABLE ... ALTER COLUMN ... SET DEFAULT ...`), or write the new default into a migration.",
            ),
            QueryInvalid => (
                "The database rejects a statement found in the code.",
                "The database's own error is in the message. Fix the object it names (often a pending migration, see the cause) or the SQL.",
            ),
            QueryResultMismatch => (
                "A statement's result does not decode into its target type.",
                "Change the target type or cast the column in the SQL so that sqlx can decode it.",
            ),
            SqlxOfflineStale => (
                "The `.sqlx/` offline data disagrees with the live database.",
                "Regenerate it against a database with every migration applied (`cargo sqlx prepare`).",
            ),
            LogDatabaseError => (
                "A group of database errors in the service's logs.",
                "The cause this belongs to names the object behind the errors; fixing it stops them.",
            ),
            LogMigrationFailure => (
                "A migration failure in the service's startup logs.",
                "The migration named in the log line stopped the service from starting; see its cause for the repair.",
            ),
            LogPoolExhaustion => (
                "Connection pool timeouts or exhaustion in the logs.",
                "Too few connections for the load, or slow or stuck queries holding them. Check the pool size against the server's limit and look for long-running statements.",
            ),
            LogPoolerIncompatibility => (
                "Errors caused by a transaction-mode connection pooler.",
                "Prepared statements do not survive a transaction-mode pooler. Use the pooler's session mode or a direct URL for the service.",
            ),
            HealthUnreachable => (
                "The health endpoint could not be reached.",
                "Check that the service is running and the URL is right; the rest of the evidence does not depend on it.",
            ),
            HealthUnhealthy => (
                "The health endpoint says the service is unhealthy.",
                "Read the causes: a failed or pending migration is the usual reason.",
            ),
            HealthSchemaVersionMismatch => (
                "The service's reported `schema_version` disagrees with the migrations.",
                "The running service expects a different schema than the database has; run the pending migrations or deploy the matching version.",
            ),
            HealthSchemaVersionMissing => (
                "The health endpoint reports no `schema_version`.",
                "Report the latest applied migration in the health response so deploys can be checked against the database.",
            ),
            ProviderPoolerInUse => (
                "The database URL goes through a transaction-mode pooler.",
                "Prepared statements (sqlx's default) fail through it. Use a session-mode or direct URL.",
            ),
            ConnectionsNearLimit => (
                "Open connections are close to the server's `max_connections`.",
                "Lower the pools' sizes, add a pooler in session mode, or raise the limit.",
            ),
            EvidenceUnavailable => (
                "A section of evidence could not be collected.",
                "The message says why (a permission, a timeout, an unreachable server). The rules that need it stood down: nothing in that area was checked.",
            ),
            EvidenceIncomplete => (
                "A section was collected only in part.",
                "What it lacks is unknown and the rules that need it stood down. Grant the read access the message names, or raise the deadline.",
            ),
            LockBlocked => (
                "Another session holds or waits for an exclusive lock on a relation.",
                "gaps did not wait for it, and the service's queries on that relation wait too. Find the blocking session and end it or let it finish.",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_one_line_summary_and_a_help_text() {
        for k in FindingKind::ALL {
            assert!(k.summary().ends_with('.'), "{k:?}");
            assert!(!k.summary().contains('\n'), "{k:?}");
            assert!(k.help().len() > k.summary().len() / 2, "{k:?}");
        }
    }
}
