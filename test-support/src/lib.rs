//! Throwaway PostgreSQL databases for tests.
//!
//! Every test gets a database of its own, created on [`TestDb::new`] and dropped
//! when the value goes out of scope, also when the test panics. Tests therefore run
//! in parallel and never see each other's tables. Databases left behind by a run
//! that was killed (no destructor ran) are swept the next time a harness starts on
//! this machine.
//!
//! The server comes from `DB_TEST_URL`, by default the local cluster's `postgres`
//! database. A missing server fails the test: it is never skipped.

pub mod apps;
pub mod catalogue;

use std::sync::Once;
use std::sync::atomic::{AtomicU32, Ordering};

use migrate_runtime::conninfo::ConnInfo;
use postgres::{Client, NoTls};

/// The server tests use when `DB_TEST_URL` is not set.
pub const DEFAULT_TEST_URL: &str =
    "postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable";

/// Databases this harness creates start with this; the sweep touches nothing else.
const PREFIX: &str = "nctest_";

static COUNTER: AtomicU32 = AtomicU32::new(0);
static SWEEP: Once = Once::new();

/// The URL of the maintenance database that test databases are created from.
pub fn admin_url() -> String {
    std::env::var("DB_TEST_URL").unwrap_or_else(|_| DEFAULT_TEST_URL.to_owned())
}

/// Connects to `url`, panicking with a message that says how to start a server.
pub fn connect(url: &str) -> Client {
    Client::connect(url, NoTls).unwrap_or_else(|e| {
        panic!(
            "cannot connect to the test server ({}): {e}\n\
             start it with `scripts/ensure-postgres.sh` or point DB_TEST_URL at one",
            redact(url)
        )
    })
}

/// A database that exists for as long as this value does.
pub struct TestDb {
    name: String,
    url: String,
}

impl TestDb {
    /// Creates an empty database with a unique name.
    pub fn new() -> Self {
        Self::create(None)
    }

    /// Creates a database as a copy of `template` (`CREATE DATABASE ... TEMPLATE`),
    /// which is much faster than migrating each test's database from scratch.
    pub fn from_template(template: &str) -> Self {
        Self::create(Some(template))
    }

    fn create(template: Option<&str>) -> Self {
        let admin = admin_url();
        let mut client = connect(&admin);
        SWEEP.call_once(|| sweep(&mut client));
        let name = format!(
            "{PREFIX}{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let sql = match template {
            Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
            None => format!("CREATE DATABASE \"{name}\""),
        };
        client
            .batch_execute(&sql)
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        let url = with_database(&admin, &name);
        TestDb { name, url }
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL that connects to this database (same server, user and options as
    /// `DB_TEST_URL`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A new connection to this database.
    pub fn client(&self) -> Client {
        connect(&self.url)
    }
}

/// A [`TestDb`] for async tests. The harness creates and drops databases with
/// the blocking client, which cannot run on a tokio runtime's thread (it
/// panics: "Cannot start a runtime from within a runtime"), so both happen on a
/// thread of their own; the database still goes when the test panics.
pub struct AsyncTestDb(Option<TestDb>);

impl AsyncTestDb {
    /// Creates an empty database with a unique name.
    pub fn new() -> Self {
        let db = std::thread::spawn(TestDb::new)
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        AsyncTestDb(Some(db))
    }

    /// A new `tokio_postgres` connection to this database.
    pub async fn client(&self) -> tokio_postgres::Client {
        connect_async(self.url(), "test-support").await
    }
}

impl Default for AsyncTestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl std::ops::Deref for AsyncTestDb {
    type Target = TestDb;
    fn deref(&self) -> &TestDb {
        self.0.as_ref().expect("present until dropped")
    }
}

impl Drop for AsyncTestDb {
    fn drop(&mut self) {
        if let Some(db) = self.0.take() {
            let _ = std::thread::spawn(move || drop(db)).join();
        }
    }
}

/// Connects with `tokio_postgres` on the current runtime (the connection runs
/// in a task of its own), panicking as [`connect`] does.
pub async fn connect_async(url: &str, application_name: &str) -> tokio_postgres::Client {
    let mut config: tokio_postgres::Config = url
        .parse()
        .unwrap_or_else(|e| panic!("bad test URL {}: {e}", redact(url)));
    config.application_name(application_name);
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot connect to the test server ({}): {e}\n\
             start it with `scripts/ensure-postgres.sh` or point DB_TEST_URL at one",
                redact(url)
            )
        });
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // A test may still hold connections (or a killed child process may have left
        // one), so FORCE: the database is garbage either way.
        match Client::connect(&admin_url(), NoTls) {
            Ok(mut c) => {
                if let Err(e) = drop_database(&mut c, &self.name) {
                    eprintln!("warning: could not drop test database {}: {e}", self.name);
                }
            }
            Err(e) => eprintln!("warning: could not drop test database {}: {e}", self.name),
        }
    }
}

/// Drops a database, disconnecting whoever is still in it.
pub fn drop_database(client: &mut Client, name: &str) -> Result<(), postgres::Error> {
    client.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        postgres_protocol::escape::escape_identifier(name)
    ))
}

/// Returns true when a database of that name exists on the test server.
pub fn database_exists(name: &str) -> bool {
    let mut c = connect(&admin_url());
    c.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .expect("querying pg_database")
        .is_some()
}

/// Drops the databases of earlier runs whose process is gone: a test killed by a
/// signal never runs its destructor. Only names of the form `nctest_<pid>_<n>` with
/// a pid that no longer runs on this machine are touched.
fn sweep(client: &mut Client) {
    let Ok(rows) = client.query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'nctest\\_%'",
        &[],
    ) else {
        return;
    };
    for row in rows {
        let name: String = row.get(0);
        let pid = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('_').next())
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(pid) = pid {
            let alive = std::path::Path::new(&format!("/proc/{pid}")).exists();
            if !alive {
                let _ = drop_database(client, &name);
            }
        }
    }
}

static DIR_COUNTER: AtomicU32 = AtomicU32::new(0);

/// A temporary directory of migration files, removed on drop.
pub struct MigrationsDir {
    path: std::path::PathBuf,
}

impl MigrationsDir {
    /// An empty directory with a name unique to this process and call.
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!(
            "nctest-dir-{}-{}",
            std::process::id(),
            DIR_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        MigrationsDir { path }
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Writes `{label}.up.sql` and, when given, `{label}.down.sql`.
    pub fn add(&self, label: &str, up: &str, down: Option<&str>) -> &Self {
        std::fs::write(self.path.join(format!("{label}.up.sql")), up).expect("writing an up file");
        if let Some(d) = down {
            std::fs::write(self.path.join(format!("{label}.down.sql")), d)
                .expect("writing a down file");
        }
        self
    }

    /// Three reversible migrations: tables a, b and c.
    pub fn abc() -> Self {
        let d = MigrationsDir::new();
        d.add(
            "000001_a",
            "CREATE TABLE a (id int);",
            Some("DROP TABLE a;"),
        )
        .add(
            "000002_b",
            "CREATE TABLE b (id int);",
            Some("DROP TABLE b;"),
        )
        .add(
            "000003_c",
            "CREATE TABLE c (id int);",
            Some("DROP TABLE c;"),
        );
        d
    }

    /// Removes `{label}.up.sql` and `{label}.down.sql`.
    pub fn remove(&self, label: &str) {
        let _ = std::fs::remove_file(self.path.join(format!("{label}.up.sql")));
        let _ = std::fs::remove_file(self.path.join(format!("{label}.down.sql")));
    }
}

impl Default for MigrationsDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for MigrationsDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The connection string with another database, keeping user, host and
/// options (a `postgres://` URL or a libpq `key=value` string).
pub fn with_database(url: &str, database: &str) -> String {
    parsed(url).with_database(database).unredacted()
}

fn parsed(url: &str) -> ConnInfo {
    // The error names no password.
    ConnInfo::parse(url).unwrap_or_else(|e| panic!("DB_TEST_URL: {e}"))
}

/// Clears the caller's database environment (DB_URL, DATABASE_URL,
/// MIGRATIONS_DIR, SEED_DIR, DEBUG, RUST_LOG, NO_COLOR) from a command that runs
/// the binary or a script, then sets DB_URL to `url` if given: a test must not
/// reach the developer's own database.
pub fn isolate_env(c: &mut std::process::Command, url: Option<&str>) {
    for k in [
        "DB_URL",
        "DATABASE_URL",
        "MIGRATIONS_DIR",
        "SEED_DIR",
        "DEBUG",
        "RUST_LOG",
        "NO_COLOR",
    ] {
        c.env_remove(k);
    }
    if let Some(u) = url {
        c.env("DB_URL", u);
    }
}

/// The URL with its password replaced by `***`, for messages.
pub fn redact(url: &str) -> String {
    ConnInfo::parse(url).map_or_else(|e| format!("<{e}>"), |c| c.redacted())
}

/// The migrations of a real project's corpus (`CORPORA_DIR/<name>/migrations`,
/// by default `../shared/corpora` beside the checkout). The corpora are other
/// projects' files, never part of this repository: without them this says
/// loudly that the test did not run and returns `None`, and under
/// `REQUIRE_CORPORA=1` (CI sets it) it fails instead.
pub fn corpus_dir(name: &str) -> Option<std::path::PathBuf> {
    let root = match std::env::var_os("CORPORA_DIR") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora"),
    };
    let dir = root.join(name).join("migrations");
    if dir.is_dir() {
        return Some(dir);
    }
    let msg = format!(
        "CORPUS TEST DID NOT RUN for {name}: {} is missing (set CORPORA_DIR to the folder of the corpora)",
        dir.display()
    );
    assert!(
        std::env::var("REQUIRE_CORPORA").as_deref() != Ok("1"),
        "{msg}"
    );
    // Past the test harness's capture, so that it shows in a passing run too.
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        format!("\n*** {msg} ***\n\n").as_bytes(),
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_keeps_options() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
    }

    #[test]
    fn redact_hides_password() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
