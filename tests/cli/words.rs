//! Clear words and the exit codes the README promises (issue #13): a BOM is
//! named, a malformed URL and a refused prompt exit 2, `status` counts a dirty
//! migration, an unencoded `@` in a password gets a hint, a closed pipe never
//! panics.

use std::process::Stdio;

use crate::common::{TempDir, cmd, dir_with_a, run};
use test_support::TestDb;

#[test]
fn a_byte_order_mark_is_named() {
    let d = TempDir::new();
    d.add(
        "000001_a",
        "\u{feff}CREATE TABLE a (id int);",
        Some("DROP TABLE a;"),
    );
    let dir = d.path().to_str().unwrap();
    let r = run(None, &["--dir", dir, "validate"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "{dir}/000001_a.up.sql:1:1: the file starts with a UTF-8 byte order mark (BOM)"
        )) && r.stderr.contains("without a BOM"),
        "{r:?}"
    );
}

#[test]
fn a_malformed_url_exits_2_and_an_at_sign_in_the_password_gets_a_hint() {
    let r = run(Some("postgres://u:pw@localhost:notaport/db"), &["version"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("invalid database URL"), "{r:?}");

    let r = run(Some("postgres://u:hunter@22@localhost/db"), &["version"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("more than one '@'") && r.stderr.contains("%40"),
        "{r:?}"
    );
    assert!(
        !r.all().contains("hunter"),
        "the password is printed: {r:?}"
    );
}

/// `down --all` answered "n" on a terminal (`script` gives it one) exits 2,
/// as the README says of a refused destructive command, and changes nothing.
#[test]
fn a_refused_confirmation_exits_2() {
    let db = TestDb::new();
    let d = dir_with_a();
    let dir = d.path().to_str().unwrap();
    assert_eq!(run(Some(db.url()), &["--dir", dir, "up"]).code, 0);
    let shell = format!("{} --dir '{dir}' down --all", crate::common::BIN);
    let mut c = std::process::Command::new("script");
    test_support::isolate_env(&mut c, Some(db.url()));
    let o = c
        .args(["-qec", &shell, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut ch| {
            use std::io::Write;
            ch.stdin.take().unwrap().write_all(b"n\n")?;
            ch.wait_with_output()
        })
        .expect("running novacron-db under script(1)");
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("cancelled; nothing was changed"), "{text}");
    assert_eq!(
        run(Some(db.url()), &["--dir", dir, "version"]).stdout,
        "1\n"
    );
}

#[test]
fn status_counts_a_dirty_migration() {
    let db = TestDb::new();
    let d = dir_with_a();
    d.add(
        "000002_b",
        "-- migrate:no-transaction\nCREATE TABLE b (id int);\nSELECT 1 / 0;",
        Some("DROP TABLE b;"),
    );
    let dir = d.path().to_str().unwrap();
    assert_eq!(run(Some(db.url()), &["--dir", dir, "up"]).code, 1);
    let r = run(Some(db.url()), &["--dir", dir, "status"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("1 applied, 1 dirty, 0 pending"), "{r:?}");
}

/// `novacron-db status | head -1`, and the same with stderr: the reader is
/// gone, the binary exits with its own code instead of panicking (101).
#[test]
fn a_closed_pipe_never_panics() {
    let d = TempDir::new();
    let missing = d.path().join("nope");
    for closed_stdout in [true, false] {
        // A pipe whose reading end is closed before the binary starts.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut c = cmd(None);
        c.args(["--dir", missing.to_str().unwrap(), "validate"]);
        if closed_stdout {
            c.stdout(writer).stderr(Stdio::null());
        } else {
            c.stdout(Stdio::null()).stderr(writer);
        }
        let status = c.status().unwrap();
        assert_eq!(status.code(), Some(1), "closed stdout {closed_stdout}");
    }
}
