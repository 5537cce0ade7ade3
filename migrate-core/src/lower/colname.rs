//! The names PostgreSQL gives to what has no name of its own: an output column
//! of a query (FigureColname) and an index column of an expression.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use crate::model::apply::cut_identifier;
use crate::sql::parse::strings;

/// PostgreSQL's FigureColname for an expression: the column's or function's
/// name, `case`, `coalesce`, ...; `None` where PostgreSQL says `?column?`.
pub(crate) fn figure_colname(node: Option<&pb::Node>) -> Option<String> {
    match node?.node.as_ref()? {
        NodeEnum::ColumnRef(c) => match c.fields.last()?.node.as_ref()? {
            NodeEnum::String(s) => Some(s.sval.clone()),
            _ => None,
        },
        NodeEnum::FuncCall(f) => strings(&f.funcname).last().cloned(),
        NodeEnum::TypeCast(t) => figure_colname(t.arg.as_deref()).or_else(|| {
            t.type_name
                .as_ref()
                .and_then(|tn| strings(&tn.names).last().cloned())
        }),
        NodeEnum::AIndirection(i) => match i.indirection.last()?.node.as_ref()? {
            NodeEnum::String(s) => Some(s.sval.clone()),
            _ => figure_colname(i.arg.as_deref()),
        },
        NodeEnum::CaseExpr(_) => Some("case".to_owned()),
        NodeEnum::CoalesceExpr(_) => Some("coalesce".to_owned()),
        NodeEnum::MinMaxExpr(m) => Some(if m.op == pb::MinMaxOp::IsGreatest as i32 {
            "greatest".to_owned()
        } else {
            "least".to_owned()
        }),
        NodeEnum::NullIfExpr(_) => Some("nullif".to_owned()),
        NodeEnum::AArrayExpr(_) => Some("array".to_owned()),
        NodeEnum::RowExpr(_) => Some("row".to_owned()),
        NodeEnum::SubLink(s) => match pb::SubLinkType::try_from(s.sub_link_type).ok()? {
            pb::SubLinkType::ExistsSublink => Some("exists".to_owned()),
            pb::SubLinkType::ArraySublink => Some("array".to_owned()),
            pb::SubLinkType::ExprSublink => match s.subselect.as_ref()?.node.as_ref()? {
                NodeEnum::SelectStmt(sel) => match sel.target_list.first()?.node.as_ref()? {
                    NodeEnum::ResTarget(rt) if !rt.name.is_empty() => Some(rt.name.clone()),
                    NodeEnum::ResTarget(rt) => figure_colname(rt.val.as_deref()),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        },
        NodeEnum::SqlvalueFunction(f) => {
            use pb::SqlValueFunctionOp as Op;
            let name = match Op::try_from(f.op).ok()? {
                Op::SvfopCurrentDate => "current_date",
                Op::SvfopCurrentTime | Op::SvfopCurrentTimeN => "current_time",
                Op::SvfopCurrentTimestamp | Op::SvfopCurrentTimestampN => "current_timestamp",
                Op::SvfopLocaltime | Op::SvfopLocaltimeN => "localtime",
                Op::SvfopLocaltimestamp | Op::SvfopLocaltimestampN => "localtimestamp",
                Op::SvfopCurrentRole => "current_role",
                Op::SvfopCurrentUser => "current_user",
                Op::SvfopUser => "user",
                Op::SvfopSessionUser => "session_user",
                Op::SvfopCurrentCatalog => "current_catalog",
                Op::SvfopCurrentSchema => "current_schema",
                _ => return None,
            };
            Some(name.to_owned())
        }
        _ => None,
    }
}

/// The name an index column gets in an implicit index name: the column, or
/// for an expression its FigureColname, else `expr` (ChooseIndexColumnNames).
pub(crate) fn index_column_name(e: &pb::IndexElem) -> String {
    if !e.name.is_empty() {
        return e.name.clone();
    }
    figure_colname(e.expr.as_deref()).unwrap_or_else(|| "expr".to_owned())
}

/// The elements of an index's parameter list (its keys, or its INCLUDE).
pub(crate) fn index_elems(params: &[pb::Node]) -> impl Iterator<Item = &pb::IndexElem> {
    params.iter().filter_map(|p| match &p.node {
        Some(NodeEnum::IndexElem(e)) => Some(&**e),
        _ => None,
    })
}

/// The names of an index's columns, keys then INCLUDE: each
/// [`index_column_name`], a repeated one numbered (`a`, `a1`, `a2`), as
/// ChooseIndexColumnNames does. They name the index's own columns, and
/// joined with `_` its implicit name.
pub(crate) fn index_elem_names<'e>(
    elems: impl IntoIterator<Item = &'e pb::IndexElem>,
) -> Vec<String> {
    distinct_names(elems.into_iter().map(index_column_name))
}

/// Each name, numbered when an earlier one has it, the number kept inside
/// an identifier's 63 bytes (ChooseIndexColumnNames).
pub(crate) fn distinct_names(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        let mut current = name.clone();
        let mut i = 1;
        while out.contains(&current) {
            let n = i.to_string();
            current = format!("{}{n}", cut_identifier(&name, n.len()));
            i += 1;
        }
        out.push(current);
    }
    out
}

/// Every column an expression reads (the last name of each column reference).
pub(crate) fn columns_read(node: Option<&pb::Node>, out: &mut Vec<String>) {
    for c in crate::sql::walk::walk(node).columns {
        if !out.contains(&c) {
            out.push(c);
        }
    }
}
