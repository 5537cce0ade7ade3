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
    openssl(
        &std::env::temp_dir(),
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=other",
            "-keyout",
            &other.with_extension("key").display().to_string(),
            "-out",
            &other.with_extension("pem").display().to_string(),
        ],
    );
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

/// Runs the openssl command in `dir`.
fn openssl(dir: &std::path::Path, args: &[&str]) {
    let ok = std::process::Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl")
        .success();
    assert!(ok, "openssl {args:?}");
}

/// A self-signed certificate and its key, by the openssl command, the key in
/// PKCS#8 (`key8`) and in PKCS#1 (`key1`) PEM.
fn client_identity(dir: &std::path::Path) {
    #[rustfmt::skip]
    openssl(dir, &[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=client",
        "-keyout", "key8.pem", "-out", "cert.pem",
    ]);
    openssl(
        dir,
        &["rsa", "-in", "key8.pem", "-out", "key1.pem", "-traditional"],
    );
}

#[test]
fn a_client_key_in_pkcs8_or_pkcs1_is_taken() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    client_identity(dir.path());
    let p = |f: &str| dir.path().join(f).display().to_string();
    for key in ["key8.pem", "key1.pem"] {
        // The server asks for no client certificate, so this shows the pair
        // was read and accepted, then the session encrypted.
        let o = ConnectOptions::parse(&url(
            &db,
            &format!(
                "sslmode=require&sslcert={}&sslkey={}",
                p("cert.pem"),
                p(key)
            ),
        ))
        .unwrap();
        assert!(uses_ssl(&o).unwrap(), "{key}");
    }
    let o = ConnectOptions::parse(&url(
        &db,
        &format!(
            "sslmode=require&sslcert={}&sslkey={}",
            p("cert.pem"),
            p("cert.pem")
        ),
    ))
    .unwrap();
    let err = uses_ssl(&o).unwrap_err().to_string();
    assert!(err.contains("sslkey") && err.contains("cert.pem"), "{err}");
}

/// tokio-postgres asks for a TLS connector for a Unix socket too (with no
/// host name, and the server never offers TLS there); that must not fail
/// the connection where libpq's succeeds.
#[cfg(unix)]
#[test]
fn a_unix_socket_connects_under_prefer() {
    let db = TestDb::new();
    let socket = "/var/run/postgresql";
    if !db.url().contains("@localhost")
        || !std::path::Path::new(socket).join(".s.PGSQL.5432").exists()
    {
        panic!("this test needs the local cluster's socket in {socket}");
    }
    let o = ConnectOptions::parse(&format!(
        "host={socket} port=5432 user=postgres dbname={} sslmode=prefer",
        db.name()
    ))
    .unwrap();
    match uses_ssl(&o) {
        // The local cluster's sockets take peer authentication: as the OS
        // user postgres this connects, as another the server says no. Either
        // way the TLS layer let the connection through.
        Ok(ssl) => assert!(!ssl),
        Err(MigrateError::Connect { source, .. }) => {
            assert!(source.as_db_error().is_some(), "{source:?}");
        }
        Err(e) => panic!("{e}"),
    }
}
