//! Functions, procedures and triggers.

use super::Applier;
use crate::lower::functions::{CreateFunction, CreateTrigger};

impl Applier<'_> {
    /// Known by name, with a fingerprint of its arguments, result, language and
    /// body; overloads are one entry.
    pub(crate) fn create_function(&mut self, c: &CreateFunction) {
        let q = self.qual_from_list(&c.names);
        self.schema
            .functions
            .insert(q.clone(), c.fingerprint.clone());
        self.schema.opaque.remove(&q);
    }

    pub(crate) fn create_trigger(&mut self, c: &CreateTrigger<'_>) {
        let rel = &c.relation;
        // INSTEAD OF triggers sit on views.
        let view = self.resolve(rel.schema, rel.name, &self.schema.views);
        let Some(table) = view.or_else(|| self.table_of(rel, false)) else {
            return;
        };
        let key = (table.clone(), c.name.to_owned());
        if self.schema.triggers.contains_key(&key) && !c.replace {
            self.error_at(
                self.locate(c.name),
                format!(
                    "trigger \"{}\" for relation \"{table}\" already exists",
                    c.name
                ),
                Some("drop it first, or use CREATE OR REPLACE TRIGGER".to_owned()),
            );
            return;
        }
        let func = self.qual_from_list(&c.function);
        // The schema written, empty when unqualified.
        let schema = match c.function.as_slice() {
            [.., schema, _] => schema.as_str(),
            _ => "",
        };
        let func = self
            .resolve(schema, &func.name, &self.schema.functions)
            .unwrap_or(func);
        self.schema.triggers.insert(key, func);
    }
}
