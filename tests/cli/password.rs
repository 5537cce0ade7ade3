//! The password never appears in any output, error or log.

use crate::common::{TempDir, cmd, output, run};
use test_support::TestDb;

/// A login role with a distinctive password, dropped at the end.
struct Role {
    name: String,
}

impl Drop for Role {
    fn drop(&mut self) {
        let mut admin = test_support::connect(&test_support::admin_url());
        let _ = admin.batch_execute(&format!("DROP ROLE IF EXISTS \"{}\"", self.name));
    }
}

/// A role with a distinctive password that owns `db`, and URLs with the
/// right password and a wrong one.
fn role_on(db: &TestDb, tag: &str) -> (Role, String, String, String) {
    let secret = format!("Pw-{}-{tag}-zq8Xv", std::process::id());
    let role = Role {
        name: format!("nc_pw_{tag}_{}", std::process::id()),
    };
    let mut admin = test_support::connect(&test_support::admin_url());
    admin
        .batch_execute(&format!(
            "CREATE ROLE \"{0}\" LOGIN PASSWORD '{secret}'; ALTER DATABASE \"{1}\" OWNER TO \"{0}\";",
            role.name,
            db.name()
        ))
        .unwrap();
    let base = db.url().split('?').next().unwrap();
    let (_, hostpart) = base.split_once('@').unwrap();
    let url = format!(
        "postgres://{}:{secret}@{hostpart}?sslmode=disable",
        role.name
    );
    let wrong = format!(
        "postgres://{}:{secret}X@{hostpart}?sslmode=disable",
        role.name
    );
    (role, secret, url, wrong)
}

#[test]
fn the_password_never_shows() {
    let db = TestDb::new();
    let (_role, secret, url, wrong) = role_on(&db, "a");
    let hostpart = url.split_once('@').unwrap().1.split('?').next().unwrap();

    let d = TempDir::new();
    d.add(
        "000001_a",
        "CREATE TABLE a (id int);",
        Some("DROP TABLE a;"),
    )
    .add(
        "000002_b",
        "INSERT INTO a VALUES ('x');",
        Some("DELETE FROM a;"),
    );
    let dir = d.path().to_str().unwrap();

    let mut outputs = vec![
        run(Some(&url), &["--dir", dir, "up"]),
        run(Some(&url), &["--dir", dir, "status"]),
        run(Some(&url), &["--dir", dir, "status", "--json"]),
        run(Some(&url), &["--dir", dir, "version"]),
        run(Some(&url), &["--dir", dir, "validate"]),
        run(Some(&url), &["--dir", dir, "up", "--dry-run"]),
        run(Some(&wrong), &["--dir", dir, "up"]),
        run(None, &["--database-url", &wrong, "--dir", dir, "version"]),
        run(
            Some(&url.replace(hostpart.split('/').next().unwrap(), "127.0.0.1:1")),
            &["--wait", "300ms", "--dir", dir, "version"],
        ),
        run(
            Some(&url.replace("sslmode=disable", "sslmode=bogus")),
            &["--dir", dir, "version"],
        ),
        run(
            Some(&url.replace(":5432", ":notaport")),
            &["--dir", dir, "version"],
        ),
        run(
            Some(&format!("{url}&sslrootcert=/nonexistent")),
            &["--dir", dir, "version"],
        ),
    ];
    for k in ["DEBUG", "RUST_LOG"] {
        let value = if k == "DEBUG" { "1" } else { "trace" };
        outputs.push(output(
            cmd(Some(&url))
                .env(k, value)
                .args(["--dir", dir, "up"])
                .output()
                .unwrap(),
        ));
        outputs.push(output(
            cmd(Some(&wrong))
                .env(k, value)
                .args(["--dir", dir, "up"])
                .output()
                .unwrap(),
        ));
    }
    assert!(
        outputs[0]
            .stderr
            .contains("invalid input syntax for type integer"),
        "{:?}",
        outputs[0]
    );
    assert!(
        outputs[6].stderr.contains("password authentication failed"),
        "{:?}",
        outputs[6]
    );
    for (i, o) in outputs.iter().enumerate() {
        assert!(
            !o.all().contains(&secret),
            "output {i} shows the password: {o:?}"
        );
    }
    drop(db);
}

/// `console` runs psql with the password in its environment: psql's command
/// line (the same process, `console` execs it) does not hold it. And
/// `conninfo --env` gives a shell what it needs to run psql itself.
#[test]
fn console_and_conninfo_keep_the_password_off_command_lines() {
    let db = TestDb::new();
    let (role, secret, url, _) = role_on(&db, "c");
    let child = cmd(Some(&url))
        .args(["console", "--", "-X", "-A", "-t"])
        .args(["-c", "SELECT current_user, pg_sleep(1)"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let cmdline = format!("/proc/{}/cmdline", child.id());
    let mut seen = String::new();
    for _ in 0..100 {
        seen = String::from_utf8_lossy(&std::fs::read(&cmdline).unwrap_or_default())
            .replace('\0', " ");
        if seen.contains("psql") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let r = output(child.wait_with_output().unwrap());
    assert!(seen.contains("psql") && seen.contains("pg_sleep"), "{seen}");
    assert!(!seen.contains(&secret), "psql's command line: {seen}");
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, format!("{}|\n", role.name));

    let r = run(Some(&url), &["conninfo"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        !r.all().contains(&secret) && r.stdout.contains(":***@"),
        "{r:?}"
    );
    let r = run(Some(&url), &["conninfo", "--env"]);
    assert!(
        r.stdout.contains(&format!("export PGPASSWORD='{secret}'")),
        "{r:?}"
    );
    let shell = output(
        std::process::Command::new("sh")
            .arg("-c")
            .arg("eval \"$1\" && exec psql -X -A -t -c 'SELECT current_user'")
            .arg("sh")
            .arg(&r.stdout)
            .output()
            .unwrap(),
    );
    assert_eq!(shell.stdout, format!("{}\n", role.name), "{shell:?}");
    // The database before the role that owns it.
    drop(db);
}
