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

const AT_SIGNS: &str = "there is more than one '@' before the host: an '@' in the user name or password \
     must be percent-encoded as %40 (postgres://user:p%40ss@host/db; also %2F for '/', \
     %3A for ':', %3F for '?', %23 for '#')";

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

    fn write(&self, redact: bool) -> String {
        let Some(scheme) = self.scheme else {
            return self
                .params
                .iter()
                .map(|p| {
                    if redact && p.key == "password" {
                        format!("{}=***", p.key)
                    } else {
                        format!("{}={}", p.key, quote_if_needed(&p.value))
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
        };
        let mut s = format!("{scheme}://");
        let user = self.find(At::UserInfo, "user");
        let password = self.find(At::UserInfo, "password");
        if user.is_some() || password.is_some() {
            if let Some(u) = user {
                s.push_str(&encode(&u.value, USERINFO));
            }
            if let Some(p) = password {
                s.push(':');
                if redact {
                    s.push_str("***");
                } else {
                    s.push_str(&encode(&p.value, USERINFO));
                }
            }
            s.push('@');
        }
        let hosts: Vec<&str> = self
            .find(At::Authority, "host")
            .map_or(Vec::new(), |h| h.value.split(',').collect());
        let ports: Vec<&str> = self
            .find(At::Authority, "port")
            .map_or(Vec::new(), |p| p.value.split(',').collect());
        let n = hosts.len().max(ports.len());
        let spec: Vec<String> = (0..n)
            .map(|i| {
                let host = hosts.get(i).copied().unwrap_or("");
                let mut one = if host.contains(':') && !host.starts_with('/') {
                    format!("[{host}]")
                } else {
                    encode(host, HOST)
                };
                if let Some(port) = ports.get(i).filter(|p| !p.is_empty()) {
                    one.push(':');
                    one.push_str(&encode(port, HOST));
                }
                one
            })
            .collect();
        s.push_str(&spec.join(","));
        if let Some(d) = self.find(At::Path, "dbname") {
            s.push('/');
            s.push_str(&encode(&d.value, PATH));
        }
        let query: Vec<String> = self
            .params
            .iter()
            .filter(|p| p.at == At::Param)
            .map(|p| {
                let v = if redact && p.key == "password" {
                    "***".to_owned()
                } else {
                    encode(&p.value, QUERY)
                };
                format!("{}={v}", encode(&p.key, QUERY))
            })
            .collect();
        if !query.is_empty() {
            s.push('?');
            s.push_str(&query.join("&"));
        }
        s
    }

    fn find(&self, at: At, key: &str) -> Option<&Param> {
        self.params
            .iter()
            .rev()
            .find(|p| p.at == at && p.key == key)
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

/// `postgres://[user[:password]@][host[:port][,...]][/dbname][?key=value&...]`,
/// as libpq reads it (the authority ends at the first '/' or '?').
fn parse_url(scheme: &'static str, rest: &str) -> Result<ConnInfo, String> {
    let mut params = Vec::new();
    let mut push = |key: &str, value: String, at: At| {
        params.push(Param {
            key: key.to_owned(),
            value,
            at,
        })
    };
    let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, path) = match before_query.find('/') {
        Some(i) => before_query.split_at(i),
        None => (before_query, ""),
    };
    // libpq and rust-postgres split user:password@host at the first '@':
    // `p@ss@host` would connect to host `ss@host`, a confusing lookup error
    // about a host nobody typed.
    let (userinfo, hostspec) = match authority.split_once('@') {
        Some((_, h)) if h.contains('@') => return Err(AT_SIGNS.to_owned()),
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if let Some(u) = userinfo {
        let (user, password) = match u.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (u, None),
        };
        if !user.is_empty() {
            push("user", percent_decode(user), At::UserInfo);
        }
        if let Some(p) = password {
            push("password", percent_decode(p), At::UserInfo);
        }
    }
    if !hostspec.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        for chunk in hostspec.split(',') {
            let (host, port) = match chunk.strip_prefix('[') {
                Some(inner) => {
                    let (h, after) = inner.split_once(']').ok_or_else(|| {
                        format!("the host [{inner} has no closing ']' (an IPv6 address is written [::1])")
                    })?;
                    let port = match after.strip_prefix(':') {
                        Some(p) => p,
                        None if after.is_empty() => "",
                        None => {
                            return Err(format!(
                                "unexpected {after:?} after the host [{h}] (write [{h}]:PORT)"
                            ));
                        }
                    };
                    (h, port)
                }
                None => chunk.split_once(':').unwrap_or((chunk, "")),
            };
            hosts.push(percent_decode(host));
            ports.push(percent_decode(port));
        }
        push("host", hosts.join(","), At::Authority);
        if ports.iter().any(|p| !p.is_empty()) {
            push("port", ports.join(","), At::Authority);
        }
    }
    if let Some(db) = path.strip_prefix('/').filter(|d| !d.is_empty()) {
        push("dbname", percent_decode(db), At::Path);
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!(
                "the URL parameter {:?} has no value (write KEY=VALUE)",
                percent_decode(pair)
            ));
        };
        push(&percent_decode(k), percent_decode(v), At::Param);
    }
    Ok(ConnInfo {
        scheme: Some(scheme),
        params,
    })
}

/// libpq's `key = value ...`: values optionally single-quoted, a backslash
/// escaping the next character.
fn parse_key_values(s: &str) -> Result<ConnInfo, String> {
    let mut params = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            key.push(c);
        }
        if key.is_empty() {
            if chars.peek().is_some() {
                return Err("the connection string has an '=' without a key before it".to_owned());
            }
            break;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.next_if_eq(&'=').is_none() {
            return Err(format!(
                "missing '=' after {key:?} in the connection string (not a postgres:// URL either)"
            ));
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'\'').is_some() {
            loop {
                match chars.next() {
                    Some('\'') => break,
                    Some('\\') => value.extend(chars.next()),
                    Some(c) => value.push(c),
                    None => {
                        return Err(format!("the quoted value of {key:?} has no closing quote"));
                    }
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        params.push(Param {
            key,
            value,
            at: At::Param,
        });
    }
    Ok(ConnInfo {
        scheme: None,
        params,
    })
}

/// A value for a libpq `key=value` string: single-quoted, `\` and `'`
/// escaped with a backslash.
pub fn quote_value(v: &str) -> String {
    format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn quote_if_needed(v: &str) -> String {
    if v.is_empty() || v.contains(|c: char| c.is_whitespace() || c == '\'' || c == '\\') {
        quote_value(v)
    } else {
        v.to_owned()
    }
}

/// Bytes written as they are in each part of a URL, besides letters and
/// digits; everything else is percent-encoded.
const USERINFO: &[u8] = b"-._~";
const HOST: &[u8] = b"-._~";
const PATH: &[u8] = b"-._~";
const QUERY: &[u8] = b"-._~/:,@";

fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` escapes decoded; a `%` not followed by two hex digits is kept as it
/// is (libpq refuses it, the driver keeps it; keeping it loses nothing).
fn percent_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        let hex = (b == b'%')
            .then(|| tail.get(..2))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) => {
                out.push(v);
                rest = tail.get(2..).unwrap_or_default();
            }
            None => {
                out.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests;
