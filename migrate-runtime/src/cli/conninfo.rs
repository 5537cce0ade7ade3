//! `conninfo` and `console`: the connection as other programs need it, so
//! that no shell script parses a URL and no password reaches a command line.
//!
//! `conninfo --env` prints libpq's environment as shell lines for `eval`
//! (the scripts read the user, host and port from it); `console` runs `psql`
//! with that environment. Both read the URL where every verb does
//! (`--database-url`, `DB_URL`, `DATABASE_URL`, `.env`, the app's default),
//! so a script hands a URL over in the environment, not as an argument.

use std::ffi::OsString;
use std::process::{Command, ExitCode};

use super::output::Out;
use super::pg_tools::find_tool;
use super::{Failure, Global, database_url};
use crate::connect::ConnectOptions;
use crate::conninfo::LIBPQ_VARS;
use crate::error::MigrateError;

/// What `conninfo` prints.
pub(super) enum Shape {
    /// The URL without its password.
    Redacted,
    /// The whole URL, password included.
    Url,
    /// `unset` and `export` lines of libpq's variables.
    Env,
}

/// The URL the verbs use, parsed and checked as connecting checks it (a URL
/// that cannot be used is the invocation's fault: exit 2), with database
/// `database` instead of its own when given.
fn options(g: &Global, database: Option<&str>) -> Result<ConnectOptions, Failure> {
    let (url, _) = database_url(g)?;
    let usage = |e: MigrateError| match e {
        MigrateError::InvalidUrl(_) => Failure::Usage(e.to_string()),
        e => Failure::Error(e),
    };
    let mut opts = ConnectOptions::parse(&url).map_err(usage)?;
    if let Some(db) = database {
        opts = ConnectOptions::parse(&opts.conninfo().with_database(db).unredacted())
            .map_err(usage)?;
    }
    if !g.app.name.is_empty() {
        opts.default_application_name(g.app.name);
    }
    Ok(opts)
}

/// `NAME conninfo [--env | --url] [--with-database DB]`.
pub(super) fn conninfo(
    g: &Global,
    shape: Shape,
    database: Option<&str>,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let opts = options(g, database)?;
    match shape {
        Shape::Redacted => out.line(&opts.conninfo().redacted()),
        Shape::Url => out.line(&opts.conninfo().unredacted()),
        Shape::Env => {
            let vars = opts.libpq_env();
            // Unset first, so that nothing of the caller's environment (a
            // PGSERVICE, a PGHOSTADDR) points at another server.
            let unset: Vec<&str> = LIBPQ_VARS
                .iter()
                .copied()
                .filter(|k| !vars.iter().any(|(v, _)| v == k))
                .collect();
            out.line(&format!("unset {}", unset.join(" ")));
            for (k, v) in &vars {
                out.line(&format!("export {k}={}", shell_quote(v)));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `NAME console [PSQL_ARGS...]`: psql (found as backup finds pg_dump) on
/// the database, the connection in its environment.
pub(super) fn console(g: &Global, args: &[OsString]) -> Result<ExitCode, Failure> {
    let opts = options(g, None)?;
    let psql = find_tool("psql", None)?;
    let mut cmd = Command::new(&psql.path);
    cmd.args(args);
    opts.apply_env(&mut cmd);
    tracing::debug!(psql = %psql.path.display(), target = %opts.target(), "running psql");
    // psql owns the terminal and its signals (Ctrl-C cancels its query):
    // replacing this process, rather than waiting for psql beside it, leaves
    // nothing that a Ctrl-C could kill under it.
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = cmd.exec();
        Err(Failure::Reported(format!(
            "cannot run {}: {e}",
            psql.path.display()
        )))
    }
    #[cfg(not(unix))]
    {
        let status = cmd
            .status()
            .map_err(|e| Failure::Reported(format!("cannot run {}: {e}", psql.path.display())))?;
        Ok(ExitCode::from(
            u8::try_from(status.code().unwrap_or(1)).unwrap_or(1),
        ))
    }
}

/// A word for POSIX shells: single quotes, a `'` written as `'\''`.
fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("plain"), "'plain'");
        assert_eq!(shell_quote("it's $HOME `x`\n"), "'it'\\''s $HOME `x`\n'");
    }
}
