//! Harbor's real migrations (up only) go through the whole pipeline cleanly.

use std::path::PathBuf;

use migrate_core::{Options, analyze};

fn harbor_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/harbor/migrations")
}

#[test]
fn harbor_parses_and_replays_without_errors() {
    let dir = harbor_dir();
    assert!(dir.is_dir(), "corpus missing at {}", dir.display());
    let opts = Options {
        require_down: false,
        ..Options::default()
    };
    let a = analyze(&dir, "harbor", &opts);
    assert!(a.errors.is_empty(), "unexpected findings:\n{}", a.errors);
    assert_eq!(a.migrations.len(), 39);
    let statements: usize = a.migrations.iter().map(|m| m.up.statements.len()).sum();
    assert!(statements > 300, "only {statements} statements parsed");
    // The corpus README's catalogue figures: 49 relations, schema_migrations included.
    let latest = a.latest();
    assert_eq!(latest.tables.len() + latest.views.len(), 49);
}

#[test]
fn harbor_requires_downs_when_asked() {
    let a = analyze(&harbor_dir(), "harbor", &Options::default());
    let missing = a
        .errors
        .iter()
        .filter(|d| d.message.contains("has no down migration"))
        .count();
    assert_eq!(missing, 39);
}
