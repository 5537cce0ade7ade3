//! The operations layer: `scripts/migrate.sh`, `scripts/seed.sh`, `make help`
//! and the cheap parts of `PG_MAJOR` (`scripts/ensure-postgres.sh`,
//! `scripts/pg-matrix.sh`), run as people and CI run them, against a throwaway
//! database each. None of them downloads a server.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use novacron_db::MIGRATIONS;
use test_support::TestDb;

#[path = "ops_scripts/pg_major.rs"]
mod pg_major;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_novacron-db");

/// The db-* targets of the old README (and of issue 7), plus the other targets
/// `make help` must describe.
const TARGETS: &[&str] = &[
    "db-migrate",
    "db-rollback",
    "db-migrate-create",
    "db-version",
    "db-status",
    "db-seed",
    "db-clean",
    "db-reset",
    "db-test-setup",
    "db-test-clean",
    "db-validate",
    "db-console",
    "db-backup",
    "db-restore",
    "test-integration",
    "dev",
    "test",
    "test-matrix",
    "bench",
    "help",
];

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self, what: &str) -> Run {
        assert_eq!(
            self.code, 0,
            "{what} failed\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// `scripts/<script>` from the repository root, with nothing of the caller's
/// database environment, DB_URL set to `url`, and this build's binary (so the
/// test never runs cargo inside cargo; `scripts_build_the_binary_...` covers that).
fn script(script: &str, url: Option<&str>) -> Command {
    let mut c = Command::new(Path::new(ROOT).join("scripts").join(script));
    test_support::isolate_env(&mut c, url);
    c.env("NOVACRON_DB_BIN", BIN)
        .current_dir(ROOT)
        .stdin(Stdio::null());
    c
}

fn run(mut c: Command, args: &[&str]) -> Run {
    c.args(args).output().expect("running the script").into()
}

fn migrate(db: &TestDb, args: &[&str]) -> Run {
    run(script("migrate.sh", Some(db.url())), args)
}

fn seed(db: &TestDb, args: &[&str]) -> Run {
    run(script("seed.sh", Some(db.url())), args)
}

/// `(version, dirty)` of schema_migrations, `None` when it has no row (or
/// does not exist yet).
fn recorded(db: &TestDb) -> Option<(i64, bool)> {
    let mut c = db.client();
    let exists: bool = c
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    if !exists {
        return None;
    }
    c.query_opt("SELECT version, dirty FROM schema_migrations", &[])
        .expect("reading schema_migrations")
        .map(|r| (r.get(0), r.get(1)))
}

fn count(db: &TestDb, sql: &str) -> i64 {
    db.client().query_one(sql, &[]).unwrap().get(0)
}

fn versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|m| m.version.get()).collect()
}

fn latest() -> i64 {
    MIGRATIONS
        .latest()
        .expect("migrations embedded")
        .version
        .get()
}

fn temp_dir(tag: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("nc-ops-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).unwrap();
    p
}

#[test]
fn migrate_sh_up_version_status_down_validate() {
    let db = TestDb::new();
    let all = versions();
    assert!(all.len() >= 3, "the test needs at least 3 migrations");

    let r = migrate(&db, &["up"]).ok("migrate.sh up");
    assert_eq!(recorded(&db), Some((latest(), false)), "{}", r.stdout);

    let r = migrate(&db, &["version"]).ok("migrate.sh version");
    assert_eq!(r.stdout.trim(), latest().to_string());

    let r = migrate(&db, &["status", "--json"]).ok("migrate.sh status --json");
    let status: serde_json::Value = serde_json::from_str(&r.stdout).expect("status --json");
    assert_eq!(status["version"], latest());
    let states: Vec<&str> = status["migrations"]
        .as_array()
        .expect("migrations array")
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, vec!["applied"; all.len()]);
    let r = migrate(&db, &["status"]).ok("migrate.sh status");
    for m in MIGRATIONS.iter() {
        assert!(
            r.stdout.contains(&*m.name),
            "status lacks {}: {}",
            m.name,
            r.stdout
        );
    }

    migrate(&db, &["down"]).ok("migrate.sh down");
    assert_eq!(recorded(&db), Some((all[all.len() - 2], false)));

    // -n and the old script's --steps spelling.
    migrate(&db, &["down", "-n", "1"]).ok("migrate.sh down -n 1");
    assert_eq!(recorded(&db), Some((all[all.len() - 3], false)));
    migrate(&db, &["up", "--steps", "1"]).ok("migrate.sh up --steps 1");
    assert_eq!(recorded(&db), Some((all[all.len() - 2], false)));

    let r = migrate(&db, &["validate"]).ok("migrate.sh validate");
    assert!(!r.stdout.is_empty());

    migrate(&db, &["goto", &all[0].to_string()]).ok("migrate.sh goto");
    assert_eq!(recorded(&db), Some((all[0], false)));
    migrate(&db, &["force", &all[1].to_string()]).ok("migrate.sh force");
    assert_eq!(recorded(&db), Some((all[1], false)));
}

#[test]
fn migrate_sh_takes_the_url_from_dash_d_and_a_failure_is_exit_1() {
    let db = TestDb::new();
    let r = run(script("migrate.sh", None), &["up", "-d", db.url()]).ok("migrate.sh up -d URL");
    assert_eq!(recorded(&db), Some((latest(), false)), "{}", r.stdout);

    let r = run(
        script(
            "migrate.sh",
            Some("postgres://postgres:postgres@127.0.0.1:1/x?sslmode=disable"),
        ),
        &["version"],
    );
    assert_eq!(r.code, 1, "closed port: {}{}", r.stdout, r.stderr);
}

#[test]
fn migrate_sh_create_writes_into_migrations_dir_relative_to_the_caller() {
    let cwd = temp_dir("create");
    let mut c = script("migrate.sh", None);
    c.current_dir(&cwd).env("MIGRATIONS_DIR", "sub");
    run(c, &["create", "add_widgets", "--seq"]).ok("migrate.sh create --seq");
    let mut files: Vec<String> = std::fs::read_dir(cwd.join("sub"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["000001_add_widgets.down.sql", "000001_add_widgets.up.sql"]
    );

    let mut c = script("migrate.sh", None);
    c.current_dir(&cwd);
    run(c, &["create", "--dir", "other", "second"]).ok("migrate.sh create --dir");
    assert_eq!(std::fs::read_dir(cwd.join("other")).unwrap().count(), 2);
    let _ = std::fs::remove_dir_all(&cwd);
}

#[test]
fn unknown_verbs_print_the_usage_and_exit_2() {
    for (s, args) in [
        ("migrate.sh", &["bogus"][..]),
        ("migrate.sh", &[][..]),
        ("seed.sh", &["bogus"][..]),
    ] {
        let r = run(script(s, None), args);
        assert_eq!(r.code, 2, "{s} {args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("Usage: scripts/"),
            "{s} {args:?}: {}",
            r.stderr
        );
    }
    for s in ["migrate.sh", "seed.sh"] {
        let r = run(script(s, None), &["help"]).ok("help");
        assert!(
            r.stdout.contains("Usage: scripts/"),
            "{s} help: {}",
            r.stdout
        );
    }
}

#[test]
fn seed_sh_seeds_and_cleans() {
    let db = TestDb::new();
    migrate(&db, &["up"]).ok("migrate.sh up");

    seed(&db, &["seed"]).ok("seed.sh seed");
    assert_eq!(count(&db, "SELECT count(*) FROM organizations"), 5);
    assert_eq!(count(&db, "SELECT count(*) FROM users"), 9);
    // The old script's default verb, and idempotent.
    seed(&db, &[]).ok("seed.sh");
    assert_eq!(count(&db, "SELECT count(*) FROM organizations"), 5);

    let r = seed(&db, &["summary"]).ok("seed.sh summary");
    assert!(r.stdout.contains("Organizations: 5"), "{}", r.stdout);

    seed(&db, &["clean", "--yes"]).ok("seed.sh clean");
    assert_eq!(count(&db, "SELECT count(*) FROM organizations"), 0);
    assert_eq!(count(&db, "SELECT count(*) FROM users"), 0);
    // The schema stays.
    assert_eq!(recorded(&db), Some((latest(), false)));
}

/// Without NOVACRON_DB_BIN the scripts build `$CARGO_TARGET_DIR/debug/novacron-db`
/// with cargo and run it; DEBUG=1 traces the script and reaches the binary.
#[test]
fn scripts_build_the_binary_into_cargo_target_dir_and_debug_traces() {
    let db = TestDb::new();
    let bin = Path::new(BIN);
    let profile = bin.parent().unwrap();
    let target = profile.parent().unwrap();
    assert_eq!(
        profile.file_name().unwrap(),
        "debug",
        "the scripts run the debug binary; run this test without --release"
    );
    let mut c = script("migrate.sh", Some(db.url()));
    c.env_remove("NOVACRON_DB_BIN")
        .env("CARGO_TARGET_DIR", target)
        .env("DEBUG", "1");
    let r = run(c, &["version"]).ok("DEBUG=1 migrate.sh version");
    assert!(
        r.stderr
            .contains(&format!("+ exec {} version", bin.display())),
        "no trace of the exec: {}",
        r.stderr
    );
    // The script's own trace lines start with `+`; the binary's debug log does not.
    assert!(
        r.stderr
            .lines()
            .any(|l| !l.starts_with('+') && l.contains("DEBUG")),
        "DEBUG did not reach the binary: {}",
        r.stderr
    );
    // `version` only reads.
    assert_eq!(recorded(&db), None);
}

#[test]
fn make_help_lists_every_target_with_a_description() {
    let out: Run = Command::new("make")
        .arg("help")
        .current_dir(ROOT)
        .env_remove("MAKEFLAGS")
        .output()
        .expect("running make")
        .into();
    let out = out.ok("make help");
    let listed: Vec<(&str, &str)> = out
        .stdout
        .lines()
        .filter_map(|l| l.trim_start().split_once(char::is_whitespace))
        .map(|(t, d)| (t, d.trim()))
        .collect();
    for t in TARGETS {
        let Some((_, description)) = listed.iter().find(|(name, _)| name == t) else {
            panic!("make help does not list {t}:\n{}", out.stdout)
        };
        assert!(!description.is_empty(), "{t} has no description");
    }
    // And no db-* target of the Makefile is missing from the help.
    let makefile = std::fs::read_to_string(Path::new(ROOT).join("Makefile")).unwrap();
    for line in makefile.lines().filter(|l| l.starts_with("db-")) {
        let target = line.split(':').next().unwrap();
        assert!(
            listed.iter().any(|(name, _)| *name == target),
            "{target} is in the Makefile but not in make help"
        );
    }
}

#[test]
fn make_db_restore_without_file_says_so() {
    let out: Run = Command::new("make")
        .args(["-n", "db-restore"])
        .current_dir(ROOT)
        .env_remove("MAKEFLAGS")
        .output()
        .expect("running make")
        .into();
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("FILE="), "{}", out.stderr);
}

#[test]
fn seed_sh_reset_drops_migrates_and_seeds_and_asks_first() {
    let db = TestDb::new();
    migrate(&db, &["up"]).ok("migrate.sh up");
    db.client()
        .batch_execute("CREATE TABLE mine (id int); INSERT INTO mine VALUES (1)")
        .unwrap();

    // No terminal to ask on and no --yes: nothing is dropped.
    let r = seed(&db, &["reset"]);
    assert_ne!(r.code, 0, "reset without --yes: {}{}", r.stdout, r.stderr);
    assert_eq!(count(&db, "SELECT count(*) FROM mine"), 1);

    seed(&db, &["reset", "--yes"]).ok("seed.sh reset --yes");
    let gone: bool = db
        .client()
        .query_one("SELECT to_regclass('mine') IS NULL", &[])
        .unwrap()
        .get(0);
    assert!(gone, "reset kept a table of its own");
    assert_eq!(recorded(&db), Some((latest(), false)));
    assert_eq!(count(&db, "SELECT count(*) FROM organizations"), 5);
}

#[test]
fn seed_sh_reads_seed_dir() {
    let db = TestDb::new();
    migrate(&db, &["up"]).ok("migrate.sh up");
    let dir = temp_dir("seeds");
    std::fs::write(
        dir.join("01_one.sql"),
        "INSERT INTO organizations (id, name, slug) VALUES \
         ('10000000-0000-4000-8000-0000000000aa', 'Only One', 'only-one') \
         ON CONFLICT (id) DO NOTHING;\n",
    )
    .unwrap();
    let mut c = script("seed.sh", Some(db.url()));
    c.env("SEED_DIR", &dir);
    run(c, &["seed"]).ok("SEED_DIR=... seed.sh seed");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(count(&db, "SELECT count(*) FROM organizations"), 1);
    assert_eq!(count(&db, "SELECT count(*) FROM users"), 0);
}
