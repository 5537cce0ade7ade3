//! Statements PostgreSQL refuses inside a transaction block.

use pg_query::NodeEnum;

use crate::diag::{Diagnostic, Diagnostics};
use crate::source::load::SqlFile;
use crate::sql::position::LineIndex;

/// What a statement is when it cannot run in a transaction, `None` when it can.
fn non_transactional(node: &NodeEnum) -> Option<&'static str> {
    match node {
        NodeEnum::IndexStmt(s) if s.concurrent => Some("CREATE INDEX CONCURRENTLY"),
        NodeEnum::DropStmt(s) if s.concurrent => Some("DROP INDEX CONCURRENTLY"),
        NodeEnum::ReindexStmt(s)
            if s.params.iter().any(
                |p| matches!(&p.node, Some(NodeEnum::DefElem(d)) if d.defname == "concurrently"),
            ) =>
        {
            Some("REINDEX CONCURRENTLY")
        }
        NodeEnum::VacuumStmt(s) if s.is_vacuumcmd => Some("VACUUM"),
        NodeEnum::CreatedbStmt(_) => Some("CREATE DATABASE"),
        NodeEnum::DropdbStmt(_) => Some("DROP DATABASE"),
        NodeEnum::AlterSystemStmt(_) => Some("ALTER SYSTEM"),
        NodeEnum::CreateTableSpaceStmt(_) => Some("CREATE TABLESPACE"),
        NodeEnum::DropTableSpaceStmt(_) => Some("DROP TABLESPACE"),
        NodeEnum::ClusterStmt(s) if s.relation.is_none() => Some("CLUSTER without a table"),
        NodeEnum::AlterTableStmt(s)
            if s.cmds.iter().any(|c| {
                matches!(&c.node, Some(NodeEnum::AlterTableCmd(cmd))
                    if matches!(cmd.def.as_ref().and_then(|d| d.node.as_ref()),
                        Some(NodeEnum::PartitionCmd(p)) if p.concurrent))
            }) =>
        {
            Some("DETACH PARTITION CONCURRENTLY")
        }
        _ => None,
    }
}

/// Transaction control inside a file fights the transaction the runner opens.
fn transaction_control(node: &NodeEnum) -> bool {
    use pg_query::protobuf::TransactionStmtKind as K;
    match node {
        NodeEnum::TransactionStmt(t) => [
            K::TransStmtBegin,
            K::TransStmtStart,
            K::TransStmtCommit,
            K::TransStmtRollback,
            K::TransStmtPrepare,
            K::TransStmtCommitPrepared,
            K::TransStmtRollbackPrepared,
        ]
        .iter()
        .any(|k| t.kind == *k as i32),
        _ => false,
    }
}

/// Checks that a transactional file holds only statements a transaction accepts.
pub fn check(file: &SqlFile, diags: &mut Diagnostics) {
    let index = LineIndex::new(&file.sql);
    for stmt in &file.statements {
        let pos = index.pos(stmt.start);
        let at = |message: String, help: &str| Diagnostic {
            path: file.path.clone(),
            pos: Some(pos),
            message,
            snippet: Some(index.line(pos.line).to_owned()),
            help: Some(help.to_owned()),
        };
        if transaction_control(&stmt.node) {
            diags.push(at(
                "transaction control inside a migration".to_owned(),
                "remove it: each migration already runs in its own transaction (use `-- migrate:no-transaction` on the first line to run without one)",
            ));
        } else if let Some(what) = non_transactional(&stmt.node)
            && file.transactional
        {
            diags.push(at(
                format!("{what} cannot run inside a transaction"),
                "move it to a migration of its own whose first line is `-- migrate:no-transaction`",
            ));
        }
    }
}
