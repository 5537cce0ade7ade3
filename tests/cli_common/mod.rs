//! Running the `novacron-db` binary in tests, over migration directories written
//! into temporary directories.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub const BIN: &str = env!("CARGO_BIN_EXE_novacron-db");

/// A temporary directory, removed on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!(
            "nc-cli-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir { path }
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
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The binary with a clean environment: no DB_URL, DATABASE_URL,
/// MIGRATIONS_DIR, DEBUG or NO_COLOR from the caller.
pub fn cmd(url: Option<&str>) -> Command {
    let mut c = Command::new(BIN);
    for k in [
        "DB_URL",
        "DATABASE_URL",
        "MIGRATIONS_DIR",
        "DEBUG",
        "RUST_LOG",
        "NO_COLOR",
    ] {
        c.env_remove(k);
    }
    if let Some(u) = url {
        c.env("DB_URL", u);
    }
    c.stdin(Stdio::null());
    c
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn output(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Runs the binary with `args` against `url` (as DB_URL).
pub fn run(url: Option<&str>, args: &[&str]) -> Run {
    output(cmd(url).args(args).output().expect("running novacron-db"))
}

pub fn scalar_i64(c: &mut postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}
