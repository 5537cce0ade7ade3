//! `kill -9` while a migration runs: the rerun applies it, no `force` needed.

mod cli_common;

use std::time::{Duration, Instant};

use cli_common::{TempDir, cmd, output, scalar_i64};
use test_support::TestDb;

#[test]
fn a_killed_run_leaves_nothing_half_done() {
    let db = TestDb::new();
    let mut c = db.client();
    let d = TempDir::new();
    d.add(
        "000001_a",
        "CREATE TABLE a (id int);",
        Some("DROP TABLE a;"),
    )
    .add(
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
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let sleeping = scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'novacron-db' \
             AND query LIKE '%pg_sleep%' AND state = 'active'",
        );
        if sleeping > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the migration never started");
        std::thread::sleep(Duration::from_millis(50));
    }
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
