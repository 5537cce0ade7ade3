//! PostgreSQL's client tools (pg_dump, pg_restore, psql) for `backup`,
//! `restore` and `console`: found where `pg_config --bindir` says (the real
//! binaries, not Debian's version-picking wrapper), else on PATH, and checked
//! against the server's major version.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use postgres::Client;

use super::Failure;
use crate::connect::ConnectOptions;
use crate::error::MigrateError;

/// A PostgreSQL major version: `(15, 0)`, or `(9, 6)` before 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Major(u32, u32);

impl Major {
    fn from_version_num(n: i32) -> Major {
        let n = n.max(0) as u32;
        if n >= 100_000 {
            Major(n / 10_000, 0)
        } else {
            Major(n / 10_000, (n / 100) % 100)
        }
    }

    /// `15.18 (Debian 15.18-0+deb12u1)`, `9.6.24`, `16beta1`.
    pub(super) fn parse(text: &str) -> Option<Major> {
        let t = text.trim();
        let digits = |s: &str| -> Option<(u32, usize)> {
            let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            s[..end].parse().ok().map(|n| (n, end))
        };
        let (first, end) = digits(t)?;
        if first >= 10 {
            return Some(Major(first, 0));
        }
        let rest = t[end..].strip_prefix('.')?;
        Some(Major(first, digits(rest)?.0))
    }
}

impl std::fmt::Display for Major {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 >= 10 {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{}.{}", self.0, self.1)
        }
    }
}

/// `pg_dump`, `pg_restore` or `psql`, found and asked for its version.
pub(super) struct Tool {
    pub(super) name: &'static str,
    pub(super) path: PathBuf,
    /// `15.18 (Debian 15.18-0+deb12u1)`
    pub(super) version: String,
    pub(super) major: Major,
}

/// What the server says about itself.
pub(super) struct Server {
    /// `server_version`, e.g. `15.18 (Debian 15.18-0+deb12u1)`
    pub(super) version: String,
    pub(super) major: Major,
    pub(super) database: String,
    pub(super) current_schema: Option<String>,
}

pub(super) fn server(client: &mut Client) -> Result<Server, Failure> {
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int4, current_setting('server_version'), \
                    current_database()::text, current_schema()::text",
            &[],
        )
        .map_err(|e| MigrateError::db("reading the server's version", e))?;
    Ok(Server {
        major: Major::from_version_num(row.get(0)),
        version: row.get(1),
        database: row.get(2),
        current_schema: row.get(3),
    })
}

pub(super) fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// `pg_config --bindir` first (the real binaries), then PATH; `server`, when
/// known, names the client package to install.
pub(super) fn find_tool(name: &'static str, server: Option<Major>) -> Result<Tool, Failure> {
    let mut looked = Vec::new();
    let mut candidates = Vec::new();
    if let Ok(o) = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .output()
        && o.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
        looked.push(format!("{} (pg_config --bindir)", dir.display()));
        candidates.push(dir.join(name));
    }
    if let Some(path) = std::env::var_os("PATH") {
        looked.push("PATH".to_owned());
        candidates.extend(std::env::split_paths(&path).map(|d| d.join(name)));
    }
    let Some(path) = candidates.into_iter().find(|p| is_executable(p)) else {
        return Err(Failure::Reported(format!(
            "{name} not found (looked in {}); install the PostgreSQL client tools: \
             apt-get install {} on Debian/Ubuntu, \
             dnf install postgresql on Fedora/RHEL, brew install libpq on macOS",
            if looked.is_empty() {
                "nothing: no pg_config, no PATH".to_owned()
            } else {
                looked.join(" and ")
            },
            server.map_or("postgresql-client".to_owned(), |v| format!(
                "postgresql-client-{v} (or postgresql-client)"
            ))
        )));
    };
    let o = Command::new(&path)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Failure::Reported(format!("cannot run {}: {e}", path.display())))?;
    let text = String::from_utf8_lossy(&o.stdout).trim().to_owned();
    // `pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)`
    let version = text
        .split_once(')')
        .map_or(text.as_str(), |(_, v)| v)
        .trim()
        .to_owned();
    let Some(major) = Major::parse(&version).filter(|_| o.status.success()) else {
        return Err(Failure::Reported(format!(
            "{} --version said {text:?}, which is not a PostgreSQL version",
            path.display()
        )));
    };
    tracing::debug!(tool = name, path = %path.display(), %version, "found");
    Ok(Tool {
        name,
        path,
        version,
        major,
    })
}

/// A tool older than the server cannot be trusted with it (pg_dump refuses;
/// pg_restore may not know the server's syntax).
pub(super) fn check_versions(tool: &Tool, server: &Server, verb: &str) -> Result<(), Failure> {
    if tool.major < server.major {
        return Err(Failure::Reported(format!(
            "{} {} cannot {verb} a PostgreSQL {} server; install postgresql-client-{}\n  \
             ({} is version {}; `pg_config --bindir` or PATH decides which one is used)",
            tool.name,
            tool.major,
            server.major,
            server.major,
            tool.path.display(),
            tool.version
        )));
    }
    Ok(())
}

/// Runs a tool, its stdout and stderr captured.
pub(super) fn run_tool(
    tool: &Tool,
    conn: Option<&ConnectOptions>,
    args: &[&std::ffi::OsStr],
) -> Result<Output, Failure> {
    let mut cmd = Command::new(&tool.path);
    cmd.args(args).stdin(Stdio::null());
    if let Some(conn) = conn {
        conn.apply_env(&mut cmd);
    }
    tracing::debug!(tool = %tool.path.display(), ?args, "running");
    cmd.output()
        .map_err(|e| Failure::Reported(format!("cannot run {}: {e}", tool.path.display())))
}

/// A tool's stderr as a message may show it: trimmed, and with the
/// connection's password scrubbed out wherever the tool echoed it.
pub(super) fn stderr_of(o: &Output, conn: &ConnectOptions) -> String {
    conn.conninfo()
        .scrub(String::from_utf8_lossy(&o.stderr).trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majors() {
        assert_eq!(
            Major::parse("15.18 (Debian 15.18-0+deb12u1)"),
            Some(Major(15, 0))
        );
        assert_eq!(Major::parse("9.6.24"), Some(Major(9, 6)));
        assert_eq!(Major::parse("16beta1"), Some(Major(16, 0)));
        assert_eq!(Major::parse("x"), None);
        assert_eq!(Major::from_version_num(150_004), Major(15, 0));
        assert_eq!(Major::from_version_num(90_624), Major(9, 6));
        assert!(Major(14, 0) < Major(15, 0) && Major(9, 6) < Major(10, 0));
        assert_eq!(Major(9, 6).to_string(), "9.6");
    }
}
