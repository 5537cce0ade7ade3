//! [`Migrator`]: applies and reverts a [`Registry`] on a PostgreSQL connection.

pub(crate) mod adopt;
pub(crate) mod apply;
pub(crate) mod lock;
mod problems;
pub(crate) mod state;
mod status;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use migrate_core::Direction;
use postgres::Client;

pub use adopt::Tool;
pub use apply::Step;
pub use lock::golang_migrate_lock_key;
pub use state::{HistoryDirection, HistoryEntry};
pub use status::{ChecksumState, MigrationState, MigrationStatus, Status};

use crate::error::{Drift, MigrateError, MigrationRef};
use crate::migration::{Migration, Version};
use crate::registry::Registry;
use crate::sql::TableName;
use state::{DbState, Mark, Session, View};

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
        let started = Instant::now();
        let s = self.session(client)?;
        // Most runs have nothing to do (every deploy runs `up`): answer them from
        // one read, without the lock and without writing. Anything else, including
        // an error (a concurrent run may be half-way), is decided under the lock.
        let st = state::read(client, &s)?;
        if st.version_table_exists
            && st.history_table_exists
            && let Ok((view, steps)) = self.prepare(&st, target)
            && steps.is_empty()
            && view.marks.is_empty()
        {
            let v = st.row.map(|r| Version::new(r.version));
            return Ok(Report {
                from: v,
                to: v,
                elapsed: started.elapsed(),
                ..Report::default()
            });
        }
        lock::acquire(client, &s.lock_keys, self.options.lock_timeout)?;
        let result = self.run_locked(client, &s, target, progress);
        lock::release(client, &s.lock_keys);
        result.map(|mut r| {
            r.elapsed = started.elapsed();
            r
        })
    }

    fn run_locked(
        &self,
        client: &mut Client,
        s: &Session,
        target: Target,
        progress: &mut dyn FnMut(Event<'_>),
    ) -> Result<Report, MigrateError> {
        let st = state::read(client, s)?;
        state::ensure_tables(client, s, &st)?;
        let (view, steps) = self.prepare(&st, target)?;
        let mut report = Report {
            from: st.row.map(|r| Version::new(r.version)),
            ..Report::default()
        };
        report.to = report.from;
        if !view.marks.is_empty() {
            write_marks(client, s, &view.marks)?;
            report.baselined = view.marks.len();
            let applied = view
                .marks
                .iter()
                .filter(|m| m.direction.is_applied())
                .count();
            progress(Event::Baselined {
                applied,
                reverted: view.marks.len() - applied,
            });
        }
        let total = steps.len();
        if self.options.single_transaction && !steps.is_empty() {
            if let Some(step) = steps
                .iter()
                .find(|st| st.direction != Direction::Up || !st.script().transactional)
            {
                return Err(MigrateError::NotTransactional {
                    migration: MigrationRef::of(step.migration),
                    direction: step.direction.as_str(),
                });
            }
            let durations = apply::run_single_transaction(client, s, &steps)?;
            for (index, (step, duration)) in steps.iter().zip(durations).enumerate() {
                finished(&mut report, progress, step, index, total, duration);
            }
            return Ok(report);
        }
        for (index, step) in steps.iter().enumerate() {
            if self
                .options
                .interrupt
                .as_ref()
                .is_some_and(|f| f.load(Ordering::SeqCst))
            {
                if index > 0 {
                    let _ = apply::reset(client, s);
                }
                return Err(MigrateError::Interrupted {
                    next: MigrationRef::of(step.migration),
                    at: report.to,
                });
            }
            progress(Event::Started { step, index, total });
            let reset = if index > 0 { s.reset_sql.as_str() } else { "" };
            let duration = match apply::run(client, s, step, reset) {
                Ok(d) => d,
                Err(e) => {
                    // Best effort: a failed no-transaction step may have
                    // changed settings; the caller's session gets its own back.
                    let _ = apply::reset(client, s);
                    return Err(e);
                }
            };
            finished(&mut report, progress, step, index, total, duration);
        }
        if !steps.is_empty() {
            apply::reset(client, s)?;
        }
        Ok(report)
    }

    /// What [`Migrator::run`] would do now; reads only, takes no lock.
    ///
    /// # Errors
    ///
    /// The refusals of [`Migrator::run`].
    pub fn plan(&self, client: &mut Client, target: Target) -> Result<Plan<'r>, MigrateError> {
        let s = self.session(client)?;
        let st = state::read(client, &s)?;
        let (view, steps) = self.prepare(&st, target)?;
        Ok(Plan {
            from: st.row.map(|r| Version::new(r.version)),
            steps,
            baseline: view
                .marks
                .iter()
                .map(|m| (Version::new(m.version), m.direction))
                .collect(),
        })
    }

    /// The version row: `None` when nothing is applied, else the version and
    /// whether it is dirty.
    ///
    /// # Errors
    ///
    /// Database errors only; missing tables mean no version.
    pub fn version(&self, client: &mut Client) -> Result<Option<(Version, bool)>, MigrateError> {
        let s = self.session(client)?;
        let st = state::read(client, &s)?;
        Ok(st.row.map(|r| (Version::new(r.version), r.dirty)))
    }

    /// Every migration with its state, and what is wrong.
    ///
    /// # Errors
    ///
    /// Database errors only: problems are part of the status.
    pub fn status(&self, client: &mut Client) -> Result<Status, MigrateError> {
        let s = self.session(client)?;
        let st = state::read(client, &s)?;
        Ok(status::build(self.registry, &st))
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
        if let Some(v) = version
            && self.registry.get(v).is_none()
        {
            return Err(MigrateError::UnknownTarget { version: v.get() });
        }
        let s = self.session(client)?;
        lock::acquire(client, &s.lock_keys, self.options.lock_timeout)?;
        let result = (|| {
            let st = state::read(client, &s)?;
            state::ensure_tables(client, &s, &st)?;
            let marks = state::linear_marks(
                self.registry,
                &st.history,
                version.map(Version::get),
                HistoryDirection::ForceUp,
                HistoryDirection::ForceDown,
            );
            let sql = format!(
                "BEGIN; {}{} COMMIT;",
                state::set_version_sql(&s.version_table, version.map(Version::get), false),
                state::marks_sql(&s.history_table, &marks)
            );
            client.batch_execute(&sql).map_err(|e| {
                let _ = client.batch_execute("ROLLBACK");
                MigrateError::db(format!("setting the version in {}", s.version_table), e)
            })
        })();
        lock::release(client, &s.lock_keys);
        result
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
        let s = self.session(client)?;
        lock::acquire(client, &s.lock_keys, self.options.lock_timeout)?;
        let result = (|| {
            let st = state::read(client, &s)?;
            state::ensure_tables(client, &s, &st)?;
            let view = state::reconcile(self.registry, &st);
            let mut done = Repaired::default();
            let mut marks = view.marks.clone();
            for m in self.registry.iter() {
                let Some(Some(entry)) = view.applied.get(&m.version.get()) else {
                    continue;
                };
                let drift = problems::drifted(m, &view);
                let untracked = entry.checksum.is_none()
                    || (entry.down_checksum.is_none() && m.down_checksum().is_some());
                if drift.is_empty() && !untracked {
                    continue;
                }
                if drift.is_empty() {
                    done.recorded.push(MigrationRef::of(m));
                }
                done.accepted.extend(drift);
                marks.push(state::Mark::of(m, HistoryDirection::Repair));
            }
            if !marks.is_empty() {
                write_marks(client, &s, &marks)?;
            }
            Ok(done)
        })();
        lock::release(client, &s.lock_keys);
        result
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
        let s = self.session(client)?;
        lock::acquire(client, &s.lock_keys, self.options.lock_timeout)?;
        let result = (|| {
            let applied = adopt::applied_versions(client, tool, self.registry, &s)?;
            adopt::check_lines_up(tool, self.registry, &applied)?;
            let st = state::read(client, &s)?;
            let ours_recorded = st.history.values().any(|e| e.direction.is_applied());
            let newest = applied.last().copied();
            let row_disagrees =
                tool != Tool::GolangMigrate && st.row.is_some_and(|r| Some(r.version) != newest);
            if ours_recorded || row_disagrees {
                return Err(MigrateError::AlreadyAdopted {
                    table: if ours_recorded {
                        &s.history_table
                    } else {
                        &s.version_table
                    }
                    .to_string(),
                });
            }
            state::ensure_tables(client, &s, &st)?;
            let marks = adopt::marks(self.registry, &applied);
            let sql = format!(
                "BEGIN; {}{} COMMIT;",
                state::set_version_sql(&s.version_table, newest, false),
                state::marks_sql(&s.history_table, &marks)
            );
            client.batch_execute(&sql).map_err(|e| {
                let _ = client.batch_execute("ROLLBACK");
                MigrateError::db(
                    format!("recording the adopted versions in {}", s.history_table),
                    e,
                )
            })?;
            Ok(applied.into_iter().map(Version::new).collect())
        })();
        lock::release(client, &s.lock_keys);
        result
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
        let s = self.session(client)?;
        lock::acquire(client, &s.lock_keys, self.options.lock_timeout)?;
        let result = drop_objects(client, &s);
        lock::release(client, &s.lock_keys);
        result
    }

    fn session(&self, client: &mut Client) -> Result<Session, MigrateError> {
        self.options.check_names()?;
        let s = state::session(
            client,
            &self.options.table,
            &self.options.history_table(),
            self.options.url_database.as_deref(),
        )?;
        self.registry.check_server(s.server_version)?;
        Ok(s)
    }

    /// Whether the options let a run proceed despite `problem`.
    fn tolerates(&self, problem: &MigrateError) -> bool {
        match problem {
            MigrateError::Drift(_) => self.options.allow_drift,
            MigrateError::OutOfOrder { .. } => self.options.allow_out_of_order,
            _ => false,
        }
    }

    /// What is wrong with the database for these migrations, less what the
    /// options tolerate: what `validate` reports and `up` would refuse.
    ///
    /// # Errors
    ///
    /// Database errors only: problems are the result.
    pub fn problems(&self, client: &mut Client) -> Result<Vec<MigrateError>, MigrateError> {
        let s = self.session(client)?;
        let st = state::read(client, &s)?;
        let view = state::reconcile(self.registry, &st);
        let mut found = problems::find(self.registry, &st, &view);
        found.retain(|p| !self.tolerates(p));
        Ok(found)
    }

    /// The refusals, then the plan.
    fn prepare(&self, st: &DbState, target: Target) -> Result<(View, Vec<Step<'r>>), MigrateError> {
        let view = state::reconcile(self.registry, st);
        // Out-of-order migrations matter only to the steps that would apply
        // them (`down` does not, `goto V` only up to V): plan_steps decides.
        if let Some(p) = problems::find(self.registry, st, &view)
            .into_iter()
            .find(|p| !self.tolerates(p) && !matches!(p, MigrateError::OutOfOrder { .. }))
        {
            return Err(p);
        }
        let steps = plan_steps(
            self.registry,
            &view.applied_set(),
            target,
            self.options.allow_out_of_order,
        )?;
        Ok((view, steps))
    }
}

/// Records a step that has been applied and tells `progress`.
fn finished(
    report: &mut Report,
    progress: &mut dyn FnMut(Event<'_>),
    step: &Step<'_>,
    index: usize,
    total: usize,
    duration: Duration,
) {
    report.to = step.after;
    report.steps.push(AppliedStep {
        migration: MigrationRef::of(step.migration),
        direction: step.direction,
        duration,
    });
    progress(Event::Finished {
        step,
        index,
        total,
        duration,
    });
}

fn write_marks(client: &mut Client, s: &Session, marks: &[Mark]) -> Result<(), MigrateError> {
    let sql = format!(
        "BEGIN; {} COMMIT;",
        state::marks_sql(&s.history_table, marks)
    );
    client.batch_execute(&sql).map_err(|e| {
        let _ = client.batch_execute("ROLLBACK");
        MigrateError::db(format!("recording history rows in {}", s.history_table), e)
    })
}

/// The steps from the applied set to the target, checked before anything runs.
pub(crate) fn plan_steps<'r>(
    registry: &'r Registry,
    applied: &BTreeSet<i64>,
    target: Target,
    allow_out_of_order: bool,
) -> Result<Vec<Step<'r>>, MigrateError> {
    let mut set = applied.clone();
    let mut steps = Vec::new();
    let latest = |set: &BTreeSet<i64>| set.last().copied().map(Version::new);

    let down = |set: &mut BTreeSet<i64>, steps: &mut Vec<Step<'r>>, v: i64| {
        let Some(m) = registry.get(Version::new(v)) else {
            return Err(MigrateError::UnknownVersion {
                version: Version::new(v),
                latest: registry.latest().map(|m| m.version),
            });
        };
        if m.irreversible {
            return Err(MigrateError::Irreversible {
                migration: MigrationRef::of(m),
            });
        }
        if m.down.is_none() {
            return Err(MigrateError::NoDown {
                migration: MigrationRef::of(m),
            });
        }
        let before = latest(set);
        set.remove(&v);
        steps.push(Step {
            migration: m,
            direction: Direction::Down,
            before,
            after: latest(set),
        });
        Ok(())
    };

    let ups = |set: &mut BTreeSet<i64>,
               steps: &mut Vec<Step<'r>>,
               upto: Option<Version>,
               limit: Option<usize>| {
        let current = set.last().copied();
        let pending: Vec<&'r Migration> = registry
            .iter()
            .filter(|m| !set.contains(&m.version.get()))
            .filter(|m| upto.is_none_or(|u| m.version <= u))
            .collect();
        if let Some(cur) = current {
            let late: Vec<MigrationRef> = pending
                .iter()
                .filter(|m| m.version.get() < cur)
                .map(|m| MigrationRef::of(m))
                .collect();
            if !late.is_empty() && !allow_out_of_order {
                return Err(MigrateError::OutOfOrder {
                    current: Version::new(cur),
                    pending: late,
                });
            }
        }
        for m in pending.into_iter().take(limit.unwrap_or(usize::MAX)) {
            let before = latest(set);
            set.insert(m.version.get());
            steps.push(Step {
                migration: m,
                direction: Direction::Up,
                before,
                after: latest(set),
            });
        }
        Ok(())
    };

    match target {
        Target::Up { limit } => ups(&mut set, &mut steps, None, limit)?,
        Target::Down { steps: n } => {
            let victims: Vec<i64> = set.iter().rev().take(n).copied().collect();
            for v in victims {
                down(&mut set, &mut steps, v)?;
            }
        }
        Target::DownAll => {
            let victims: Vec<i64> = set.iter().rev().copied().collect();
            for v in victims {
                down(&mut set, &mut steps, v)?;
            }
        }
        Target::To(v) => {
            if registry.get(v).is_none() {
                return Err(MigrateError::UnknownTarget { version: v.get() });
            }
            let victims: Vec<i64> = set.iter().rev().copied().filter(|&x| x > v.get()).collect();
            for x in victims {
                down(&mut set, &mut steps, x)?;
            }
            ups(&mut set, &mut steps, Some(v), None)?;
        }
    }
    Ok(steps)
}

fn drop_objects(client: &mut Client, s: &Session) -> Result<usize, MigrateError> {
    // Objects that belong to an extension go with the extension; dependent
    // objects go with CASCADE, hence IF EXISTS on everything.
    let list = "
        WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = current_schema()),
             ext AS (SELECT objid FROM pg_depend WHERE deptype = 'e')
        SELECT 1, format('DROP %s IF EXISTS %s CASCADE',
                   CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                  WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE'
                                  ELSE 'TABLE' END, c.oid::regclass)
          FROM pg_class c
         WHERE c.relnamespace = (SELECT oid FROM ns) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND c.oid NOT IN (SELECT objid FROM ext)
        UNION ALL
        SELECT 2, format('DROP %s IF EXISTS %s CASCADE',
                   CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, p.oid::regprocedure)
          FROM pg_proc p
         WHERE p.pronamespace = (SELECT oid FROM ns) AND p.oid NOT IN (SELECT objid FROM ext)
        UNION ALL
        SELECT 3, format('DROP %s IF EXISTS %s CASCADE',
                   CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype)
          FROM pg_type t
         WHERE t.typnamespace = (SELECT oid FROM ns) AND t.oid NOT IN (SELECT objid FROM ext)
           AND (t.typtype IN ('e', 'r', 'd')
                OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
        ORDER BY 1";
    let msgs = client
        .simple_query(list)
        .map_err(|e| MigrateError::db("listing the schema's objects", e))?;
    let mut stmts: Vec<String> = state::result_sets(&msgs)
        .into_iter()
        .flatten()
        .filter_map(|r| r.get(1).cloned().flatten())
        .collect();
    let count = stmts.len();
    for t in [&s.version_table, &s.history_table] {
        stmts.push(format!("DROP TABLE IF EXISTS {} CASCADE", t.sql()));
    }
    // Chunks keep each transaction under max_locks_per_transaction on schemas
    // with thousands of objects.
    for chunk in stmts.chunks(100) {
        let sql = format!("BEGIN; {}; COMMIT;", chunk.join("; "));
        client.batch_execute(&sql).map_err(|e| {
            let _ = client.batch_execute("ROLLBACK");
            MigrateError::db("dropping the schema's objects", e)
        })?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::Script;
    use std::borrow::Cow;

    fn script(v: i64, dir: &str) -> Script {
        Script {
            path: Cow::Owned(format!("m/{v:03}_m.{dir}.sql")),
            sql: Cow::Borrowed("SELECT 1"),
            checksum: Cow::Owned(format!("c{v}")),
            transactional: true,
            statements: Cow::Owned(vec![(0, 8)]),
        }
    }

    fn reg(spec: &[(i64, bool)]) -> Registry {
        Registry::new(
            spec.iter()
                .map(|&(v, reversible)| Migration {
                    version: Version::new(v),
                    name: Cow::Borrowed("m"),
                    up: script(v, "up"),
                    down: reversible.then(|| script(v, "down")),
                    irreversible: !reversible,
                })
                .collect(),
        )
    }

    fn versions(steps: &[Step<'_>]) -> Vec<(i64, &'static str, Option<i64>)> {
        steps
            .iter()
            .map(|s| {
                (
                    s.migration.version.get(),
                    s.direction.as_str(),
                    s.after.map(Version::get),
                )
            })
            .collect()
    }

    #[test]
    fn plans_up_down_and_goto() {
        let r = reg(&[(1, true), (2, true), (3, true)]);
        let none = BTreeSet::new();
        let s = plan_steps(&r, &none, Target::Up { limit: Some(2) }, false).unwrap();
        assert_eq!(versions(&s), vec![(1, "up", Some(1)), (2, "up", Some(2))]);
        let all: BTreeSet<i64> = [1, 2, 3].into();
        let s = plan_steps(&r, &all, Target::Down { steps: 1 }, false).unwrap();
        assert_eq!(versions(&s), vec![(3, "down", Some(2))]);
        let s = plan_steps(&r, &all, Target::DownAll, false).unwrap();
        assert_eq!(versions(&s).last(), Some(&(1, "down", None)));
        let s = plan_steps(&r, &[1].into(), Target::To(Version::new(3)), false).unwrap();
        assert_eq!(versions(&s), vec![(2, "up", Some(2)), (3, "up", Some(3))]);
        let s = plan_steps(&r, &all, Target::To(Version::new(1)), false).unwrap();
        assert_eq!(
            versions(&s),
            vec![(3, "down", Some(2)), (2, "down", Some(1))]
        );
        assert!(matches!(
            plan_steps(&r, &all, Target::To(Version::new(7)), false),
            Err(MigrateError::UnknownTarget { version: 7 })
        ));
    }

    #[test]
    fn refuses_out_of_order_unless_allowed() {
        let r = reg(&[(1, true), (2, true), (3, true)]);
        let applied: BTreeSet<i64> = [1, 3].into();
        let e = plan_steps(&r, &applied, Target::Up { limit: None }, false).unwrap_err();
        assert!(
            matches!(e, MigrateError::OutOfOrder { ref pending, .. } if pending[0].version.get() == 2)
        );
        let s = plan_steps(&r, &applied, Target::Up { limit: None }, true).unwrap();
        // The version stays at the newest applied one.
        assert_eq!(versions(&s), vec![(2, "up", Some(3))]);
    }

    #[test]
    fn refuses_to_go_down_past_an_irreversible_migration() {
        let r = reg(&[(1, true), (2, false), (3, true)]);
        let all: BTreeSet<i64> = [1, 2, 3].into();
        assert_eq!(
            plan_steps(&r, &all, Target::Down { steps: 1 }, false)
                .unwrap()
                .len(),
            1
        );
        let e = plan_steps(&r, &all, Target::Down { steps: 2 }, false).unwrap_err();
        assert!(
            matches!(e, MigrateError::Irreversible { ref migration } if migration.version.get() == 2)
        );
    }
}
