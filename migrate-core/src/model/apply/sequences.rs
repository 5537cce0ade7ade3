//! Sequences and the columns that own them (serial, identity, OWNED BY).

use super::Applier;
use crate::model::schema::QualName;

impl Applier<'_> {
    /// No column owns `seq` any more (OWNED BY NONE, DROP SEQUENCE, a new owner).
    pub(crate) fn disown(&mut self, seq: &QualName) {
        crate::model::schema::update_all(&mut self.schema.tables, |t| {
            if t.name.schema != seq.schema
                || !t
                    .columns
                    .iter()
                    .any(|c| c.sequence.as_deref() == Some(seq.name.as_str()))
            {
                return;
            }
            for c in &mut std::sync::Arc::make_mut(t).columns {
                if c.sequence.as_deref() == Some(seq.name.as_str()) {
                    c.sequence = None;
                }
            }
        });
    }
}
