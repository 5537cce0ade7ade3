//! The runtime's CLI as any app gets it: branding, no silent default
//! database, `.env`, completions, `status --exit-code`. `dir-migrate` is the
//! CLI built with nothing of NovaCron's (src/bin/dir-migrate.rs); `novacron-db`
//! is NovaCron's.

use std::process::Command;

use crate::common::{TempDir, cmd, dir_with_a, output, run};
use test_support::TestDb;

const APP: &str = env!("CARGO_BIN_EXE_dir-migrate");

fn app(url: Option<&str>) -> Command {
    let mut c = Command::new(APP);
    test_support::isolate_env(&mut c, url);
    c.stdin(std::process::Stdio::null());
    c
}

fn run_app(url: Option<&str>, args: &[&str]) -> crate::common::Run {
    output(app(url).args(args).output().unwrap())
}

#[test]
fn another_app_shows_its_own_name_and_no_seed_verbs() {
    let r = run_app(None, &["--help"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .starts_with("PostgreSQL migrations from a directory"),
        "{r:?}"
    );
    assert!(
        r.stdout.contains("Usage: dir-migrate [OPTIONS] <COMMAND>"),
        "{r:?}"
    );
    assert!(!r.stdout.to_lowercase().contains("novacron"), "{r:?}");
    for verb in ["seed ", "clean ", "reset ", "--seed-dir"] {
        assert!(!r.stdout.contains(verb), "{verb}: {r:?}");
    }
    assert!(
        r.stdout
            .contains("else none: a command that needs a database stops"),
        "{r:?}"
    );
    let r = run_app(None, &["--version"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, concat!("dir-migrate ", env!("CARGO_PKG_VERSION"), "\n"))
    );
    for verb in ["seed", "clean", "reset"] {
        let r = run_app(None, &[verb]);
        assert_eq!(r.code, 2, "{r:?}");
        assert!(
            r.stderr
                .contains(&format!("unrecognized subcommand '{verb}'")),
            "{r:?}"
        );
    }

    let r = run(None, &["--help"]);
    assert!(
        r.stdout.starts_with("PostgreSQL migrations for NovaCron"),
        "{r:?}"
    );
    assert!(r.stdout.contains("Usage: novacron-db"), "{r:?}");
    for verb in ["seed ", "clean ", "reset ", "--seed-dir"] {
        assert!(r.stdout.contains(verb), "{verb}: {r:?}");
    }
    assert!(
        r.stdout
            .contains("else postgres@localhost:5432/novacron (the default)"),
        "{r:?}"
    );
    // The default's password is not shown.
    assert!(!r.stdout.contains("postgres:postgres"), "{r:?}");
}

#[test]
fn no_url_and_no_default_stops_with_exit_2_and_says_how() {
    let d = dir_with_a();
    let dir = d.path().to_str().unwrap();
    for verb in [
        &["status"][..],
        &["up"],
        &["version"],
        &["down"],
        &["force", "1"],
        &["drop", "--yes"],
    ] {
        let mut args = vec!["--dir", dir];
        args.extend_from_slice(verb);
        let r = run_app(None, &args);
        assert_eq!(r.code, 2, "{verb:?}: {r:?}");
        assert!(
            r.stderr.contains("error: no database URL: give one with --database-url URL, or set DB_URL or DATABASE_URL"),
            "{r:?}"
        );
    }
    // `validate` checks the files and says the database was not checked.
    let r = run_app(None, &["--dir", dir, "validate"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("database: not checked"), "{r:?}");
}

#[test]
fn novacron_keeps_its_documented_default() {
    // No URL at all: NovaCron's binary goes to its default database (it may
    // or may not exist on this server; either way that is where it went).
    let d = dir_with_a();
    let r = output(
        cmd(None)
            .args(["--dir", d.path().to_str().unwrap(), "version"])
            .output()
            .unwrap(),
    );
    assert_ne!(r.code, 2, "{r:?}");
    assert!(
        r.code == 0 || r.stderr.contains("postgres@localhost:5432/novacron"),
        "{r:?}"
    );
}

#[test]
fn dotenv_gives_the_url_and_never_overrides_the_environment() {
    let db = TestDb::new();
    let d = dir_with_a();
    let work = TempDir::new();
    std::fs::write(
        work.path().join(".env"),
        format!(
            "# the app's settings\nDB_URL={}\nMIGRATIONS_DIR={}\n",
            db.url(),
            d.path().display()
        ),
    )
    .unwrap();
    let r = output(
        app(None)
            .current_dir(work.path())
            .arg("up")
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("1 migration applied"), "{r:?}");

    // The real environment wins over .env: a URL to a database that does
    // not exist fails, so .env's was not used.
    let bad = test_support::with_database(db.url(), "no_such_database_for_dotenv");
    let r = output(
        app(Some(&bad))
            .current_dir(work.path())
            .arg("version")
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("no_such_database_for_dotenv"), "{r:?}");

    // Only the current directory's .env, not a parent's.
    let child = work.path().join("sub");
    std::fs::create_dir(&child).unwrap();
    let r = output(
        app(None)
            .current_dir(&child)
            .args(["--dir", d.path().to_str().unwrap(), "version"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("no database URL"), "{r:?}");

    // A line that does not parse: exit 2, the line (it may hold a password) not shown.
    std::fs::write(
        work.path().join(".env"),
        "DB_URL='postgres://u:s3cret@h/d\n",
    )
    .unwrap();
    let r = output(
        app(None)
            .current_dir(work.path())
            .arg("version")
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("./.env cannot be read"), "{r:?}");
    assert!(!r.all().contains("s3cret"), "{r:?}");
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let r = run_app(None, &["completions", shell]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout.contains("dir-migrate") || r.stdout.contains("dir__migrate"),
            "{shell}: {r:?}"
        );
        assert!(r.stdout.contains("verify-schema"), "{shell}: {r:?}");
        assert!(!r.stdout.contains("seed"), "{shell}: {r:?}");
        let r = run(None, &["completions", shell]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains("reset"), "{shell}: {r:?}");
    }
    assert_eq!(run_app(None, &["completions", "tcsh"]).code, 2);
}

#[test]
fn status_exit_code_is_3_while_something_is_pending() {
    let db = TestDb::new();
    let d = dir_with_a();
    d.add(
        "000002_b",
        "CREATE TABLE b (id int);",
        Some("DROP TABLE b;"),
    );
    let dir = d.path().to_str().unwrap();
    let url = Some(db.url());
    let r = run_app(url, &["--dir", dir, "status", "--exit-code"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stdout.contains("0 applied, 2 pending"), "{r:?}");
    assert_eq!(run_app(url, &["--dir", dir, "up", "1"]).code, 0);
    assert_eq!(
        run_app(url, &["--dir", dir, "status", "--exit-code", "--json"]).code,
        3
    );
    // Without the flag, pending is not a failure.
    assert_eq!(run_app(url, &["--dir", dir, "status"]).code, 0);
    assert_eq!(run_app(url, &["--dir", dir, "up"]).code, 0);
    let r = run_app(url, &["--dir", dir, "status", "--exit-code"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("2 applied, 0 pending"), "{r:?}");
}
