//! From the arguments to the exit code: parsing (with `./.env`), logging, and
//! the dispatch of each verb.

use super::*;

pub(super) fn parse(
    app: &App,
    args: Vec<std::ffi::OsString>,
) -> Result<(Global, Verb), clap::Error> {
    let matches = app.command().try_get_matches_from(args)?;
    let mut global = Global::from_arg_matches(&matches)?;
    global.app = *app;
    if app.seeds.is_some() {
        global.seed_dir = SeedArgs::from_arg_matches(&matches)?.seed_dir;
    }
    let verb = match matches.subcommand_name() {
        Some(name) if !Command::has_subcommand(name) => {
            Verb::Seeds(SeedCommand::from_arg_matches(&matches)?)
        }
        _ => Verb::Main(Command::from_arg_matches(&matches)?),
    };
    Ok((global, verb))
}

/// Reads `./.env` into the environment, never over a variable that is set (as
/// sqlx-cli and dbmate do; only the current directory's, not its parents').
pub(super) fn load_dotenv() -> Result<(), String> {
    match dotenvy::from_path(".env") {
        Ok(()) => Ok(()),
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        // The line is not quoted: it may hold a password.
        Err(dotenvy::Error::LineParse(_, at)) => Err(format!(
            "./.env cannot be read: a line does not parse as NAME=value (at byte {at} of it; \
             the line is not shown, it may hold a password): fix that line or remove ./.env"
        )),
        Err(e) => Err(format!(
            "./.env cannot be read ({}): fix or remove it",
            match e {
                dotenvy::Error::Io(io) => io.to_string(),
                _ => "not valid".to_owned(),
            }
        )),
    }
}

pub(super) fn run_app(app: App, args: Vec<std::ffi::OsString>) -> ExitCode {
    if let Err(msg) = load_dotenv() {
        Out::new(ColorWhen::Auto).error(&msg);
        return ExitCode::from(2);
    }
    let (global, verb) = match parse(&app, args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_tracing(&app);
    let mut out = Out::new(global.color);
    let result = execute(&global, verb, app, &mut out);
    out.finish();
    finish(&mut out, result)
}

/// The exit code of a result, its error printed.
pub(super) fn finish(out: &mut Out, result: Result<ExitCode, Failure>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(Failure::Usage(msg)) => {
            out.error(&msg);
            ExitCode::from(2)
        }
        Err(Failure::Error(e)) => {
            out.error(&crate::migrator::apply::error_chain(&e));
            ExitCode::from(1)
        }
        Err(Failure::Reported(msg)) => {
            out.error(&msg);
            ExitCode::from(1)
        }
    }
}

/// `DEBUG=1`: debug logs of this crate and of the app's (its name as a crate
/// name: `novacron-db` logs as `novacron_db`).
pub(super) fn init_tracing(app: &App) {
    let debug = std::env::var("DEBUG").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    let filter = match std::env::var("RUST_LOG") {
        Ok(f) if !f.is_empty() => tracing_subscriber::EnvFilter::new(f),
        // Our crates only: the driver's own debug logs show query text.
        _ if debug => tracing_subscriber::EnvFilter::new(format!(
            "pgcheck=debug,{}=debug",
            app.name.replace('-', "_")
        )),
        _ => return,
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(
            std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        )
        .try_init();
}

pub(super) fn execute(
    g: &Global,
    verb: Verb,
    app: App,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let embedded = app.migrations;
    let command = match verb {
        Verb::Main(c) => c,
        Verb::Seeds(c) => return execute_seeds(g, c, app, out),
    };
    match command {
        Command::Completions { shell } => {
            let mut cmd = app.command();
            let name = cmd.get_name().to_owned();
            // Into a buffer: clap_complete panics on a closed pipe.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, name, &mut script);
            out.line(String::from_utf8_lossy(&script).trim_end());
            Ok(ExitCode::SUCCESS)
        }
        Command::Create { name, seq } => {
            let dir = g.dir.clone().unwrap_or_else(|| PathBuf::from("migrations"));
            match create(&dir, &name, seq, chrono::Utc::now()) {
                Ok((up, down)) => {
                    out.line(&format!("created {}", up.display()));
                    out.line(&format!("created {}", down.display()));
                    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
                    if let Some(src) = embedded.and_then(Registry::source_dir)
                        && canonical(Path::new(src)).is_some_and(|s| Some(s) == canonical(&dir))
                    {
                        out.note(&format!(
                            "this binary embeds {src}: rebuild it (cargo build) to include the new \
                             migration; until then it refuses to run over its embedded migrations"
                        ));
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(CreateError::BadName(m)) => Err(Failure::Usage(m)),
                Err(CreateError::Duplicate(v)) => Err(Failure::Reported(format!(
                    "a migration with version {v} already exists in {}; wait a second or use --seq",
                    dir.display()
                ))),
                Err(CreateError::Io(e)) => Err(e.into()),
            }
        }
        Command::Validate => validate(g, embedded, out),
        Command::Lint { format } => inspect::lint(g, embedded, format == "json", out),
        Command::Schema { format, version } => inspect::schema(g, embedded, &format, version, out),
        Command::VerifySchema => inspect::verify_schema(g, embedded, out),
        Command::Backup { file } => backup::backup(g, file, out),
        Command::Restore { file, force } => restore::restore(g, embedded, &file, force, out),
        Command::Console { args } => conninfo::console(g, &args),
        Command::Conninfo {
            env,
            url,
            with_database,
        } => {
            let shape = match (env, url) {
                (true, _) => conninfo::Shape::Env,
                (false, true) => conninfo::Shape::Url,
                (false, false) => conninfo::Shape::Redacted,
            };
            conninfo::conninfo(g, shape, with_database.as_deref(), out)
        }
        Command::Up {
            n,
            count,
            dry_run,
            single_transaction,
        } => {
            let limit = n.or(count);
            if limit == Some(0) {
                return Err(Failure::Usage(
                    "-n 0 applies nothing; leave it out to apply all".to_owned(),
                ));
            }
            migrate(
                g,
                embedded,
                out,
                Target::Up { limit },
                dry_run,
                single_transaction,
            )
        }
        Command::Down {
            n,
            count,
            all,
            dry_run,
        } => {
            let target = match (all, n.or(count)) {
                (true, _) => Target::DownAll,
                (false, Some(0)) => return Err(Failure::Usage("-n 0 reverts nothing".to_owned())),
                (false, k) => Target::Down {
                    steps: k.unwrap_or(1),
                },
            };
            migrate(g, embedded, out, target, dry_run, false)
        }
        Command::Goto { version, dry_run } => migrate(
            g,
            embedded,
            out,
            Target::To(Version::new(version)),
            dry_run,
            false,
        ),
        Command::Version => {
            let registry = load_registry(g, embedded)?;
            let mut c = connect(g, out)?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            match m.version(&mut c.client)? {
                None => out.line("no migration applied"),
                Some((v, false)) => out.line(&v.to_string()),
                Some((v, true)) => out.line(&format!("{v} (dirty)")),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { json, exit_code } => {
            let registry = load_registry(g, embedded)?;
            let mut c = connect(g, out)?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            let st = m.status(&mut c.client)?;
            if json {
                let text =
                    serde_json::to_string_pretty(&st).map_err(|e| Failure::Usage(e.to_string()))?;
                out.line(&text);
            } else {
                out.status_table(&c.opts.target(), &st);
            }
            if exit_code && (st.pending() > 0 || st.dirty) {
                return Ok(ExitCode::from(NOT_UP_TO_DATE));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Force { version } => {
            let v = match version {
                -1 => None,
                v if v < 0 => {
                    return Err(Failure::Usage(format!(
                        "version {v} is negative (only -1, no version, is)"
                    )));
                }
                v => Some(Version::new(v)),
            };
            let registry = load_registry(g, embedded)?;
            let mut c = connect(g, out)?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            m.force(&mut c.client, v)?;
            match v {
                Some(v) => out.line(&format!(
                    "version forced to {v}, not dirty; nothing was run"
                )),
                None => out.line("version cleared (no migration applied); nothing was run"),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Repair => {
            let registry = load_registry(g, embedded)?;
            let mut c = connect(g, out)?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            let done = m.repair(&mut c.client)?;
            for d in &done.accepted {
                out.line(&format!(
                    "accepted {} {} file: recorded {}, now {}",
                    d.migration,
                    d.file,
                    crate::error::short(&d.recorded),
                    crate::error::short(&d.current)
                ));
            }
            for r in &done.recorded {
                out.line(&format!(
                    "recorded the checksums of {r} (applied before they were all kept)"
                ));
            }
            if done.accepted.is_empty() && done.recorded.is_empty() {
                out.line(
                    "nothing to repair: the files of every applied migration match the history",
                );
            } else {
                out.line(&format!(
                    "{} changed files accepted in the history; nothing was run",
                    done.accepted.len()
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Drop => {
            let registry = load_registry(g, embedded)
                .unwrap_or_else(|_| Cow::Owned(Registry::new(Vec::new())));
            let mut c = connect(g, out)?;
            confirm(
                g,
                &format!(
                    "drop every table, view, sequence, routine and type in the current schema of {}?",
                    c.opts.target()
                ),
            )?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            let n = m.drop_all(&mut c.client)?;
            out.line(&format!("dropped {n} objects (and the migration tables)"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Adopt { from } => {
            let registry = load_registry(g, embedded)?;
            let mut c = connect(g, out)?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            let adopted = m.adopt(&mut c.client, from)?;
            let at = adopted
                .last()
                .map_or("no version".to_owned(), |v| format!("version {v}"));
            out.line(&format!(
                "adopted {} migrations applied by {from}; nothing was run; the database is at {at}",
                adopted.len()
            ));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `status --exit-code` when a migration is pending or the version is dirty.
const NOT_UP_TO_DATE: u8 = 3;
