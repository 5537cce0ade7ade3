//! Replays DDL statements into the schema model, one file at a time, reporting
//! statements that name what does not exist at that point.
//!
//! The driver of the two stages (`lower/mod.rs` says why there are two):
//! each statement is lowered to a typed change (`lower/`) and the model applies
//! it (`model/apply/`). What is not a change of the schema is followed here:
//! the session's search path (`SET`, `set_config`), CREATE SCHEMA's elements
//! (`schemas.rs`), DO blocks (`plpgsql.rs`) and the statements after which the
//! model can no longer be sure of anything.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, a_const};

use crate::diag::Diagnostic;
use crate::lower;
pub use crate::model::apply::ReplayFindings;
use crate::model::apply::{Applier, Savepoint};
use crate::model::schema::Schema;
use crate::source::sql_file::SqlFile;
use crate::sql::parse::{Statement, strings};

/// Replays every statement of `file` into `schema`.
pub fn replay_file(schema: &mut Schema, file: &SqlFile, findings: &mut ReplayFindings) {
    let mut r = Applier::new(schema, &file.path, &file.sql, findings);
    r.own_transactions = !file.transactional;
    file.statements_in_turn(&mut |statements| {
        for stmt in statements {
            if file.unchecked.contains(&stmt.start) {
                r.stmt_start = stmt.start;
                r.stmt_end = stmt.end;
                r.lose("the statement is marked `-- migrate:unchecked`");
            } else {
                r.statement(stmt);
            }
        }
    });
    // Temporary objects end with the session; the next migration cannot see them.
    r.schema.drop_temporary();
    // Snapshots of this schema (the reversal check's clone) inherit lookups that
    // are current, so theirs stay cheap to refresh.
    r.schema.related();
}

/// Replays statements that are not a migration file (seeds, tests).
pub fn replay_statements(
    schema: &mut Schema,
    path: &str,
    sql: &str,
    statements: &[Statement],
    findings: &mut ReplayFindings,
) {
    let mut r = Applier::new(schema, path, sql, findings);
    for stmt in statements {
        r.statement(stmt);
    }
}

impl Applier<'_> {
    // ---- statements ---------------------------------------------------------

    fn statement(&mut self, stmt: &Statement) {
        self.stmt_start = stmt.start;
        self.stmt_end = stmt.end;
        self.base = stmt.base;
        self.node(&stmt.node);
        // A SET LOCAL ends with the statement's own transaction, or the
        // block's.
        if !self.in_block
            && let Some(path) = self.session_path.take()
        {
            self.search_path = path;
        }
    }

    /// Syntax the target version does not accept is an error whatever the
    /// model knows: it names the version that brought it.
    fn check_version(&mut self, node: &NodeEnum) {
        let target = self.schema.target;
        let from = self.base.max(self.stmt_start).min(self.stmt_end);
        let text = &self.sql[from..self.stmt_end];
        let oldest = crate::check::version::PgVersion::default();
        let Some((what, v)) = crate::check::version::needs(node, text, oldest) else {
            return;
        };
        let pos = self.index.pos(from);
        if self.findings.needs.as_ref().is_none_or(|(n, _)| *n < v) {
            let place = format!("{}:{}:{}", self.path, pos.line, pos.col);
            self.findings.needs = Some((v, format!("{place}: {what} needs PostgreSQL {v}")));
        }
        if v > target.0 {
            self.findings.errors.push(Diagnostic {
                path: self.path.to_owned(),
                pos: Some(pos),
                message: format!(
                    "{what} needs PostgreSQL {v}; the migrations are checked for PostgreSQL {target} and later"
                ),
                snippet: Some(self.index.line(pos.line).to_owned()),
                help: Some(format!(
                    "if every server runs PostgreSQL {v} or later, say so: embed_migrations!(.., postgres = \"{v}\"), or --postgres {v} on the command line"
                )),
            });
        }
    }

    /// Replays one parsed statement (of the file, or from inside a DO block):
    /// session state and statements that hold statements are followed here,
    /// every other statement is lowered and its change applied.
    fn node(&mut self, node: &NodeEnum) {
        self.check_version(node);
        match node {
            NodeEnum::CreateSchemaStmt(s) => self.create_schema(s),
            NodeEnum::VariableSetStmt(s) => self.set_variable(s),
            NodeEnum::SelectStmt(s) if s.into_clause.is_none() => {
                self.set_config(node);
                self.apply(&lower::dml::change(node))
            }
            NodeEnum::AlterDatabaseSetStmt(s)
                if s.setstmt.as_ref().is_some_and(|v| v.name == "search_path") =>
            {
                self.lose("the next migrations' sessions start with another search path")
            }
            NodeEnum::AlterRoleSetStmt(s)
                if s.setstmt.as_ref().is_some_and(|v| v.name == "search_path") =>
            {
                self.lose("the next migrations' sessions may start with another search path")
            }
            NodeEnum::DoStmt(s) => self.do_block(s),
            // A no-transaction file's BEGIN ... COMMIT block (check/tx.rs
            // lets no other transaction control through).
            NodeEnum::TransactionStmt(t) => {
                use pb::TransactionStmtKind as K;
                match t.kind() {
                    K::TransStmtBegin | K::TransStmtStart => self.in_block = true,
                    K::TransStmtCommit => {
                        self.in_block = false;
                        self.savepoints.clear();
                    }
                    K::TransStmtSavepoint => self.savepoints.push(Savepoint {
                        name: t.savepoint_name.clone(),
                        schema: self.schema.clone(),
                        search_path: self.search_path.clone(),
                        session_path: self.session_path.clone(),
                    }),
                    // RELEASE forgets the savepoint and the later ones.
                    K::TransStmtRelease => {
                        if let Some(i) = self.savepoint(&t.savepoint_name) {
                            self.savepoints.truncate(i);
                        }
                    }
                    // ROLLBACK TO undoes everything since it, and keeps it.
                    K::TransStmtRollbackTo => match self.savepoint(&t.savepoint_name) {
                        Some(i) => {
                            self.savepoints.truncate(i + 1);
                            if let Some(sp) = self.savepoints.last() {
                                *self.schema = sp.schema.clone();
                                self.search_path.clone_from(&sp.search_path);
                                self.session_path.clone_from(&sp.session_path);
                            }
                        }
                        None => self.lose("ROLLBACK TO a savepoint the model does not know"),
                    },
                    _ => {}
                }
            }
            NodeEnum::DiscardStmt(d) => {
                if d.target() == pb::DiscardMode::DiscardAll {
                    self.set_search_path("");
                }
                if matches!(
                    d.target(),
                    pb::DiscardMode::DiscardAll | pb::DiscardMode::DiscardTemp
                ) {
                    self.schema.drop_temporary();
                }
            }
            NodeEnum::CallStmt(_) => {
                self.lose("CALL runs a procedure whose effects the model does not follow")
            }
            // EXPLAIN ANALYZE runs the statement; EXPLAIN alone only plans it.
            NodeEnum::ExplainStmt(e) => {
                if explain_runs(e)
                    && let Some(q) = e.query.as_ref().and_then(|q| q.node.as_ref())
                {
                    self.node(q);
                }
            }
            NodeEnum::DropOwnedStmt(_) => {
                self.lose("DROP OWNED BY drops what a role owns; the model does not follow owners")
            }
            NodeEnum::ImportForeignSchemaStmt(s) => {
                self.incomplete(
                    "IMPORT FOREIGN SCHEMA creates foreign tables the model does not know",
                );
                self.schema.foreign_imports.insert(s.local_schema.clone());
            }
            NodeEnum::RuleStmt(r) => {
                let to_view = r.rulename == "_RETURN"
                    && r.event() == pb::CmdType::CmdSelect
                    && r.instead
                    && r.actions.len() == 1
                    // 16 refuses it: a server that took it was 15 or older.
                    && (self.schema.target.0 < 16 || self.schema.any_server)
                    && r.relation.as_ref().is_some_and(|rv| {
                        self.table_becomes_view(&rv.schemaname, &rv.relname, r.actions.first())
                    });
                if !to_view {
                    self.incomplete("rules are not replayed into the model");
                }
            }
            _ => {
                if let Some(change) = lower::lower(node) {
                    self.apply(&change);
                }
            }
        }
    }

    /// The newest savepoint called `name`.
    fn savepoint(&self, name: &str) -> Option<usize> {
        self.savepoints.iter().rposition(|sp| sp.name == name)
    }

    fn set_variable(&mut self, s: &pb::VariableSetStmt) {
        // RESET ALL puts the search path back to the session's default.
        if s.kind() == pb::VariableSetKind::VarResetAll {
            self.set_search_path("");
            return;
        }
        if s.name != "search_path" {
            return;
        }
        self.keep_session_path(s.is_local);
        // Each item of SET is one schema name, commas and all ('a, b' is one
        // schema); set_config's one string is a list.
        let mut parts = Vec::new();
        for a in &s.args {
            if let Some(NodeEnum::AConst(c)) = &a.node
                && let Some(a_const::Val::Sval(v)) = &c.val
            {
                parts.push(v.sval.clone());
            }
        }
        self.set_search_path_items(parts.iter().map(String::as_str));
    }

    /// Before a change of the search path: a local one in a file whose
    /// statements are their own transactions lasts to the end of the
    /// statement, so the session's is kept to go back to.
    fn keep_session_path(&mut self, local: bool) {
        if local && self.own_transactions && self.session_path.is_none() {
            self.session_path = Some(self.search_path.clone());
        }
    }

    /// `set_config('search_path', ...)`, `RESET`: the schemas that
    /// unqualified names resolve in (public when none is left), from the
    /// setting's text as PostgreSQL reads it. A value it would refuse leaves
    /// the path as it was (the statement fails).
    fn set_search_path(&mut self, value: &str) {
        if let Some(items) = split_identifier_list(value) {
            self.set_search_path_items(items.iter().map(String::as_str));
        }
    }

    /// The search path from its items, each a schema name (cut to 63 bytes,
    /// as PostgreSQL cuts the names it looks up).
    fn set_search_path_items<'s>(&mut self, items: impl Iterator<Item = &'s str>) {
        let path: Vec<String> = items
            .map(crate::model::apply::truncate_identifier)
            .filter(|p| !p.is_empty() && *p != "$user" && *p != "pg_catalog")
            .map(str::to_owned)
            .collect();
        self.search_path = if path.is_empty() {
            vec!["public".to_owned()]
        } else {
            path
        };
    }

    /// `SELECT set_config('search_path', '...', ...)` (pg_dump's first line):
    /// a constant path is followed, any other is not.
    fn set_config(&mut self, node: &NodeEnum) {
        let NodeEnum::SelectStmt(sel) = node else {
            return;
        };
        let mut followed = 0;
        for t in &sel.target_list {
            let Some(NodeEnum::ResTarget(rt)) = &t.node else {
                continue;
            };
            let Some(NodeEnum::FuncCall(f)) = rt.val.as_ref().and_then(|v| v.node.as_ref()) else {
                continue;
            };
            if strings(&f.funcname).last().map(String::as_str) != Some("set_config") {
                continue;
            }
            let text = |i: usize| match f.args.get(i).and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::AConst(c)) => match &c.val {
                    Some(a_const::Val::Sval(s)) => Some(s.sval.clone()),
                    _ => None,
                },
                _ => None,
            };
            let local = matches!(
                f.args.get(2).and_then(|a| a.node.as_ref()),
                Some(NodeEnum::AConst(c)) if matches!(&c.val, Some(a_const::Val::Boolval(b)) if b.boolval)
            );
            // Setting names are case-insensitive (guc.c's lookup).
            let name = text(0).map(|n| n.to_ascii_lowercase());
            match (name.as_deref(), text(1)) {
                (Some("search_path"), Some(v)) => {
                    self.keep_session_path(local);
                    self.set_search_path(&v)
                }
                (Some("search_path"), None) => {
                    self.lose("set_config of a search path built at run time is not followed")
                }
                (Some(_), _) => {}
                (None, _) => self.lose("set_config of a setting named at run time is not followed"),
            }
            followed += 1;
        }
        // One anywhere else (a WHERE clause, inside another call, a subquery)
        // may or may not run, with what arguments the model cannot say.
        if self.locate("set_config").is_some() {
            let calls = crate::sql::walk::walk_node(node).calls;
            let all = calls
                .iter()
                .filter(|c| c.last().is_some_and(|n| n == "set_config"));
            if all.count() > followed {
                self.lose("set_config inside an expression is not followed");
            }
        }
    }
}

/// A list of identifiers as PostgreSQL's SplitIdentifierString reads a
/// setting (`search_path`): comma-separated, blanks around each ignored, an
/// unquoted one folded to lower case (ASCII, as downcase_identifier does in
/// UTF-8), a quoted one as written with `""` for `"`. `None` for what it
/// refuses (an unterminated quote, an empty item, text after a quoted name).
fn split_identifier_list(value: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = value.trim_start();
    if rest.is_empty() {
        return Some(out);
    }
    loop {
        let item;
        if let Some(q) = rest.strip_prefix('"') {
            let mut name = String::new();
            let mut chars = q.char_indices();
            let end = loop {
                match chars.next()? {
                    (i, '"') if q[i + 1..].starts_with('"') => {
                        name.push('"');
                        chars.next();
                    }
                    (i, '"') => break i + 1,
                    (_, c) => name.push(c),
                }
            };
            item = name;
            rest = q[end..].trim_start();
        } else {
            let end = rest
                .find(|c: char| c == ',' || c.is_ascii_whitespace())
                .unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            item = rest[..end].to_ascii_lowercase();
            rest = rest[end..].trim_start();
        }
        out.push(item);
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => return Some(out),
            None => return None,
        }
    }
}

/// Whether EXPLAIN's options hold ANALYZE (bare, or true, on, 1, yes):
/// then PostgreSQL runs the statement, a CREATE TABLE AS included.
fn explain_runs(e: &pb::ExplainStmt) -> bool {
    e.options.iter().any(|o| match &o.node {
        Some(NodeEnum::DefElem(d)) if d.defname == "analyze" => {
            match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                None => true,
                Some(NodeEnum::Boolean(b)) => b.boolval,
                Some(NodeEnum::Integer(i)) => i.ival != 0,
                Some(NodeEnum::String(s)) => truthy(&s.sval),
                Some(NodeEnum::AConst(c)) => match &c.val {
                    Some(a_const::Val::Boolval(b)) => b.boolval,
                    Some(a_const::Val::Ival(i)) => i.ival != 0,
                    Some(a_const::Val::Sval(s)) => truthy(&s.sval),
                    _ => false,
                },
                _ => false,
            }
        }
        _ => false,
    })
}

/// A boolean option's text that means true, as PostgreSQL reads it.
fn truthy(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "true" | "on" | "yes" | "1")
}

mod plpgsql;
mod schemas;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_degraded;
#[cfg(test)]
mod tests_found;
#[cfg(test)]
mod tests_fourth;
#[cfg(test)]
mod tests_inheritance;
#[cfg(test)]
mod tests_oracle;
#[cfg(test)]
mod tests_third;
