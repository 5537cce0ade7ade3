//! What a failed migration leaves behind, and who holds the lock: the parts
//! of [`super::MigrateError`] that name migrations, versions and sessions.

use std::fmt;

use migrate_core::{Diagnostic, SourcePos};

use super::{force_arg, version_text};
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
        let mut diag = Diagnostic::file(self.path.clone(), what);
        if !(self.in_bookkeeping || self.at_commit) {
            diag.pos = self.pos;
            diag.snippet = self.snippet.clone();
        }
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
