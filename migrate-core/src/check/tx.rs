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

/// What a transaction-control statement is, as the check treats it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Control {
    /// `BEGIN` / `START TRANSACTION`; `plain` without options. Only a plain
    /// one can be the wrapper of a transactional file (an isolation level of
    /// its own would not be the runner's transaction's); in a
    /// no-transaction file any opens the user's own block.
    Begin { plain: bool },
    /// `COMMIT` / `END`, not `AND CHAIN`.
    Commit,
    /// Anything else that ends or splits a transaction: ROLLBACK, PREPARE
    /// TRANSACTION, ... (savepoints are fine).
    Other,
}

fn control(node: &NodeEnum) -> Option<Control> {
    use pg_query::protobuf::TransactionStmtKind as K;
    let NodeEnum::TransactionStmt(t) = node else {
        return None;
    };
    match t.kind() {
        K::TransStmtBegin | K::TransStmtStart => Some(Control::Begin {
            plain: t.options.is_empty(),
        }),
        K::TransStmtCommit if !t.chain => Some(Control::Commit),
        K::TransStmtCommit
        | K::TransStmtRollback
        | K::TransStmtPrepare
        | K::TransStmtCommitPrepared
        | K::TransStmtRollbackPrepared => Some(Control::Other),
        _ => None,
    }
}

/// Checks a file's transaction control, and, when it runs in a transaction,
/// that it holds only statements a transaction accepts. It runs where the
/// file is parsed (source/load.rs), on each chunk of statements of a large
/// file as it is parsed, so it keeps what it has seen.
///
/// golang-migrate runs a file as it is, so its users wrap one in `BEGIN;`
/// ... `COMMIT;`: in a file that runs in a transaction, a plain BEGIN first
/// and COMMIT last are the runner's own transaction, accepted and not sent
/// ([`TxCheck::finish`] says so). In a `-- migrate:no-transaction` file,
/// which runs a statement at a time, BEGIN ... COMMIT blocks are the user's
/// transactions: they must close, and hold what a transaction accepts.
/// Anything else (a COMMIT midway, ROLLBACK) fights the runner's
/// transaction or what the model can follow.
pub struct TxCheck<'a> {
    path: &'a str,
    index: LineIndex<'a>,
    transactional: bool,
    /// Statements seen so far.
    seen: usize,
    /// A transactional file's first statement is a plain BEGIN: the error
    /// it is if the last is not a COMMIT.
    wrapped: Option<Diagnostic>,
    /// A COMMIT of a wrapped file, not yet known to be the last statement:
    /// the error it is if another follows.
    commit: Option<Diagnostic>,
    /// A no-transaction file's BEGIN whose block is open: the error it is if
    /// the file ends first.
    open: Option<Diagnostic>,
}

/// The help for transaction control the check refuses.
const REMOVE_IT: &str = "remove it: each migration already runs in its own transaction (a BEGIN first and a COMMIT last are accepted as that transaction; a file whose first line is `-- migrate:no-transaction` may hold BEGIN ... COMMIT blocks of its own)";

impl<'a> TxCheck<'a> {
    /// The check of the file `path` with content `sql`.
    pub fn new(path: &'a str, sql: &'a str, transactional: bool) -> Self {
        TxCheck {
            path,
            index: LineIndex::new(sql),
            transactional,
            seen: 0,
            wrapped: None,
            commit: None,
            open: None,
        }
    }

    fn at(&self, stmt: &Statement, message: String, help: &str) -> Diagnostic {
        let pos = self.index.pos(stmt.start);
        Diagnostic {
            path: self.path.to_owned(),
            pos: Some(pos),
            message,
            snippet: Some(self.index.line(pos.line).to_owned()),
            help: Some(help.to_owned()),
        }
    }

    /// Checks these statements of the file, the next after those seen.
    pub fn statements(&mut self, statements: &[Statement], diags: &mut Diagnostics) {
        for stmt in statements {
            // A COMMIT that is not the last statement is inside the file.
            if let Some(d) = self.commit.take() {
                diags.push(d);
            }
            let refused = || "transaction control inside a migration".to_owned();
            match (control(&stmt.node), self.transactional) {
                (Some(Control::Begin { plain: true }), true) if self.seen == 0 => {
                    self.wrapped = Some(self.at(
                        stmt,
                        "BEGIN without a COMMIT as the file's last statement".to_owned(),
                        REMOVE_IT,
                    ));
                }
                (Some(Control::Commit), true) if self.wrapped.is_some() => {
                    self.commit = Some(self.at(stmt, refused(), REMOVE_IT));
                }
                (Some(Control::Begin { .. }), false) if self.open.is_none() => {
                    self.open = Some(self.at(
                        stmt,
                        "BEGIN without a COMMIT before the end of the file".to_owned(),
                        "end the block with COMMIT: the runner records the migration outside any transaction of the file's",
                    ));
                }
                (Some(Control::Commit), false) if self.open.is_some() => self.open = None,
                (Some(_), _) => diags.push(self.at(stmt, refused(), REMOVE_IT)),
                (None, _) => {
                    if let Some(what) = non_transactional(&stmt.node) {
                        if self.transactional {
                            diags.push(self.at(
                                stmt,
                                format!("{what} cannot run inside a transaction"),
                                "move it to a migration of its own whose first line is `-- migrate:no-transaction`",
                            ));
                        } else if self.open.is_some() {
                            diags.push(self.at(
                                stmt,
                                format!("{what} cannot run inside a transaction block"),
                                "move it out of the BEGIN ... COMMIT block",
                            ));
                        }
                    }
                }
            }
            self.seen += 1;
        }
    }

    /// After the last statement: true when the file is wrapped in a BEGIN
    /// and a COMMIT that are its transaction, which the runner opens itself
    /// (they are left out of what is sent).
    pub fn finish(mut self, diags: &mut Diagnostics) -> bool {
        if let Some(d) = self.open.take() {
            diags.push(d);
        }
        match (self.wrapped, self.commit) {
            (Some(_), Some(_)) => true,
            (Some(begin), None) => {
                diags.push(begin);
                false
            }
            (None, _) => false,
        }
    }
}
