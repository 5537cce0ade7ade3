//! golang-migrate's command line, for a binary invoked as `migrate` (a link or
//! copy named so): `migrate -path DIR -database URL up [N]`, and the rest of
//! its grammar, exit codes and the output lines scripts read, over the same
//! registry loading, connection and [`Migrator`] as the native verbs.
//!
//! Parsed by hand: golang-migrate uses Go's `flag` package (single-dash long
//! flags, `-flag value` or `-flag=value`, parsing stops at the first
//! non-flag, per-command flag sets), which clap cannot express.
//!
//! As golang-migrate does, everything is written to stderr (`version`
//! included), errors as `error: ...` with exit 1; usage errors exit 2.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::{App, Failure, Global, connect, load_registry, migrator_options};
use crate::migration::Version;
use crate::migrator::{Event, Migrator, Target};

mod commands;
use commands::*;

const USAGE: &str = "Usage: migrate OPTIONS COMMAND [arg...]
       migrate [ -version | -help ]

Options:
  -source          Location of the migrations (driver://url)
  -path            Shorthand for -source=file://path
  -database        Run migrations against this database (driver://url)
  -prefetch N      Number of migrations to load in advance before executing (default 10)
  -lock-timeout N  Allow N seconds to acquire database lock (default 15)
  -verbose         Print verbose logging
  -version         Print version
  -help            Print usage

Commands:
  create [-ext E] [-dir D] [-seq] [-digits N] [-format] [-tz] NAME
\t   Create a set of timestamped up/down migrations titled NAME, in directory D with extension E.
\t   Use -seq option to generate sequential up/down migrations with N digits.
\t   Use -format option to specify a Go time format string. Note: migrations with the same time cause \"duplicate migration version\" error.
\t   Use -tz option to specify the timezone that will be used when generating non-sequential migrations (defaults: UTC).
  goto V       Migrate to version V
  up [N]       Apply all or N up migrations
  down [N] [-all]    Apply all or N down migrations
\tUse -all to apply all down migrations
  drop [-f]    Drop everything inside database
\tUse -f to bypass confirmation
  force V      Set version V but don't run migration (ignores dirty state)
  version      Print current migration version

Source drivers: file
Database drivers: postgres, postgresql
";

/// True when argv[0]'s file name is `migrate` (or `migrate.exe`).
pub(super) fn invoked_as_migrate(argv0: Option<&OsString>) -> bool {
    argv0
        .and_then(|a| std::path::Path::new(a).file_name())
        .is_some_and(|n| n == "migrate" || n == "migrate.exe")
}

/// Stops the run with this exit code, its message already printed.
struct Exit(u8);

struct Log {
    verbose: bool,
}

impl Log {
    /// One line on stderr; with -verbose behind Go's log timestamp. A closed
    /// stderr is ignored.
    fn line(&self, text: &str) {
        let mut e = std::io::stderr().lock();
        if self.verbose {
            let _ = write!(e, "{} ", chrono::Local::now().format("%Y/%m/%d %H:%M:%S"));
        }
        let _ = writeln!(e, "{text}");
    }

    fn fatal(&self, text: &str) -> Exit {
        self.line(text);
        Exit(1)
    }

    fn usage(&self, code: u8) -> Exit {
        let _ = std::io::stderr().lock().write_all(USAGE.as_bytes());
        Exit(code)
    }
}

/// The options before the command.
#[derive(Default)]
struct Options {
    help: bool,
    version: bool,
    verbose: bool,
    lock_timeout: Option<u64>,
    path: Option<String>,
    source: Option<String>,
    database: Option<String>,
}

/// The flags given (name, value) and the arguments after them.
type Parsed<'a> = (Vec<(String, String)>, &'a [String]);

/// Go's `flag` parsing of one flag set: `-name`, `--name`, `-name=value`,
/// `-name value`; stops at the first argument that is not a flag (or after
/// `--`). `bools` take no value. Returns the flags and the rest.
fn go_flags<'a>(
    args: &'a [String],
    bools: &[&str],
    values: &[&str],
    log: &Log,
) -> Result<Parsed<'a>, Exit> {
    let mut flags = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a == "-" {
            break;
        }
        // A negative number is a value (`force -1`), not a flag.
        if a[1..].parse::<i64>().is_ok() {
            break;
        }
        let body = a.trim_start_matches('-');
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (body, None),
        };
        if name == "help" || name == "h" {
            flags.push(("help".to_owned(), "true".to_owned()));
            i += 1;
            continue;
        }
        let value = if bools.contains(&name) {
            inline.unwrap_or_else(|| "true".to_owned())
        } else if values.contains(&name) {
            match inline {
                Some(v) => v,
                None => {
                    i += 1;
                    match args.get(i) {
                        Some(v) => v.clone(),
                        None => {
                            log.line(&format!("flag needs an argument: -{name}"));
                            return Err(log.usage(2));
                        }
                    }
                }
            }
        } else {
            log.line(&format!("flag provided but not defined: -{name}"));
            return Err(log.usage(2));
        };
        flags.push((name.to_owned(), value));
        i += 1;
    }
    Ok((flags, &args[i..]))
}

fn go_bool(v: &str, name: &str, log: &Log) -> Result<bool, Exit> {
    match v {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => {
            log.line(&format!(
                "invalid boolean value {v:?} for -{name}: parse error"
            ));
            Err(log.usage(2))
        }
    }
}

pub(super) fn run(app: App, args: &[OsString]) -> ExitCode {
    let args: Vec<String> = args
        .iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match run_inner(app, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Exit(code)) => ExitCode::from(code),
    }
}

fn run_inner(app: App, args: &[String]) -> Result<(), Exit> {
    let mut log = Log { verbose: false };
    let (flags, rest) = go_flags(
        args,
        &["help", "version", "verbose"],
        &["path", "source", "database", "lock-timeout", "prefetch"],
        &log,
    )?;
    let mut o = Options::default();
    for (name, value) in &flags {
        match name.as_str() {
            "help" => o.help = go_bool(value, name, &log)?,
            "version" => o.version = go_bool(value, name, &log)?,
            "verbose" => o.verbose = go_bool(value, name, &log)?,
            "path" => o.path = Some(value.clone()),
            "source" => o.source = Some(value.clone()),
            "database" => o.database = Some(value.clone()),
            "lock-timeout" => match value.parse::<u64>() {
                Ok(n) => o.lock_timeout = Some(n),
                Err(_) => {
                    log.line(&format!(
                        "invalid value {value:?} for flag -lock-timeout: parse error"
                    ));
                    return Err(log.usage(2));
                }
            },
            // Prefetching is golang-migrate's reading ahead; the files are read already.
            _ => {}
        }
    }
    log.verbose = o.verbose;
    if o.version {
        log.line(app.version.unwrap_or(env!("CARGO_PKG_VERSION")));
        return Ok(());
    }
    if o.help {
        let _ = log.usage(0);
        return Ok(());
    }
    let Some((command, sub)) = rest.split_first() else {
        return Err(log.usage(2));
    };
    let start = std::time::Instant::now();
    match command.as_str() {
        "create" => create(sub, &log),
        "up" | "down" | "goto" | "force" | "version" | "drop" => {
            let cx = Context::new(app, &o, &log)?;
            let r = cx.command(command, sub);
            if o.verbose && r.is_ok() && command != "version" {
                log.line(&format!("Finished after {}", go_duration(start.elapsed())));
            }
            if o.verbose {
                log.line("Closing source and database");
            }
            r
        }
        _ => Err(log.usage(2)),
    }
}

/// The command's own flags: `-help` prints the usage.
fn sub_flags<'a>(
    sub: &'a [String],
    bools: &[&str],
    values: &[&str],
    log: &Log,
) -> Result<Parsed<'a>, Exit> {
    let (flags, rest) = go_flags(sub, bools, values, log)?;
    if flags.iter().any(|(n, _)| n == "help") {
        return Err(log.usage(0));
    }
    Ok((flags, rest))
}

/// `create [-ext E] [-dir D] [-seq] [-digits N] [-format F] [-tz TZ] NAME`.
fn create(sub: &[String], log: &Log) -> Result<(), Exit> {
    let (flags, rest) = sub_flags(
        sub,
        &["seq"],
        &["ext", "dir", "format", "tz", "digits"],
        log,
    )?;
    let mut opts = super::CreateOptions {
        ext: String::new(),
        sanitize: false,
        ..Default::default()
    };
    let mut dir = PathBuf::from(".");
    let mut tz = "UTC".to_owned();
    for (name, value) in flags {
        match name.as_str() {
            "seq" => opts.seq = go_bool(&value, &name, log)?,
            "ext" => opts.ext = value,
            "dir" if !value.is_empty() => dir = PathBuf::from(value),
            "format" if value != "20060102150405" => opts.format = Some(value),
            "tz" => tz = value,
            "digits" => match value.parse::<usize>() {
                Ok(n) => opts.digits = Some(n),
                Err(_) => {
                    log.line(&format!(
                        "invalid value {value:?} for flag -digits: parse error"
                    ));
                    return Err(log.usage(2));
                }
            },
            _ => {}
        }
    }
    let Some(name) = rest.first() else {
        return Err(log.fatal("error: please specify name"));
    };
    if opts.ext.is_empty() {
        return Err(log.fatal("error: -ext flag must be specified"));
    }
    let now = chrono::Utc::now();
    let now = match tz.to_ascii_lowercase().as_str() {
        "utc" | "" => now,
        // The local time written as if it were UTC: the digits are the local clock's.
        "local" => {
            now + chrono::Duration::seconds(i64::from(
                chrono::Local::now().offset().local_minus_utc(),
            ))
        }
        _ => {
            return Err(log.fatal(&format!(
                "error: unknown time zone {tz}: only UTC and Local are supported by this build"
            )));
        }
    };
    if opts.seq && opts.digits.is_none() {
        opts.digits = Some(6);
    }
    match super::create_with(&dir, name, &opts, now) {
        Ok((up, down)) => {
            for p in [up, down] {
                let abs = std::path::absolute(&p).unwrap_or(p);
                log.line(&abs.display().to_string());
            }
            Ok(())
        }
        Err(super::CreateError::Duplicate(v)) => {
            Err(log.fatal(&format!("error: duplicate migration version: {v}")))
        }
        Err(super::CreateError::BadName(m)) => Err(log.fatal(&format!("error: {m}"))),
        Err(super::CreateError::Io(e)) => Err(log.fatal(&format!("error: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_go_prints_them() {
        assert_eq!(go_duration(Duration::from_nanos(12_345_678)), "12.345678ms");
        assert_eq!(go_duration(Duration::from_millis(12)), "12ms");
        assert_eq!(go_duration(Duration::from_micros(1_500)), "1.5ms");
        assert_eq!(go_duration(Duration::from_nanos(2_500)), "2.5µs");
        assert_eq!(go_duration(Duration::from_millis(2_500)), "2.5s");
        assert_eq!(go_duration(Duration::from_secs(63)), "1m3s");
        assert_eq!(go_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn argv0_selects_the_grammar() {
        assert!(invoked_as_migrate(Some(&"/usr/local/bin/migrate".into())));
        assert!(invoked_as_migrate(Some(&"migrate".into())));
        assert!(!invoked_as_migrate(Some(&"novacron-db".into())));
        assert!(!invoked_as_migrate(Some(&"migrate-x".into())));
        assert!(!invoked_as_migrate(None));
    }
}
