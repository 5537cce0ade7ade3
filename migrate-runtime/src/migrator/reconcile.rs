//! What the history says is applied, when the version row and the history
//! agree and when another tool moved the row (golang-migrate is linear), and
//! the marks that record such moves without running SQL.

use std::collections::BTreeMap;

use super::state::*;
use crate::migration::Version;
use crate::registry::Registry;
use crate::sql::{QualifiedTable, literal};

/// Reconciles the version row with the history.
///
/// When the history's newest applied version equals the version row, nobody else
/// touched the database: the history is the truth (gaps below the version are
/// out-of-order migrations). Otherwise another tool moved the row (or this is the
/// first contact with a golang-migrate database): golang-migrate is linear, so
/// everything up to the row's version counts as applied and everything above as
/// not, and marks record that without running SQL.
///
/// A dirty row is not reconciled: the failed migration must be dealt with first.
pub(crate) fn reconcile(registry: &Registry, state: &DbState) -> View {
    let applied: BTreeMap<i64, Option<HistoryEntry>> = state
        .history
        .iter()
        .filter(|(_, e)| e.direction.is_applied())
        .map(|(v, e)| (*v, Some(e.clone())))
        .collect();
    let expected = applied.keys().next_back().copied();
    let actual = state.row.map(|r| r.version);
    if expected == actual || state.row.is_some_and(|r| r.dirty) {
        return View {
            applied,
            marks: Vec::new(),
            foreign: false,
        };
    }
    let marks = linear_marks(
        registry,
        &state.history,
        actual,
        HistoryDirection::Baseline,
        HistoryDirection::BaselineDown,
    );
    let mut view = View {
        applied,
        marks,
        foreign: true,
    };
    for m in &view.marks {
        if m.direction.is_applied() {
            view.applied.insert(m.version, None);
        } else {
            view.applied.remove(&m.version);
        }
    }
    view
}

/// The marks that make the history say "everything up to `version` is applied,
/// nothing above it is".
pub(crate) fn linear_marks(
    registry: &Registry,
    history: &BTreeMap<i64, HistoryEntry>,
    version: Option<i64>,
    up: HistoryDirection,
    down: HistoryDirection,
) -> Vec<Mark> {
    let is_applied = |v: i64| history.get(&v).is_some_and(|e| e.direction.is_applied());
    let should = |v: i64| version.is_some_and(|a| v <= a);
    let mut marks = Vec::new();
    for m in registry {
        let v = m.version.get();
        match (should(v), is_applied(v)) {
            (true, false) => marks.push(Mark::of(m, up)),
            (false, true) => marks.push(Mark::of(m, down)),
            _ => {}
        }
    }
    for (v, e) in history {
        if registry.get(Version::new(*v)).is_none() && e.direction.is_applied() && !should(*v) {
            marks.push(Mark {
                version: *v,
                name: e.name.clone(),
                checksum: e.checksum.clone(),
                down_checksum: e.down_checksum.clone(),
                direction: down,
            });
        }
    }
    marks.sort_by_key(|m| m.version);
    marks
}

/// SQL that records marks in the history.
pub(crate) fn marks_sql(history: &QualifiedTable, marks: &[Mark]) -> String {
    if marks.is_empty() {
        return String::new();
    }
    let values: Vec<String> = marks
        .iter()
        .map(|m| {
            format!(
                "({}, {}, {}, {}, {})",
                m.version,
                literal(&m.name),
                m.checksum.as_deref().map_or("NULL".to_owned(), literal),
                m.down_checksum
                    .as_deref()
                    .map_or("NULL".to_owned(), literal),
                literal(m.direction.as_str())
            )
        })
        .collect();
    format!(
        "INSERT INTO {} (version, name, checksum, down_checksum, direction) VALUES {};",
        history.sql(),
        values.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::{Migration, Script};
    use std::borrow::Cow;

    fn reg(versions: &[i64]) -> Registry {
        Registry::new(
            versions
                .iter()
                .map(|&v| Migration {
                    version: Version::new(v),
                    name: Cow::Owned(format!("m{v}")),
                    up: Script::new(
                        format!("m/{v:06}_m{v}.up.sql"),
                        "SELECT 1".to_owned(),
                        format!("c{v}"),
                        true,
                        vec![(0, 8)],
                    ),
                    down: None,
                    irreversible: false,
                })
                .collect(),
        )
    }

    fn entry(v: i64, d: HistoryDirection) -> (i64, HistoryEntry) {
        (
            v,
            HistoryEntry {
                version: v,
                name: format!("m{v}"),
                checksum: Some(format!("c{v}")),
                down_checksum: None,
                direction: d,
                applied_at: None,
                duration_ms: None,
                applied_by: String::new(),
            },
        )
    }

    fn state(row: Option<i64>, hist: Vec<(i64, HistoryEntry)>) -> DbState {
        DbState {
            version_table_exists: true,
            history_table_exists: true,
            history_has_down_checksum: true,
            row: row.map(|version| VersionRow {
                version,
                dirty: false,
            }),
            history: hist.into_iter().collect(),
        }
    }

    #[test]
    fn first_contact_baselines_everything_up_to_the_version() {
        let v = reconcile(&reg(&[1, 2, 3]), &state(Some(2), vec![]));
        assert!(v.foreign);
        assert_eq!(v.applied_set(), [1, 2].into());
        assert_eq!(
            v.marks
                .iter()
                .map(|m| (m.version, m.direction))
                .collect::<Vec<_>>(),
            vec![
                (1, HistoryDirection::Baseline),
                (2, HistoryDirection::Baseline)
            ]
        );
    }

    #[test]
    fn agreeing_history_keeps_gaps_as_out_of_order() {
        use HistoryDirection::*;
        let v = reconcile(
            &reg(&[1, 2, 3]),
            &state(Some(3), vec![entry(1, Up), entry(3, Up)]),
        );
        assert!(!v.foreign);
        assert!(v.marks.is_empty());
        assert_eq!(v.applied_set(), [1, 3].into());
    }

    #[test]
    fn another_tool_moving_the_row_is_followed() {
        use HistoryDirection::*;
        // We applied 1..2, golang-migrate then applied 3.
        let v = reconcile(
            &reg(&[1, 2, 3]),
            &state(Some(3), vec![entry(1, Up), entry(2, Up)]),
        );
        assert_eq!(v.applied_set(), [1, 2, 3].into());
        assert_eq!(v.marks.len(), 1);
        // golang-migrate reverted 2 and 3 after we applied them.
        let v = reconcile(
            &reg(&[1, 2, 3]),
            &state(Some(1), vec![entry(1, Up), entry(2, Up), entry(3, Up)]),
        );
        assert_eq!(v.applied_set(), [1].into());
        assert!(v.marks.iter().all(|m| m.direction == BaselineDown));
        // ... or all of them.
        let v = reconcile(
            &reg(&[1, 2]),
            &state(None, vec![entry(1, Up), entry(2, Up)]),
        );
        assert!(v.applied.is_empty());
        assert_eq!(v.marks.len(), 2);
    }

    #[test]
    fn reverted_rows_are_not_applied() {
        use HistoryDirection::*;
        let v = reconcile(
            &reg(&[1, 2]),
            &state(Some(1), vec![entry(1, Up), entry(2, Down)]),
        );
        assert!(!v.foreign);
        assert_eq!(v.applied_set(), [1].into());
    }
}
