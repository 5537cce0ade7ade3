//! The example apps (`tests/minimal-app/`): one that only embeds and applies
//! migrations, with pgcheck's default features, pulls none of what only the
//! CLI, TLS or sea-query need (`cargo tree` of that package alone, offline).
//! It and its async twin (`async/`, feature tokio-postgres, inside
//! `#[tokio::main]`) are workspace members, built by `cargo test --workspace`
//! with the rest, and their own tests (`tests/applies.rs`) run them against
//! PostgreSQL.

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
        "rustls ",
        "tokio-postgres-rustls ",
        "ring ",
        "signal-hook ",
    ] {
        assert!(
            !tree.lines().any(|l| l.starts_with(unwanted)),
            "{unwanted}is in the minimal app's dependencies:\n{tree}"
        );
    }
}
