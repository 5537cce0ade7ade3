//! Apps outside this workspace (`tests/minimal-app/`, a workspace of its own):
//! one that only embeds and applies migrations, with pgcheck's default
//! features, pulls none of what only the CLI, TLS or sea-query need; it and its
//! async twin (`async/`, feature tokio-postgres, inside `#[tokio::main]`) build
//! against the published-shape crates (together, see [`build`]) and run
//! against PostgreSQL.
//!
//! The dependency check reads `cargo tree` (offline, with the apps' own
//! Cargo.lock). The builds go into this workspace's target directory, with
//! its dev profile (the apps' Cargo.toml repeats it), so they reuse what
//! `cargo test` built: libpg_query and the rest are not compiled again, only
//! pgcheck's crates and the apps (seconds). `cargo test` releases the build
//! lock before it runs tests, so the nested build does not wait for it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn app_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/minimal-app")
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(app_dir());
    c
}

#[test]
fn an_app_that_only_applies_migrations_pulls_no_cli_tls_or_sea_query() {
    let out = cargo()
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cargo tree failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tree.lines().any(|l| l.starts_with("pgcheck v")), "{tree}");
    assert!(tree.lines().any(|l| l.starts_with("postgres v")), "{tree}");
    for unwanted in [
        "clap ",
        "tracing-subscriber ",
        "sea-query ",
        "native-tls ",
        "postgres-native-tls ",
        "openssl ",
        "signal-hook ",
    ] {
        assert!(
            !tree.lines().any(|l| l.starts_with(unwanted)),
            "{unwanted}is in the minimal app's dependencies:\n{tree}"
        );
    }
}

/// The apps' packages, built by [`build`].
const APPS: [&str; 2] = ["minimal-app", "minimal-async-app"];

/// Builds both apps in one cargo invocation, once per run of this binary
/// (the two tests share it): `Err` with cargo's output when they do not
/// build. Built together, cargo gives the crates both use the features
/// either needs, so tokio, tokio-postgres and pgcheck are compiled once
/// (two builds, one after the other on cargo's lock, took 43 s of a fresh
/// clone's `make test`, the second as long as the first). The sync app is
/// then not compiled against pgcheck without features: the UI test's build
/// (pgcheck with `default-features = false`) does that, and the `cargo tree`
/// test above checks what the sync app alone pulls.
fn build() -> Result<PathBuf, String> {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
            let mut c = cargo();
            c.args(["build", "--offline", "-q"]);
            for app in APPS {
                c.args(["-p", app]);
            }
            let out = c.env("CARGO_TARGET_DIR", &target).output().unwrap();
            if out.status.success() {
                Ok(target.join("debug"))
            } else {
                Err(String::from_utf8_lossy(&out.stderr).into_owned())
            }
        })
        .clone()
}

/// Runs the app `package` (see [`build`]) against a throwaway database, and
/// returns what it printed.
fn build_and_run(package: &str) -> String {
    let bin = build().unwrap_or_else(|e| panic!("the apps do not build:\n{e}"));
    let db = test_support::TestDb::new();
    let run = Command::new(bin.join(package))
        .env("DATABASE_URL", db.url())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{package} failed:\n{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut c = db.client();
    let notes: i64 = c
        .query_one("SELECT count(*) FROM notes WHERE body = 'hello'", &[])
        .unwrap()
        .get(0);
    assert_eq!(notes, 1, "{stdout}");
    stdout
}

#[test]
fn the_minimal_app_builds_and_applies_its_migrations() {
    let out = build_and_run("minimal-app");
    assert!(out.starts_with("1 applied\nnote 1 at "), "{out}");
}

#[test]
fn the_async_app_builds_and_applies_its_migrations_inside_tokio_main() {
    let out = build_and_run("minimal-async-app");
    assert!(out.starts_with("1 applied\nnote 1 at "), "{out}");
}
