//! ALTER TABLE: column and constraint commands, partitions.

use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, AlterTableType, ObjectType};

use super::{is, strings};
use crate::diag::did_you_mean;
use crate::lower::colname::columns_read;
use crate::model::apply::Applier;
use crate::model::apply::index_column_names;
use crate::model::schema::{Column, ConstraintKind, Identity, Index, Partitioning, QualName};
use crate::model::types::{self, SqlType};

impl Applier<'_> {
    pub(super) fn alter_table(&mut self, s: &pb::AlterTableStmt) {
        let Some(rv) = &s.relation else { return };
        if is(s.objtype, ObjectType::ObjectType) {
            self.alter_composite(rv, &s.cmds);
            return;
        }
        if !is(s.objtype, ObjectType::ObjectTable) && !is(s.objtype, ObjectType::ObjectForeignTable)
        {
            return;
        }
        let Some(table) = self.table_of(rv, s.missing_ok) else {
            return;
        };
        for cmd in &s.cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
                continue;
            };
            self.alter_cmd(&table, cmd);
        }
        let partitions = self.partitions_of(&table);
        for t in std::iter::once(table).chain(partitions) {
            self.sync_not_null(&t);
        }
    }

    pub(super) fn alter_cmd(&mut self, table: &QualName, cmd: &pb::AlterTableCmd) {
        let st = cmd.subtype;
        let col_exists = |r: &Self| {
            r.schema
                .tables
                .get(table)
                .is_some_and(|t| t.column(&cmd.name).is_some())
        };
        if is(st, AlterTableType::AtAddColumn) {
            if let Some(NodeEnum::ColumnDef(cd)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                // IF NOT EXISTS that skips the column skips the children too.
                let existed = self
                    .schema
                    .tables
                    .get(table)
                    .is_some_and(|t| t.column(&cd.colname).is_some());
                self.add_column(table, &crate::lower::tables::column_def(cd), cmd.missing_ok);
                if existed {
                    return;
                }
                // A column added to a partitioned table reaches its partitions.
                let added = self
                    .schema
                    .tables
                    .get(table)
                    .and_then(|t| t.column(&cd.colname).cloned());
                if let Some(col) = added {
                    for p in self.partitions_of(table) {
                        if let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut) {
                            t.inherit_column(&col);
                        }
                    }
                }
            }
        } else if is(st, AlterTableType::AtDropColumn) {
            if !col_exists(self) {
                if !cmd.missing_ok {
                    self.missing_column(table, &cmd.name, None);
                }
                return;
            }
            let cascade = is(cmd.behavior, pb::DropBehavior::DropCascade);
            if !self.drop_column_dependents(table, &cmd.name, cascade) {
                return;
            }
            self.drop_column(table, &cmd.name);
        } else if is(st, AlterTableType::AtAlterColumnType) {
            if !col_exists(self) {
                self.missing_column(table, &cmd.name, None);
                return;
            }
            if let Some(NodeEnum::ColumnDef(cd)) = cmd.def.as_ref().and_then(|d| d.node.as_ref())
                && let Some(tn) = &cd.type_name
                && let Some((ty, _)) = self.resolve_type(tn)
            {
                self.each_column(table, &cmd.name, |c| c.ty = ty.clone());
                let partitions = self.partitions_of(table);
                for t in std::iter::once(table.clone()).chain(partitions) {
                    // PostgreSQL rebuilds the indexes on the column from their
                    // printed definition, which may then read differently: a cast
                    // to the column's new type (`date(date)` on a date column)
                    // becomes the plain column. Other expressions are opaque.
                    // Rebuilt, an index's own columns take today's names
                    // (which LIKE ... INCLUDING INDEXES names its copy after).
                    for q in self.schema.related().indexes(&t) {
                        let Some(ix) = self.schema.indexes.get(&q).cloned() else {
                            continue;
                        };
                        if ix.table != t || !ix.uses.contains(&cmd.name) {
                            continue;
                        }
                        // An expression the model cannot reprint is opaque;
                        // its name (what the names come from) stays.
                        let rebuilt = if ix.columns.iter().any(|c| c == "(expr)") {
                            retyped_index(&ix, &cmd.name, &ty)
                        } else {
                            Some(ix.clone())
                        };
                        if rebuilt.is_none() {
                            self.schema.opaque.insert(q.clone());
                        }
                        let new = rebuilt.unwrap_or(ix);
                        let names = index_column_names(&Index {
                            names: Vec::new(),
                            ..new.clone()
                        });
                        self.schema.indexes.insert(q, Index { names, ..new });
                    }
                }
            }
        } else if is(st, AlterTableType::AtColumnDefault)
            || is(st, AlterTableType::AtSetNotNull)
            || is(st, AlterTableType::AtDropNotNull)
            || is(st, AlterTableType::AtAddIdentity)
            || is(st, AlterTableType::AtDropIdentity)
            || is(st, AlterTableType::AtDropExpression)
        {
            if !col_exists(self) {
                if !(is(st, AlterTableType::AtDropIdentity) && cmd.missing_ok) {
                    self.missing_column(table, &cmd.name, None);
                }
                return;
            }
            let identity = match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                Some(NodeEnum::Constraint(c)) if c.generated_when == "a" => Some(Identity::Always),
                _ => Some(Identity::ByDefault),
            };
            let mut new_sequence = false;
            let mut dropped_sequence = None;
            // Column changes on a partitioned table reach its partitions.
            let partitions = self.partitions_of(table);
            for t in std::iter::once(table.clone()).chain(partitions) {
                let Some(c) = self
                    .schema
                    .tables
                    .get_mut(&t)
                    .map(Arc::make_mut)
                    .and_then(|t| t.column_mut(&cmd.name))
                else {
                    continue;
                };
                if is(st, AlterTableType::AtColumnDefault) {
                    // SET DEFAULT NULL is no default, as DROP DEFAULT.
                    c.has_default = cmd.def.as_ref().is_some_and(|d| !is_null(d));
                } else if is(st, AlterTableType::AtSetNotNull) {
                    c.nullable = false;
                } else if is(st, AlterTableType::AtDropNotNull) {
                    c.nullable = true;
                } else if is(st, AlterTableType::AtAddIdentity) {
                    c.identity = identity;
                    c.nullable = false;
                    if t == *table {
                        new_sequence = true;
                    }
                } else if is(st, AlterTableType::AtDropIdentity) {
                    // Of a column that is no identity (a serial, say), IF EXISTS
                    // drops nothing: its sequence stays.
                    if c.identity.take().is_some() && t == *table {
                        dropped_sequence = c.sequence.take();
                    }
                } else {
                    c.generated = false;
                }
            }
            // A column that is no longer generated depends on nothing: dropping
            // what its expression read leaves it.
            if is(st, AlterTableType::AtDropExpression) {
                for t in std::iter::once(table.clone()).chain(self.partitions_of(table)) {
                    if let Some(t) = self.schema.tables.get_mut(&t).map(Arc::make_mut) {
                        t.generated_from.remove(&cmd.name);
                    }
                }
            }
            if let Some(seq) = dropped_sequence {
                self.schema
                    .sequences
                    .remove(&QualName::new(table.schema.clone(), seq));
            }
            if new_sequence {
                let seq = self.choose_sequence_name(table, &cmd.name);
                self.schema
                    .sequences
                    .insert(QualName::new(table.schema.clone(), seq.clone()));
                if let Some(c) = self
                    .schema
                    .tables
                    .get_mut(table)
                    .map(Arc::make_mut)
                    .and_then(|t| t.column_mut(&cmd.name))
                {
                    c.sequence = Some(seq);
                }
            }
        } else if is(st, AlterTableType::AtAddConstraint) {
            if let Some(NodeEnum::Constraint(c)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
                self.add_constraint(table, &crate::lower::constraints::constraint(c));
            }
        } else if is(st, AlterTableType::AtDropConstraint) {
            let removed_kind = self
                .schema
                .tables
                .get_mut(table)
                .map(Arc::make_mut)
                .and_then(|t| t.constraints.remove(&cmd.name));
            // Dropping a NOT NULL constraint (PostgreSQL 18) makes the column
            // nullable, on the partitions too.
            if let Some(ConstraintKind::NotNull { column }) = &removed_kind {
                self.each_column(table, column, |c| c.nullable = true);
            }
            // An inherited CHECK goes from the partitions and children too.
            if matches!(removed_kind, Some(ConstraintKind::Check { .. })) {
                for p in self.partitions_of(table) {
                    if let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut)
                        && matches!(
                            t.constraints.get(&cmd.name),
                            Some(ConstraintKind::Check { .. })
                        )
                    {
                        t.constraints.remove(&cmd.name);
                    }
                }
            }
            let removed = removed_kind.is_some();
            if removed {
                self.schema
                    .indexes
                    .remove(&QualName::new(table.schema.clone(), cmd.name.clone()));
            } else if !cmd.missing_ok {
                let names: Vec<String> = self
                    .schema
                    .tables
                    .get(table)
                    .map(|t| t.constraints.keys().cloned().collect())
                    .unwrap_or_default();
                let help = did_you_mean(&cmd.name, names.iter().map(String::as_str))
                    .map(|c| format!("did you mean \"{c}\"?"))
                    .unwrap_or_else(|| "add IF EXISTS if it may be absent".to_owned());
                self.error_at(
                    self.locate(&cmd.name),
                    format!(
                        "constraint \"{}\" of relation \"{table}\" does not exist",
                        cmd.name
                    ),
                    Some(help),
                );
            }
        } else if is(st, AlterTableType::AtAttachPartition) {
            if let Some(NodeEnum::PartitionCmd(pc)) = cmd.def.as_ref().and_then(|d| d.node.as_ref())
                && let Some(prv) = &pc.name
                && let Some(p) = self.table_of(prv, false)
            {
                self.inherit_from(&p, table);
                let parents: Vec<Index> = self
                    .schema
                    .related()
                    .indexes(table)
                    .iter()
                    .filter_map(|q| self.schema.indexes.get(q))
                    .filter(|ix| &ix.table == table)
                    .cloned()
                    .collect();
                if let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut) {
                    t.partitioning = Partitioning::PartitionOf(table.clone());
                    // A partition's columns are never its own (attislocal is
                    // false): the parent's DROP COLUMN always reaches them.
                    for i in t.inherited.values_mut() {
                        i.local = false;
                    }
                }
                for ix in &parents {
                    self.doubt_adopted_indexes(ix, std::slice::from_ref(&p));
                }
            }
        } else if is(st, AlterTableType::AtDetachPartition) {
            if let Some(NodeEnum::PartitionCmd(pc)) = cmd.def.as_ref().and_then(|d| d.node.as_ref())
                && let Some(prv) = &pc.name
                && let Some(p) = self.table_of(prv, false)
                && let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut)
            {
                t.partitioning = Partitioning::None;
                // A detached partition's columns are its own.
                t.inherited.clear();
                // It keeps its copies of the parent's indexes, named after what
                // the partition was called when each was made: the model does
                // not keep them.
                let indexed = self.schema.related().indexes(table).iter().any(|q| {
                    self.schema
                        .indexes
                        .get(q)
                        .is_some_and(|ix| &ix.table == table)
                });
                if indexed {
                    self.make_opaque(
                        p,
                        "DETACH PARTITION: the partition keeps copies of its parent's indexes, which the model does not name",
                    );
                }
            }
        } else if is(st, AlterTableType::AtAddInherit) {
            if let Some(NodeEnum::RangeVar(prv)) = cmd.def.as_ref().and_then(|d| d.node.as_ref())
                && let Some(parent) = self.table_of(prv, false)
            {
                self.inherit_from(table, &parent);
                if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut)
                    && !t.inherits.contains(&parent)
                {
                    t.inherits.push(parent);
                }
            }
        } else if is(st, AlterTableType::AtDropInherit)
            && let Some(NodeEnum::RangeVar(prv)) = cmd.def.as_ref().and_then(|d| d.node.as_ref())
            && let Some(parent) = self.table_of(prv, false)
        {
            let columns: Vec<String> = self
                .schema
                .tables
                .get(&parent)
                .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
                .unwrap_or_default();
            if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
                t.inherits.retain(|p| *p != parent);
                for c in &columns {
                    t.parent_lost(c);
                }
            }
        }
    }

    /// What depends on a column being dropped (generated columns, foreign keys,
    /// the views that read it): an error without CASCADE
    /// (false when the column must stay), dropped with it. A view that may read
    /// it (several relations, subqueries) becomes opaque instead.
    pub(super) fn drop_column_dependents(
        &mut self,
        table: &QualName,
        column: &str,
        cascade: bool,
    ) -> bool {
        // The column goes from the partitions and children too, and with it
        // what depends on it there.
        let (losing, _) = self.column_reach(table, column);
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
        let mut fks: Vec<(QualName, String)> = Vec::new();
        for from in self.schema.related().referencing(table) {
            if let Some(t) = self.schema.tables.get(&from) {
                for (n, k) in &t.constraints {
                    if let ConstraintKind::ForeignKey {
                        references,
                        ref_columns,
                        ..
                    } = k
                        && references == table
                        && ref_columns.iter().any(|c| c == column)
                    {
                        fks.push((from.clone(), n.clone()));
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
        let mut sure = Vec::new();
        let mut maybe = Vec::new();
        for v in self.schema.views.values() {
            if v.depends.iter().any(|d| losing.contains(d)) && v.reads.iter().any(|c| c == column) {
                if v.reads_certain {
                    sure.push(v.name.clone());
                } else {
                    maybe.push(v.name.clone());
                }
            }
        }
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

    /// ALTER TYPE composite ADD / DROP / ALTER ATTRIBUTE.
    fn alter_composite(&mut self, rv: &pb::RangeVar, cmds: &[pb::Node]) {
        let Some(q) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.composites) else {
            return;
        };
        for cmd in cmds {
            let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
                continue;
            };
            let def = cmd.def.as_ref().and_then(|d| d.node.as_ref());
            let st = cmd.subtype;
            let resolved = match def {
                Some(NodeEnum::ColumnDef(cd)) => cd
                    .type_name
                    .as_ref()
                    .and_then(|tn| self.resolve_type(tn))
                    .map(|(ty, _)| (cd.colname.clone(), ty)),
                _ => None,
            };
            let Some(cols) = self.schema.composites.get_mut(&q) else {
                return;
            };
            if is(st, AlterTableType::AtAddColumn) {
                if let Some((name, ty)) = resolved
                    && !cols.iter().any(|c| c.name == name)
                {
                    cols.push(Column::plain(name, ty));
                }
            } else if is(st, AlterTableType::AtDropColumn) {
                cols.retain(|c| c.name != cmd.name);
            } else if is(st, AlterTableType::AtAlterColumnType)
                && let Some((_, ty)) = resolved
                && let Some(c) = cols.iter_mut().find(|c| c.name == cmd.name)
            {
                c.ty = ty;
            }
        }
    }

    /// Drops a column and what PostgreSQL drops with it: the constraints and
    /// indexes that use it anywhere (keys, expressions, WHERE, INCLUDE, CHECK),
    /// and the sequence a serial or identity column owns.
    pub(super) fn drop_column(&mut self, table: &QualName, column: &str) {
        let (reach, keep) = self.column_reach(table, column);
        for child in keep {
            if let Some(t) = self.schema.tables.get_mut(&child).map(Arc::make_mut) {
                t.parent_lost(column);
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
                    | ConstraintKind::Check { columns }
                    | ConstraintKind::ForeignKey { columns, .. } => {
                        columns.iter().any(|c| c == column)
                    }
                    ConstraintKind::NotNull { column: c } => c == column,
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

/// `NULL` as written (a constant, possibly cast: `NULL::text`).
fn is_null(node: &pb::Node) -> bool {
    match node.node.as_ref() {
        Some(NodeEnum::AConst(c)) => c.isnull,
        Some(NodeEnum::TypeCast(t)) => t.arg.as_deref().is_some_and(is_null),
        _ => false,
    }
}

/// The index as PostgreSQL rebuilds it after `column` became `ty`, when every
/// expression that reads the column is a cast to `ty` of the bare column;
/// `None` when the model cannot tell.
fn retyped_index(ix: &Index, column: &str, ty: &SqlType) -> Option<Index> {
    let stmts = crate::sql::parse::parse("", &ix.definition).ok()?;
    let NodeEnum::IndexStmt(mut stmt) = stmts.into_iter().next()?.node else {
        return None;
    };
    for p in &mut stmt.index_params {
        let Some(NodeEnum::IndexElem(e)) = p.node.as_mut() else {
            continue;
        };
        let Some(expr) = e.expr.as_deref() else {
            continue;
        };
        let mut read = Vec::new();
        columns_read(Some(expr), &mut read);
        if !read.iter().any(|c| c == column) {
            continue;
        }
        let Some(NodeEnum::FuncCall(f)) = expr.node.as_ref() else {
            return None;
        };
        let cast_to = strings(&f.funcname)
            .last()
            .and_then(|n| types::resolve_builtin(n));
        let [arg] = f.args.as_slice() else {
            return None;
        };
        let bare = matches!(arg.node.as_ref(), Some(NodeEnum::ColumnRef(c))
            if strings(&c.fields).last().map(String::as_str) == Some(column));
        if !(bare && ty.array_dims == 0 && cast_to.is_some_and(|b| b.name == ty.name)) {
            return None;
        }
        e.expr = None;
        e.name = column.to_owned();
    }
    let columns = stmt
        .index_params
        .iter()
        .filter_map(|p| match p.node.as_ref() {
            Some(NodeEnum::IndexElem(e)) if e.name.is_empty() => Some("(expr)".to_owned()),
            Some(NodeEnum::IndexElem(e)) => Some(e.name.clone()),
            _ => None,
        })
        .collect();
    Some(Index {
        columns,
        definition: crate::lower::indexes::index_definition(&stmt),
        ..ix.clone()
    })
}
