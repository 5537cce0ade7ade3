//! Each lint rule fires on the unsafe form and stays quiet on the safe one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use pgcheck_core::check::version::PgVersion;
use pgcheck_core::lint::{Level, lint};
use pgcheck_core::{Options, analyze};

static N: AtomicU32 = AtomicU32::new(0);

/// Two migrations: a base that creates `vms`, then `change` on top. Returns the
/// rule ids found in the second file.
fn findings(change: &str) -> Vec<String> {
    findings_for(Options::default(), change)
}

/// [`findings`] with other options (a target version).
fn findings_for(opts: Options, change: &str) -> Vec<String> {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "lint_rules_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let base = "CREATE TABLE vms (id int PRIMARY KEY, name text, node_id int, state text);\n\
                CREATE TABLE nodes (id int PRIMARY KEY);";
    std::fs::write(dir.join("1_base.up.sql"), base).unwrap();
    std::fs::write(dir.join("2_change.up.sql"), change).unwrap();
    let a = analyze(&dir, "m", &opts.with_require_down(false));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(a.errors.is_empty(), "{}", a.errors);
    let found = lint(&a);
    assert!(
        found.iter().all(|f| f.diag.path == "m/2_change.up.sql"),
        "base file flagged"
    );
    found.iter().map(|f| f.rule.id.to_owned()).collect()
}

fn has(change: &str, rule: &str) -> bool {
    findings(change).iter().any(|r| r == rule)
}

const LT: &str = "SET lock_timeout = '5s';\n";

#[test]
fn not_null_column_without_default() {
    let rule = "add-column-not-null-without-default";
    assert!(has("ALTER TABLE vms ADD COLUMN gpus int NOT NULL;", rule));
    assert!(!has(
        "ALTER TABLE vms ADD COLUMN gpus int NOT NULL DEFAULT 0;",
        rule
    ));
    assert!(!has(
        "CREATE TABLE t (a int); ALTER TABLE t ADD COLUMN b int NOT NULL;",
        rule
    ));
}

#[test]
fn index_without_concurrently() {
    let rule = "create-index-not-concurrently";
    assert!(has("CREATE INDEX vms_name_idx ON vms (name);", rule));
    assert!(!has(
        "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY vms_name_idx ON vms (name);",
        rule
    ));
    assert!(!has(
        "CREATE TABLE t (a int); CREATE INDEX t_a_idx ON t (a);",
        rule
    ));
}

#[test]
fn constraint_without_not_valid() {
    let rule = "add-constraint-without-not-valid";
    assert!(has(
        "ALTER TABLE vms ADD CONSTRAINT fk FOREIGN KEY (node_id) REFERENCES nodes;",
        rule
    ));
    assert!(has(
        "ALTER TABLE vms ADD CONSTRAINT c CHECK (id > 0);",
        rule
    ));
    assert!(!has(
        "ALTER TABLE vms ADD CONSTRAINT fk FOREIGN KEY (node_id) REFERENCES nodes NOT VALID;",
        rule
    ));
}

#[test]
fn column_type_change() {
    let rule = "change-column-type";
    assert!(has(
        "ALTER TABLE vms ALTER COLUMN name TYPE varchar(100);",
        rule
    ));
    assert!(!has(
        "CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a TYPE bigint;",
        rule
    ));
}

#[test]
fn rename_or_drop_of_an_older_table_or_column() {
    let rule = "rename-or-drop-in-use";
    assert!(has("ALTER TABLE vms RENAME COLUMN name TO title;", rule));
    assert!(has("ALTER TABLE vms DROP COLUMN state;", rule));
    assert!(has("ALTER TABLE vms RENAME TO machines;", rule));
    assert!(has("DROP TABLE nodes CASCADE;", rule));
    assert!(!has(
        "CREATE TABLE t (a int); ALTER TABLE t RENAME COLUMN a TO b; DROP TABLE t;",
        rule
    ));
}

#[test]
fn set_not_null_needs_a_validated_check_first() {
    let rule = "set-not-null-without-check";
    assert!(has("ALTER TABLE vms ALTER COLUMN name SET NOT NULL;", rule));
    assert!(!has(
        "ALTER TABLE vms ADD CONSTRAINT vms_name_nn CHECK (name IS NOT NULL) NOT VALID;\n\
         ALTER TABLE vms VALIDATE CONSTRAINT vms_name_nn;\n\
         ALTER TABLE vms ALTER COLUMN name SET NOT NULL;",
        rule
    ));
    // PostgreSQL 18's spelling of SET NOT NULL scans the same way, unless
    // NOT VALID.
    let on_18 = |change: &str| {
        findings_for(Options::default().with_target(PgVersion(18)), change)
            .iter()
            .any(|r| r == rule)
    };
    assert!(on_18(
        "ALTER TABLE vms ADD CONSTRAINT vms_name_nn NOT NULL name;"
    ));
    assert!(!on_18(
        "ALTER TABLE vms ADD CONSTRAINT vms_name_nn NOT NULL name NOT VALID;"
    ));
}

#[test]
fn lock_timeout_before_locking_statements() {
    let rule = "missing-lock-timeout";
    assert!(has("ALTER TABLE vms ADD COLUMN gpus int;", rule));
    assert!(!has(
        &format!("{LT}ALTER TABLE vms ADD COLUMN gpus int;"),
        rule
    ));
    assert!(!has(
        "CREATE TABLE t (a int); ALTER TABLE t ADD COLUMN b int;",
        rule
    ));
    // Neither a change of owner nor a VALIDATE (SHARE UPDATE EXCLUSIVE) blocks writes.
    assert!(!has("ALTER TABLE vms OWNER TO postgres;", rule));
    assert!(!has(
        "ALTER TABLE vms VALIDATE CONSTRAINT vms_name_nn;",
        rule
    ));
    assert!(has("ALTER TABLE vms SET (fillfactor = 70);", rule));
}

#[test]
fn volatile_default_rewrites_the_table() {
    let rule = "volatile-default";
    assert!(has(
        "ALTER TABLE vms ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        rule
    ));
    assert!(!has(
        "ALTER TABLE vms ADD COLUMN seen timestamptz DEFAULT now();",
        rule
    ));
}

#[test]
fn model_incomplete_where_replay_cannot_follow() {
    let rule = "model-incomplete";
    assert!(has(
        "DO $$ BEGIN EXECUTE format('ALTER TABLE %I ADD COLUMN x int', 'vms'); END $$;",
        rule
    ));
    assert!(!has("DO $$ BEGIN PERFORM 1; END $$;", rule));
}

#[test]
fn ignore_comment_silences_one_rule_at_one_statement() {
    let change = "-- lint:ignore create-index-not-concurrently the table is tiny\n\
                  CREATE INDEX vms_name_idx ON vms (name);\n\
                  CREATE INDEX vms_state_idx ON vms (state);";
    let found = findings(change);
    assert_eq!(
        found
            .iter()
            .filter(|r| *r == "create-index-not-concurrently")
            .count(),
        1
    );
}

#[test]
fn levels_and_places() {
    let dir = std::env::temp_dir().join(format!("lint_levels_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("1_a.up.sql"), "CREATE TABLE vms (id int);").unwrap();
    std::fs::write(
        dir.join("2_b.up.sql"),
        "SET lock_timeout = '1s';\nALTER TABLE vms\n  ADD COLUMN g int NOT NULL;",
    )
    .unwrap();
    let a = analyze(&dir, "m", &Options::default().with_require_down(false));
    std::fs::remove_dir_all(&dir).unwrap();
    let found = lint(&a);
    assert_eq!(found.len(), 1);
    let f = &found[0];
    assert_eq!(f.rule.level, Level::Error);
    assert!(
        f.to_string().starts_with(
            "m/2_b.up.sql:3:14: error[add-column-not-null-without-default]: adds NOT NULL column"
        ),
        "{f}"
    );
    assert_eq!(f.to_json()["line"], 3);
}

#[test]
fn an_empty_up_is_a_warning_not_an_error() {
    let rule = "empty-migration";
    assert!(has("-- nothing yet\n", rule));
    assert!(!has("CREATE TABLE t (a int);", rule));
}
