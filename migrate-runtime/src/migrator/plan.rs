//! The steps from the applied set to a target: pure, checked before anything
//! runs.

use std::collections::BTreeSet;

use migrate_core::Direction;

use super::{Step, Target};
use crate::error::{MigrateError, MigrationRef};
use crate::migration::{Migration, Version};
use crate::registry::Registry;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::Script;
    use std::borrow::Cow;

    fn script(v: i64, dir: &str) -> Script {
        Script::new(
            format!("m/{v:03}_m.{dir}.sql"),
            "SELECT 1".to_owned(),
            format!("c{v}"),
            true,
            vec![(0, 8)],
        )
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
