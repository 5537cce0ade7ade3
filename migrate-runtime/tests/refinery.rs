//! refinery's runner over the registry's ups builds the same schema as ours.
#![cfg(feature = "refinery")]

use std::path::Path;

use pgcheck::{Migrator, Registry};
use test_support::TestDb;

/// Columns and indexes of the public schema, minus each tool's own tables.
fn schema(db: &TestDb) -> Vec<String> {
    let mut c = db.client();
    let own = "('schema_migrations', 'schema_migrations_history', 'refinery_schema_history')";
    let mut out: Vec<String> = c
        .query(
            &format!(
                "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
                   FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT IN {own} ORDER BY 1"
            ),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    out.extend(
        c.query(
            &format!("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT IN {own} ORDER BY 1"),
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0)),
    );
    out
}

#[test]
fn novacron_through_refinery_equals_ours() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let registry = Registry::from_dir_with(&dir, "migrations", None, "schema_migrations").unwrap();

    let theirs = TestDb::new();
    let report = pgcheck::refinery::runner(&registry)
        .unwrap()
        .run(&mut theirs.client())
        .unwrap();
    assert_eq!(report.applied_migrations().len(), registry.len());

    let ours = TestDb::new();
    Migrator::new(&registry).up(&mut ours.client()).unwrap();

    let (a, b) = (schema(&theirs), schema(&ours));
    assert!(a.len() > 50, "{}", a.len());
    assert_eq!(a, b);
}
