//! gaps-tests: the shared test harness. Starts real services for tests — a throwaway
//! PostgreSQL cluster and a throwaway MariaDB server per test process — and locates fixtures. Nothing here is mocked: a test
//! that needs a server gets a real one, or fails loudly saying why it could not start.

pub mod browser;
pub mod fixtures;
pub mod mysql;
pub mod pg;
