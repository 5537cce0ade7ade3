//! What differs between two schemas: the reversal check's sentences.

use std::fmt;

use crate::model::schema::{Column, ConstraintKind, Map, QualName, Schema, Set, Table};

impl Schema {
    /// What differs between two schemas, as sentences about `other` relative to
    /// `self` ("column vms.gpu_count is left over"); empty when they are equal.
    /// Column order does not count: a down that re-adds a dropped column can only
    /// append it.
    pub fn differences(&self, other: &Schema) -> Vec<String> {
        let mut out = Vec::new();
        // Cheap when nothing changed: the maps share their structure.
        if self == other {
            return out;
        }
        let sure = |q: &QualName| !self.opaque.contains(q) && !other.opaque.contains(q);
        diff_keys(&mut out, "table", &self.tables, &other.tables, &sure);
        for (name, a) in &self.tables {
            let Some(b) = other.tables.get(name) else {
                continue;
            };
            if !sure(name) {
                continue;
            }
            for ca in &a.columns {
                match b.column(&ca.name) {
                    None => out.push(format!("column {name}.{} is missing", ca.name)),
                    Some(cb) if cb != ca => out.push(format!(
                        "column {name}.{} is {} but was {}",
                        ca.name,
                        describe(cb),
                        describe(ca)
                    )),
                    Some(_) => {}
                }
            }
            for cb in &b.columns {
                if a.column(&cb.name).is_none() {
                    out.push(format!("column {name}.{} is left over", cb.name));
                }
            }
            // A partition's copy of its parent's key (which PostgreSQL makes
            // on PARTITION OF and ATTACH, and pg_dump writes out as the
            // partition's own constraint): the model keeps none on the first
            // path, one on the second, and both are the same catalogue.
            for (cname, ka) in &a.constraints {
                if parents_key(self, a, cname) {
                    continue;
                }
                match b.constraints.get(cname) {
                    None => out.push(format!("constraint {cname} on {name} is missing")),
                    Some(kb) if kb != ka => {
                        out.push(format!("constraint {cname} on {name} differs"))
                    }
                    Some(_) => {}
                }
            }
            for cname in b.constraints.keys() {
                if !a.constraints.contains_key(cname) && !parents_key(other, b, cname) {
                    out.push(format!("constraint {cname} on {name} is left over"));
                }
            }
            if a.partitioning != b.partitioning || a.partition_of != b.partition_of {
                out.push(format!("partitioning of {name} differs"));
            }
        }
        diff_keys(&mut out, "view", &self.views, &other.views, &sure);
        diff_keys(&mut out, "enum type", &self.enums, &other.enums, &sure);
        for (name, a) in &self.enums {
            if let Some(b) = other.enums.get(name)
                && a != b
                && sure(name)
            {
                out.push(format!("enum type {name} has labels {b:?} but had {a:?}"));
            }
        }
        diff_keys(&mut out, "domain", &self.domains, &other.domains, &sure);
        diff_keys(
            &mut out,
            "composite type",
            &self.composites,
            &other.composites,
            &sure,
        );
        // An index of a table in doubt is in doubt (a detached partition's
        // copies of its parent's indexes, which the model does not keep).
        let index_sure = |q: &QualName| {
            sure(q)
                && [self, other].iter().all(|s| {
                    s.indexes.get(q).is_none_or(|ix| {
                        sure(&ix.table)
                            && !(s.tables.get(&ix.table))
                                .is_some_and(|t| parents_key(s, t, &q.name))
                    })
                })
        };
        diff_keys(
            &mut out,
            "index",
            &self.indexes,
            &other.indexes,
            &index_sure,
        );
        for (name, a) in &self.indexes {
            if let Some(b) = other.indexes.get(name)
                && !a.may_have_same_definition(b)
                && sure(name)
                && sure(&a.table)
            {
                out.push(format!("index {name} is defined differently"));
            }
        }
        diff_set(&mut out, "sequence", &self.sequences, &other.sequences);
        diff_set(&mut out, "type", &self.other_types, &other.other_types);
        diff_keys(
            &mut out,
            "function",
            &self.functions,
            &other.functions,
            &sure,
        );
        for (name, a) in &self.functions {
            if let Some(b) = other.functions.get(name)
                && !crate::model::function::same_as_far_as_known(a, b)
                && sure(name)
            {
                out.push(format!("function {name} has another body or signature"));
            }
        }
        let triggers = |s: &Schema| -> Set<String> {
            s.triggers
                .keys()
                .filter(|(t, _)| sure(t))
                .map(|(t, n)| format!("{n} on {t}"))
                .collect()
        };
        diff_set(&mut out, "trigger", &triggers(self), &triggers(other));
        diff_set(&mut out, "extension", &self.extensions, &other.extensions);
        diff_set(&mut out, "schema", &self.schemas, &other.schemas);
        out
    }
}

fn describe(c: &Column) -> String {
    let mut s = c.ty.to_string();
    if !c.nullable {
        s.push_str(" not null");
    }
    if c.has_default {
        s.push_str(" with default");
    }
    match c.identity {
        Some(crate::model::schema::Identity::Always) => s.push_str(" generated always as identity"),
        Some(crate::model::schema::Identity::ByDefault) => {
            s.push_str(" generated by default as identity")
        }
        None => {}
    }
    s
}

fn diff_keys<V: Clone>(
    out: &mut Vec<String>,
    what: &str,
    a: &Map<QualName, V>,
    b: &Map<QualName, V>,
    sure: &impl Fn(&QualName) -> bool,
) {
    for k in a.keys() {
        if !b.contains_key(k) && sure(k) {
            out.push(format!("{what} {k} is missing"));
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) && sure(k) {
            out.push(format!("{what} {k} is left over"));
        }
    }
}

fn diff_set<K: fmt::Display + Ord + Clone>(
    out: &mut Vec<String>,
    what: &str,
    a: &Set<K>,
    b: &Set<K>,
) {
    for k in a.iter().filter(|k| !b.contains(*k)) {
        out.push(format!("{what} {k} is missing"));
    }
    for k in b.iter().filter(|k| !a.contains(*k)) {
        out.push(format!("{what} {k} is left over"));
    }
}

/// `cname` is a primary key or unique constraint of partition `t` on the
/// columns of such a key of its parent: the partition's copy of it.
fn parents_key(s: &Schema, t: &Table, cname: &str) -> bool {
    let key = |k: &ConstraintKind| match k {
        ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns } => {
            Some(columns.clone())
        }
        _ => None,
    };
    let Some(columns) = t.constraints.get(cname).and_then(key) else {
        return false;
    };
    (t.partition_of.as_ref())
        .and_then(|p| s.tables.get(p))
        .is_some_and(|p| {
            p.constraints
                .values()
                .any(|k| key(k).as_ref() == Some(&columns))
        })
}
