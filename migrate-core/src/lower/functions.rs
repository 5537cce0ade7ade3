//! Functions, procedures and triggers.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, FunctionParameterMode};
use serde_json::Value;

use super::types::WrittenType;
use super::{Change, RelName};
use crate::sql::parse::strings;

/// `CREATE [OR REPLACE] FUNCTION / PROCEDURE`.
#[derive(Debug)]
pub(crate) struct CreateFunction {
    /// Its name as written.
    pub names: Vec<String>,
    /// Its parameters: mode as pg_proc spells it (`i`, `o`, `b`, `v`, `t`)
    /// and type as written, resolved when applied (`t` is `public.t` there).
    pub params: Vec<(char, WrittenType)>,
    /// Its result as written and whether it is `SETOF`; `None` for a procedure
    /// and for a function whose OUT parameters say it.
    pub returns: Option<(WrittenType, bool)>,
    /// `CREATE PROCEDURE`.
    pub procedure: bool,
    /// The language and body, normalised: a down that restores another body
    /// is a difference, another spelling of the same one is not.
    pub body: String,
    /// The body is SQL-standard (`RETURN ...`, `BEGIN ATOMIC`).
    pub standard_body: bool,
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
    /// The columns of `UPDATE OF` and those `WHEN` reads.
    pub columns: Vec<String>,
}

/// Lowers CREATE FUNCTION / PROCEDURE.
pub(crate) fn create_function(s: &pb::CreateFunctionStmt) -> Change<'_> {
    let params = s
        .parameters
        .iter()
        .filter_map(|p| match &p.node {
            Some(NodeEnum::FunctionParameter(fp)) => {
                let ty = WrittenType::of(fp.arg_type.as_ref()?);
                Some((param_mode(fp.mode()), ty))
            }
            _ => None,
        })
        .collect();
    let returns = s
        .return_type
        .as_ref()
        .map(|rt| (WrittenType::of(rt), rt.setof));
    Change::CreateFunction(CreateFunction {
        names: strings(&s.funcname),
        params,
        returns,
        procedure: s.is_procedure,
        body: body(s),
        standard_body: s.sql_body.is_some(),
    })
}

/// A parameter's mode as pg_proc spells it; one written without a mode is IN.
fn param_mode(mode: FunctionParameterMode) -> char {
    match mode {
        FunctionParameterMode::FuncParamOut => 'o',
        FunctionParameterMode::FuncParamInout => 'b',
        FunctionParameterMode::FuncParamVariadic => 'v',
        FunctionParameterMode::FuncParamTable => 't',
        _ => 'i',
    }
}

/// The language and the body. A SQL-standard body (`RETURN expr`, `BEGIN
/// ATOMIC ... END`) is its parse tree without source positions: the same body
/// spelled with other spacing, or in a statement whose attributes come in
/// another order, is the same.
fn body(s: &pb::CreateFunctionStmt) -> String {
    // In a fixed order: `AS ... LANGUAGE` and `LANGUAGE ... AS` are the same.
    let (mut language, mut text) = (None, None);
    for o in &s.options {
        if let Some(NodeEnum::DefElem(d)) = &o.node {
            match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) if d.defname == "as" => {
                    text = Some(format!("as {}", strings(&l.items).join("\u{0}")));
                }
                Some(NodeEnum::String(v)) if d.defname == "language" => {
                    language = Some(format!("language {}", v.sval.to_ascii_lowercase()));
                }
                _ => {}
            }
        }
    }
    // A SQL-standard body in the spelling PostgreSQL stores (`spelling`):
    // pg_dump's `'a'::text`, `public.t`, `count(*) AS count` or `$1` for a
    // parameter's name restore the same function.
    let function = super::spelling::Function {
        name: strings(&s.funcname).last().cloned().unwrap_or_default(),
        params: (s.parameters.iter())
            .filter_map(|p| match &p.node {
                Some(NodeEnum::FunctionParameter(fp))
                    if matches!(param_mode(fp.mode()), 'i' | 'b' | 'v') =>
                {
                    Some((!fp.name.is_empty()).then(|| fp.name.clone()))
                }
                _ => None,
            })
            .collect(),
        relations: (crate::sql::walk::walk(s.sql_body.as_deref())
            .relations
            .iter())
        .flat_map(|rv| {
            let alias = rv.alias.as_ref().map(|a| a.aliasname.clone());
            std::iter::once(rv.relname.clone()).chain(alias)
        })
        .collect(),
        index: false,
    };
    let tree = s.sql_body.as_deref().map(|t| {
        let mut t = t.clone();
        super::spelling::canonical_in(&mut t, &function);
        tree_without_positions(&t)
    });
    [language, text, tree]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
}

/// A node's tree as JSON without its `location` fields (and the other
/// offsets), which say where the text was and not what it means.
fn tree_without_positions(node: &pb::Node) -> String {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for key in [
                    "location",
                    "rexpr_list_start",
                    "rexpr_list_end",
                    "list_start",
                    "list_end",
                ] {
                    map.remove(key);
                }
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(node).unwrap_or(Value::Null);
    strip(&mut v);
    v.to_string()
}

/// Lowers CREATE TRIGGER; `None` without a relation (the parser always gives one).
pub(crate) fn create_trigger(s: &pb::CreateTrigStmt) -> Option<Change<'_>> {
    Some(Change::CreateTrigger(CreateTrigger {
        relation: RelName::of(s.relation.as_ref()?),
        name: &s.trigname,
        replace: s.replace,
        function: strings(&s.funcname),
        columns: {
            let mut columns = strings(&s.columns);
            super::colname::columns_read(s.when_clause.as_deref(), &mut columns);
            columns
        },
    }))
}
