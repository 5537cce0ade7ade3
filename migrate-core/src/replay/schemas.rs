//! CREATE SCHEMA: its elements are created in it.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

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
        // PostgreSQL (transformCreateSchemaStmt) runs the elements by kind,
        // not as written: sequences, tables, views, indexes, triggers, grants.
        let rank = |n: &NodeEnum| match n {
            NodeEnum::CreateSeqStmt(_) => 0,
            NodeEnum::CreateStmt(_) => 1,
            NodeEnum::ViewStmt(_) => 2,
            NodeEnum::IndexStmt(_) => 3,
            NodeEnum::CreateTrigStmt(_) => 4,
            _ => 5,
        };
        let mut elements: Vec<&NodeEnum> = s
            .schema_elts
            .iter()
            .filter_map(|e| e.node.as_ref())
            .collect();
        elements.sort_by_key(|n| rank(n));
        for n in elements {
            self.node(n);
        }
        self.search_path = saved;
    }
}
