//! The migrator against a real PostgreSQL: one throwaway database per test.

#[path = "../common/mod.rs"]
mod common;

mod apply;
mod failures;
mod refusals;

use std::time::Duration;

use common::{LoadRegistry, MigDir, abc, history, table_exists, version_row};
use pgcheck::error::Outcome;
use pgcheck::migrator::{ChecksumState, MigrationState, golang_migrate_lock_key};
use pgcheck::{MigrateError, Migrator, Options, Target, Version};
use test_support::TestDb;

fn v(n: i64) -> Version {
    Version::new(n)
}

fn run(
    m: &Migrator<'_>,
    c: &mut postgres::Client,
    t: Target,
) -> Result<pgcheck::Report, MigrateError> {
    m.run(c, t, &mut |_| {})
}
