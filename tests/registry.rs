//! The embedded registry is what migrate-core loads from the same directory at
//! run time (one code path), and the generated items exist with the right shape.

use std::path::Path;

use migrate_core::{Options, analyze};
use novacron_db::{MIGRATIONS, SEEDS, versions};

#[test]
fn embedded_registry_equals_runtime_analysis() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let a = analyze(&dir, "migrations", &Options::default());
    assert!(a.errors.is_empty(), "{}", a.errors);
    assert_eq!(MIGRATIONS.len(), a.migrations.len());
    for (embedded, loaded) in MIGRATIONS.iter().zip(&a.migrations) {
        assert_eq!(embedded.version.get(), loaded.version);
        assert_eq!(embedded.name, loaded.name);
        assert_eq!(embedded.up.sql, loaded.up.sql);
        assert_eq!(embedded.up.checksum, loaded.up.checksum);
        assert_eq!(embedded.up.path, loaded.up.path);
        assert_eq!(embedded.up.transactional, loaded.up.transactional);
        let ranges: Vec<(usize, usize)> = loaded
            .up
            .statements
            .iter()
            .map(|s| (s.start, s.end))
            .collect();
        assert_eq!(embedded.up.statements.as_ref(), ranges.as_slice());
        let down = embedded
            .down
            .as_ref()
            .expect("every NovaCron migration has a down");
        assert_eq!(
            Some(down.sql.as_ref()),
            loaded.down.as_ref().map(|d| d.sql.as_str())
        );
    }
}

#[test]
fn registry_is_ordered_and_versions_are_typed() {
    let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version.get()).collect();
    let mut sorted = versions.clone();
    sorted.sort();
    assert_eq!(versions, sorted);
    let first = MIGRATIONS
        .get(versions::V000001_INIT_SCHEMA)
        .expect("000001 is embedded");
    assert_eq!(first.name, "init_schema");
    assert_eq!(first.label(), "000001_init_schema");
    assert_eq!(
        MIGRATIONS.latest().map(|m| m.version),
        MIGRATIONS.iter().last().map(|m| m.version)
    );
}

#[test]
fn seeds_are_embedded_in_order_with_clean_apart() {
    let names: Vec<&str> = SEEDS.files.iter().map(|s| s.name.as_ref()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(names.starts_with(&[
        "01_organizations",
        "02_users",
        "03_nodes",
        "04_vms",
        "05_metrics"
    ]));
    assert!(!names.contains(&"clean"));
}
