//! Connection strings: the one parser of `postgres://` URLs and libpq
//! `key=value` strings in this workspace.
//!
//! Everything that takes a connection string reads it here: connecting
//! ([`crate::connect::ConnectOptions`]), the libpq environment handed to
//! `pg_dump`, `pg_restore` and `psql`, the scripts (through the CLI's
//! `conninfo` verb, so that no shell code parses a URL) and the test harness.
//! A [`ConnInfo`] keeps the parameters under libpq's keywords (`user`,
//! `password`, `host`, `port`, `dbname`, then the query string's), decoded,
//! and remembers where each came from, so that [`ConnInfo::with_database`]
//! gives back the same shape of string.
//!
//! The password is shown only by [`ConnInfo::unredacted`]: `Display`, `Debug`,
//! [`ConnInfo::redacted`] and every error write `***` (or nothing) instead.

use std::fmt;
use std::process::Command;

use crate::error::MigrateError;

mod parse;
mod write;

#[cfg(test)]
use parse::percent_decode;
use parse::{parse_key_values, parse_url};
pub use write::quote_value;
#[cfg(test)]
use write::{QUERY, USERINFO, encode};

/// Where a parameter stood in the string, for writing it back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    /// `user` or `password` of a URL's `user:password@`.
    UserInfo,
    /// `host` (comma-separated, brackets removed) or `port` of a URL's
    /// `host:port,...`.
    Authority,
    /// `dbname` of a URL's `/dbname`.
    Path,
    /// A URL's `?key=value`, or a `key=value` of the libpq form.
    Param,
}

#[derive(Clone)]
struct Param {
    key: String,
    value: String,
    at: At,
}

/// A parsed connection string.
///
/// # Examples
///
/// ```
/// use pgcheck::conninfo::ConnInfo;
/// let c = ConnInfo::parse("postgres://app:s%40cret@db.example:6432/orders?sslmode=require")?;
/// assert_eq!(c.get("password"), Some("s@cret"));
/// assert_eq!(c.redacted(), "postgres://app:***@db.example:6432/orders?sslmode=require");
/// assert_eq!(
///     c.with_database("other").unredacted(),
///     "postgres://app:s%40cret@db.example:6432/other?sslmode=require"
/// );
/// # Ok::<(), pgcheck::MigrateError>(())
/// ```
#[derive(Clone)]
pub struct ConnInfo {
    /// `Some("postgres")` / `Some("postgresql")` for a URL, `None` for the
    /// `key=value` form.
    scheme: Option<&'static str>,
    params: Vec<Param>,
}

/// libpq's environment variables that [`ConnInfo::apply_env`] sets or
/// clears, so that nothing inherited points a tool at another server than
/// the string names. (`PGPASSFILE` is left alone: without a password in the
/// string, `~/.pgpass` is how libpq finds one.)
pub const LIBPQ_VARS: &[&str] = &[
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "PGSSLCERT",
    "PGSSLKEY",
    "PGSSLNEGOTIATION",
    "PGOPTIONS",
    "PGAPPNAME",
    "PGCONNECT_TIMEOUT",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGREQUIRESSL",
    "PGTARGETSESSIONATTRS",
    "PGCHANNELBINDING",
    "PGLOADBALANCEHOSTS",
];

/// Keywords passed to libpq tools as they are, under their variable.
const PASSED_AS_IS: &[(&str, &str)] = &[
    ("hostaddr", "PGHOSTADDR"),
    ("user", "PGUSER"),
    ("password", "PGPASSWORD"),
    ("options", "PGOPTIONS"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
    ("sslnegotiation", "PGSSLNEGOTIATION"),
    ("target_session_attrs", "PGTARGETSESSIONATTRS"),
    ("channel_binding", "PGCHANNELBINDING"),
    ("load_balance_hosts", "PGLOADBALANCEHOSTS"),
];

impl ConnInfo {
    /// Parses a `postgres://` (or `postgresql://`) URL or a libpq `key=value`
    /// string. Only the form is checked here; the values are checked when
    /// connecting ([`crate::connect::ConnectOptions::parse`]).
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidUrl`], naming keys and places, never values.
    pub fn parse(s: &str) -> Result<ConnInfo, MigrateError> {
        let url = ["postgres://", "postgresql://"]
            .iter()
            .find_map(|p| s.strip_prefix(p).map(|rest| (p, rest)));
        match url {
            Some((prefix, rest)) => {
                let scheme = if prefix.len() == "postgres://".len() {
                    "postgres"
                } else {
                    "postgresql"
                };
                parse_url(scheme, rest)
            }
            None => parse_key_values(s),
        }
        .map_err(MigrateError::InvalidUrl)
    }

    /// The value of a libpq keyword (`host`, `port`, `user`, `password`,
    /// `dbname`, `sslmode`, ...), decoded; the last one when given twice, as
    /// libpq takes it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|p| p.key == key)
            .map(|p| p.value.as_str())
    }

    /// Every parameter, in order, under its libpq keyword; a later one of the
    /// same key wins.
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params
            .iter()
            .map(|p| (p.key.as_str(), p.value.as_str()))
    }

    /// Whether the string was a URL (rather than `key=value` pairs).
    pub fn is_url(&self) -> bool {
        self.scheme.is_some()
    }

    /// The database a URL's path names (`/novacron`), not a `dbname=`
    /// parameter.
    pub fn path_database(&self) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|p| p.at == At::Path)
            .map(|p| p.value.as_str())
    }

    /// The same string with database `name` (user, host, port and the other
    /// parameters kept).
    pub fn with_database(&self, name: &str) -> ConnInfo {
        let mut c = self.clone();
        let at = if c.is_url() { At::Path } else { At::Param };
        // The first `dbname` of the string's own form keeps its place; any
        // other (a URL's `?dbname=`) would override it, so it goes.
        let keep = c
            .params
            .iter()
            .position(|p| p.key == "dbname" && p.at == at);
        let mut i = 0;
        c.params.retain(|p| {
            let kept = Some(i) == keep || p.key != "dbname";
            i += 1;
            kept
        });
        match c.params.iter_mut().find(|p| p.key == "dbname") {
            Some(p) => p.value = name.to_owned(),
            None => c.params.push(Param {
                key: "dbname".to_owned(),
                value: name.to_owned(),
                at,
            }),
        }
        c
    }

    /// The string with the password written as `***`: for messages.
    pub fn redacted(&self) -> String {
        self.write(true)
    }

    /// The whole string, password included: for handing it on to a program
    /// (through the environment, never a command line).
    pub fn unredacted(&self) -> String {
        self.write(false)
    }

    /// `text` with the password replaced by `***`, for messages of other
    /// programs that might echo it. (Passwords shorter than three characters
    /// are left: replacing them would garble the text, not hide anything.)
    pub fn scrub(&self, text: &str) -> String {
        match self.get("password") {
            Some(p) if p.len() >= 3 => text.replace(p, "***"),
            _ => text.to_owned(),
        }
    }

    /// The connection as libpq's environment variables, for `pg_dump`,
    /// `pg_restore` and `psql` (so that no password is on a command line,
    /// where `ps` shows it). `application_name` is `app_name` when the string
    /// sets none. As the driver does: no host is `localhost`, a port missing
    /// is 5432, the database defaults to the user, `sslmode` to `prefer`, the
    /// connect timeout to 10 s. Parameters libpq has no variable for
    /// (keepalives, golang-migrate's `x-` ones) are left out.
    pub fn libpq_env(&self, app_name: &str) -> Vec<(&'static str, String)> {
        let mut vars: Vec<(&'static str, String)> = Vec::new();
        let hosts = self.get("host").filter(|h| !h.is_empty());
        vars.push(("PGHOST", hosts.unwrap_or("localhost").to_owned()));
        let count = hosts.map_or(1, |h| h.split(',').count());
        let ports: Vec<&str> = match self.get("port") {
            Some(p) => p
                .split(',')
                .map(|p| if p.is_empty() { "5432" } else { p })
                .collect(),
            None => vec!["5432"; count],
        };
        vars.push(("PGPORT", ports.join(",")));
        for (key, var) in PASSED_AS_IS {
            if let Some(v) = self.get(key) {
                vars.push((var, v.to_owned()));
            }
        }
        if let Some(d) = self.get("dbname").or(self.get("user")) {
            vars.push(("PGDATABASE", d.to_owned()));
        }
        vars.push((
            "PGAPPNAME",
            self.get("application_name").unwrap_or(app_name).to_owned(),
        ));
        let timeout = self
            .get("connect_timeout")
            .and_then(|t| t.trim().parse::<i64>().ok())
            .filter(|t| *t > 0)
            .map_or(10, |t| t.max(2));
        vars.push(("PGCONNECT_TIMEOUT", timeout.to_string()));
        vars.push((
            "PGSSLMODE",
            self.get("sslmode").unwrap_or("prefer").to_owned(),
        ));
        vars
    }

    /// Sets [`ConnInfo::libpq_env`] on a command and clears the other
    /// [`LIBPQ_VARS`] it would inherit.
    pub fn apply_env(&self, cmd: &mut Command, app_name: &str) {
        for k in LIBPQ_VARS {
            cmd.env_remove(k);
        }
        cmd.envs(self.libpq_env(app_name));
    }

    /// The parameters as a libpq `key=value` string for the `postgres` crate's
    /// parser, without those `skip` says it handles itself; one value per key
    /// (the last), as libpq keeps it.
    pub(crate) fn driver_string(&self, skip: impl Fn(&str) -> bool) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for p in self.params.iter().rev() {
            if skip(&p.key) || seen.contains(&p.key.as_str()) {
                continue;
            }
            seen.push(&p.key);
            out.push(format!("{}={}", p.key, quote_value(&p.value)));
        }
        out.reverse();
        out.join(" ")
    }
}

/// The redacted string ([`ConnInfo::redacted`]).
impl fmt::Display for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ConnInfo").field(&self.redacted()).finish()
    }
}

#[cfg(test)]
mod tests;
