//! Migration directories written into temporary directories, for tests.
#![allow(dead_code)]

use pgcheck::Registry;

pub use test_support::MigrationsDir as MigDir;

/// The registry of a test directory, as the CLI's directory mode loads it.
pub trait LoadRegistry {
    fn registry(&self) -> Registry;
}

impl LoadRegistry for MigDir {
    fn registry(&self) -> Registry {
        Registry::from_dir_with(self.path(), "m", None, "schema_migrations")
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Three reversible migrations: tables a, b, c.
pub fn abc() -> MigDir {
    MigDir::abc()
}

pub fn table_exists(c: &mut postgres::Client, name: &str) -> bool {
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap()
        .get(0)
}

/// golang-migrate's row: `(version, dirty)`, `None` when there is no row.
pub fn version_row(c: &mut postgres::Client) -> Option<(i64, bool)> {
    let rows = c
        .query("SELECT version, dirty FROM schema_migrations", &[])
        .unwrap();
    assert!(rows.len() <= 1, "schema_migrations has {} rows", rows.len());
    rows.first().map(|r| (r.get(0), r.get(1)))
}

/// `(version, direction)` of every history row, oldest first.
pub fn history(c: &mut postgres::Client) -> Vec<(i64, String)> {
    c.query(
        "SELECT version, direction FROM schema_migrations_history ORDER BY id",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}
