//! Querying the service's health endpoint (`--health URL`).

use gaps_core::health::HealthEvidence;
use gaps_core::section::Section;

use crate::cli::CollectArgs;

/// GETs the health endpoint and records the answer.
pub async fn collect(args: &CollectArgs) -> Section<HealthEvidence> {
    if args.health.is_none() {
        return Section::skipped("no --health given");
    }
    Section::skipped("health endpoint checks are not built yet")
}
