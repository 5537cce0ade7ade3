//! The names PostgreSQL gives to what has no name of its own: an output column
//! of a query (FigureColname) and an index column of an expression.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use crate::model::apply::cut_identifier;
use crate::sql::parse::strings;

/// PostgreSQL's FigureColname for an expression: the column's or function's
/// name, `case`, `coalesce`, ...; `None` where PostgreSQL says `?column?`.
pub(crate) fn figure_colname(node: Option<&pb::Node>) -> Option<String> {
    figure(node).map(|(name, _)| name)
}

/// How sure a name is (FigureColnameInternal's strength): a cast's type name
/// or `case` is weak, and an outer cast's replaces it (`(a + b)::int8::text`
/// is `text`, `a::int8::text` is `a`).
const WEAK: u8 = 1;
const STRONG: u8 = 2;

fn figure(node: Option<&pb::Node>) -> Option<(String, u8)> {
    let strong = |s: &str| Some((s.to_owned(), STRONG));
    match node?.node.as_ref()? {
        // The last field name, a `*` passed over (`src.*` is `src`).
        NodeEnum::ColumnRef(c) => c.fields.iter().rev().find_map(|f| match f.node.as_ref()? {
            NodeEnum::String(s) => strong(&s.sval),
            _ => None,
        }),
        NodeEnum::FuncCall(f) => strong(strings(&f.funcname).last()?),
        NodeEnum::TypeCast(t) => {
            let inner = figure(t.arg.as_deref());
            if inner.as_ref().is_some_and(|(_, s)| *s > WEAK) {
                return inner;
            }
            (t.type_name.as_ref())
                .and_then(|tn| strings(&tn.names).last().cloned())
                .map(|n| (n, WEAK))
                .or(inner)
        }
        NodeEnum::CollateClause(c) => figure(c.arg.as_deref()),
        NodeEnum::AExpr(e) if e.kind == pb::AExprKind::AexprNullif as i32 => strong("nullif"),
        // The last field name, subscripts passed over (`(p).tags[1]` is
        // `tags`); none: the argument's.
        NodeEnum::AIndirection(i) => (i.indirection.iter().rev())
            .find_map(|f| match f.node.as_ref()? {
                NodeEnum::String(s) => strong(&s.sval),
                _ => None,
            })
            .or_else(|| figure(i.arg.as_deref())),
        NodeEnum::CaseExpr(c) => match figure(c.defresult.as_deref()) {
            Some(named) if named.1 > WEAK => Some(named),
            _ => Some(("case".to_owned(), WEAK)),
        },
        NodeEnum::CoalesceExpr(_) => strong("coalesce"),
        NodeEnum::MinMaxExpr(m) => strong(if m.op == pb::MinMaxOp::IsGreatest as i32 {
            "greatest"
        } else {
            "least"
        }),
        NodeEnum::NullIfExpr(_) => strong("nullif"),
        NodeEnum::AArrayExpr(_) => strong("array"),
        NodeEnum::RowExpr(_) => strong("row"),
        NodeEnum::SubLink(s) => match pb::SubLinkType::try_from(s.sub_link_type).ok()? {
            pb::SubLinkType::ExistsSublink => strong("exists"),
            pb::SubLinkType::ArraySublink => strong("array"),
            pb::SubLinkType::ExprSublink => match s.subselect.as_ref()?.node.as_ref()? {
                // The subquery's column name, as its own target list named
                // it (`?column?` too): a strong name whatever made it.
                NodeEnum::SelectStmt(sel) => match sel.target_list.first()?.node.as_ref()? {
                    NodeEnum::ResTarget(rt) if !rt.name.is_empty() => strong(&rt.name),
                    NodeEnum::ResTarget(rt) => {
                        let inner = figure(rt.val.as_deref()).map(|(n, _)| n);
                        strong(inner.as_deref().unwrap_or("?column?"))
                    }
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
            strong(name)
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
