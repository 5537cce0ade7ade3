//! The history against the files: drift, unknown and out-of-order versions,
//! edited downs and `repair`, and an older history table upgraded.

use super::*;

#[test]
fn drift_is_refused_unless_allowed() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = abc();
    Migrator::new(&dir.registry()).up(&mut c).unwrap();
    dir.add(
        "000002_b",
        "CREATE TABLE b (id bigint);",
        Some("DROP TABLE b;"),
    )
    .add(
        "000004_d",
        "CREATE TABLE d (id int);",
        Some("DROP TABLE d;"),
    );
    let reg = dir.registry();
    let err = Migrator::new(&reg).up(&mut c).unwrap_err();
    assert!(
        matches!(&err, MigrateError::Drift(d) if d.len() == 1 && d[0].migration.version == v(2)),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("migration 000002_b changed after being applied"),
        "{err}"
    );
    assert!(!table_exists(&mut c, "d"));
    let st = Migrator::new(&reg).status(&mut c).unwrap();
    assert_eq!(st.migrations[1].checksum_state, ChecksumState::Drift);

    let mut o = Options::default();
    o.allow_drift = true;
    Migrator::with_options(&reg, o).up(&mut c).unwrap();
    assert!(table_exists(&mut c, "d"));
    // Whitespace and comments are not drift: the checksum is over tokens.
    dir.add(
        "000001_a",
        "-- the a table\nCREATE TABLE a (\n  id int\n);",
        Some("DROP TABLE a;"),
    );
    let st = Migrator::new(&dir.registry()).status(&mut c).unwrap();
    assert_eq!(st.migrations[0].checksum_state, ChecksumState::Ok);
}

#[test]
fn an_unknown_version_is_the_builds_fault() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = abc();
    Migrator::new(&dir.registry()).up(&mut c).unwrap();
    dir.remove("000003_c");
    let reg = dir.registry();
    // The history says 3 ran here: its files are missing from this build.
    let err = Migrator::new(&reg).up(&mut c).unwrap_err();
    assert!(
        matches!(err, MigrateError::Missing(ref m) if m[0].version == v(3)),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("stale") && text.contains("not the database"),
        "{text}"
    );
    let st = Migrator::new(&reg).status(&mut c).unwrap();
    assert!(st.unknown_version);
    // A version no history row explains: another tool with newer files moved it.
    c.batch_execute("UPDATE schema_migrations SET version = 7")
        .unwrap();
    let err = Migrator::new(&reg).up(&mut c).unwrap_err();
    assert!(
        matches!(err, MigrateError::UnknownVersion { version, .. } if version == v(7)),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("newer build") && text.contains("not broken"),
        "{text}"
    );
}

#[test]
fn out_of_order_migrations_are_refused_unless_allowed() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = MigDir::new();
    dir.add(
        "000001_a",
        "CREATE TABLE a (id int);",
        Some("DROP TABLE a;"),
    )
    .add(
        "000003_c",
        "CREATE TABLE c (id int);",
        Some("DROP TABLE c;"),
    );
    Migrator::new(&dir.registry()).up(&mut c).unwrap();
    dir.add(
        "000002_b",
        "CREATE TABLE b (id int);",
        Some("DROP TABLE b;"),
    );
    let reg = dir.registry();
    let err = Migrator::new(&reg).up(&mut c).unwrap_err();
    assert!(
        matches!(&err, MigrateError::OutOfOrder { current, pending } if *current == v(3) && pending[0].version == v(2)),
        "{err}"
    );
    assert!(err.to_string().contains("000002_b"), "{err}");
    assert_eq!(
        Migrator::new(&reg).status(&mut c).unwrap().migrations[1].state,
        MigrationState::OutOfOrder
    );
    let mut o = Options::default();
    o.allow_out_of_order = true;
    let r = Migrator::with_options(&reg, o).up(&mut c).unwrap();
    assert_eq!(r.steps.len(), 1);
    assert_eq!(version_row(&mut c), Some((3, false)));
    assert!(table_exists(&mut c, "b"));
}

/// An edited down file of an applied migration is drift too, but not
/// `up`'s concern (it runs no down): `up` goes on, `status` shows it and
/// `down` refuses it; `--allow-drift` lets one run pass but records
/// nothing; `repair` accepts the change on record (a `repair` history row
/// with the new checksums), and the refusal is gone.
#[test]
fn an_edited_down_is_drift_until_repaired() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = abc();
    Migrator::new(&dir.registry()).up(&mut c).unwrap();
    dir.add(
        "000002_b",
        "CREATE TABLE b (id int);",
        Some("DROP TABLE IF EXISTS b;"),
    );
    let reg = dir.registry();
    let r = Migrator::new(&reg).up(&mut c).unwrap();
    assert!(r.steps.is_empty(), "{r:?}");
    let down = |o: Options, c: &mut postgres::Client| {
        run(
            &Migrator::with_options(&reg, o),
            c,
            Target::Down { steps: 1 },
        )
    };
    let err = down(Options::default(), &mut c).unwrap_err();
    assert!(
        matches!(&err, MigrateError::Drift(d) if d.len() == 1 && d[0].file == "down"),
        "{err}"
    );
    assert!(err.to_string().contains("000002_b down file"), "{err}");
    assert!(err.to_string().contains("`repair`"), "{err}");
    let st = Migrator::new(&reg).status(&mut c).unwrap();
    assert_eq!(st.migrations[1].checksum_state, ChecksumState::Drift);

    let mut o = Options::default();
    o.allow_drift = true;
    down(o, &mut c).unwrap();
    Migrator::new(&reg).up(&mut c).unwrap();
    assert!(
        down(Options::default(), &mut c).is_err(),
        "--allow-drift recorded it"
    );

    let done = Migrator::new(&reg).repair(&mut c).unwrap();
    assert_eq!(done.accepted.len(), 1);
    assert_eq!(done.accepted[0].migration.version, v(2));
    Migrator::new(&reg).up(&mut c).unwrap();
    let st = Migrator::new(&reg).status(&mut c).unwrap();
    assert_eq!(st.migrations[1].checksum_state, ChecksumState::Ok);
    assert_eq!(history(&mut c).last(), Some(&(2, "repair".to_owned())));
    // Nothing left to repair; the migration still reverts with the new down.
    let again = Migrator::new(&reg).repair(&mut c).unwrap();
    assert!(again.accepted.is_empty() && again.recorded.is_empty());
    run(&Migrator::new(&reg), &mut c, Target::Down { steps: 2 }).unwrap();
    assert!(!table_exists(&mut c, "b"));
}

/// A history table written by a build that kept no down checksums gets the
/// column (and the `repair` direction) on the next write; its old rows are
/// not drift, and `repair` records their downs.
#[test]
fn a_history_table_without_down_checksums_is_upgraded() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = abc();
    let reg = dir.registry();
    let a = reg.get(v(1)).unwrap().checksum().to_owned();
    c.batch_execute(&format!(
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
         INSERT INTO schema_migrations VALUES (1, false);
         CREATE TABLE a (id int);
         CREATE TABLE schema_migrations_history (
             id bigserial PRIMARY KEY, version bigint NOT NULL, name text NOT NULL, checksum text,
             direction text NOT NULL CHECK (direction IN ('up', 'down', 'baseline', 'baseline_down', 'force_up', 'force_down')),
             applied_at timestamptz NOT NULL DEFAULT now(), duration_ms bigint,
             applied_by text NOT NULL DEFAULT current_user);
         INSERT INTO schema_migrations_history (version, name, checksum, direction) VALUES (1, 'a', '{a}', 'up');"
    ))
    .unwrap();
    Migrator::new(&reg).up(&mut c).unwrap();
    assert!(table_exists(&mut c, "c"));
    let done = Migrator::new(&reg).repair(&mut c).unwrap();
    assert!(done.accepted.is_empty());
    assert_eq!(done.recorded.len(), 1, "{done:?}");
    assert_eq!(done.recorded[0].version, v(1));
    let recorded: Option<String> = c
        .query_one(
            "SELECT down_checksum FROM schema_migrations_history WHERE version = 1 ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(recorded.as_deref(), reg.get(v(1)).unwrap().down_checksum());
}
