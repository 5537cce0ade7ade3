//! TLS as libpq does it, on rustls (feature `tls`).
//!
//! Why rustls and not the platform's OpenSSL: libpq verifies nothing in
//! `prefer` and `require` without a root certificate, and loads no trust store
//! then; OpenSSL through native-tls always loads the system's (twice, about
//! 40 ms of parsing on Debian's OpenSSL 3), three times the whole work of a
//! run with nothing to migrate. Here a trust store is read only by a mode that
//! verifies: the `sslrootcert` file, or the system's for `sslrootcert=system`.
//!
//! libpq's meanings: `require` encrypts without verifying unless a root
//! certificate is given, `verify-ca` checks the chain, `verify-full` also the
//! host name.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::error::MigrateError;

/// What a connection's TLS checks, from the URL's `sslmode`, `sslrootcert`,
/// `sslcert` and `sslkey`.
pub(crate) struct Settings<'a> {
    /// The chain is verified (`verify-ca`, `verify-full`, or `require` with a
    /// root certificate).
    pub verify: bool,
    /// The host name is checked too (`verify-full`).
    pub verify_name: bool,
    /// `sslrootcert`: a PEM file, or `system`; `None`: `~/.postgresql/root.crt`
    /// when it exists, else the system's store.
    pub root_cert: Option<&'a str>,
    pub client_cert: Option<&'a Path>,
    pub client_key: Option<&'a Path>,
}

/// The connector for these settings.
///
/// # Errors
///
/// [`MigrateError::Tls`]: a certificate or key that cannot be read, or that
/// holds no certificate; `sslcert` without `sslkey`.
pub(crate) fn connector(s: &Settings<'_>) -> Result<Tls, MigrateError> {
    // The provider is named rather than the process's default, so that an
    // app that installs another one (or none) gets the same behaviour.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = if s.verify {
        let roots = Arc::new(roots(s.root_cert)?);
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|e| MigrateError::Tls(format!("the root certificates: {e}")))?;
        Some(webpki)
    } else {
        None
    };
    let verifier: Arc<dyn ServerCertVerifier> = match chain {
        Some(webpki) if s.verify_name => webpki,
        chain => Arc::new(Lenient {
            chain,
            algorithms: provider.signature_verification_algorithms,
        }),
    };
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| MigrateError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match (s.client_cert, s.client_key) {
        (Some(cert), Some(key_file)) => {
            let chain = certificates(cert)?;
            let key = PrivateKeyDer::from_pem_file(key_file).map_err(|e| {
                MigrateError::Tls(format!(
                    "sslkey {}: {e} (a PEM private key: PKCS#8, PKCS#1 or SEC1)",
                    key_file.display()
                ))
            })?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                MigrateError::Tls(format!(
                    "client certificate {} / key {}: {e}",
                    cert.display(),
                    key_file.display()
                ))
            })?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => {
            return Err(MigrateError::Tls(
                "sslcert and sslkey go together".to_owned(),
            ));
        }
    };
    Ok(Tls {
        inner: MakeRustlsConnect::new(config),
    })
}

/// The trust store of a verifying mode.
fn roots(root_cert: Option<&str>) -> Result<RootCertStore, MigrateError> {
    let file = root_cert.map(str::to_owned).or_else(|| {
        let home = std::env::var_os("HOME")?;
        let p = Path::new(&home).join(".postgresql/root.crt");
        p.exists().then(|| p.display().to_string())
    });
    let mut store = RootCertStore::empty();
    match file.as_deref() {
        // libpq 16: "system" means the operating system's trust store.
        None | Some("system") => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map_or_else(|| "none found".to_owned(), ToString::to_string);
                return Err(MigrateError::Tls(format!(
                    "no root certificate in the system's trust store ({why}): give one with sslrootcert=FILE"
                )));
            }
        }
        // As libpq: the given roots are the only ones trusted.
        Some(path) => {
            for cert in certificates(Path::new(path))? {
                store
                    .add(cert)
                    .map_err(|e| MigrateError::Tls(format!("sslrootcert {path}: {e}")))?;
            }
        }
    }
    Ok(store)
}

/// Every certificate of a PEM file; an error when it holds none.
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, MigrateError> {
    let what = |e: &dyn std::fmt::Display| {
        MigrateError::Tls(format!("cannot read {}: {e}", path.display()))
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| what(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| what(&e))?;
    if certs.is_empty() {
        return Err(MigrateError::Tls(format!(
            "{} holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// `prefer` and `require` without a root certificate (`chain: None`): the
/// certificate taken as it is, libpq's behaviour; `verify-ca`: the chain
/// checked, the name not. Either way the handshake's signature is checked
/// against the certificate presented.
#[derive(Debug)]
struct Lenient {
    chain: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Lenient {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        // webpki checks the name only after the chain, so a name error means
        // the chain was good.
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The driver's TLS connector. tokio-postgres asks for one per host before it
/// knows whether TLS will be used, with `""` for a Unix socket (where the
/// server never offers TLS); rustls refuses a name that is not a DNS name or
/// an address, which would fail a connection libpq makes. Such a name gets a
/// placeholder: TLS over it happens only if the server offers it on a host
/// that was reached by that name, and then a verifying mode fails as it
/// should (the placeholder is no name of the server's).
#[derive(Clone)]
pub struct Tls {
    inner: MakeRustlsConnect,
}

impl<S> MakeTlsConnect<S> for Tls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = <MakeRustlsConnect as MakeTlsConnect<S>>::Stream;
    type TlsConnect = <MakeRustlsConnect as MakeTlsConnect<S>>::TlsConnect;
    type Error = <MakeRustlsConnect as MakeTlsConnect<S>>::Error;

    fn make_tls_connect(&mut self, hostname: &str) -> Result<Self::TlsConnect, Self::Error> {
        let name = if ServerName::try_from(hostname).is_ok() {
            hostname
        } else {
            "invalid.invalid"
        };
        <MakeRustlsConnect as MakeTlsConnect<S>>::make_tls_connect(&mut self.inner, name)
    }
}
