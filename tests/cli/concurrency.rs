//! 32 processes run `up` at once on a fresh database.

use crate::common::{TempDir, cmd, output, scalar_i64};
use test_support::TestDb;

#[test]
fn thirty_two_processes_apply_each_migration_once() {
    let db = TestDb::new();
    let d = TempDir::new();
    for i in 1..=10 {
        // A little sleep widens the window in which the others wait.
        d.add(
            &format!("{i:06}_t{i}"),
            &format!("CREATE TABLE t{i} (id int);\nSELECT pg_sleep(0.02);"),
            Some(&format!("DROP TABLE t{i};")),
        );
    }
    // A migration without a transaction marks the version dirty while it runs;
    // the waiting processes must not mistake that for a failure.
    d.add(
        "000011_idx",
        "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t1_id ON t1 (id);\nSELECT pg_sleep(0.1);",
        Some("DROP INDEX t1_id;"),
    );
    let children: Vec<_> = (0..32)
        .map(|_| {
            cmd(Some(db.url()))
                .args([
                    "--dir",
                    d.path().to_str().unwrap(),
                    "--lock-timeout",
                    "60s",
                    "up",
                ])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let runs: Vec<_> = children
        .into_iter()
        .map(|c| output(c.wait_with_output().unwrap()))
        .collect();
    for r in &runs {
        assert_eq!(r.code, 0, "{r:?}");
    }
    let mut c = db.client();
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM (SELECT version FROM schema_migrations_history WHERE direction = 'up' \
             GROUP BY version HAVING count(*) = 1) once"
        ),
        11
    );
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM schema_migrations_history"),
        11
    );
    let (v, dirty): (i64, bool) = c
        .query_one("SELECT version, dirty FROM schema_migrations", &[])
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!((v, dirty), (11, false));
    let applied_lines: usize = runs
        .iter()
        .map(|r| r.stdout.matches("applied  ").count())
        .sum();
    assert_eq!(applied_lines, 11);
}
