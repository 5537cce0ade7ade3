//! A complete walk over a statement's tree.
//!
//! `pg_query`'s own `nodes()` visits what it needs to list tables and skips
//! many node kinds (a column under a cast, a constraint inside CREATE TABLE).
//! The checks built on a walk must see everything, or they become false
//! findings, so this walks the tree through its serde form: every node,
//! however deep. It runs only for the statements that need it (queries,
//! expressions of indexes and checks, views), not for every statement.

use serde_json::Value;

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

/// What a walk found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// The last name of every column reference (`t.a` -> `a`), in order, once.
    pub columns: Vec<String>,
    /// Every relation named in a FROM (or USING, or JOIN), as a RangeVar.
    pub relations: Vec<pb::RangeVar>,
    /// Names that WITH clauses define.
    pub ctes: Vec<String>,
    /// String constants.
    pub strings: Vec<String>,
    /// Node kinds seen (`JsonTable`, `MergeStmt`, ...).
    pub kinds: Vec<String>,
    /// The names of the functions called (`["public", "f"]`, `["now"]`).
    pub calls: Vec<Vec<String>>,
    /// Numeric and boolean constants, as written (`5`, `1.20`, `true`).
    pub numbers: Vec<String>,
    /// The last name of every type cast to (`x::e` -> `e`).
    pub casts: Vec<String>,
}

pub(crate) fn walk_node(node: &NodeEnum) -> Found {
    let mut f = Found::default();
    if let Ok(v) = serde_json::to_value(node) {
        visit(&v, &mut f);
    }
    f
}

/// [`walk_node`] of a tree already in its serde form.
pub(crate) fn walk_value(v: &Value) -> Found {
    let mut f = Found::default();
    visit(v, &mut f);
    f
}

pub(crate) fn walk(node: Option<&pb::Node>) -> Found {
    match node.and_then(|n| n.node.as_ref()) {
        Some(n) => walk_node(n),
        None => Found::default(),
    }
}

fn visit(v: &Value, f: &mut Found) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| visit(i, f)),
        Value::Object(map) => {
            for (k, inner) in map {
                if k.starts_with(|c: char| c.is_ascii_uppercase()) {
                    node(k, inner, f);
                }
                visit(inner, f);
            }
        }
        _ => {}
    }
}

fn node(kind: &str, v: &Value, f: &mut Found) {
    if !f.kinds.iter().any(|k| k == kind) {
        f.kinds.push(kind.to_owned());
    }
    let text = |field: &str| {
        v.get(field)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    match kind {
        "ColumnRef" => {
            let last = v
                .get("fields")
                .and_then(Value::as_array)
                .and_then(|a| a.last())
                .and_then(|n| n.pointer("/node/String/sval"))
                .and_then(Value::as_str);
            if let Some(c) = last
                && !f.columns.iter().any(|x| x == c)
            {
                f.columns.push(c.to_owned());
            }
        }
        "RangeVar" => f.relations.push(pb::RangeVar {
            schemaname: text("schemaname"),
            relname: text("relname"),
            location: v.get("location").and_then(Value::as_i64).unwrap_or(-1) as i32,
            ..pb::RangeVar::default()
        }),
        "CommonTableExpr" => f.ctes.push(text("ctename")),
        "FuncCall" => {
            let names: Vec<String> = v
                .get("funcname")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|n| n.pointer("/node/String/sval").and_then(Value::as_str))
                .map(str::to_owned)
                .collect();
            f.calls.push(names);
        }
        "Sval" => f.strings.push(text("sval")),
        // A zero or false is the default, which the serde form may leave out.
        "Ival" => f.numbers.push(
            v.get("ival")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                .to_string(),
        ),
        "Fval" => f.numbers.push(text("fval")),
        "Boolval" => f.numbers.push(
            v.get("boolval")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                .to_string(),
        ),
        "TypeCast" => {
            let last = v
                .pointer("/type_name/names")
                .and_then(Value::as_array)
                .and_then(|a| a.last())
                .and_then(|n| n.pointer("/node/String/sval"))
                .and_then(Value::as_str);
            if let Some(t) = last {
                f.casts.push(t.to_owned());
            }
        }
        _ => {}
    }
}
