//! What follows a renamed or moved object: the views that read it, indexes
//! and constraints, owned sequences, columns of a renamed type.

use std::sync::Arc;

use super::Applier;
use crate::lower::indexes::rename_column_in_definition;
use crate::model::function::is_type;
use crate::model::schema::{ConstraintKind, QualName, update_all};
use crate::model::types::SqlType;

impl Applier<'_> {
    /// Renames or moves a view: the views that read it, and a materialized
    /// view's indexes, follow.
    pub(crate) fn move_view(&mut self, old: &QualName, new: QualName) {
        let Some(mut v) = self.schema.views.remove(old) else {
            return;
        };
        self.carry_opacity(old, &new);
        v.name = new.clone();
        self.schema.views.insert(new.clone(), v);
        update_all(&mut self.schema.views, |v| {
            for d in &mut v.depends {
                if d == old {
                    *d = new.clone();
                }
            }
        });
        update_all(&mut self.schema.indexes, |ix| {
            if &ix.table == old {
                ix.table = new.clone();
            }
        });
        // INSTEAD OF triggers are the view's.
        self.move_triggers(old, &new);
    }

    /// The triggers of relation `old` are `new`'s.
    fn move_triggers(&mut self, old: &QualName, new: &QualName) {
        let triggers: Vec<_> = (self.schema.triggers.iter())
            .filter(|((t, _), _)| t == old)
            .map(|(k, f)| (k.clone(), f.clone()))
            .collect();
        for ((t, n), f) in triggers {
            self.schema.triggers.remove(&(t, n.clone()));
            self.schema.triggers.insert((new.clone(), n), f);
        }
    }

    /// Renames or moves a function's overloads; the triggers that execute it
    /// follow (PostgreSQL keeps them by oid). Of a name with several
    /// overloads the statement moves one, which the model cannot pick out
    /// here: both names are doubted instead.
    /// RENAME of the overload of `old` with input types `key` (when the
    /// statement gives them): one of several moves alone, and the triggers
    /// go with it when it is the one without arguments (the only one a
    /// trigger executes). Otherwise as [`Self::move_function`].
    pub(crate) fn move_overload(
        &mut self,
        old: &QualName,
        new: QualName,
        key: Option<Vec<SqlType>>,
    ) {
        let Some(mut overloads) = self.schema.functions.get(old).cloned() else {
            return;
        };
        let Some(moved) = key
            .as_ref()
            .filter(|_| overloads.len() > 1)
            .and_then(|k| overloads.remove(k))
        else {
            return self.move_function(old, new);
        };
        let key = moved.inputs();
        if key.is_empty() {
            update_all(&mut self.schema.triggers, |t| {
                if &t.function == old {
                    t.function = new.clone();
                }
            });
        }
        self.schema.functions.insert(old.clone(), overloads);
        let mut at_new = self.schema.functions.get(&new).cloned().unwrap_or_default();
        at_new.insert(key, moved);
        self.schema.functions.insert(new, at_new);
    }

    pub(crate) fn move_function(&mut self, old: &QualName, new: QualName) {
        let Some(moved) = self.schema.functions.get(old).cloned() else {
            return;
        };
        if moved.len() > 1 {
            let why = "RENAME or SET SCHEMA of one overload of several";
            self.make_opaque(old.clone(), why);
            self.make_opaque(new, why);
            return;
        }
        self.schema.functions.remove(old);
        self.carry_opacity(old, &new);
        update_all(&mut self.schema.triggers, |t| {
            if &t.function == old {
                t.function = new.clone();
            }
        });
        let mut at_new = self.schema.functions.get(&new).cloned().unwrap_or_default();
        at_new.extend(moved);
        self.schema.functions.insert(new, at_new);
    }

    /// ALTER SCHEMA old RENAME TO new: every object in `old` is in `new`, and
    /// what refers to it follows (PostgreSQL keeps the references by oid).
    /// Each kind moves through its own move, which repoints its referrers.
    pub(crate) fn rename_schema(&mut self, old: &str, new: &str) {
        fn in_old<V>(map: &crate::model::schema::Map<QualName, V>, old: &str) -> Vec<QualName> {
            map.keys().filter(|k| k.schema == old).cloned().collect()
        }
        let to = |q: &QualName| QualName::new(new.to_owned(), q.name.clone());
        self.schema.schemas.remove(old);
        self.schema.schemas.insert(new.to_owned());
        for t in in_old(&self.schema.tables, old) {
            self.rename_table(&t, to(&t));
        }
        for v in in_old(&self.schema.views, old) {
            self.move_view(&v, to(&v));
        }
        // An index is in its table's schema, and so is a sequence a column
        // owns (`Column::sequence` names it without a schema).
        for ix in in_old(&self.schema.indexes, old) {
            if let Some(index) = self.schema.indexes.remove(&ix) {
                self.carry_opacity(&ix, &to(&ix));
                self.schema.indexes.insert(to(&ix), index);
            }
        }
        let sequences: Vec<QualName> = (self.schema.sequences.iter())
            .filter(|q| q.schema == old)
            .cloned()
            .collect();
        for q in sequences {
            self.schema.sequences.remove(&q);
            self.carry_opacity(&q, &to(&q));
            self.schema.sequences.insert(to(&q));
        }
        let mut types: Vec<QualName> = in_old(&self.schema.enums, old);
        types.extend(in_old(&self.schema.domains, old));
        types.extend(in_old(&self.schema.composites, old));
        types.extend(
            self.schema
                .other_types
                .iter()
                .filter(|q| q.schema == old)
                .cloned(),
        );
        for ty in types {
            self.move_type(&ty, to(&ty));
        }
        // A range's multirange was in the schema too: it moved with it.
        let multiranges = std::mem::take(&mut self.schema.multiranges);
        for (range, multi) in multiranges {
            let multi = if multi.schema == old {
                to(&multi)
            } else {
                multi
            };
            if multi != super::multirange_of(&range) {
                self.schema.multiranges.insert(range, multi);
            }
        }
        // All the overloads of a name move (`move_function` moves one).
        for f in in_old(&self.schema.functions, old) {
            let Some(overloads) = self.schema.functions.remove(&f) else {
                continue;
            };
            self.carry_opacity(&f, &to(&f));
            update_all(&mut self.schema.triggers, |t| {
                if t.function == f {
                    t.function = to(&f);
                }
            });
            self.schema.functions.insert(to(&f), overloads);
        }
        update_all(&mut self.schema.extension_schemas, |s| {
            if s == old {
                *s = new.to_owned();
            }
        });
        if self.schema.foreign_imports.remove(old).is_some() {
            self.schema.foreign_imports.insert(new.to_owned());
        }
        if let Some(h) = &mut self.schema.history_table
            && h.schema == old
        {
            h.schema = new.to_owned();
        }
        // Whatever else the model doubts there (an object it only knows by
        // name), it doubts under the new name.
        let doubted: Vec<QualName> = (self.schema.opaque.iter())
            .filter(|q| q.schema == old)
            .cloned()
            .collect();
        for q in doubted {
            self.carry_opacity(&q, &to(&q));
        }
    }

    /// In the definitions of the indexes that read a column of type `ty`
    /// (or an array of it), `from` becomes `to`: the text of a renamed enum
    /// label or composite attribute, which PostgreSQL stores by number. An
    /// index that reads no such column keeps its text (`name = 'a'` on a
    /// text column is no label).
    pub(crate) fn rewrite_index_definitions(&mut self, ty: &QualName, from: &str, to: &str) {
        let columns: Vec<(QualName, Vec<String>)> = (self.schema.tables.values())
            .map(|t| {
                let of: Vec<String> = (t.columns.iter())
                    .filter(|c| is_type(&c.ty, ty))
                    .map(|c| c.name.clone())
                    .collect();
                (t.name.clone(), of)
            })
            .filter(|(_, of)| !of.is_empty())
            .collect();
        update_all(&mut self.schema.indexes, |ix| {
            let reads = (columns.iter())
                .any(|(t, of)| t == &ix.table && ix.uses.iter().any(|u| of.contains(u)));
            if reads && ix.definition.contains(from) {
                ix.definition = ix.definition.replace(from, to);
            }
        });
    }

    /// What the model doubts under the old name, it doubts under the new one.
    pub(crate) fn carry_opacity(&mut self, old: &QualName, new: &QualName) {
        if self.schema.opaque.remove(old).is_some() {
            self.schema.opaque.insert(new.clone());
        }
    }

    pub(crate) fn rename_table(&mut self, old: &QualName, new: QualName) {
        let Some(mut t) = self.schema.tables.remove(old) else {
            return;
        };
        self.carry_opacity(old, &new);
        // Views read tables by identity, not by name.
        update_all(&mut self.schema.views, |v| {
            for d in &mut v.depends {
                if d == old {
                    *d = new.clone();
                }
            }
        });
        Arc::make_mut(&mut t).name = new.clone();
        self.schema.tables.insert(new.clone(), t);
        update_all(&mut self.schema.tables, |t| {
            let refers = t.partition_of.as_ref() == Some(old)
                || t.inherits.contains(old)
                || t.constraints.values().any(
                    |k| matches!(k, ConstraintKind::ForeignKey { references, .. } if references == old),
                );
            if !refers {
                return;
            }
            let t = Arc::make_mut(t);
            for k in t.constraints.values_mut() {
                if let ConstraintKind::ForeignKey { references, .. } = k
                    && references == old
                {
                    *references = new.clone();
                }
            }
            if t.partition_of.as_ref() == Some(old) {
                t.partition_of = Some(new.clone());
            }
            for p in &mut t.inherits {
                if p == old {
                    *p = new.clone();
                }
            }
        });
        update_all(&mut self.schema.indexes, |ix| {
            if &ix.table == old {
                ix.table = new.clone();
            }
        });
        self.move_triggers(old, &new);
        // The table's row type is renamed with it, in every function that
        // takes or returns it, and every column of it.
        self.retype(old, &new);
    }

    pub(crate) fn rename_column(&mut self, table: &QualName, old: &str, new: &str) {
        let fix = |cols: &mut Vec<String>| rename_in(cols, old, new);
        // The column is renamed on the partitions and children too, and with
        // it what refers to it there.
        let mut family = vec![table.clone()];
        family.extend(self.partitions_of(table));
        self.each_column(table, old, |c| c.name = new.to_owned());
        let triggers: Vec<_> = (self.schema.triggers.iter())
            .filter(|((t, _), trig)| family.contains(t) && trig.columns.iter().any(|c| c == old))
            .map(|(k, trig)| (k.clone(), trig.clone()))
            .collect();
        for (k, mut trig) in triggers {
            rename_in(&mut trig.columns, old, new);
            self.schema.triggers.insert(k, trig);
        }
        update_all(&mut self.schema.tables, |t| {
            let refers = family.contains(&t.name)
                || t.constraints.values().any(
                    |k| matches!(k, ConstraintKind::ForeignKey { references, .. } if family.contains(references)),
                );
            if !refers {
                return;
            }
            let t = Arc::make_mut(t);
            let own = family.contains(&t.name);
            for k in t.constraints.values_mut() {
                match k {
                    ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns }
                        if own =>
                    {
                        fix(columns)
                    }
                    ConstraintKind::ForeignKey {
                        columns,
                        references,
                        ref_columns,
                    } => {
                        if own {
                            fix(columns);
                        }
                        if family.contains(references) {
                            fix(ref_columns);
                        }
                    }
                    _ => {}
                }
            }
        });
        update_all(&mut self.schema.indexes, |ix| {
            if family.contains(&ix.table) {
                fix(&mut ix.columns);
                fix(&mut ix.uses);
                ix.definition = rename_column_in_definition(&ix.definition, old, new);
            }
        });
        // Views read columns by position: the name they read follows, on a
        // child's column as on the parent's.
        update_all(&mut self.schema.views, |v| {
            if v.depends.iter().any(|d| family.contains(d)) {
                fix(&mut v.reads);
            }
        });
        let partitions = self.partitions_of(table);
        update_all(&mut self.schema.tables, |t| {
            if &t.name != table && !partitions.contains(&t.name) {
                return;
            }
            let t = Arc::make_mut(t);
            if let Some(i) = t.inherited.remove(old) {
                t.inherited.insert(new.to_owned(), i);
            }
            if let Some(reads) = t.generated_from.remove(old) {
                t.generated_from.insert(new.to_owned(), reads);
            }
            for reads in t.generated_from.values_mut() {
                fix(reads);
            }
            for k in t.constraints.values_mut() {
                match k {
                    ConstraintKind::Check { columns, .. } => fix(columns),
                    ConstraintKind::NotNull { column, .. } if column == old => {
                        *column = new.to_owned()
                    }
                    _ => {}
                }
            }
        });
    }

    /// ALTER VIEW / MATERIALIZED VIEW (or TABLE) v RENAME COLUMN: the view's
    /// column, a materialized view's indexes on it, and what the views on it
    /// read (they read by position; their own column names stay).
    pub(crate) fn rename_view_column(&mut self, view: &QualName, old: &str, new: &str) {
        let fix = |cols: &mut Vec<String>| rename_in(cols, old, new);
        if let Some(v) = self.schema.views.get_mut(view) {
            for c in v.columns.iter_mut().flatten() {
                if c.name == old {
                    c.name = new.to_owned();
                }
            }
        }
        update_all(&mut self.schema.views, |v| {
            if v.depends.contains(view) {
                fix(&mut v.reads);
            }
        });
        update_all(&mut self.schema.indexes, |ix| {
            if &ix.table == view {
                fix(&mut ix.columns);
                fix(&mut ix.uses);
                ix.definition = rename_column_in_definition(&ix.definition, old, new);
            }
        });
    }

    pub(crate) fn rename_type(&mut self, names: &[String], new_name: &str) {
        let found = self
            .resolve_list(names, &self.schema.enums)
            .or_else(|| self.resolve_list(names, &self.schema.domains))
            .or_else(|| self.resolve_list(names, &self.schema.composites))
            .or_else(|| self.resolve_list(names, &self.schema.other_types))
            .or_else(|| self.resolve_list(names, &self.schema.extension_types));
        let last = names.last().map(String::as_str).unwrap_or_default();
        let found = found.or_else(|| {
            // An extension's type: the model knows it by name from now on,
            // and its columns follow it.
            self.may_be_extension_type(last).then(|| {
                let q = match names {
                    [.., schema, name] => QualName::new(schema.clone(), name.clone()),
                    _ => QualName::new("public", last),
                };
                self.schema.extension_types.insert(q.clone());
                q
            })
        });
        let Some(old) = found else {
            self.error_at(
                self.locate(names.last().map(String::as_str).unwrap_or_default()),
                format!("type \"{}\" does not exist", names.join(".")),
                None,
            );
            return;
        };
        let new = QualName::new(old.schema.clone(), new_name);
        self.move_type(&old, new);
    }

    /// Renames or moves a user type and repoints the columns that use it.
    pub(crate) fn move_type(&mut self, old: &QualName, new: QualName) {
        self.carry_opacity(old, &new);
        if let Some(v) = self.schema.enums.remove(old) {
            self.schema.enums.insert(new.clone(), v);
        }
        if let Some(v) = self.schema.domains.remove(old) {
            self.schema.domains.insert(new.clone(), v);
        }
        if let Some(v) = self.schema.composites.remove(old) {
            self.schema.composites.insert(new.clone(), v);
        }
        if self.schema.extension_types.remove(old).is_some() {
            self.schema.extension_types.insert(new.clone());
        }
        if let Some(sub) = self.schema.range_subtypes.remove(old) {
            self.schema.range_subtypes.insert(new.clone(), sub);
        }
        update_all(&mut self.schema.range_subtypes, |sub| {
            if sub == old {
                *sub = new.clone();
            }
        });
        if self.schema.other_types.remove(old).is_some() {
            self.schema.other_types.insert(new.clone());
            // A range's multirange stays as it is (name and schema) on
            // RENAME and SET SCHEMA, and still goes with it on DROP.
            let multi =
                (self.schema.multiranges.remove(old)).unwrap_or_else(|| super::multirange_of(old));
            if self.schema.other_types.contains(&multi) && multi != super::multirange_of(&new) {
                self.schema.multiranges.insert(new.clone(), multi);
            }
        }
        self.retype(old, &new);
    }

    /// Points every column, domain, attribute, view column and function
    /// argument or result of type `old` at `new`.
    pub(crate) fn retype(&mut self, old: &QualName, new: &QualName) {
        let is_old = |ty: &SqlType| is_type(ty, old);
        let point = |ty: &mut SqlType| {
            if is_old(ty) {
                ty.schema = Some(new.schema.clone());
                ty.name = new.name.clone();
            }
        };
        update_all(&mut self.schema.tables, |t| {
            let typed = t.of_type.as_ref() == Some(old);
            if !typed && !t.columns.iter().any(|c| is_old(&c.ty)) {
                return;
            }
            let t = Arc::make_mut(t);
            for c in &mut t.columns {
                point(&mut c.ty);
            }
            // A table made `OF` the type stays made of it.
            if typed {
                t.of_type = Some(new.clone());
            }
        });
        update_all(&mut self.schema.domains, |d| point(&mut d.base));
        update_all(&mut self.schema.composites, |cols| {
            cols.iter_mut().for_each(|c| point(&mut c.ty))
        });
        update_all(&mut self.schema.views, |v| {
            v.columns
                .iter_mut()
                .flatten()
                .for_each(|c| point(&mut c.ty))
        });
        // A function's arguments name the type too, and so does its identity.
        update_all(&mut self.schema.functions, |overloads| {
            *overloads = std::mem::take(overloads)
                .into_values()
                .map(|mut o| {
                    o.params.iter_mut().for_each(|(_, ty)| point(ty));
                    o.returns.iter_mut().for_each(|(ty, _)| point(ty));
                    (o.inputs(), o)
                })
                .collect();
        });
    }
}

/// Each `old` in a list of column names becomes `new`.
fn rename_in(cols: &mut [String], old: &str, new: &str) {
    for c in cols.iter_mut().filter(|c| *c == old) {
        *c = new.to_owned();
    }
}
