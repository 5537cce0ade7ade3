//! Names: where new objects go and how written names resolve, as the search path does.

use super::{Applier, object_name};
use crate::lower::RelName;
use crate::model::schema::{Names, QualName};

impl Applier<'_> {
    // ---- names ------------------------------------------------------------

    /// The schema new objects go to.
    /// As PostgreSQL: the first schema of the search path that exists (once
    /// the model is lost, any may: a DO block's EXECUTE may have made it).
    pub(crate) fn creation_schema(&self) -> String {
        let lost = self.schema.lost();
        self.search_path
            .iter()
            .find(|s| lost || self.schema.schemas.contains(*s))
            .or_else(|| self.search_path.first())
            .cloned()
            .unwrap_or_else(|| "public".to_owned())
    }

    /// A relation of that name exists: tables, views, indexes, sequences and
    /// composite types share pg_class's namespace.
    pub(crate) fn relation_exists(&self, q: &QualName) -> bool {
        let s = &self.schema;
        s.tables.contains_key(q)
            || s.views.contains_key(q)
            || s.indexes.contains_key(q)
            || s.sequences.contains(q)
            || s.composites.contains_key(q)
    }

    /// The name a new relation gets: `pg_temp` for a temporary one, else the
    /// schema written or the creation schema.
    pub(crate) fn new_relation(&self, rel: &RelName<'_>) -> QualName {
        if rel.temp {
            QualName::new("pg_temp", rel.name)
        } else {
            self.qual_for_create(rel.schema, rel.name)
        }
    }

    pub(crate) fn qual_for_create(&self, schema: &str, name: &str) -> QualName {
        if schema.is_empty() {
            QualName::new(self.creation_schema(), name)
        } else {
            QualName::new(schema, name)
        }
    }

    pub(crate) fn qual_from_list(&self, names: &[String]) -> QualName {
        match names {
            [.., schema, name] => QualName::new(schema.clone(), name.clone()),
            [name] => QualName::new(self.creation_schema(), name.clone()),
            [] => QualName::public(""),
        }
    }

    /// Finds an existing relation-like object the way PostgreSQL's search path does.
    pub(crate) fn resolve(&self, schema: &str, name: &str, map: &impl Names) -> Option<QualName> {
        if !schema.is_empty() {
            let q = QualName::new(schema, name);
            return map.has(&q).then_some(q);
        }
        std::iter::once("pg_temp".to_owned())
            .chain(self.search_path.iter().cloned())
            .map(|s| QualName::new(s, name))
            .find(|q| map.has(q))
    }

    pub(crate) fn resolve_list(&self, names: &[String], map: &impl Names) -> Option<QualName> {
        match names {
            [.., schema, name] => self.resolve(schema, name, map),
            [name] => self.resolve("", name, map),
            [] => None,
        }
    }

    /// The name of a serial's or identity's sequence: `{table}_{column}_seq`,
    /// with a number when a relation has it (ChooseRelationName).
    pub(crate) fn choose_sequence_name(&self, table: &QualName, column: &str) -> String {
        let free = |n: &str| !self.relation_exists(&QualName::new(table.schema.clone(), n));
        first_free(&table.name, Some(column), "seq", free)
    }

    /// The name PostgreSQL gives an unnamed constraint or index on `table`:
    /// `{table}_{cols}_{label}`, numbered past the names already used. What
    /// counts as used depends on the label, as in PostgreSQL: a check's,
    /// foreign key's or NOT NULL's name (ChooseConstraintName) must be no
    /// constraint's in the schema, whatever its table; an index's
    /// (ChooseRelationName) no relation's, and for the index of a primary
    /// key, unique or exclusion constraint no constraint's either.
    pub(crate) fn choose_name(
        &mut self,
        table: &QualName,
        cols: Option<&str>,
        label: &str,
    ) -> String {
        let (relations, constraints) = match label {
            "idx" => (true, false),
            "pkey" | "key" | "excl" => (true, true),
            _ => (false, true),
        };
        let schema = &table.schema;
        self.schema.related();
        let related = &self.schema.related;
        let free = |n: &str| {
            let relation = relations && self.relation_exists(&QualName::new(schema.clone(), n));
            let constraint = constraints && related.constraint_named(schema, n);
            !relation && !constraint
        };
        first_free(&table.name, cols, label, free)
    }

    /// The table `rel` names; `None` for a view, a sequence or a catalogue
    /// (not an error), and for a relation that does not exist (reported unless
    /// `missing_ok`).
    pub(crate) fn table_of(&mut self, rel: &RelName<'_>, missing_ok: bool) -> Option<QualName> {
        if let Some(q) = self.resolve(rel.schema, rel.name, &self.schema.tables) {
            return Some(q);
        }
        // Views, sequences and PostgreSQL's own catalogues answer queries too;
        // they are not an error, just not a table of the model.
        if self
            .resolve(rel.schema, rel.name, &self.schema.views)
            .is_some()
            || self
                .resolve(rel.schema, rel.name, &self.schema.sequences)
                .is_some()
            || is_system(rel.schema, rel.name)
        {
            return None;
        }
        if !missing_ok {
            let name = self.qual_for_create(rel.schema, rel.name);
            self.missing_table(&name, Some(rel.at));
        }
        None
    }
}

/// `{name}_{cols}_{label}`, then with `label1`, `label2`, ... until `free`
/// takes it.
fn first_free(name: &str, cols: Option<&str>, label: &str, free: impl Fn(&str) -> bool) -> String {
    let mut pass = 0;
    loop {
        let l = if pass == 0 {
            label.to_owned()
        } else {
            format!("{label}{pass}")
        };
        let n = object_name(name, cols, &l);
        if free(&n) {
            return n;
        }
        pass += 1;
    }
}

/// A relation of PostgreSQL's own: anything in `pg_catalog` or
/// `information_schema`, and unqualified `pg_*` names (pg_catalog is always on
/// the search path, first).
pub(crate) fn is_system(schema: &str, name: &str) -> bool {
    match schema {
        "" => name.starts_with("pg_"),
        s => s == "pg_catalog" || s == "information_schema" || s.starts_with("pg_toast"),
    }
}
