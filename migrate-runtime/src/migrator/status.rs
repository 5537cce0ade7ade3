//! `status`: every migration with its state, and what is wrong with the database.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::problems;
use super::state::{DbState, HistoryDirection};
use crate::error::MigrateError;
use crate::migration::Version;
use crate::registry::Registry;

/// Whether a migration has run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationState {
    /// Applied to the database.
    Applied,
    /// Not applied yet.
    Pending,
    /// Pending, but older than the database's version.
    OutOfOrder,
    /// The version row points at it and is dirty: it failed half-way.
    Dirty,
}

/// Whether an applied migration's file still has the text that ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecksumState {
    /// The file is what was applied.
    Ok,
    /// The file changed since it was applied.
    Drift,
    /// Applied by another tool; the checksum is recorded on the next write.
    Unrecorded,
    /// Not applied: nothing to compare.
    None,
}

/// One row of `status`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct MigrationStatus {
    /// The version.
    pub version: i64,
    /// The migration's name.
    pub name: String,
    /// `000003_orders`.
    pub label: String,
    /// Applied or pending.
    pub state: MigrationState,
    /// When it was applied.
    pub applied_at: Option<DateTime<Utc>>,
    /// How long it took.
    pub duration_ms: Option<i64>,
    /// The role that applied it.
    pub applied_by: Option<String>,
    /// How it came to be applied: `up`, `baseline`, `force_up`.
    pub how: Option<HistoryDirection>,
    /// The up file's checksum now.
    pub checksum: String,
    /// Whether the applied files are unchanged.
    pub checksum_state: ChecksumState,
    /// The checksum recorded when it was applied.
    pub recorded_checksum: Option<String>,
    /// Runs in a transaction.
    pub transactional: bool,
    /// Has a down that can revert it.
    pub reversible: bool,
}

/// An applied migration that is not in the registry.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct MissingMigration {
    pub version: i64,
    pub name: String,
    pub applied_at: Option<DateTime<Utc>>,
}

/// The whole picture.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// golang-migrate's version row.
    pub version: Option<i64>,
    /// golang-migrate's dirty flag.
    pub dirty: bool,
    /// The version is one the registry does not have (a newer build migrated it).
    pub unknown_version: bool,
    /// The version row was moved by another tool (golang-migrate); the history
    /// catches up on the next command that writes.
    pub baseline_pending: bool,
    /// Every migration of the registry.
    pub migrations: Vec<MigrationStatus>,
    /// Applied migrations that are not in the registry.
    pub missing: Vec<MissingMigration>,
    /// What was read, for [`Status::problems`].
    #[serde(skip)]
    state: DbState,
}

impl Status {
    /// How many migrations are applied.
    pub fn applied(&self) -> usize {
        self.migrations
            .iter()
            .filter(|m| m.state == MigrationState::Applied)
            .count()
    }

    /// Migrations that failed half-way without a transaction (0 or 1): neither
    /// applied nor pending, and counted apart so none goes unmentioned.
    pub fn dirty_count(&self) -> usize {
        self.migrations
            .iter()
            .filter(|m| m.state == MigrationState::Dirty)
            .count()
    }

    /// How many migrations are pending.
    pub fn pending(&self) -> usize {
        self.migrations
            .iter()
            .filter(|m| {
                matches!(
                    m.state,
                    MigrationState::Pending | MigrationState::OutOfOrder
                )
            })
            .count()
    }

    /// What `up` would refuse, and migrations whose files are gone: what
    /// `validate` reports (before `--allow-*` options). The same rules as the
    /// migrator's refusals, computed by the same code.
    pub fn problems(&self, registry: &Registry) -> Vec<MigrateError> {
        let view = super::reconcile::reconcile(registry, &self.state);
        problems::find(registry, &self.state, &view, problems::Files::Both)
    }
}

pub(crate) fn build(registry: &Registry, st: &DbState) -> Status {
    let view = super::reconcile::reconcile(registry, st);
    let version = st.row.map(|r| r.version);
    let dirty = st.row.is_some_and(|r| r.dirty);
    let current = problems::current(st, &view);
    let migrations = registry
        .iter()
        .map(|m| {
            let v = m.version.get();
            let applied = view.applied.get(&v);
            let entry = applied.and_then(Option::as_ref);
            let state = if dirty && Some(v) == version {
                MigrationState::Dirty
            } else if applied.is_some() {
                MigrationState::Applied
            } else if current.is_some_and(|c| v < c) {
                MigrationState::OutOfOrder
            } else {
                MigrationState::Pending
            };
            let recorded = entry.and_then(|e| e.checksum.clone());
            // The same comparison as the refusals' (up and down files).
            let checksum_state = match (state, &recorded) {
                (MigrationState::Applied, Some(_)) if !problems::drifted(m, &view).is_empty() => {
                    ChecksumState::Drift
                }
                (MigrationState::Applied, Some(_)) => ChecksumState::Ok,
                (MigrationState::Applied, None) => ChecksumState::Unrecorded,
                _ => ChecksumState::None,
            };
            MigrationStatus {
                version: v,
                name: m.name.to_string(),
                label: m.label(),
                state,
                applied_at: entry.and_then(|e| e.applied_at),
                duration_ms: entry.and_then(|e| e.duration_ms),
                applied_by: entry.map(|e| e.applied_by.clone()),
                how: entry.map(|e| e.direction),
                checksum: m.checksum().to_owned(),
                checksum_state,
                recorded_checksum: recorded,
                transactional: m.up.transactional,
                reversible: m.down.is_some() && !m.irreversible,
            }
        })
        .collect();
    let missing = view
        .applied
        .iter()
        .filter(|(v, _)| registry.get(Version::new(**v)).is_none())
        .map(|(v, e)| MissingMigration {
            version: *v,
            name: e.as_ref().map(|e| e.name.clone()).unwrap_or_default(),
            applied_at: e.as_ref().and_then(|e| e.applied_at),
        })
        .collect();
    Status {
        version,
        dirty,
        unknown_version: version.is_some_and(|v| registry.get(Version::new(v)).is_none()),
        baseline_pending: view.foreign,
        migrations,
        missing,
        state: st.clone(),
    }
}
