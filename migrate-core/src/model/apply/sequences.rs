//! Sequences and the columns that own them (serial, identity, OWNED BY).

use super::Applier;
use crate::lower::sequences::Sequence;
use crate::model::schema::QualName;

impl Applier<'_> {
    pub(crate) fn sequence(&mut self, c: &Sequence<'_>) {
        let rv = &c.name;
        let q = if c.create {
            let q = self.new_relation(rv);
            // Tables, views, indexes and sequences share one namespace.
            if self.relation_exists(&q) {
                if !c.if_not_exists {
                    self.error_at(
                        Some(rv.at),
                        format!("relation \"{q}\" already exists"),
                        Some("pick another name, or add IF NOT EXISTS".to_owned()),
                    );
                }
                return;
            }
            self.schema.sequences.insert(q.clone());
            q
        } else {
            let Some(q) = self.resolve(rv.schema, rv.name, &self.schema.sequences) else {
                return;
            };
            q
        };
        self.sequence_owner(&q, c.owned_by.as_deref());
    }

    /// `OWNED BY table.column` / `OWNED BY NONE` of CREATE / ALTER SEQUENCE.
    fn sequence_owner(&mut self, seq: &QualName, owned_by: Option<&[String]>) {
        let Some(names) = owned_by else { return };
        self.disown(seq);
        let [table @ .., column] = names else {
            return;
        };
        if table.is_empty() {
            return; // OWNED BY NONE
        }
        let Some(t) = self.resolve_list(table, &self.schema.tables) else {
            return;
        };
        if t.schema != seq.schema {
            return;
        }
        let Some(c) = self
            .schema
            .tables
            .get_mut(&t)
            .map(std::sync::Arc::make_mut)
            .and_then(|t| t.column_mut(column))
        else {
            return;
        };
        match &c.sequence {
            // A column may own several sequences; the model keeps one, its
            // serial's or identity's (DROP IDENTITY drops that one), and does
            // not know when the others go.
            Some(own) if own != &seq.name => self.make_opaque(
                seq.clone(),
                "a second sequence owned by one column: the model does not follow when it is dropped",
            ),
            _ => c.sequence = Some(seq.name.clone()),
        }
    }

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
