//! The gaps.md actions gaps gathers evidence for, with their ids and short titles.
//!
//! Findings name their action by id; text output and the report group by it.

/// Production error logs.
pub const LOGS: &str = "ACTION-001";
/// Applied migrations vs local files.
pub const MIGRATIONS: &str = "ACTION-002";
/// The database provider.
pub const PROVIDER: &str = "ACTION-003";
/// Tables that exist vs tables the code uses.
pub const TABLES: &str = "ACTION-004";
/// Columns vs the FromRow models.
pub const COLUMNS: &str = "ACTION-005";
/// The health endpoint.
pub const HEALTH: &str = "ACTION-006";
/// Startup migration logs.
pub const STARTUP_LOGS: &str = "ACTION-007";

/// Every action in registry order with a short title.
pub const ALL: [(&str, &str); 7] = [
    (LOGS, "Production database logs"),
    (MIGRATIONS, "Production migration state"),
    (PROVIDER, "Database provider"),
    (TABLES, "Table existence"),
    (COLUMNS, "Column schemas"),
    (HEALTH, "Health endpoint"),
    (STARTUP_LOGS, "Startup migration logs"),
];

/// The short title of an action id, if it is one gaps knows.
pub fn title(id: &str) -> Option<&'static str> {
    ALL.iter().find(|(a, _)| *a == id).map(|(_, t)| *t)
}
