//! [`Migrator`]: applies and reverts a [`Registry`] on a PostgreSQL connection.

pub(crate) mod adopt;
pub(crate) mod apply;
mod commands;
pub(crate) mod conn;
mod current;
pub(crate) mod lock;
mod plan;
mod problems;
mod reconcile;
mod session_reset;
pub(crate) mod state;
mod status;
mod step_rows;
pub(crate) mod tables;
#[cfg(feature = "tokio-postgres")]
mod tokio_client;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use migrate_core::Direction;
use postgres::Client;

pub use adopt::Tool;
pub use apply::Step;
pub use lock::golang_migrate_lock_key;
pub use state::{HistoryDirection, HistoryEntry};
pub use status::{ChecksumState, MigrationState, MigrationStatus, Status};

use crate::error::{Drift, MigrateError, MigrationRef};
use crate::migration::Version;
use crate::registry::Registry;
use crate::sql::TableName;
use conn::{Blocking, block_on};

/// How a [`Migrator`] finds its tables and what it tolerates.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// golang-migrate's version table; unqualified names live in
    /// `current_schema()`, as golang-migrate puts them.
    pub table: TableName,
    /// The append-only history; by default the version table's name with
    /// `_history` appended, in the same schema.
    pub history_table: Option<TableName>,
    /// How long to wait for another migration run to finish. Zero: do not wait.
    pub lock_timeout: Duration,
    /// Proceed although applied migrations have changed since.
    pub allow_drift: bool,
    /// Apply pending migrations that are older than the database's version.
    pub allow_out_of_order: bool,
    /// The database name as golang-migrate's CLI takes it from a URL's path
    /// (`/novacron`), so its lock key is taken too. Set by the CLI.
    pub url_database: Option<String>,
    /// Apply all pending migrations in one transaction: all or nothing. Only for
    /// runs that apply transactional migrations; a very long run can exhaust
    /// `max_locks_per_transaction` (each table takes locks until the commit).
    pub single_transaction: bool,
    /// Set (by a signal handler) to stop before the next step: the step that
    /// runs finishes or fails, no other starts. The CLI also cancels the
    /// running statement.
    pub interrupt: Option<Arc<AtomicBool>>,
    /// The names of every setting the session has `SET`, when whoever opened
    /// it knows them (the CLI: its own connection's setup). The session reset
    /// then reads those by name instead of listing `pg_settings` for the
    /// ones set in the session, which costs a new server process about
    /// 1.5 ms of every run.
    pub(crate) session_settings: Option<Vec<String>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            table: TableName {
                schema: None,
                name: "schema_migrations".to_owned(),
            },
            history_table: None,
            lock_timeout: Duration::from_secs(15),
            allow_drift: false,
            allow_out_of_order: false,
            url_database: None,
            single_transaction: false,
            interrupt: None,
            session_settings: None,
        }
    }
}

impl Options {
    /// Refuses names PostgreSQL would cut at 63 bytes (NAMEDATALEN - 1) before
    /// anything is created: `CREATE TABLE` would silently use the cut name, and
    /// a cut `<name>_history` can be the version table itself.
    ///
    /// # Errors
    ///
    /// [`MigrateError::NameTooLong`] naming the part that is too long.
    pub fn check_names(&self) -> Result<(), MigrateError> {
        const MAX: usize = 63;
        let history = self.history_table();
        let max_version_name = MAX - "_history".len();
        let parts = [
            ("schema", self.table.schema.as_deref(), false),
            ("version table", Some(self.table.name.as_str()), false),
            ("schema", history.schema.as_deref(), false),
            (
                "history table",
                Some(history.name.as_str()),
                self.history_table.is_none(),
            ),
        ];
        for (what, name, derived) in parts {
            if let Some(name) = name.filter(|n| n.len() > MAX) {
                return Err(MigrateError::NameTooLong {
                    what,
                    name: name.to_owned(),
                    bytes: name.len(),
                    history: derived,
                    max_version_name,
                });
            }
        }
        Ok(())
    }

    /// The history table's name after defaults.
    pub fn history_table(&self) -> TableName {
        self.history_table
            .clone()
            .unwrap_or_else(|| self.table.with_suffix("_history"))
    }
}

/// Where a run should take the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Apply pending migrations, at most `limit` of them.
    Up {
        /// At most this many (`None`: all).
        limit: Option<usize>,
    },
    /// Revert the newest `steps` applied migrations.
    Down {
        /// How many.
        steps: usize,
    },
    /// Revert every applied migration.
    DownAll,
    /// Apply or revert until exactly the migrations up to this version are
    /// applied.
    To(Version),
}

/// Progress of a run, for output.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// History rows were recorded without running SQL: another tool applied or
    /// reverted these versions (first contact with a golang-migrate database).
    Baselined {
        /// Versions recorded as applied.
        applied: usize,
        /// Versions recorded as reverted.
        reverted: usize,
    },
    /// A step is about to run.
    Started {
        /// The step.
        step: &'a Step<'a>,
        /// 0-based position in the run.
        index: usize,
        /// Steps in the run.
        total: usize,
    },
    /// A step finished.
    Finished {
        /// The step.
        step: &'a Step<'a>,
        /// 0-based position in the run.
        index: usize,
        /// Steps in the run.
        total: usize,
        /// How long it took.
        duration: Duration,
    },
}

/// One migration that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AppliedStep {
    /// The migration.
    pub migration: MigrationRef,
    /// Applied or reverted.
    pub direction: Direction,
    /// How long it took.
    pub duration: Duration,
}

/// What a run did.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Report {
    /// The version before the run (`None`: no version).
    pub from: Option<Version>,
    /// The version after the run.
    pub to: Option<Version>,
    /// The migrations that ran, in order.
    pub steps: Vec<AppliedStep>,
    /// History rows recorded without running SQL (baseline).
    pub baselined: usize,
    /// How long the run took.
    pub elapsed: Duration,
}

/// What [`Migrator::repair`] recorded.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Repaired {
    /// Changed files whose new checksums are now the recorded ones.
    pub accepted: Vec<Drift>,
    /// Migrations whose checksums were not all recorded (a down applied
    /// before down checksums were kept) and now are.
    pub recorded: Vec<MigrationRef>,
}

/// What a run would do, without doing it (`--dry-run`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Plan<'r> {
    /// The version now (`None`: no version).
    pub from: Option<Version>,
    /// The migrations that would run, in order.
    pub steps: Vec<Step<'r>>,
    /// Versions that would be recorded as applied (or reverted) without running
    /// SQL, because another tool moved the version.
    pub baseline: Vec<(Version, HistoryDirection)>,
}

/// Applies and reverts the migrations of a [`Registry`].
///
/// Every command that writes takes golang-migrate's advisory lock for the whole
/// command, so runs of this tool and of golang-migrate on one database never
/// overlap. Each transactional migration runs with its version and history
/// update in one transaction, one statement per message (so a failing
/// statement is known without running anything twice); a migration marked
/// `-- migrate:no-transaction` marks the version dirty while it runs. After
/// each migration the session's settings are put back as they were.
///
/// # Examples
///
/// ```no_run
/// # fn demo(registry: &pgcheck::Registry) -> Result<(), Box<dyn std::error::Error>> {
/// use pgcheck::Migrator;
/// let mut client = postgres::Client::connect("postgres://postgres:postgres@localhost/app", postgres::NoTls)?;
/// let report = Migrator::new(registry).up(&mut client)?;
/// println!("now at {:?}", report.to);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Migrator<'r> {
    registry: &'r Registry,
    options: Options,
}

impl<'r> Migrator<'r> {
    /// A migrator with golang-migrate's table names and a 15 s lock timeout.
    pub fn new(registry: &'r Registry) -> Self {
        Self::with_options(registry, Options::default())
    }

    /// A migrator with these options.
    pub fn with_options(registry: &'r Registry, options: Options) -> Self {
        Migrator { registry, options }
    }

    /// Its options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The migrations it runs.
    pub fn registry(&self) -> &'r Registry {
        self.registry
    }

    /// Applies every pending migration.
    ///
    /// # Errors
    ///
    /// As [`Migrator::run`].
    pub fn up(&self, client: &mut Client) -> Result<Report, MigrateError> {
        self.run(client, Target::Up { limit: None }, &mut |_| {})
    }

    /// Takes the database to `target`, reporting progress to `progress`.
    ///
    /// # Errors
    ///
    /// Refuses, before running anything, a dirty database, a version the
    /// registry does not know, applied migrations whose checksum changed (unless
    /// `allow_drift`), pending migrations older than the version (unless
    /// `allow_out_of_order`) and reverting a migration without a down script;
    /// [`MigrateError::LockTimeout`] when another run holds the lock;
    /// [`MigrateError::Failed`] when PostgreSQL refuses a migration (the steps
    /// before it stay applied).
    pub fn run(
        &self,
        client: &mut Client,
        target: Target,
        progress: &mut dyn FnMut(Event<'_>),
    ) -> Result<Report, MigrateError> {
        block_on(self.run_on(&mut Blocking(client), target, progress))
    }

    /// What [`Migrator::run`] would do now; reads only, takes no lock.
    ///
    /// # Errors
    ///
    /// The refusals of [`Migrator::run`].
    pub fn plan(&self, client: &mut Client, target: Target) -> Result<Plan<'r>, MigrateError> {
        block_on(self.plan_on(&mut Blocking(client), target))
    }

    /// The version row: `None` when nothing is applied, else the version and
    /// whether it is dirty.
    ///
    /// # Errors
    ///
    /// Database errors only; missing tables mean no version.
    pub fn version(&self, client: &mut Client) -> Result<Option<(Version, bool)>, MigrateError> {
        block_on(self.version_on(&mut Blocking(client)))
    }

    /// Every migration with its state, and what is wrong.
    ///
    /// # Errors
    ///
    /// Database errors only: problems are part of the status.
    pub fn status(&self, client: &mut Client) -> Result<Status, MigrateError> {
        block_on(self.status_on(&mut Blocking(client)))
    }

    /// Sets the version without running SQL (`None`: no version) and clears the
    /// dirty flag: the way out after a failed migration without a transaction.
    /// The history records every migration up to `version` as applied and every
    /// one above as not.
    ///
    /// # Errors
    ///
    /// [`MigrateError::UnknownTarget`] for a version that is not a migration,
    /// the lock timeout, database errors.
    pub fn force(&self, client: &mut Client, version: Option<Version>) -> Result<(), MigrateError> {
        block_on(self.force_on(&mut Blocking(client), version))
    }

    /// Accepts the files of applied migrations as they are now (Flyway's
    /// `repair`): for each one whose up or down changed since it was recorded,
    /// a `repair` history row records the current checksums, so the change is
    /// deliberate and on record instead of passed over with `--allow-drift`
    /// every time. Downs applied before their checksums were kept get theirs
    /// recorded too. Runs no migration SQL; the version and dirty flag stay.
    ///
    /// # Errors
    ///
    /// The lock timeout, database errors.
    pub fn repair(&self, client: &mut Client) -> Result<Repaired, MigrateError> {
        block_on(self.repair_on(&mut Blocking(client)))
    }

    /// Takes over a database that `tool` migrated: reads its history table, checks
    /// that its applied versions are exactly the oldest migrations here, and
    /// records them as applied (baseline) without running any SQL. Returns the
    /// adopted versions.
    ///
    /// # Errors
    ///
    /// [`MigrateError::AdoptNoTable`], [`MigrateError::AdoptMismatch`] with the
    /// versions that do not line up, [`MigrateError::AlreadyAdopted`] when our
    /// history already records migrations; the lock timeout.
    pub fn adopt(&self, client: &mut Client, tool: Tool) -> Result<Vec<Version>, MigrateError> {
        block_on(self.adopt_on(&mut Blocking(client), tool))
    }

    /// Drops every table, view, sequence, routine and type of `current_schema()`
    /// (and the migration tables wherever they are). Extensions stay: dropping one
    /// would cascade into other schemas that use it. Returns how many objects
    /// were dropped.
    ///
    /// # Errors
    ///
    /// The lock timeout, database errors.
    pub fn drop_all(&self, client: &mut Client) -> Result<usize, MigrateError> {
        block_on(self.drop_all_on(&mut Blocking(client)))
    }

    /// What is wrong with the database for these migrations, less what the
    /// options tolerate: what `validate` reports and `up` would refuse.
    ///
    /// # Errors
    ///
    /// Database errors only: problems are the result.
    pub fn problems(&self, client: &mut Client) -> Result<Vec<MigrateError>, MigrateError> {
        block_on(self.problems_on(&mut Blocking(client)))
    }
}
