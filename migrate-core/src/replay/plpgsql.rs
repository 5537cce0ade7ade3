//! DO blocks: the static statements inside are replayed like any other.
//!
//! libpg_query parses PL/pgSQL too. A statement that always runs (the block's
//! own body, in order) is replayed with its findings. One that may or may not
//! run (a branch of IF or CASE, a loop body, a block with an EXCEPTION handler,
//! which rolls back to its start on error) is replayed on a copy of the schema
//! without findings, and the copies are merged: what any branch may have
//! changed becomes opaque, with the branch's state as the model's guess.
//! `EXECUTE` of a constant string is that statement; of a built string, the
//! model can no longer know anything.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;
use serde_json::Value;

use super::ReplayFindings;
use crate::model::apply::Applier;
use crate::sql::parse::parse;

impl Applier<'_> {
    pub(super) fn do_block(&mut self, s: &pb::DoStmt) {
        let mut body = None;
        let mut language = "plpgsql".to_owned();
        for arg in &s.args {
            if let Some(NodeEnum::DefElem(d)) = &arg.node
                && let Some(NodeEnum::String(v)) = d.arg.as_ref().and_then(|a| a.node.as_ref())
            {
                match d.defname.as_str() {
                    "as" => body = Some(v.sval.clone()),
                    "language" => language = v.sval.to_ascii_lowercase(),
                    _ => {}
                }
            }
        }
        let Some(body) = body else { return };
        if language != "plpgsql" {
            self.lose(&format!("a DO block in {language} is not followed"));
            return;
        }
        // The PL/pgSQL parser takes a function definition; a dollar-quote tag that
        // the body does not contain wraps it unchanged.
        let mut tag = "$migrate$".to_owned();
        while body.contains(&tag) {
            tag.insert(1, '_');
        }
        let wrapped = format!(
            "CREATE FUNCTION migrate_do() RETURNS void LANGUAGE plpgsql AS {tag}{body}{tag}"
        );
        let tree = match pg_query::parse_plpgsql(&wrapped) {
            Ok(t) => t,
            Err(_) => {
                self.lose("the DO block's body could not be parsed as PL/pgSQL");
                return;
            }
        };
        let function = tree.get(0).and_then(|f| f.get("PLpgSQL_function"));
        // The DECLARE section's defaults are evaluated before the body.
        if let Some(f) = function {
            self.expressions_calls(f);
        }
        if let Some(a) = function.and_then(|f| f.get("action")) {
            self.plpgsql_stmt(a);
        }
    }

    /// The functions called in the expressions `node` evaluates itself (see
    /// [`own_expressions`]): one of the migrations' may run DDL.
    fn expressions_calls(&mut self, node: &Value) {
        for q in own_expressions(node) {
            let parsed = parse(self.path, &q).or_else(|_| parse(self.path, &format!("SELECT {q}")));
            for st in parsed.iter().flatten() {
                let calls = crate::sql::walk::walk_node(&st.node).calls;
                self.calls_that_run_ddl(&calls);
            }
        }
    }

    /// Replays a list of PL/pgSQL statements that run in order.
    fn plpgsql_list(&mut self, stmts: Option<&Value>) {
        self.plpgsql_seq(&list(stmts));
    }

    /// Statements in order, up to one that leaves the list: a `RETURN` or
    /// `EXIT` (`CONTINUE` too) here ends it, and the statements after one
    /// that may leave it (an `IF ... THEN RETURN; END IF` guard, a loop or a
    /// block with one inside) may or may not run.
    fn plpgsql_seq(&mut self, stmts: &[&Value]) {
        for (i, st) in stmts.iter().enumerate() {
            let kind = st
                .as_object()
                .and_then(|o| o.keys().next())
                .map(String::as_str);
            if matches!(kind, Some("PLpgSQL_stmt_return" | "PLpgSQL_stmt_exit")) {
                return;
            }
            self.plpgsql_stmt(st);
            if may_leave(st) {
                let rest = stmts.get(i + 1..).unwrap_or_default();
                if !rest.is_empty() {
                    self.alternatives(&[rest.to_vec()], false);
                }
                return;
            }
        }
    }

    fn plpgsql_stmt(&mut self, st: &Value) {
        let Some((kind, node)) = st.as_object().and_then(|o| o.iter().next()) else {
            return;
        };
        // The expressions the statement evaluates itself (an IF's condition,
        // an assignment, a RAISE's arguments, a loop's query): a function of
        // the migrations called there may run DDL. PERFORM and SQL
        // statements are replayed below.
        if !matches!(
            kind.as_str(),
            "PLpgSQL_stmt_execsql" | "PLpgSQL_stmt_perform" | "PLpgSQL_stmt_dynexecute"
        ) {
            self.expressions_calls(node);
        }
        match kind.as_str() {
            "PLpgSQL_stmt_block" => {
                if node.get("exceptions").is_some() {
                    // A block with a handler is a subtransaction: all of it, or
                    // none of it (and then the handler) took effect.
                    let mut branches: Vec<Vec<&Value>> = vec![vec![node]];
                    branches.extend(handlers(node));
                    self.alternatives(&branches, false);
                } else {
                    self.plpgsql_list(node.get("body"));
                }
            }
            "PLpgSQL_stmt_execsql" => {
                if let Some(q) = query_of(node.get("sqlstmt")) {
                    self.embedded_sql(&q, None);
                }
            }
            "PLpgSQL_stmt_dynexecute" => {
                let text = query_of(node.get("query"));
                match text.as_deref().and_then(string_literal) {
                    Some(q) => self.embedded_sql(&q, text.as_deref()),
                    None => self.lose("EXECUTE of a built string is not followed"),
                }
            }
            "PLpgSQL_stmt_if" => {
                let mut branches: Vec<Vec<&Value>> = vec![list(node.get("then_body"))];
                for e in node
                    .get("elsif_list")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    branches.push(list(e.get("PLpgSQL_if_elsif").and_then(|e| e.get("stmts"))));
                }
                branches.push(list(node.get("else_body")));
                self.alternatives(&branches, false);
            }
            "PLpgSQL_stmt_case" => {
                let mut branches: Vec<Vec<&Value>> = Vec::new();
                for w in node
                    .get("case_when_list")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    branches.push(list(
                        w.get("PLpgSQL_case_when").and_then(|w| w.get("stmts")),
                    ));
                }
                branches.push(list(node.get("else_stmts")));
                self.alternatives(&branches, false);
            }
            "PLpgSQL_stmt_loop"
            | "PLpgSQL_stmt_while"
            | "PLpgSQL_stmt_fori"
            | "PLpgSQL_stmt_fors"
            | "PLpgSQL_stmt_forc"
            | "PLpgSQL_stmt_dynfors"
            | "PLpgSQL_stmt_foreach_a" => {
                // The body runs any number of times: once, or not at all, is what
                // the model can say; a second run of DDL would fail or repeat.
                if matches!(kind.as_str(), "PLpgSQL_stmt_dynfors") {
                    self.lose("a loop over EXECUTE of a built string is not followed");
                    return;
                }
                self.alternatives(&[list(node.get("body"))], false);
            }
            // PERFORM f(): a function of the migrations may run DDL.
            "PLpgSQL_stmt_perform" => {
                if let Some(q) = query_of(node.get("expr"))
                    && let Ok(stmts) = parse(self.path, &q)
                {
                    for st in &stmts {
                        let calls = crate::sql::walk::walk_node(&st.node).calls;
                        self.calls_that_run_ddl(&calls);
                        // PERFORM set_config('search_path', ...) as SELECT does.
                        self.set_config(&st.node);
                    }
                }
            }
            "PLpgSQL_stmt_call" => {
                self.lose("CALL runs a procedure whose effects the model does not follow")
            }
            // Assignments, PERFORM, RAISE, RETURN, GET DIAGNOSTICS, ...: no DDL of
            // their own.
            _ => {}
        }
    }

    /// The statements may or may not run, or exactly one of `branches` runs (none
    /// when `exhaustive` is false). Each is replayed on a copy without findings;
    /// the schema becomes what any of them may have left.
    fn alternatives(&mut self, branches: &[Vec<&Value>], exhaustive: bool) {
        let base = self.schema.clone();
        let mut outcomes = Vec::new();
        for b in branches {
            let mut copy = base.clone();
            let mut quiet = ReplayFindings::default();
            {
                let mut r = Applier::new(&mut copy, self.path, self.sql, &mut quiet);
                r.search_path = self.search_path.clone();
                r.stmt_start = self.stmt_start;
                r.stmt_end = self.stmt_end;
                match b.as_slice() {
                    // A block (from an exception handler): its body.
                    [block] if block.get("body").is_some() && block.get("exceptions").is_some() => {
                        r.plpgsql_list(block.get("body"));
                    }
                    _ => r.plpgsql_seq(b),
                }
            }
            self.findings.incomplete.extend(quiet.incomplete);
            outcomes.push(copy);
        }
        // The first branch is the model's guess (the THEN of IF NOT EXISTS, the
        // block before its handler: what runs on a fresh database); the others,
        // and not running at all, only make what they differ in opaque.
        if !exhaustive {
            outcomes.push(base);
        }
        let mut rest = outcomes.into_iter();
        let Some(mut merged) = rest.next() else {
            return;
        };
        for o in rest {
            merged.absorb(&o);
        }
        *self.schema = merged;
        self.schema.related();
    }

    /// Replays SQL found inside a DO block, its locations placed at the text's
    /// first appearance inside the DO statement (the statement's start when it
    /// cannot be found, as for a string that EXECUTE runs).
    fn embedded_sql(&mut self, sql: &str, written_as: Option<&str>) {
        let statements = match parse(self.path, sql) {
            Ok(s) => s,
            // PL/pgSQL checks a statement's syntax only when it runs it.
            Err(_) => {
                self.lose("a statement inside a DO block could not be parsed");
                return;
            }
        };
        let span = self
            .sql
            .get(self.stmt_start..self.stmt_end)
            .unwrap_or_default();
        let needle = written_as.unwrap_or(sql);
        let saved = (self.base, self.stmt_start, self.stmt_end);
        self.base = span
            .find(needle)
            .map_or(self.stmt_start, |i| self.stmt_start + i);
        for st in &statements {
            self.node(&st.node);
        }
        (self.base, self.stmt_start, self.stmt_end) = saved;
    }
}

/// The statements of each exception handler (`WHEN ... THEN <action>`).
fn handlers(block: &Value) -> Vec<Vec<&Value>> {
    let mut out = Vec::new();
    let clauses = block
        .get("exceptions")
        .and_then(|e| e.get("PLpgSQL_exception_block"))
        .and_then(|e| e.get("exc_list"))
        .and_then(Value::as_array);
    for h in clauses.into_iter().flatten() {
        out.push(list(
            h.get("PLpgSQL_exception").and_then(|e| e.get("action")),
        ));
    }
    out
}

/// Whether a statement may leave the list it is in before its end: it
/// holds a `RETURN` or an `EXIT` / `CONTINUE` anywhere (one that leaves only
/// an inner loop counts too: the model does not tell them apart).
fn may_leave(st: &Value) -> bool {
    match st {
        Value::Object(map) => map.iter().any(|(k, v)| {
            matches!(k.as_str(), "PLpgSQL_stmt_return" | "PLpgSQL_stmt_exit") || may_leave(v)
        }),
        Value::Array(items) => items.iter().any(may_leave),
        _ => false,
    }
}

/// The SQL of the expressions a statement evaluates itself, not those of
/// the statements in its bodies (branches, loop bodies, handlers), which
/// are replayed as statements.
fn own_expressions(node: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, inner) in map {
                    match k.as_str() {
                        "body" | "then_body" | "else_body" | "stmts" | "else_stmts" | "action"
                        | "exceptions" => {}
                        "PLpgSQL_expr" => {
                            if let Some(q) = inner.get("query").and_then(Value::as_str) {
                                out.push(q.to_owned());
                            }
                        }
                        _ => walk(inner, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(node, &mut out);
    out
}

fn list(v: Option<&Value>) -> Vec<&Value> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn query_of(expr: Option<&Value>) -> Option<String> {
    expr?
        .get("PLpgSQL_expr")?
        .get("query")?
        .as_str()
        .map(str::to_owned)
}

/// The value of a single SQL string literal (`'ALTER TABLE a ...'`, quotes
/// doubled inside), or `None` for anything built at run time.
fn string_literal(expr: &str) -> Option<String> {
    let parsed = parse("", &format!("SELECT {expr}")).ok()?;
    let NodeEnum::SelectStmt(sel) = &parsed.first()?.node else {
        return None;
    };
    let [target] = sel.target_list.as_slice() else {
        return None;
    };
    let Some(NodeEnum::ResTarget(rt)) = &target.node else {
        return None;
    };
    match rt.val.as_ref()?.node.as_ref()? {
        NodeEnum::AConst(c) => match &c.val {
            Some(pb::a_const::Val::Sval(s)) => Some(s.sval.clone()),
            _ => None,
        },
        _ => None,
    }
}
