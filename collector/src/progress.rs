//! Progress on standard error: a spinner when stderr is a terminal, plain lines with
//! `--verbose`, nothing with `--quiet` or when stderr is redirected.

use std::io::IsTerminal;

use indicatif::ProgressBar;

/// Reports collection steps to the person waiting.
pub struct Progress {
    bar: Option<ProgressBar>,
    verbose: bool,
}

impl Progress {
    /// A reporter honouring `--quiet` and `--verbose`.
    pub fn new(quiet: bool, verbose: bool) -> Progress {
        let bar = (!quiet && !verbose && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner();
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            verbose: verbose && !quiet,
        }
    }

    /// A reporter that prints nothing.
    pub fn silent() -> Progress {
        Progress {
            bar: None,
            verbose: false,
        }
    }

    /// Announces the step now starting.
    pub fn step(&self, what: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(crate::output::safe_line(what));
        }
        if self.verbose {
            crate::output::message(what);
        }
    }

    /// Clears the spinner.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
