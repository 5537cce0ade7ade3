//! `lint`, `schema` and `verify-schema` through the binary.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_novacron-db"))
        .args(args)
        .env_remove("MIGRATIONS_DIR")
        .output()
        .expect("running novacron-db")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn lint_passes_ours_and_fails_harbor_with_json() {
    let o = run(&["lint"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains(", 0 error(s), 0 warning(s)"),
        "{}",
        text(&o)
    );
    let Some(harbor) = test_support::corpus_dir("harbor") else {
        return;
    };
    let o = run(&[
        "lint",
        "--dir",
        harbor.to_str().expect("a UTF-8 path"),
        "--no-require-down",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("lint --format json is JSON");
    let list = v.as_array().unwrap();
    assert!(
        list.iter()
            .any(|f| f["rule"] == "create-index-not-concurrently" && f["level"] == "error")
    );
    assert!(
        list.iter()
            .all(|f| f["line"].as_u64().is_some()
                && f["path"].as_str().unwrap().ends_with(".up.sql"))
    );
}

#[test]
fn schema_renders_every_format_and_refuses_unknown_ones() {
    let m = text(&run(&["schema", "--format", "mermaid"]));
    assert!(m.starts_with("erDiagram"));
    assert!(m.contains("vms }o--|| organizations"), "{m}");
    let d = text(&run(&["schema", "--format", "dot"]));
    assert!(d.starts_with("digraph schema {"));
    let md = text(&run(&["schema", "--format", "markdown", "--version", "3"]));
    assert!(md.contains("### nodes") && !md.contains("### vms"), "{md}");
    assert_eq!(run(&["schema", "--format", "png"]).status.code(), Some(2));
}

#[test]
fn verify_schema_names_a_hand_edit() {
    let db = test_support::TestDb::new();
    let url = db.url();
    assert!(run(&["--database-url", url, "up"]).status.success());
    let o = run(&["--database-url", url, "verify-schema"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    db.client()
        .batch_execute("ALTER TABLE users ALTER COLUMN email DROP NOT NULL")
        .unwrap();
    let o = run(&["--database-url", url, "verify-schema"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).contains("column users.email is nullable, the migrations say NOT NULL"),
        "{}",
        text(&o)
    );
}
