//! An app that only embeds and applies migrations (`tests/minimal-app/`, its
//! own workspace, pgcheck with default features) pulls none of what only the
//! CLI, TLS or sea-query need, and builds.
//!
//! The dependency check reads `cargo tree` (no build, a second, offline with the
//! crate's Cargo.lock). The build compiles libpg_query and the rest in a target
//! directory of its own (`target/minimal-app`), minutes the first time, so it is
//! `#[ignore]`d here and run by `make bench` (bench/deps.sh builds the crate the
//! same way); `cargo test --test minimal_app -- --ignored` runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

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

#[test]
#[ignore = "builds libpg_query in a target directory of its own (minutes the first time); make bench runs it"]
fn the_minimal_app_builds() {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/minimal-app");
    let out = cargo()
        .args(["build", "--offline"])
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the minimal app does not build:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
