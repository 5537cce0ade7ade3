//! Views, materialized views and CREATE TABLE AS: their columns from the query.

use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ObjectType};

use super::{Replayer, is, strings};
use crate::model::schema::{Column, QualName, Table, View};

impl Replayer<'_> {
    pub(super) fn view_columns(&self, query: Option<&pb::Node>) -> Option<Vec<Column>> {
        let Some(NodeEnum::SelectStmt(sel)) = query.and_then(|q| q.node.as_ref()) else {
            return None;
        };
        let [from] = sel.from_clause.as_slice() else {
            return None;
        };
        let Some(NodeEnum::RangeVar(rv)) = &from.node else {
            return None;
        };
        let table =
            &self.schema.tables[&self.resolve(&rv.schemaname, &rv.relname, &self.schema.tables)?];
        let mut out = Vec::new();
        for t in &sel.target_list {
            let Some(NodeEnum::ResTarget(rt)) = &t.node else {
                return None;
            };
            let Some(NodeEnum::ColumnRef(cr)) = rt.val.as_ref().and_then(|v| v.node.as_ref())
            else {
                return None;
            };
            if matches!(
                cr.fields.last().and_then(|f| f.node.as_ref()),
                Some(NodeEnum::AStar(_))
            ) {
                out.extend(table.columns.iter().cloned().map(|mut c| {
                    c.has_default = false;
                    c
                }));
                continue;
            }
            let name = strings(&cr.fields).last()?.clone();
            let mut col = table.column(&name)?.clone();
            // A view column carries the type, not the constraints.
            col.nullable = true;
            col.has_default = false;
            col.identity = None;
            col.generated = false;
            if !rt.name.is_empty() {
                col.name = rt.name.clone();
            }
            out.push(col);
        }
        Some(out)
    }

    pub(super) fn create_table_as(&mut self, s: &pb::CreateTableAsStmt) {
        let Some(into) = &s.into else { return };
        let Some(rv) = &into.rel else { return };
        let q = self.qual_for_create(&rv.schemaname, &rv.relname);
        if is(s.objtype, ObjectType::ObjectMatview) {
            if self.schema.views.contains_key(&q) || self.schema.tables.contains_key(&q) {
                if !into.rel.as_ref().is_some_and(|_| s.if_not_exists) {
                    self.error_at(
                        Some(rv.location),
                        format!("relation \"{q}\" already exists"),
                        Some("drop it first, pick another name, or add IF NOT EXISTS".to_owned()),
                    );
                }
                return;
            }
            let columns = self.view_columns(s.query.as_deref());
            let depends = self.query_depends(s.query.as_deref());
            self.schema.views.insert(
                q.clone(),
                View {
                    name: q,
                    columns,
                    materialized: true,
                    depends,
                },
            );
        } else {
            let columns = self.view_columns(s.query.as_deref());
            let mut t = Table::new(q.clone());
            let derived = columns.is_some();
            if let Some(c) = columns {
                t.columns = c;
            }
            self.schema.tables.insert(q.clone(), Arc::new(t));
            if derived {
                self.schema.opaque.remove(&q);
            } else {
                // What cannot be typed is opaque, not missing.
                self.make_opaque(q, "the columns of CREATE TABLE ... AS are not derived");
            }
        }
    }
}

impl Replayer<'_> {
    /// The tables and views a query reads, anywhere in it (joins, subqueries,
    /// CTEs, set operations); names its WITH clauses define are left out.
    pub(super) fn query_depends(&self, query: Option<&pb::Node>) -> Vec<QualName> {
        let Some(n) = query.and_then(|q| q.node.as_ref()) else {
            return Vec::new();
        };
        let mut ctes = Vec::new();
        let mut rels = Vec::new();
        for (r, ..) in n.nodes() {
            match r {
                pg_query::NodeRef::CommonTableExpr(c) => ctes.push(c.ctename.clone()),
                pg_query::NodeRef::RangeVar(rv) => rels.push(rv.clone()),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for rv in rels {
            if rv.schemaname.is_empty() && ctes.contains(&rv.relname) {
                continue;
            }
            let found = self
                .resolve(&rv.schemaname, &rv.relname, &self.schema.tables)
                .or_else(|| self.resolve(&rv.schemaname, &rv.relname, &self.schema.views));
            if let Some(q) = found
                && !out.contains(&q)
            {
                out.push(q);
            }
        }
        out
    }
}
