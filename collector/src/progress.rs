//! Progress on standard error: a spinner when stderr is a terminal, plain lines with
//! `--verbose`, nothing with `--quiet` or when stderr is redirected. Long phases report a
//! count ("describing 412/1,000 statements").

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;

/// How often `--verbose` prints a count line during a long phase.
const VERBOSE_EVERY: Duration = Duration::from_secs(2);

/// Reports collection steps to the person waiting. Cheap to clone: clones report to the
/// same place.
#[derive(Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
    verbose: bool,
    last_line: Arc<Mutex<Option<Instant>>>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("spinner", &self.bar.is_some())
            .field("verbose", &self.verbose)
            .finish()
    }
}

impl Default for Progress {
    fn default() -> Progress {
        Progress::silent()
    }
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
            last_line: Arc::new(Mutex::new(None)),
        }
    }

    /// A reporter that prints nothing.
    pub fn silent() -> Progress {
        Progress {
            bar: None,
            verbose: false,
            last_line: Arc::new(Mutex::new(None)),
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

    /// Reports `done` of `total` items of a long phase, e.g. `count("describing", 412, 1000,
    /// "statements")` shows "describing 412/1,000 statements". With `--verbose` a line is
    /// printed at most every two seconds, and for the last item.
    pub fn count(&self, phase: &str, done: usize, total: usize, items: &str) {
        if self.bar.is_none() && !self.verbose {
            return;
        }
        let text = count_text(phase, done, total, items);
        if let Some(bar) = &self.bar {
            bar.set_message(text.clone());
        }
        if self.verbose {
            let Ok(mut last) = self.last_line.lock() else {
                return;
            };
            let due = last.is_none_or(|t| t.elapsed() >= VERBOSE_EVERY);
            if due || done == total {
                eprintln!("gaps: {text}");
                *last = Some(Instant::now());
            }
        }
    }

    /// Clears the spinner.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// "describing 412/1,000 statements".
pub fn count_text(phase: &str, done: usize, total: usize, items: &str) -> String {
    format!("{phase} {}/{} {items}", grouped(done), grouped(total))
}

/// 1234567 -> "1,234,567".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_name_the_phase_and_group_thousands() {
        assert_eq!(
            count_text("describing", 412, 1000, "statements"),
            "describing 412/1,000 statements"
        );
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
