//! What goes with a dropped object: the views that read it, CASCADE's
//! dependents (foreign keys, columns of a type, a schema's objects), or the
//! error PostgreSQL gives without CASCADE.

use std::sync::Arc;

use super::Applier;
use crate::model::function::is_type;
use crate::model::schema::{
    Column, ConstraintKind, Partitioning, QualName, retain, retain_set, update_all,
};
use crate::model::types::SqlType;

impl Applier<'_> {
    /// `DROP CONSTRAINT key CASCADE` of a primary key or unique constraint of
    /// `table` on `columns` (already gone from the model, with its index): the
    /// foreign keys that reference those columns go with it, and for a primary
    /// key those written without columns too. A foreign key that another key
    /// or unique index of the table on the same columns could serve may be
    /// PostgreSQL's dependent of that one instead, and stay: its table is
    /// then opaque.
    pub(crate) fn drop_foreign_keys_on_key(
        &mut self,
        table: &QualName,
        columns: &[String],
        primary: bool,
    ) {
        let same = |a: &[String]| {
            let (mut x, mut y) = (a.to_vec(), columns.to_vec());
            x.sort();
            y.sort();
            x == y
        };
        let another_key = self.schema.tables.get(table).is_some_and(|t| {
            t.constraints.values().any(|k| {
                matches!(k, ConstraintKind::PrimaryKey { columns: c }
                    | ConstraintKind::Unique { columns: c } if same(c))
            })
        }) || self
            .schema
            .indexes
            .values()
            .any(|ix| &ix.table == table && ix.unique && !ix.partial && same(&ix.columns));
        let referencing: Vec<(QualName, String)> = self
            .schema
            .tables
            .iter()
            .flat_map(|(q, t)| {
                t.constraints.iter().filter_map(move |(n, k)| match k {
                    ConstraintKind::ForeignKey {
                        references,
                        ref_columns,
                        ..
                    } if references == table
                        && if ref_columns.is_empty() {
                            primary
                        } else {
                            same(ref_columns)
                        } =>
                    {
                        Some((q.clone(), n.clone()))
                    }
                    _ => None,
                })
            })
            .collect();
        for (q, n) in referencing {
            if another_key {
                self.make_opaque(
                    q,
                    "DROP CONSTRAINT ... CASCADE: a foreign key on the dropped key may depend on another key on the same columns",
                );
            } else if let Some(t) = self.schema.tables.get_mut(&q).map(Arc::make_mut) {
                t.constraints.remove(&n);
            }
        }
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
            self.drop_column(table, column, false);
        }
    }

    /// The views that read `q`, directly or through other views.
    pub(crate) fn views_on(&self, q: &QualName) -> Vec<QualName> {
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

    /// A statement that makes relation `q` succeeded in PostgreSQL, so the
    /// relation of that name the model doubts (a CASCADE may have taken it)
    /// was not there: the model forgets it, with what depended on it. False
    /// when the model is sure of the relation.
    pub(crate) fn forget_doubted_relation(&mut self, q: &QualName) -> bool {
        if !self.schema.doubts(q) {
            return false;
        }
        if self.schema.views.contains_key(q) {
            self.drop_view(q);
        } else if self.schema.tables.contains_key(q) {
            self.drop_tables(std::slice::from_ref(q), true);
        } else {
            self.schema.indexes.remove(q);
            self.schema.sequences.remove(q);
            self.schema.opaque.remove(q);
        }
        true
    }

    /// A view and what goes with it: a materialized view's indexes, triggers.
    pub(crate) fn drop_view(&mut self, q: &QualName) {
        self.schema.views.remove(q);
        self.schema.opaque.remove(q);
        retain(&mut self.schema.indexes, |_, ix| &ix.table != q);
        retain(&mut self.schema.triggers, |(t, _), _| t != q);
        // Its row type goes too, with what uses it (a function's argument,
        // a column of it).
        self.drop_users_of_type(q);
    }

    pub(crate) fn drop_tables(&mut self, targets: &[QualName], cascade: bool) {
        for target in targets {
            if !self.drop_dependent_views(target, targets, cascade) {
                continue;
            }
            // Its partitions go with it; so do its inheritance children, which
            // need CASCADE (PostgreSQL: "table c depends on table p").
            let mut gone = vec![target.clone()];
            gone.extend(self.partitions_of(target));
            if !cascade
                && let Some(child) = gone.iter().skip(1).find(|g| {
                    !targets.contains(g)
                        && !self.schema.doubts(g)
                        && self
                            .schema
                            .tables
                            .get(*g)
                            .is_some_and(|t| !t.is_partition())
                })
            {
                self.error_at(
                    self.locate(&target.name),
                    format!("cannot drop table \"{target}\": table \"{child}\" depends on it"),
                    Some(format!(
                        "drop \"{child}\" first (in the same DROP or earlier), or add CASCADE"
                    )),
                );
                continue;
            }
            // The foreign keys to any of them from a table that stays.
            let mut dependents: Vec<(QualName, String)> = Vec::new();
            for to in &gone {
                for from in self.schema.related().referencing(to) {
                    if targets.contains(&from) || gone.contains(&from) {
                        continue;
                    }
                    let Some(t) = self.schema.tables.get(&from) else {
                        continue;
                    };
                    for (n, k) in &t.constraints {
                        if matches!(k, ConstraintKind::ForeignKey { references, .. } if references == to)
                        {
                            dependents.push((from.clone(), n.clone()));
                        }
                    }
                }
            }
            if !cascade && gone.iter().any(|g| self.refused_for_functions(g, "table")) {
                continue;
            }
            // A column of another table may be of their row type (or an
            // array of it): CASCADE takes the column, else it is an error.
            let typed_users = (gone.iter())
                .flat_map(|g| self.columns_of_type(g))
                .find(|(t, _)| !targets.contains(t) && !gone.contains(t) && !self.schema.doubts(t));
            if let Some((t, c)) = typed_users
                && !cascade
            {
                self.error_at(
                    self.locate(&target.name),
                    format!("cannot drop table \"{target}\": column {t}.{c} is of its row type"),
                    Some("drop or retype the column first, or add CASCADE".to_owned()),
                );
                continue;
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
                // What uses its row type: columns, functions, domains, views.
                self.drop_users_of_type(&g);
                if cascade && !owned.is_empty() {
                    self.doubt_sequence_defaults(&owned);
                }
                for s in owned {
                    self.schema.sequences.remove(&s);
                }
            }
        }
    }

    /// A sequence dropped with CASCADE takes the column defaults that call
    /// `nextval` on it, in any table (a copy made with `LIKE ... INCLUDING
    /// ALL` calls its source's): the model does not keep which sequence a
    /// default reads, so the tables with a default other than a sequence
    /// they own or an identity are doubted; so are the views that name one
    /// of `sequences` (`FROM s`, `currval('t_id_seq')`), which it takes too.
    pub(crate) fn doubt_sequence_defaults(&mut self, sequences: &[QualName]) {
        let names: Vec<String> = sequences.iter().map(|q| q.name.to_lowercase()).collect();
        let named = |m: &String| {
            let last = m.rsplit('.').next().unwrap_or(m).trim_matches('"');
            names.iter().any(|n| n == last)
        };
        let views: Vec<QualName> = (self.schema.views.values())
            .filter(|v| v.mentions.iter().any(named) && !self.schema.opaque.contains(&v.name))
            .map(|v| v.name.clone())
            .collect();
        if !views.is_empty() {
            self.incomplete("a sequence dropped with CASCADE takes the views that read it");
            self.schema.opaque.extend(views);
        }
        let doubted: Vec<QualName> = (self.schema.tables.values())
            .filter(|t| t.columns.iter().any(Column::expression_default))
            .map(|t| t.name.clone())
            .filter(|q| !self.schema.opaque.contains(q))
            .collect();
        for q in doubted {
            self.make_opaque(
                q,
                "a sequence dropped with CASCADE takes the defaults that read it, which the model does not name",
            );
        }
    }

    /// The columns of type `q` (arrays of it too), table by table.
    pub(crate) fn columns_of_type(&self, q: &QualName) -> Vec<(QualName, String)> {
        let of = |ty: &crate::model::types::SqlType| is_type(ty, q);
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
        if !cascade && self.refused_for_functions(q, "type") {
            return;
        }
        // A table or view the model doubts may have a column of the type,
        // which CASCADE takes with the views that read it: those views may
        // be gone.
        if cascade && self.schema.unknown.is_none() {
            let doubted: Vec<QualName> = self.schema.opaque.iter().cloned().collect();
            let views: Vec<QualName> = doubted.iter().flat_map(|d| self.views_on(d)).collect();
            for v in views {
                if !self.schema.opaque.contains(&v) {
                    self.make_opaque(
                        v,
                        "DROP TYPE ... CASCADE may take a column of a relation the model doubts, and this view, which reads it",
                    );
                }
            }
        }
        if cascade {
            self.doubt_casts_to(q);
        }
        self.schema.enums.remove(q);
        self.schema.domains.remove(q);
        self.schema.composites.remove(q);
        self.schema.extension_types.remove(q);
        self.schema.range_subtypes.remove(q);
        if self.schema.other_types.remove(q).is_some() {
            // A range's multirange goes with it.
            let multi = (self.schema.multiranges.remove(q))
                .unwrap_or_else(|| crate::model::apply::multirange_of(q));
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
    pub(crate) fn drop_users_of_type(&mut self, q: &QualName) {
        let of = |ty: &crate::model::types::SqlType| is_type(ty, q);
        // A table made `OF` the type goes whole, and so does a partitioned
        // table whose key has a column of it (a key column cannot go alone).
        let whole: Vec<QualName> = (self.schema.tables.values())
            .filter(|t| {
                t.of_type.as_ref() == Some(q)
                    || matches!(&t.partitioning, Partitioning::Partitioned { key, .. }
                        if t.columns.iter().any(|c| of(&c.ty)
                            && key.iter().any(|k| k == &c.name || mentions(k, &c.name))))
            })
            .map(|t| t.name.clone())
            .collect();
        if !whole.is_empty() {
            self.drop_tables(&whole, true);
        }
        // The ranges over it, with their multiranges and columns.
        let ranges: Vec<QualName> = (self.schema.range_subtypes.iter())
            .filter(|(_, sub)| *sub == q)
            .map(|(r, _)| r.clone())
            .collect();
        for r in ranges {
            self.schema.range_subtypes.remove(&r);
            self.drop_type(&r, true);
        }
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
        self.drop_functions_of_type(q);
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
        // A view that casts to it (`NULL::t`, `row(1)::t`) goes too; by name
        // only, so it is doubted.
        let casting: Vec<QualName> = (self.schema.views.values())
            .filter(|v| v.casts.iter().any(|t| t.eq_ignore_ascii_case(&q.name)))
            .map(|v| v.name.clone())
            .filter(|v| !self.schema.opaque.contains(v))
            .collect();
        if !casting.is_empty() {
            self.incomplete(&format!("a view casts to {q}, which goes"));
            self.schema.opaque.extend(casting);
        }
    }

    /// DROP TYPE ... CASCADE also takes what uses the type inside an
    /// expression (a check, a default, an index), which the model does not
    /// track: the indexes that name it and the tables with such expressions
    /// become opaque (the views that cast to it, [`Self::drop_users_of_type`]).
    fn doubt_casts_to(&mut self, q: &QualName) {
        let why = format!(
            "DROP TYPE {q} ... CASCADE drops what casts to it, which the model does not know"
        );
        self.doubt_dependents_and(&why, |_, ix| mentions(&ix.definition, &q.name), |_| false);
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
        // The extensions installed in it go with it.
        let gone: Vec<String> = (self.schema.extension_schemas.iter())
            .filter(|(_, s)| s.as_str() == name)
            .map(|(e, _)| e.clone())
            .collect();
        for e in gone {
            self.drop_extension(&e, true);
        }
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
        // Its functions, with the triggers elsewhere that execute them.
        let functions: Vec<(QualName, Vec<Vec<SqlType>>)> = (self.schema.functions.iter())
            .filter(|(q, _)| q.schema == name)
            .map(|(q, overloads)| (q.clone(), overloads.keys().cloned().collect()))
            .collect();
        for (f, every) in &functions {
            self.drop_overloads(f, every, true);
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

impl Applier<'_> {
    /// The overloads with an argument or result of type `q` (a table's row
    /// type too), by function.
    fn functions_of_type(&self, q: &QualName) -> Vec<(QualName, Vec<SqlType>)> {
        (self.schema.functions.iter())
            .flat_map(|(f, overloads)| {
                (overloads.iter())
                    .filter(|(_, o)| o.uses_type(q))
                    .map(|(key, _)| (f.clone(), key.clone()))
            })
            .collect()
    }

    /// DROP of type or table `q` without CASCADE while a function the model
    /// is sure of takes or returns it: PostgreSQL's error. True when refused.
    fn refused_for_functions(&mut self, q: &QualName, what: &str) -> bool {
        let Some((f, _)) = (self.functions_of_type(q).into_iter())
            .find(|(f, _)| !self.schema.doubts(f) && !self.schema.doubts(q))
        else {
            return false;
        };
        self.error_at(
            self.locate(&q.name),
            format!("cannot drop {what} \"{q}\": function {f} depends on its type"),
            Some(format!("drop function {f} first, or add CASCADE")),
        );
        true
    }

    /// DROP ... CASCADE of a type or table takes the functions that take or
    /// return it, and what needs them, as PostgreSQL's dependencies do.
    fn drop_functions_of_type(&mut self, q: &QualName) {
        for (f, key) in self.functions_of_type(q) {
            self.drop_overloads(&f, &[key], true);
        }
    }
}

/// True when `text` has `name` as a word of its own (an identifier, maybe
/// quoted), in any case.
fn mentions(text: &str, name: &str) -> bool {
    let (text, name) = (text.to_lowercase(), name.to_lowercase());
    let word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(&name)
        .any(|(i, _)| !text[..i].ends_with(word) && !text[i + name.len()..].starts_with(word))
}
