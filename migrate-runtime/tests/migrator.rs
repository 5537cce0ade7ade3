//! The migrator against a real PostgreSQL: one throwaway database per test.

mod common;

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

#[test]
fn applies_reverts_and_goes_to_versions() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = abc();
    let reg = dir.registry();
    let m = Migrator::new(&reg);

    assert_eq!(m.version(&mut c).unwrap(), None);
    let r = m.up(&mut c).unwrap();
    assert_eq!((r.from, r.to, r.steps.len()), (None, Some(v(3)), 3));
    assert_eq!(version_row(&mut c), Some((3, false)));
    assert!(table_exists(&mut c, "c"));

    // Nothing to do: no steps, no new history.
    let r = m.up(&mut c).unwrap();
    assert!(r.steps.is_empty());
    assert_eq!(history(&mut c).len(), 3);

    let r = run(&m, &mut c, Target::Down { steps: 1 }).unwrap();
    assert_eq!(r.to, Some(v(2)));
    assert!(!table_exists(&mut c, "c"));
    run(&m, &mut c, Target::To(v(1))).unwrap();
    assert_eq!(version_row(&mut c), Some((1, false)));
    assert!(!table_exists(&mut c, "b"));
    run(&m, &mut c, Target::To(v(3))).unwrap();
    assert_eq!(m.version(&mut c).unwrap(), Some((v(3), false)));
    run(&m, &mut c, Target::DownAll).unwrap();
    assert_eq!(version_row(&mut c), None);
    assert!(!table_exists(&mut c, "a"));
    let r = run(&m, &mut c, Target::Up { limit: Some(2) }).unwrap();
    assert_eq!(r.to, Some(v(2)));

    let st = m.status(&mut c).unwrap();
    let states: Vec<_> = st
        .migrations
        .iter()
        .map(|s| (s.version, s.state, s.checksum_state))
        .collect();
    assert_eq!(
        states,
        vec![
            (1, MigrationState::Applied, ChecksumState::Ok),
            (2, MigrationState::Applied, ChecksumState::Ok),
            (3, MigrationState::Pending, ChecksumState::None),
        ]
    );
    assert!(st.migrations[0].applied_at.is_some() && st.migrations[0].duration_ms.is_some());
    let h = history(&mut c);
    assert_eq!(h.first(), Some(&(1, "up".to_owned())));
    assert_eq!(h.iter().filter(|(_, d)| d == "down").count(), 5);
}

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

#[test]
fn the_lock_times_out_naming_its_holder() {
    let db = TestDb::new();
    let mut holder = postgres::Config::from_str_url(db.url())
        .application_name("lock-holder-test")
        .connect(postgres::NoTls)
        .unwrap();
    let key = golang_migrate_lock_key("public", "schema_migrations", db.name());
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .unwrap();
    let pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);

    let dir = abc();
    let reg = dir.registry();
    let mut o = Options::default();
    o.lock_timeout = Duration::from_millis(300);
    let mut c = db.client();
    let err = Migrator::with_options(&reg, o).up(&mut c).unwrap_err();
    let MigrateError::LockTimeout { holders, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(holders[0].pid, pid);
    let text = err.to_string();
    assert!(
        text.contains(&format!("pid {pid}")) && text.contains("lock-holder-test"),
        "{text}"
    );
    // Nothing was written: the tables are only created under the lock.
    assert!(!table_exists(&mut c, "schema_migrations"));

    holder
        .execute("SELECT pg_advisory_unlock($1)", &[&key])
        .unwrap();
    Migrator::new(&reg).up(&mut c).unwrap();
    // The lock is released after a run. (This session's locks only: pg_locks
    // is the whole cluster's, and the other tests hold theirs meanwhile.)
    let held: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(held, 0);
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

#[test]
fn a_golang_migrate_database_is_baselined_on_first_contact() {
    let db = TestDb::new();
    let mut c = db.client();
    // What golang-migrate leaves: its table, the version, the schema.
    c.batch_execute(
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
         INSERT INTO schema_migrations VALUES (2, false);
         CREATE TABLE a (id int); CREATE TABLE b (id int);",
    )
    .unwrap();
    let dir = abc();
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    let st = m.status(&mut c).unwrap();
    assert!(st.baseline_pending);
    assert_eq!(st.applied(), 2);
    let mut events = Vec::new();
    let r = m
        .run(&mut c, Target::Up { limit: None }, &mut |e| {
            events.push(format!("{e:?}"))
        })
        .unwrap();
    assert_eq!(r.baselined, 2);
    assert_eq!(r.steps.len(), 1);
    assert_eq!(
        history(&mut c),
        vec![
            (1, "baseline".into()),
            (2, "baseline".into()),
            (3, "up".into())
        ]
    );
    // golang-migrate later reverts 3 itself; we follow.
    c.batch_execute("DROP TABLE c; UPDATE schema_migrations SET version = 2")
        .unwrap();
    let st = m.status(&mut c).unwrap();
    assert_eq!(st.migrations[2].state, MigrationState::Pending);
    m.up(&mut c).unwrap();
    assert!(table_exists(&mut c, "c"));
}

#[test]
fn a_schema_qualified_table_is_created_in_its_schema() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = abc();
    let reg = dir.registry();
    let mut o = Options::default();
    o.table = pgcheck::TableName::parse("ops.migrations").unwrap();
    Migrator::with_options(&reg, o).up(&mut c).unwrap();
    let (ver, dirty): (i64, bool) = c
        .query_one("SELECT version, dirty FROM ops.migrations", &[])
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!((ver, dirty), (3, false));
    assert!(table_exists(&mut c, "ops.migrations_history"));
    assert!(!table_exists(&mut c, "schema_migrations"));
}

#[test]
fn dry_run_plans_without_writing() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = abc();
    let reg = dir.registry();
    let plan = Migrator::new(&reg)
        .plan(&mut c, Target::Up { limit: None })
        .unwrap();
    assert_eq!(plan.steps.len(), 3);
    assert!(!table_exists(&mut c, "schema_migrations"));
    assert!(!table_exists(&mut c, "a"));
}

#[test]
fn drop_removes_everything_in_the_schema() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = MigDir::new();
    dir.add(
        "000001_all",
        "CREATE TYPE mood AS ENUM ('ok');
         CREATE DOMAIN posint AS int CHECK (VALUE > 0);
         CREATE TABLE t (id serial PRIMARY KEY, m mood, p posint);
         CREATE VIEW v AS SELECT * FROM t;
         CREATE MATERIALIZED VIEW mv AS SELECT * FROM t;
         CREATE SEQUENCE s;
         CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';
         CREATE TYPE pair AS (a int, b int);",
        Some("-- migrate:irreversible\nSELECT 1;"),
    );
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    m.up(&mut c).unwrap();
    let n = m.drop_all(&mut c).unwrap();
    assert!(n >= 8, "{n}");
    let left: i64 = c
        .query_one(
            "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)
                  + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace)
                  + (SELECT count(*) FROM pg_type WHERE typnamespace = 'public'::regnamespace)",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
    // A fresh start works.
    m.up(&mut c).unwrap();
}

/// `postgres::Config::from_str`, with the test server's URL.
trait FromUrl {
    fn from_str_url(url: &str) -> postgres::Config;
}

impl FromUrl for postgres::Config {
    fn from_str_url(url: &str) -> postgres::Config {
        url.parse().unwrap()
    }
}

#[test]
fn single_transaction_applies_all_or_nothing() {
    let db = TestDb::new();
    let mut c = db.client();
    let dir = abc();
    dir.add(
        "000004_d",
        "CREATE TABLE d (id int);\nSELECT nope FROM d;",
        Some("DROP TABLE d;"),
    );
    let mut o = Options::default();
    o.single_transaction = true;
    let reg = dir.registry();
    let err = Migrator::with_options(&reg, o.clone())
        .up(&mut c)
        .unwrap_err();
    let MigrateError::Failed(f) = &err else {
        panic!("{err}")
    };
    assert_eq!(f.path, "m/000004_d.up.sql");
    assert_eq!(f.pos.map(|p| (p.line, p.col)), Some((2, 8)));
    assert_eq!(f.outcome, Outcome::RolledBack { version: None });
    assert!(!table_exists(&mut c, "a"));
    assert!(!table_exists(&mut c, "schema_migrations_history") || history(&mut c).is_empty());

    dir.add(
        "000004_d",
        "CREATE TABLE d (id int);\nSELECT 1 / 0;",
        Some("DROP TABLE d;"),
    );
    let reg = dir.registry();
    let err = Migrator::with_options(&reg, o.clone())
        .up(&mut c)
        .unwrap_err();
    let MigrateError::Failed(f) = &err else {
        panic!("{err}")
    };
    assert_eq!(
        (f.path.as_str(), f.pos.map(|p| p.line)),
        ("m/000004_d.up.sql", Some(2))
    );

    dir.add(
        "000004_d",
        "CREATE TABLE d (id int);",
        Some("DROP TABLE d;"),
    );
    let reg = dir.registry();
    let r = Migrator::with_options(&reg, o.clone()).up(&mut c).unwrap();
    assert_eq!((r.steps.len(), r.to), (4, Some(v(4))));
    assert_eq!(version_row(&mut c), Some((4, false)));
    let nulls: i64 = c
        .query_one(
            "SELECT count(*) FROM schema_migrations_history WHERE duration_ms IS NULL",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(nulls, 0);

    dir.add(
        "000005_e",
        "-- migrate:no-transaction\nCREATE TABLE e (id int);",
        Some("DROP TABLE e;"),
    );
    let reg = dir.registry();
    let err = Migrator::with_options(&reg, o).up(&mut c).unwrap_err();
    assert!(
        matches!(&err, MigrateError::NotTransactional { migration, .. } if migration.version == v(5)),
        "{err}"
    );
}

/// Session state set by one migration (`SET search_path`, a time zone, a
/// temporary table) never reaches the next: the result is the same whether
/// they run in one `up` or in two, the caller's own settings survive, and the
/// advisory lock is still held while the second one runs.
#[test]
fn session_state_does_not_leak_between_migrations() {
    let dir = MigDir::new();
    dir.add(
        "000001_other",
        "CREATE SCHEMA other;\nSET search_path TO other;\nSET TimeZone = 'Asia/Tokyo';\n\
         CREATE TEMP TABLE scratch (x int);",
        Some("DROP SCHEMA other CASCADE;"),
    )
    .add(
        "000002_seen",
        "CREATE TABLE seen AS SELECT\n\
           (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted\n\
              AND pid = pg_backend_pid()) AS locks,\n\
           current_setting('TimeZone') AS tz,\n\
           to_regclass('pg_temp.scratch') IS NULL AS no_scratch;",
        Some("DROP TABLE seen;"),
    );
    let reg = dir.registry();
    // One `up`, `up -n 1` then `up`, and `up --single-transaction`.
    for split in ["one", "two", "single"] {
        let db = TestDb::new();
        let mut c = db.client();
        c.batch_execute("SET statement_timeout = '123s'").unwrap();
        let tz: String = c.query_one("SHOW TimeZone", &[]).unwrap().get(0);
        let mut o = Options::default();
        o.single_transaction = split == "single";
        let m = Migrator::with_options(&reg, o);
        if split == "two" {
            run(&m, &mut c, Target::Up { limit: Some(1) }).unwrap();
        }
        m.up(&mut c).unwrap();
        let row = c
            .query_one("SELECT locks, seen.tz, no_scratch FROM public.seen", &[])
            .unwrap_or_else(|e| panic!("split {split}: seen is not in public: {e}"));
        let (locks, seen_tz, no_scratch): (i64, String, bool) =
            (row.get(0), row.get(1), row.get(2));
        assert!(locks >= 1, "split {split}: the lock was released");
        assert_eq!(seen_tz, tz, "split {split}");
        assert!(no_scratch, "split {split}");
        let timeout: String = c.query_one("SHOW statement_timeout", &[]).unwrap().get(0);
        assert_eq!(
            timeout, "123s",
            "split {split}: the caller's setting is gone"
        );
    }
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

/// An edited down file of an applied migration is drift too; `--allow-drift`
/// lets one run pass but records nothing; `repair` accepts the change on
/// record (a `repair` history row with the new checksums), and the refusal
/// is gone.
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
    let err = Migrator::new(&reg).up(&mut c).unwrap_err();
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
    Migrator::with_options(&reg, o).up(&mut c).unwrap();
    assert!(
        Migrator::new(&reg).up(&mut c).is_err(),
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
