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
    /// `INSERT ... VALUES`'s rows, read only when asked for ([`Dml::rows`]): a
    /// data migration's rows are many, and the model needs none of them.
    values: &'a [pb::Node],
}

impl Dml<'_> {
    /// The relations it reads, in the order written.
    pub(crate) fn reads(&self) -> impl Iterator<Item = RelName<'_>> {
        self.reads.iter().map(RelName::of)
    }

    /// `INSERT ... VALUES`'s rows, each value a string constant (possibly cast,
    /// `'running'::vm_state`) with its offset, or `None`.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Vec<Option<(&str, usize)>>> {
        self.values.iter().filter_map(|row| match &row.node {
            Some(NodeEnum::List(items)) => Some(items.items.iter().map(string_constant).collect()),
            _ => None,
        })
    }
}

fn string_constant(node: &pb::Node) -> Option<(&str, usize)> {
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match &c.val {
            Some(pb::a_const::Val::Sval(s)) => Some((s.sval.as_str(), c.location.max(0) as usize)),
            _ => None,
        },
        NodeEnum::TypeCast(tc) => string_constant(tc.arg.as_deref()?),
        _ => None,
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
    let values = match node {
        NodeEnum::InsertStmt(s) => match s.select_stmt.as_ref().and_then(|q| q.node.as_ref()) {
            Some(NodeEnum::SelectStmt(q)) => q.values_lists.as_slice(),
            _ => &[],
        },
        _ => &[],
    };
    Dml {
        calls: found.calls,
        target: target.map(RelName::of),
        reads,
        literals: found.strings,
        written,
        values,
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
