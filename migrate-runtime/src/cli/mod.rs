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
//! binary speaks golang-migrate's command line (see `golang/`).
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
mod migrate;
mod output;
mod pg_tools;
mod restore;
mod run;
mod seeds;
mod setup;
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
use crate::dir_cache::Trust;
use crate::error::{MigrateError, fmt_duration};
use crate::migration::Version;
use crate::migrator::{Event, Migrator, Options, Plan, Report, Target};
use crate::registry::Registry;
use crate::seed::{Seeder, Seeds};
use crate::sql::TableName;
use migrate::*;
use output::{ColorWhen, Out};
use run::*;
use seeds::*;
use setup::*;

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
