//! The `gaps` binary: parses arguments and hands over to the library. Exit codes: 0 no finding
//! at the `--fail-on` level, 1 findings at that level (or a partial collection), 2 usage or
//! input error.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: loading a large snapshot and running the rules
/// make millions of small allocations (names, types, findings), and glibc's malloc and free
/// were about a third of `gaps report`'s time at 50,000 tables (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match gaps_collector::cli::Cli::try_parse() {
        Ok(cli) => gaps_collector::cli::run(cli),
        Err(e) => gaps_collector::cli::usage_error(e),
    }
}
