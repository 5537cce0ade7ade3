//! DROP of every object the model keeps, and what goes with it.

use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, DropBehavior, ObjectType};

use super::{is, strings};
use crate::model::apply::Applier;
use crate::model::schema::{ConstraintKind, QualName, retain, retain_set, update_all};

impl Applier<'_> {
    // ---- drops --------------------------------------------------------------

    pub(crate) fn drop(&mut self, s: &pb::DropStmt) {
        let rt = s.remove_type;
        let cascade = is(s.behavior, DropBehavior::DropCascade);
        let objects: Vec<Vec<String>> = s
            .objects
            .iter()
            .map(|o| match &o.node {
                Some(NodeEnum::List(l)) => strings(&l.items),
                Some(NodeEnum::String(st)) => vec![st.sval.clone()],
                Some(NodeEnum::TypeName(tn)) => strings(&tn.names),
                Some(NodeEnum::ObjectWithArgs(owa)) => strings(&owa.objname),
                _ => Vec::new(),
            })
            .collect();
        if is(rt, ObjectType::ObjectTable) || is(rt, ObjectType::ObjectForeignTable) {
            let mut targets = Vec::new();
            for names in &objects {
                match self.resolve_list(names, &self.schema.tables) {
                    Some(q) => targets.push(q),
                    None if s.missing_ok => {}
                    None => {
                        let q = self.qual_from_list(names);
                        let loc = self.locate(&q.name);
                        self.missing_table(&q, loc);
                    }
                }
            }
            self.drop_tables(&targets, cascade);
        } else if is(rt, ObjectType::ObjectView) || is(rt, ObjectType::ObjectMatview) {
            let targets: Vec<QualName> = objects
                .iter()
                .filter_map(|n| self.resolve_list(n, &self.schema.views))
                .collect();
            for names in &objects {
                match self.resolve_list(names, &self.schema.views) {
                    Some(q) => {
                        if self.drop_dependent_views(&q, &targets, cascade) {
                            self.drop_view(&q);
                        }
                    }
                    None if s.missing_ok => {}
                    None => {
                        let q = self.qual_from_list(names);
                        self.error_at(
                            self.locate(&q.name),
                            format!("view \"{q}\" does not exist"),
                            None,
                        );
                    }
                }
            }
        } else if is(rt, ObjectType::ObjectType) || is(rt, ObjectType::ObjectDomain) {
            for names in &objects {
                let found = self
                    .resolve_list(names, &self.schema.enums)
                    .or_else(|| self.resolve_list(names, &self.schema.domains))
                    .or_else(|| self.resolve_list(names, &self.schema.composites))
                    .or_else(|| self.resolve_list(names, &self.schema.other_types));
                match found {
                    Some(q) => self.drop_type(&q, cascade),
                    None if s.missing_ok => {}
                    None => {
                        let q = self.qual_from_list(names);
                        self.error_at(
                            self.locate(&q.name),
                            format!("type \"{q}\" does not exist"),
                            None,
                        );
                    }
                }
            }
        } else if is(rt, ObjectType::ObjectIndex) {
            for names in &objects {
                match self.resolve_list(names, &self.schema.indexes) {
                    Some(q) => {
                        self.schema.indexes.remove(&q);
                    }
                    None if s.missing_ok => {}
                    // A partition's copies of its parent's indexes have names the
                    // model does not keep, and an opaque relation may have
                    // indexes it does not know (LIKE ... INCLUDING INDEXES of a
                    // partition, DDL it could not follow).
                    None if self.indexes_may_be_unknown() => {
                        self.incomplete("drops an index the model does not know")
                    }
                    None => {
                        let q = self.qual_from_list(names);
                        let help = crate::diag::did_you_mean(
                            &q.name,
                            self.schema.indexes.keys().map(|k| k.name.as_str()),
                        )
                        .map(|c| format!("did you mean \"{c}\"?"))
                        .unwrap_or_else(|| "add IF EXISTS if it may be absent".to_owned());
                        self.error_at(
                            self.locate(&q.name),
                            format!("index \"{q}\" does not exist"),
                            Some(help),
                        );
                    }
                }
            }
        } else if is(rt, ObjectType::ObjectSequence) {
            for names in &objects {
                match self.resolve_list(names, &self.schema.sequences) {
                    Some(q) => {
                        self.schema.sequences.remove(&q);
                        self.disown(&q);
                    }
                    None if s.missing_ok => {}
                    None => {
                        let q = self.qual_from_list(names);
                        let help = crate::diag::did_you_mean(
                            &q.name,
                            self.schema.sequences.iter().map(|k| k.name.as_str()),
                        )
                        .map(|c| format!("did you mean \"{c}\"?"))
                        .unwrap_or_else(|| "add IF EXISTS if it may be absent".to_owned());
                        self.error_at(
                            self.locate(&q.name),
                            format!("sequence \"{q}\" does not exist"),
                            Some(help),
                        );
                    }
                }
            }
        } else if is(rt, ObjectType::ObjectSchema) {
            for names in &objects {
                let Some(name) = names.first() else { continue };
                if !self.schema.schemas.contains(name) {
                    if !s.missing_ok {
                        self.error_at(
                            self.locate(name),
                            format!("schema \"{name}\" does not exist"),
                            None,
                        );
                    }
                    continue;
                }
                self.drop_schema(name, cascade);
            }
        } else if is(rt, ObjectType::ObjectExtension) {
            for names in &objects {
                if let Some(n) = names.first() {
                    if cascade {
                        self.drop_extension_columns(n);
                    }
                    self.schema.extensions.remove(n);
                }
            }
        } else if is(rt, ObjectType::ObjectFunction)
            || is(rt, ObjectType::ObjectProcedure)
            || is(rt, ObjectType::ObjectRoutine)
        {
            for names in &objects {
                let q = self.qual_from_list(names);
                let found = self
                    .resolve_list(names, &self.schema.functions)
                    .unwrap_or(q);
                self.drop_function(&found, cascade);
            }
        } else if is(rt, ObjectType::ObjectTrigger) {
            for names in &objects {
                let Some((trig, table_names)) = names.split_last() else {
                    continue;
                };
                let table = self
                    .resolve_list(table_names, &self.schema.tables)
                    .or_else(|| self.resolve_list(table_names, &self.schema.views));
                let Some(table) = table else {
                    if !s.missing_ok {
                        let q = self.qual_from_list(table_names);
                        let loc = self.locate(&q.name);
                        self.missing_table(&q, loc);
                    }
                    continue;
                };
                self.schema.triggers.remove(&(table, trig.clone()));
            }
        }
    }

    /// Drops a function and, with CASCADE, the triggers that execute it;
    /// without CASCADE a trigger that uses it is an error, as in PostgreSQL.
    fn drop_function(&mut self, q: &QualName, cascade: bool) {
        let users: Vec<(QualName, String)> = self
            .schema
            .triggers
            .iter()
            .filter(|(_, f)| *f == q)
            .map(|(k, _)| k.clone())
            .collect();
        if let Some((t, n)) = users.iter().find(|(t, _)| !self.schema.doubts(t))
            && !cascade
        {
            let (t, n) = (t.clone(), n.clone());
            self.error_at(
                self.locate(&q.name),
                format!("cannot drop function {q}: trigger {n} on table {t} depends on it"),
                Some("drop the trigger first, or add CASCADE".to_owned()),
            );
            return;
        }
        for k in users {
            self.schema.triggers.remove(&k);
        }
        self.schema.functions.remove(q);
        self.schema.opaque.remove(q);
    }

    /// The views that read `q` (directly or through other views), dropped with
    /// CASCADE; without it their existence is an error, as in PostgreSQL.
    /// Returns false when `q` must stay. `also` are dropped by the same statement.
    pub(crate) fn drop_dependent_views(
        &mut self,
        q: &QualName,
        also: &[QualName],
        cascade: bool,
    ) -> bool {
        let mut found = self.views_on(q);
        found.retain(|v| !also.contains(v));
        if let Some(v) = found.iter().find(|v| !self.schema.doubts(v))
            && !cascade
        {
            let v = v.clone();
            self.error_at(
                self.locate(&q.name),
                format!("cannot drop {q}: view {v} depends on it"),
                Some(format!(
                    "drop view {v} first (in the same DROP or earlier), or add CASCADE"
                )),
            );
            return false;
        }
        for v in found {
            self.drop_view(&v);
        }
        true
    }

    /// DROP COLUMN ... CASCADE done by another statement: the column (if a
    /// parent's drop did not take it already) and what depends on it.
    pub(crate) fn drop_column_cascade(&mut self, table: &QualName, column: &str) {
        let exists = self
            .schema
            .tables
            .get(table)
            .is_some_and(|t| t.column(column).is_some());
        if exists && self.drop_column_dependents(table, column, true) {
            self.drop_column(table, column);
        }
    }

    /// The views that read `q`, directly or through other views.
    fn views_on(&self, q: &QualName) -> Vec<QualName> {
        let mut found: Vec<QualName> = Vec::new();
        let mut todo = vec![q.clone()];
        while let Some(cur) = todo.pop() {
            for v in self.schema.views.values() {
                if v.depends.contains(&cur) && !found.contains(&v.name) && &v.name != q {
                    found.push(v.name.clone());
                    todo.push(v.name.clone());
                }
            }
        }
        found
    }

    /// A statement may have dropped `q` (or changed it so that CASCADE took
    /// it): `q` and the views on it are opaque, as they may be gone.
    pub(crate) fn maybe_dropped(&mut self, q: QualName, why: &str) {
        for v in self.views_on(&q) {
            self.schema.opaque.insert(v);
        }
        self.make_opaque(q, why);
    }

    /// DROP EXTENSION ... CASCADE drops the columns of the extension's types:
    /// known ones by name; for an extension whose types the model does not
    /// know, the tables with a column of a type it cannot place become opaque.
    fn drop_extension_columns(&mut self, extension: &str) {
        let known = crate::model::types::extension_types(extension);
        let s = &*self.schema;
        let user_type = |ty: &crate::model::types::SqlType| {
            let q = ty
                .schema
                .as_ref()
                .map(|sc| QualName::new(sc.clone(), ty.name.clone()));
            q.is_some_and(|q| {
                !s.enums.contains_key(&q)
                    && !s.domains.contains_key(&q)
                    && !s.composites.contains_key(&q)
                    && !s.other_types.contains(&q)
                    && !s.tables.contains_key(&q)
            })
        };
        let mut gone: Vec<(QualName, String)> = Vec::new();
        let mut doubted: Vec<QualName> = Vec::new();
        for t in s.tables.values() {
            for c in &t.columns {
                if !user_type(&c.ty) {
                    continue;
                }
                match known {
                    Some(names) if names.contains(&c.ty.name.as_str()) => {
                        gone.push((t.name.clone(), c.name.clone()));
                    }
                    Some(_) => {}
                    None => doubted.push(t.name.clone()),
                }
            }
        }
        // As DROP COLUMN ... CASCADE takes them: with the views that read them.
        for (t, c) in gone {
            self.drop_column_cascade(&t, &c);
        }
        for t in doubted {
            self.maybe_dropped(
                t,
                "DROP EXTENSION ... CASCADE may have dropped columns of its types",
            );
        }
    }

    /// A view and what goes with it: a materialized view's indexes, triggers.
    pub(crate) fn drop_view(&mut self, q: &QualName) {
        self.schema.views.remove(q);
        self.schema.opaque.remove(q);
        retain(&mut self.schema.indexes, |_, ix| &ix.table != q);
        retain(&mut self.schema.triggers, |(t, _), _| t != q);
    }

    pub(crate) fn drop_tables(&mut self, targets: &[QualName], cascade: bool) {
        for target in targets {
            if !self.drop_dependent_views(target, targets, cascade) {
                continue;
            }
            let mut dependents: Vec<(QualName, String)> = Vec::new();
            for from in self.schema.related().referencing(target) {
                if targets.contains(&from) {
                    continue;
                }
                let Some(t) = self.schema.tables.get(&from) else {
                    continue;
                };
                for (n, k) in &t.constraints {
                    if matches!(k, ConstraintKind::ForeignKey { references, .. } if references == target)
                    {
                        dependents.push((from.clone(), n.clone()));
                    }
                }
            }
            if let Some((t, c)) = dependents.iter().find(|(t, _)| !self.schema.doubts(t))
                && !cascade
            {
                self.error_at(
                    self.locate(&target.name),
                    format!("cannot drop table \"{target}\": constraint \"{c}\" on table \"{t}\" depends on it"),
                    Some(format!("drop \"{t}\" first (in the same DROP or earlier), or add CASCADE")),
                );
                continue;
            }
            for (t, c) in dependents {
                if let Some(t) = self.schema.tables.get_mut(&t).map(Arc::make_mut) {
                    t.constraints.remove(&c);
                }
            }
            // Dropping a partitioned table drops its partitions.
            let mut gone = vec![target.clone()];
            gone.extend(self.partitions_of(target));
            for g in gone {
                // Views on its partitions and children go with them.
                if &g != target {
                    self.drop_dependent_views(&g, targets, true);
                }
                for ix in self.schema.related().indexes(&g) {
                    if self.schema.indexes.get(&ix).is_some_and(|i| i.table == g) {
                        self.schema.indexes.remove(&ix);
                    }
                }
                // The sequences its columns own go with it.
                let owned: Vec<QualName> = self
                    .schema
                    .tables
                    .get(&g)
                    .map(|t| {
                        t.columns
                            .iter()
                            .filter_map(|c| c.sequence.clone())
                            .map(|n| QualName::new(g.schema.clone(), n))
                            .collect()
                    })
                    .unwrap_or_default();
                self.schema.tables.remove(&g);
                // Triggers sort by table: a range.
                let triggers: Vec<(QualName, String)> = self
                    .schema
                    .triggers
                    .range((g.clone(), String::new())..)
                    .take_while(|((t, _), _)| t == &g)
                    .map(|(k, _)| k.clone())
                    .collect();
                for t in triggers {
                    self.schema.triggers.remove(&t);
                }
                let sequences = owned;
                for s in sequences {
                    self.schema.sequences.remove(&s);
                }
            }
        }
    }

    /// True when an index may exist that the model does not know: there are
    /// partitions, or opaque tables or materialized views.
    fn indexes_may_be_unknown(&self) -> bool {
        let s = &*self.schema;
        s.tables.values().any(|t| t.is_partition())
            || s.opaque
                .iter()
                .any(|q| s.tables.contains_key(q) || s.views.get(q).is_some_and(|v| v.materialized))
    }

    /// The columns of type `q` (arrays of it too), table by table.
    fn columns_of_type(&self, q: &QualName) -> Vec<(QualName, String)> {
        let of = |ty: &crate::model::types::SqlType| {
            ty.schema.as_deref() == Some(q.schema.as_str()) && ty.name == q.name
        };
        self.schema
            .tables
            .values()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(|c| of(&c.ty))
                    .map(|c| (t.name.clone(), c.name.clone()))
            })
            .collect()
    }

    pub(crate) fn drop_type(&mut self, q: &QualName, cascade: bool) {
        let users: Vec<String> = self
            .columns_of_type(q)
            .iter()
            .filter(|(t, _)| !self.schema.doubts(t))
            .map(|(t, c)| format!("{t}.{c}"))
            .collect();
        if !users.is_empty() && !cascade {
            self.error_at(
                self.locate(&q.name),
                format!(
                    "cannot drop type \"{q}\": column {} uses it",
                    users.join(", ")
                ),
                Some("drop or retype the column first, or add CASCADE".to_owned()),
            );
            return;
        }
        self.schema.enums.remove(q);
        self.schema.domains.remove(q);
        self.schema.composites.remove(q);
        if self.schema.other_types.remove(q).is_some() {
            // A range's multirange goes with it.
            let multi = crate::model::apply::multirange_of(q);
            if self.schema.other_types.remove(&multi).is_some() {
                self.drop_users_of_type(&multi);
            }
        }
        self.drop_users_of_type(q);
    }

    /// What DROP TYPE ... CASCADE takes with a type: its columns (arrays of it
    /// too) as DROP COLUMN ... CASCADE takes them, with their indexes,
    /// constraints and the views that read them; the domains over it and their
    /// columns; composite types' attributes of it; views that return it.
    fn drop_users_of_type(&mut self, q: &QualName) {
        let of = |ty: &crate::model::types::SqlType| {
            ty.schema.as_deref() == Some(q.schema.as_str()) && ty.name == q.name
        };
        let domains: Vec<QualName> = self
            .schema
            .domains
            .iter()
            .filter(|(_, d)| of(&d.base))
            .map(|(n, _)| n.clone())
            .collect();
        for d in domains {
            self.drop_type(&d, true);
        }
        for (t, c) in self.columns_of_type(q) {
            self.drop_column_cascade(&t, &c);
        }
        update_all(&mut self.schema.composites, |cols| {
            cols.retain(|c| !of(&c.ty))
        });
        let views: Vec<QualName> = self
            .schema
            .views
            .values()
            .filter(|v| v.columns.iter().flatten().any(|c| of(&c.ty)))
            .map(|v| v.name.clone())
            .collect();
        for v in views {
            if self.schema.views.contains_key(&v) && self.drop_dependent_views(&v, &[], true) {
                self.drop_view(&v);
            }
        }
    }

    pub(crate) fn drop_schema(&mut self, name: &str, cascade: bool) {
        let has_objects = self.schema.tables.keys().any(|q| q.schema == name)
            || self.schema.enums.keys().any(|q| q.schema == name)
            || self.schema.views.keys().any(|q| q.schema == name);
        if has_objects && !cascade {
            self.error_at(
                self.locate(name),
                format!("cannot drop schema \"{name}\": it still has objects"),
                Some("drop them first, or add CASCADE".to_owned()),
            );
            return;
        }
        self.schema.schemas.remove(name);
        // What lives elsewhere and depends on the schema's objects goes too:
        // foreign keys to its tables, views that read them, columns of its types.
        let tables: Vec<QualName> = self
            .schema
            .tables
            .keys()
            .filter(|q| q.schema == name)
            .cloned()
            .collect();
        self.drop_tables(&tables, true);
        let views: Vec<QualName> = self
            .schema
            .views
            .keys()
            .filter(|q| q.schema == name)
            .cloned()
            .collect();
        for v in &views {
            if self.drop_dependent_views(v, &views, true) {
                self.drop_view(v);
            }
        }
        let types: Vec<QualName> = self
            .schema
            .enums
            .keys()
            .chain(self.schema.domains.keys())
            .chain(self.schema.composites.keys())
            .chain(self.schema.other_types.iter())
            .filter(|q| q.schema == name)
            .cloned()
            .collect();
        for t in &types {
            self.drop_type(t, true);
        }
        let keep = |q: &QualName| q.schema != name;
        retain(&mut self.schema.tables, |q, _| keep(q));
        retain(&mut self.schema.views, |q, _| keep(q));
        retain(&mut self.schema.enums, |q, _| keep(q));
        retain(&mut self.schema.domains, |q, _| keep(q));
        retain(&mut self.schema.composites, |q, _| keep(q));
        retain_set(&mut self.schema.other_types, keep);
        retain(&mut self.schema.indexes, |q, _| keep(q));
        retain_set(&mut self.schema.sequences, keep);
        retain(&mut self.schema.functions, |q, _| keep(q));
        retain(&mut self.schema.triggers, |(q, _), _| keep(q));
    }
}
