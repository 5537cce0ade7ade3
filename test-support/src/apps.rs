//! The example apps' own tests (tests/minimal-app/): each runs its binary
//! against a throwaway database, the way a deployment runs an app.

use std::process::Command;

use crate::TestDb;

/// Runs the app `bin` (its `CARGO_BIN_EXE_*`) with `DATABASE_URL` set to a
/// throwaway database, checks that it exited 0 and that it stored the note it
/// inserts, and returns what it printed.
pub fn run_app(bin: &str) -> String {
    let db = TestDb::new();
    let run = Command::new(bin)
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{bin} failed:\n{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let notes: i64 = db
        .client()
        .query_one("SELECT count(*) FROM notes WHERE body = 'hello'", &[])
        .unwrap()
        .get(0);
    assert_eq!(notes, 1, "{stdout}");
    assert!(stdout.starts_with("1 applied\nnote 1 at "), "{stdout}");
    stdout
}
