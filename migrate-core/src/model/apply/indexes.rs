//! CREATE INDEX: the name PostgreSQL chooses, and the partitions' indexes a
//! partitioned table's index may adopt.

use pg_query::NodeEnum;

use super::Applier;
use crate::lower::colname::{index_elem_names, index_elems};
use crate::lower::indexes::CreateIndex;
use crate::model::schema::{Index, QualName};

impl Applier<'_> {
    pub(crate) fn create_index(&mut self, c: &CreateIndex<'_>) {
        let rel = &c.table;
        // Materialized views take indexes too; their columns are not checked.
        let matview = self
            .resolve(rel.schema, rel.name, &self.schema.views)
            .filter(|q| self.schema.views.get(q).is_some_and(|v| v.materialized));
        let Some(table) = matview.clone().or_else(|| self.table_of(rel, false)) else {
            return;
        };
        if matview.is_none() {
            for column in &c.named {
                self.expect_column(&table, column, None);
            }
        }
        let name = match c.name {
            Some(n) => n.to_owned(),
            None => self.choose_name(&table, Some(&c.names.join("_")), c.label),
        };
        let q = QualName::new(table.schema.clone(), name);
        // An index the model doubts (its name chosen on a partition, say) may
        // not be called so: no error, the new one takes its place.
        let doubted = self.schema.opaque.contains(&q) && !self.schema.tables.contains_key(&q);
        if !doubted && self.relation_exists(&q) {
            if !c.if_not_exists {
                self.error_at(
                    self.locate(&q.name),
                    format!("relation \"{q}\" already exists"),
                    Some("pick another index name, or add IF NOT EXISTS".to_owned()),
                );
            }
            return;
        }
        self.schema.opaque.remove(&q);
        let ix = Index {
            table,
            columns: c.columns.clone(),
            unique: c.unique,
            partial: c.partial,
            uses: c.uses.clone(),
            definition: c.definition.clone(),
            names: c.names.clone(),
        };
        // ONLY builds no copies on the partitions, so it adopts none.
        if rel.inh {
            let partitions = self.partitions_of(&ix.table);
            self.doubt_adopted_indexes(&ix, &partitions);
        }
        let on = ix.table.clone();
        self.schema.indexes.insert(q.clone(), ix);
        if c.name.is_none() {
            self.doubt_chosen_index_name(&q, &on);
        }
    }
}

/// The names an index's columns give an implicit index name: the column, or
/// for an expression its FigureColname, as they were when it was built.
pub(crate) fn index_column_names(ix: &Index) -> Vec<String> {
    if !ix.names.is_empty() {
        return ix.names.clone();
    }
    let parsed = crate::sql::parse::parse("", &ix.definition).ok();
    match parsed.as_ref().and_then(|p| p.first()).map(|s| &s.node) {
        Some(NodeEnum::IndexStmt(stmt)) => index_elem_names(
            index_elems(&stmt.index_params).chain(index_elems(&stmt.index_including_params)),
        ),
        // Constraint indexes have no definition: their columns are names.
        _ => ix
            .columns
            .iter()
            .map(|c| {
                if c == "(expr)" {
                    "expr".to_owned()
                } else {
                    c.clone()
                }
            })
            .collect(),
    }
}
