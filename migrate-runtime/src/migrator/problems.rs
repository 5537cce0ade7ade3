//! What is wrong between the migrations here and the database, computed in one
//! place: `up`, `down` and `goto` refuse the first of these, `validate` and
//! `status` report them all. Two copies of these rules drifted apart once
//! (`status` knew about deleted files, `up` and `down` did not).

use super::state::{DbState, View};
use crate::error::{Drift, MigrateError, MigrationRef};
use crate::migration::{Migration, Version};
use crate::registry::Registry;

/// The newest version that counts as applied: the history's, or the version row
/// when it is clean (another tool may have moved it).
pub(crate) fn current(st: &DbState, view: &View) -> Option<i64> {
    let dirty = st.row.is_some_and(|r| r.dirty);
    let row = st.row.map(|r| r.version).filter(|_| !dirty);
    view.applied.keys().next_back().copied().max(row)
}

/// The files of applied migration `m` whose text differs from what the history
/// recorded. A down is compared only when its checksum was recorded (rows
/// written before down checksums were kept have none); a down that appeared
/// or vanished since is a change too.
pub(crate) fn drifted(m: &Migration, view: &View) -> Vec<Drift> {
    let Some(Some(entry)) = view.applied.get(&m.version.get()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(recorded) = entry.checksum.as_deref()
        && recorded != m.checksum()
    {
        out.push(Drift {
            migration: MigrationRef::of(m),
            file: "up",
            recorded: recorded.to_owned(),
            current: m.checksum().to_owned(),
        });
    }
    if let Some(recorded) = entry.down_checksum.as_deref()
        && Some(recorded) != m.down_checksum()
    {
        out.push(Drift {
            migration: MigrationRef::of(m),
            file: "down",
            recorded: recorded.to_owned(),
            current: m.down_checksum().unwrap_or("(none)").to_owned(),
        });
    }
    out
}

/// Which files' drift counts: `up` runs no down, so an edited down of an
/// applied migration is no reason for it to refuse (`down`, `goto`,
/// `status` and `validate` still see it, and `down` refuses it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Files {
    /// The ups and the downs.
    Both,
    /// The ups only.
    Ups,
}

/// Every problem, most fundamental first: dirty, applied migrations whose files
/// are not here (or a version row this build does not know), drift of
/// `files`, pending migrations older than the current version.
pub(crate) fn find(
    registry: &Registry,
    st: &DbState,
    view: &View,
    files: Files,
) -> Vec<MigrateError> {
    let mut out = Vec::new();
    let get = |v: i64| registry.get(Version::new(v));
    if let Some(row) = st.row
        && row.dirty
    {
        let version = Version::new(row.version);
        out.push(MigrateError::Dirty {
            version,
            migration: get(row.version).map(MigrationRef::of),
            before: registry
                .iter()
                .rev()
                .map(|m| m.version)
                .find(|&x| x < version),
        });
    }
    let missing: Vec<MigrationRef> = view
        .applied
        .iter()
        .filter(|(v, _)| get(**v).is_none())
        .map(|(v, e)| {
            let name = e.as_ref().map(|e| e.name.clone()).unwrap_or_default();
            MigrationRef {
                version: Version::new(*v),
                label: format!("{v}_{name}"),
                name,
            }
        })
        .collect();
    // A version row that no migration here has and no history row explains:
    // a newer build (or golang-migrate with newer files) moved it.
    if let Some(row) = st.row
        && get(row.version).is_none()
        && !view.applied.contains_key(&row.version)
    {
        out.push(MigrateError::UnknownVersion {
            version: Version::new(row.version),
            latest: registry.latest().map(|m| m.version),
        });
    }
    if !missing.is_empty() {
        out.push(MigrateError::Missing(missing));
    }
    let drift: Vec<Drift> = (registry.iter())
        .flat_map(|m| drifted(m, view))
        .filter(|d| files == Files::Both || d.file == "up")
        .collect();
    if !drift.is_empty() {
        out.push(MigrateError::Drift(drift));
    }
    if let Some(cur) = current(st, view) {
        let late: Vec<MigrationRef> = registry
            .iter()
            .filter(|m| m.version.get() < cur && !view.applied.contains_key(&m.version.get()))
            .filter(|m| {
                !(st.row
                    .is_some_and(|r| r.dirty && r.version == m.version.get()))
            })
            .map(MigrationRef::of)
            .collect();
        if !late.is_empty() {
            out.push(MigrateError::OutOfOrder {
                current: Version::new(cur),
                pending: late,
            });
        }
    }
    out
}
