//! Taking over a database that golang-migrate migrated: Harbor's first 20
//! migrations applied with plain psql and golang-migrate's table at the 20th
//! version; our directory mode applies the other 19. The schema must equal
//! applying all 39 with our tool.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::run;
use test_support::TestDb;

fn harbor_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the Harbor corpus")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".up.sql"))
        .collect();
    files.sort();
    files
}

fn psql_file(url: &str, file: &Path) {
    // What golang-migrate does per file: the whole file in one transaction.
    let out = Command::new("psql")
        .args(["-X", "-q", "-1", "-v", "ON_ERROR_STOP=1", "-d", url, "-f"])
        .arg(file)
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "psql {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Columns and indexes of the public schema, in a comparable form.
fn schema(db: &TestDb) -> Vec<String> {
    let mut c = db.client();
    let mut out: Vec<String> = c
        .query(
            "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '')
               FROM information_schema.columns WHERE table_schema = 'public'
              ORDER BY 1, 2",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "column {}.{} {} null={} default={}",
                r.get::<_, String>(0),
                r.get::<_, String>(1),
                r.get::<_, String>(2),
                r.get::<_, String>(3),
                r.get::<_, String>(4)
            )
        })
        .collect();
    out.extend(
        c.query(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| format!("index {}", r.get::<_, String>(0))),
    );
    out
}

#[test]
fn a_golang_migrate_database_is_taken_over_where_it_stands() {
    let Some(harbor) = test_support::corpus_dir("harbor") else {
        return;
    };
    let harbor = harbor.to_str().expect("a UTF-8 path").to_owned();
    let files = harbor_files(Path::new(&harbor));
    assert_eq!(files.len(), 39);
    let twentieth: i64 = files[19]
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .split('_')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    let old = TestDb::new();
    let mut c = old.client();
    // golang-migrate creates its table before the first migration (Harbor's
    // migrations alter it).
    c.batch_execute("CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)")
        .unwrap();
    for f in &files[..20] {
        psql_file(old.url(), f);
    }
    c.execute(
        "INSERT INTO schema_migrations VALUES ($1, false)",
        &[&twentieth],
    )
    .unwrap();

    let r = run(Some(old.url()), &["--dir", &harbor, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("19 migrations applied"), "{r:?}");
    assert!(
        r.stderr.contains("recorded 20 applied by another tool"),
        "{r:?}"
    );
    let latest: i64 = c
        .query_one("SELECT version FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(latest, 190);
    let counts: Vec<(String, i64)> = c
        .query(
            "SELECT direction, count(*) FROM schema_migrations_history GROUP BY 1 ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        counts,
        vec![("baseline".to_owned(), 20), ("up".to_owned(), 19)]
    );

    let fresh = TestDb::new();
    let r = run(Some(fresh.url()), &["--dir", &harbor, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("39 migrations applied"), "{r:?}");

    let (a, b) = (schema(&old), schema(&fresh));
    assert!(a.len() > 100, "{}", a.len());
    let only_old: Vec<_> = a.iter().filter(|x| !b.contains(x)).collect();
    let only_new: Vec<_> = b.iter().filter(|x| !a.contains(x)).collect();
    assert!(
        only_old.is_empty() && only_new.is_empty(),
        "taken over only: {only_old:#?}\nfresh only: {only_new:#?}"
    );
}
