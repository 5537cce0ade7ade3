//! Functions, procedures and triggers.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use super::{Change, RelName};
use crate::sql::parse::strings;

/// `CREATE [OR REPLACE] FUNCTION / PROCEDURE`.
#[derive(Debug)]
pub(crate) struct CreateFunction {
    /// Its name as written.
    pub names: Vec<String>,
    /// Its arguments, result, language and body: a down that restores another
    /// body is a difference.
    pub fingerprint: String,
}

/// `CREATE [OR REPLACE] TRIGGER name ... ON relation EXECUTE FUNCTION f()`.
#[derive(Debug)]
pub(crate) struct CreateTrigger<'a> {
    /// The table, or the view for INSTEAD OF.
    pub relation: RelName<'a>,
    /// The trigger's name.
    pub name: &'a str,
    /// `OR REPLACE`.
    pub replace: bool,
    /// The function it executes, as written.
    pub function: Vec<String>,
}

/// Lowers CREATE FUNCTION / PROCEDURE; `text` is the statement's, the body of
/// a SQL-standard one (BEGIN ATOMIC ... END).
pub(crate) fn create_function<'a>(s: &'a pb::CreateFunctionStmt, text: &str) -> Change<'a> {
    let mut parts: Vec<String> = Vec::new();
    for p in &s.parameters {
        if let Some(NodeEnum::FunctionParameter(fp)) = &p.node
            && let Some(tn) = &fp.arg_type
        {
            parts.push(format!("{}:{}", fp.mode, strings(&tn.names).join(".")));
        }
    }
    if let Some(rt) = &s.return_type {
        parts.push(format!("returns {}", strings(&rt.names).join(".")));
    }
    for o in &s.options {
        if let Some(NodeEnum::DefElem(d)) = &o.node {
            match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) if d.defname == "as" => {
                    parts.push(format!("as {}", strings(&l.items).join("\u{0}")));
                }
                Some(NodeEnum::String(v)) if d.defname == "language" => {
                    parts.push(format!("language {}", v.sval.to_ascii_lowercase()));
                }
                _ => {}
            }
        }
    }
    if s.sql_body.is_some() {
        parts.push(text.to_owned());
    }
    Change::CreateFunction(CreateFunction {
        names: strings(&s.funcname),
        fingerprint: parts.join("\n"),
    })
}

/// Lowers CREATE TRIGGER; `None` without a relation (the parser always gives one).
pub(crate) fn create_trigger(s: &pb::CreateTrigStmt) -> Option<Change<'_>> {
    Some(Change::CreateTrigger(CreateTrigger {
        relation: RelName::of(s.relation.as_ref()?),
        name: &s.trigname,
        replace: s.replace,
        function: strings(&s.funcname),
    }))
}
