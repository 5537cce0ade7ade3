//! `backup` and `restore`: pg_dump / pg_restore round trips of the seeded
//! schema, and every refusal.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{Run, TempDir, cmd, output};
use test_support::TestDb;

/// Runs the binary against `url` given as `--database-url`.
fn novacron(url: &str, args: &[&str]) -> Run {
    output(
        cmd(None)
            .arg("--database-url")
            .arg(url)
            .args(args)
            .output()
            .expect("running novacron-db"),
    )
}

/// Every public table: (row count, md5 of its rows in text form).
fn snapshot(db: &TestDb) -> BTreeMap<String, (i64, Option<String>)> {
    let mut c = db.client();
    let tables: Vec<String> = c
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let row = c
                .query_one(
                    &format!(
                        "SELECT count(*), md5(string_agg(t::text, ',' ORDER BY t::text)) \
                         FROM public.\"{t}\" t"
                    ),
                    &[],
                )
                .unwrap();
            (t, (row.get(0), row.get(1)))
        })
        .collect()
}

fn table_count(db: &TestDb) -> i64 {
    db.client()
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .unwrap()
        .get(0)
}

/// False, saying so loudly, when this machine's pg_dump (found as the tool
/// finds it: `pg_config --bindir`, else PATH) is older than `db`'s server:
/// the tool then refuses the backup, as it should (that refusal is
/// `missing_or_old_client_tools_are_clear_errors`), and a round trip cannot
/// be tested here (`make test-matrix` on 16 to 18 with Debian's 15 client).
fn client_tools_serve(db: &TestDb) -> bool {
    let server: i64 = db
        .client()
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .unwrap()
        .get::<_, i32>(0)
        .into();
    let bindir = std::process::Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let pg_dump = bindir.map_or_else(|| "pg_dump".into(), |d| Path::new(&d).join("pg_dump"));
    let major = std::process::Command::new(&pg_dump)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            let version = text.split_whitespace().last()?.to_owned();
            version.split('.').next()?.parse::<i64>().ok()
        });
    match major {
        Some(m) if m < server => {
            eprintln!(
                "BACKUP ROUND TRIP DID NOT RUN: {} is version {m}, the server {server}",
                pg_dump.display()
            );
            false
        }
        _ => true,
    }
}

fn migrated_and_seeded() -> TestDb {
    let db = TestDb::new();
    let r = novacron(db.url(), &["up"]);
    assert_eq!(r.code, 0, "{r:?}");
    let r = novacron(db.url(), &["seed"]);
    assert_eq!(r.code, 0, "{r:?}");
    db
}

fn latest_version(db: &TestDb) -> i64 {
    db.client()
        .query_one("SELECT version FROM schema_migrations", &[])
        .unwrap()
        .get(0)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn backup_then_restore_gives_the_same_rows_and_refuses_what_it_should() {
    let src = migrated_and_seeded();
    if !client_tools_serve(&src) {
        return;
    }
    let version = latest_version(&src);
    let tmp = TempDir::new();
    let dump = tmp.path().join("nc.dump");

    let r = novacron(src.url(), &["backup", s(&dump)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(s(&dump)), "the path is printed: {r:?}");
    assert!(dump.is_file());
    let sidecar = tmp.path().join("nc.dump.json");
    let meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sidecar).unwrap()).unwrap();
    assert_eq!(meta["version"], version, "{meta}");
    assert_eq!(meta["dirty"], false, "{meta}");
    assert_eq!(meta["database"], src.name(), "{meta}");
    for k in ["created_at", "pg_dump_version", "server_version"] {
        assert!(
            meta[k].as_str().is_some_and(|v| !v.is_empty()),
            "{k}: {meta}"
        );
    }

    let original = snapshot(&src);
    let with_rows = original.values().filter(|(n, _)| *n > 0).count();
    let rows: i64 = original.values().map(|(n, _)| n).sum();
    assert!(original.len() >= 14 && with_rows >= 14, "{original:?}");
    eprintln!(
        "source: {} tables, {with_rows} with rows, {rows} rows in all",
        original.len()
    );

    // Into an empty database.
    let dst = TestDb::new();
    let r = novacron(dst.url(), &["restore", s(&dump)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(&format!("version {version}")), "{r:?}");
    assert_eq!(snapshot(&dst), original);

    // Again: the database is not empty now.
    let r = novacron(dst.url(), &["restore", s(&dump)]);
    assert!(r.code == 1 || r.code == 2, "{r:?}");
    assert!(r.stderr.contains("not empty"), "{r:?}");
    assert_eq!(snapshot(&dst), original, "a refusal changes nothing");

    // --force replaces whatever is there, strays included.
    dst.client()
        .batch_execute("CREATE TABLE stray (x int); DELETE FROM audit_logs;")
        .unwrap();
    let r = novacron(dst.url(), &["restore", s(&dump), "--force"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(snapshot(&dst), original);

    // A version this binary does not know, per the sidecar.
    let edited = tmp.path().join("edited.dump");
    std::fs::copy(&dump, &edited).unwrap();
    let mut meta2 = meta.clone();
    meta2["version"] = serde_json::json!(999_999);
    std::fs::write(
        tmp.path().join("edited.dump.json"),
        serde_json::to_string(&meta2).unwrap(),
    )
    .unwrap();
    let empty = TestDb::new();
    let r = novacron(empty.url(), &["restore", s(&edited)]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("999999"), "{r:?}");
    assert_eq!(table_count(&empty), 0, "a refusal changes nothing");
    let r = novacron(dst.url(), &["restore", s(&edited), "--force"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(snapshot(&dst), original, "not even with --force");

    // Without a sidecar the version comes out of the dump itself.
    let bare = tmp.path().join("bare.dump");
    std::fs::copy(&dump, &bare).unwrap();
    let r = novacron(empty.url(), &["restore", s(&bare)]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains(&format!("version {version}")), "{r:?}");
    assert_eq!(snapshot(&empty), original);

    // Not a dump at all: refused before anything is dropped.
    let junk = tmp.path().join("junk.dump");
    std::fs::write(&junk, "not a dump").unwrap();
    let r = novacron(dst.url(), &["restore", s(&junk), "--force"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(snapshot(&dst), original);

    // A missing file is a usage error.
    let r = novacron(dst.url(), &["restore", s(&tmp.path().join("nope.dump"))]);
    assert_eq!(r.code, 2, "{r:?}");
}

/// A dump cut to 50-99% of its size still lists (its table of contents is at
/// the start) but cannot be restored: `restore --force` refuses it before
/// dropping anything, so the target stays exactly as it was.
#[test]
fn a_truncated_dump_leaves_the_target_as_it_was() {
    let src = migrated_and_seeded();
    if !client_tools_serve(&src) {
        return;
    }
    let tmp = TempDir::new();
    let dump = tmp.path().join("nc.dump");
    let r = novacron(src.url(), &["backup", s(&dump)]);
    assert_eq!(r.code, 0, "{r:?}");
    let bytes = std::fs::read(&dump).unwrap();
    let sidecar = std::fs::read(tmp.path().join("nc.dump.json")).unwrap();
    let original = snapshot(&src);
    for pct in [50, 75, 99] {
        let cut = tmp.path().join(format!("cut{pct}.dump"));
        std::fs::write(&cut, &bytes[..bytes.len() * pct / 100]).unwrap();
        std::fs::write(tmp.path().join(format!("cut{pct}.dump.json")), &sidecar).unwrap();
        let r = novacron(src.url(), &["restore", s(&cut), "--force"]);
        assert_eq!(r.code, 1, "{pct}%: {r:?}");
        assert!(
            r.stderr.contains("cannot be read to the end")
                && r.stderr.contains("nothing was dropped"),
            "{pct}%: {r:?}"
        );
        assert_eq!(snapshot(&src), original, "{pct}%: the target changed");
    }
}

#[test]
fn default_name_and_no_overwrite() {
    let src = TestDb::new();
    if !client_tools_serve(&src) {
        return;
    }
    assert_eq!(novacron(src.url(), &["up"]).code, 0);
    let version = latest_version(&src);
    let tmp = TempDir::new();
    let r = output(
        cmd(None)
            .current_dir(tmp.path())
            .args(["--database-url", src.url(), "backup"])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let names: Vec<String> = std::fs::read_dir(tmp.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let dump = names
        .iter()
        .find(|n| n.ends_with(".dump"))
        .unwrap_or_else(|| panic!("{names:?}"));
    assert_eq!(names.len(), 2, "the dump and its sidecar only: {names:?}");
    assert!(names.contains(&format!("{dump}.json")), "{names:?}");
    // <db>_<YYYYMMDDTHHMMSSZ>_v<version>.dump
    let prefix = format!("{}_", src.name());
    let stamp = dump
        .strip_prefix(&prefix)
        .and_then(|r| r.strip_suffix(&format!("_v{version}.dump")))
        .unwrap_or_else(|| panic!("{dump}"));
    assert!(
        stamp.len() == 16
            && stamp.as_bytes()[8] == b'T'
            && stamp.ends_with('Z')
            && chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ").is_ok(),
        "{stamp}"
    );
    assert!(r.stdout.contains(&format!("backups/{dump}")), "{r:?}");

    // An explicit FILE that exists is not overwritten.
    let existing = tmp.path().join("backups").join(dump);
    let before = std::fs::metadata(&existing).unwrap().len();
    let r = novacron(src.url(), &["backup", s(&existing)]);
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(std::fs::metadata(&existing).unwrap().len(), before);
}

#[test]
fn a_wrong_password_is_never_printed() {
    let db = TestDb::new();
    let secret = format!("Wrong-Pw-{}-q7Zt", std::process::id());
    let base = db.url().split('?').next().unwrap();
    let (_, hostpart) = base.split_once('@').unwrap();
    let url = format!("postgres://postgres:{secret}@{hostpart}?sslmode=disable");
    let tmp = TempDir::new();
    let file = tmp.path().join("x.dump");
    for debug in [false, true] {
        let mut c = cmd(None);
        c.args(["--database-url", &url, "backup", s(&file)]);
        if debug {
            c.env("DEBUG", "1");
        }
        let r = output(c.output().unwrap());
        assert_eq!(r.code, 1, "{r:?}");
        assert!(!r.all().contains(&secret), "the password leaked: {r:?}");
        assert!(!r.all().contains("q7Zt"), "{r:?}");
    }
    assert!(!file.exists() && std::fs::read_dir(tmp.path()).unwrap().count() == 0);
}

#[test]
fn missing_or_old_client_tools_are_clear_errors() {
    let db = TestDb::new();
    let major: i32 = db
        .client()
        .query_one(
            "SELECT current_setting('server_version_num')::int / 10000",
            &[],
        )
        .unwrap()
        .get(0);
    let tmp = TempDir::new();
    let file = tmp.path().join("x.dump");

    // No pg_config, no pg_dump anywhere on PATH.
    let empty_dir = tmp.path().join("empty");
    std::fs::create_dir(&empty_dir).unwrap();
    let r = output(
        cmd(None)
            .env("PATH", &empty_dir)
            .args(["--database-url", db.url(), "backup", s(&file)])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("pg_dump not found") && r.stderr.contains("postgresql-client"),
        "{r:?}"
    );

    // A pg_dump one major version older than the server.
    let fake = tmp.path().join("fake");
    std::fs::create_dir(&fake).unwrap();
    let old = major - 1;
    let script = fake.join("pg_dump");
    std::fs::write(
        &script,
        format!("#!/bin/sh\necho 'pg_dump (PostgreSQL) {old}.9'\n"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let r = output(
        cmd(None)
            .env("PATH", &fake)
            .args(["--database-url", db.url(), "backup", s(&file)])
            .output()
            .unwrap(),
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "pg_dump {old} cannot dump a PostgreSQL {major} server; install postgresql-client-{major}"
        )),
        "{r:?}"
    );
    assert!(!file.exists());
}
