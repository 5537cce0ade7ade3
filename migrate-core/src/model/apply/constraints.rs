//! Constraints: implicit names, the indexes of keys, foreign keys' targets,
//! NOT NULL, and checks that reach the partitions and children.

use std::sync::Arc;

use super::Applier;
use crate::lower::colname::distinct_names;
use crate::lower::constraints::{Constraint, ConstraintDef};
use crate::model::schema::{ConstraintKind, Index, QualName};

impl Applier<'_> {
    pub(crate) fn add_constraint(&mut self, table: &QualName, c: &Constraint<'_>) {
        // Folded into another's index by its CREATE TABLE: nothing is built.
        if self.redundant.contains(&c.at) {
            return;
        }
        let mut keys = c.keys.clone();
        // ADD CONSTRAINT name PRIMARY KEY / UNIQUE USING INDEX idx: the index
        // becomes the constraint's, renamed to it.
        let mut adopted = None;
        if let Some(index) = c.index {
            let q = QualName::new(table.schema.clone(), index);
            match self.schema.indexes.remove(&q) {
                Some(ix) => {
                    keys.clone_from(&ix.columns);
                    // Now a constraint's index, as one the constraint built
                    // itself is (a plain unique index on its columns is all
                    // USING INDEX takes): no definition of its own.
                    adopted = Some(Index {
                        definition: String::new(),
                        ..ix
                    });
                }
                None => {
                    self.error_at(
                        self.locate(index),
                        format!("index \"{index}\" does not exist"),
                        Some("create the index first".to_owned()),
                    );
                    return;
                }
            }
        }
        // The index's columns, keys then INCLUDE, as they name it.
        let index_names = distinct_names(keys.iter().chain(&c.including).cloned());
        let (kind, label, name_cols) = match &c.kind {
            ConstraintDef::PrimaryKey => (
                ConstraintKind::PrimaryKey {
                    columns: keys.clone(),
                },
                "pkey",
                None,
            ),
            ConstraintDef::Unique => (
                ConstraintKind::Unique {
                    columns: keys.clone(),
                },
                "key",
                Some(index_names.join("_")),
            ),
            ConstraintDef::ForeignKey {
                columns,
                references,
                ref_columns,
            } => {
                let Some(pk) = references else { return };
                let Some(target) = self.table_of(pk, false) else {
                    return;
                };
                let mut ref_columns = ref_columns.clone();
                if ref_columns.is_empty() {
                    ref_columns = self
                        .schema
                        .tables
                        .get(&target)
                        .and_then(|t| t.primary_key().map(<[String]>::to_vec))
                        .unwrap_or_default();
                }
                for rc in ref_columns.clone() {
                    self.expect_column(&target, &rc, Some(pk.at));
                }
                (
                    ConstraintKind::ForeignKey {
                        columns: columns.clone(),
                        references: target,
                        ref_columns,
                    },
                    "fkey",
                    Some(columns.join("_")),
                )
            }
            ConstraintDef::Check {
                reads, no_inherit, ..
            } => {
                // PostgreSQL names a check after its column only when it uses
                // exactly one, and a whole-row reference (`CHECK (t IS NOT
                // NULL)`) is none.
                let has = |c: &str| {
                    (self.schema.tables.get(table)).is_some_and(|t| t.column(c).is_some())
                };
                // `tableoid`, the one system column a check may read, names
                // it too (get_attname knows it).
                let name_cols = match reads.as_slice() {
                    [one] if has(one) || one == "tableoid" => Some(one.clone()),
                    _ => None,
                };
                (
                    ConstraintKind::Check {
                        columns: reads.clone(),
                        no_inherit: *no_inherit,
                    },
                    "check",
                    name_cols,
                )
            }
            ConstraintDef::Exclusion {
                columns,
                name_parts,
                ..
            } => {
                keys.clone_from(columns);
                // Named after every element, as an index is.
                (
                    ConstraintKind::Exclusion,
                    "excl",
                    Some(name_parts.join("_")),
                )
            }
            ConstraintDef::NotNull { no_inherit } => {
                self.add_not_null(table, c, &keys, *no_inherit);
                return;
            }
            ConstraintDef::Other => return,
        };
        for k in keys.iter().chain(&c.including) {
            self.expect_column(table, k, Some(c.at));
        }
        if let ConstraintKind::ForeignKey { columns, .. } = &kind {
            for k in columns {
                self.expect_column(table, k, Some(c.at));
            }
        }
        // Unnamed, USING INDEX idx names the constraint after the index
        // (index_constraint_create keeps the index's name).
        let name = match (c.name, c.index) {
            (Some(n), _) | (None, Some(n)) => n.to_owned(),
            (None, None) => self.choose_name(table, name_cols.as_deref(), label),
        };
        // A primary key's columns are NOT NULL, on the partitions and
        // children too (PostgreSQL sets NOT NULL down the hierarchy).
        if let ConstraintKind::PrimaryKey { columns } = &kind {
            for k in columns {
                // A key column that was nullable gets a NOT NULL of its own;
                // one it has from a parent stays the parent's (PostgreSQL 18).
                let was_nullable = self
                    .schema
                    .tables
                    .get(table)
                    .and_then(|t| t.column(k))
                    .is_some_and(|c| c.nullable);
                self.each_column(table, k, |col| col.nullable = false);
                if was_nullable {
                    self.own_not_null(table, k);
                }
            }
        }
        let Some(tbl) = self.schema.tables.get_mut(table).map(Arc::make_mut) else {
            return;
        };
        let index = match (&kind, &c.kind) {
            (ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns }, _) => {
                Some(adopted.unwrap_or_else(|| Index {
                    table: table.clone(),
                    columns: columns.clone(),
                    unique: true,
                    partial: false,
                    uses: columns.clone(),
                    definition: String::new(),
                    names: index_names.clone(),
                }))
            }
            (
                ConstraintKind::Exclusion,
                ConstraintDef::Exclusion {
                    partial,
                    name_parts,
                    ..
                },
            ) => Some(Index {
                table: table.clone(),
                columns: keys.clone(),
                unique: false,
                partial: *partial,
                uses: keys.clone(),
                definition: String::new(),
                names: name_parts.clone(),
            }),
            _ => None,
        };
        let inherited_check = matches!(
            c.kind,
            ConstraintDef::Check {
                no_inherit: false,
                ..
            }
        );
        tbl.constraints.insert(name.clone(), kind.clone());
        if matches!(kind, ConstraintKind::Check { .. }) {
            tbl.own_checks.insert(name.clone());
        }
        if let Some(ix) = index {
            let partitions = self.partitions_of(table);
            self.doubt_adopted_indexes(&ix, &partitions);
            self.schema
                .indexes
                .insert(QualName::new(table.schema.clone(), name.clone()), ix);
        }
        // A CHECK reaches the partitions and children, under its own name.
        if inherited_check {
            for p in self.partitions_of(table) {
                if let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut) {
                    t.constraints
                        .entry(name.clone())
                        .or_insert_with(|| kind.clone());
                }
            }
        }
    }

    /// NOT NULL on `keys`: PostgreSQL 18 spells it as a constraint, named when
    /// written so (or `NO INHERIT`, which the model must remember); an
    /// unnamed one is named by `sync_not_null`. It reaches the partitions
    /// and children, unless `NO INHERIT`.
    fn add_not_null(
        &mut self,
        table: &QualName,
        c: &Constraint<'_>,
        keys: &[String],
        no_inherit: bool,
    ) {
        let eighteen = self.schema.target.0 >= 18;
        let below = if no_inherit {
            Vec::new()
        } else {
            self.partitions_of(table)
        };
        for k in keys {
            self.expect_column(table, k, Some(c.at));
            let has = self.schema.tables.get(table).is_some_and(|t| {
                t.constraints
                    .values()
                    .any(|x| matches!(x, ConstraintKind::NotNull { column, .. } if column == k))
            });
            let name = match c.name {
                Some(n) => Some(n.to_owned()),
                None if no_inherit => Some(self.choose_name(table, Some(k), "not_null")),
                None => None,
            };
            if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
                t.own_not_null(k);
                if let Some(col) = t.column_mut(k) {
                    col.nullable = false;
                }
                if eighteen
                    && let Some(name) = name
                    && !has
                {
                    t.constraints.insert(
                        name,
                        ConstraintKind::NotNull {
                            column: k.clone(),
                            no_inherit,
                        },
                    );
                }
            }
            self.column_of_each(&below, k, |col| col.nullable = false);
        }
    }

    /// NOT NULL written on `table` itself (see
    /// [`crate::model::schema::Table::own_not_null`]).
    pub(crate) fn own_not_null(&mut self, table: &QualName, column: &str) {
        if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
            t.own_not_null(column);
        }
    }
}
