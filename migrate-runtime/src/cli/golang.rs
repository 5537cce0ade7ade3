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

struct Context<'l> {
    app: App,
    global: Global,
    log: &'l Log,
}

impl<'l> Context<'l> {
    /// The native options these flags mean, through the native parser: one
    /// set of defaults and checks.
    fn new(app: App, o: &Options, log: &'l Log) -> Result<Self, Exit> {
        let mut native: Vec<OsString> = vec!["migrate".into()];
        let dir = match (&o.source, &o.path) {
            (Some(s), _) => match s.strip_prefix("file://") {
                Some(d) => Some(d.to_owned()),
                None => {
                    return Err(log.fatal(&format!(
                        "error: unsupported source {s:?}: this build reads migrations from a directory \
                         (-path DIR or -source file://DIR)"
                    )));
                }
            },
            (None, Some(p)) => Some(p.clone()),
            (None, None) if app.migrations.is_some() => None,
            (None, None) => {
                return Err(log.fatal(
                    "error: no source: give the migrations' directory with -path DIR or -source file://DIR",
                ));
            }
        };
        if let Some(d) = dir {
            native.extend(["--dir".into(), d.into()]);
        }
        let Some(url) = &o.database else {
            return Err(log.fatal(
                "error: no database: give one with -database URL \
                 (e.g. -database 'postgres://USER:PASSWORD@HOST:5432/DB?sslmode=disable')",
            ));
        };
        native.extend(["--database-url".into(), url.into()]);
        if let Some(s) = o.lock_timeout {
            native.extend(["--lock-timeout".into(), format!("{s}s").into()]);
        }
        native.push("version".into());
        let (global, _) = super::parse(&app, native).map_err(|e| {
            log.fatal(&format!(
                "error: {}",
                e.to_string().lines().next().unwrap_or_default()
            ))
        })?;
        Ok(Context { app, global, log })
    }

    fn fail(&self, f: Failure) -> Exit {
        let text = match f {
            Failure::Usage(m) | Failure::Reported(m) => m,
            Failure::Error(e) => crate::migrator::apply::error_chain(&e),
        };
        self.log.fatal(&format!("error: {text}"))
    }

    fn command(&self, command: &str, sub: &[String]) -> Result<(), Exit> {
        let log = self.log;
        let (flags, rest) = match command {
            "down" => sub_flags(sub, &["all"], &[], log)?,
            "drop" => sub_flags(sub, &["f"], &[], log)?,
            _ => sub_flags(sub, &[], &[], log)?,
        };
        let flag = |n: &str| -> Result<bool, Exit> {
            flags
                .iter()
                .filter(|(f, _)| f == n)
                .try_fold(false, |_, (f, v)| go_bool(v, f, log))
        };
        let g = &self.global;
        let embedded = self.app.migrations;
        let registry = load_registry(g, embedded).map_err(|f| self.fail(f))?;
        let mut out = super::output::Out::new(super::output::ColorWhen::Auto);
        let mut c = connect(g, &mut out).map_err(|f| self.fail(f))?;
        let options = migrator_options(g, &c.opts).map_err(|f| self.fail(f))?;
        let m = Migrator::with_options(&registry, options);
        let err = |e: crate::MigrateError| self.fail(Failure::Error(e));
        let uint = |what: &str| -> Result<Option<usize>, Exit> {
            match rest.first() {
                None => Ok(None),
                Some(a) => a
                    .parse::<usize>()
                    .map(Some)
                    .map_err(|_| log.fatal(&format!("error: can't read {what} argument N"))),
            }
        };
        match command {
            "up" => match uint("limit")? {
                None => self.migrate(&m, &mut c.client, Target::Up { limit: None }, None),
                Some(0) => {
                    log.line("no change");
                    Ok(())
                }
                Some(n) => self.migrate(&m, &mut c.client, Target::Up { limit: Some(n) }, Some(n)),
            },
            "down" => {
                let all = flag("all")?;
                if all && !rest.is_empty() {
                    return Err(log.fatal("error: -all cannot be used with other arguments"));
                }
                if rest.len() > 1 {
                    return Err(log.fatal("error: too many arguments"));
                }
                match (all, uint("limit")?) {
                    (true, _) => self.migrate(&m, &mut c.client, Target::DownAll, None),
                    (false, None) => {
                        if !confirm(
                            log,
                            "Are you sure you want to apply all down migrations? [y/N]",
                        ) {
                            return Err(log.fatal("Not applying all down migrations"));
                        }
                        log.line("Applying all down migrations");
                        self.migrate(&m, &mut c.client, Target::DownAll, None)
                    }
                    (false, Some(0)) => {
                        log.line("no change");
                        Ok(())
                    }
                    (false, Some(n)) => {
                        self.migrate(&m, &mut c.client, Target::Down { steps: n }, Some(n))
                    }
                }
            }
            "goto" => {
                let Some(v) = rest.first() else {
                    return Err(log.fatal("error: please specify version argument V"));
                };
                let Ok(v) = v.parse::<u64>() else {
                    return Err(log.fatal("error: can't read version argument V"));
                };
                let v = Version::new(i64::try_from(v).unwrap_or(i64::MAX));
                if registry.get(v).is_none() {
                    return Err(log.fatal("error: file does not exist"));
                }
                self.migrate(&m, &mut c.client, Target::To(v), None)
            }
            "force" => {
                let Some(v) = rest.first() else {
                    return Err(log.fatal("error: please specify version argument V"));
                };
                let Ok(v) = v.parse::<i64>() else {
                    return Err(log.fatal("error: can't read version argument V"));
                };
                if v < -1 {
                    return Err(log.fatal("error: argument V must be >= -1"));
                }
                let v = (v >= 0).then(|| Version::new(v));
                m.force(&mut c.client, v).map_err(err)
            }
            "version" => match m.version(&mut c.client).map_err(err)? {
                None => Err(log.fatal("error: no migration")),
                Some((v, false)) => {
                    log.line(&v.to_string());
                    Ok(())
                }
                Some((v, true)) => {
                    log.line(&format!("{v} (dirty)"));
                    Ok(())
                }
            },
            "drop" => {
                if !flag("f")? {
                    if !confirm(
                        log,
                        "Are you sure you want to drop the entire database schema? [y/N]",
                    ) {
                        return Err(log.fatal("Aborted dropping the entire database schema"));
                    }
                    log.line("Dropping the entire database schema");
                }
                m.drop_all(&mut c.client).map(drop).map_err(err)
            }
            _ => Err(log.usage(2)),
        }
    }

    /// Runs a target with golang-migrate's lines: `1/u name (1.2ms)` per
    /// migration, `no change`, and its errors when `up N` / `down N` find
    /// fewer than N (`file does not exist` for none, `limit K short`).
    fn migrate(
        &self,
        m: &Migrator<'_>,
        client: &mut postgres::Client,
        target: Target,
        limit: Option<usize>,
    ) -> Result<(), Exit> {
        let log = self.log;
        let err = |e: crate::MigrateError| self.fail(Failure::Error(e));
        let planned = m.plan(client, target).map_err(err)?.steps.len();
        if planned == 0 {
            if limit.is_some() {
                return Err(log.fatal("error: file does not exist"));
            }
            log.line("no change");
            return Ok(());
        }
        let report = m.run(client, target, &mut |e| match e {
            Event::Started { step, .. } if log.verbose => {
                let s = log_string(step);
                log.line(&format!("Start buffering {s}"));
                log.line(&format!("Read and execute {s}"));
            }
            Event::Finished { step, duration, .. } => {
                let s = log_string(step);
                if log.verbose {
                    log.line(&format!(
                        "Finished {s} (read 0s, ran {})",
                        go_duration(duration)
                    ));
                } else {
                    log.line(&format!("{s} ({})", go_duration(duration)));
                }
            }
            _ => {}
        });
        let report = report.map_err(err)?;
        if let Some(n) = limit
            && report.steps.len() < n
        {
            return Err(log.fatal(&format!("error: limit {} short", n - report.steps.len())));
        }
        Ok(())
    }
}

/// golang-migrate's `LogString`: `VERSION/u NAME` or `VERSION/d NAME`.
fn log_string(step: &crate::migrator::apply::Step<'_>) -> String {
    let d = match step.direction {
        migrate_core::Direction::Up => "u",
        migrate_core::Direction::Down => "d",
    };
    format!("{}/{d} {}", step.migration.version, step.migration.name)
}

/// golang-migrate's prompt: the question on stderr, one line from stdin
/// (a terminal or not), `y` (any case) is yes.
fn confirm(log: &Log, question: &str) -> bool {
    log.line(question);
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    answer.trim().eq_ignore_ascii_case("y")
}

/// A duration as Go's `time.Duration.String` prints it (`1.234567ms`, `2.5s`,
/// `1m3s`).
fn go_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    let frac = |value: u128, unit: u128, digits: usize| {
        let whole = value / unit;
        let rest = value % unit;
        if rest == 0 {
            whole.to_string()
        } else {
            let f = format!("{rest:0digits$}");
            format!("{whole}.{}", f.trim_end_matches('0'))
        }
    };
    match ns {
        0 => "0s".to_owned(),
        n if n < 1_000 => format!("{n}ns"),
        n if n < 1_000_000 => format!("{}µs", frac(n, 1_000, 3)),
        n if n < 1_000_000_000 => format!("{}ms", frac(n, 1_000_000, 6)),
        n if n < 60_000_000_000 => format!("{}s", frac(n, 1_000_000_000, 9)),
        n => {
            let (h, rest) = (n / 3_600_000_000_000, n % 3_600_000_000_000);
            let (m, s) = (rest / 60_000_000_000, rest % 60_000_000_000);
            let h = if h > 0 {
                format!("{h}h")
            } else {
                String::new()
            };
            format!("{h}{m}m{}s", frac(s, 1_000_000_000, 9))
        }
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
