//! Columns: a column definition (CREATE TABLE, ADD COLUMN) with its inline
//! constraints and sequence, a column merged with an inherited one, and the
//! NOT NULL constraints PostgreSQL 18 names.

use std::sync::Arc;

use super::Applier;
use crate::lower::constraints::{Constraint, ConstraintDef};
use crate::lower::tables::{ColumnConstraint, ColumnDef};
use crate::model::schema::{Column, ConstraintKind, Identity, QualName, Table};
use crate::model::types::SqlType;

impl Applier<'_> {
    /// Adds a column from its definition; `if_not_exists` for ADD COLUMN IF NOT EXISTS.
    /// Adds a column and applies the constraints written on it, or, with
    /// `later`, leaves them there: CREATE TABLE applies every constraint once
    /// all its columns exist (a column's foreign key may name a later column
    /// of the same table).
    pub(crate) fn add_column<'c, 'a>(
        &mut self,
        table: &QualName,
        cd: &'c ColumnDef<'a>,
        if_not_exists: bool,
        later: Option<&mut Vec<&'c Constraint<'a>>>,
    ) {
        let exists = self
            .schema
            .tables
            .get(table)
            .is_some_and(|t| t.column(cd.name).is_some());
        if exists {
            if !if_not_exists {
                self.error_at(
                    Some(cd.at),
                    format!(
                        "column \"{}\" of relation \"{table}\" already exists",
                        cd.name
                    ),
                    Some("pick another name, or add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        let Some(tn) = &cd.ty else { return };
        let (ty, serial) = self.resolve_type(tn).unwrap_or_else(|| {
            // Keep the column so later statements that use it are not errors too.
            (SqlType::builtin("unknown"), false)
        });
        let mut col = Column {
            name: cd.name.to_owned(),
            ty,
            nullable: !(serial || cd.not_null),
            has_default: serial || cd.has_default,
            identity: None,
            generated: false,
            sequence: None,
        };
        let owns_sequence = serial
            || cd
                .constraints
                .iter()
                .any(|c| matches!(c, ColumnConstraint::Identity(..)));
        // `SEQUENCE NAME x` of an identity names it (in the table's schema
        // unless qualified, which the model keeps by name only).
        let named = cd.constraints.iter().find_map(|c| match c {
            ColumnConstraint::Identity(_, Some(names)) => names.last().cloned(),
            _ => None,
        });
        if owns_sequence {
            let seq = named.unwrap_or_else(|| self.choose_sequence_name(table, cd.name));
            self.schema
                .sequences
                .insert(QualName::new(table.schema.clone(), seq.clone()));
            col.sequence = Some(seq);
        }
        let mut table_constraints = Vec::new();
        let mut generated_reads: Option<Vec<String>> = None;
        for c in &cd.constraints {
            match c {
                ColumnConstraint::NotNull(named) => {
                    col.nullable = false;
                    if let Some(c) = named {
                        table_constraints.push(c);
                    }
                }
                ColumnConstraint::Null => col.nullable = true,
                ColumnConstraint::Default => col.has_default = true,
                ColumnConstraint::Identity(always, _) => {
                    col.identity = Some(if *always {
                        Identity::Always
                    } else {
                        Identity::ByDefault
                    });
                    col.nullable = false;
                }
                ColumnConstraint::Generated(reads) => {
                    col.generated = true;
                    generated_reads = Some(reads.clone());
                }
                ColumnConstraint::Table(c) => {
                    if matches!(c.kind, ConstraintDef::PrimaryKey) {
                        col.nullable = false;
                    }
                    table_constraints.push(c);
                }
            }
        }
        // A generation expression cannot read another generated column.
        let read_generated = (generated_reads.iter().flatten()).find(|r| {
            (self.schema.tables.get(table))
                .is_some_and(|t| t.column(r).is_some_and(|c| c.generated))
        });
        if let Some(g) = read_generated
            && !self.schema.doubts(table)
        {
            let g = g.clone();
            self.error_at(
                Some(cd.at),
                format!("cannot use generated column \"{g}\" in column generation expression"),
                Some(format!(
                    "compute {} from the columns {g} is computed from",
                    cd.name
                )),
            );
        }
        if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
            if let Some(reads) = generated_reads {
                t.generated_from.insert(col.name.clone(), reads);
            }
            t.columns.push(col);
        }
        match later {
            Some(later) => later.extend(table_constraints),
            None => {
                for c in table_constraints {
                    self.add_constraint(table, c);
                }
            }
        }
    }

    /// A column written in CREATE TABLE ... INHERITS that a parent has: its own
    /// NOT NULL and DEFAULT add to the inherited definition.
    pub(crate) fn merge_inherited_column(&mut self, table: &QualName, cd: &ColumnDef<'_>) {
        // A primary key written here makes the column NOT NULL here too.
        let not_null = cd.any_not_null();
        let default = cd.any_default();
        let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) else {
            return;
        };
        // The child's own too: a parent's DROP COLUMN leaves it (a
        // partition's options do not make it its own: it has no columns of
        // its own).
        if !t.is_partition()
            && let Some(i) = t.inherited.get_mut(cd.name)
        {
            i.local = true;
        }
        if not_null {
            t.own_not_null(cd.name);
        }
        if let Some(c) = t.column_mut(cd.name) {
            c.nullable &= !not_null;
            c.has_default |= default;
        }
        // The constraints written on the column are the child's, as on a
        // column of its own (`CONSTRAINT name NOT NULL` names its NOT NULL).
        for c in &cd.constraints {
            if let ColumnConstraint::Table(c) | ColumnConstraint::NotNull(Some(c)) = c {
                self.add_constraint(table, c);
            }
        }
    }

    /// PostgreSQL 18 keeps every NOT NULL as a named constraint: one for each
    /// NOT NULL column that has none (named after the parent's it has it from,
    /// for a partition or a child whose NOT NULL is not its own, else
    /// `{table}_{column}_not_null`), none for a nullable column. Before 18
    /// there are none.
    pub(crate) fn sync_not_null(&mut self, table: &QualName) {
        if self.schema.target.0 < 18 {
            return;
        }
        let Some(t) = self.schema.tables.get(table).cloned() else {
            return;
        };
        let parents: Vec<Arc<Table>> = (t.partition_of.iter())
            .chain(&t.inherits)
            .filter_map(|p| self.schema.tables.get(p).cloned())
            .collect();
        let covered = |tbl: &Table, col: &str| {
            tbl.constraints
                .iter()
                .find(|(_, k)| matches!(k, ConstraintKind::NotNull { column, .. } if column == col))
                .map(|(n, _)| n.clone())
        };
        // The parent's name, when the NOT NULL comes from a parent.
        let inherited_name = |col: &str| {
            let own =
                t.partition_of.is_none() && t.inherited.get(col).is_some_and(|i| i.not_null_local);
            if own {
                return None;
            }
            parents
                .iter()
                .filter(|p| p.gives_not_null(col))
                .find_map(|p| covered(p, col))
        };
        let mut add: Vec<(String, String)> = Vec::new();
        let mut gone: Vec<String> = Vec::new();
        for c in &t.columns {
            if !c.nullable && covered(&t, &c.name).is_none() {
                let name = inherited_name(&c.name).unwrap_or_else(|| {
                    let taken: Vec<&str> = add.iter().map(|(n, _)| n.as_str()).collect();
                    let mut n = self.choose_name(table, Some(&c.name), "not_null");
                    let mut i = 1;
                    while taken.contains(&n.as_str()) {
                        n = self.choose_name(table, Some(&c.name), &format!("not_null{i}"));
                        i += 1;
                    }
                    n
                });
                add.push((name, c.name.clone()));
            }
        }
        for (n, k) in &t.constraints {
            if let ConstraintKind::NotNull { column, .. } = k
                && t.column(column).is_none_or(|c| c.nullable)
            {
                gone.push(n.clone());
            }
        }
        if add.is_empty() && gone.is_empty() {
            return;
        }
        if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
            for n in gone {
                t.constraints.remove(&n);
            }
            for (n, column) in add {
                t.constraints.insert(
                    n,
                    ConstraintKind::NotNull {
                        column,
                        no_inherit: false,
                    },
                );
            }
        }
    }
}
