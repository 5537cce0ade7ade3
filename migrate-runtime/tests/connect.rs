//! Connecting with each sslmode against the local cluster (Debian's has ssl on,
//! with the snakeoil certificate for `localhost`).

use std::time::{Duration, Instant};

use pgcheck::MigrateError;
use pgcheck::connect::ConnectOptions;
use test_support::TestDb;

const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";

/// The test database's URL with other query parameters.
fn url(db: &TestDb, params: &str) -> String {
    let base = db.url().split('?').next().unwrap().to_owned();
    format!("{base}?{params}")
}

fn uses_ssl(o: &ConnectOptions) -> Result<bool, MigrateError> {
    let mut c = o.connect()?;
    Ok(c.query_one(
        "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        &[],
    )
    .unwrap()
    .get(0))
}

#[test]
fn require_encrypts_and_disable_does_not() {
    let db = TestDb::new();
    let o = ConnectOptions::parse(&url(&db, "sslmode=require")).unwrap();
    assert!(uses_ssl(&o).unwrap());
    let o = ConnectOptions::parse(&url(&db, "sslmode=prefer")).unwrap();
    assert!(uses_ssl(&o).unwrap());
    let o = ConnectOptions::parse(&url(&db, "sslmode=disable")).unwrap();
    assert!(!uses_ssl(&o).unwrap());
}

#[test]
fn verify_modes_check_the_certificate() {
    if !std::path::Path::new(SNAKEOIL).exists() || !TestDb::new().url().contains("@localhost") {
        panic!("this test needs the local Debian cluster with its snakeoil certificate");
    }
    let db = TestDb::new();
    // A root that did not sign the server's certificate is refused. (Debian links
    // the snakeoil certificate into the system store, so "system" would pass.)
    let other = std::env::temp_dir().join(format!("nc-other-ca-{}", std::process::id()));
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=other",
        ])
        .arg("-keyout")
        .arg(other.with_extension("key"))
        .arg("-out")
        .arg(other.with_extension("pem"))
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl");
    assert!(status.success());
    let o = ConnectOptions::parse(&url(
        &db,
        &format!(
            "sslmode=verify-ca&sslrootcert={}",
            other.with_extension("pem").display()
        ),
    ))
    .unwrap();
    let err = uses_ssl(&o).unwrap_err();
    let _ = std::fs::remove_file(other.with_extension("key"));
    let _ = std::fs::remove_file(other.with_extension("pem"));
    assert!(matches!(err, MigrateError::Connect { .. }), "{err}");
    assert!(
        migrate_runtime_error_chain(&err).contains("TLS"),
        "{}",
        migrate_runtime_error_chain(&err)
    );
    // Trusted explicitly, it verifies for the name it was made for ...
    let o = ConnectOptions::parse(&url(
        &db,
        &format!("sslmode=verify-full&sslrootcert={SNAKEOIL}"),
    ))
    .unwrap();
    assert!(uses_ssl(&o).unwrap());
    // ... not for another name, unless only the chain is checked.
    let by_ip = url(&db, &format!("sslmode=verify-full&sslrootcert={SNAKEOIL}"))
        .replace("@localhost", "@127.0.0.1");
    let err = uses_ssl(&ConnectOptions::parse(&by_ip).unwrap()).unwrap_err();
    let chain = migrate_runtime_error_chain(&err);
    assert!(
        chain.contains("TLS") || chain.contains("certificate"),
        "{chain}"
    );
    let ca = by_ip.replace("verify-full", "verify-ca");
    assert!(uses_ssl(&ConnectOptions::parse(&ca).unwrap()).unwrap());
}

#[test]
fn wait_gives_up_after_its_time_on_a_dead_port() {
    let o = ConnectOptions::parse("postgres://postgres:pw@127.0.0.1:1/x?sslmode=disable").unwrap();
    let start = Instant::now();
    let mut told = 0;
    let Err(err) = o.connect_wait(Duration::from_millis(700), &mut |_| told += 1) else {
        panic!("connected to port 1")
    };
    assert!(start.elapsed() >= Duration::from_millis(700));
    assert_eq!(told, 1);
    assert!(err.to_string().contains("127.0.0.1:1/x"), "{err}");
}

#[test]
fn wrong_credentials_fail_at_once_even_with_wait() {
    let db = TestDb::new();
    let bad = url(&db, "sslmode=disable").replacen(":postgres@", ":wrong-password-xyz@", 1);
    let o = ConnectOptions::parse(&bad).unwrap();
    let start = Instant::now();
    let Err(err) = o.connect_wait(Duration::from_secs(10), &mut |_| {}) else {
        panic!("connected with a wrong password")
    };
    assert!(start.elapsed() < Duration::from_secs(5));
    let text = migrate_runtime_error_chain(&err);
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(!text.contains("wrong-password-xyz"), "{text}");
}

fn migrate_runtime_error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
