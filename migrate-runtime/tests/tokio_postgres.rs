//! The migrator on `tokio_postgres` (feature `tokio-postgres`) against a real
//! PostgreSQL, on the tokio runtime an app runs it in.

mod common;

use std::time::Duration;

use common::{LoadRegistry, MigDir, abc};
use pgcheck::error::Outcome;
use pgcheck::migrator::{ChecksumState, MigrationState, golang_migrate_lock_key};
use pgcheck::{MigrateError, Migrator, Options, Registry, Seed, Seeder, Seeds, Target, Version};
use test_support::{AsyncTestDb as Db, connect_async as connect};
use tokio_postgres::{Client, NoTls};

fn v(n: i64) -> Version {
    Version::new(n)
}

async fn table_exists(c: &Client, name: &str) -> bool {
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .await
        .unwrap()
        .get(0)
}

async fn version_row(c: &Client) -> Option<(i64, bool)> {
    let rows = c
        .query("SELECT version, dirty FROM schema_migrations", &[])
        .await
        .unwrap();
    assert!(rows.len() <= 1, "schema_migrations has {} rows", rows.len());
    rows.first().map(|r| (r.get(0), r.get(1)))
}

async fn history(c: &Client) -> Vec<(i64, String)> {
    c.query(
        "SELECT version, direction FROM schema_migrations_history ORDER BY id",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// Advisory locks this session holds (pg_locks is the whole cluster's).
async fn own_locks(c: &Client) -> i64 {
    c.query_one(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
        &[],
    )
    .await
    .unwrap()
    .get(0)
}

#[tokio::test]
async fn applies_reverts_goes_to_versions_and_reports_status() {
    let db = Db::new();
    let mut c = db.client().await;
    let dir = abc();
    let reg = dir.registry();
    let m = Migrator::new(&reg);

    assert_eq!(m.version_async(&mut c).await.unwrap(), None);
    let mut events = Vec::new();
    let r = m
        .run_async(&mut c, Target::Up { limit: None }, &mut |e| {
            if let pgcheck::Event::Finished { step, .. } = e {
                events.push(step.migration.version.get());
            }
        })
        .await
        .unwrap();
    assert_eq!((r.from, r.to, r.steps.len()), (None, Some(v(3)), 3));
    assert_eq!(events, vec![1, 2, 3]);
    assert_eq!(version_row(&c).await, Some((3, false)));
    assert!(table_exists(&c, "c").await);
    assert_eq!(own_locks(&c).await, 0, "the lock is released after a run");

    // Nothing to do: no steps, no new history.
    assert!(m.up_async(&mut c).await.unwrap().steps.is_empty());
    assert_eq!(history(&c).await.len(), 3);

    let down = |steps| Target::Down { steps };
    let r = m.run_async(&mut c, down(1), &mut |_| {}).await.unwrap();
    assert_eq!(r.to, Some(v(2)));
    assert!(!table_exists(&c, "c").await);
    m.run_async(&mut c, Target::To(v(1)), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(version_row(&c).await, Some((1, false)));
    assert!(!table_exists(&c, "b").await);
    let plan = m.plan_async(&mut c, Target::To(v(3))).await.unwrap();
    assert_eq!(plan.steps.len(), 2);
    m.run_async(&mut c, Target::DownAll, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(version_row(&c).await, None);
    m.run_async(&mut c, Target::Up { limit: Some(2) }, &mut |_| {})
        .await
        .unwrap();

    let st = m.status_async(&mut c).await.unwrap();
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
    let h = history(&c).await;
    assert_eq!(h.first(), Some(&(1, "up".to_owned())));
    assert_eq!(h.iter().filter(|(_, d)| d == "down").count(), 3);
}

#[tokio::test]
async fn the_blocking_and_the_async_client_record_the_same_history() {
    let dir = abc();
    let blocking = Db::new();
    let path = dir.path().to_owned();
    let url = blocking.url().to_owned();
    // The blocking client on a thread of its own, as a sync app would run it.
    std::thread::spawn(move || {
        let reg = Registry::from_dir_with(&path, "m", None, "schema_migrations").unwrap();
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let m = Migrator::new(&reg);
        m.up(&mut c).unwrap();
        m.run(&mut c, Target::Down { steps: 1 }, &mut |_| {})
            .unwrap();
    })
    .join()
    .unwrap();
    let db = Db::new();
    let mut c = db.client().await;
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    m.up_async(&mut c).await.unwrap();
    m.run_async(&mut c, Target::Down { steps: 1 }, &mut |_| {})
        .await
        .unwrap();
    let rows = "SELECT version, name, checksum, down_checksum, direction, applied_by \
                FROM schema_migrations_history ORDER BY id";
    let mut b = blocking.client().await;
    let text = |rows: Vec<tokio_postgres::Row>| -> Vec<Vec<Option<String>>> {
        rows.iter()
            .map(|r| {
                (0..r.len())
                    .map(|i| {
                        r.try_get::<_, Option<String>>(i)
                            .unwrap_or_else(|_| r.get::<_, Option<i64>>(i).map(|n| n.to_string()))
                    })
                    .collect()
            })
            .collect()
    };
    assert_eq!(
        text(c.query(rows, &[]).await.unwrap()),
        text(b.query(rows, &[]).await.unwrap())
    );
    assert_eq!(version_row(&c).await, version_row(&b).await);
    let mut states = Vec::new();
    for client in [&mut c, &mut b] {
        let st = m.status_async(client).await.unwrap();
        let s: Vec<_> = st
            .migrations
            .iter()
            .map(|s| (s.version, s.state, s.checksum_state))
            .collect();
        states.push(s);
    }
    assert_eq!(states[0], states[1]);
}

#[tokio::test]
async fn a_failing_third_statement_leaves_nothing_behind() {
    let db = Db::new();
    let mut c = db.client().await;
    let dir = MigDir::new();
    dir.add("000001_a", "CREATE TABLE a (id int);", Some("DROP TABLE a;")).add(
        "000002_b",
        "-- two tables, then a value only PostgreSQL can refuse\nCREATE TABLE b1 (id int);\nCREATE TABLE b2 (id int);\n  INSERT INTO b1 VALUES ('x');\nCREATE TABLE b4 (id int);\n",
        Some("DROP TABLE b4; DROP TABLE b2; DROP TABLE b1;"),
    );
    let reg = dir.registry();
    let err = Migrator::new(&reg).up_async(&mut c).await.unwrap_err();
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
    assert_eq!(version_row(&c).await, Some((1, false)));
    assert!(!table_exists(&c, "b1").await && !table_exists(&c, "b2").await);
    assert_eq!(history(&c).await, vec![(1, "up".to_owned())]);
    // The session is usable afterwards, not in an aborted transaction, and
    // holds no lock: a pooled connection can go back to its pool.
    c.batch_execute("SELECT 1").await.unwrap();
    assert_eq!(own_locks(&c).await, 0);
}

/// The prepared statements of this session, but the client's own (`s0`,
/// `s1`, ..., the test's queries).
async fn prepared(c: &Client) -> Vec<String> {
    c.query(
        "SELECT name FROM pg_prepared_statements WHERE name !~ '^s[0-9]+$' ORDER BY name",
        &[],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

// Over this client each step's rows are one prepared statement. A migration
// that removes it (DEALLOCATE ALL, named in its text or hidden in a function)
// still applies exactly once and is recorded as any other; the run goes on
// with its rows as text, and leaves the caller's session without it, after a
// run that went through as after one that failed.
#[tokio::test]
async fn a_migration_that_removes_the_prepared_rows_applies_once_and_is_recorded() {
    let db = Db::new();
    let mut c = db.client().await;
    c.batch_execute("PREPARE callers_own AS SELECT 1")
        .await
        .unwrap();
    let dir = MigDir::new();
    dir.add(
        "000001_t",
        "CREATE TABLE t (n int);\nCREATE SEQUENCE runs;",
        Some("DROP TABLE t;\nDROP SEQUENCE runs;"),
    )
    .add("000002_u", "INSERT INTO t VALUES (2);", Some("DELETE FROM t WHERE n = 2;"))
    // The word is not in the text: the statement is found missing at COMMIT.
    .add(
        "000003_hidden",
        "SELECT nextval('runs');\nDO $$ BEGIN EXECUTE 'DEALL' || 'OCATE ALL'; END $$;\nINSERT INTO t VALUES (3);",
        Some("DELETE FROM t WHERE n = 3;"),
    )
    .add("000004_v", "INSERT INTO t VALUES (4);", Some("DELETE FROM t WHERE n = 4;"));
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    m.up_async(&mut c).await.unwrap();
    let rows: Vec<i32> = c
        .query("SELECT n FROM t ORDER BY n", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(rows, vec![2, 3, 4], "each migration applied once");
    // Outside its transaction, the hidden one's nextval ran twice.
    let runs: i64 = c
        .query_one("SELECT last_value FROM runs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(runs, 2);
    assert_eq!(
        history(&c).await,
        (1..=4).map(|n| (n, "up".to_owned())).collect::<Vec<_>>()
    );
    assert_eq!(version_row(&c).await, Some((4, false)));
    assert!(prepared(&c).await.is_empty(), "{:?}", prepared(&c).await);

    // Named in the text: its rows go as text from the start, nothing runs
    // twice, and the caller's own statement (gone with DEALLOCATE ALL here)
    // is the migration's business.
    c.batch_execute("PREPARE callers_own AS SELECT 1")
        .await
        .unwrap();
    dir.add(
        "000005_named",
        "SELECT nextval('runs');\nDEALLOCATE ALL;\nINSERT INTO t VALUES (5);",
        Some("DELETE FROM t WHERE n = 5;"),
    )
    .add(
        "000006_w",
        "INSERT INTO t VALUES (6);",
        Some("DELETE FROM t WHERE n = 6;"),
    );
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    m.up_async(&mut c).await.unwrap();
    let runs: i64 = c
        .query_one("SELECT last_value FROM runs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(runs, 3);
    assert_eq!(version_row(&c).await, Some((6, false)));
    assert!(prepared(&c).await.is_empty());

    // Down the same way, then a run that fails after two steps: the session
    // keeps the caller's statements and none of the tool's.
    c.batch_execute("PREPARE callers_own AS SELECT 1")
        .await
        .unwrap();
    m.run_async(&mut c, Target::Down { steps: 3 }, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(version_row(&c).await, Some((3, false)));
    assert_eq!(prepared(&c).await, vec!["callers_own".to_owned()]);
    let down: Vec<_> = history(&c)
        .await
        .into_iter()
        .filter(|(_, d)| d == "down")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(down, vec![6, 5, 4]);

    let db = Db::new();
    let mut c = db.client().await;
    c.batch_execute("PREPARE callers_own AS SELECT 1")
        .await
        .unwrap();
    let dir = abc();
    dir.add("000004_fails", "SELECT 1 / 0;", Some("SELECT 1;"));
    let reg = dir.registry();
    let err = Migrator::new(&reg).up_async(&mut c).await.unwrap_err();
    assert_eq!(failed(&err).sqlstate.as_deref(), Some("22012"), "{err}");
    assert_eq!(version_row(&c).await, Some((3, false)));
    assert_eq!(prepared(&c).await, vec!["callers_own".to_owned()]);
}

/// The error of a run that was to fail.
fn failed(err: &MigrateError) -> &pgcheck::MigrationFailure {
    match err {
        MigrateError::Failed(f) => f,
        other => panic!("{other}"),
    }
}

// Over this client a migration goes in one message, and the count of its
// statements that completed names the one that failed when the error has no
// position; rows of a SELECT before it do not count as statements.
#[tokio::test]
async fn an_error_without_a_position_in_one_message_is_located_by_count() {
    let db = Db::new();
    let mut c = db.client().await;
    let dir = MigDir::new();
    dir.add(
        "000001_a",
        "CREATE TABLE é (id int);\nSELECT generate_series(1, 3);\nINSERT INTO é VALUES (1);\n  SELECT 1 / 0;\nSELECT 2;\n",
        Some("DROP TABLE é;"),
    );
    let reg = dir.registry();
    for single_transaction in [false, true] {
        let mut o = Options::default();
        o.single_transaction = single_transaction;
        let err = Migrator::with_options(&reg, o)
            .up_async(&mut c)
            .await
            .unwrap_err();
        let f = failed(&err);
        assert_eq!(f.sqlstate.as_deref(), Some("22012"), "{err}");
        assert_eq!(f.statement, Some(4), "{err}");
        assert_eq!(f.pos.map(|p| (p.line, p.col)), Some((4, 3)), "{err}");
        assert_eq!(version_row(&c).await, None);
        assert!(!table_exists(&c, "é").await);
    }
    c.batch_execute("SELECT 1").await.unwrap();
    assert_eq!(own_locks(&c).await, 0);
}

#[tokio::test]
async fn in_one_message_a_migration_runs_once_and_a_failed_commit_is_named() {
    for single_transaction in [false, true] {
        let db = Db::new();
        let mut c = db.client().await;
        let dir = MigDir::new();
        dir.add(
            "000001_seq",
            "CREATE SEQUENCE hits;",
            Some("DROP SEQUENCE hits;"),
        );
        let mut o = Options::default();
        o.single_transaction = single_transaction;
        Migrator::with_options(&dir.registry(), o.clone())
            .up_async(&mut c)
            .await
            .unwrap();
        dir.add(
            "000002_fails",
            "SELECT nextval('hits');\nSELECT 1 / (SELECT count(*) FROM pg_class WHERE false);",
            Some("SELECT 1;"),
        );
        let err = Migrator::with_options(&dir.registry(), o.clone())
            .up_async(&mut c)
            .await
            .unwrap_err();
        let f = failed(&err);
        assert_eq!(
            (f.statement, f.pos.map(|p| p.line)),
            (Some(2), Some(2)),
            "{err}"
        );
        let hits: i64 = c
            .query_one("SELECT last_value FROM hits", &[])
            .await
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
        let err = Migrator::with_options(&dir.registry(), o)
            .up_async(&mut c)
            .await
            .unwrap_err();
        let f = failed(&err);
        assert!(f.at_commit && !f.in_bookkeeping, "{err}");
        assert_eq!(f.sqlstate.as_deref(), Some("23503"), "{err}");
        assert_eq!(version_row(&c).await, Some((1, false)));
        assert!(!table_exists(&c, "p").await);
        assert_eq!(history(&c).await, vec![(1, "up".to_owned())]);
        c.batch_execute("SELECT 1").await.unwrap();
    }
}

// The server reads a message whole before it runs any of it, so a statement
// that turns standard_conforming_strings off would not change how the next
// one in the same message reads a backslash; psql sends them apart, and a
// script with a backslash goes apart here too.
#[tokio::test]
async fn a_script_with_a_backslash_reads_its_strings_as_psql_does() {
    let db = Db::new();
    let mut c = db.client().await;
    let dir = MigDir::new();
    dir.add(
        "000001_s",
        "SET standard_conforming_strings = off;\nCREATE TABLE s AS SELECT 'a\\\\b'::text AS v;\n",
        Some("DROP TABLE s;"),
    );
    Migrator::new(&dir.registry())
        .up_async(&mut c)
        .await
        .unwrap();
    let v: String = c.query_one("SELECT v FROM s", &[]).await.unwrap().get(0);
    assert_eq!(v, "a\\b", "read as with standard_conforming_strings off");
    // The setting did not reach the session after the run.
    let scs: String = c
        .query_one("SHOW standard_conforming_strings", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(scs, "on");
}

// A script too large for one message goes a statement at a time, and its
// failing statement is named all the same.
#[tokio::test]
async fn a_large_script_goes_a_statement_at_a_time() {
    let db = Db::new();
    let mut c = db.client().await;
    let dir = MigDir::new();
    let big = format!(
        "CREATE TABLE big AS SELECT '{}'::text AS v;\nSELECT 1 / (SELECT count(*) FROM big WHERE false);\n",
        "x".repeat(300 * 1024)
    );
    dir.add("000001_big", &big, Some("DROP TABLE big;"));
    let err = Migrator::new(&dir.registry())
        .up_async(&mut c)
        .await
        .unwrap_err();
    let f = failed(&err);
    assert_eq!(
        (f.statement, f.pos.map(|p| p.line)),
        (Some(2), Some(2)),
        "{err}"
    );
    assert!(!table_exists(&c, "big").await);
}

// The history row rides in the migration's own message, so the server times
// the migration (from the message's arrival to the row).
#[tokio::test]
async fn the_history_records_how_long_a_migration_in_one_message_took() {
    let db = Db::new();
    let mut c = db.client().await;
    let dir = MigDir::new();
    dir.add(
        "000001_slow",
        "SELECT pg_sleep(0.3);",
        Some("SELECT pg_sleep(0.3);"),
    );
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    m.up_async(&mut c).await.unwrap();
    m.run_async(&mut c, Target::DownAll, &mut |_| {})
        .await
        .unwrap();
    let took: Vec<i64> = c
        .query(
            "SELECT duration_ms FROM schema_migrations_history ORDER BY id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(took.len(), 2, "{took:?}");
    assert!(
        took.iter().all(|&ms| (300..10_000).contains(&ms)),
        "{took:?}"
    );
}

#[tokio::test]
async fn a_failing_migration_without_transaction_is_dirty_until_forced() {
    let db = Db::new();
    let mut c = db.client().await;
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
    );
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    let err = m.up_async(&mut c).await.unwrap_err();
    let MigrateError::Failed(f) = &err else {
        panic!("{err}")
    };
    assert_eq!(f.statement, Some(2));
    assert!(
        matches!(f.outcome, Outcome::Dirty { .. }),
        "{:?}",
        f.outcome
    );
    assert_eq!(version_row(&c).await, Some((2, true)));
    // The statement before the failing one took effect.
    assert!(table_exists(&c, "t_c_idx").await);
    // A dirty database is refused until someone has looked.
    let err = m.up_async(&mut c).await.unwrap_err();
    assert!(matches!(err, MigrateError::Dirty { .. }), "{err}");
    m.force_async(&mut c, Some(v(2))).await.unwrap();
    assert_eq!(version_row(&c).await, Some((2, false)));
    assert_eq!(m.version_async(&mut c).await.unwrap(), Some((v(2), false)));
}

#[tokio::test]
async fn drift_is_refused_until_repaired() {
    let db = Db::new();
    let mut c = db.client().await;
    let dir = abc();
    Migrator::new(&dir.registry())
        .up_async(&mut c)
        .await
        .unwrap();
    dir.add(
        "000002_b",
        "CREATE TABLE b (id bigint);",
        Some("DROP TABLE b;"),
    );
    let reg = dir.registry();
    let m = Migrator::new(&reg);
    let err = m
        .run_async(&mut c, Target::Down { steps: 1 }, &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, MigrateError::Drift(_)), "{err}");
    assert_eq!(m.problems_async(&mut c).await.unwrap().len(), 1);
    let repaired = m.repair_async(&mut c).await.unwrap();
    assert_eq!(repaired.accepted.len(), 1);
    assert!(m.problems_async(&mut c).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_lock_held_by_another_session_is_waited_for_then_times_out_naming_it() {
    let db = Db::new();
    let holder = connect(db.url(), "lock-holder-test").await;
    let key = golang_migrate_lock_key("public", "schema_migrations", db.name());
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .await
        .unwrap();
    let pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);

    let dir = abc();
    let reg = dir.registry();
    let mut o = Options::default();
    o.lock_timeout = Duration::from_millis(300);
    let mut c = db.client().await;
    let err = Migrator::with_options(&reg, o)
        .up_async(&mut c)
        .await
        .unwrap_err();
    let MigrateError::LockTimeout { holders, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(holders[0].pid, pid);
    assert!(err.to_string().contains("lock-holder-test"), "{err}");
    // Nothing was written: the tables are only created under the lock.
    assert!(!table_exists(&c, "schema_migrations").await);

    // A run that may wait gets the lock once the holder lets go; the wait
    // sleeps on the runtime, so the holder's task runs meanwhile on this
    // (single-threaded) runtime.
    let release = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        holder
            .execute("SELECT pg_advisory_unlock($1)", &[&key])
            .await
            .unwrap();
    };
    let m = Migrator::new(&reg);
    let (report, ()) = tokio::join!(m.up_async(&mut c), release);
    assert_eq!(report.unwrap().steps.len(), 3);
    assert_eq!(own_locks(&c).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_in_a_spawned_task_of_a_multi_thread_runtime() {
    // What `#[tokio::main]` sets up; the blocking client panics here
    // ("Cannot start a runtime from within a runtime").
    let db = Db::new();
    let url = db.url().to_owned();
    let dir = abc();
    let path = dir.path().to_owned();
    let task = tokio::spawn(async move {
        let reg = Registry::from_dir_with(&path, "m", None, "schema_migrations").unwrap();
        let mut c = connect(&url, "spawned").await;
        let report = Migrator::new(&reg).up_async(&mut c).await.unwrap();
        (report.to, version_row(&c).await)
    });
    assert_eq!(task.await.unwrap(), (Some(v(3)), Some((3, false))));
}

#[tokio::test]
async fn a_deadpool_connection_migrates_and_goes_back_to_the_pool_clean() {
    let db = Db::new();
    let pool = {
        let config: tokio_postgres::Config = db.url().parse().unwrap();
        let manager = deadpool_postgres::Manager::new(config, NoTls);
        deadpool_postgres::Pool::builder(manager)
            .max_size(1)
            .build()
            .unwrap()
    };
    let dir = MigDir::new();
    dir.add(
        "000001_a",
        "CREATE SCHEMA app;\nSET search_path = app;\nCREATE TABLE a (id int);",
        Some("DROP SCHEMA app CASCADE;"),
    );
    let reg = dir.registry();
    let mut conn = pool.get().await.unwrap();
    let pid: i32 = conn
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .unwrap()
        .get(0);
    let report = Migrator::new(&reg).up_async(&mut conn).await.unwrap();
    assert_eq!(report.to, Some(v(1)));
    drop(conn);

    // The pool's one connection again: the migration's SET did not stay, no
    // transaction is open, no lock is held.
    let conn = pool.get().await.unwrap();
    // One simple-protocol message: the first statement of a transaction has
    // now() = statement_timestamp(), so an open transaction would show.
    let row = conn
        .simple_query(
            "SELECT pg_backend_pid(), current_setting('search_path'), \
                    now() = statement_timestamp()",
        )
        .await
        .unwrap()
        .into_iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                (0..3)
                    .map(|i| r.get(i).unwrap_or("").to_owned())
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .unwrap();
    assert_eq!(row[0], pid.to_string(), "the same pooled session");
    assert_eq!(row[1], "\"$user\", public");
    assert_eq!(row[2], "t", "no transaction was left open");
    assert_eq!(own_locks(&conn).await, 0);
    assert!(table_exists(&conn, "app.a").await);
}

/// bb8's pooled connection derefs to the client as deadpool's does: the
/// migrator takes it as it is, and gives it back with no lock held and no
/// transaction open.
#[tokio::test]
async fn a_bb8_connection_migrates_and_goes_back_to_the_pool_clean() {
    let db = Db::new();
    let config: tokio_postgres::Config = db.url().parse().unwrap();
    let manager = bb8_postgres::PostgresConnectionManager::new(config, NoTls);
    let pool = bb8::Pool::builder()
        .max_size(1)
        .build(manager)
        .await
        .unwrap();
    let dir = MigDir::new();
    dir.add(
        "000001_a",
        "CREATE TABLE a (id int);",
        Some("DROP TABLE a;"),
    );
    let reg = dir.registry();
    let mut conn = pool.get().await.unwrap();
    let report = Migrator::new(&reg).up_async(&mut conn).await.unwrap();
    assert_eq!(report.to, Some(v(1)));
    drop(conn);
    let mut conn = pool.get().await.unwrap();
    assert_eq!(own_locks(&conn).await, 0);
    assert!(table_exists(&conn, "public.a").await);
    let st = Migrator::new(&reg).status_async(&mut conn).await.unwrap();
    assert_eq!((st.version, st.pending()), (Some(1), 0));
}

#[tokio::test]
async fn seeds_run_and_clean_each_in_a_transaction() {
    let db = Db::new();
    let mut c = db.client().await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .unwrap();
    let seed = |name: &str, sql: &str| Seed {
        name: name.to_owned().into(),
        path: format!("seeds/{name}.sql").into(),
        sql: sql.to_owned().into(),
    };
    let seeds = Seeds::new(
        vec![
            seed("01_one", "INSERT INTO t VALUES (1);"),
            seed(
                "02_two",
                "INSERT INTO t VALUES (2);\nINSERT INTO t VALUES (1);",
            ),
        ],
        Some(seed("clean", "DELETE FROM t;")),
    );
    let mut done = Vec::new();
    let err = Seeder::new(&seeds)
        .seed_async(&mut c, &mut |s, _| done.push(s.name.to_string()))
        .await
        .unwrap_err();
    let MigrateError::Failed(f) = &err else {
        panic!("{err}")
    };
    assert_eq!(f.path, "seeds/02_two.sql");
    assert_eq!(f.sqlstate.as_deref(), Some("23505"));
    assert_eq!(done, vec!["01_one"]);
    let ids: Vec<i32> = c
        .query("SELECT id FROM t ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![1], "the failed file left nothing");
    assert!(
        Seeder::new(&seeds)
            .clean_async(&mut c)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        c.query_one("SELECT count(*) FROM t", &[])
            .await
            .unwrap()
            .get::<_, i64>(0),
        0
    );
}
