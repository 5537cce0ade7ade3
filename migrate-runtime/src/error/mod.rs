//! Everything that can go wrong while migrating, and whose fault it is.

use std::path::PathBuf;
use std::time::Duration;

use migrate_core::Diagnostics;

use crate::migration::Version;

mod failure;
pub use failure::{Drift, LockHolder, MigrationFailure, MigrationRef, Outcome};

fn force_arg(v: Option<Version>) -> String {
    v.map_or("-1".to_owned(), |v| v.to_string())
}

fn version_text(v: Option<Version>) -> String {
    v.map_or("no version".to_owned(), |v| format!("version {v}"))
}

/// At most this many items are named in one message; the rest are counted
/// (`status` and `validate` list every migration).
const LISTED: usize = 10;

fn list(items: impl IntoIterator<Item = String>) -> String {
    let mut items = items.into_iter();
    let mut out: Vec<String> = items.by_ref().take(LISTED).collect();
    let more = items.count();
    if more > 0 {
        out.push(format!("and {more} more"));
    }
    out.join(", ")
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

impl From<migrate_core::migration::Changed> for MigrateError {
    fn from(c: migrate_core::migration::Changed) -> Self {
        MigrateError::Changed {
            path: c.path,
            why: c.why,
        }
    }
}

impl From<migrate_core::migration::InvalidSeeds> for MigrateError {
    fn from(s: migrate_core::migration::InvalidSeeds) -> Self {
        MigrateError::InvalidSeeds(s.0)
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_list_is_cut_and_counted() {
        let items = (1..=12).map(|i| i.to_string());
        assert_eq!(
            super::list(items),
            "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, and 2 more"
        );
        assert_eq!(super::list(["a".to_owned()]), "a");
    }
}
