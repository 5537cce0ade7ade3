//! Views, materialized views, CREATE TABLE AS and SELECT INTO: relations whose
//! columns come from a query (see `query.rs`), and what they depend on.

use std::sync::Arc;

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use super::Applier;
use super::query::OutColumn;
use crate::lower::views::{CreateDerived, Derived};
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
    pub(crate) fn create_derived(&mut self, c: &CreateDerived<'_>) {
        let rel = &c.name;
        let mut q = self.new_relation(rel);
        // A view that reads a temporary relation is temporary itself
        // (PostgreSQL says so in a NOTICE), unless its schema is written.
        if matches!(c.how, Derived::View { .. })
            && rel.schema.is_empty()
            && self
                .query_depends(c.query.as_deref())
                .iter()
                .any(|d| d.schema == "pg_temp")
        {
            q = QualName::new("pg_temp", rel.name);
        }
        let view = self.schema.views.contains_key(&q);
        // Any other relation of the name: a table, an index, a sequence.
        let table = !view && self.relation_exists(&q);
        let taken = match c.how {
            Derived::View { replace } => table || (view && !replace),
            Derived::TableAs { .. } | Derived::SelectInto => view || table,
        };
        // PostgreSQL made it, so a relation of the name the model doubts
        // (a CASCADE may have taken it) was not there.
        let taken = taken
            && (matches!(
                c.how,
                Derived::TableAs {
                    if_not_exists: true,
                    ..
                }
            ) || !self.forget_doubted_relation(&q));
        if taken {
            let help = match c.how {
                Derived::View { .. } => Some("use CREATE OR REPLACE VIEW, or drop it first"),
                Derived::TableAs {
                    if_not_exists: true,
                    ..
                } => None,
                Derived::TableAs { .. } => {
                    Some("drop it first, pick another name, or add IF NOT EXISTS")
                }
                Derived::SelectInto => Some("drop it first or pick another name"),
            };
            if let Some(help) = help {
                self.error_at(
                    Some(rel.at),
                    format!("relation \"{q}\" already exists"),
                    Some(help.to_owned()),
                );
            }
            return;
        }
        let kind = match c.how {
            Derived::View { .. } => Kind::View,
            Derived::TableAs {
                materialized: true, ..
            } => Kind::Materialized,
            Derived::TableAs { .. } | Derived::SelectInto => Kind::Table,
        };
        self.derived_relation(&q, c.query.as_deref(), &c.columns, kind);
    }

    /// `CREATE RULE "_RETURN" AS ON SELECT TO t DO INSTEAD SELECT ...` on a
    /// table (PostgreSQL 15 and before, and pg_dump's output for views in a
    /// dependency loop): the table becomes a view of its query, under the
    /// table's column names. False when `schema.name` is no table.
    pub(crate) fn table_becomes_view(
        &mut self,
        schema: &str,
        name: &str,
        query: Option<&pb::Node>,
    ) -> bool {
        let Some(q) = self.resolve(schema, name, &self.schema.tables) else {
            return false;
        };
        let Some(t) = self.schema.tables.remove(&q) else {
            return false;
        };
        let names: Vec<String> = t.columns.iter().map(|c| c.name.clone()).collect();
        self.derived_relation(&q, query, &names, Kind::View);
        true
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
        let found = crate::sql::walk::walk(query);
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
                        casts: found.casts,
                        mentions: (found.relations.iter().map(|r| r.relname.clone()))
                            .chain(found.strings)
                            .map(|m| m.to_lowercase())
                            .collect(),
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
        // A name in ORDER BY or GROUP BY that is also an output column's (`a
        // AS c ... ORDER BY c`), or one a column alias list gives (`FROM t x
        // (c, d)`), may not be the table's column of that name.
        let renamed = match query.and_then(|q| q.node.as_ref()) {
            Some(NodeEnum::SelectStmt(sel)) => {
                let outputs = sel.target_list.iter().filter_map(|t| match &t.node {
                    Some(NodeEnum::ResTarget(rt)) if !rt.name.is_empty() => Some(&rt.name),
                    _ => None,
                });
                let aliased = sel.from_clause.iter().any(|f| match &f.node {
                    Some(NodeEnum::RangeVar(rv)) => {
                        rv.alias.as_ref().is_some_and(|a| !a.colnames.is_empty())
                    }
                    _ => true,
                });
                // ORDER BY and GROUP BY take an output column's name before
                // an input column's.
                let ordering = (sel.sort_clause.iter().chain(&sel.group_clause))
                    .flat_map(|n| crate::sql::walk::walk(Some(n)).columns)
                    .collect::<Vec<_>>();
                aliased || outputs.into_iter().any(|n| ordering.contains(n))
            }
            _ => true,
        };
        let certain = depends.len() == 1
            && !renamed
            && !found.kinds.iter().any(|k| nested.contains(&k.as_str()));
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
