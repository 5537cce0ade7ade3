//! `adopt --from TOOL` over the history tables of other tools.

mod common;

use common::{LoadRegistry, MigDir, abc, history, version_row};
use pgcheck::migrator::Tool;
use pgcheck::{MigrateError, Migrator, Version};
use test_support::TestDb;

fn adopt(db: &TestDb, dir: &MigDir, setup: &str, tool: Tool) -> Result<Vec<Version>, MigrateError> {
    let mut c = db.client();
    c.batch_execute(setup).unwrap();
    Migrator::new(&dir.registry()).adopt(&mut c, tool)
}

#[test]
fn refinery_sqlx_and_diesel_histories_are_adopted() {
    let cases = [
        (
            Tool::Refinery,
            "CREATE TABLE refinery_schema_history (version int4 PRIMARY KEY, name varchar(255), applied_on varchar(255), checksum varchar(255));
             INSERT INTO refinery_schema_history VALUES (1, 'a', '2024-01-01', '1'), (2, 'b', '2024-01-02', '2');",
        ),
        (
            Tool::Sqlx,
            "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL, installed_on timestamptz NOT NULL DEFAULT now(),
                                            success boolean NOT NULL, checksum bytea NOT NULL, execution_time bigint NOT NULL);
             INSERT INTO _sqlx_migrations VALUES (1, 'a', now(), true, '\\x00', 1), (2, 'b', now(), true, '\\x00', 1);",
        ),
        (
            Tool::Diesel,
            "CREATE TABLE __diesel_schema_migrations (version varchar(50) PRIMARY KEY, run_on timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP);
             INSERT INTO __diesel_schema_migrations (version) VALUES ('000001'), ('000002');",
        ),
    ];
    for (tool, setup) in cases {
        let db = TestDb::new();
        let dir = abc();
        let adopted = adopt(&db, &dir, setup, tool).unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert_eq!(adopted, vec![Version::new(1), Version::new(2)], "{tool}");
        let mut c = db.client();
        assert_eq!(version_row(&mut c), Some((2, false)), "{tool}");
        assert_eq!(
            history(&mut c),
            vec![(1, "baseline".into()), (2, "baseline".into())]
        );
        // Then we carry on from there, and a second adopt is refused.
        let r = Migrator::new(&dir.registry()).up(&mut c).unwrap();
        assert_eq!(r.steps.len(), 1);
        let again = Migrator::new(&dir.registry())
            .adopt(&mut c, tool)
            .unwrap_err();
        assert!(
            matches!(again, MigrateError::AlreadyAdopted { .. }),
            "{again}"
        );
    }
}

#[test]
fn golang_migrate_is_adopted_linearly() {
    let db = TestDb::new();
    let dir = abc();
    let adopted = adopt(
        &db,
        &dir,
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
         INSERT INTO schema_migrations VALUES (2, false);",
        Tool::GolangMigrate,
    )
    .unwrap();
    assert_eq!(adopted, vec![Version::new(1), Version::new(2)]);
}

#[test]
fn histories_that_do_not_line_up_are_refused_with_a_list() {
    let db = TestDb::new();
    let dir = abc();
    let err = adopt(
        &db,
        &dir,
        "CREATE TABLE refinery_schema_history (version int4 PRIMARY KEY, name varchar(255), applied_on varchar(255), checksum varchar(255));
         INSERT INTO refinery_schema_history VALUES (1, 'a', '', ''), (3, 'c', '', ''), (9, 'z', '', '');",
        Tool::Refinery,
    )
    .unwrap_err();
    let MigrateError::AdoptMismatch { unknown, gaps, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(unknown, &vec![9]);
    assert_eq!(
        gaps.iter().map(|m| m.version.get()).collect::<Vec<_>>(),
        vec![2]
    );
    let text = err.to_string();
    assert!(
        text.contains("not among these migrations: 9") && text.contains("000002_b"),
        "{text}"
    );
    let mut c = db.client();
    assert!(!common::table_exists(&mut c, "schema_migrations"));

    let err = adopt(&TestDb::new(), &dir, "SELECT 1", Tool::Sqlx).unwrap_err();
    assert!(matches!(err, MigrateError::AdoptNoTable { .. }), "{err}");
}
