//! One spelling for expressions that PostgreSQL stores the same whatever
//! way they were written, so that a down which restores an index as pg_dump
//! prints it (`lower((b)::text)`, `'x'::text`, `= ANY (ARRAY[...])`,
//! `pg_catalog.lower`, the default operator class written out) restores
//! the same index, as the catalogue says.
//!
//! Only rewrites that cannot make two different expressions one are made,
//! but for the implicit casts, which are taken to be implicit wherever they
//! are written: `lower(b::text)` and `lower(b)` are one index (PostgreSQL
//! prints the first for a varchar `b`), and so would be an index on
//! `(a::text)` and one on `(a)`, a difference this then does not see (no
//! down is refused for it: the rule is that a right down is never blamed).
//! An index's expressions take looser rules still ([`canonical_index`]).
//! Node kinds not listed are left as they are, their insides too: the same
//! on both sides.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, a_const};

use crate::model::types::resolve_builtin;
use crate::sql::parse::strings;

/// The function whose SQL-standard body is being rewritten: its parameters
/// are named in it as `x`, `f.x` or `$1`, all one to PostgreSQL.
#[derive(Debug, Default)]
pub(crate) struct Function {
    /// Its name (the last part).
    pub name: String,
    /// Its parameters' names, `None` for an unnamed one, in order.
    pub params: Vec<Option<String>>,
    /// The names the body's relations go by (their names and aliases):
    /// pg_dump qualifies every column with one (`t.a`), which is the
    /// column `a`.
    pub relations: Vec<String>,
    /// An index's expression: [`canonical_index`]'s rules too.
    pub index: bool,
}

/// [`canonical_in`] for an index's expressions and predicate, where more is
/// taken as one, because pg_get_indexdef prints what the analysis made of
/// it and pg_dump restores that: every cast of a constant or a column (the
/// implicit ones it prints: `n > (0)::numeric`, `(id)::numeric > 0.5`),
/// `BETWEEN` as its two comparisons, `LIKE` / `ILIKE` as their operators,
/// numbers however written (`'-1'::integer`, `1e3`, `0.50`), JSON and
/// array literals without their spacing. So two indexes that differ only
/// in a cast between two types are taken as one (no down is blamed for
/// it); literals PostgreSQL prints by their type (`'2020-1-1'` as
/// `'2020-01-01'`) still differ.
pub(crate) fn canonical_index(node: &mut pb::Node) {
    canonical_in(
        node,
        &Function {
            index: true,
            ..Function::default()
        },
    );
}

/// A number as one spelling (`Fval` of its value), a JSON or array literal
/// without the spacing between its elements.
fn constant(k: &mut pb::AConst) {
    let text = match &k.val {
        Some(a_const::Val::Ival(i)) => i.ival.to_string(),
        Some(a_const::Val::Fval(f)) => f.fval.clone(),
        Some(a_const::Val::Sval(s)) => s.sval.clone(),
        _ => return,
    };
    if let Ok(v) = text.trim().parse::<f64>()
        && v.is_finite()
        && text
            .trim()
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        k.val = Some(a_const::Val::Fval(pb::Float {
            fval: format!("{v}"),
        }));
        return;
    }
    if let Some(a_const::Val::Sval(s)) = &mut k.val {
        let t = s.sval.trim();
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(t)
            && (json.is_object() || json.is_array())
        {
            s.sval = json.to_string();
        } else if t.starts_with('{') && t.ends_with('}') && !t.contains('"') {
            s.sval = t.split(',').map(str::trim).collect::<Vec<_>>().join(",");
        }
    }
}

/// `a BETWEEN x AND y` is stored as `a >= x AND a <= y` (NOT BETWEEN as
/// `a < x OR a > y`); `LIKE` and `ILIKE` without ESCAPE as `~~` and `~~*`.
fn operators(e: &pb::AExpr) -> Option<pb::Node> {
    use pb::AExprKind as K;
    let kind = K::try_from(e.kind).ok()?;
    let op = |name: &str, l: pb::Node, r: pb::Node| pb::Node {
        node: Some(NodeEnum::AExpr(Box::new(pb::AExpr {
            kind: K::AexprOp as i32,
            name: vec![string_node(name)],
            lexpr: Some(Box::new(l)),
            rexpr: Some(Box::new(r)),
            ..Default::default()
        }))),
    };
    match kind {
        K::AexprBetween | K::AexprNotBetween => {
            let l = e.lexpr.as_deref()?.clone();
            let Some(NodeEnum::List(bounds)) = e.rexpr.as_deref()?.node.as_ref() else {
                return None;
            };
            let [lo, hi] = bounds.items.as_slice() else {
                return None;
            };
            let (a, b, boolop) = if kind == K::AexprBetween {
                (">=", "<=", pb::BoolExprType::AndExpr)
            } else {
                ("<", ">", pb::BoolExprType::OrExpr)
            };
            Some(pb::Node {
                node: Some(NodeEnum::BoolExpr(Box::new(pb::BoolExpr {
                    boolop: boolop as i32,
                    args: vec![op(a, l.clone(), lo.clone()), op(b, l, hi.clone())],
                    ..Default::default()
                }))),
            })
        }
        K::AexprLike | K::AexprIlike => {
            let r = e.rexpr.as_deref()?;
            // `ESCAPE` is a like_escape call: left as it is.
            if matches!(r.node.as_ref(), Some(NodeEnum::FuncCall(_))) {
                return None;
            }
            let negated = strings(&e.name).first().is_some_and(|n| n.starts_with('!'));
            let name = match (kind == K::AexprIlike, negated) {
                (false, false) => "~~",
                (false, true) => "!~~",
                (true, false) => "~~*",
                (true, true) => "!~~*",
            };
            Some(op(name, e.lexpr.as_deref()?.clone(), r.clone()))
        }
        _ => None,
    }
}

/// Rewrites `node` (and what it holds) into the one spelling, inside the
/// body of `f` (or an index's expression: `f.index`).
pub(crate) fn canonical_in(node: &mut pb::Node, f: &Function) {
    let all = |ns: &mut Vec<pb::Node>| ns.iter_mut().for_each(|n| canonical_in(n, f));
    let Some(n) = node.node.as_mut() else { return };
    match n {
        NodeEnum::TypeCast(c) => {
            each([c.arg.as_deref_mut()], f);
            if let Some(tn) = c.type_name.as_mut() {
                canonical_type(tn);
            }
            let plain = matches!(
                c.arg.as_deref().and_then(|a| a.node.as_ref()),
                Some(NodeEnum::AConst(_) | NodeEnum::ColumnRef(_))
            );
            if (implicit_cast(c) || (f.index && plain))
                && let Some(arg) = c.arg.take()
            {
                *node = *arg;
            }
        }
        NodeEnum::CollateClause(c) => {
            each([c.arg.as_deref_mut()], f);
            let name = strings(&c.collname);
            if matches!(name.as_slice(), [d] | [_, d] if d == "default")
                && let Some(arg) = c.arg.take()
            {
                *node = *arg;
            }
        }
        NodeEnum::FuncCall(call) => {
            // A call the grammar made of SQL syntax (`SIMILAR TO`'s
            // `pg_catalog.similar_to_escape`, `EXTRACT`, `OVERLAPS`) keeps
            // its name: the deparser prints the syntax from it, and asserts
            // that it is qualified.
            let grammars = strings(&call.funcname)
                .last()
                .is_some_and(|n| n == "similar_to_escape");
            if call.funcformat == pb::CoercionForm::CoerceExplicitCall as i32 && !grammars {
                unqualify(&mut call.funcname);
            }
            all(&mut call.args);
            all(&mut call.agg_order);
            each([call.agg_filter.as_deref_mut()], f);
        }
        NodeEnum::AExpr(e) => {
            each([e.lexpr.as_deref_mut(), e.rexpr.as_deref_mut()], f);
            in_as_any(e);
            if f.index
                && let Some(rewritten) = operators(e)
            {
                *node = rewritten;
            }
        }
        NodeEnum::AConst(k) if f.index => constant(k),
        NodeEnum::BoolExpr(b) => all(&mut b.args),
        NodeEnum::NullTest(t) => {
            each([t.arg.as_deref_mut()], f);
        }
        NodeEnum::CoalesceExpr(c) => all(&mut c.args),
        NodeEnum::MinMaxExpr(m) => all(&mut m.args),
        NodeEnum::AArrayExpr(a) => all(&mut a.elements),
        NodeEnum::RowExpr(r) => all(&mut r.args),
        NodeEnum::List(l) => all(&mut l.items),
        NodeEnum::CaseExpr(c) => {
            each([c.arg.as_deref_mut(), c.defresult.as_deref_mut()], f);
            for w in &mut c.args {
                if let Some(NodeEnum::CaseWhen(w)) = w.node.as_mut() {
                    each([w.expr.as_deref_mut(), w.result.as_deref_mut()], f);
                }
            }
        }
        // Statements of a SQL-standard body, and what they hold.
        NodeEnum::ReturnStmt(r) => {
            each([r.returnval.as_deref_mut()], f);
        }
        NodeEnum::SubLink(l) => {
            each([l.testexpr.as_deref_mut(), l.subselect.as_deref_mut()], f);
        }
        NodeEnum::SelectStmt(sel) => select(sel, f),
        NodeEnum::ResTarget(t) => {
            each([t.val.as_deref_mut()], f);
        }
        NodeEnum::SortBy(b) => {
            each([b.node.as_deref_mut()], f);
        }
        NodeEnum::RangeVar(rv) => public_unqualified(rv),
        NodeEnum::JoinExpr(j) => {
            each(
                [
                    j.larg.as_deref_mut(),
                    j.rarg.as_deref_mut(),
                    j.quals.as_deref_mut(),
                ],
                f,
            );
        }
        NodeEnum::RangeSubselect(r) => {
            each([r.subquery.as_deref_mut()], f);
        }
        NodeEnum::InsertStmt(i) => {
            if let Some(rv) = i.relation.as_mut() {
                public_unqualified(rv);
            }
            each([i.select_stmt.as_deref_mut()], f);
        }
        NodeEnum::UpdateStmt(u) => {
            if let Some(rv) = u.relation.as_mut() {
                public_unqualified(rv);
            }
            all(&mut u.target_list);
            all(&mut u.from_clause);
            each([u.where_clause.as_deref_mut()], f);
        }
        NodeEnum::DeleteStmt(d) => {
            if let Some(rv) = d.relation.as_mut() {
                public_unqualified(rv);
            }
            all(&mut d.using_clause);
            each([d.where_clause.as_deref_mut()], f);
        }
        // A parameter is one name however it is written.
        NodeEnum::ColumnRef(c) => {
            let fields = strings(&c.fields);
            let param = |n: &String| f.params.iter().any(|p| p.as_deref() == Some(n.as_str()));
            if let [qualifier, name] = fields.as_slice()
                && ((*qualifier == f.name && param(name)) || f.relations.contains(qualifier))
            {
                c.fields.remove(0);
            }
        }
        NodeEnum::ParamRef(p) => {
            let named = usize::try_from(p.number - 1)
                .ok()
                .and_then(|i| f.params.get(i).cloned().flatten());
            if let Some(name) = named {
                *node = pb::Node {
                    node: Some(NodeEnum::ColumnRef(pb::ColumnRef {
                        fields: vec![string_node(&name)],
                        location: 0,
                    })),
                };
            }
        }
        _ => {}
    }
}

/// [`canonical_in`] of each of `parts` that is there.
fn each<'n>(parts: impl IntoIterator<Item = Option<&'n mut pb::Node>>, f: &Function) {
    parts.into_iter().flatten().for_each(|n| canonical_in(n, f));
}

/// A SELECT's parts; an output column's alias that is the name it would
/// have anyway (`count(*) AS count`, pg_dump's) is left out.
fn select(s: &mut pb::SelectStmt, f: &Function) {
    let all = |ns: &mut Vec<pb::Node>| ns.iter_mut().for_each(|n| canonical_in(n, f));
    for t in &mut s.target_list {
        if let Some(NodeEnum::ResTarget(rt)) = t.node.as_mut()
            && !rt.name.is_empty()
            && super::colname::figure_colname(rt.val.as_deref()).as_deref()
                == Some(rt.name.as_str())
        {
            rt.name.clear();
        }
    }
    all(&mut s.target_list);
    all(&mut s.from_clause);
    all(&mut s.group_clause);
    all(&mut s.sort_clause);
    all(&mut s.distinct_clause);
    each(
        [
            s.where_clause.as_deref_mut(),
            s.having_clause.as_deref_mut(),
            s.limit_count.as_deref_mut(),
            s.limit_offset.as_deref_mut(),
        ],
        f,
    );
    for rows in &mut s.values_lists {
        canonical_in(rows, f);
    }
    for side in [s.larg.as_deref_mut(), s.rarg.as_deref_mut()]
        .into_iter()
        .flatten()
    {
        select(side, f);
    }
    if let Some(w) = s.with_clause.as_mut() {
        for cte in &mut w.ctes {
            if let Some(NodeEnum::CommonTableExpr(c)) = cte.node.as_mut()
                && let Some(q) = c.ctequery.as_deref_mut()
            {
                canonical_in(q, f);
            }
        }
    }
}

/// `public.t` is `t` (the schema a migration's objects are made in).
fn public_unqualified(rv: &mut pb::RangeVar) {
    if rv.schemaname == "public" {
        rv.schemaname.clear();
    }
}

/// A built-in type by its internal name, without `pg_catalog.`: `int`,
/// `integer`, `pg_catalog.int4` and `int4` are one.
pub(crate) fn canonical_type(tn: &mut pb::TypeName) {
    unqualify(&mut tn.names);
    if let [one] = strings(&tn.names).as_slice()
        && let Some(b) = resolve_builtin(one)
    {
        tn.names = vec![string_node(b.name)];
    }
    tn.location = 0;
}

/// `pg_catalog.name` is `name` (the catalogue is always searched first).
fn unqualify(names: &mut Vec<pb::Node>) {
    if names.len() == 2 && strings(names).first().is_some_and(|s| s == "pg_catalog") {
        names.remove(0);
    }
}

fn string_node(s: &str) -> pb::Node {
    pb::Node {
        node: Some(NodeEnum::String(pb::String { sval: s.to_owned() })),
    }
}

/// A cast PostgreSQL adds where it is left out, and prints: a string
/// literal taken as text, a column taken as text (a varchar or char column
/// given to a text function or operator; on a text column it is no cast).
fn implicit_cast(c: &pb::TypeCast) -> bool {
    let to_text = c.type_name.as_ref().is_some_and(|tn| {
        strings(&tn.names).as_slice() == ["text"]
            && tn.typmods.is_empty()
            && tn.array_bounds.is_empty()
    });
    let arg = c.arg.as_ref().and_then(|a| a.node.as_ref());
    to_text
        && match arg {
            Some(NodeEnum::AConst(k)) => matches!(k.val, Some(a_const::Val::Sval(_))),
            Some(NodeEnum::ColumnRef(_)) => true,
            _ => false,
        }
}

/// `x IN (a, b)` is stored as `x = ANY (ARRAY[a, b])`, and `x NOT IN (...)`
/// as `x <> ALL (ARRAY[...])`.
fn in_as_any(e: &mut pb::AExpr) {
    if e.kind != pb::AExprKind::AexprIn as i32 {
        return;
    }
    let Some(NodeEnum::List(list)) = e.rexpr.as_deref().and_then(|r| r.node.as_ref()) else {
        return;
    };
    let elements = list.items.clone();
    e.rexpr_list_start = 0;
    e.rexpr_list_end = 0;
    let op = strings(&e.name);
    e.kind = if op.as_slice() == ["<>"] {
        pb::AExprKind::AexprOpAll as i32
    } else {
        pb::AExprKind::AexprOpAny as i32
    };
    e.rexpr = Some(Box::new(pb::Node {
        node: Some(NodeEnum::AArrayExpr(pb::AArrayExpr {
            elements,
            location: 0,
            ..Default::default()
        })),
    }));
}

/// An operator class named after the type it is the default one of
/// (`text_ops`, `int4_ops`, `array_ops`, ...): written out, it is the one
/// PostgreSQL picks and does not print. (On a column of another type it is
/// an error, so leaving it out can only make the same index one.)
pub(crate) fn is_default_opclass(names: &[String]) -> bool {
    let name = match names {
        [one] | [_, one] => one.as_str(),
        _ => return false,
    };
    matches!(
        name,
        "text_ops"
            | "varchar_ops"
            | "bpchar_ops"
            | "name_ops"
            | "char_ops"
            | "int2_ops"
            | "int4_ops"
            | "int8_ops"
            | "numeric_ops"
            | "float4_ops"
            | "float8_ops"
            | "bool_ops"
            | "bytea_ops"
            | "date_ops"
            | "time_ops"
            | "timetz_ops"
            | "timestamp_ops"
            | "timestamptz_ops"
            | "interval_ops"
            | "uuid_ops"
            | "oid_ops"
            | "inet_ops"
            | "money_ops"
            | "array_ops"
            | "jsonb_ops"
            | "enum_ops"
    )
}
