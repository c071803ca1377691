//! Provider and connection facts: the hosting provider and pooler from the URL, and TLS,
//! connection counts and migration locks from the server.

use gaps_core::provider::ProviderEvidence;
use gaps_core::section::Section;

use crate::db::Session;

/// Detects the provider from `url` and, when a session is open, reads connection facts.
pub async fn collect(
    url: Option<&str>,
    _session: Option<&mut Session>,
) -> Section<ProviderEvidence> {
    if url.is_none() {
        return Section::skipped("no database URL");
    }
    Section::skipped("provider detection is not built yet")
}
