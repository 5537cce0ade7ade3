//! INSERT, UPDATE, DELETE, MERGE, TRUNCATE and queries: every relation they
//! read or write must exist, and the columns they write too. Writes to
//! PostgreSQL's own catalogues change the schema behind the model's back.

use super::functions::calls;
use super::{Applier, is_system};
use crate::lower::dml::Dml;
use crate::model::schema::QualName;

impl Applier<'_> {
    /// Every relation it reads or writes must exist, and the columns it
    /// writes; a write to a catalogue changes the schema behind the model's back.
    pub(crate) fn dml(&mut self, c: &Dml<'_>) {
        self.calls_that_run_ddl(&c.calls);
        if let Some(t) = &c.target
            && is_system(t.schema, t.name)
        {
            self.catalogue_write(&c.literals);
            return;
        }
        let Some(table) = c.target.as_ref().and_then(|rel| self.table_of(rel, false)) else {
            // A missing target is reported once; what the query reads is not
            // checked against a statement that fails anyway.
            if c.target.is_none() {
                for rel in c.reads() {
                    self.table_of(&rel, false);
                }
            }
            return;
        };
        for rel in c.reads() {
            self.table_of(&rel, false);
        }
        for (col, loc) in &c.written {
            self.expect_column(&table, col, Some(*loc));
        }
    }

    /// A statement that calls a function of the migrations whose body runs DDL
    /// (`SELECT create_partitions()`): what it changes is not followed.
    pub(crate) fn calls_that_run_ddl(&mut self, calls: &[Vec<String>]) {
        for names in calls {
            if let Some(q) = self.resolve_list(names, &self.schema.functions)
                && self.function_runs_ddl(&q, &mut Vec::new())
            {
                self.lose(&format!("{q}() runs DDL the model does not follow"));
                return;
            }
        }
    }

    /// Whether a function of the migrations runs DDL: its body has some, or
    /// calls another function of theirs that does (`PERFORM ensure_table()`
    /// in a `bootstrap()`), found by name in the body's text. `seen` stops a
    /// recursion.
    fn function_runs_ddl(&self, q: &QualName, seen: &mut Vec<QualName>) -> bool {
        if seen.contains(q) {
            return false;
        }
        seen.push(q.clone());
        let Some(overloads) = self.schema.functions.get(q) else {
            return false;
        };
        if overloads.values().any(|f| runs_ddl(&f.body)) {
            return true;
        }
        let called: Vec<QualName> = (self.schema.functions.keys())
            .filter(|other| *other != q && overloads.values().any(|f| calls(&f.body, &other.name)))
            .cloned()
            .collect();
        called.iter().any(|c| self.function_runs_ddl(c, seen))
    }

    /// A write to a system catalogue (`UPDATE pg_attribute ...`, by a superuser):
    /// the objects its string literals name become opaque; when it names none
    /// the model knows, anything may have changed.
    fn catalogue_write(&mut self, literals: &[String]) {
        let mut named: Vec<QualName> = Vec::new();
        for l in literals {
            let (schema, name) = match l.rsplit_once('.') {
                Some((s, n)) => (s.trim_matches('"'), n.trim_matches('"')),
                None => ("", l.as_str()),
            };
            let s = &*self.schema;
            let found = [
                self.resolve(schema, name, &s.tables),
                self.resolve(schema, name, &s.views),
                self.resolve(schema, name, &s.enums),
                self.resolve(schema, name, &s.domains),
                self.resolve(schema, name, &s.composites),
                self.resolve(schema, name, &s.indexes),
                self.resolve(schema, name, &s.functions),
            ];
            named.extend(found.into_iter().flatten());
        }
        if named.is_empty() {
            self.lose("a write to a system catalogue is not followed");
            return;
        }
        for q in named {
            self.make_opaque(q, "a write to a system catalogue is not followed");
        }
    }
}

/// True when a function's definition (its body among it) has DDL in it.
fn runs_ddl(definition: &str) -> bool {
    let upper = definition.to_ascii_uppercase();
    [
        "CREATE ",
        "ALTER ",
        "DROP ",
        "EXECUTE ",
        "TRUNCATE ",
        "COMMENT ON",
    ]
    .iter()
    .any(|k| upper.contains(k))
}
