//! TLS from the command line: the trust store is read only by the modes that
//! verify, as libpq does (see migrate-runtime's `tls` module).

use test_support::TestDb;

use crate::common::{Run, TempDir, cmd, output};

/// `version` against the test database with `sslmode` and more, an unusable
/// system trust store (OpenSSL's and rustls' variables point at nothing) and
/// no `~/.postgresql/root.crt`.
fn version_with(db: &TestDb, params: &str) -> Run {
    let home = TempDir::new();
    let url = format!("{}?{params}", db.url().split('?').next().unwrap());
    output(
        cmd(Some(&url))
            .env("HOME", home.path())
            .env("SSL_CERT_FILE", home.path().join("no-such-bundle.pem"))
            .env("SSL_CERT_DIR", home.path().join("no-such-dir"))
            .arg("version")
            .output()
            .unwrap(),
    )
}

#[test]
fn only_a_verifying_mode_reads_a_trust_store() {
    let db = TestDb::new();
    if !db.url().contains("@localhost") {
        panic!("this test needs the local cluster, which has ssl on");
    }
    // Nothing verified: the missing store does not matter (libpq's `require`).
    for mode in ["prefer", "require"] {
        let r = version_with(&db, &format!("sslmode={mode}"));
        assert_eq!(r.code, 0, "{mode}: {r:?}");
    }
    // verify-full with no root given falls back to the system's store, which
    // here holds nothing: said before anything is sent.
    let r = version_with(&db, "sslmode=verify-full");
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr
            .contains("no root certificate in the system's trust store"),
        "{r:?}"
    );
    assert!(r.stderr.contains("sslrootcert=FILE"), "{r:?}");
}

#[test]
fn a_root_or_client_file_that_is_no_certificate_is_named() {
    let db = TestDb::new();
    let dir = TempDir::new();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let r = version_with(
        &db,
        &format!("sslmode=verify-ca&sslrootcert={}", junk.display()),
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("junk.pem holds no PEM certificate"),
        "{r:?}"
    );
    let r = version_with(&db, &format!("sslmode=require&sslcert={}", junk.display()));
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("sslcert and sslkey go together"), "{r:?}");
}
