//! The service's source: FromRow models and SQL statements (syn), the expected schema replayed
//! from the migrations, and the live database's describe of each statement.

use gaps_core::code::{CodeEvidence, ExpectedSchema};
use gaps_core::querycheck::QueryChecks;
use gaps_core::section::Section;
use gaps_core::snapshot::Snapshot;

use crate::cli::CollectArgs;
use crate::db::Session;

/// The two code-side sections.
pub struct CodeSections {
    /// Models and queries.
    pub code: Section<CodeEvidence>,
    /// The expected schema.
    pub expected_schema: Section<ExpectedSchema>,
}

/// Reads models and queries from the source and replays the migrations.
pub fn collect(args: &CollectArgs, _snapshot: &Snapshot) -> CodeSections {
    let reason = if args.source.is_none() {
        "no --source given"
    } else {
        "source analysis is not built yet"
    };
    CodeSections {
        code: Section::skipped(reason),
        expected_schema: Section::skipped(reason),
    }
}

/// Asks the live database to describe each statically known statement (never executes them).
pub async fn check_queries(
    session: &mut Session,
    snapshot: &Snapshot,
    args: &CollectArgs,
) -> Section<QueryChecks> {
    crate::querycheck::section(session, snapshot, args).await
}
