//! golang-migrate's commands over the native registry, connection and
//! migrator, with its output lines and exit codes.

use super::*;

pub(super) struct Context<'l> {
    pub(super) app: App,
    pub(super) global: Global,
    pub(super) log: &'l Log,
}

impl<'l> Context<'l> {
    /// The native options these flags mean, through the native parser: one
    /// set of defaults and checks.
    pub(super) fn new(app: App, o: &Options, log: &'l Log) -> Result<Self, Exit> {
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
        let (global, _) = super::super::parse(&app, native).map_err(|e| {
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

    pub(super) fn command(&self, command: &str, sub: &[String]) -> Result<(), Exit> {
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
        let mut out = super::super::output::Out::new(super::super::output::ColorWhen::Auto);
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
pub(super) fn log_string(step: &crate::migrator::apply::Step<'_>) -> String {
    let d = match step.direction {
        migrate_core::Direction::Up => "u",
        migrate_core::Direction::Down => "d",
    };
    format!("{}/{d} {}", step.migration.version, step.migration.name)
}

/// golang-migrate's prompt: the question on stderr, one line from stdin
/// (a terminal or not), `y` (any case) is yes.
pub(super) fn confirm(log: &Log, question: &str) -> bool {
    log.line(question);
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    answer.trim().eq_ignore_ascii_case("y")
}

/// A duration as Go's `time.Duration.String` prints it (`1.234567ms`, `2.5s`,
/// `1m3s`).
pub(super) fn go_duration(d: Duration) -> String {
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
