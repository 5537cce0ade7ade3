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

#[test]
fn the_password_never_shows() {
    let secret = format!("Pw-{}-zq8Xv", std::process::id());
    let role = Role {
        name: format!("nc_pw_{}", std::process::id()),
    };
    let db = TestDb::new();
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
