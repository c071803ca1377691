//! The `gaps` binary: parses arguments and hands over to the library. Exit codes: 0 no finding
//! at the `--fail-on` level, 1 findings at that level (or a partial collection), 2 usage or
//! input error.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match gaps_collector::cli::Cli::try_parse() {
        Ok(cli) => gaps_collector::cli::run(cli),
        Err(e) => gaps_collector::cli::usage_error(e),
    }
}
