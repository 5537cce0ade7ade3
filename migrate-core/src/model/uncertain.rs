//! Merging what the model knows with what a statement may or may not have done.

use std::hash::Hash;

use crate::model::schema::{Map, QualName, Schema, Set};

impl Schema {
    /// Makes this schema stand for "this, or `other`": the state after a
    /// statement that may or may not have run (a DO block's IF branch, a block
    /// that rolls back on error). Every object that differs between the two
    /// becomes opaque, and the model keeps whichever version exists (this one's
    /// when both do: it is the better guess), so that later statements using it
    /// are not errors.
    pub fn absorb(&mut self, other: &Schema) {
        if self == other {
            return;
        }
        let mut opaque: Vec<QualName> = Vec::new();
        merge(&mut self.tables, &other.tables, &mut opaque, |k| k.clone());
        merge(&mut self.views, &other.views, &mut opaque, |k| k.clone());
        merge(&mut self.enums, &other.enums, &mut opaque, |k| k.clone());
        merge(&mut self.domains, &other.domains, &mut opaque, |k| {
            k.clone()
        });
        merge(&mut self.composites, &other.composites, &mut opaque, |k| {
            k.clone()
        });
        merge(&mut self.indexes, &other.indexes, &mut opaque, |k| {
            k.clone()
        });
        merge(&mut self.functions, &other.functions, &mut opaque, |k| {
            k.clone()
        });
        merge(&mut self.triggers, &other.triggers, &mut opaque, |k| {
            k.0.clone()
        });
        union(&mut self.sequences, &other.sequences, &mut opaque, |k| {
            k.clone()
        });
        // A table whose index or trigger may differ is itself in doubt.
        for q in opaque.clone() {
            if let Some(ix) = self.indexes.get(&q) {
                opaque.push(ix.table.clone());
            }
        }
        self.opaque.extend(opaque);
        self.opaque.extend(other.opaque.iter().cloned());
        self.schemas.extend(other.schemas.iter().cloned());
        self.extensions.extend(other.extensions.iter().cloned());
        (self.foreign_imports).extend(other.foreign_imports.iter().cloned());
        for (e, s) in &other.extension_schemas {
            if !self.extension_schemas.contains_key(e) {
                self.extension_schemas.insert(e.clone(), s.clone());
            }
        }
        for (range, multi) in &other.multiranges {
            if !self.multiranges.contains_key(range) {
                self.multiranges.insert(range.clone(), multi.clone());
            }
        }
        if self.unknown.is_none() {
            self.unknown.clone_from(&other.unknown);
        }
    }
}

fn merge<K: Ord + Clone + Hash, V: Clone + PartialEq>(
    mine: &mut Map<K, V>,
    theirs: &Map<K, V>,
    opaque: &mut Vec<QualName>,
    name: impl Fn(&K) -> QualName,
) {
    if mine.ptr_eq(theirs) {
        return;
    }
    for (k, v) in theirs {
        match mine.get(k) {
            None => {
                opaque.push(name(k));
                mine.insert(k.clone(), v.clone());
            }
            Some(m) if m != v => opaque.push(name(k)),
            Some(_) => {}
        }
    }
    for k in mine.keys() {
        if !theirs.contains_key(k) {
            opaque.push(name(k));
        }
    }
}

fn union<K: Ord + Clone + Hash>(
    mine: &mut Set<K>,
    theirs: &Set<K>,
    opaque: &mut Vec<QualName>,
    name: impl Fn(&K) -> QualName,
) {
    for k in theirs {
        if !mine.contains(k) {
            opaque.push(name(k));
            mine.insert(k.clone());
        }
    }
    for k in mine.iter() {
        if !theirs.contains(k) {
            opaque.push(name(k));
        }
    }
}
