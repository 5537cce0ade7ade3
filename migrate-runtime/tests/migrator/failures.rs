//! A failing migration leaves nothing half-applied, says where it failed, and
//! runs once; a migration without a transaction is dirty until forced.

use super::*;

#[test]
fn a_failing_third_statement_leaves_nothing_behind() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = MigDir::new();
    dir.add("000001_a", "CREATE TABLE a (id int);", Some("DROP TABLE a;")).add(
        "000002_b",
        "-- two tables, then a value only PostgreSQL can refuse\nCREATE TABLE b1 (id int);\nCREATE TABLE b2 (id int);\n  INSERT INTO b1 VALUES ('x');\nCREATE TABLE b4 (id int);\n",
        Some("DROP TABLE b4; DROP TABLE b2; DROP TABLE b1;"),
    );
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    let err = m.up(&mut c).unwrap_err();
    let MigrateError::Failed(f) = &err else {
        panic!("{err}")
    };
    assert_eq!(f.path, "m/000002_b.up.sql");
    assert_eq!(f.pos.map(|p| (p.line, p.col)), Some((4, 26)));
    assert_eq!(f.statement, Some(3));
    assert_eq!(f.sqlstate.as_deref(), Some("22P02"));
    assert_eq!(
        f.outcome,
        Outcome::RolledBack {
            version: Some(v(1))
        }
    );
    let text = err.to_string();
    assert!(
        text.contains(
            "m/000002_b.up.sql:4:26: invalid input syntax for type integer: \"x\" (SQLSTATE 22P02)"
        ),
        "{text}"
    );
    assert!(text.contains("INSERT INTO b1"), "{text}");
    assert_eq!(version_row(&mut c), Some((1, false)));
    assert!(!table_exists(&mut c, "b1") && !table_exists(&mut c, "b2"));
    // The session is usable afterwards: not stuck in an aborted transaction.
    c.batch_execute("SELECT 1").unwrap();
}

#[test]
fn errors_without_a_position_are_located_by_statement() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = MigDir::new();
    dir.add(
        "000001_a",
        "CREATE TABLE é (id int);\nINSERT INTO é VALUES (1);\nSELECT 1 / 0;\n",
        Some("DROP TABLE é;"),
    );
    let reg = dir.registry();
    let err = Migrator::new(&reg).up(&mut c).unwrap_err();
    let MigrateError::Failed(f) = &err else {
        panic!("{err}")
    };
    assert_eq!(f.sqlstate.as_deref(), Some("22012"));
    assert_eq!(f.pos.map(|p| (p.line, p.col)), Some((3, 1)));
    assert_eq!(version_row(&mut c), None);
    assert!(!table_exists(&mut c, "é"));
}

#[test]
fn a_failing_migration_without_transaction_is_dirty_until_forced() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = MigDir::new();
    dir.add(
        "000001_t",
        "CREATE TABLE t (c int);\nCREATE TABLE flag (x int);",
        Some("DROP TABLE flag; DROP TABLE t;"),
    )
    .add(
        "000002_idx",
        "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_c_idx ON t (c);\nSELECT 1 / (SELECT count(*) FROM flag)::int;\n",
        Some("-- migrate:no-transaction\nDROP INDEX CONCURRENTLY t_c_idx;"),
    )
    .add("000003_u", "CREATE TABLE u (id int);", Some("DROP TABLE u;"));
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    let err = m.up(&mut c).unwrap_err();
    let MigrateError::Failed(f) = &err else {
        panic!("{err}")
    };
    assert_eq!(f.pos.map(|p| (p.line, p.col)), Some((3, 1)));
    assert!(matches!(f.outcome, Outcome::Dirty { version, .. } if version == v(2)));
    assert!(
        err.to_string().contains("force 2") && err.to_string().contains("force 1"),
        "{err}"
    );
    assert_eq!(version_row(&mut c), Some((2, true)));
    // The statement before the failing one took effect.
    assert!(table_exists(&mut c, "t_c_idx"));

    let refused = m.up(&mut c).unwrap_err();
    assert!(
        matches!(refused, MigrateError::Dirty { version, .. } if version == v(2)),
        "{refused}"
    );
    assert!(refused.to_string().contains("force"), "{refused}");
    assert_eq!(
        m.status(&mut c).unwrap().migrations[1].state,
        MigrationState::Dirty
    );

    // Repair by hand, then go back to 1 and run it again.
    c.batch_execute("DROP INDEX t_c_idx; INSERT INTO flag VALUES (1);")
        .unwrap();
    m.force(&mut c, Some(v(1))).unwrap();
    assert_eq!(version_row(&mut c), Some((1, false)));
    let r = m.up(&mut c).unwrap();
    assert_eq!(r.to, Some(v(3)));
    assert!(table_exists(&mut c, "t_c_idx"));
    assert_eq!(
        history(&mut c)
            .iter()
            .filter(|(v, d)| *v == 2 && d == "up")
            .count(),
        1
    );
    // Reverting runs the no-transaction down.
    run(&m, &mut c, Target::To(v(1))).unwrap();
    assert!(!table_exists(&mut c, "t_c_idx"));
}

#[test]
fn refuses_to_revert_an_irreversible_migration() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = MigDir::new();
    dir.add(
        "000001_a",
        "CREATE TABLE a (id int);",
        Some("DROP TABLE a;"),
    )
    .add(
        "000002_b",
        "CREATE TABLE b (id int);",
        Some("-- migrate:irreversible\n"),
    )
    .add(
        "000003_c",
        "CREATE TABLE c (id int);",
        Some("DROP TABLE c;"),
    );
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    m.up(&mut c).unwrap();
    let err = run(&m, &mut c, Target::Down { steps: 2 }).unwrap_err();
    assert!(
        matches!(&err, MigrateError::Irreversible { migration } if migration.version == v(2)),
        "{err}"
    );
    // Refused before anything ran.
    assert_eq!(version_row(&mut c), Some((3, false)));
    run(&m, &mut c, Target::Down { steps: 1 }).unwrap();
    assert_eq!(version_row(&mut c), Some((2, false)));
}

/// An error without a position (division by zero) is placed at its statement
/// without running the migration a second time: the sequence it advances,
/// which no rollback undoes, moved once. A deferred constraint that fails at
/// COMMIT is named as such.
#[test]
fn a_failing_migration_runs_once_and_a_failed_commit_is_named() {
    for single_transaction in [false, true] {
        let db = TestDb::new();
        let mut c = db.client();
        let dir = MigDir::new();
        dir.add(
            "000001_seq",
            "CREATE SEQUENCE hits;",
            Some("DROP SEQUENCE hits;"),
        );
        let reg = dir.registry();
        Migrator::new(&reg).up(&mut c).unwrap();
        dir.add(
            "000002_fails",
            "SELECT nextval('hits');\nSELECT 1 / (SELECT count(*) FROM pg_class WHERE false);",
            Some("SELECT 1;"),
        );
        let reg = dir.registry();
        let mut o = Options::default();
        o.single_transaction = single_transaction;
        let err = Migrator::with_options(&reg, o.clone())
            .up(&mut c)
            .unwrap_err();
        let MigrateError::Failed(f) = &err else {
            panic!("{err}")
        };
        assert_eq!(f.sqlstate.as_deref(), Some("22012"), "{err}");
        assert_eq!(f.statement, Some(2), "{err}");
        assert_eq!(f.pos.map(|p| p.line), Some(2), "{err}");
        let hits: i64 = c
            .query_one("SELECT last_value FROM hits", &[])
            .unwrap()
            .get(0);
        assert_eq!(
            hits, 1,
            "single {single_transaction}: the migration ran twice"
        );

        dir.remove("000002_fails");
        dir.add(
            "000002_deferred",
            "CREATE TABLE p (id int PRIMARY KEY);\n\
             CREATE TABLE ch (pid int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\n\
             INSERT INTO ch VALUES (1);",
            Some("DROP TABLE ch;\nDROP TABLE p;"),
        );
        let reg = dir.registry();
        let err = Migrator::with_options(&reg, o).up(&mut c).unwrap_err();
        let MigrateError::Failed(f) = &err else {
            panic!("{err}")
        };
        assert!(f.at_commit, "{err}");
        assert_eq!(f.sqlstate.as_deref(), Some("23503"), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("COMMIT failed after every statement of the migration ran")
                && text.contains("deferred constraint"),
            "{text}"
        );
        assert_eq!(version_row(&mut c), Some((1, false)));
        assert!(!table_exists(&mut c, "p"));
    }
}
