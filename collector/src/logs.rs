//! Reading `--logs` inputs (files, stdin, .gz), streamed, into classified log evidence.

use gaps_core::logs::LogsEvidence;
use gaps_core::section::Section;

use crate::cli::CollectArgs;

/// Classifies every `--logs` input.
pub fn collect(args: &CollectArgs) -> Section<LogsEvidence> {
    if args.logs.is_empty() {
        return Section::skipped("no --logs given");
    }
    Section::skipped("log classification is not built yet")
}
