//! Renames and moves (RENAME, SET SCHEMA) of every object the model keeps.

use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ObjectType};

use super::{is, object_names, strings};
use crate::model::apply::Applier;
use crate::model::schema::{ConstraintKind, Partitioning, QualName, update_all};
use crate::model::types::SqlType;

impl Applier<'_> {
    // ---- renames and moves ------------------------------------------------

    /// ALTER TABLE, VIEW, SEQUENCE and INDEX accept one another's relations
    /// (ALTER TABLE v RENAME TO w renames a view): the kind of relation the name
    /// is, else the kind the statement says.
    fn relation_kind(&self, rv: Option<&pb::RangeVar>, said: i32) -> i32 {
        let relation_kinds = [
            ObjectType::ObjectTable,
            ObjectType::ObjectForeignTable,
            ObjectType::ObjectView,
            ObjectType::ObjectMatview,
            ObjectType::ObjectSequence,
            ObjectType::ObjectIndex,
        ];
        let Some(rv) = rv else { return said };
        if !relation_kinds.iter().any(|k| is(said, *k)) {
            return said;
        }
        let (sc, n) = (rv.schemaname.as_str(), rv.relname.as_str());
        if self.resolve(sc, n, &self.schema.tables).is_some() {
            ObjectType::ObjectTable as i32
        } else if let Some(v) = self.resolve(sc, n, &self.schema.views) {
            if self.schema.views.get(&v).is_some_and(|v| v.materialized) {
                ObjectType::ObjectMatview as i32
            } else {
                ObjectType::ObjectView as i32
            }
        } else if self.resolve(sc, n, &self.schema.sequences).is_some() {
            ObjectType::ObjectSequence as i32
        } else if self.resolve(sc, n, &self.schema.indexes).is_some() {
            ObjectType::ObjectIndex as i32
        } else {
            said
        }
    }

    pub(crate) fn rename(&mut self, s: &pb::RenameStmt) {
        let rt = self.relation_kind(s.relation.as_ref(), s.rename_type);
        if is(rt, ObjectType::ObjectTable) || is(rt, ObjectType::ObjectForeignTable) {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.table_of(rv, s.missing_ok) {
                let new = QualName::new(old.schema.clone(), s.newname.clone());
                self.rename_table(&old, new);
            }
        } else if is(rt, ObjectType::ObjectColumn) {
            let Some(rv) = &s.relation else { return };
            if let Some(v) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.views) {
                self.rename_view_column(&v, &s.subname, &s.newname);
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
            if !has(self, &s.subname) {
                if !s.missing_ok {
                    self.missing_column(&table, &s.subname, None);
                }
                return;
            }
            if has(self, &s.newname) {
                self.error_at(
                    self.locate(&s.newname),
                    format!(
                        "column \"{}\" of relation \"{table}\" already exists",
                        s.newname
                    ),
                    None,
                );
                return;
            }
            self.rename_column(&table, &s.subname, &s.newname);
        } else if is(rt, ObjectType::ObjectTabconstraint) {
            let Some(rv) = &s.relation else { return };
            let Some(table) = self.table_of(rv, s.missing_ok) else {
                return;
            };
            let Some(tbl) = self.schema.tables.get_mut(&table).map(Arc::make_mut) else {
                return;
            };
            match tbl.constraints.remove(&s.subname) {
                Some(k) => {
                    tbl.constraints.insert(s.newname.clone(), k);
                    let old = QualName::new(table.schema.clone(), s.subname.clone());
                    if let Some(ix) = self.schema.indexes.remove(&old) {
                        self.schema
                            .indexes
                            .insert(QualName::new(table.schema.clone(), s.newname.clone()), ix);
                    }
                }
                None => self.error_at(
                    self.locate(&s.subname),
                    format!(
                        "constraint \"{}\" of relation \"{table}\" does not exist",
                        s.subname
                    ),
                    None,
                ),
            }
        } else if is(rt, ObjectType::ObjectIndex) {
            let Some(rv) = &s.relation else { return };
            match self.resolve(&rv.schemaname, &rv.relname, &self.schema.indexes) {
                Some(old) => {
                    let Some(ix) = self.schema.indexes.remove(&old) else {
                        return;
                    };
                    self.carry_opacity(&old, &QualName::new(old.schema.clone(), s.newname.clone()));
                    // Renaming a constraint's index renames the constraint too.
                    if let Some(t) = self.schema.tables.get_mut(&ix.table).map(Arc::make_mut)
                        && let Some(k) = t.constraints.remove(&old.name)
                    {
                        t.constraints.insert(s.newname.clone(), k);
                    }
                    self.schema
                        .indexes
                        .insert(QualName::new(old.schema, s.newname.clone()), ix);
                }
                None if s.missing_ok => {}
                None => self.incomplete("renames an index the model does not know"),
            }
        } else if is(rt, ObjectType::ObjectView) || is(rt, ObjectType::ObjectMatview) {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.views) {
                let new = QualName::new(old.schema.clone(), s.newname.clone());
                self.move_view(&old, new);
            } else if !s.missing_ok {
                self.error_at(
                    Some(rv.location),
                    format!("view \"{}\" does not exist", rv.relname),
                    None,
                );
            }
        } else if is(rt, ObjectType::ObjectAttribute) {
            // ALTER TYPE composite RENAME ATTRIBUTE a TO b.
            if let Some(rv) = &s.relation
                && let Some(q) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.composites)
                && let Some(c) = self
                    .schema
                    .composites
                    .get_mut(&q)
                    .and_then(|cols| cols.iter_mut().find(|c| c.name == s.subname))
            {
                c.name = s.newname.clone();
            }
        } else if is(rt, ObjectType::ObjectType) || is(rt, ObjectType::ObjectDomain) {
            let names = object_names(s.object.as_deref());
            let new_name = s.newname.clone();
            self.rename_type(&names, &new_name);
        } else if is(rt, ObjectType::ObjectSchema) {
            if self.schema.schemas.remove(&s.subname).is_some() {
                self.schema.schemas.insert(s.newname.clone());
                self.incomplete(
                    "objects of a renamed schema keep their old qualified names in the model",
                );
            }
        } else if is(rt, ObjectType::ObjectSequence) {
            if let Some(rv) = &s.relation
                && let Some(old) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.sequences)
            {
                self.schema.sequences.remove(&old);
                let new = s.newname.clone();
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
                    .insert(QualName::new(old.schema, s.newname.clone()));
            }
        } else if is(rt, ObjectType::ObjectTrigger) {
            if let Some(rv) = &s.relation
                && let Some(t) = self.table_of(rv, false)
                && let Some(f) = self.schema.triggers.remove(&(t.clone(), s.subname.clone()))
            {
                self.schema.triggers.insert((t, s.newname.clone()), f);
            }
        } else if (is(rt, ObjectType::ObjectFunction) || is(rt, ObjectType::ObjectProcedure))
            && let Some(NodeEnum::ObjectWithArgs(o)) =
                s.object.as_deref().and_then(|n| n.node.as_ref())
        {
            let old = self.qual_from_list(&strings(&o.objname));
            if let Some(f) = self.schema.functions.remove(&old) {
                let new = QualName::new(old.schema, s.newname.clone());
                update_all(&mut self.schema.triggers, |t| {
                    if *t == QualName::new(new.schema.clone(), old.name.clone()) {
                        *t = new.clone();
                    }
                });
                self.schema.functions.insert(new, f);
            }
        }
    }

    /// Renames or moves a view: the views that read it, and a materialized
    /// view's indexes, follow.
    fn move_view(&mut self, old: &QualName, new: QualName) {
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
    }

    /// What the model doubts under the old name, it doubts under the new one.
    fn carry_opacity(&mut self, old: &QualName, new: &QualName) {
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
            let refers = t.partitioning == Partitioning::PartitionOf(old.clone())
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
            if t.partitioning == Partitioning::PartitionOf(old.clone()) {
                t.partitioning = Partitioning::PartitionOf(new.clone());
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
        let triggers: Vec<_> = self
            .schema
            .triggers
            .iter()
            .filter(|((t, _), _)| t == old)
            .map(|(k, f)| (k.clone(), f.clone()))
            .collect();
        for ((t, n), f) in triggers {
            self.schema.triggers.remove(&(t, n.clone()));
            self.schema.triggers.insert((new.clone(), n), f);
        }
    }

    pub(crate) fn rename_column(&mut self, table: &QualName, old: &str, new: &str) {
        let fix = |cols: &mut Vec<String>| rename_in(cols, old, new);
        // The column is renamed on the partitions and children too, and with
        // it what refers to it there.
        let mut family = vec![table.clone()];
        family.extend(self.partitions_of(table));
        self.each_column(table, old, |c| c.name = new.to_owned());
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
                ix.definition = rename_word(&ix.definition, old, new);
            }
        });
        // Views read columns by position: the name they read follows.
        update_all(&mut self.schema.views, |v| {
            if v.depends.contains(table) {
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
                    ConstraintKind::Check { columns } => fix(columns),
                    ConstraintKind::NotNull { column } if column == old => *column = new.to_owned(),
                    _ => {}
                }
            }
        });
    }

    /// ALTER VIEW / MATERIALIZED VIEW (or TABLE) v RENAME COLUMN: the view's
    /// column, a materialized view's indexes on it, and what the views on it
    /// read (they read by position; their own column names stay).
    fn rename_view_column(&mut self, view: &QualName, old: &str, new: &str) {
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
                ix.definition = rename_word(&ix.definition, old, new);
            }
        });
    }

    pub(crate) fn rename_type(&mut self, names: &[String], new_name: &str) {
        let found = self
            .resolve_list(names, &self.schema.enums)
            .or_else(|| self.resolve_list(names, &self.schema.domains))
            .or_else(|| self.resolve_list(names, &self.schema.composites))
            .or_else(|| self.resolve_list(names, &self.schema.other_types));
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
        if self.schema.other_types.remove(old).is_some() {
            self.schema.other_types.insert(new.clone());
        }
        self.retype(old, &new);
    }

    /// Points every column, domain, attribute and view column of type `old` at `new`.
    pub(crate) fn retype(&mut self, old: &QualName, new: &QualName) {
        let is_old =
            |ty: &SqlType| ty.schema.as_deref() == Some(old.schema.as_str()) && ty.name == old.name;
        let point = |ty: &mut SqlType| {
            if is_old(ty) {
                ty.schema = Some(new.schema.clone());
                ty.name = new.name.clone();
            }
        };
        update_all(&mut self.schema.tables, |t| {
            if !t.columns.iter().any(|c| is_old(&c.ty)) {
                return;
            }
            let t = Arc::make_mut(t);
            for c in &mut t.columns {
                point(&mut c.ty);
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
    }

    pub(crate) fn set_schema(&mut self, s: &pb::AlterObjectSchemaStmt) {
        let ot = self.relation_kind(s.relation.as_ref(), s.object_type);
        if !self.schema.schemas.contains(&s.newschema) {
            self.error_at(
                self.locate(&s.newschema),
                format!("schema \"{}\" does not exist", s.newschema),
                Some(format!("run CREATE SCHEMA {} first", s.newschema)),
            );
            return;
        }
        if is(ot, ObjectType::ObjectTable) {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.table_of(rv, s.missing_ok) {
                let new = QualName::new(s.newschema.clone(), old.name.clone());
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
                            .insert(QualName::new(s.newschema.clone(), seq));
                    }
                }
                // Indexes and owned sequences move with their table.
                let moved: Vec<QualName> = self
                    .schema
                    .indexes
                    .iter()
                    .filter(|(_, ix)| ix.table == old)
                    .map(|(n, _)| n.clone())
                    .collect();
                for n in moved {
                    let Some(ix) = self.schema.indexes.remove(&n) else {
                        continue;
                    };
                    self.schema
                        .indexes
                        .insert(QualName::new(s.newschema.clone(), n.name), ix);
                }
                self.rename_table(&old, new);
            }
        } else if is(ot, ObjectType::ObjectType) || is(ot, ObjectType::ObjectDomain) {
            let names = object_names(s.object.as_deref());
            let found = self
                .resolve_list(&names, &self.schema.enums)
                .or_else(|| self.resolve_list(&names, &self.schema.domains))
                .or_else(|| self.resolve_list(&names, &self.schema.composites))
                .or_else(|| self.resolve_list(&names, &self.schema.other_types));
            if let Some(old) = found {
                let new = QualName::new(s.newschema.clone(), old.name.clone());
                self.move_type(&old, new);
            }
        } else if is(ot, ObjectType::ObjectView) || is(ot, ObjectType::ObjectMatview) {
            let Some(rv) = &s.relation else { return };
            if let Some(old) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.views) {
                let new = QualName::new(s.newschema.clone(), old.name.clone());
                self.move_view(&old, new);
            }
        } else if is(ot, ObjectType::ObjectSequence)
            && let Some(rv) = &s.relation
            && let Some(old) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.sequences)
        {
            self.schema.sequences.remove(&old);
            self.schema
                .sequences
                .insert(QualName::new(s.newschema.clone(), old.name));
        }
    }
}

/// `text` with the identifier `old` renamed to `new` where it stands as a whole
/// word and not as a function name (`old(`): index definitions print the
/// current column names, as PostgreSQL's pg_get_indexdef does.
/// Each `old` in a list of column names becomes `new`.
fn rename_in(cols: &mut [String], old: &str, new: &str) {
    for c in cols.iter_mut().filter(|c| *c == old) {
        *c = new.to_owned();
    }
}

fn rename_word(text: &str, old: &str, new: &str) -> String {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(old) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + old.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(word) || after.is_some_and(word) || after == Some('(') {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = &rest[i + old.len()..];
    }
    out.push_str(rest);
    out
}
