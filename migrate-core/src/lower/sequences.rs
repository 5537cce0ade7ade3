//! CREATE and ALTER SEQUENCE: the sequence, and the column that owns it.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use super::{Change, RelName};
use crate::sql::parse::strings;

/// `CREATE SEQUENCE` / `ALTER SEQUENCE`.
#[derive(Debug)]
pub(crate) struct Sequence<'a> {
    /// Its name.
    pub name: RelName<'a>,
    /// CREATE (true) or ALTER.
    pub create: bool,
    /// `IF NOT EXISTS` of CREATE.
    pub if_not_exists: bool,
    /// `OWNED BY table.column` as written (`["none"]` for OWNED BY NONE);
    /// `None` when not given.
    pub owned_by: Option<Vec<String>>,
}

fn owned_by(options: &[pb::Node]) -> Option<Vec<String>> {
    options.iter().find_map(|o| match &o.node {
        Some(NodeEnum::DefElem(d)) if d.defname == "owned_by" => {
            match d.arg.as_ref()?.node.as_ref()? {
                NodeEnum::List(l) => Some(strings(&l.items)),
                _ => None,
            }
        }
        _ => None,
    })
}

/// Lowers CREATE SEQUENCE; `None` without a name (the parser always gives one).
pub(crate) fn create_sequence(s: &pb::CreateSeqStmt) -> Option<Change<'_>> {
    Some(Change::Sequence(Sequence {
        name: RelName::of(s.sequence.as_ref()?),
        create: true,
        if_not_exists: s.if_not_exists,
        owned_by: owned_by(&s.options),
    }))
}

/// Lowers ALTER SEQUENCE; `None` without a name (the parser always gives one).
pub(crate) fn alter_sequence(s: &pb::AlterSeqStmt) -> Option<Change<'_>> {
    Some(Change::Sequence(Sequence {
        name: RelName::of(s.sequence.as_ref()?),
        create: false,
        if_not_exists: false,
        owned_by: owned_by(&s.options),
    }))
}
