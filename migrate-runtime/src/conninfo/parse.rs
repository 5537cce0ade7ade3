//! Reading the two forms: a `postgres://` URL and libpq's `key=value` pairs.

use super::{At, ConnInfo, Param};

const AT_SIGNS: &str = "there is more than one '@' before the host: an '@' in the user name or password \
     must be percent-encoded as %40 (postgres://user:p%40ss@host/db; also %2F for '/', \
     %3A for ':', %3F for '?', %23 for '#')";

/// `postgres://[user[:password]@][host[:port][,...]][/dbname][?key=value&...]`,
/// as libpq reads it (the authority ends at the first '/' or '?').
pub(super) fn parse_url(scheme: &'static str, rest: &str) -> Result<ConnInfo, String> {
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
pub(super) fn parse_key_values(s: &str) -> Result<ConnInfo, String> {
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

/// `%XX` escapes decoded; a `%` not followed by two hex digits is kept as it
/// is (libpq refuses it, the driver keeps it; keeping it loses nothing).
pub(super) fn percent_decode(s: &str) -> String {
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
