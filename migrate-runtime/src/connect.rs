//! Connecting: URLs as golang-migrate and libpq take them, TLS, waiting for a
//! server that is starting.
//!
//! The `postgres` crate parses `sslmode` only as disable/prefer/require, so the
//! TLS parameters are taken out of the URL here and honoured as libpq does
//! (see the `tls` module). golang-migrate's own `x-` parameters are taken out too.
//!
//! Nothing here ever formats the URL: messages name the server as
//! `user@host:port/database`, built from the parsed parts, so no password can
//! leak into output or logs.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use postgres::config::Host;
use postgres::{Client, NoTls};
use tokio_postgres::Config;

use crate::conninfo::ConnInfo;
use crate::error::MigrateError;
use crate::migrator::apply::error_chain;
use crate::sql::TableName;

/// libpq's `sslmode`s, minus `allow` (which is `prefer` with the order swapped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// No TLS.
    Disable,
    /// TLS when the server offers it (without the `tls` feature: no TLS).
    Prefer,
    /// TLS, the certificate verified only when a root certificate is given.
    Require,
    /// TLS, the certificate chain verified.
    VerifyCa,
    /// TLS, the chain and the host name verified.
    VerifyFull,
}

impl FromStr for SslMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode {other:?} is not one of disable, prefer, require, verify-ca, verify-full"
                ));
            }
        })
    }
}

/// The error for an `sslmode` that needs TLS in a build without it.
#[cfg(not(feature = "tls"))]
fn no_tls(mode: SslMode) -> MigrateError {
    MigrateError::Tls(format!(
        "sslmode {mode:?} needs TLS, and this build has none: enable the `tls` feature of pgcheck"
    ))
}

/// A parsed database URL.
#[derive(Clone)]
pub struct ConnectOptions {
    // The async client's settings: the blocking client's convert from them.
    config: Config,
    ssl: SslMode,
    root_cert: Option<String>,
    client_cert: Option<PathBuf>,
    client_key: Option<PathBuf>,
    /// golang-migrate's `x-migrations-table` (with `x-migrations-table-quoted`).
    pub migrations_table: Option<TableName>,
    /// golang-migrate's `x-statement-timeout`, in milliseconds.
    pub statement_timeout_ms: Option<u64>,
    url_database: Option<String>,
    /// `application_name` when the URL sets none (the CLI's app name).
    app_name: Option<String>,
    info: ConnInfo,
}

impl fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("target", &self.target())
            .field("ssl", &self.ssl)
            .finish_non_exhaustive()
    }
}

impl ConnectOptions {
    /// Parses a `postgres://` URL or a libpq `key=value` string.
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidUrl`], without the password.
    pub fn parse(url: &str) -> Result<ConnectOptions, MigrateError> {
        let info = ConnInfo::parse(url)?;
        let scrub = |msg: String| MigrateError::InvalidUrl(info.scrub(&msg));
        let mut o = ConnectOptions {
            config: Config::new(),
            ssl: SslMode::Prefer,
            root_cert: None,
            client_cert: None,
            client_key: None,
            migrations_table: None,
            statement_timeout_ms: None,
            url_database: info.path_database().map(|d| format!("/{d}")),
            app_name: None,
            info: info.clone(),
        };
        let mut table: Option<String> = None;
        let mut table_quoted = false;
        for (key, value) in info.params() {
            match key {
                "sslmode" => o.ssl = value.parse().map_err(scrub)?,
                "sslrootcert" => o.root_cert = Some(value.to_owned()),
                "sslcert" => o.client_cert = Some(PathBuf::from(value)),
                "sslkey" => o.client_key = Some(PathBuf::from(value)),
                "x-migrations-table" => table = Some(value.to_owned()),
                "x-migrations-table-quoted" => {
                    table_quoted = matches!(value, "1" | "t" | "true" | "TRUE" | "True")
                }
                "x-statement-timeout" => {
                    o.statement_timeout_ms = Some(value.parse().map_err(|_| {
                        scrub("x-statement-timeout is not a number of milliseconds".to_owned())
                    })?)
                }
                k if k.starts_with("x-") => {
                    tracing::debug!(parameter = k, "ignoring golang-migrate parameter")
                }
                _ => {}
            }
        }
        // The driver takes the rest; it knows sslmode only as far as `require`.
        let rest = info.driver_string(is_ours);
        o.config = Config::from_str(&rest).map_err(|e| scrub(error_chain(&e)))?;
        if let Some(t) = table {
            o.migrations_table = Some(if table_quoted {
                TableName::parse(&t).map_err(MigrateError::InvalidUrl)?
            } else {
                // Unquoted, golang-migrate takes the whole value as one name.
                TableName {
                    schema: None,
                    name: t,
                }
            });
        }
        Ok(o)
    }

    /// The connection string as parsed (for the libpq environment of child
    /// processes, [`ConnInfo::with_database`], [`ConnInfo::redacted`]).
    pub fn conninfo(&self) -> &ConnInfo {
        &self.info
    }

    /// The connection as libpq's environment variables for `pg_dump`, `psql`
    /// and the like ([`ConnInfo::libpq_env`]), `application_name` defaulting
    /// as [`ConnectOptions::connect`]'s does.
    pub fn libpq_env(&self) -> Vec<(&'static str, String)> {
        self.info.libpq_env(self.application_name())
    }

    /// Sets [`ConnectOptions::libpq_env`] on a command, clearing the libpq
    /// variables it would otherwise inherit ([`ConnInfo::apply_env`]).
    pub fn apply_env(&self, cmd: &mut std::process::Command) {
        self.info.apply_env(cmd, self.application_name());
    }

    fn application_name(&self) -> &str {
        self.app_name.as_deref().unwrap_or("pgcheck")
    }

    /// `user@host:port/database`: the server, for messages; never the password.
    pub fn target(&self) -> String {
        let c = &self.config;
        let user = c.get_user().unwrap_or("");
        let host = match c.get_hosts().first() {
            Some(Host::Tcp(h)) if h.contains(':') => format!("[{h}]"),
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".to_owned(),
        };
        let port = c.get_ports().first().copied().unwrap_or(5432);
        let db = c.get_dbname().unwrap_or(user);
        let user = if user.is_empty() {
            String::new()
        } else {
            format!("{user}@")
        };
        format!("{user}{host}:{port}/{db}")
    }

    /// The URL's `sslmode`.
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl
    }

    /// The `application_name` the server shows for this tool's sessions when
    /// the URL sets none (the CLI passes the app's name).
    pub fn default_application_name(&mut self, name: &str) {
        self.app_name = Some(name.to_owned());
    }

    /// The database name as golang-migrate's CLI keys its lock on (`/novacron`).
    pub fn url_database(&self) -> Option<&str> {
        self.url_database.as_deref()
    }

    /// The database name, as far as the URL says.
    pub fn dbname(&self) -> Option<&str> {
        self.config.get_dbname().or(self.config.get_user())
    }

    /// Connects once.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Connect`] (names the server, not the password),
    /// [`MigrateError::Tls`].
    pub fn connect(&self) -> Result<Client, MigrateError> {
        let config = postgres::Config::from(self.session_config());
        let connected = match self.tls()? {
            None => config.connect(NoTls),
            #[cfg(feature = "tls")]
            Some(tls) => config.connect(tls),
        };
        let mut client = connected.map_err(|source| self.connect_error(source))?;
        client
            .batch_execute(&self.setup_sql())
            .map_err(|e| MigrateError::db("setting up the session", e))?;
        Ok(client)
    }

    /// [`ConnectOptions::connect`] on `tokio_postgres`, the TLS settings
    /// honoured alike; the connection task is spawned on the current tokio
    /// runtime. The CLI's up, down and goto run on it: over this client each
    /// migration is one message (see *Safety* in the README).
    ///
    /// # Errors
    ///
    /// As [`ConnectOptions::connect`].
    #[cfg(feature = "tokio-postgres")]
    pub async fn connect_async(&self) -> Result<tokio_postgres::Client, MigrateError> {
        let config = self.session_config();
        let client = match self.tls()? {
            None => {
                let (client, connection) = config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(|source| self.connect_error(source))?;
                tokio::spawn(connection);
                client
            }
            #[cfg(feature = "tls")]
            Some(tls) => {
                let (client, connection) = config
                    .connect(tls)
                    .await
                    .map_err(|source| self.connect_error(source))?;
                tokio::spawn(connection);
                client
            }
        };
        client
            .batch_execute(&self.setup_sql())
            .await
            .map_err(|e| MigrateError::db("setting up the session", e))?;
        Ok(client)
    }

    /// The URL's settings with the tool's defaults (application name, connect
    /// timeout) and the TLS mode the driver is told.
    fn session_config(&self) -> Config {
        let mut config = self.config.clone();
        if config.get_application_name().is_none() {
            config.application_name(self.application_name());
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        tracing::debug!(target = %self.target(), ssl = ?self.ssl, "connecting");
        // Without TLS support `prefer` is what libpq does when TLS is not
        // available: a plain connection.
        config.ssl_mode(match self.ssl {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            #[cfg(not(feature = "tls"))]
            _ => tokio_postgres::config::SslMode::Disable,
            #[cfg(feature = "tls")]
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            #[cfg(feature = "tls")]
            _ => tokio_postgres::config::SslMode::Require,
        });
        config
    }

    /// The TLS connector the URL asks for; `None` for a plain connection.
    #[cfg(feature = "tls")]
    fn tls(&self) -> Result<Option<crate::tls::Tls>, MigrateError> {
        if self.ssl == SslMode::Disable {
            return Ok(None);
        }
        crate::tls::connector(&crate::tls::Settings {
            // libpq: with a root certificate at hand, `require` verifies the chain.
            verify: matches!(self.ssl, SslMode::VerifyCa | SslMode::VerifyFull)
                || (self.ssl == SslMode::Require && self.root_cert.is_some()),
            verify_name: self.ssl == SslMode::VerifyFull,
            root_cert: self.root_cert.as_deref(),
            client_cert: self.client_cert.as_deref(),
            client_key: self.client_key.as_deref(),
        })
        .map(Some)
    }

    /// Without the `tls` feature: a plain connection, or the error for a mode
    /// that needs TLS.
    #[cfg(not(feature = "tls"))]
    fn tls(&self) -> Result<Option<std::convert::Infallible>, MigrateError> {
        match self.ssl {
            SslMode::Disable | SslMode::Prefer => Ok(None),
            mode => Err(no_tls(mode)),
        }
    }

    fn connect_error(&self, source: postgres::Error) -> MigrateError {
        MigrateError::Connect {
            target: self.target(),
            source,
        }
    }

    /// The names of the settings [`Self::setup_sql`] sets: all that a
    /// session the tool opened has `SET` (see `Options::session_settings`).
    #[cfg(feature = "cli")]
    pub(crate) fn session_settings(&self) -> Vec<String> {
        let mut names = vec!["client_connection_check_interval".to_owned()];
        if self.statement_timeout_ms.is_some() {
            names.push("statement_timeout".to_owned());
        }
        names
    }

    /// What every session of the tool sets first.
    fn setup_sql(&self) -> String {
        // With the check on, a server notices within a second that a killed
        // client is gone, even inside a long statement, and rolls back its
        // migration and frees the lock instead of finishing it for nobody.
        let mut setup = "SELECT CASE WHEN current_setting('server_version_num')::int >= 140000 \
             THEN set_config('client_connection_check_interval', '1000', false) END;"
            .to_owned();
        if let Some(ms) = self.statement_timeout_ms {
            setup.push_str(&format!("SET statement_timeout = {ms};"));
        }
        setup
    }

    /// Asks the server to cancel what `token`'s session is running (a cancel
    /// request over a new connection, TLS as this URL says).
    ///
    /// # Errors
    ///
    /// The cancel connection failed; TLS settings that cannot be honoured.
    pub fn cancel(&self, token: &postgres::CancelToken) -> Result<(), MigrateError> {
        let sent = match self.tls()? {
            None => token.cancel_query(NoTls),
            #[cfg(feature = "tls")]
            Some(tls) => token.cancel_query(tls),
        };
        sent.map_err(|source| self.connect_error(source))
    }

    /// [`ConnectOptions::cancel`] for a `tokio_postgres` client's session.
    ///
    /// # Errors
    ///
    /// As [`ConnectOptions::cancel`].
    #[cfg(feature = "tokio-postgres")]
    pub async fn cancel_async(
        &self,
        token: &tokio_postgres::CancelToken,
    ) -> Result<(), MigrateError> {
        let sent = match self.tls()? {
            None => token.cancel_query(tokio_postgres::NoTls).await,
            #[cfg(feature = "tls")]
            Some(tls) => token.cancel_query(tls).await,
        };
        sent.map_err(|source| self.connect_error(source))
    }

    /// Connects, retrying for up to `wait` while the server is not up yet
    /// (refused, starting up, too many connections). Wrong credentials or a
    /// missing database fail at once. `on_retry` hears about the first failure.
    ///
    /// # Errors
    ///
    /// As [`ConnectOptions::connect`], with the last failure.
    pub fn connect_wait(
        &self,
        wait: Duration,
        on_retry: &mut dyn FnMut(&MigrateError),
    ) -> Result<Client, MigrateError> {
        retrying(wait, on_retry, || self.connect())
    }
}

/// Runs `connect` until it succeeds, fails for good, or `wait` is over (see
/// [`ConnectOptions::connect_wait`]); either client's connect.
pub(crate) fn retrying<T>(
    wait: Duration,
    on_retry: &mut dyn FnMut(&MigrateError),
    mut connect: impl FnMut() -> Result<T, MigrateError>,
) -> Result<T, MigrateError> {
    let start = Instant::now();
    let mut told = false;
    loop {
        match connect() {
            Ok(c) => return Ok(c),
            Err(e) if retryable(&e) && start.elapsed() < wait => {
                if !told {
                    on_retry(&e);
                    told = true;
                }
                tracing::debug!(error = %error_chain(&e), "server not up yet; retrying");
                std::thread::sleep(
                    Duration::from_millis(250).min(wait.saturating_sub(start.elapsed())),
                );
            }
            Err(e) => return Err(e),
        }
    }
}

fn retryable(e: &MigrateError) -> bool {
    use postgres::error::SqlState;
    match e {
        MigrateError::Connect { source, .. } => match source.code() {
            None => true,
            Some(c) => c == &SqlState::CANNOT_CONNECT_NOW || c == &SqlState::TOO_MANY_CONNECTIONS,
        },
        _ => false,
    }
}

/// Parameters this module honours itself rather than the driver: TLS beyond
/// what the driver knows, and golang-migrate's `x-` ones.
fn is_ours(key: &str) -> bool {
    matches!(key, "sslmode" | "sslrootcert" | "sslcert" | "sslkey") || key.starts_with("x-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_what_the_postgres_crate_does_not_know() {
        let o = ConnectOptions::parse(
            "postgres://u:s%40cret@db.example:6432/nova%20cron?sslmode=verify-full&sslrootcert=/x.pem&x-migrations-table=%22ops%22.%22mig%22&x-migrations-table-quoted=1&application_name=a",
        )
        .unwrap();
        assert_eq!(o.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(o.target(), "u@db.example:6432/nova cron");
        assert_eq!(o.url_database(), Some("/nova cron"));
        assert_eq!(
            o.migrations_table,
            Some(TableName {
                schema: Some("ops".into()),
                name: "mig".into()
            })
        );
        assert_eq!(o.root_cert.as_deref(), Some("/x.pem"));
        assert!(!format!("{o:?}").contains("cret"));
    }

    #[test]
    fn errors_never_show_the_password() {
        let e = ConnectOptions::parse("postgres://u:hunter22@h:notaport/db").unwrap_err();
        assert!(!e.to_string().contains("hunter22"), "{e}");
        let e = ConnectOptions::parse("postgres://u:hunter22@h/db?sslmode=bogus").unwrap_err();
        assert!(!e.to_string().contains("hunter22"), "{e}");
    }

    #[test]
    fn key_value_strings_work_too() {
        let o =
            ConnectOptions::parse("host=localhost user=postgres dbname=x sslmode=require").unwrap();
        assert_eq!(o.ssl_mode(), SslMode::Require);
        assert_eq!(o.target(), "postgres@localhost:5432/x");
        assert_eq!(o.url_database(), None);
    }
}
