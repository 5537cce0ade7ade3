//! Seeds read at run time (`--seed-dir`, `SEED_DIR`) get the checks the macro
//! gives embedded seeds, against the schema the migrations build: a seed that
//! does not fit stops the command before anything runs.

use crate::common::{TempDir, run, scalar_i64};
use test_support::TestDb;

/// Migrations with table `vms` (a NOT NULL column without default) and a seeds
/// directory whose files are `seeds`.
fn migrations_and_seeds(seeds: &[(&str, &str)]) -> (TempDir, TempDir) {
    let m = TempDir::new();
    m.add(
        "000001_vms",
        "CREATE TABLE vms (id int PRIMARY KEY, name text NOT NULL, note text);",
        Some("DROP TABLE vms;"),
    );
    let s = TempDir::new();
    for (name, sql) in seeds {
        std::fs::write(s.path().join(name), sql).unwrap();
    }
    (m, s)
}

#[test]
fn a_seed_dir_that_does_not_fit_the_schema_is_refused_before_anything_runs() {
    let db = TestDb::new();
    let mut c = db.client();
    let (m, s) = migrations_and_seeds(&[
        ("01_vms.sql", "INSERT INTO vms (id, name) VALUES (1, 'a');"),
        ("02_more.sql", "INSERT INTO vms (id, nmae) VALUES (2, 'b');"),
        ("03_left_out.sql", "INSERT INTO vms (id) VALUES (3);"),
    ]);
    let (m, s) = (m.path().to_str().unwrap(), s.path().to_str().unwrap());
    let url = Some(db.url());
    assert_eq!(run(url, &["--dir", m, "up"]).code, 0);

    let r = run(url, &["--dir", m, "--seed-dir", s, "seed"]);
    assert_ne!(r.code, 0, "{r:?}");
    let all = r.all();
    assert!(
        all.contains("the seed files have errors; nothing was run"),
        "{r:?}"
    );
    // Both files named, with a line and column, and the misspelling explained.
    assert!(all.contains(&format!("{s}/02_more.sql:1:")), "{r:?}");
    assert!(all.contains("nmae"), "{r:?}");
    assert!(all.contains(&format!("{s}/03_left_out.sql:1:")), "{r:?}");
    assert!(all.contains("\"name\", which is NOT NULL"), "{r:?}");
    // Not even the first file ran.
    assert_eq!(scalar_i64(&mut c, "SELECT count(*) FROM vms"), 0);
}

#[test]
fn a_seed_dir_that_fits_runs_through_the_environment_variable_too() {
    let db = TestDb::new();
    let mut c = db.client();
    let (m, s) = migrations_and_seeds(&[
        ("01_vms.sql", "INSERT INTO vms (id, name) VALUES (1, 'a');"),
        ("02_more.sql", "INSERT INTO vms VALUES (2, 'b', 'two');"),
        ("clean.sql", "DELETE FROM vms;"),
    ]);
    let (m, s) = (m.path().to_str().unwrap(), s.path().to_str().unwrap());
    let url = Some(db.url());
    assert_eq!(run(url, &["--dir", m, "up"]).code, 0);

    let r = crate::common::output(
        crate::common::cmd(url)
            .env("SEED_DIR", s)
            .args(["--dir", m, "seed"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("2 seed files run"), "{r:?}");
    assert_eq!(scalar_i64(&mut c, "SELECT count(*) FROM vms"), 2);

    let r = run(url, &["--dir", m, "--seed-dir", s, "clean"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(scalar_i64(&mut c, "SELECT count(*) FROM vms"), 0);
}
