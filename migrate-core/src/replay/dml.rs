//! INSERT, UPDATE, DELETE, MERGE, TRUNCATE and queries: every relation they
//! read or write must exist, and the columns they write too. Writes to
//! PostgreSQL's own catalogues change the schema behind the model's back.

use std::collections::BTreeSet;

use pg_query::NodeEnum;

use crate::model::apply::Applier;
use crate::model::apply::is_system;
use crate::model::schema::QualName;

impl Applier<'_> {
    pub(super) fn dml(&mut self, node: &NodeEnum) {
        // Names a WITH clause defines are not relations.
        let found = crate::sql::walk::walk_node(node);
        let ctes: BTreeSet<String> = found.ctes.into_iter().collect();
        let relations = found.relations;
        let literals = found.strings;
        self.calls_that_run_ddl(&found.calls);
        let target = match node {
            NodeEnum::InsertStmt(s) => s.relation.as_ref(),
            NodeEnum::UpdateStmt(s) => s.relation.as_ref(),
            NodeEnum::DeleteStmt(s) => s.relation.as_ref(),
            NodeEnum::MergeStmt(s) => s.relation.as_ref(),
            _ => None,
        };
        if let Some(t) = target
            && is_system(&t.schemaname, &t.relname)
        {
            self.catalogue_write(&literals);
            return;
        }
        let Some(table) = target.and_then(|rv| self.table_of(rv, false)) else {
            // A missing target is reported once; what the query reads is not
            // checked against a statement that fails anyway.
            if target.is_none() {
                for rv in &relations {
                    if !(rv.schemaname.is_empty() && ctes.contains(&rv.relname)) {
                        self.table_of(rv, false);
                    }
                }
            }
            return;
        };
        for rv in &relations {
            if !(rv.schemaname.is_empty() && ctes.contains(&rv.relname)) {
                self.table_of(rv, false);
            }
        }
        let written: Vec<(String, i32)> = match node {
            NodeEnum::InsertStmt(s) => res_targets(&s.cols),
            NodeEnum::UpdateStmt(s) => res_targets(&s.target_list),
            _ => Vec::new(),
        };
        for (col, loc) in written {
            self.expect_column(&table, &col, Some(loc));
        }
    }

    /// A statement that calls a function of the migrations whose body runs DDL
    /// (`SELECT create_partitions()`): what it changes is not followed.
    pub(super) fn calls_that_run_ddl(&mut self, calls: &[Vec<String>]) {
        for names in calls {
            if let Some(q) = self.resolve_list(names, &self.schema.functions)
                && self
                    .schema
                    .functions
                    .get(&q)
                    .is_some_and(|body| runs_ddl(body))
            {
                self.lose(&format!("{q}() runs DDL the model does not follow"));
                return;
            }
        }
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

fn res_targets(nodes: &[pg_query::protobuf::Node]) -> Vec<(String, i32)> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::ResTarget(rt)) if !rt.name.is_empty() => {
                Some((rt.name.clone(), rt.location))
            }
            _ => None,
        })
        .collect()
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
