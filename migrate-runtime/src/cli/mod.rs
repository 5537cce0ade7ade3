//! The migration command line any application can brand, over an embedded
//! registry or a directory: see [`App`], its one entry point.
//!
//! ```ignore
//! fn main() -> std::process::ExitCode {
//!     pgcheck::cli::App::new("myapp")
//!         .version(env!("CARGO_PKG_VERSION"))
//!         .migrations(&myapp::MIGRATIONS)
//!         .main()
//! }
//! ```
//!
//! `--dir` / `MIGRATIONS_DIR` switch to a directory read at run time (checked by
//! migrate-core as the macro checks it); without an embedded registry that is the
//! only mode, with `./migrations` as the default. Invoked as `migrate`, the
//! binary speaks golang-migrate's command line (see `golang.rs`).
//!
//! Exit codes: 0 done or nothing to do, 1 failure, 2 usage (bad arguments, no
//! database URL, or a destructive command without confirmation), 3 `status
//! --exit-code` when the database is not up to date.

mod backup;
mod conninfo;
mod create;
mod golang;
mod inspect;
mod interrupt;
mod output;
mod ticker;

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, FromArgMatches, Subcommand};
use postgres::Client;

pub use create::{CreateError, CreateOptions, create, create_with};

use crate::connect::ConnectOptions;
use crate::error::{MigrateError, fmt_duration};
use crate::migration::Version;
use crate::migrator::{Event, Migrator, Options, Plan, Report, Target};
use crate::registry::Registry;
use crate::seed::{Seeder, Seeds};
use crate::sql::TableName;
use output::{ColorWhen, Out};

#[derive(Debug, Args)]
struct Global {
    /// The app this CLI is built into (not a flag).
    #[arg(skip)]
    app: App,

    /// Colour the output: auto (on a terminal, unless NO_COLOR), always, never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,

    /// PostgreSQL URL (else DB_URL, else DATABASE_URL, from the environment or ./.env)
    #[arg(long, global = true, value_name = "URL", alias = "database")]
    database_url: Option<String>,

    /// Read migrations from this directory at run time instead of the embedded ones
    #[arg(
        long,
        global = true,
        env = "MIGRATIONS_DIR",
        value_name = "DIR",
        alias = "path"
    )]
    dir: Option<PathBuf>,

    /// golang-migrate's version table, optionally schema-qualified; the history
    /// table is the same name with `_history`
    #[arg(long, global = true, value_name = "[SCHEMA.]TABLE")]
    migrations_table: Option<String>,

    /// How long to wait for another migration run to finish (0: do not wait)
    #[arg(long, global = true, value_name = "DURATION", default_value = "15s", value_parser = parse_duration)]
    lock_timeout: Duration,

    /// Retry connecting for this long while the server starts (e.g. 30s)
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    wait: Option<Duration>,

    /// Proceed although applied migrations were edited since
    #[arg(long, global = true)]
    allow_drift: bool,

    /// Apply pending migrations older than the database's version
    #[arg(long, global = true)]
    allow_out_of_order: bool,

    /// Directory mode: accept up migrations without a down file (detected when
    /// the directory has no down files at all)
    #[arg(long, global = true)]
    no_require_down: bool,

    /// Directory mode: check the files for this PostgreSQL major version and
    /// later (14 to 18); by default the server's own, when a command connects
    #[arg(long, global = true, value_name = "MAJOR", value_parser = parse_pg_version)]
    postgres: Option<migrate_core::check::version::PgVersion>,

    /// `--seed-dir` of [`SeedArgs`] (an app with seeds only).
    #[arg(skip)]
    seed_dir: Option<PathBuf>,

    /// Answer yes to confirmations (down --all, drop, reset)
    #[arg(long, short = 'y', global = true)]
    yes: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending migrations (all, or the next N)
    Up {
        /// Apply at most N migrations
        #[arg(short = 'n', value_name = "N")]
        n: Option<usize>,
        /// golang-migrate's `up N`
        #[arg(value_name = "N", conflicts_with = "n", hide = true)]
        count: Option<usize>,
        /// Print the SQL that would run; change nothing
        #[arg(long)]
        dry_run: bool,
        /// Apply all of them in one transaction: all or nothing
        #[arg(long)]
        single_transaction: bool,
    },
    /// Revert the last migration (or the last N, or all)
    Down {
        /// Revert the last N migrations
        #[arg(short = 'n', value_name = "N", conflicts_with = "all")]
        n: Option<usize>,
        /// golang-migrate's `down N`
        #[arg(value_name = "N", conflicts_with_all = ["n", "all"], hide = true)]
        count: Option<usize>,
        /// Revert every applied migration (asks for confirmation)
        #[arg(long)]
        all: bool,
        /// Print the SQL that would run; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Migrate up or down to exactly version V
    Goto {
        version: i64,
        /// Print the SQL that would run; change nothing
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the current version (and whether it is dirty)
    Version,
    /// List every migration: applied or pending, when, how long, checksum
    Status {
        /// Machine-readable output
        #[arg(long)]
        json: bool,
        /// Exit 3 when the database is not up to date (a migration is pending,
        /// or the version is dirty): a deploy gate
        #[arg(long)]
        exit_code: bool,
    },
    /// Check the migration files; with a database URL also drift, missing,
    /// dirty and out-of-order migrations
    Validate,
    /// Set the version without running anything and clear the dirty flag
    /// (-1: no version)
    Force {
        #[arg(allow_negative_numbers = true)]
        version: i64,
    },
    /// Accept edited files of applied migrations: record their current
    /// checksums in the history (nothing is run)
    Repair,
    /// Create an empty up/down pair: YYYYMMDDHHMMSS_NAME, or the next number with --seq
    Create {
        name: String,
        /// Next sequential version (same digit width) instead of a timestamp
        #[arg(long)]
        seq: bool,
    },
    /// Drop every table, view, sequence, routine and type in the schema (asks for
    /// confirmation; extensions stay)
    Drop,
    /// Take over a database another tool migrated: record its applied versions
    /// in our history without running anything
    Adopt {
        /// golang-migrate, refinery, sqlx or diesel
        #[arg(long, value_name = "TOOL")]
        from: crate::migrator::Tool,
    },
    /// Print a completion script for a shell (e.g. `completions bash >
    /// /etc/bash_completion.d/NAME`)
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Zero-downtime checks of every migration against the schema before it
    Lint {
        /// `text` or `json`
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Print the schema the migrations build, as a diagram or a document
    Schema {
        /// `mermaid`, `dot` or `markdown`
        #[arg(long, default_value = "mermaid")]
        format: String,
        /// The schema after this migration instead of the latest
        #[arg(long)]
        version: Option<i64>,
    },
    /// Compare the live database with the schema the migrations say it has at
    /// its recorded version (tables, columns, types, nullability, indexes)
    VerifySchema,
    /// Back the database up with pg_dump (custom format), the schema version in a
    /// FILE.json sidecar
    Backup {
        /// Default: backups/novacron_<db>_<UTC time>_v<version>.dump
        file: Option<PathBuf>,
    },
    /// Restore a backup with pg_restore (refuses an unknown schema version, or a
    /// non-empty database without --force)
    Restore {
        file: PathBuf,
        /// Drop everything in the schema first when the database is not empty
        #[arg(long)]
        force: bool,
    },
    /// Open psql on the database (the connection in psql's environment, never
    /// on its command line); the arguments after `--` go to psql
    Console {
        /// psql's own arguments (e.g. `-- -c 'SELECT 1'`)
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "PSQL_ARGS"
        )]
        args: Vec<std::ffi::OsString>,
    },
    /// Print the database URL without its password; with --env, libpq's
    /// environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, ...) as shell lines
    Conninfo {
        /// `unset`/`export` lines of libpq's variables, for
        /// `eval "$(NAME conninfo --env)"` before running psql or pg_dump
        #[arg(long, conflicts_with = "url")]
        env: bool,
        /// The whole URL, password included (to hand it on in the environment)
        #[arg(long)]
        url: bool,
        /// The same connection with this database instead
        #[arg(long, value_name = "NAME")]
        with_database: Option<String>,
    },
}

/// The option of an app with seeds.
#[derive(Debug, Args)]
struct SeedArgs {
    /// Read seed files from this directory instead of the embedded ones
    #[arg(long, global = true, env = "SEED_DIR", value_name = "DIR")]
    seed_dir: Option<PathBuf>,
}

// The verbs that need seeds: only in an app that embeds seeds. (A plain
// comment: a doc comment would become the command's about text.)
#[derive(Debug, Subcommand)]
enum SeedCommand {
    /// Load the development seed data: each seed file in name order, each in its
    /// own transaction
    Seed,
    /// Remove the seed data (runs clean.sql)
    Clean,
    /// Drop everything, apply every migration, then seed (asks for confirmation)
    Reset,
}

/// Whether a failure is the user's invocation (exit 2) or the work (exit 1).
#[derive(Debug)]
enum Failure {
    Usage(String),
    Error(MigrateError),
    /// Already printed in detail; this is the closing line.
    Reported(String),
}

impl From<MigrateError> for Failure {
    fn from(e: MigrateError) -> Self {
        Failure::Error(e)
    }
}

/// The command line of an application: its name, version, about text and
/// default URL, over the migrations (and seeds) it embeds. The one entry point
/// of this module.
///
/// ```ignore
/// fn main() -> std::process::ExitCode {
///     pgcheck::cli::App::new("myapp")
///         .version(env!("CARGO_PKG_VERSION"))
///         .about("myapp's database migrations")
///         .default_url("postgres://localhost:5432/myapp") // optional
///         .migrations(&myapp::MIGRATIONS)
///         .seeds(&myapp::SEEDS) // optional: adds seed, clean and reset
///         .main()
/// }
/// ```
///
/// Without `default_url`, a command that needs a database and gets no URL from
/// `--database-url`, `DB_URL` or `DATABASE_URL` (the environment, else `./.env`)
/// stops with exit 2. Without `migrations`, only directory mode
/// (`./migrations`, `--dir`, `MIGRATIONS_DIR`). Invoked as `migrate` (a link
/// or copy of the binary with that name), it speaks golang-migrate's command
/// line instead.
#[derive(Debug, Clone, Copy, Default)]
pub struct App {
    name: &'static str,
    version: Option<&'static str>,
    about: Option<&'static str>,
    default_url: Option<&'static str>,
    migrations: Option<&'static Registry>,
    seeds: Option<&'static Seeds>,
}

impl App {
    /// The CLI of the app `name` (shown in help, usage, completions, and as the
    /// server's `application_name`).
    pub const fn new(name: &'static str) -> Self {
        App {
            name,
            version: None,
            about: None,
            default_url: None,
            migrations: None,
            seeds: None,
        }
    }

    /// What `--version` prints (usually `env!("CARGO_PKG_VERSION")`).
    pub const fn version(mut self, version: &'static str) -> Self {
        self.version = Some(version);
        self
    }

    /// The first line of `--help`.
    pub const fn about(mut self, about: &'static str) -> Self {
        self.about = Some(about);
        self
    }

    /// The URL used when neither `--database-url`, `DB_URL` nor `DATABASE_URL`
    /// gives one. Without it, such a command stops and says how to give one.
    pub const fn default_url(mut self, url: &'static str) -> Self {
        self.default_url = Some(url);
        self
    }

    /// The embedded migrations (`embed_migrations!`'s `MIGRATIONS`).
    pub const fn migrations(mut self, registry: &'static Registry) -> Self {
        self.migrations = Some(registry);
        self
    }

    /// The embedded seeds; adds the verbs `seed`, `clean` and `reset`.
    pub const fn seeds(mut self, seeds: &'static Seeds) -> Self {
        self.seeds = Some(seeds);
        self
    }

    /// Runs on the process's arguments.
    pub fn main(self) -> ExitCode {
        self.run(std::env::args_os())
    }

    /// Runs on the given arguments (the first is the program name: `migrate`
    /// selects golang-migrate's command line).
    pub fn run<I, T>(self, args: I) -> ExitCode
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        if golang::invoked_as_migrate(args.first()) {
            return golang::run(self, &args);
        }
        run_app(self, args)
    }

    /// The clap command: this app's name, version, about text and verbs.
    pub fn command(&self) -> clap::Command {
        let name = if self.name.is_empty() {
            "pgcheck"
        } else {
            self.name
        };
        let default = match self.default_url.map(ConnectOptions::parse) {
            Some(Ok(o)) => format!("else {} (the default)", o.target()),
            Some(Err(_)) => "else the app's default URL".to_owned(),
            None => "else none: a command that needs a database stops (exit 2)".to_owned(),
        };
        let mut cmd = clap::Command::new(name)
            .bin_name(name)
            .subcommand_required(true)
            .arg_required_else_help(true)
            .after_help(format!(
                "Connection: --database-url, else DB_URL, else DATABASE_URL (from the environment,\n  \
                 else ./.env), {default}.\n\
                 DEBUG=1 prints debug logs. Exit codes: 0 ok or nothing to do, 1 failure, 2 usage,\n  \
                 3 `status --exit-code` with something pending."
            ));
        cmd = Global::augment_args(cmd);
        cmd = Command::augment_subcommands(cmd);
        if self.seeds.is_some() {
            cmd = SeedArgs::augment_args(cmd);
            cmd = SeedCommand::augment_subcommands(cmd);
        }
        // Last: the derives above may set their own.
        cmd.version(self.version).about(self.about)
    }
}

/// A parsed verb.
enum Verb {
    Main(Command),
    Seeds(SeedCommand),
}

fn parse(app: &App, args: Vec<std::ffi::OsString>) -> Result<(Global, Verb), clap::Error> {
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
fn load_dotenv() -> Result<(), String> {
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

fn run_app(app: App, args: Vec<std::ffi::OsString>) -> ExitCode {
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
fn finish(out: &mut Out, result: Result<ExitCode, Failure>) -> ExitCode {
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
fn init_tracing(app: &App) {
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

/// `30s`, `500ms`, `2m`, `1h`, `1.5s`, or plain seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 30s, 500ms, 2m)"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        u => {
            return Err(format!(
                "unknown unit {u:?} in {text:?} (use ms, s, m or h)"
            ));
        }
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("{text:?}: {e}"))
}

/// The URL and whether the user gave one (flag, environment or ./.env, which
/// is in the environment by now); the app's default otherwise.
fn database_url(g: &Global) -> Result<(String, bool), Failure> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match g
        .database_url
        .clone()
        .or_else(|| env("DB_URL"))
        .or_else(|| env("DATABASE_URL"))
    {
        Some(u) => Ok((u, true)),
        None => match g.app.default_url {
            Some(u) => Ok((u.to_owned(), false)),
            None => Err(Failure::Usage(NO_URL.to_owned())),
        },
    }
}

/// What to do when there is no URL and the app has no default.
const NO_URL: &str = "no database URL: give one with --database-url URL, or set DB_URL or \
     DATABASE_URL (in the environment or in ./.env), e.g. \
     DB_URL=postgres://USER:PASSWORD@HOST:5432/DATABASE";

fn load_registry(
    g: &Global,
    embedded: Option<&'static Registry>,
) -> Result<Cow<'static, Registry>, Failure> {
    let (dir, display) = match (&g.dir, embedded) {
        (Some(dir), _) => {
            tracing::debug!(dir = %dir.display(), "loading migrations from a directory");
            let display = dir.display().to_string();
            (dir.as_path(), display.trim_end_matches('/').to_owned())
        }
        (None, Some(r)) => {
            if let Some(problem) = stale_embedding(r) {
                return Err(Failure::Reported(problem));
            }
            return Ok(Cow::Borrowed(r));
        }
        (None, None) => (Path::new("migrations"), "migrations".to_owned()),
    };
    let registry = Registry::from_dir_opts(dir, &display, &dir_options(g))?;
    print_down_warnings(registry.warnings());
    Ok(Cow::Owned(registry))
}

/// When the directory an embedded registry was built from is on this machine
/// and holds migrations the binary lacks (or lacks files it embeds), what to
/// say: cargo reruns `embed_migrations!` when an embedded file changes, but
/// not when one is added, unless a build script watches the directory, so
/// such a binary would silently leave the new migration out.
fn stale_embedding(registry: &Registry) -> Option<String> {
    let dir = Path::new(registry.source_dir()?);
    let entries = std::fs::read_dir(dir).ok()?;
    let mut on_disk = std::collections::BTreeMap::<i64, String>::new();
    for entry in entries.flatten() {
        let Some(file) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if let Some(Ok(f)) = migrate_core::source::filename::parse(&file) {
            on_disk.entry(f.version).or_insert(file);
        }
    }
    let added: Vec<&str> = on_disk
        .iter()
        .filter(|(v, _)| registry.get(Version::new(**v)).is_none())
        .map(|(_, f)| f.as_str())
        .collect();
    let gone: Vec<String> = registry
        .iter()
        .filter(|m| !on_disk.contains_key(&m.version.get()))
        .map(|m| m.label())
        .collect();
    if added.is_empty() && gone.is_empty() {
        return None;
    }
    let mut what = Vec::new();
    if !added.is_empty() {
        what.push(format!("{} is not in it", added.join(", ")));
    }
    if !gone.is_empty() {
        what.push(format!(
            "it embeds {} whose files are gone",
            gone.join(", ")
        ));
    }
    Some(format!(
        "this binary is older than the migrations in {}: {}; nothing was run\n  \
         help: cargo does not rebuild for a file added to (or removed from) the directory \
         unless a build script watches it: give the package a build.rs with\n    \
         fn main() {{ println!(\"cargo:rerun-if-changed={}\"); }}\n  \
         then rebuild (cargo build); or run the files themselves with --dir {}",
        dir.display(),
        what.join("; "),
        // The directory as the macro's argument names it (relative to the package).
        registry
            .iter()
            .next()
            .and_then(|m| m.up.path.rsplit_once('/'))
            .map_or_else(
                || dir
                    .file_name()
                    .map_or("migrations".into(), |n| n.to_string_lossy()),
                |(d, _)| d.into()
            ),
        dir.display()
    ))
}

/// Directory mode's options, from the command line: one place for all commands.
fn dir_options(g: &Global) -> crate::registry::DirOptions {
    crate::registry::DirOptions {
        require_down: if g.no_require_down { Some(false) } else { None },
        history_table: history_table_name(g),
        postgres: g.postgres,
    }
}

fn parse_pg_version(s: &str) -> Result<migrate_core::check::version::PgVersion, String> {
    migrate_core::check::version::PgVersion::parse(s)
}

/// golang-migrate's version table as `--migrations-table` names it, without its
/// schema: the table the model starts with.
fn history_table_name(g: &Global) -> String {
    g.migrations_table
        .as_deref()
        .map(|t| {
            t.rsplit('.')
                .next()
                .unwrap_or(t)
                .trim_matches('"')
                .to_owned()
        })
        .unwrap_or_else(|| "schema_migrations".to_owned())
}

/// Findings about down files in directory mode: they do not stop the command.
fn print_down_warnings(warnings: &[migrate_core::Diagnostic]) {
    for w in warnings {
        eprintln!(
            "warning: {} (this down is left out: `down` will refuse to revert it)",
            w.headline()
        );
    }
}

struct Conn {
    client: Client,
    opts: ConnectOptions,
}

fn connect(g: &Global, out: &mut Out) -> Result<Conn, Failure> {
    let (url, _) = database_url(g)?;
    // A URL that cannot be parsed is the invocation's fault: exit 2.
    let mut opts = ConnectOptions::parse(&url).map_err(|e| match e {
        MigrateError::InvalidUrl(_) => Failure::Usage(e.to_string()),
        e => Failure::Error(e),
    })?;
    if !g.app.name.is_empty() {
        opts.default_application_name(g.app.name);
    }
    let client = match g.wait {
        Some(w) => {
            let target = opts.target();
            opts.connect_wait(w, &mut |_| {
                out.note(&format!(
                    "waiting up to {} for {target} to accept connections",
                    fmt_duration(w)
                ))
            })?
        }
        None => opts.connect()?,
    };
    Ok(Conn { client, opts })
}

fn migrator_options(g: &Global, c: &ConnectOptions) -> Result<Options, Failure> {
    let mut o = Options::default();
    if let Some(t) = &g.migrations_table {
        o.table =
            TableName::parse(t).map_err(|e| Failure::Usage(format!("--migrations-table: {e}")))?;
    } else if let Some(t) = &c.migrations_table {
        o.table = t.clone();
    }
    // Refused up front, before any command reads or writes: exit 2.
    o.check_names().map_err(|e| Failure::Usage(e.to_string()))?;
    o.lock_timeout = g.lock_timeout;
    o.allow_drift = g.allow_drift;
    o.allow_out_of_order = g.allow_out_of_order;
    o.url_database = c.url_database().map(str::to_owned);
    Ok(o)
}

/// Asks on the terminal; without one, refuses unless `--yes`.
fn confirm(g: &Global, question: &str) -> Result<(), Failure> {
    if g.yes {
        return Ok(());
    }
    if !(std::io::stdin().is_terminal() && std::io::stderr().is_terminal()) {
        return Err(Failure::Usage(format!(
            "{question}: there is no terminal to confirm on; pass --yes"
        )));
    }
    // A closed stderr must not panic; the answer is read all the same.
    let _ = write!(std::io::stderr(), "{question} [y/N] ");
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        // A refused destructive command exits 2, as without a terminal.
        Err(Failure::Usage(
            MigrateError::NotConfirmed("cancelled; nothing was changed".to_owned()).to_string(),
        ))
    }
}

fn execute(g: &Global, verb: Verb, app: App, out: &mut Out) -> Result<ExitCode, Failure> {
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
        Command::Restore { file, force } => backup::restore(g, embedded, &file, force, out),
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

fn execute_seeds(
    g: &Global,
    command: SeedCommand,
    app: App,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let embedded = app.migrations;
    match command {
        SeedCommand::Seed => {
            let registry = load_registry(g, embedded)?;
            let seeds = load_seeds(g, app.seeds, &registry)?;
            let mut c = connect(g, out)?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            let st = m.status(&mut c.client)?;
            if st.dirty || st.pending() > 0 {
                return Err(Failure::Reported(format!(
                    "the database is not at the latest migration ({} pending{}): the seeds fit the latest schema; \
                     run `up` first",
                    st.pending(),
                    if st.dirty { ", dirty" } else { "" }
                )));
            }
            seed(out, &mut c.client, &seeds)?;
            Ok(ExitCode::SUCCESS)
        }
        SeedCommand::Clean => {
            let registry = load_registry(g, embedded)?;
            let seeds = load_seeds(g, app.seeds, &registry)?;
            let mut c = connect(g, out)?;
            match Seeder::new(&seeds).clean(&mut c.client)? {
                Some(d) => {
                    out.line(&format!("cleaned  (clean.sql, {})", fmt_duration(d)));
                    Ok(ExitCode::SUCCESS)
                }
                None => Err(Failure::Reported(
                    "there is no clean.sql among the seeds".to_owned(),
                )),
            }
        }
        SeedCommand::Reset => {
            let registry = load_registry(g, embedded)?;
            let seeds = load_seeds(g, app.seeds, &registry)?;
            let mut c = connect(g, out)?;
            confirm(
                g,
                &format!(
                    "drop everything in the current schema of {}, migrate and seed it again?",
                    c.opts.target()
                ),
            )?;
            let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
            let n = m.drop_all(&mut c.client)?;
            out.line(&format!("dropped {n} objects (and the migration tables)"));
            let report = m.run(&mut c.client, Target::Up { limit: None }, &mut |e| {
                out.event(e)
            })?;
            summary(out, &report);
            seed(out, &mut c.client, &seeds)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The seeds to run: embedded ones were checked at compile time; those read
/// from a directory are checked here against the schema `registry` builds,
/// the same checks, before anything runs.
fn load_seeds(
    g: &Global,
    embedded: Option<&'static Seeds>,
    registry: &Registry,
) -> Result<Cow<'static, Seeds>, Failure> {
    match (&g.seed_dir, embedded) {
        (Some(dir), _) => Ok(Cow::Owned(Seeds::from_dir_checked(dir, registry)?)),
        (None, Some(s)) => Ok(Cow::Borrowed(s)),
        (None, None) => Ok(Cow::Owned(Seeds::from_dir_checked(
            Path::new("seeds"),
            registry,
        )?)),
    }
}

fn seed(out: &mut Out, client: &mut Client, seeds: &Seeds) -> Result<(), Failure> {
    let start = std::time::Instant::now();
    Seeder::new(seeds).seed(client, &mut |s, d| {
        out.line(&format!("seeded   {} ({})", s.name, fmt_duration(d)))
    })?;
    out.line(&format!(
        "{} seed files run in {}",
        seeds.files.len(),
        fmt_duration(start.elapsed())
    ));
    Ok(())
}

fn migrate(
    g: &Global,
    embedded: Option<&'static Registry>,
    out: &mut Out,
    target: Target,
    dry_run: bool,
    single_transaction: bool,
) -> Result<ExitCode, Failure> {
    let registry = load_registry(g, embedded)?;
    let mut c = connect(g, out)?;
    let mut options = migrator_options(g, &c.opts)?;
    options.single_transaction = single_transaction;
    let m = Migrator::with_options(&registry, options);
    if dry_run {
        let plan = m.plan(&mut c.client, target)?;
        print_plan(out, &plan);
        return Ok(ExitCode::SUCCESS);
    }
    if target == Target::DownAll && !g.yes {
        let n = m.plan(&mut c.client, target)?.steps.len();
        if n == 0 {
            out.line("no change: no migration is applied");
            return Ok(ExitCode::SUCCESS);
        }
        confirm(
            g,
            &format!("revert all {n} applied migrations of {}?", c.opts.target()),
        )?;
    }
    let interrupt = interrupt::Interrupt::install(&c.opts, c.client.cancel_token());
    let mut options = m.options().clone();
    options.interrupt = Some(interrupt.stop.clone());
    let m = Migrator::with_options(&registry, options);
    // What ran, for the closing line of an interrupted run.
    let (mut done, mut running) = (0usize, None::<String>);
    let result = m.run(&mut c.client, target, &mut |e| {
        match e {
            Event::Started { step, .. } => running = Some(step.migration.label()),
            Event::Finished { .. } => {
                done += 1;
                running = None;
            }
            Event::Baselined { .. } => {}
        }
        out.event(e)
    });
    let Some((signal, code)) = interrupt.received() else {
        summary(out, &result?);
        return Ok(ExitCode::SUCCESS);
    };
    let stopped = match (&result, running) {
        (Err(MigrateError::Failed(_)), Some(label)) => {
            format!("{label} was cancelled (see above)")
        }
        (Err(MigrateError::Interrupted { next, .. }), _) => {
            format!("{next} and the ones after it did not start")
        }
        (Ok(_), _) => "the run had finished".to_owned(),
        (Err(_), _) => "it stopped with the error above".to_owned(),
    };
    if let Err(e) = &result
        && !matches!(e, MigrateError::Interrupted { .. })
    {
        out.error(&crate::migrator::apply::error_chain(e));
    }
    let at = match m.version(&mut c.client) {
        Ok(Some((v, false))) => format!("the database is at version {v}"),
        Ok(Some((v, true))) => format!("the database is at version {v}, dirty"),
        Ok(None) => "no migration is applied".to_owned(),
        Err(_) => "run `version` to see where the database is".to_owned(),
    };
    out.error(&format!(
        "interrupted by {signal}: {done} migration{} done in this run; {stopped}; {at}",
        if done == 1 { "" } else { "s" }
    ));
    Ok(ExitCode::from(code))
}

fn summary(out: &mut Out, r: &Report) {
    let at = match r.to {
        Some(v) => format!("the database is at version {v}"),
        None => "no migration is applied".to_owned(),
    };
    if r.steps.is_empty() {
        out.line(&format!("no change: {at}"));
        return;
    }
    let ups = r
        .steps
        .iter()
        .filter(|s| s.direction == migrate_core::Direction::Up)
        .count();
    let downs = r.steps.len() - ups;
    let mut parts = Vec::new();
    let plural = |n: usize| if n == 1 { "migration" } else { "migrations" };
    if ups > 0 {
        parts.push(format!("{ups} {} applied", plural(ups)));
    }
    if downs > 0 {
        parts.push(format!("{downs} {} reverted", plural(downs)));
    }
    out.line(&format!(
        "{} in {}; {at}",
        parts.join(", "),
        fmt_duration(r.elapsed)
    ));
}

fn print_plan(out: &mut Out, plan: &Plan<'_>) {
    let at = plan
        .from
        .map_or("no version".to_owned(), |v| format!("version {v}"));
    out.line(&format!(
        "-- dry run: nothing is changed; the database is at {at}"
    ));
    if !plan.baseline.is_empty() {
        out.line(&format!(
            "-- would record {} versions moved by another tool in the history (nothing run)",
            plan.baseline.len()
        ));
    }
    if plan.steps.is_empty() {
        out.line("-- nothing to do");
        return;
    }
    for step in &plan.steps {
        let s = step.script();
        let verb = match step.direction {
            migrate_core::Direction::Up => "apply",
            migrate_core::Direction::Down => "revert",
        };
        let how = if s.transactional {
            "in one transaction with its history row"
        } else {
            "without a transaction, one statement at a time"
        };
        let after = step
            .after
            .map_or("no version".to_owned(), |v| format!("version {v}"));
        out.line(&format!(
            "-- would {verb} {} ({}, {how}; then {after})",
            step.migration.label(),
            s.path
        ));
        out.line(s.sql.trim_end());
        out.line("");
    }
}

fn validate(
    g: &Global,
    embedded: Option<&'static Registry>,
    out: &mut Out,
) -> Result<ExitCode, Failure> {
    let registry = load_registry(g, embedded)?;
    // `up` runs past findings on downs; `validate` is the files' whole verdict,
    // as `cargo build` would give it.
    if !registry.warnings().is_empty() {
        return Err(Failure::Reported(format!(
            "{} problem(s) in down files (above)",
            registry.warnings().len()
        )));
    }
    let source = if g.dir.is_some() || embedded.is_none() {
        "checked now"
    } else {
        "embedded; checked when the binary was built"
    };
    out.line(&format!(
        "files: {} migrations, ok ({source})",
        registry.len()
    ));
    let explicit = database_url(g).is_ok_and(|(_, explicit)| explicit);
    if !explicit {
        out.note("database: not checked (give --database-url, DB_URL or DATABASE_URL)");
        return Ok(ExitCode::SUCCESS);
    }
    let mut c = connect(g, out)?;
    let m = Migrator::with_options(&registry, migrator_options(g, &c.opts)?);
    let st = m.status(&mut c.client)?;
    let problems = m.problems(&mut c.client)?;
    if problems.is_empty() {
        out.line(&format!(
            "database {}: ok ({} applied, {} pending)",
            c.opts.target(),
            st.applied(),
            st.pending()
        ));
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        out.error(&p.to_string());
    }
    Err(Failure::Reported(format!(
        "database {}: {} problem{} found",
        c.opts.target(),
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("15"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3d").is_err());
    }

    #[test]
    fn a_binary_older_than_its_migrations_directory_is_refused() {
        let d = std::env::temp_dir().join(format!("nc-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("000001_a.up.sql"), "CREATE TABLE a (id int);").unwrap();
        std::fs::write(d.join("000001_a.down.sql"), "DROP TABLE a;").unwrap();
        let abs: &'static str = Box::leak(d.to_string_lossy().into_owned().into_boxed_str());
        let registry =
            Registry::from_dir_opts(&d, "migrations", &crate::registry::DirOptions::default())
                .unwrap()
                .embedded_from(abs);
        assert_eq!(stale_embedding(&registry), None);
        // Built elsewhere (a deployed binary): nothing to compare with.
        let elsewhere = registry.clone().embedded_from("/nonexistent/migrations");
        assert_eq!(stale_embedding(&elsewhere), None);

        std::fs::write(d.join("000002_b.up.sql"), "CREATE TABLE b (id int);").unwrap();
        std::fs::write(d.join("README.md"), "not a migration").unwrap();
        let m = stale_embedding(&registry).expect("the new file is noticed");
        assert!(m.contains("000002_b.up.sql is not in it"), "{m}");
        assert!(
            m.contains("println!(\"cargo:rerun-if-changed=migrations\")"),
            "{m}"
        );
        assert!(m.contains(&format!("--dir {abs}")), "{m}");

        std::fs::remove_file(d.join("000001_a.up.sql")).unwrap();
        std::fs::remove_file(d.join("000001_a.down.sql")).unwrap();
        let m = stale_embedding(&registry).unwrap();
        assert!(m.contains("it embeds 000001_a whose files are gone"), "{m}");
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn every_verb_has_help() {
        let app = App::new("t").version("1").about("x");
        app.command().debug_assert();
        for sub in app.command().get_subcommands() {
            assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
        }
    }
}
