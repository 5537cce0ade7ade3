//! The binary linked as `migrate` speaks golang-migrate's command line: its
//! documented commands, run verbatim against a real database.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::{Run, TempDir, output, scalar_i64};
use test_support::TestDb;

/// `novacron-db` built once, linked as `migrate` in a directory of its own.
struct Migrate {
    _dir: TempDir,
    bin: std::path::PathBuf,
}

impl Migrate {
    fn new() -> Self {
        let dir = TempDir::new();
        let bin = dir.path().join("bin").join("migrate");
        std::fs::create_dir_all(bin.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(crate::common::BIN, &bin).unwrap();
        Migrate { _dir: dir, bin }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(&self.bin);
        test_support::isolate_env(&mut c, None);
        c.stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Run {
        output(self.cmd().args(args).output().unwrap())
    }

    fn run_with_input(&self, args: &[&str], input: &str) -> Run {
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        output(child.wait_with_output().unwrap())
    }
}

fn three() -> TempDir {
    TempDir::abc()
}

/// `N/u name (1.234ms)`: golang-migrate's line for one migration.
fn is_step_line(line: &str, step: &str) -> bool {
    line.strip_prefix(step)
        .and_then(|r| r.strip_prefix(" ("))
        .and_then(|r| r.strip_suffix(')'))
        .is_some_and(|d| {
            ["ns", "µs", "ms", "s"]
                .iter()
                .any(|u| d.strip_suffix(u).is_some_and(|n| n.parse::<f64>().is_ok()))
        })
}

#[test]
fn golang_migrate_commands_verbatim() {
    let db = TestDb::new();
    let mut c = db.client();
    let m = Migrate::new();
    let d = three();
    let path = d.path().to_str().unwrap();
    let url = db.url();
    let go = |args: &[&str]| {
        let mut all = vec!["-path", path, "-database", url];
        all.extend_from_slice(args);
        m.run(&all)
    };

    let r = go(&["version"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "error: no migration\n"),
        "{r:?}"
    );

    let r = go(&["up", "1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(lines.len() == 1 && is_step_line(lines[0], "1/u a"), "{r:?}");

    let r = go(&["up"]);
    assert_eq!(r.code, 0, "{r:?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(
        lines.len() == 2 && is_step_line(lines[0], "2/u b") && is_step_line(lines[1], "3/u c"),
        "{r:?}"
    );
    let r = go(&["up"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, "no change\n"), "{r:?}");
    let r = go(&["up", "1"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "error: file does not exist\n"),
        "{r:?}"
    );
    let r = go(&["version"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, "3\n"), "{r:?}");

    let r = go(&["down", "1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(is_step_line(r.stderr.trim_end(), "3/d c"), "{r:?}");
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM pg_class WHERE relname = 'c'"),
        0
    );

    // `down` without N asks golang-migrate's question; anything but y refuses.
    let r = m.run_with_input(&["-path", path, "-database", url, "down"], "n\n");
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.stderr,
        "Are you sure you want to apply all down migrations? [y/N]\nNot applying all down migrations\n",
        "{r:?}"
    );
    let r = m.run_with_input(&["-path", path, "-database", url, "down"], "y\n");
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("Applying all down migrations\n2/d b ("),
        "{r:?}"
    );
    assert!(r.stderr.contains("\n1/d a ("), "{r:?}");

    let r = go(&["down", "-all"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, "no change\n"), "{r:?}");
    let r = go(&["goto", "2"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.starts_with("1/u a ("), "{r:?}");
    assert_eq!(go(&["version"]).stderr, "2\n");
    let r = go(&["down", "-all"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.starts_with("2/d b ("), "{r:?}");
    let r = go(&["down", "1"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "error: file does not exist\n"),
        "{r:?}"
    );
    let r = go(&["up", "5"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("\n3/u c (") && r.stderr.ends_with(")\nerror: limit 2 short\n"),
        "{r:?}"
    );
    let r = go(&["goto", "7"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "error: file does not exist\n"),
        "{r:?}"
    );

    let r = go(&["force", "1"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
    assert_eq!(go(&["version"]).stderr, "1\n");
    c.batch_execute("UPDATE schema_migrations SET dirty = true")
        .unwrap();
    assert_eq!(go(&["version"]).stderr, "1 (dirty)\n");
    assert_eq!(go(&["force", "-1"]).code, 0);
    assert_eq!(go(&["version"]).stderr, "error: no migration\n");
    let r = go(&["force", "-2"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "error: argument V must be >= -1\n"),
        "{r:?}"
    );

    // drop: asks without -f, drops with it.
    let r = go(&["drop"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.starts_with("Are you sure you want to drop the entire database schema? [y/N]\nAborted dropping the entire database schema\n"), "{r:?}");
    assert_eq!(
        scalar_i64(&mut c, "SELECT count(*) FROM pg_class WHERE relname = 'a'"),
        1
    );
    let r = go(&["drop", "-f"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{r:?}");
    assert_eq!(
        scalar_i64(
            &mut c,
            "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b', 'schema_migrations')"
        ),
        0
    );

    // -source file://, -flag=value, double dashes, -lock-timeout, -verbose.
    let source = format!("file://{path}");
    let database = format!("--database={url}");
    let r = m.run(&[
        "-source",
        &source,
        &database,
        "-lock-timeout",
        "5",
        "-verbose",
        "up",
        "1",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains(" Finished 1/u a (read "), "{r:?}");
    assert!(r.stderr.contains(" Finished after "), "{r:?}");
}

#[test]
fn golang_migrate_usage_and_create() {
    let m = Migrate::new();
    let r = m.run(&["-help"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr
            .starts_with("Usage: migrate OPTIONS COMMAND [arg...]\n"),
        "{r:?}"
    );
    let r = m.run(&["-version"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, concat!(env!("CARGO_PKG_VERSION"), "\n"))
    );
    assert_eq!(m.run(&[]).code, 2);
    assert_eq!(m.run(&["-nonsense", "up"]).code, 2);
    assert!(
        m.run(&["-nonsense"])
            .stderr
            .starts_with("flag provided but not defined: -nonsense\n")
    );
    assert_eq!(m.run(&["sideways"]).code, 2);
    // golang-migrate reads no environment: no -database is an error.
    let d = three();
    let r = m.run(&["-path", d.path().to_str().unwrap(), "up"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.starts_with("error: no database"), "{r:?}");

    let work = TempDir::new();
    let dir = work.path().join("db").join("migrations");
    let dir_s = dir.to_str().unwrap();
    let r = m.run(&[
        "create", "-ext", "sql", "-dir", dir_s, "-seq", "-digits", "6", "add_x",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let up = dir.join("000001_add_x.up.sql");
    let down = dir.join("000001_add_x.down.sql");
    assert_eq!(
        r.stderr,
        format!("{}\n{}\n", up.display(), down.display()),
        "{r:?}"
    );
    assert!(up.is_file() && down.is_file());
    let r = m.run(&[
        "create", "-ext", ".sql", "-dir", dir_s, "-seq", "-digits", "6", "AddY",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(dir.join("000002_AddY.up.sql").is_file(), "{r:?}");
    let r = m.run(&["create", "-dir", dir_s, "x"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "error: -ext flag must be specified\n"),
        "{r:?}"
    );
    let r = m.run(&["create", "-ext", "sql"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "error: please specify name\n"),
        "{r:?}"
    );
    // Timestamp versions, in the current directory by default.
    let r = output(
        m.cmd()
            .current_dir(work.path())
            .args(["create", "-ext", "sql", "ts"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let names: Vec<String> = std::fs::read_dir(work.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with("_ts.up.sql"))
        .collect();
    assert!(
        names.len() == 1 && names[0].len() == "20260101120000_ts.up.sql".len(),
        "{names:?}"
    );
    // The created files are a valid (empty) migration the native CLI accepts.
    let r = crate::common::run(None, &["--dir", dir_s, "validate"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("files: 2 migrations, ok"), "{r:?}");
}
