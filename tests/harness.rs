//! The test harness itself: every `TestDb` is a database of its own, and it is gone
//! once the value is dropped, also when the test panics.
//!
//! Needs the server of `DB_TEST_URL` (`scripts/ensure-postgres.sh --also-test`).

use std::panic::{self, AssertUnwindSafe};

use test_support::{TestDb, database_exists};

/// True when a table of that name exists in the connected database.
fn table_exists(client: &mut postgres::Client, table: &str) -> bool {
    client
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .expect("to_regclass")
        .get(0)
}

#[test]
fn test_db_is_usable_and_dropped() {
    let db = TestDb::new();
    let name = db.name().to_owned();
    assert!(
        name.starts_with("nctest_"),
        "unexpected test database name {name}"
    );
    assert!(database_exists(&name), "{name} should exist while in scope");
    assert!(
        db.url().contains(&name),
        "url() should point at the test database"
    );

    {
        let mut client = db.client();
        let current: String = client
            .query_one("SELECT current_database()", &[])
            .unwrap()
            .get(0);
        assert_eq!(current, name);
        client
            .batch_execute("CREATE TABLE t (id int PRIMARY KEY, label text NOT NULL)")
            .unwrap();
        client
            .execute(
                "INSERT INTO t (id, label) VALUES ($1, $2), ($3, $4)",
                &[&1i32, &"one", &2i32, &"two"],
            )
            .unwrap();
        let rows: Vec<(i32, String)> = client
            .query("SELECT id, label FROM t ORDER BY id", &[])
            .unwrap()
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        assert_eq!(rows, vec![(1, "one".to_owned()), (2, "two".to_owned())]);
        // The client stays open on purpose until here: dropping the TestDb below
        // must not depend on the test closing its connections first.
        drop(db);
        assert!(
            client.is_closed() || client.simple_query("SELECT 1").is_err(),
            "the dropped database's connection should have been terminated"
        );
    }

    assert!(
        !database_exists(&name),
        "{name} should be dropped with its TestDb"
    );
}

#[test]
fn test_dbs_are_isolated() {
    let a = TestDb::new();
    let b = TestDb::new();
    assert_ne!(a.name(), b.name());
    assert_ne!(a.url(), b.url());

    let mut ca = a.client();
    let mut cb = b.client();
    ca.batch_execute("CREATE TABLE only_in_a (x int); INSERT INTO only_in_a VALUES (42)")
        .unwrap();

    assert!(table_exists(&mut ca, "only_in_a"));
    assert!(
        !table_exists(&mut cb, "only_in_a"),
        "a table created in {} is visible in {}",
        a.name(),
        b.name()
    );
    let x: i32 = ca.query_one("SELECT x FROM only_in_a", &[]).unwrap().get(0);
    assert_eq!(x, 42);
}

#[test]
fn test_db_dropped_on_panic() {
    let mut name = None;
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        let db = TestDb::new();
        name = Some(db.name().to_owned());
        let mut client = db.client();
        client.batch_execute("CREATE TABLE doomed (x int)").unwrap();
        panic!("deliberate panic inside a test that owns {}", db.name());
    }));

    assert!(result.is_err(), "the closure should have panicked");
    let name = name.expect("the TestDb was created before the panic");
    assert!(
        !database_exists(&name),
        "{name} should be dropped while the panic unwinds"
    );
}
