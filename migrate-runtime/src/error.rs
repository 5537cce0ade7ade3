//! Everything that can go wrong while migrating, and whose fault it is.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use migrate_core::{Diagnostic, Diagnostics, SourcePos};

use crate::migration::{Migration, Version};

/// A migration named in an error: its version, its name and the label users know
/// it by (`000003_orders`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationRef {
    /// The migration's version.
    pub version: Version,
    /// The migration's name.
    pub name: String,
    /// `000003_orders`: the version with its file's digits, then the name.
    pub label: String,
}

impl MigrationRef {
    /// The reference of a migration.
    pub fn of(m: &Migration) -> Self {
        MigrationRef {
            version: m.version,
            name: m.name.to_string(),
            label: m.label(),
        }
    }
}

impl fmt::Display for MigrationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// An applied migration whose file no longer has the text that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Drift {
    /// The migration that failed.
    pub migration: MigrationRef,
    /// Which of its files changed: `up` or `down`.
    pub file: &'static str,
    /// The checksum recorded when it was applied.
    pub recorded: String,
    /// The checksum of the file now.
    pub current: String,
}

/// A session holding the migration lock, from `pg_locks` and `pg_stat_activity`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LockHolder {
    /// The holder's backend process id.
    pub pid: i32,
    /// Its `application_name`.
    pub application_name: String,
    /// Its role.
    pub user: String,
    /// `10.0.0.5` or `local` (a Unix socket).
    pub client: String,
    /// How long its current state has lasted, in seconds.
    pub state_seconds: Option<i64>,
    /// The start of what it is running, shortened.
    pub query: String,
}

impl fmt::Display for LockHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let app = if self.application_name.is_empty() {
            "no application_name".to_owned()
        } else {
            format!("application_name \"{}\"", self.application_name)
        };
        write!(
            f,
            "pid {} ({app}, user {}, from {}",
            self.pid, self.user, self.client
        )?;
        if let Some(s) = self.state_seconds {
            write!(f, ", for {s}s")?;
        }
        if !self.query.is_empty() {
            write!(f, ", last query: {}", self.query)?;
        }
        f.write_str(")")
    }
}

/// Where the database was left after a migration failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The migration ran in a transaction that was rolled back: nothing of it is
    /// left and the version is unchanged.
    RolledBack {
        /// The version, unchanged.
        version: Option<Version>,
    },
    /// The migration ran without a transaction: statements before the failing one
    /// took effect and the version is marked dirty.
    Dirty {
        /// The dirty version.
        version: Version,
        /// The version to force once the migration's work is complete.
        if_complete: Option<Version>,
        /// The version to force to run the migration again.
        to_retry: Option<Version>,
    },
    /// The connection broke while the migration ran: its transaction either
    /// committed or not, and `status` tells which.
    Unknown,
}

/// A migration's SQL that PostgreSQL refused, placed in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationFailure {
    /// The migration that failed.
    pub migration: MigrationRef,
    /// `up` or `down`.
    pub direction: &'static str,
    /// The file that failed, as the user names it.
    pub path: String,
    /// Line and column in the file, when PostgreSQL gave a position or the failing
    /// statement could be found.
    pub pos: Option<SourcePos>,
    /// The file's line at `pos`, for the caret.
    pub snippet: Option<String>,
    /// 1-based index of the failing statement in the file, when known.
    pub statement: Option<usize>,
    /// SQLSTATE, e.g. `42P01`; `None` when the connection itself failed.
    pub sqlstate: Option<String>,
    /// PostgreSQL's message.
    pub message: String,
    /// PostgreSQL's DETAIL.
    pub detail: Option<String>,
    /// PostgreSQL's HINT.
    pub hint: Option<String>,
    /// PostgreSQL's context lines (PL/pgSQL call stack and the like).
    pub context: Option<String>,
    /// The error happened in the version and history bookkeeping sent after the
    /// migration's SQL, not in the file.
    pub in_bookkeeping: bool,
    /// COMMIT failed: every statement ran, then a deferred constraint or
    /// trigger refused the transaction.
    pub at_commit: bool,
    /// What the failure left behind.
    pub outcome: Outcome,
}

impl fmt::Display for MigrationFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .sqlstate
            .as_deref()
            .map(|c| format!(" (SQLSTATE {c})"))
            .unwrap_or_default();
        let what = if self.at_commit {
            format!(
                "COMMIT failed after every statement of the migration ran: {}{code}",
                self.message
            )
        } else if self.in_bookkeeping {
            format!(
                "recording migration {} ({}) failed after its SQL ran: {}{code}",
                self.migration, self.direction, self.message
            )
        } else {
            format!("{}{code}", self.message)
        };
        // The file-placed part renders like a compile-time diagnostic, so a
        // failure looks the same whether `cargo build` or the database found it.
        let diag = Diagnostic {
            path: self.path.clone(),
            pos: if self.in_bookkeeping || self.at_commit {
                None
            } else {
                self.pos
            },
            message: what,
            snippet: if self.in_bookkeeping || self.at_commit {
                None
            } else {
                self.snippet.clone()
            },
            help: None,
        };
        write!(
            f,
            "migration {} ({}) failed: {diag}",
            self.migration, self.direction
        )?;
        if self.at_commit {
            f.write_str(
                "\nnote: a deferred constraint or trigger (DEFERRABLE INITIALLY DEFERRED, or SET CONSTRAINTS ... DEFERRED) \
                 is checked at COMMIT, so no statement of the file is at fault alone",
            )?;
        } else if self.pos.is_none() && !self.in_bookkeeping {
            f.write_str("\nnote: PostgreSQL gave no position and the failing statement could not be located")?;
        } else if let (Some(n), None) = (self.statement, self.pos) {
            write!(f, "\nnote: in statement {n}")?;
        }
        if let Some(d) = &self.detail {
            write!(f, "\ndetail: {d}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\nhint: {h}")?;
        }
        if let Some(c) = &self.context {
            write!(f, "\ncontext: {}", c.replace('\n', "\n         "))?;
        }
        match self.outcome {
            Outcome::RolledBack { version } => write!(
                f,
                "\nnote: its transaction was rolled back: nothing of it was applied; the database is still at {}, not dirty",
                version_text(version)
            ),
            Outcome::Dirty {
                version,
                if_complete,
                to_retry,
            } => write!(
                f,
                "\nnote: it runs without a transaction, so the statements before the failing one took effect; \
                 the database is marked dirty at version {version}\n\
                 help: repair the schema by hand, then run `force {}` if the migration's work is complete, \
                 or `force {}` to run it again",
                force_arg(if_complete),
                force_arg(to_retry)
            ),
            Outcome::Unknown => f.write_str(
                "\nnote: the connection broke while it ran: its transaction either committed or not; \
                 run `status` to see which",
            ),
        }
    }
}

fn force_arg(v: Option<Version>) -> String {
    v.map_or("-1".to_owned(), |v| v.to_string())
}

fn version_text(v: Option<Version>) -> String {
    v.map_or("no version".to_owned(), |v| format!("version {v}"))
}

fn list(items: impl IntoIterator<Item = String>) -> String {
    items.into_iter().collect::<Vec<_>>().join(", ")
}

/// Why a migration command did not do what was asked.
///
/// Each message says whose fault it is: the migration files, the database's state,
/// another process, or a build that is older than the database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// The server is older than the migrations need; nothing was run.
    #[error(
        "the server runs PostgreSQL {server}, but {why}; nothing was run\n\
         help: migrate a server of PostgreSQL {needed} or later, or change the migrations (and the `postgres = \"..\"` of embed_migrations!) for PostgreSQL {server}"
    )]
    ServerTooOld {
        /// The server's major version.
        server: u32,
        /// The oldest major version the migrations need.
        needed: u32,
        /// What needs it.
        why: String,
    },

    /// The migration files (directory mode) break the rules; nothing was run.
    #[error("the migration files have errors; nothing was run:\n{0}")]
    InvalidFiles(Diagnostics),

    /// Directory mode: a migration file read when its step was about to run
    /// is not the file that was checked (it was edited without its metadata
    /// changing, or cannot be read now). Nothing of that step ran; the check
    /// is made again on the next run.
    #[error("{path} {why} since it was checked; nothing of it was run: run the command again")]
    Changed {
        /// The file, as messages name it.
        path: String,
        /// `changed` or `cannot be read (...)`.
        why: String,
    },

    /// Seed files read at run time (`SEED_DIR`) cannot be read or parsed, or
    /// do not fit the schema the migrations build; nothing was run.
    #[error("the seed files have errors; nothing was run:\n{0}")]
    InvalidSeeds(Diagnostics),

    /// The database URL cannot be used.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),

    /// TLS settings that cannot be honoured (a missing root certificate, ...).
    #[error("TLS: {0}")]
    Tls(String),

    /// The server did not accept the connection.
    #[error("cannot connect to {target}")]
    Connect {
        /// `user@host:port/database`, never with the password.
        target: String,
        #[source]
        /// The driver's error.
        source: postgres::Error,
    },

    /// A query of the migrator's own failed (reading or writing the history).
    #[error("database error while {context}")]
    Database {
        /// What the migrator was doing.
        context: String,
        #[source]
        /// The driver's error.
        source: postgres::Error,
    },

    /// A migration without a transaction failed or was interrupted earlier.
    #[error(
        "the database is dirty at version {version}: {} ran without a transaction and failed or was interrupted, \
         so it may be half applied\n\
         help: repair the schema by hand, then run `force {version}` if the migration is complete, \
         or `force {}` to run it again", .migration.as_ref().map_or_else(|| format!("migration {version}"), |m| format!("migration {m}")),
        .before.map_or("-1".to_owned(), |v| v.to_string())
    )]
    Dirty {
        /// The dirty version.
        version: Version,
        /// Its migration, when this build has it.
        migration: Option<MigrationRef>,
        /// The migration before it, to force when it should run again.
        before: Option<Version>,
    },

    /// The database is at a version this build does not have: it is older than
    /// the database, or a migration file was deleted. The database is fine.
    #[error(
        "the database is at version {version}, which these migrations do not contain (the newest here is {}): \
         it was migrated by a newer build, or that migration's file was removed\n\
         help: run a build that has migration {version}; the database itself is not broken",
        .latest.map_or("none".to_owned(), |v| v.to_string())
    )]
    UnknownVersion {
        /// The database's version.
        version: Version,
        /// The newest version here.
        latest: Option<Version>,
    },

    /// Applied migrations whose files changed since.
    #[error(
        "{} changed after being applied: the database ran the old text ({})\n\
         help: restore the applied text and put the change in a new migration; \
         `--allow-drift` proceeds this once; `repair` accepts the files as they are now (recorded in the history)",
        if .0.len() == 1 { format!("migration {}", .0[0].migration) } else { format!("{} migrations", .0.len()) },
        list(.0.iter().map(|d| format!("{} {} file: recorded {}, file {}", d.migration, d.file, short(&d.recorded), short(&d.current))))
    )]
    Drift(Vec<Drift>),

    /// Pending migrations older than the database's version: usually a branch
    /// merged after a newer migration was applied.
    #[error(
        "{} older than the database's version {current} {}: {}\n\
         help: give {} a version after {current} (rename the files), or pass `--allow-out-of-order` to apply {} anyway",
        if .pending.len() == 1 { "a pending migration is" } else { "pending migrations are" },
        if .pending.len() == 1 { "and has not been applied" } else { "and have not been applied" },
        list(.pending.iter().map(|m| m.label.clone())),
        if .pending.len() == 1 { "it" } else { "them" },
        if .pending.len() == 1 { "it" } else { "them" },
    )]
    OutOfOrder {
        /// The database's version.
        current: Version,
        /// The pending migrations older than it.
        pending: Vec<MigrationRef>,
    },

    /// Applied migrations whose files are not in this build: someone removed
    /// them, or the database was migrated from another branch. Running on
    /// would move the version onto a migration this build cannot see.
    #[error(
        "{} applied to the database, but {} not among these migrations: {}: \
         this binary or checkout is stale (or the files were deleted), not the database\n\
         help: run a build or checkout that has {}, or restore the deleted files; \
         a migration that ran must stay among the migrations",
        if .0.len() == 1 { "migration ".to_owned() + &.0[0].label + " is" } else { format!("{} migrations are", .0.len()) },
        if .0.len() == 1 { "its files are" } else { "their files are" },
        list(.0.iter().map(|m| format!("version {} ({}.up.sql, .down.sql)", m.version, m.label))),
        if .0.len() == 1 { "them" } else { "all of them" },
    )]
    Missing(Vec<MigrationRef>),

    /// `down` would have to go past a migration marked `-- migrate:irreversible`.
    #[error(
        "migration {migration} is marked irreversible: `down` cannot revert it\n\
         help: restore from a backup, or write a new migration that undoes it"
    )]
    Irreversible {
        /// The migration.
        migration: MigrationRef,
    },

    /// `down` would have to revert a migration that has no down file.
    #[error(
        "migration {migration} has no down migration, so it cannot be reverted\n\
         help: add its .down.sql file"
    )]
    NoDown {
        /// The migration.
        migration: MigrationRef,
    },

    /// `--single-transaction` met a step that cannot run in a shared transaction.
    #[error(
        "--single-transaction cannot include migration {migration} ({direction}): {}\n\
         help: run without --single-transaction",
        if *.direction == "up" { "it is marked `-- migrate:no-transaction`" } else { "only `up` runs in one transaction" }
    )]
    NotTransactional {
        /// The migration.
        migration: MigrationRef,
        /// `up` or `down`.
        direction: &'static str,
    },

    /// `adopt --from TOOL` found no table of that tool.
    #[error(
        "there is no {table} table here: this database was not migrated by {tool} \
         (or with another table name or schema)"
    )]
    AdoptNoTable {
        /// The other tool.
        tool: String,
        /// The table looked for.
        table: String,
    },

    /// The other tool's applied versions are not the oldest migrations here.
    #[error(
        "{tool}'s history does not line up with these migrations:{}{}\n\
         help: adopt needs the applied versions to be exactly the oldest migrations here; \
         rename the files to the versions {tool} recorded",
        if .unknown.is_empty() { String::new() } else { format!("\n  applied by {tool} but not among these migrations: {}", list(.unknown.iter().map(ToString::to_string))) },
        if .gaps.is_empty() { String::new() } else { format!("\n  not applied by {tool} although newer ones were: {}", list(.gaps.iter().map(|m| m.label.clone()))) }
    )]
    AdoptMismatch {
        /// The other tool.
        tool: String,
        /// Versions it applied that are not among these migrations.
        unknown: Vec<i64>,
        /// Migrations it did not apply although it applied newer ones.
        gaps: Vec<MigrationRef>,
    },

    /// `adopt` on a database whose history we already keep.
    #[error(
        "{table} already records applied migrations: adopt is for the first contact\n\
         help: `status` shows what is recorded; `force V` corrects it"
    )]
    AlreadyAdopted {
        /// Our history table.
        table: String,
    },

    /// A migration that refinery cannot represent (feature `refinery`).
    #[cfg(feature = "refinery")]
    #[error("refinery{}: {message}", .migration.as_ref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Refinery {
        /// The migration, when it is about one.
        migration: Option<MigrationRef>,
        /// What refinery cannot represent.
        message: String,
    },

    /// `goto V` or `force V` named a version that is not a migration.
    #[error(
        "there is no migration with version {version}\n\
         help: `status` lists the versions"
    )]
    UnknownTarget {
        /// The version given.
        version: i64,
    },

    /// Another session held the migration lock for longer than the timeout.
    #[error(
        "timed out after {} waiting for the migration lock (advisory lock {key}): {}\n\
         help: another migration is probably running: wait for it, or raise --lock-timeout{}",
        fmt_duration(*.waited),
        if .holders.is_empty() { "it was released meanwhile; run the command again".to_owned() } else { format!("held by {}", list(.holders.iter().map(ToString::to_string))) },
        .holders.first().map(|h| format!("; if that session is stuck: SELECT pg_terminate_backend({})", h.pid)).unwrap_or_default()
    )]
    LockTimeout {
        /// How long it waited.
        waited: Duration,
        /// The advisory lock's key.
        key: i64,
        /// The sessions that held it.
        holders: Vec<LockHolder>,
    },

    /// PostgreSQL refused a migration's SQL.
    #[error("{0}")]
    Failed(Box<MigrationFailure>),

    /// A file could not be read or written (`create`, seeds).
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong, for people.
        message: String,
        #[source]
        /// The I/O error.
        source: std::io::Error,
    },

    /// A migration table's name is longer than PostgreSQL keeps: it would be
    /// cut to 63 bytes, and `<name>_history` cut onto the version table itself.
    #[error(
        "the {what} name {name:?} is {bytes} bytes; PostgreSQL cuts names at 63 bytes{}\n\
         help: choose a --migrations-table of at most {} bytes",
        if *.history { ", so the history table would land on another name (the version table's, cut)" } else { "" },
        .max_version_name
    )]
    NameTooLong {
        /// "history table", "version table" or "schema".
        what: &'static str,
        /// The name as given.
        name: String,
        /// Its length in bytes.
        bytes: usize,
        /// The history table's name is the one too long.
        history: bool,
        /// The longest version table name whose history name still fits.
        max_version_name: usize,
    },

    /// A stop was asked for (SIGINT, SIGTERM) between two steps.
    #[error(
        "interrupted before migration {next}: it and the ones after it did not run; the database is at {}",
        version_text(*.at)
    )]
    Interrupted {
        /// The first migration that did not run.
        next: MigrationRef,
        /// The database's version now.
        at: Option<Version>,
    },

    /// No schema to put the migration tables in.
    #[error(
        "no schema is selected: none of the schemas in search_path exists\n\
         help: create the schema, fix search_path, or qualify --migrations-table (schema.table)"
    )]
    NoSchema,

    /// The migration tables hold something this tool did not write.
    #[error("{table} is not as expected: {message}")]
    BadTable {
        /// The table.
        table: String,
        /// What is wrong with it.
        message: String,
    },

    /// The command would destroy data and was not confirmed.
    #[error("{0}")]
    NotConfirmed(String),
}

impl MigrateError {
    pub(crate) fn db(context: impl Into<String>, source: postgres::Error) -> Self {
        MigrateError::Database {
            context: context.into(),
            source,
        }
    }

    /// The SQLSTATE of the PostgreSQL error behind this one, if any.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            MigrateError::Failed(f) => f.sqlstate.as_deref(),
            MigrateError::Database { source, .. } | MigrateError::Connect { source, .. } => {
                source.code().map(|c| c.code())
            }
            _ => None,
        }
    }
}

/// The first 12 hex digits: enough to tell checksums apart in a message.
pub(crate) fn short(checksum: &str) -> &str {
    checksum.get(..12).unwrap_or(checksum)
}

/// `850 ms`, `15s`, `2m 5s`.
pub(crate) fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        let s = d.as_secs_f64();
        if (s - s.round()).abs() < 0.05 {
            format!("{}s", s.round() as u64)
        } else {
            format!("{s:.1}s")
        }
    } else {
        let s = d.as_secs();
        format!("{}m {}s", s / 60, s % 60)
    }
}
