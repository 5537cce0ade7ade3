//! The `novacron-db` binary: verbs, output, exit codes.

use crate::common::{TempDir, cmd, output, run, scalar_i64};
use test_support::TestDb;

fn two() -> TempDir {
    let d = TempDir::new();
    d.add(
        "000001_a",
        "CREATE TABLE a (id int);",
        Some("DROP TABLE a;"),
    )
    .add(
        "000002_b",
        "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);",
        Some("DROP TABLE b;"),
    );
    d
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    assert_eq!(run(None, &["--help"]).code, 0);
    for verb in [
        "up", "down", "goto", "version", "status", "validate", "force", "create", "drop",
    ] {
        let r = run(None, &[verb, "--help"]);
        assert_eq!(r.code, 0, "{verb}: {r:?}");
        assert!(r.stdout.contains("Usage:"), "{verb}: {r:?}");
    }
    assert_eq!(run(None, &["sideways"]).code, 2);
    assert_eq!(run(None, &["down", "-n", "1", "--all"]).code, 2);
    assert_eq!(run(None, &["up", "-n", "0"]).code, 2);
    assert_eq!(run(None, &["goto"]).code, 2);
    assert_eq!(run(None, &["--lock-timeout", "soon", "up"]).code, 2);
}

#[test]
fn up_status_version_down_and_dry_run() {
    let db = TestDb::new();
    let mut c = db.client();
    let d = two();
    let dir = d.path().to_str().unwrap();
    let url = Some(db.url());

    let r = run(url, &["--dir", dir, "up", "--dry-run"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("INSERT INTO b VALUES (1);"), "{r:?}");
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'schema_migrations')"
        ),
        0
    );

    let r = run(url, &["--dir", dir, "up"]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("applied  000001_a (") && lines[0].ends_with(" ms)"),
        "{r:?}"
    );
    assert!(lines[1].starts_with("applied  000002_b ("), "{r:?}");
    assert!(
        lines[2].starts_with("2 migrations applied in ")
            && lines[2].ends_with("the database is at version 2"),
        "{r:?}"
    );

    let r = run(url, &["--dir", dir, "up"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "no change: the database is at version 2\n"),
        "{r:?}"
    );
    assert_eq!(run(url, &["--dir", dir, "version"]).stdout, "2\n");

    let r = run(url, &["--dir", dir, "status"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("000002   b     applied"), "{r:?}");
    assert!(r.stdout.contains("2 applied, 0 pending"), "{r:?}");
    let r = run(url, &["--dir", dir, "status", "--json"]);
    assert!(
        r.stdout.contains("\"state\": \"applied\"")
            && r.stdout.contains("\"checksum_state\": \"ok\""),
        "{r:?}"
    );

    let r = run(url, &["--dir", dir, "down"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("reverted 000002_b ("), "{r:?}");
    // Without a terminal and without --yes, `down --all` changes nothing.
    let r = run(url, &["--dir", dir, "down", "--all"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--yes"), "{r:?}");
    assert_eq!(run(url, &["--dir", dir, "version"]).stdout, "1\n");
    let r = run(url, &["--dir", dir, "down", "--all", "--yes"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        run(url, &["--dir", dir, "version"]).stdout,
        "no migration applied\n"
    );

    let r = run(url, &["--dir", dir, "goto", "2"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = run(url, &["--dir", dir, "goto", "7"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("no migration with version 7"), "{r:?}");
    let r = run(url, &["--dir", dir, "force", "1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(run(url, &["--dir", dir, "version"]).stdout, "1\n");
}

#[test]
fn a_failure_exits_1_and_names_file_line_column_and_sqlstate() {
    let db = TestDb::new();
    let d = two();
    d.add(
        "000003_c",
        "CREATE TABLE c (id int);\nINSERT INTO c VALUES ('x');",
        Some("DROP TABLE c;"),
    );
    let r = run(Some(db.url()), &["--dir", d.path().to_str().unwrap(), "up"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains(
            "000003_c.up.sql:2:23: invalid input syntax for type integer: \"x\" (SQLSTATE 22P02)"
        ),
        "{r:?}"
    );
    assert!(r.stderr.contains("still at version 2, not dirty"), "{r:?}");
    // The two before it were applied and reported.
    assert!(r.stdout.contains("applied  000002_b"), "{r:?}");
}

#[test]
fn create_writes_a_pair_and_never_overwrites() {
    let d = TempDir::new();
    let dir = d.path().join("migrations");
    let dir_s = dir.to_str().unwrap();
    let r = run(None, &["create", "Add GPU count", "--seq", "--dir", dir_s]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        dir.join("000001_add_gpu_count.up.sql").exists()
            && dir.join("000001_add_gpu_count.down.sql").exists()
    );
    let r = run(None, &["create", "second", "--seq", "--dir", dir_s]);
    assert!(r.stdout.contains("000002_second.up.sql"), "{r:?}");
    let r = run(None, &["create", "stamped", "--dir", dir_s]);
    assert_eq!(r.code, 0, "{r:?}");
    let stamped = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .find(|n| n.ends_with("_stamped.up.sql"))
        .unwrap();
    assert_eq!(stamped.split('_').next().unwrap().len(), 14, "{stamped}");
    assert_eq!(run(None, &["create", "/..", "--dir", dir_s]).code, 2);
    // MIGRATIONS_DIR works too.
    let r = output(
        cmd(None)
            .env("MIGRATIONS_DIR", dir_s)
            .args(["create", "third", "--seq"])
            .output()
            .unwrap(),
    );
    assert!(r.code == 0 && r.stdout.contains("_third.up.sql"), "{r:?}");
}

#[test]
fn validate_checks_the_files_and_with_a_url_the_database() {
    let db = TestDb::new();
    let d = two();
    let dir = d.path().to_str().unwrap();
    let r = run(None, &["--dir", dir, "validate"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("files: 2 migrations, ok") && r.stderr.contains("not checked"),
        "{r:?}"
    );
    assert_eq!(run(Some(db.url()), &["--dir", dir, "up"]).code, 0);
    assert_eq!(run(Some(db.url()), &["--dir", dir, "validate"]).code, 0);
    // An applied migration edited afterwards.
    d.add(
        "000001_a",
        "CREATE TABLE a (id bigint);",
        Some("DROP TABLE a;"),
    );
    let r = run(Some(db.url()), &["--dir", dir, "validate"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("000001_a changed after being applied"),
        "{r:?}"
    );
    // A broken file: the diagnostic with its place, nothing run.
    d.add(
        "000003_c",
        "CREATE TABLE c (id int,);",
        Some("DROP TABLE c;"),
    );
    let r = run(None, &["--dir", dir, "validate"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("000003_c.up.sql:1:"), "{r:?}");
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let db = TestDb::new();
    let d = two();
    let line = format!("{} --dir {} up", crate::common::BIN, d.path().display());
    // `script` gives the binary a terminal.
    let tty = |no_color: bool| {
        let mut c = cmd(Some(db.url()));
        c.program_and("script", &["-qec", &line, "/dev/null"]);
        if no_color {
            c.env("NO_COLOR", "1");
        }
        output(c.output().unwrap())
    };
    let r = tty(false);
    assert!(r.stdout.contains("\x1b[32mapplied"), "{r:?}");
    run(
        Some(db.url()),
        &["--dir", d.path().to_str().unwrap(), "down", "--all", "-y"],
    );
    let r = tty(true);
    assert!(
        r.stdout.contains("applied") && !r.stdout.contains('\x1b'),
        "{r:?}"
    );
    // A pipe never gets colour.
    run(
        Some(db.url()),
        &["--dir", d.path().to_str().unwrap(), "down", "--all", "-y"],
    );
    let r = run(Some(db.url()), &["--dir", d.path().to_str().unwrap(), "up"]);
    assert!(!r.all().contains('\x1b'), "{r:?}");
}

#[test]
fn debug_logs_and_wait() {
    let db = TestDb::new();
    let d = two();
    let r = output(
        cmd(Some(db.url()))
            .env("DEBUG", "1")
            .args(["--dir", d.path().to_str().unwrap(), "up"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("DEBUG") && r.stderr.contains("migration lock taken"),
        "{r:?}"
    );

    let start = std::time::Instant::now();
    let r = run(
        Some("postgres://postgres:postgres@127.0.0.1:1/x?sslmode=disable"),
        &[
            "--wait",
            "1s",
            "--dir",
            d.path().to_str().unwrap(),
            "version",
        ],
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(start.elapsed() >= std::time::Duration::from_secs(1));
    assert!(
        r.stderr
            .contains("waiting up to 1s for postgres@127.0.0.1:1/x"),
        "{r:?}"
    );
    assert!(
        r.stderr
            .contains("cannot connect to postgres@127.0.0.1:1/x"),
        "{r:?}"
    );
}

/// `Command::new(BIN)` replaced by another program, keeping the environment set
/// up by `cmd`.
trait ProgramAnd {
    fn program_and(&mut self, program: &str, args: &[&str]);
}

impl ProgramAnd for std::process::Command {
    fn program_and(&mut self, program: &str, args: &[&str]) {
        let mut c = std::process::Command::new(program);
        c.args(args).stdin(std::process::Stdio::null());
        for (k, v) in self.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        *self = c;
    }
}

#[test]
fn directory_mode_loads_exactly_what_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let loaded =
        migrate_runtime::Registry::from_dir_with(&dir, "migrations", None, "schema_migrations")
            .unwrap();
    assert_eq!(&loaded, &novacron_db::MIGRATIONS);
}

#[test]
fn both_golang_migrate_lock_keys_are_respected() {
    // golang-migrate's CLI keys its lock on the URL's path ("/name"), its library
    // on current_database() ("name"): either one held means wait.
    for database in ["/", ""] {
        let db = TestDb::new();
        let d = two();
        let mut holder = db.client();
        let key = migrate_runtime::migrator::golang_migrate_lock_key(
            "public",
            "schema_migrations",
            &format!("{database}{}", db.name()),
        );
        holder
            .execute("SELECT pg_advisory_lock($1)", &[&key])
            .unwrap();
        let r = run(
            Some(db.url()),
            &[
                "--dir",
                d.path().to_str().unwrap(),
                "--lock-timeout",
                "300ms",
                "up",
            ],
        );
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr.contains("timed out after") && r.stderr.contains(&format!("lock {key}")),
            "{r:?}"
        );
        holder
            .execute("SELECT pg_advisory_unlock($1)", &[&key])
            .unwrap();
        assert_eq!(
            run(Some(db.url()), &["--dir", d.path().to_str().unwrap(), "up"]).code,
            0
        );
    }
}

#[test]
fn directory_mode_runs_the_compile_time_checks_before_anything() {
    let db = TestDb::new();
    let d = two();
    d.add(
        "000003_c",
        "CREATE TABLE c (id int);\nINSERT INTO nope VALUES (1);",
        Some("DROP TABLE c;"),
    );
    let r = run(Some(db.url()), &["--dir", d.path().to_str().unwrap(), "up"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("nothing was run"), "{r:?}");
    assert!(
        r.stderr
            .contains("000003_c.up.sql:2:13: table \"nope\" does not exist"),
        "{r:?}"
    );
    // Not even the valid migrations before it were applied.
    assert!(!r.stdout.contains("applied"), "{r:?}");
}

/// `--color always` colours even into a pipe (a CI log that renders ANSI);
/// `never` and the default into a pipe do not.
#[test]
fn color_always_never_and_auto() {
    let db = TestDb::new();
    let d = TempDir::abc();
    let dir = d.path().to_str().unwrap();
    assert_eq!(
        run(Some(db.url()), &["--dir", dir, "up", "-n", "1"]).code,
        0
    );
    let status = |extra: &[&str]| {
        let mut args = vec!["--dir", dir];
        args.extend_from_slice(extra);
        args.push("status");
        let r = run(Some(db.url()), &args);
        assert_eq!(r.code, 0, "{r:?}");
        r.stdout
    };
    let colored = status(&["--color", "always"]);
    assert!(colored.contains("\x1b[32mapplied\x1b[0m"), "{colored:?}");
    assert!(colored.contains("\x1b[33mpending\x1b[0m"), "{colored:?}");
    for plain in [status(&["--color", "never"]), status(&[])] {
        assert!(!plain.contains('\x1b'), "{plain:?}");
        assert!(plain.contains("applied"), "{plain:?}");
    }
    let r = run(
        Some(db.url()),
        &["--dir", dir, "--color", "sometimes", "status"],
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("auto") && r.stderr.contains("always"),
        "{r:?}"
    );
}

// `up` loads the migrations while it connects (see `load_and_connect`); a
// broken file is still what is reported when the server is unreachable too,
// and good files against an unreachable server report the connection.
#[test]
fn a_broken_migration_is_reported_before_an_unreachable_server() {
    let nowhere = "postgres://postgres:postgres@127.0.0.1:1/x?sslmode=disable";
    let d = TempDir::new();
    d.add("000001_a", "CREATE TABLE a (id int;", Some("DROP TABLE a;"));
    let dir = d.path().to_str().unwrap();
    let r = run(Some(nowhere), &["--dir", dir, "up"]);
    assert_ne!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("000001_a.up.sql") && r.stderr.contains("syntax error"),
        "{r:?}"
    );
    assert!(!r.stderr.contains("cannot connect"), "{r:?}");

    let d = two();
    let r = run(Some(nowhere), &["--dir", d.path().to_str().unwrap(), "up"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("cannot connect to postgres@127.0.0.1:1/x"),
        "{r:?}"
    );
}

/// The CLI's session reset reads its own settings by name (it knows what it
/// set): a migration's `SET`s still never reach the next, and the settings
/// the tool's connection set (the URL's `x-statement-timeout`, the check
/// that a client is gone) are back for it, whether the two run in one `up`
/// or two.
#[test]
fn a_migrations_settings_never_reach_the_next_and_the_tools_own_come_back() {
    let d = TempDir::new();
    d.add(
        "000001_sets",
        "SET search_path TO pg_catalog;\nSET statement_timeout = '7s';\n\
         SET client_connection_check_interval = 0;\nSET TimeZone = 'Asia/Tokyo';\n\
         CREATE TABLE public.a (id int);",
        Some("DROP TABLE public.a;"),
    )
    .add(
        "000002_seen",
        "CREATE TABLE public.seen AS SELECT current_setting('search_path') AS sp,\n\
           current_setting('statement_timeout') AS st,\n\
           current_setting('client_connection_check_interval') AS cc,\n\
           current_setting('TimeZone') <> 'Asia/Tokyo' AS tz;",
        Some("DROP TABLE public.seen;"),
    );
    let dir = d.path().to_str().unwrap();
    for split in [false, true] {
        let db = TestDb::new();
        let mut c = db.client();
        let url = format!("{}&x-statement-timeout=123000", db.url());
        if split {
            let r = run(Some(&url), &["--dir", dir, "up", "1"]);
            assert_eq!(r.code, 0, "{r:?}");
        }
        let r = run(Some(&url), &["--dir", dir, "up"]);
        assert_eq!(r.code, 0, "{r:?}");
        let row = c
            .query_one("SELECT sp, st, cc, tz FROM public.seen", &[])
            .unwrap();
        let seen: (String, String, String, bool) = (row.get(0), row.get(1), row.get(2), row.get(3));
        assert_eq!(
            seen,
            ("\"$user\", public".into(), "123s".into(), "1s".into(), true),
            "split {split}"
        );
    }
}
