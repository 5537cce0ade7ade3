//! CREATE INDEX: the name PostgreSQL chooses, and the partitions' indexes a
//! partitioned table's index may adopt.

use super::Applier;
use crate::lower::indexes::CreateIndex;
use crate::model::schema::{Index, QualName};

impl Applier<'_> {
    pub(crate) fn create_index(&mut self, c: &CreateIndex<'_>) {
        let rel = &c.table;
        // Materialized views take indexes too; their columns are not checked.
        let matview = self
            .resolve(rel.schema, rel.name, &self.schema.views)
            .filter(|q| self.schema.views.get(q).is_some_and(|v| v.materialized));
        let Some(table) = matview.clone().or_else(|| self.table_named(rel, false)) else {
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
        if self.schema.indexes.contains_key(&q) || self.schema.tables.contains_key(&q) {
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
        self.schema.indexes.insert(q, ix);
    }
}
