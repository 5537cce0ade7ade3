//! Migration directories written into temporary directories, for tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use migrate_runtime::Registry;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A temporary migrations directory, removed on drop.
pub struct MigDir {
    path: PathBuf,
}

impl MigDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!(
            "nc-rt-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        MigDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `{label}.up.sql` and, when given, `{label}.down.sql`.
    pub fn add(&self, label: &str, up: &str, down: Option<&str>) -> &Self {
        std::fs::write(self.path.join(format!("{label}.up.sql")), up).unwrap();
        if let Some(d) = down {
            std::fs::write(self.path.join(format!("{label}.down.sql")), d).unwrap();
        }
        self
    }

    pub fn remove(&self, label: &str) {
        let _ = std::fs::remove_file(self.path.join(format!("{label}.up.sql")));
        let _ = std::fs::remove_file(self.path.join(format!("{label}.down.sql")));
    }

    pub fn registry(&self) -> Registry {
        Registry::from_dir_with(&self.path, "m", None).unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for MigDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Three reversible migrations: tables a, b, c.
pub fn abc() -> MigDir {
    let d = MigDir::new();
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

pub fn table_exists(c: &mut postgres::Client, name: &str) -> bool {
    c.query_one("SELECT to_regclass($1) IS NOT NULL", &[&name])
        .unwrap()
        .get(0)
}

/// golang-migrate's row: `(version, dirty)`, `None` when there is no row.
pub fn version_row(c: &mut postgres::Client) -> Option<(i64, bool)> {
    let rows = c
        .query("SELECT version, dirty FROM schema_migrations", &[])
        .unwrap();
    assert!(rows.len() <= 1, "schema_migrations has {} rows", rows.len());
    rows.first().map(|r| (r.get(0), r.get(1)))
}

/// `(version, direction)` of every history row, oldest first.
pub fn history(c: &mut postgres::Client) -> Vec<(i64, String)> {
    c.query(
        "SELECT version, direction FROM schema_migrations_history ORDER BY id",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}
