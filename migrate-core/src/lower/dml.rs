//! INSERT, UPDATE, DELETE, MERGE, TRUNCATE and queries: what they read and
//! write, for the model to check.

use std::collections::BTreeSet;

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use super::{Change, RelName};

/// What a query or a data change reads and writes.
#[derive(Debug)]
pub(crate) struct Dml<'a> {
    /// The functions it calls, as written: one of the migrations' may run DDL.
    pub calls: Vec<Vec<String>>,
    /// The table INSERT, UPDATE, DELETE or MERGE writes.
    pub target: Option<RelName<'a>>,
    /// The relations it reads (names its WITH clauses define left out).
    reads: Vec<pb::RangeVar>,
    /// Its string constants: what a write to a catalogue names.
    pub literals: Vec<String>,
    /// The columns INSERT or UPDATE writes, and where.
    pub written: Vec<(String, i32)>,
}

impl Dml<'_> {
    /// The relations it reads, in the order written.
    pub(crate) fn reads(&self) -> impl Iterator<Item = RelName<'_>> {
        self.reads.iter().map(RelName::of)
    }
}

/// Lowers a query or a data change (any statement, in fact: what it reads).
pub(crate) fn dml(node: &NodeEnum) -> Dml<'_> {
    let found = crate::sql::walk::walk_node(node);
    // Names a WITH clause defines are not relations.
    let ctes: BTreeSet<String> = found.ctes.into_iter().collect();
    let reads = found
        .relations
        .into_iter()
        .filter(|rv| !(rv.schemaname.is_empty() && ctes.contains(&rv.relname)))
        .collect();
    let target = match node {
        NodeEnum::InsertStmt(s) => s.relation.as_ref(),
        NodeEnum::UpdateStmt(s) => s.relation.as_ref(),
        NodeEnum::DeleteStmt(s) => s.relation.as_ref(),
        NodeEnum::MergeStmt(s) => s.relation.as_ref(),
        _ => None,
    };
    let written = match node {
        NodeEnum::InsertStmt(s) => res_targets(&s.cols),
        NodeEnum::UpdateStmt(s) => res_targets(&s.target_list),
        _ => Vec::new(),
    };
    Dml {
        calls: found.calls,
        target: target.map(RelName::of),
        reads,
        literals: found.strings,
        written,
    }
}

/// Lowers a statement that reads and writes data.
pub(crate) fn change(node: &NodeEnum) -> Change<'_> {
    Change::Dml(dml(node))
}

fn res_targets(nodes: &[pb::Node]) -> Vec<(String, i32)> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::ResTarget(rt)) if !rt.name.is_empty() => {
                Some((rt.name.clone(), rt.location))
            }
            _ => None,
        })
        .collect()
}
