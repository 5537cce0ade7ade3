//! `kill -9` while a migration runs: the rerun applies it, no `force` needed.

use std::time::{Duration, Instant};

use crate::common::{cmd, dir_with_a, output, scalar_i64};
use test_support::TestDb;

#[test]
fn a_killed_run_leaves_nothing_half_done() {
    let _one = crate::common::one_timing_test_at_a_time();
    let db = TestDb::new();
    let mut c = db.client();
    let d = dir_with_a();
    d.add(
        "000002_slow",
        "CREATE TABLE slow (id int);\n\
         SELECT pg_sleep(CASE WHEN to_regclass('slow_marker') IS NULL THEN 0 ELSE 60 END);\n",
        Some("DROP TABLE slow;"),
    );
    c.batch_execute("CREATE TABLE slow_marker ()").unwrap();
    let dir = d.path().to_str().unwrap();
    let mut child = cmd(Some(db.url()))
        .args(["--dir", dir, "up"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_for_sleep(&mut c);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    c.batch_execute("DROP TABLE slow_marker").unwrap();

    let start = Instant::now();
    let r = output(
        cmd(Some(db.url()))
            .args(["--dir", dir, "up"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("applied  000002_slow"), "{r:?}");
    // The server dropped the dead session within about a second instead of
    // sleeping on for a minute with the lock.
    assert!(
        start.elapsed() < Duration::from_secs(15),
        "{:?}",
        start.elapsed()
    );
    let (v, dirty): (i64, bool) = c
        .query_one("SELECT version, dirty FROM schema_migrations", &[])
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!((v, dirty), (2, false));
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM schema_migrations_history WHERE version = 2"
        ),
        1
    );
}

/// SIGINT (Ctrl-C) and SIGTERM while a migration sleeps: the statement is
/// cancelled at once through PostgreSQL's cancel request, its transaction
/// rolls back, the lock is released, the output says what was applied and
/// where it stopped, and the exit code is 130 or 143.
#[test]
fn sigint_and_sigterm_cancel_the_running_statement_and_stop() {
    let _one = crate::common::one_timing_test_at_a_time();
    for (signal, code) in [("INT", 130), ("TERM", 143)] {
        let db = TestDb::new();
        let mut c = db.client();
        let d = dir_with_a();
        d.add(
            "000002_slow",
            "CREATE TABLE slow (id int);\nSELECT pg_sleep(60);\n",
            Some("DROP TABLE slow;"),
        )
        .add(
            "000003_c",
            "CREATE TABLE c (id int);",
            Some("DROP TABLE c;"),
        );
        let dir = d.path().to_str().unwrap();
        let child = up_until_it_sleeps(&db, &mut c, dir);
        let start = Instant::now();
        send(&child, signal);
        let r = output(child.wait_with_output().unwrap());
        assert!(start.elapsed() < Duration::from_secs(10), "{signal}: {r:?}");
        assert_eq!(r.code, code, "{signal}: {r:?}");
        assert!(r.stdout.contains("applied  000001_a"), "{signal}: {r:?}");
        assert!(
            r.stderr.contains("canceling statement due to user request")
                && r.stderr.contains(&format!(
                    "interrupted by SIG{signal}: 1 migration done in this run; \
                     000002_slow was cancelled (see above); the database is at version 1"
                )),
            "{signal}: {r:?}"
        );
        let (v, dirty): (i64, bool) = c
            .query_one("SELECT version, dirty FROM schema_migrations", &[])
            .map(|r| (r.get(0), r.get(1)))
            .unwrap();
        assert_eq!((v, dirty), (1, false), "{signal}");
        assert_eq!(
            scalar_i64(
                &mut c,
                "SELECT count(*) FROM pg_class WHERE relname IN ('slow', 'c')"
            ),
            0,
            "{signal}: the cancelled migration or a later one left something"
        );
        // The lock is free: a command that takes it does not wait.
        let r = output(
            cmd(Some(db.url()))
                .args(["--dir", dir, "--lock-timeout", "0", "force", "1"])
                .output()
                .unwrap(),
        );
        assert_eq!(r.code, 0, "{signal}: {r:?}");
    }
}

/// Starts `up` over `dir`, output captured, and returns once it sleeps.
fn up_until_it_sleeps(db: &TestDb, c: &mut postgres::Client, dir: &str) -> std::process::Child {
    let child = cmd(Some(db.url()))
        .args(["--dir", dir, "up"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_sleep(c);
    child
}

/// `kill -SIGNAL` the child.
fn send(child: &std::process::Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal}");
}

/// Waits until the binary's session on `c`'s database sleeps in a migration
/// (pg_stat_activity is the whole cluster's: other tests sleep too): in
/// pg_sleep itself, not merely running the statement that calls it, so a
/// cancel lands where the migration expects it.
fn wait_for_sleep(c: &mut postgres::Client) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let sleeping = scalar_i64(
            c,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'novacron-db' \
             AND datname = current_database() AND query LIKE '%pg_sleep%' AND state = 'active' \
             AND wait_event = 'PgSleep'",
        );
        if sleeping > 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the migration never started");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A second Ctrl-C exits at once, even while the statement keeps running (this
/// one catches the cancel and sleeps on); the server rolls it back when the
/// connection goes, so the migration is not applied.
#[test]
fn a_second_sigint_exits_at_once() {
    let _one = crate::common::one_timing_test_at_a_time();
    let db = TestDb::new();
    let mut c = db.client();
    let d = dir_with_a();
    d.add(
        "000002_stubborn",
        // Every cancel is caught: on a loaded machine the statement was
        // sometimes cancelled a second time (about one run in three at 6 test
        // threads; the cause is not known), and what is checked here is only
        // that the second Ctrl-C does not wait for the statement at all.
        "CREATE TABLE stubborn (id int);\n\
         DO $$ BEGIN LOOP BEGIN PERFORM pg_sleep(30); EXIT; \
         EXCEPTION WHEN query_canceled THEN NULL; END; END LOOP; END $$;\n",
        Some("DROP TABLE stubborn;"),
    );
    let dir = d.path().to_str().unwrap();
    let mut child = up_until_it_sleeps(&db, &mut c, dir);
    // stderr read as it comes: the second signal goes only once the first was
    // handled, since a process that has not yet taken a signal sees two as one.
    let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let reader = {
        let (mut pipe, stderr) = (child.stderr.take().unwrap(), stderr.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while let Ok(n @ 1..) = std::io::Read::read(&mut pipe, &mut buf) {
                stderr
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        })
    };
    let start = Instant::now();
    send(&child, "INT");
    while !stderr.lock().unwrap().contains("once more exits at once") {
        assert!(start.elapsed() < Duration::from_secs(10), "{stderr:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    send(&child, "INT");
    let mut r = output(child.wait_with_output().unwrap());
    reader.join().unwrap();
    r.stderr = stderr.lock().unwrap().clone();
    assert!(start.elapsed() < Duration::from_secs(10), "{r:?}");
    assert_eq!(r.code, 130, "{r:?}");
    assert!(r.stderr.contains("once more exits at once"), "{r:?}");
    // It did not wait for the statement to end and report.
    assert!(!r.stderr.contains("interrupted by SIGINT:"), "{r:?}");
    // The server ends the orphaned session and rolls its migration back.
    let deadline = Instant::now() + Duration::from_secs(20);
    while scalar_i64(
        &mut c,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND application_name = 'novacron-db'",
    ) > 0
    {
        assert!(Instant::now() < deadline, "the session outlived its client");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        scalar_i64(&mut c, "SELECT version FROM schema_migrations"),
        1
    );
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_class WHERE relname = 'stubborn'"
        ),
        0
    );
}
