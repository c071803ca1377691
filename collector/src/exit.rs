//! The process exit codes every command uses: 0 nothing to report, 1 look at the result, 2 the
//! command could not do its job.

/// Exit code: nothing at the `--fail-on` level.
pub const EXIT_OK: u8 = 0;
/// Exit code: findings at the `--fail-on` level, or a collection that was only partial.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: a usage or input error (bad flag, unreadable file, malformed snapshot).
pub const EXIT_ERROR: u8 = 2;
