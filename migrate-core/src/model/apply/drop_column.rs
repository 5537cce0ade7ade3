//! DROP COLUMN: what depends on the column (generated columns, foreign keys,
//! views) refuses it or goes with it (CASCADE), and what PostgreSQL drops
//! with it (constraints, indexes, its sequence), on the partitions and
//! children too.

use std::sync::Arc;

use super::Applier;
use crate::model::schema::{ConstraintKind, QualName, retain};

impl Applier<'_> {
    /// What depends on a column being dropped (generated columns, foreign keys,
    /// the views that read it): an error without CASCADE
    /// (false when the column must stay), dropped with it. A view that may read
    /// it (several relations, subqueries) becomes opaque instead.
    /// The views that read `column` of one of `tables`: those that surely
    /// do (they read one relation), and those whose name may be another
    /// relation's column.
    pub(crate) fn views_reading(
        &self,
        tables: &[QualName],
        column: &str,
    ) -> (Vec<QualName>, Vec<QualName>) {
        let mut sure = Vec::new();
        let mut maybe = Vec::new();
        for v in self.schema.views.values() {
            if v.depends.iter().any(|d| tables.contains(d)) && v.reads.iter().any(|c| c == column) {
                if v.reads_certain {
                    sure.push(v.name.clone());
                } else {
                    maybe.push(v.name.clone());
                }
            }
        }
        (sure, maybe)
    }

    pub(crate) fn drop_column_dependents(
        &mut self,
        table: &QualName,
        column: &str,
        cascade: bool,
    ) -> bool {
        // The column goes from the partitions and children too, and with it
        // what depends on it there.
        let (losing, _) = self.column_reach(table, column);
        // Triggers whose UPDATE OF or WHEN names it go with it (without
        // CASCADE PostgreSQL refuses; the model does not check that).
        if cascade {
            retain(&mut self.schema.triggers, |(t, _), trig| {
                !losing.contains(t) || !trig.columns.iter().any(|c| c == column)
            });
        }
        // Generated columns computed from it: dropped with it, and from
        // PostgreSQL 15 on an error without CASCADE (14 drops them silently).
        let generated: Vec<(QualName, String)> = losing
            .iter()
            .filter_map(|q| self.schema.tables.get(q))
            .flat_map(|t| {
                t.generated_from
                    .iter()
                    .filter(|(g, reads)| *g != column && reads.iter().any(|r| r == column))
                    .map(|(g, _)| (t.name.clone(), g.clone()))
            })
            .collect();
        if let Some((t, g)) = generated.iter().find(|(t, _)| !self.schema.doubts(t))
            && !cascade
            && self.schema.target.0 >= 15
            // PostgreSQL 14 drops the generated column with it.
            && !self.schema.any_server
        {
            let (t, g) = (t.clone(), g.clone());
            self.error_at(
                self.locate(column),
                format!(
                    "cannot drop column {column} of table {t}: generated column {g} depends on it"
                ),
                Some("drop the generated column first, or add CASCADE".to_owned()),
            );
            return false;
        }
        for (t, g) in generated {
            self.drop_column_cascade(&t, &g);
        }
        // Foreign keys elsewhere that reference the column (through the key it is
        // part of): an error without CASCADE, dropped with it.
        // On the partitions and children that lose it too; a REFERENCES
        // without columns names the primary key's.
        let mut fks: Vec<(QualName, String)> = Vec::new();
        for target in &losing {
            let key: Vec<String> = (self.schema.tables.get(target))
                .and_then(|t| t.primary_key().map(<[String]>::to_vec))
                .unwrap_or_default();
            for from in self.schema.related().referencing(target) {
                if let Some(t) = self.schema.tables.get(&from) {
                    for (n, k) in &t.constraints {
                        if let ConstraintKind::ForeignKey {
                            references,
                            ref_columns,
                            ..
                        } = k
                            && references == target
                            && (ref_columns.iter().any(|c| c == column)
                                || (ref_columns.is_empty() && key.iter().any(|c| c == column)))
                        {
                            fks.push((from.clone(), n.clone()));
                        }
                    }
                }
            }
        }
        if let Some((t, n)) = fks
            .iter()
            .find(|(t, _)| t != table && !self.schema.doubts(t))
            && !cascade
        {
            let (t, n) = (t.clone(), n.clone());
            self.error_at(
                self.locate(column),
                format!("cannot drop column {column} of table {table}: constraint {n} on table {t} depends on it"),
                Some("drop the constraint first, or add CASCADE".to_owned()),
            );
            return false;
        }
        for (t, n) in fks {
            if let Some(t) = self.schema.tables.get_mut(&t).map(Arc::make_mut) {
                t.constraints.remove(&n);
            }
        }
        let (sure, maybe) = self.views_reading(&losing, column);
        if let Some(v) = sure.iter().find(|v| !self.schema.doubts(v))
            && !cascade
        {
            let v = v.clone();
            self.error_at(
                self.locate(column),
                format!("cannot drop column {column} of table {table}: view {v} depends on it"),
                Some(format!("drop view {v} first, or add CASCADE")),
            );
            return false;
        }
        for v in sure {
            if self.drop_dependent_views(&v, &[], true) {
                self.drop_view(&v);
            }
        }
        for v in maybe {
            self.maybe_dropped(v, "DROP COLUMN may have dropped (or, without CASCADE, been refused by) a view that reads the column");
        }
        true
    }

    /// Drops a column and what PostgreSQL drops with it: the constraints and
    /// indexes that use it anywhere (keys, expressions, WHERE, INCLUDE, CHECK),
    /// and the sequence a serial or identity column owns.
    /// Drops `column` from `table` and from the children that have it only
    /// from there. With `only` (ALTER TABLE ONLY) no child loses it: each
    /// child's column becomes its own (attislocal), as PostgreSQL does.
    pub(crate) fn drop_column(&mut self, table: &QualName, column: &str, only: bool) {
        let (reach, keep) = if only {
            (
                vec![table.clone()],
                self.children_with_column(table, column),
            )
        } else {
            self.column_reach(table, column)
        };
        for child in keep {
            if let Some(t) = self.schema.tables.get_mut(&child).map(Arc::make_mut) {
                t.parent_lost(column);
                if only && let Some(i) = t.inherited.get_mut(column) {
                    i.local = true;
                }
            }
        }
        for t in reach {
            let Some(tbl) = self.schema.tables.get_mut(&t).map(Arc::make_mut) else {
                continue;
            };
            let owned = tbl.column(column).and_then(|c| c.sequence.clone());
            tbl.columns.retain(|c| c.name != column);
            tbl.inherited.remove(column);
            tbl.generated_from.remove(column);
            let gone: Vec<String> = tbl
                .constraints
                .iter()
                .filter(|(_, k)| match k {
                    ConstraintKind::PrimaryKey { columns }
                    | ConstraintKind::Unique { columns }
                    | ConstraintKind::Check { columns, .. }
                    | ConstraintKind::ForeignKey { columns, .. } => {
                        columns.iter().any(|c| c == column)
                    }
                    ConstraintKind::NotNull { column: c, .. } => c == column,
                    ConstraintKind::Exclusion => false,
                })
                .map(|(n, _)| n.clone())
                .collect();
            for n in gone {
                tbl.constraints.remove(&n);
            }
            for ix in self.schema.related().indexes(&t) {
                if self
                    .schema
                    .indexes
                    .get(&ix)
                    .is_some_and(|i| i.table == t && i.uses.iter().any(|c| c == column))
                {
                    self.schema.indexes.remove(&ix);
                    // An exclusion constraint lives and dies with its index.
                    if let Some(tbl) = self.schema.tables.get_mut(&t).map(Arc::make_mut) {
                        tbl.constraints.remove(&ix.name);
                    }
                }
            }
            if let Some(seq) = owned {
                self.schema
                    .sequences
                    .remove(&QualName::new(t.schema.clone(), seq));
            }
        }
    }
}
