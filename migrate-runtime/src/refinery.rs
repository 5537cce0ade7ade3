//! The registry's ups as refinery migrations (feature `refinery`), for an
//! application that keeps refinery's runner.
//!
//! refinery has no down migrations and runs every migration inside a
//! transaction, so a migration marked `-- migrate:no-transaction` (CREATE INDEX
//! CONCURRENTLY) fails under its runner; its versions are `i32`, so timestamp
//! versions do not fit.
//!
//! ```no_run
//! # fn demo(registry: &pgcheck::Registry, client: &mut postgres::Client) -> Result<(), Box<dyn std::error::Error>> {
//! let report = pgcheck::refinery::runner(registry)?.run(client)?;
//! println!("{} applied", report.applied_migrations().len());
//! # Ok(()) }
//! ```

use crate::error::{MigrateError, MigrationRef};
use crate::registry::Registry;

/// Every up script as an unapplied `refinery::Migration`, named
/// `V{version}__{name}` (characters refinery's names do not allow become `_`).
///
/// # Errors
///
/// [`MigrateError::Refinery`] for a version beyond `i32` or a name refinery
/// rejects.
pub fn migrations(registry: &Registry) -> Result<Vec<refinery::Migration>, MigrateError> {
    registry
        .iter()
        .map(|m| {
            let fail = |message: String| MigrateError::Refinery {
                migration: Some(MigrationRef::of(m)),
                message,
            };
            if i32::try_from(m.version.get()).is_err() {
                return Err(fail(format!(
                    "version {} does not fit refinery's i32 versions",
                    m.version
                )));
            }
            let name: String = m
                .name
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            refinery::Migration::unapplied(&format!("V{}__{name}", m.version), m.up.text()?)
                .map_err(|e| fail(e.to_string()))
        })
        .collect()
}

/// A refinery runner over the registry's ups.
///
/// # Errors
///
/// As [`migrations`].
pub fn runner(registry: &Registry) -> Result<refinery::Runner, MigrateError> {
    Ok(refinery::Runner::new(&migrations(registry)?))
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::migration::{Migration, Script, Version};

    fn registry(version: i64, name: &'static str) -> Registry {
        let script = Script::new(
            "m/x.up.sql".to_owned(),
            "SELECT 1".to_owned(),
            "c".to_owned(),
            true,
            vec![(0, 8)],
        );
        Registry::new(vec![Migration {
            version: Version::new(version),
            name: Cow::Borrowed(name),
            up: script,
            down: None,
            irreversible: false,
        }])
    }

    #[test]
    fn names_are_made_refinery_safe_and_big_versions_refused() {
        let m = migrations(&registry(10, "1.7.0_schema")).unwrap();
        assert_eq!((m[0].version(), m[0].name()), (10, "1_7_0_schema"));
        let e = migrations(&registry(20250101120000, "x")).unwrap_err();
        assert!(e.to_string().contains("does not fit"), "{e}");
    }
}
