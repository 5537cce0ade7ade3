//! Schemas, triggers and functions.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use super::strings;
use crate::model::apply::Applier;

impl Applier<'_> {
    // ---- other objects --------------------------------------------------------

    pub(super) fn create_schema(&mut self, s: &pb::CreateSchemaStmt) {
        // CREATE SCHEMA AUTHORIZATION role: the schema is named after the role.
        let name = match (&s.schemaname, &s.authrole) {
            (n, _) if !n.is_empty() => n.clone(),
            // PostgreSQL's default search path starts with "$user": if the
            // migrating role is this one, unqualified names now resolve in the
            // new schema, and the model does not know the role.
            (_, Some(r)) if !r.rolename.is_empty() => {
                self.lose(&format!(
                    "schema \"{}\" is named after a role; if migrations run as that role, unqualified names resolve in it",
                    r.rolename
                ));
                r.rolename.clone()
            }
            _ => {
                self.lose(
                    "the schema is named after the current role, which the model does not know",
                );
                return;
            }
        };
        if self.schema.schemas.contains(&name) {
            if !s.if_not_exists {
                self.error_at(
                    self.locate(&name),
                    format!("schema \"{name}\" already exists"),
                    Some("add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        self.schema.schemas.insert(name.clone());
        // Its elements are created in it, as if it led the search path.
        let saved = std::mem::replace(&mut self.search_path, vec![name]);
        for e in &s.schema_elts {
            if let Some(n) = &e.node {
                self.node(n);
            }
        }
        self.search_path = saved;
    }

    pub(super) fn create_trigger(&mut self, s: &pb::CreateTrigStmt) {
        let Some(rv) = &s.relation else { return };
        // INSTEAD OF triggers sit on views.
        let view = self.resolve(&rv.schemaname, &rv.relname, &self.schema.views);
        let Some(table) = view.or_else(|| self.table_of(rv, false)) else {
            return;
        };
        let key = (table.clone(), s.trigname.clone());
        if self.schema.triggers.contains_key(&key) && !s.replace {
            self.error_at(
                self.locate(&s.trigname),
                format!(
                    "trigger \"{}\" for relation \"{table}\" already exists",
                    s.trigname
                ),
                Some("drop it first, or use CREATE OR REPLACE TRIGGER".to_owned()),
            );
            return;
        }
        let func = self.qual_from_list(&strings(&s.funcname));
        let func = self
            .resolve(
                &func_schema(&s.funcname),
                &func.name,
                &self.schema.functions,
            )
            .unwrap_or(func);
        self.schema.triggers.insert(key, func);
    }

    /// CREATE [OR REPLACE] FUNCTION / PROCEDURE: known by name, with a
    /// fingerprint of its arguments, result, language and body.
    pub(super) fn create_function(&mut self, s: &pb::CreateFunctionStmt) {
        let q = self.qual_from_list(&strings(&s.funcname));
        let mut parts: Vec<String> = Vec::new();
        for p in &s.parameters {
            if let Some(NodeEnum::FunctionParameter(fp)) = &p.node
                && let Some(tn) = &fp.arg_type
            {
                parts.push(format!("{}:{}", fp.mode, strings(&tn.names).join(".")));
            }
        }
        if let Some(rt) = &s.return_type {
            parts.push(format!("returns {}", strings(&rt.names).join(".")));
        }
        for o in &s.options {
            if let Some(NodeEnum::DefElem(d)) = &o.node {
                match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::List(l)) if d.defname == "as" => {
                        parts.push(format!("as {}", strings(&l.items).join("\u{0}")));
                    }
                    Some(NodeEnum::String(v)) if d.defname == "language" => {
                        parts.push(format!("language {}", v.sval.to_ascii_lowercase()));
                    }
                    _ => {}
                }
            }
        }
        if s.sql_body.is_some() {
            // A SQL-standard body (BEGIN ATOMIC ... END): its text is the body.
            parts.push(self.sql[self.stmt_start..self.stmt_end].to_owned());
        }
        self.schema.functions.insert(q.clone(), parts.join("\n"));
        self.schema.opaque.remove(&q);
    }
}

/// The schema a function name is written with (empty when unqualified).
fn func_schema(names: &[pb::Node]) -> String {
    let n = strings(names);
    match n.as_slice() {
        [.., schema, _] => schema.clone(),
        _ => String::new(),
    }
}
