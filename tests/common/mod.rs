//! Shared by the integration tests: a database migrated to the latest version
//! and seeded, the way `make dev` leaves it.

#![allow(dead_code)]

use postgres::Client;
use test_support::TestDb;

/// Applies every embedded migration and seed file to `client`, each file in a
/// transaction of its own.
pub fn migrate_and_seed(client: &mut Client) {
    client
        .batch_execute(
            "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)",
        )
        .unwrap();
    for m in novacron_db::MIGRATIONS.iter() {
        client
            .batch_execute(&format!("BEGIN;\n{}\n;COMMIT;", m.up.sql))
            .unwrap_or_else(|e| panic!("{}: {e}", m.up.path));
    }
    seed(client);
}

/// Runs the seed files once more.
pub fn seed(client: &mut Client) {
    for s in novacron_db::SEEDS.files.iter() {
        client
            .batch_execute(&format!("BEGIN;\n{}\n;COMMIT;", s.sql))
            .unwrap_or_else(|e| panic!("{}: {e}", s.path));
    }
}

/// Runs the embedded clean.sql in one transaction.
pub fn clean(client: &mut Client) {
    let clean = novacron_db::SEEDS
        .clean
        .as_ref()
        .expect("clean.sql is embedded");
    client
        .batch_execute(&format!("BEGIN;\n{}\n;COMMIT;", clean.sql))
        .unwrap();
}

/// A fresh database, migrated and seeded.
pub fn seeded_db() -> TestDb {
    let db = TestDb::new();
    migrate_and_seed(&mut db.client());
    db
}

pub fn count(client: &mut Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).unwrap().get(0)
}
