//! Running the `novacron-db` binary in tests, over migration directories written
//! into temporary directories.

use std::process::{Command, Output, Stdio};

pub use test_support::MigrationsDir as TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_novacron-db");

/// The binary with a clean environment (see `test_support::isolate_env`).
pub fn cmd(url: Option<&str>) -> Command {
    let mut c = Command::new(BIN);
    test_support::isolate_env(&mut c, url);
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

/// A directory with one migration: table `a` and its down.
pub fn dir_with_a() -> TempDir {
    let d = TempDir::new();
    d.add(
        "000001_a",
        "CREATE TABLE a (id int);",
        Some("DROP TABLE a;"),
    );
    d
}

pub fn scalar_i64(c: &mut postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}

/// Held by the tests whose assertions depend on when a signal or a tick
/// arrives (kill, progress): `make test` runs more test threads than cores,
/// and those tests must not also compete with one another.
pub fn one_timing_test_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
