//! DROP of every object the model keeps: the names must exist (unless IF
//! EXISTS), and what goes with each one (see `cascade.rs`).

use super::{Applier, absent_help};
use crate::lower::drop::{Drop, DropKind};
use crate::model::schema::{ConstraintKind, QualName, retain};

impl Applier<'_> {
    pub(crate) fn drop(&mut self, s: &Drop) {
        let cascade = s.cascade;
        let objects = &s.objects[..];
        match s.kind {
            DropKind::Table => {
                let mut targets = Vec::new();
                for names in objects {
                    match self.resolve_list(names, &self.schema.tables) {
                        Some(q) => targets.push(q),
                        None if s.missing_ok => {}
                        None => {
                            let q = self.qual_from_list(names);
                            let loc = self.locate(&q.name);
                            self.missing_table(&q, loc);
                            self.dropped_unknown(q);
                        }
                    }
                }
                self.drop_tables(&targets, cascade);
            }
            DropKind::View => {
                let targets: Vec<QualName> = objects
                    .iter()
                    .filter_map(|n| self.resolve_list(n, &self.schema.views))
                    .collect();
                for names in objects {
                    match self.resolve_list(names, &self.schema.views) {
                        Some(q) => {
                            if self.drop_dependent_views(&q, &targets, cascade) {
                                self.drop_view(&q);
                            }
                        }
                        None if s.missing_ok => {}
                        None => self.absent("view", names, |_, _| None),
                    }
                }
            }
            DropKind::Type => {
                for names in objects {
                    let found = self
                        .resolve_list(names, &self.schema.enums)
                        .or_else(|| self.resolve_list(names, &self.schema.domains))
                        .or_else(|| self.resolve_list(names, &self.schema.composites))
                        .or_else(|| self.resolve_list(names, &self.schema.other_types));
                    match found {
                        Some(q) => self.drop_type(&q, cascade),
                        None if s.missing_ok => {}
                        None => self.absent("type", names, |_, _| None),
                    }
                }
            }
            DropKind::Index => {
                for names in objects {
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
                        None => self.absent("index", names, |a, name| {
                            let known = a.schema.indexes.keys().map(|k| k.name.as_str());
                            Some(absent_help(name, known))
                        }),
                    }
                }
            }
            DropKind::Sequence => {
                for names in objects {
                    match self.resolve_list(names, &self.schema.sequences) {
                        Some(q) => {
                            if cascade {
                                self.doubt_sequence_defaults(std::slice::from_ref(&q));
                            }
                            self.schema.sequences.remove(&q);
                            self.disown(&q);
                        }
                        None if s.missing_ok => {}
                        None => self.absent("sequence", names, |a, name| {
                            let known = a.schema.sequences.iter().map(|k| k.name.as_str());
                            Some(absent_help(name, known))
                        }),
                    }
                }
            }
            DropKind::Schema => {
                for names in objects {
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
            }
            DropKind::Extension => {
                for names in objects {
                    if let Some(n) = names.first() {
                        self.drop_extension(n, cascade);
                    }
                }
            }
            DropKind::Untracked => {
                if cascade {
                    self.lose("DROP ... CASCADE of an object the model does not keep drops what depends on it (columns of a collation, indexes of an operator class, ...)");
                }
            }
            DropKind::Function => {
                for (names, arguments) in objects.iter().zip(&s.arguments) {
                    self.drop_function(names, arguments.as_deref(), cascade);
                }
            }
            DropKind::Trigger => {
                for names in objects {
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
                    let key = (table, trig.clone());
                    if self.schema.triggers.remove(&key).is_none() && !s.missing_ok {
                        self.dropped_unknown(key.0);
                    }
                }
            }
        }
    }

    /// DROP EXTENSION, or DROP SCHEMA ... CASCADE of the schema it is in.
    pub(crate) fn drop_extension(&mut self, name: &str, cascade: bool) {
        if cascade {
            self.drop_extension_columns(name);
            // Triggers executing a function that is none of the model's, in
            // the extension's schema, execute the extension's (moddatetime):
            // they go with it.
            let schema = self.schema.extension_schemas.get(name).cloned();
            let functions = &self.schema.functions;
            retain(&mut self.schema.triggers, |_, t| {
                functions.contains_key(&t.function)
                    || schema.as_ref().is_some_and(|s| *s != t.function.schema)
            });
        }
        self.schema.extensions.remove(name);
        self.schema.extension_schemas.remove(name);
        // Besides its types' columns, CASCADE takes the indexes of its
        // operator classes (any but a plain btree or hash index on columns
        // may use one, exclusion constraints' too) and what calls its
        // functions: which, the model does not know.
        if cascade {
            let exclusions: Vec<QualName> = (self.schema.tables.values())
                .flat_map(|t| {
                    (t.constraints.iter())
                        .filter(|(_, k)| matches!(k, ConstraintKind::Exclusion))
                        .map(|(n, _)| QualName::new(t.name.schema.clone(), n.clone()))
                })
                .collect();
            self.doubt_dependents(
                "DROP EXTENSION ... CASCADE drops what uses its operator classes and functions, which the model does not follow",
                |q, ix| !ix.plain() || exclusions.contains(q),
            );
        }
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

    /// True when an index may exist that the model does not know: there are
    /// partitions, or opaque tables or materialized views.
    fn indexes_may_be_unknown(&self) -> bool {
        let s = &*self.schema;
        s.tables.values().any(|t| t.is_partition())
            || s.opaque
                .iter()
                .any(|q| s.tables.contains_key(q) || s.views.get(q).is_some_and(|v| v.materialized))
    }

    /// DROP, without IF EXISTS, of what does not exist: an error at the name,
    /// with the help `help` gives (from the model and the name) if any.
    fn absent(
        &mut self,
        kind: &str,
        names: &[String],
        help: impl FnOnce(&Self, &str) -> Option<String>,
    ) {
        let q = self.qual_from_list(names);
        let help = help(self, &q.name);
        self.error_at(
            self.locate(&q.name),
            format!("{kind} \"{q}\" does not exist"),
            help,
        );
        self.dropped_unknown(q);
    }

    /// A DROP without IF EXISTS of something the model does not know, where
    /// the model is in doubt (it lost track of what a statement did: a
    /// function that runs built DDL, Diesel's `diesel_manage_updated_at`):
    /// PostgreSQL accepted it, so it existed. It becomes opaque, so that a
    /// down that makes it again is not "left over" against a before that
    /// never knew it. (For a trigger: its table.)
    fn dropped_unknown(&mut self, q: QualName) {
        if self.in_doubt() {
            self.schema.opaque.insert(q);
        }
    }
}
