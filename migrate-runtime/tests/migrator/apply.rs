//! Applying, reverting and going to versions: the lock, golang-migrate's
//! history, dry runs, one transaction for all, and session state kept apart.

use super::*;

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

/// A run of downs that only `DROP` skips the session reset between them (see
/// `migrator/session_reset.rs`), but never where user code may have run: an
/// event trigger there before the run, or made by an earlier step of it,
/// that changes a setting on `sql_drop` does not leave it changed for the
/// caller, nor for the migrations after it.
#[test]
fn downs_that_only_drop_still_reset_where_an_event_trigger_may_run() {
    let trigger = "CREATE FUNCTION tokyo() RETURNS event_trigger LANGUAGE plpgsql AS \
                   $$ BEGIN PERFORM set_config('TimeZone', 'Asia/Tokyo', false); END $$;\n\
                   CREATE EVENT TRIGGER tokyo ON sql_drop EXECUTE FUNCTION tokyo();";
    let dir = MigDir::new();
    dir.add("000001_a", "CREATE TABLE a (x int);", Some("DROP TABLE a;"))
        .add("000002_b", "CREATE TABLE b (x int);", Some("DROP TABLE b;"));
    // Made (enabled) by a step of the run: the first down, which is no DROP.
    let made = MigDir::new();
    made.add(
        "000001_a",
        &format!("CREATE TABLE a (x int);\n{trigger}\nALTER EVENT TRIGGER tokyo DISABLE;"),
        Some("DROP EVENT TRIGGER tokyo;\nDROP FUNCTION tokyo();\nDROP TABLE a;"),
    )
    .add("000002_b", "CREATE TABLE b (x int);", Some("DROP TABLE b;"))
    .add(
        "000003_on",
        "ALTER EVENT TRIGGER tokyo DISABLE;",
        Some("ALTER EVENT TRIGGER tokyo ENABLE;"),
    );
    for (case, dir, before) in [
        ("there before", &dir, true),
        ("made by a step", &made, false),
    ] {
        let db = TestDb::new();
        let mut c = db.client();
        let reg = dir.registry();
        let m = Migrator::new(&reg);
        m.up(&mut c).unwrap();
        if before {
            c.batch_execute(trigger).unwrap();
        }
        let tz: String = c.query_one("SHOW TimeZone", &[]).unwrap().get(0);
        assert_ne!(tz, "Asia/Tokyo");
        run(&m, &mut c, Target::DownAll).unwrap();
        let after: String = c.query_one("SHOW TimeZone", &[]).unwrap().get(0);
        assert_eq!(
            after, tz,
            "{case}: the event trigger's setting reached the caller"
        );
        let left: i64 = c
            .query_one(
                "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b')",
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(left, 0, "{case}");
    }
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
