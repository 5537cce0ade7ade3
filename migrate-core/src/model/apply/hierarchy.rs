//! Partitions and inheritance children: which tables a column change on a
//! parent reaches, and the bookkeeping that decides it.

use std::sync::Arc;

use super::Applier;
use crate::model::schema::{Column, ConstraintKind, Index, Partitioning, QualName};

impl Applier<'_> {
    /// ATTACH PARTITION and INHERIT: `child` has each of `parent`'s columns
    /// (PostgreSQL refuses it otherwise), now one parent more.
    pub(crate) fn inherit_from(&mut self, child: &QualName, parent: &QualName) {
        let Some(parent) = self.schema.tables.get(parent).cloned() else {
            return;
        };
        if let Some(t) = self.schema.tables.get_mut(child).map(Arc::make_mut) {
            for c in &parent.columns {
                if t.column(&c.name).is_some() {
                    // PostgreSQL wants the child's NOT NULL already.
                    t.inherit_column(&parent, c, false, false);
                }
            }
        }
    }

    /// Applies `change` to `column` of `table` and of its partitions and
    /// children: column changes reach all of them, as in PostgreSQL.
    pub(crate) fn each_column(
        &mut self,
        table: &QualName,
        column: &str,
        change: impl FnMut(&mut Column),
    ) {
        let partitions = self.partitions_of(table);
        let tables: Vec<QualName> = std::iter::once(table.clone()).chain(partitions).collect();
        self.column_of_each(&tables, column, change);
    }

    /// Applies `change` to `column` of each of `tables` that has it.
    pub(crate) fn column_of_each(
        &mut self,
        tables: &[QualName],
        column: &str,
        mut change: impl FnMut(&mut Column),
    ) {
        for t in tables {
            if let Some(c) = self
                .schema
                .tables
                .get_mut(t)
                .map(Arc::make_mut)
                .and_then(|t| t.column_mut(column))
            {
                change(c);
            }
        }
    }

    /// The tables a DROP NOT NULL of `column` on `table` makes nullable:
    /// `table` and every partition and child, before PostgreSQL 18. From 18 on
    /// NOT NULL is a constraint that children inherit, and a child keeps it
    /// when it is its own too (a partition's too: `PARTITION OF p (v NOT
    /// NULL)`, or set on it) or, for an inheritance child, another parent
    /// still gives it; then so do the child's own children. Found as a
    /// fixpoint, so that a child of two parents that both lose it loses it
    /// too. Where the target stands for any server, the children whose
    /// nullability depends on which are opaque.
    pub(crate) fn not_null_reach(&mut self, table: &QualName, column: &str) -> Vec<QualName> {
        let below = self.partitions_of(table);
        if self.schema.target.0 < 18 {
            return std::iter::once(table.clone()).chain(below).collect();
        }
        let out = self.not_null_reach_18(table, column, &below);
        if self.schema.any_server {
            for child in below.iter().filter(|c| !out.contains(c)) {
                self.make_opaque(
                    child.clone(),
                    "a parent's DROP NOT NULL leaves it on this child from PostgreSQL 18 on only",
                );
            }
        }
        out
    }

    /// [`Self::not_null_reach`] as PostgreSQL 18 does it.
    fn not_null_reach_18(
        &mut self,
        table: &QualName,
        column: &str,
        below: &[QualName],
    ) -> Vec<QualName> {
        let mut out = vec![table.clone()];
        // A NO INHERIT one is the table's alone.
        if self.schema.tables.get(table).is_some_and(|t| {
            t.column(column).is_some_and(|c| !c.nullable) && !t.gives_not_null(column)
        }) {
            return out;
        }
        let holds = |out: &[QualName], parent: &QualName| {
            !out.contains(parent)
                && self
                    .schema
                    .tables
                    .get(parent)
                    .is_some_and(|p| p.gives_not_null(column))
        };
        loop {
            let mut grew = false;
            for child in below {
                let Some(t) = self.schema.tables.get(child) else {
                    continue;
                };
                if out.contains(child) {
                    continue;
                }
                let own = t.inherited.get(column).is_some_and(|i| i.not_null_local);
                let loses = match &t.partition_of {
                    Some(parent) => !own && out.contains(parent),
                    None => {
                        !own && t.inherits.iter().any(|p| out.contains(p))
                            && !t.inherits.iter().any(|p| holds(&out, p))
                    }
                };
                if loses {
                    out.push(child.clone());
                    grew = true;
                }
            }
            if !grew {
                return out;
            }
        }
    }

    /// `ALTER CONSTRAINT name NO INHERIT | INHERIT` of a NOT NULL constraint
    /// (PostgreSQL 18): NO INHERIT leaves the children theirs, now their own;
    /// INHERIT gives it to every child that lacks it.
    pub(crate) fn alter_not_null_inheritance(
        &mut self,
        table: &QualName,
        name: &str,
        no_inherit: bool,
    ) {
        let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) else {
            return;
        };
        let Some(ConstraintKind::NotNull {
            column,
            no_inherit: was,
        }) = t.constraints.get_mut(name)
        else {
            return;
        };
        *was = no_inherit;
        let column = column.clone();
        let below = self.partitions_of(table);
        if no_inherit {
            for child in below {
                if let Some(t) = self.schema.tables.get_mut(&child).map(Arc::make_mut)
                    && t.inherits.contains(table)
                {
                    t.own_not_null(&column);
                }
            }
        } else {
            self.column_of_each(&below, &column, |c| c.nullable = false);
        }
    }

    /// The partitions and inheritance children of `table`, all the way down
    /// (sub-partitions, grandchildren): column changes reach every one.
    /// The partitions and inheritance children of `parent` itself (not
    /// theirs).
    pub(crate) fn direct_children(&mut self, parent: &QualName) -> Vec<QualName> {
        let mut found = self.schema.related().partitions(parent);
        found.retain(|p| {
            p != parent
                && self.schema.tables.get(p).is_some_and(|t| {
                    t.partition_of.as_ref() == Some(parent) || t.inherits.contains(parent)
                })
        });
        found.dedup();
        found
    }

    pub(crate) fn partitions_of(&mut self, table: &QualName) -> Vec<QualName> {
        let mut out: Vec<QualName> = Vec::new();
        let mut todo = vec![table.clone()];
        while let Some(parent) = todo.pop() {
            let mut found = self.schema.related().partitions(&parent);
            found.retain(|p| {
                !out.contains(p)
                    && p != table
                    && self.schema.tables.get(p).is_some_and(|t| {
                        t.partition_of.as_ref() == Some(&parent) || t.inherits.contains(&parent)
                    })
            });
            todo.extend(found.iter().cloned());
            out.extend(found);
        }
        out
    }

    /// The tables a DROP COLUMN on `table` takes `column` from: `table`, and
    /// each partition or child that has it from parents all of which lose it
    /// (and does not define it itself), recursively, as ATExecDropColumn
    /// counts a child's parents down edge by edge (the bottom of a diamond
    /// loses it when both sides do). With it, the children that keep the
    /// column, once for each parent of theirs that drops it.
    pub(crate) fn column_reach(
        &mut self,
        table: &QualName,
        column: &str,
    ) -> (Vec<QualName>, Vec<QualName>) {
        let mut out = vec![table.clone()];
        loop {
            let mut candidates: Vec<QualName> = Vec::new();
            for parent in out.clone() {
                for child in self.children_with_column(&parent, column) {
                    if !out.contains(&child) && !candidates.contains(&child) {
                        candidates.push(child);
                    }
                }
            }
            let reached: Vec<QualName> = (candidates.into_iter())
                .filter(|child| {
                    self.schema.tables.get(child).is_some_and(|t| {
                        let losing = (t.inherits.iter().chain(&t.partition_of))
                            .filter(|p| out.contains(p))
                            .count();
                        t.inherited.get(column).is_some_and(|i| {
                            !i.local && u32::try_from(losing).is_ok_and(|n| n >= i.parents)
                        })
                    })
                })
                .collect();
            if reached.is_empty() {
                break;
            }
            out.extend(reached);
        }
        let mut keep = Vec::new();
        for parent in out.clone() {
            for child in self.children_with_column(&parent, column) {
                if !out.contains(&child) {
                    keep.push(child);
                }
            }
        }
        (out, keep)
    }

    /// The direct partitions and children of `parent` that have `column`.
    pub(crate) fn children_with_column(
        &mut self,
        parent: &QualName,
        column: &str,
    ) -> Vec<QualName> {
        let mut children = self.schema.related().partitions(parent);
        children.retain(|child| {
            self.schema.tables.get(child).is_some_and(|t| {
                (t.partition_of.as_ref() == Some(parent) || t.inherits.contains(parent))
                    && t.column(column).is_some()
            })
        });
        children
    }

    /// An index on a partitioned table adopts each partition's existing index
    /// that matches it (PostgreSQL attaches it instead of building a copy, also
    /// on ATTACH PARTITION), and dropping the parent's index then drops the
    /// adopted ones. Matching takes more than the model compares, so the
    /// candidates on `partitions` become opaque.
    pub(crate) fn doubt_adopted_indexes(&mut self, parent: &Index, partitions: &[QualName]) {
        for p in partitions {
            if !self.schema.tables.get(p).is_some_and(|t| t.is_partition()) {
                continue;
            }
            for q in self.schema.related().indexes(p) {
                let adoptable = self.schema.indexes.get(&q).is_some_and(|ix| {
                    &ix.table == p
                        && ix.columns == parent.columns
                        && ix.unique == parent.unique
                        && ix.partial == parent.partial
                });
                if adoptable && !self.schema.opaque.contains(&q) {
                    self.make_opaque(
                        q,
                        "a partitioned table's index may have adopted this partition's index, which then goes with it",
                    );
                }
            }
        }
    }

    /// True when `table` is a partition (at any depth) of a table with a
    /// constraint other than a CHECK: each partition holds its own copy of
    /// those, a foreign key under the parent's name, a primary key, unique
    /// or exclusion constraint (and, from PostgreSQL 18, a NOT NULL) under a
    /// name chosen from the partition's own (`n98_at_key`). The model keeps
    /// only the parent's, so a constraint of the partition it does not know
    /// may well exist.
    pub(crate) fn has_parents_constraint_copies(&self, table: &QualName) -> bool {
        self.partition_ancestors(table).iter().any(|parent| {
            self.schema.tables.get(parent).is_some_and(|p| {
                p.constraints
                    .values()
                    .any(|k| !matches!(k, ConstraintKind::Check { .. }))
            })
        })
    }

    /// True when `table` is a partition (at any depth) of a table with an
    /// index: it holds a copy of each, under a name chosen from its own
    /// (`n98_v_idx`) that the model does not keep, so a name chosen for
    /// another of its indexes may have been taken (PostgreSQL then picks
    /// `n98_v_idx1`).
    pub(crate) fn has_parents_index_copies(&mut self, table: &QualName) -> bool {
        self.partition_ancestors(table)
            .iter()
            .any(|parent| self.has_own_index(parent))
    }

    /// DETACH PARTITION ... CONCURRENTLY leaves the partition a CHECK
    /// constraint equal to its partition constraint, which reads the keys of
    /// `parent` and of its ancestors, unless a constraint it has implies it.
    /// It is named as an unnamed CHECK is: `p_at_check` when it reads one
    /// column, else `p_check`. Which checks imply it the model cannot tell,
    /// nor name it after an expression key: the partition is then opaque.
    pub(crate) fn keep_partition_constraint(&mut self, parent: &QualName, partition: &QualName) {
        let mut keys: Vec<String> = Vec::new();
        for t in std::iter::once(parent.clone()).chain(self.partition_ancestors(parent)) {
            if let Some(Partitioning::Partitioned { key, .. }) =
                self.schema.tables.get(&t).map(|t| &t.partitioning)
            {
                for k in key {
                    if !keys.contains(k) {
                        keys.push(k.clone());
                    }
                }
            }
        }
        let Some(part) = self.schema.tables.get(partition) else {
            return;
        };
        let columns = !keys.is_empty() && keys.iter().all(|k| part.column(k).is_some());
        let checked =
            (part.constraints.values()).any(|k| matches!(k, ConstraintKind::Check { .. }));
        if !columns || checked {
            self.make_opaque(
                partition.clone(),
                "DETACH PARTITION ... CONCURRENTLY may add a CHECK constraint the model cannot name",
            );
            return;
        }
        let one = match keys.as_slice() {
            [k] => Some(k.clone()),
            _ => None,
        };
        let name = self.choose_name(partition, one.as_deref(), "check");
        if let Some(t) = self.schema.tables.get_mut(partition).map(Arc::make_mut) {
            t.constraints.insert(
                name,
                ConstraintKind::Check {
                    columns: keys,
                    no_inherit: false,
                },
            );
        }
    }

    /// The tables `table` is a partition of: its parent, the parent's parent,
    /// and so on up.
    fn partition_ancestors(&self, table: &QualName) -> Vec<QualName> {
        let mut up: Vec<QualName> = Vec::new();
        let mut at = table;
        while let Some(parent) = self
            .schema
            .tables
            .get(at)
            .and_then(|t| t.partition_of.as_ref())
        {
            if parent == table || up.contains(parent) {
                break;
            }
            up.push(parent.clone());
            at = parent;
        }
        up
    }

    /// True when an index is on `table` itself (a constraint's included).
    pub(crate) fn has_own_index(&mut self, table: &QualName) -> bool {
        self.schema.related().indexes(table).iter().any(|q| {
            self.schema
                .indexes
                .get(q)
                .is_some_and(|ix| &ix.table == table)
        })
    }

    /// An index whose name the model chose on a partition with copies of its
    /// parent's indexes: the name may be another, so the index is opaque.
    pub(crate) fn doubt_chosen_index_name(&mut self, q: &QualName, table: &QualName) {
        if self.has_parents_index_copies(table) {
            self.make_opaque(
                q.clone(),
                "an index name chosen on a partition: its copies of the parent's indexes, which the model does not name, may have taken it",
            );
        }
    }
}
