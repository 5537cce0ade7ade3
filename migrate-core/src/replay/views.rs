//! Views, materialized views, CREATE TABLE AS and SELECT INTO: relations whose
//! columns come from a query (see `query.rs`).

use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ObjectType};

use super::query::OutColumn;
use super::{is, strings};
use crate::model::apply::Applier;
use crate::model::schema::{Column, QualName, Table, View};
use crate::model::types::SqlType;

/// Derived columns as the model keeps them: every one nullable, with no
/// default, as PostgreSQL makes them; `None` for a type it cannot tell.
fn derived(cols: Vec<OutColumn>, names: &[String]) -> (Vec<Column>, bool) {
    let mut typed = true;
    let out = cols
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            typed &= c.ty.is_some();
            Column::plain(
                names.get(i).cloned().unwrap_or(c.name),
                c.ty.unwrap_or_else(|| SqlType::builtin("unknown")),
            )
        })
        .collect();
    (out, typed)
}

impl Applier<'_> {
    pub(super) fn create_view(&mut self, s: &pb::ViewStmt) {
        let Some(rv) = &s.view else { return };
        let q = self.qual_for_create(&rv.schemaname, &rv.relname);
        if self.schema.tables.contains_key(&q) || (self.schema.views.contains_key(&q) && !s.replace)
        {
            self.error_at(
                Some(rv.location),
                format!("relation \"{q}\" already exists"),
                Some("use CREATE OR REPLACE VIEW, or drop it first".to_owned()),
            );
            return;
        }
        self.derived_relation(&q, s.query.as_deref(), &strings(&s.aliases), Kind::View);
    }

    pub(super) fn create_table_as(&mut self, s: &pb::CreateTableAsStmt) {
        let Some(into) = &s.into else { return };
        let Some(rv) = &into.rel else { return };
        let q = self.new_relation(rv);
        if self.schema.views.contains_key(&q) || self.schema.tables.contains_key(&q) {
            if !s.if_not_exists {
                self.error_at(
                    Some(rv.location),
                    format!("relation \"{q}\" already exists"),
                    Some("drop it first, pick another name, or add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        let kind = if is(s.objtype, ObjectType::ObjectMatview) {
            Kind::Materialized
        } else {
            Kind::Table
        };
        self.derived_relation(&q, s.query.as_deref(), &strings(&into.col_names), kind);
    }

    /// `SELECT ... INTO new_table FROM ...`: CREATE TABLE AS by another name.
    pub(super) fn select_into(&mut self, s: &pb::SelectStmt) {
        let Some(into) = &s.into_clause else { return };
        let Some(rv) = &into.rel else { return };
        let q = self.new_relation(rv);
        if self.schema.views.contains_key(&q) || self.schema.tables.contains_key(&q) {
            self.error_at(
                Some(rv.location),
                format!("relation \"{q}\" already exists"),
                Some("drop it first or pick another name".to_owned()),
            );
            return;
        }
        let mut query = s.clone();
        query.into_clause = None;
        let node = pb::Node {
            node: Some(NodeEnum::SelectStmt(Box::new(query))),
        };
        self.derived_relation(&q, Some(&node), &strings(&into.col_names), Kind::Table);
    }

    fn derived_relation(
        &mut self,
        q: &QualName,
        query: Option<&pb::Node>,
        names: &[String],
        kind: Kind,
    ) {
        // Every relation the query reads must exist.
        if let Some(n) = query.and_then(|n| n.node.as_ref()) {
            self.dml(&crate::lower::dml::dml(n));
        }
        let shape = self.query_columns(query).map(|c| derived(c, names));
        let typed = shape.as_ref().is_some_and(|(_, t)| *t);
        let depends = self.query_depends(query);
        let (reads, reads_certain) = self.query_reads(query, &depends);
        match kind {
            Kind::View | Kind::Materialized => {
                self.schema.views.insert(
                    q.clone(),
                    View {
                        name: q.clone(),
                        columns: shape.map(|(c, _)| c).filter(|_| typed),
                        materialized: kind == Kind::Materialized,
                        depends,
                        reads,
                        reads_certain,
                    },
                );
                self.schema.opaque.remove(q);
            }
            Kind::Table => {
                let mut t = Table::new(q.clone());
                if let Some((c, _)) = shape {
                    t.columns = c;
                }
                self.schema.tables.insert(q.clone(), Arc::new(t));
                if typed {
                    self.schema.opaque.remove(q);
                } else {
                    // What cannot be typed is opaque, not missing.
                    self.make_opaque(
                        q.clone(),
                        "the column types of CREATE TABLE ... AS are not all derived",
                    );
                }
            }
        }
    }

    /// The column names a query reads, with `*` expanded over the relations it
    /// reads as they are now; certain when it reads one relation and has no
    /// subquery or CTE whose output columns could carry the same names.
    fn query_reads(&self, query: Option<&pb::Node>, depends: &[QualName]) -> (Vec<String>, bool) {
        let found = crate::sql::walk::walk(query);
        let mut reads = found.columns;
        if found.kinds.iter().any(|k| k == "AStar") {
            for d in depends {
                let cols = self
                    .schema
                    .tables
                    .get(d)
                    .map(|t| t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>())
                    .or_else(|| {
                        self.schema
                            .views
                            .get(d)
                            .and_then(|v| v.columns.as_ref())
                            .map(|c| c.iter().map(|c| c.name.clone()).collect())
                    })
                    .unwrap_or_default();
                for c in cols {
                    if !reads.contains(&c) {
                        reads.push(c);
                    }
                }
            }
        }
        let nested = [
            "RangeSubselect",
            "CommonTableExpr",
            "SubLink",
            "RangeFunction",
        ];
        let certain =
            depends.len() == 1 && !found.kinds.iter().any(|k| nested.contains(&k.as_str()));
        (reads, certain)
    }

    /// The tables and views a query reads, anywhere in it (joins, subqueries,
    /// CTEs, set operations); names its WITH clauses define are left out.
    pub(super) fn query_depends(&self, query: Option<&pb::Node>) -> Vec<QualName> {
        let found = crate::sql::walk::walk(query);
        let ctes = found.ctes;
        let mut out = Vec::new();
        for rv in found.relations {
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    View,
    Materialized,
    Table,
}
