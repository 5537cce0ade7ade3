//! Reverse lookups over a schema: which tables reference a table, which are its
//! partitions, which indexes are on it, which constraint names a schema uses.
//!
//! Dropping a table must find its dependents. Scanning every table for them
//! makes a down that drops one table cost O(tables), and the reversal check runs
//! one down per migration: 1,000 migrations became a million comparisons, most
//! of the macro's time. These lookups are kept up to date from the imbl diff of
//! the tables and indexes since they were last brought up to date, which skips
//! the structure the two versions share, so keeping up costs O(changes · log n).
//!
//! They are a cache, not part of the schema: two schemas with equal objects are
//! equal whatever their caches hold, and every answer is a superset that the
//! caller checks against the live objects (a statement may change the schema
//! between a refresh and a lookup).

use std::fmt;
use std::sync::Arc;

use imbl::ordmap::DiffItem;

use crate::model::schema::{ConstraintKind, Index, Map, QualName, Set, Table};

#[derive(Clone, Default)]
/// Reverse lookups over a schema (what references a table, a table's partitions and indexes), kept up to date from the maps' diffs.
pub struct Related {
    /// The objects the lookups below describe.
    tables_seen: Map<QualName, Arc<Table>>,
    indexes_seen: Map<QualName, Index>,
    /// Referenced table -> tables with a foreign key to it.
    referenced_by: Map<QualName, Set<QualName>>,
    /// Partitioned table -> its partitions.
    partitions: Map<QualName, Set<QualName>>,
    /// Table -> the indexes on it.
    indexes: Map<QualName, Set<QualName>>,
    /// A constraint's name in its table's schema -> the tables with one so
    /// named: PostgreSQL chooses an implicit name unused in the whole schema.
    constraint_names: Map<QualName, Set<QualName>>,
}

impl Related {
    /// Brings the lookups up to date with `tables` and `indexes`.
    pub fn refresh(&mut self, tables: &Map<QualName, Arc<Table>>, indexes: &Map<QualName, Index>) {
        if !self.tables_seen.ptr_eq(tables) {
            let seen = std::mem::take(&mut self.tables_seen);
            for d in seen.diff(tables) {
                match d {
                    DiffItem::Add(_, t) => self.table(t, true),
                    DiffItem::Remove(_, t) => self.table(t, false),
                    DiffItem::Update { old, new } => {
                        self.table(old.1, false);
                        self.table(new.1, true);
                    }
                }
            }
            self.tables_seen = tables.clone();
        }
        if !self.indexes_seen.ptr_eq(indexes) {
            let seen = std::mem::take(&mut self.indexes_seen);
            for d in seen.diff(indexes) {
                match d {
                    DiffItem::Add(name, ix) => link(&mut self.indexes, &ix.table, name, true),
                    DiffItem::Remove(name, ix) => link(&mut self.indexes, &ix.table, name, false),
                    DiffItem::Update { old, new } => {
                        link(&mut self.indexes, &old.1.table, old.0, false);
                        link(&mut self.indexes, &new.1.table, new.0, true);
                    }
                }
            }
            self.indexes_seen = indexes.clone();
        }
    }

    /// Tables that had a foreign key to `table` when last refreshed.
    pub fn referencing(&self, table: &QualName) -> Vec<QualName> {
        members(&self.referenced_by, table)
    }

    /// Partitions of `table` when last refreshed.
    pub fn partitions(&self, table: &QualName) -> Vec<QualName> {
        members(&self.partitions, table)
    }

    /// Indexes on `table` when last refreshed.
    pub fn indexes(&self, table: &QualName) -> Vec<QualName> {
        members(&self.indexes, table)
    }

    /// Some table in `schema` had a constraint called `name` when last
    /// refreshed.
    pub fn constraint_named(&self, schema: &str, name: &str) -> bool {
        self.constraint_names
            .contains_key(&QualName::new(schema.to_owned(), name.to_owned()))
    }

    fn table(&mut self, t: &Table, present: bool) {
        for n in t.constraints.keys() {
            let named = QualName::new(t.name.schema.clone(), n.clone());
            link(&mut self.constraint_names, &named, &t.name, present);
        }
        for k in t.constraints.values() {
            if let ConstraintKind::ForeignKey { references, .. } = k {
                link(&mut self.referenced_by, references, &t.name, present);
            }
        }
        if let Some(parent) = &t.partition_of {
            link(&mut self.partitions, parent, &t.name, present);
        }
        // Inheritance children take their parent's column changes as partitions do.
        for parent in &t.inherits {
            link(&mut self.partitions, parent, &t.name, present);
        }
    }
}

fn members(map: &Map<QualName, Set<QualName>>, key: &QualName) -> Vec<QualName> {
    map.get(key)
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default()
}

/// Adds `member` under `key` (or removes it, dropping the key with its last member).
fn link(map: &mut Map<QualName, Set<QualName>>, key: &QualName, member: &QualName, present: bool) {
    if present {
        map.entry(key.clone()).or_default().insert(member.clone());
    } else if let Some(set) = map.get_mut(key) {
        set.remove(member);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// A cache: never a difference between two schemas.
impl PartialEq for Related {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Related {}

impl fmt::Debug for Related {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Related { .. }")
    }
}
