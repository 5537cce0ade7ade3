//! A long migration is not silent until it ends: in a log (stderr not a
//! terminal) a `still applying ...` line appears after 5 s.

use crate::common::{TempDir, run};
use test_support::TestDb;

#[test]
fn a_long_migration_says_it_is_still_running() {
    let _one = crate::common::one_timing_test_at_a_time();
    let db = TestDb::new();
    let d = TempDir::new();
    d.add(
        "000001_slow",
        "CREATE TABLE slow (id int); SELECT pg_sleep(6);",
        Some("DROP TABLE slow;"),
    )
    .add(
        "000002_quick",
        "CREATE TABLE quick (id int);",
        Some("DROP TABLE quick;"),
    );
    let r = run(Some(db.url()), &["--dir", d.path().to_str().unwrap(), "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("applied  000001_slow"), "{r:?}");
    // Once, with the elapsed time, and not for the quick one.
    assert_eq!(
        r.stderr
            .matches("still applying 000001_slow after 5s")
            .count(),
        1,
        "{r:?}"
    );
    assert!(!r.stderr.contains("000002_quick"), "{r:?}");
}
