//! RENAME and SET SCHEMA: which object the name is, and the checks on it;
//! what follows the object to its new name is in `moves.rs`.

use std::sync::Arc;

use super::Applier;
use crate::lower::RelName;
use crate::lower::rename::{Rename, SetSchema, Target};
use crate::model::schema::{ConstraintKind, QualName, update_all};

impl Applier<'_> {
    /// ALTER TABLE, VIEW, SEQUENCE and INDEX accept one another's relations
    /// (ALTER TABLE v RENAME TO w renames a view): the kind of relation the name
    /// is, else the kind the statement says.
    fn relation_kind(&self, rv: Option<&RelName<'_>>, said: Target) -> Target {
        let Some(rv) = rv else { return said };
        if !said.is_relation() {
            return said;
        }
        let (sc, n) = (rv.schema, rv.name);
        if self.resolve(sc, n, &self.schema.tables).is_some() {
            Target::Table
        } else if let Some(v) = self.resolve(sc, n, &self.schema.views) {
            if self.schema.views.get(&v).is_some_and(|v| v.materialized) {
                Target::Matview
            } else {
                Target::View
            }
        } else if self.resolve(sc, n, &self.schema.sequences).is_some() {
            Target::Sequence
        } else if self.resolve(sc, n, &self.schema.indexes).is_some() {
            Target::Index
        } else {
            said
        }
    }

    pub(crate) fn rename(&mut self, s: &Rename<'_>) {
        let rt = self.relation_kind(s.relation.as_ref(), s.target);
        if rt == Target::Table || rt == Target::ForeignTable {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.table_of(rv, s.missing_ok) {
                let new = QualName::new(old.schema.clone(), s.newname.to_owned());
                self.rename_table(&old, new);
            }
        } else if rt == Target::Column {
            let Some(rv) = &s.relation else { return };
            if let Some(v) = self.resolve(rv.schema, rv.name, &self.schema.views) {
                self.rename_view_column(&v, s.subname, s.newname);
                return;
            }
            let Some(table) = self.table_of(rv, s.missing_ok) else {
                return;
            };
            let has = |r: &Self, c: &str| {
                r.schema
                    .tables
                    .get(&table)
                    .is_some_and(|t| t.column(c).is_some())
            };
            if !has(self, s.subname) {
                if !s.missing_ok {
                    self.missing_column(&table, s.subname, None);
                }
                return;
            }
            if has(self, s.newname) {
                self.error_at(
                    self.locate(s.newname),
                    format!(
                        "column \"{}\" of relation \"{table}\" already exists",
                        s.newname
                    ),
                    None,
                );
                return;
            }
            self.rename_column(&table, s.subname, s.newname);
        } else if rt == Target::TabConstraint {
            let Some(rv) = &s.relation else { return };
            let Some(table) = self.table_of(rv, s.missing_ok) else {
                return;
            };
            let Some(tbl) = self.schema.tables.get_mut(&table).map(Arc::make_mut) else {
                return;
            };
            match tbl.constraints.remove(s.subname) {
                Some(k) => {
                    tbl.constraints.insert(s.newname.to_owned(), k.clone());
                    if tbl.own_checks.remove(s.subname) {
                        tbl.own_checks.insert(s.newname.to_owned());
                    }
                    // The copies a CHECK or NOT NULL has on the partitions and
                    // children, under its name, are renamed with it.
                    let inherited = matches!(
                        k,
                        ConstraintKind::Check {
                            no_inherit: false,
                            ..
                        } | ConstraintKind::NotNull {
                            no_inherit: false,
                            ..
                        }
                    );
                    if inherited {
                        for p in self.partitions_of(&table) {
                            if let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut)
                                && t.constraints.get(s.subname) == Some(&k)
                                && let Some(copy) = t.constraints.remove(s.subname)
                            {
                                t.constraints.insert(s.newname.to_owned(), copy);
                            }
                        }
                    }
                    // A key's or exclusion constraint's index is renamed
                    // with it (an index of the name may be another's).
                    let old = QualName::new(table.schema.clone(), s.subname.to_owned());
                    if k.has_index()
                        && self
                            .schema
                            .indexes
                            .get(&old)
                            .is_some_and(|i| i.table == table)
                        && let Some(ix) = self.schema.indexes.remove(&old)
                    {
                        self.schema.indexes.insert(
                            QualName::new(table.schema.clone(), s.newname.to_owned()),
                            ix,
                        );
                    }
                }
                // A partition's copy of its parent's constraint: PostgreSQL
                // renames it, the model never had it.
                None if self.has_parents_constraint_copies(&table) => {}
                None => self.error_at(
                    self.locate(s.subname),
                    format!(
                        "constraint \"{}\" of relation \"{table}\" does not exist",
                        s.subname
                    ),
                    None,
                ),
            }
        } else if rt == Target::Index {
            let Some(rv) = &s.relation else { return };
            match self.resolve(rv.schema, rv.name, &self.schema.indexes) {
                Some(old) => {
                    let Some(ix) = self.schema.indexes.remove(&old) else {
                        return;
                    };
                    self.carry_opacity(
                        &old,
                        &QualName::new(old.schema.clone(), s.newname.to_owned()),
                    );
                    // Renaming a constraint's index renames the constraint
                    // too (a key's or exclusion's, not a check of the name).
                    if let Some(t) = self.schema.tables.get_mut(&ix.table).map(Arc::make_mut)
                        && t.constraints
                            .get(&old.name)
                            .is_some_and(ConstraintKind::has_index)
                        && let Some(k) = t.constraints.remove(&old.name)
                    {
                        t.constraints.insert(s.newname.to_owned(), k);
                    }
                    self.schema
                        .indexes
                        .insert(QualName::new(old.schema, s.newname.to_owned()), ix);
                }
                None if s.missing_ok => {}
                None => self.incomplete("renames an index the model does not know"),
            }
        } else if rt == Target::View || rt == Target::Matview {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.resolve(rv.schema, rv.name, &self.schema.views) {
                let new = QualName::new(old.schema.clone(), s.newname.to_owned());
                self.move_view(&old, new);
            } else if !s.missing_ok {
                self.error_at(
                    Some(rv.at),
                    format!("view \"{}\" does not exist", rv.name),
                    None,
                );
            }
        } else if rt == Target::Attribute {
            // ALTER TYPE composite RENAME ATTRIBUTE a TO b.
            if let Some(rv) = &s.relation
                && let Some(q) = self.resolve(rv.schema, rv.name, &self.schema.composites)
                && let Some(c) = self
                    .schema
                    .composites
                    .get_mut(&q)
                    .and_then(|cols| cols.iter_mut().find(|c| c.name == s.subname))
            {
                c.name = s.newname.to_owned();
                // Indexes on a column of the type read the attribute by
                // number: their definitions show the new name.
                self.rewrite_index_definitions(
                    &q,
                    &format!(").{}", s.subname),
                    &format!(").{}", s.newname),
                );
                // The tables of the type rename their column with it.
                for t in self.typed_tables(&q) {
                    self.rename_column(&t, s.subname, s.newname);
                }
            }
        } else if rt == Target::Type || rt == Target::Domain {
            self.rename_type(&s.object, s.newname);
        } else if rt == Target::Schema {
            if self.schema.schemas.contains(s.subname) {
                self.rename_schema(s.subname, s.newname);
            }
        } else if rt == Target::Sequence {
            if let Some(rv) = &s.relation
                && let Some(old) = self.resolve(rv.schema, rv.name, &self.schema.sequences)
            {
                self.schema.sequences.remove(&old);
                let new = s.newname.to_owned();
                update_all(&mut self.schema.tables, |t| {
                    if t.name.schema != old.schema
                        || !t
                            .columns
                            .iter()
                            .any(|c| c.sequence.as_deref() == Some(old.name.as_str()))
                    {
                        return;
                    }
                    for c in &mut Arc::make_mut(t).columns {
                        if c.sequence.as_deref() == Some(old.name.as_str()) {
                            c.sequence = Some(new.clone());
                        }
                    }
                });
                self.schema
                    .sequences
                    .insert(QualName::new(old.schema, s.newname.to_owned()));
            }
        } else if rt == Target::Trigger {
            if let Some(rv) = &s.relation
                && let Some(t) = self.table_of(rv, false)
                && let Some(f) = self
                    .schema
                    .triggers
                    .remove(&(t.clone(), s.subname.to_owned()))
            {
                self.schema.triggers.insert((t, s.newname.to_owned()), f);
            }
        } else if (rt == Target::Function || rt == Target::Procedure)
            && let Some(objname) = &s.function
        {
            // Found through the search path, as PostgreSQL finds it.
            let old = (self.resolve_list(objname, &self.schema.functions))
                .unwrap_or_else(|| self.qual_from_list(objname));
            let new = QualName::new(old.schema.clone(), s.newname.to_owned());
            let key = (s.function_args.as_ref()).map(|args| {
                args.iter()
                    .map(|t| self.function_type(t))
                    .collect::<Vec<_>>()
            });
            self.move_overload(&old, new, key);
        }
    }

    /// SET SCHEMA of a table or materialized view: its indexes move to the
    /// new schema with it (their `table` is repointed by the caller).
    fn move_indexes(&mut self, relation: &QualName, schema: &str) {
        let moved: Vec<QualName> = self
            .schema
            .indexes
            .iter()
            .filter(|(_, ix)| &ix.table == relation)
            .map(|(n, _)| n.clone())
            .collect();
        for n in moved {
            let Some(ix) = self.schema.indexes.remove(&n) else {
                continue;
            };
            let to = QualName::new(schema.to_owned(), n.name.clone());
            // A doubt about the index (a parent's index may have adopted
            // it) moves with it.
            self.carry_opacity(&n, &to);
            self.schema.indexes.insert(to, ix);
        }
    }

    pub(crate) fn set_schema(&mut self, s: &SetSchema<'_>) {
        let ot = self.relation_kind(s.relation.as_ref(), s.target);
        if !self.schema.schemas.contains(s.new_schema) && !self.schema.lost() {
            self.error_at(
                self.locate(s.new_schema),
                format!("schema \"{}\" does not exist", s.new_schema),
                Some(format!("run CREATE SCHEMA {} first", s.new_schema)),
            );
            return;
        }
        if ot == Target::Table {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.table_of(rv, s.missing_ok) {
                let new = QualName::new(s.new_schema.to_owned(), old.name.clone());
                // Owned sequences move with their table, as its indexes do.
                let owned: Vec<String> = self
                    .schema
                    .tables
                    .get(&old)
                    .map(|t| {
                        t.columns
                            .iter()
                            .filter_map(|c| c.sequence.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                for seq in owned {
                    if self
                        .schema
                        .sequences
                        .remove(&QualName::new(old.schema.clone(), seq.clone()))
                        .is_some()
                    {
                        self.schema
                            .sequences
                            .insert(QualName::new(s.new_schema.to_owned(), seq));
                    }
                }
                self.move_indexes(&old, s.new_schema);
                self.rename_table(&old, new);
            }
        } else if ot == Target::Type || ot == Target::Domain {
            let names = &s.object;
            let found = self
                .resolve_list(names, &self.schema.enums)
                .or_else(|| self.resolve_list(names, &self.schema.domains))
                .or_else(|| self.resolve_list(names, &self.schema.composites))
                .or_else(|| self.resolve_list(names, &self.schema.other_types));
            if let Some(old) = found {
                let new = QualName::new(s.new_schema.to_owned(), old.name.clone());
                self.move_type(&old, new);
            }
        } else if ot == Target::View || ot == Target::Matview {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.resolve(rv.schema, rv.name, &self.schema.views) {
                let new = QualName::new(s.new_schema.to_owned(), old.name.clone());
                // A materialized view's indexes move with it.
                self.move_indexes(&old, s.new_schema);
                self.move_view(&old, new);
            }
        } else if matches!(ot, Target::Function | Target::Procedure) {
            if let Some(old) = self.resolve_list(&s.object, &self.schema.functions) {
                let new = QualName::new(s.new_schema.to_owned(), old.name.clone());
                self.move_function(&old, new);
            }
        } else if ot == Target::Sequence
            && let Some(rv) = &s.relation
            && let Some(old) = self.resolve(rv.schema, rv.name, &self.schema.sequences)
        {
            self.schema.sequences.remove(&old);
            self.schema
                .sequences
                .insert(QualName::new(s.new_schema.to_owned(), old.name));
        }
    }
}
