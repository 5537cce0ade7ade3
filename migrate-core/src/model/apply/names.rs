//! Names: where new objects go and how written names resolve, as the search path does.

use pg_query::protobuf::{self as pb};

use super::Applier;
use crate::model::schema::{Names, QualName};

impl Applier<'_> {
    // ---- names ------------------------------------------------------------

    /// The schema new objects go to.
    /// As PostgreSQL: the first schema of the search path that exists.
    pub(crate) fn creation_schema(&self) -> String {
        self.search_path
            .iter()
            .find(|s| self.schema.schemas.contains(*s))
            .or_else(|| self.search_path.first())
            .cloned()
            .unwrap_or_else(|| "public".to_owned())
    }

    /// The name a new relation gets: `pg_temp` for a temporary one, else the
    /// schema written or the creation schema.
    pub(crate) fn new_relation(&self, rv: &pb::RangeVar) -> QualName {
        if rv.relpersistence == "t" {
            QualName::new("pg_temp", rv.relname.clone())
        } else {
            self.qual_for_create(&rv.schemaname, &rv.relname)
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

    pub(crate) fn table_of(&mut self, rv: &pb::RangeVar, missing_ok: bool) -> Option<QualName> {
        if let Some(q) = self.resolve(&rv.schemaname, &rv.relname, &self.schema.tables) {
            return Some(q);
        }
        // Views, sequences and PostgreSQL's own catalogues answer queries too;
        // they are not an error, just not a table of the model.
        if self
            .resolve(&rv.schemaname, &rv.relname, &self.schema.views)
            .is_some()
            || self
                .resolve(&rv.schemaname, &rv.relname, &self.schema.sequences)
                .is_some()
            || is_system(&rv.schemaname, &rv.relname)
        {
            return None;
        }
        if !missing_ok {
            let name = self.qual_for_create(&rv.schemaname, &rv.relname);
            self.missing_table(&name, Some(rv.location));
        }
        None
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
