//! Directory mode never loses a file: every `.sql` file is used or the run
//! stops, whatever the file is stored as (issue #13).

use crate::common::{TempDir, dir_with_a, run, scalar_i64};
use test_support::TestDb;

/// A throwaway database, a client on it, and a directory with migration 1
/// (table `a`).
fn database_and_a() -> (TestDb, postgres::Client, TempDir) {
    let db = TestDb::new();
    let c = db.client();
    let d = dir_with_a();
    (db, c, d)
}

/// A directory laid out as Kubernetes mounts a ConfigMap: each file a link
/// into `..data`, itself a link to a timestamped directory.
#[cfg(unix)]
#[test]
fn symlinked_migrations_like_a_configmap_mount_are_applied() {
    use std::os::unix::fs::symlink;
    let db = TestDb::new();
    let mut c = db.client();
    let d = TempDir::new();
    let real = d.path().join("..2026_12_01_09_00_00.000000001");
    std::fs::create_dir(&real).unwrap();
    let files = [
        ("000001_a.up.sql", "CREATE TABLE a (id int);"),
        ("000001_a.down.sql", "DROP TABLE a;"),
        ("000002_b.up.sql", "CREATE TABLE b (id int);"),
        ("000002_b.down.sql", "DROP TABLE b;"),
    ];
    for (name, sql) in files {
        std::fs::write(real.join(name), sql).unwrap();
        symlink(format!("..data/{name}"), d.path().join(name)).unwrap();
    }
    symlink(real.file_name().unwrap(), d.path().join("..data")).unwrap();
    let dir = d.path().to_str().unwrap();
    let url = Some(db.url());

    let r = run(url, &["--dir", dir, "validate"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("files: 2 migrations, ok"), "{r:?}");
    let r = run(url, &["--dir", dir, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b') AND relkind = 'r'"
        ),
        2
    );
}

/// A broken link, or a directory named like a migration, stops `validate` and
/// `up` before anything runs, naming the file.
#[cfg(unix)]
#[test]
fn an_unreadable_sql_file_stops_the_run() {
    use std::os::unix::fs::symlink;
    let (db, mut c, d) = database_and_a();
    symlink(
        "../elsewhere/000002_b.up.sql",
        d.path().join("000002_b.up.sql"),
    )
    .unwrap();
    let dir = d.path().to_str().unwrap();
    let url = Some(db.url());

    for verb in ["validate", "up"] {
        let r = run(url, &["--dir", dir, verb]);
        assert_eq!(r.code, 1, "{verb}: {r:?}");
        assert!(
            r.stderr.contains("000002_b.up.sql: cannot read the file: it is a symbolic link to ../elsewhere/000002_b.up.sql, which does not exist"),
            "{verb}: {r:?}"
        );
    }
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM pg_class WHERE relname = 'a'"),
        0
    );

    std::fs::remove_file(d.path().join("000002_b.up.sql")).unwrap();
    std::fs::create_dir(d.path().join("000002_b.up.sql")).unwrap();
    let r = run(url, &["--dir", dir, "up"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("000002_b.up.sql: cannot read the file: it is a directory"),
        "{r:?}"
    );
}

/// `2_b` and `0002_b` are one version: refused, naming both files, before
/// anything runs (one of them used to be dropped unseen).
#[test]
fn two_spellings_of_one_version_are_refused() {
    let (db, mut c, d) = database_and_a();
    d.add("2_b", "CREATE TABLE b (id int);", Some("DROP TABLE b;"))
        .add(
            "0002_b",
            "CREATE TABLE b2 (id int);",
            Some("DROP TABLE b2;"),
        );
    let dir = d.path().to_str().unwrap();
    let url = Some(db.url());
    for verb in ["validate", "up"] {
        let r = run(url, &["--dir", dir, verb]);
        assert_eq!(r.code, 1, "{verb}: {r:?}");
        assert!(
            r.stderr.contains(&format!(
                "{dir}/2_b.up.sql: version 2 is spelled two ways: {dir}/0002_b.down.sql and {dir}/2_b.up.sql"
            )),
            "{verb}: {r:?}"
        );
    }
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM pg_class WHERE relname = 'a'"),
        0
    );
}

/// The files of an applied migration were deleted: `up` used to say "no
/// change" and `down` moved the version onto the missing one. Every command
/// that moves the version refuses, naming the version and the stale build.
#[test]
fn an_applied_migration_whose_files_are_gone_is_refused() {
    let db = TestDb::new();
    let d = TempDir::new();
    for (label, table) in [("000001_a", "a"), ("000002_b", "b"), ("000003_c", "c")] {
        d.add(
            label,
            &format!("CREATE TABLE {table} (id int);"),
            Some(&format!("DROP TABLE {table};")),
        );
    }
    let dir = d.path().to_str().unwrap();
    let url = Some(db.url());
    assert_eq!(run(url, &["--dir", dir, "up"]).code, 0);

    d.remove("000002_b");
    let said = "migration 2_b is applied to the database, but its files are not among these migrations: \
                version 2 (2_b.up.sql, .down.sql): this binary or checkout is stale";
    for args in [&["up"][..], &["down"], &["goto", "1"], &["validate"]] {
        let r = run(url, &[&["--dir", dir][..], args].concat());
        assert_eq!(r.code, 1, "{args:?}: {r:?}");
        assert!(r.stderr.contains(said), "{args:?}: {r:?}");
    }
    assert_eq!(run(url, &["--dir", dir, "version"]).stdout, "3\n");

    // The newest one gone: the history knows it ran here, so it is the same
    // problem, not "a newer build".
    d.add(
        "000002_b",
        "CREATE TABLE b (id int);",
        Some("DROP TABLE b;"),
    );
    d.remove("000003_c");
    let r = run(url, &["--dir", dir, "up"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("migration 3_c is applied"), "{r:?}");
    assert!(!r.stderr.contains("newer build"), "{r:?}");
}

/// `<name>_history` longer than 63 bytes would be cut by PostgreSQL onto
/// another name (the version table's, cut): refused before anything is made.
#[test]
fn a_migrations_table_whose_history_name_is_too_long_is_refused() {
    let (db, mut c, d) = database_and_a();
    let dir = d.path().to_str().unwrap();
    let url = Some(db.url());
    let long = "m".repeat(56);
    let r = run(url, &["--dir", dir, "--migrations-table", &long, "up"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "the history table name \"{long}_history\" is 64 bytes"
        )) && r.stderr.contains("at most 55 bytes"),
        "{r:?}"
    );
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_class WHERE relname LIKE 'mmm%' OR relname = 'a'"
        ),
        0
    );
    let fits = "m".repeat(55);
    let r = run(url, &["--dir", dir, "--migrations-table", &fits, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
}

/// `repair` from the command line: an edited down stops `down` (not `up`,
/// which runs no down); `repair` says what it accepted; then `down` runs.
#[test]
fn repair_accepts_an_edited_down_file() {
    let (db, _c, d) = database_and_a();
    let dir = d.path().to_str().unwrap();
    let url = Some(db.url());
    assert_eq!(run(url, &["--dir", dir, "up"]).code, 0);
    d.add(
        "000001_a",
        "CREATE TABLE a (id int);",
        Some("DROP TABLE IF EXISTS a;"),
    );
    let r = run(url, &["--dir", dir, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("no change"), "{r:?}");
    let r = run(url, &["--dir", dir, "down"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("000001_a down file: recorded"), "{r:?}");
    let r = run(url, &["--dir", dir, "repair"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .starts_with("accepted 000001_a down file: recorded "),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("1 changed files accepted in the history; nothing was run"),
        "{r:?}"
    );
    let r = run(url, &["--dir", dir, "status"]);
    assert!(r.stdout.contains("applied (repaired)"), "{r:?}");
    assert_eq!(run(url, &["--dir", dir, "down"]).code, 0);
}

/// A run whose analysis cache is trusted on the files' metadata reads no
/// file until a step runs; the step then reads its file, and applies it.
/// `up` with nothing to do looks at the ups' metadata only.
#[test]
fn a_run_trusted_on_the_files_metadata_reads_them_only_to_apply_them() {
    let db = TestDb::new();
    let mut c = db.client();
    let d = TempDir::abc();
    let cache = TempDir::new();
    // Files changed within two seconds of the check are read again.
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let dir = d.path().to_str().unwrap();
    let run = |args: &[&str]| {
        let mut cmd = crate::common::cmd(Some(db.url()));
        cmd.env("XDG_CACHE_HOME", cache.path())
            .env("RUST_LOG", "pgcheck=debug");
        crate::common::output(cmd.args(["--dir", dir]).args(args).output().unwrap())
    };
    let trusted = "analysis cache hit on the files' metadata";
    let r = run(&["up", "-n", "1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stderr.contains(trusted), "{r:?}");
    for _ in 0..2 {
        let r = run(&["up", "-n", "1"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stderr.contains(trusted), "{r:?}");
    }
    let r = run(&["up"]);
    assert!(
        r.stderr.contains("analysis cache hit on the ups' metadata")
            && r.stdout.contains("no change"),
        "{r:?}"
    );
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b', 'c') AND relkind = 'r'"
        ),
        3
    );
    let r = run(&["status"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(!r.stdout.contains("DRIFT"), "{r:?}");
}

/// golang-migrate runs a file as it is, so its users wrap one in BEGIN ...
/// COMMIT: in a file that runs in a transaction the two are that
/// transaction (not sent: the history row commits with the file); in a
/// no-transaction file a BEGIN ... COMMIT block is the user's own, and a
/// failure in it leaves nothing of it and the migration dirty.
#[test]
fn begin_and_commit_of_golang_migrate_files_run_as_transactions() {
    let db = TestDb::new();
    let mut c = db.client();
    let d = dir_with_a();
    d.add(
        "000002_wrapped",
        "BEGIN;\nCREATE TABLE w (id int);\nINSERT INTO w VALUES (1);\nCOMMIT;\n",
        Some("BEGIN;\nDROP TABLE w;\nCOMMIT;"),
    );
    d.add(
        "000003_block",
        "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY w_id ON w (id);\nBEGIN;\nCREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nCOMMIT;\n",
        Some("DROP TABLE b;\nDROP INDEX w_id;"),
    );
    let dir = d.path().to_str().unwrap();
    let r = run(Some(db.url()), &["--dir", dir, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(scalar_i64(&mut c, "SELECT count(*) FROM w"), 1);
    assert_eq!(scalar_i64(&mut c, "SELECT count(*) FROM b"), 1);
    // No transaction was left open for the history rows to ride in.
    assert_eq!(
        scalar_i64(&mut c, "SELECT max(version) FROM schema_migrations"),
        3
    );
    let r = run(Some(db.url()), &["--dir", dir, "down", "-n", "2"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_class WHERE relname IN ('w', 'b', 'w_id')"
        ),
        0
    );
    // A failure inside the block: nothing of the block, the version dirty.
    d.add(
        "000002_wrapped",
        "-- migrate:no-transaction\nBEGIN;\nCREATE TABLE w (id int);\nSELECT 1 / 0;\nCOMMIT;\n",
        Some("DROP TABLE IF EXISTS w;"),
    );
    let r = run(Some(db.url()), &["--dir", dir, "up"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.all().contains("division by zero"), "{r:?}");
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM pg_class WHERE relname = 'w'"),
        0
    );
    assert_eq!(
        run(Some(db.url()), &["--dir", dir, "version"]).stdout,
        "2 (dirty)\n"
    );
}

/// A migration that creates a schema named after the user puts it first in
/// the default search path ("$user", public): the history stays the one the
/// search path finds (golang-migrate's current_schema() would start an empty
/// one there and run every migration again).
#[test]
fn a_schema_named_after_the_user_does_not_hide_the_history() {
    let db = TestDb::new();
    let mut c = db.client();
    let d = dir_with_a();
    d.add(
        "000002_own_schema",
        "DO $$ BEGIN EXECUTE format('CREATE SCHEMA %I', current_user); END $$;",
        Some("DO $$ BEGIN EXECUTE format('DROP SCHEMA %I', current_user); END $$;"),
    );
    let dir = d.path().to_str().unwrap();
    let r = run(Some(db.url()), &["--dir", dir, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_namespace WHERE nspname = current_user"
        ),
        1
    );
    assert_eq!(
        run(Some(db.url()), &["--dir", dir, "version"]).stdout,
        "2\n"
    );
    let r = run(Some(db.url()), &["--dir", dir, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_class WHERE relname = 'schema_migrations'"
        ),
        1
    );
    let r = run(Some(db.url()), &["--dir", dir, "down", "--all", "--yes"]);
    assert_eq!(r.code, 0, "{r:?}");
}
