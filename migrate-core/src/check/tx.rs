//! Statements PostgreSQL refuses inside a transaction block.

use pg_query::NodeEnum;

use crate::diag::{Diagnostic, Diagnostics};
use crate::sql::parse::Statement;
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

/// Checks that a file holds no transaction control, and, when it runs in a
/// transaction, only statements a transaction accepts. It runs where the
/// file is parsed (source/load.rs), on each chunk of statements of a large
/// file as it is parsed.
pub struct TxCheck<'a> {
    path: &'a str,
    index: LineIndex<'a>,
    transactional: bool,
}

impl<'a> TxCheck<'a> {
    /// The check of the file `path` with content `sql`.
    pub fn new(path: &'a str, sql: &'a str, transactional: bool) -> Self {
        TxCheck {
            path,
            index: LineIndex::new(sql),
            transactional,
        }
    }

    /// Checks these statements of the file.
    pub fn statements(&self, statements: &[Statement], diags: &mut Diagnostics) {
        for stmt in statements {
            let pos = self.index.pos(stmt.start);
            let at = |message: String, help: &str| Diagnostic {
                path: self.path.to_owned(),
                pos: Some(pos),
                message,
                snippet: Some(self.index.line(pos.line).to_owned()),
                help: Some(help.to_owned()),
            };
            if transaction_control(&stmt.node) {
                diags.push(at(
                    "transaction control inside a migration".to_owned(),
                    "remove it: each migration already runs in its own transaction (use `-- migrate:no-transaction` on the first line to run without one)",
                ));
            } else if let Some(what) = non_transactional(&stmt.node)
                && self.transactional
            {
                diags.push(at(
                    format!("{what} cannot run inside a transaction"),
                    "move it to a migration of its own whose first line is `-- migrate:no-transaction`",
                ));
            }
        }
    }
}
