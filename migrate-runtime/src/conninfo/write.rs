//! Writing a [`ConnInfo`] back: the same form it was read in, values encoded
//! or quoted where they must be, the password as `***` when redacted.

use super::{At, ConnInfo, Param};

impl ConnInfo {
    pub(super) fn write(&self, redact: bool) -> String {
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
pub(super) const USERINFO: &[u8] = b"-._~";
const HOST: &[u8] = b"-._~";
const PATH: &[u8] = b"-._~";
pub(super) const QUERY: &[u8] = b"-._~/:,@";

pub(super) fn encode(s: &str, keep: &[u8]) -> String {
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
