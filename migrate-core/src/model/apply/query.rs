//! The columns a query returns, as CREATE TABLE AS, SELECT INTO, CREATE VIEW
//! and CREATE MATERIALIZED VIEW make them: names (aliases, or PostgreSQL's
//! FigureColname) and types derived from the select list (columns of tables
//! and views, casts, constants, aggregates and common functions, `*`). A type
//! the model cannot derive is `None`: the caller makes the relation opaque
//! rather than guess.

use std::collections::BTreeMap;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, a_const};

use super::Applier;
use super::common_type::{Input, arithmetic_type, common_type, float_literal_type, nullif_type};
use crate::lower::colname::figure_colname;
use crate::model::types::{self, SqlType};
use crate::sql::parse::strings;

/// One output column of a query.
#[derive(Debug, Clone)]
pub(super) struct OutColumn {
    pub name: String,
    pub ty: Option<SqlType>,
}

/// A relation the query reads, under the name the query uses for it.
struct Item {
    alias: String,
    /// `None`: a relation whose columns the model does not know.
    columns: Option<Vec<OutColumn>>,
    /// An unqualified `*` or column name reaches it: not a side of a join
    /// with `USING`, `NATURAL` or an alias, whose columns the join's own
    /// item gives (the merged ones once).
    unqualified: bool,
}

type Ctes = BTreeMap<String, Option<Vec<OutColumn>>>;

impl Applier<'_> {
    /// The output columns of `query`; `None` when even their names cannot be
    /// known (a `*` over something the model does not know).
    pub(super) fn query_columns(&self, query: Option<&pb::Node>) -> Option<Vec<OutColumn>> {
        match query?.node.as_ref()? {
            NodeEnum::SelectStmt(s) => self.select_columns(s, &Ctes::new()),
            _ => None,
        }
    }

    fn select_columns(&self, s: &pb::SelectStmt, outer: &Ctes) -> Option<Vec<OutColumn>> {
        let mut ctes = outer.clone();
        if let Some(w) = &s.with_clause {
            for c in &w.ctes {
                if let Some(NodeEnum::CommonTableExpr(cte)) = &c.node {
                    let mut cols = match cte.ctequery.as_ref().and_then(|q| q.node.as_ref()) {
                        Some(NodeEnum::SelectStmt(q)) => self.select_columns(q, &ctes),
                        _ => None,
                    };
                    rename(&mut cols, &strings(&cte.aliascolnames));
                    ctes.insert(cte.ctename.clone(), cols);
                }
            }
        }
        // UNION / INTERSECT / EXCEPT: the left side names the columns; a type
        // both sides agree on is the type.
        if let (Some(l), Some(r)) = (&s.larg, &s.rarg) {
            let mut left = self.select_columns(l, &ctes)?;
            let right = self.select_columns(r, &ctes);
            for (i, c) in left.iter_mut().enumerate() {
                let same = right
                    .as_ref()
                    .and_then(|r| r.get(i))
                    .is_some_and(|rc| rc.ty == c.ty);
                if !same {
                    c.ty = None;
                }
            }
            return Some(left);
        }
        if !s.values_lists.is_empty() {
            // Each column has the common type of its rows (VALUES (1), (2.5)
            // is numeric; (NULL), (1) integer), as a UNION's would be.
            let rows: Option<Vec<&[pb::Node]>> = (s.values_lists.iter())
                .map(|r| match &r.node {
                    Some(NodeEnum::List(row)) => Some(row.items.as_slice()),
                    _ => None,
                })
                .collect();
            let rows = rows?;
            let width = rows.first().map_or(0, |r| r.len());
            return Some(
                (0..width)
                    .map(|i| OutColumn {
                        name: format!("column{}", i + 1),
                        ty: self.common(rows.iter().map(|r| r.get(i)), &[]),
                    })
                    .collect(),
            );
        }
        let mut scope = Vec::new();
        for f in &s.from_clause {
            self.scope_item(f, &ctes, &mut scope);
        }
        let mut out = Vec::new();
        for t in &s.target_list {
            let Some(NodeEnum::ResTarget(rt)) = &t.node else {
                return None;
            };
            if let Some(NodeEnum::ColumnRef(cr)) = rt.val.as_ref().and_then(|v| v.node.as_ref())
                && matches!(
                    cr.fields.last().and_then(|f| f.node.as_ref()),
                    Some(NodeEnum::AStar(_))
                )
            {
                let rel = strings(&cr.fields);
                for item in &scope {
                    if (rel.is_empty() && item.unqualified) || rel.last() == Some(&item.alias) {
                        out.extend(item.columns.clone()?);
                    }
                }
                continue;
            }
            let name = if rt.name.is_empty() {
                figure_colname(rt.val.as_deref()).unwrap_or_else(|| "?column?".to_owned())
            } else {
                rt.name.clone()
            };
            out.push(OutColumn {
                name,
                ty: self.expr_type(rt.val.as_deref(), &scope),
            });
        }
        Some(out)
    }

    fn scope_item(&self, f: &pb::Node, ctes: &Ctes, scope: &mut Vec<Item>) {
        match f.node.as_ref() {
            Some(NodeEnum::RangeVar(rv)) => {
                let alias = rv
                    .alias
                    .as_ref()
                    .map_or_else(|| rv.relname.clone(), |a| a.aliasname.clone());
                let cte = ctes.get(&rv.relname).filter(|_| rv.schemaname.is_empty());
                let mut columns = if let Some(cols) = cte {
                    cols.clone()
                } else {
                    self.relation_columns(&rv.schemaname, &rv.relname)
                };
                if let Some(a) = &rv.alias {
                    rename(&mut columns, &strings(&a.colnames));
                }
                scope.push(Item {
                    alias,
                    columns,
                    unqualified: true,
                });
            }
            Some(NodeEnum::JoinExpr(j)) => {
                let mut sides: Vec<Vec<Item>> = Vec::new();
                for side in [&j.larg, &j.rarg].into_iter().flatten() {
                    let mut items = Vec::new();
                    self.scope_item(side, ctes, &mut items);
                    sides.push(items);
                }
                // LEFT/RIGHT/FULL joins make the other side's columns nullable,
                // which every derived column is anyway.
                let using = strings(&j.using_clause);
                let alias = j.alias.as_ref().map(|a| a.aliasname.clone());
                let merging = j.is_natural || !using.is_empty() || alias.is_some();
                let joined = match &sides[..] {
                    [left, right] if merging => {
                        let visible = |items: &[Item]| -> Option<Vec<OutColumn>> {
                            let cols = items.iter().filter(|i| i.unqualified);
                            cols.map(|i| i.columns.clone())
                                .collect::<Option<Vec<_>>>()
                                .map(|c| c.concat())
                        };
                        let mut columns = (visible(left).zip(visible(right)))
                            .map(|(l, r)| merged(l, r, &using, j.is_natural));
                        if let Some(a) = &j.alias {
                            rename(&mut columns, &strings(&a.colnames));
                        }
                        Some(Item {
                            alias: alias.unwrap_or_default(),
                            columns,
                            unqualified: true,
                        })
                    }
                    _ => None,
                };
                for mut item in sides.into_iter().flatten() {
                    // The join's own item gives what an unqualified name
                    // reaches.
                    item.unqualified &= joined.is_none();
                    scope.push(item);
                }
                scope.extend(joined);
            }
            Some(NodeEnum::RangeSubselect(sub)) => {
                let alias = sub
                    .alias
                    .as_ref()
                    .map(|a| a.aliasname.clone())
                    .unwrap_or_default();
                let mut columns = match sub.subquery.as_ref().and_then(|q| q.node.as_ref()) {
                    Some(NodeEnum::SelectStmt(q)) => self.select_columns(q, ctes),
                    _ => None,
                };
                if let Some(a) = &sub.alias {
                    rename(&mut columns, &strings(&a.colnames));
                }
                scope.push(Item {
                    alias,
                    columns,
                    unqualified: true,
                });
            }
            // Functions in FROM (generate_series, unnest, ...): unknown columns.
            Some(NodeEnum::RangeFunction(rf)) => scope.push(Item {
                alias: rf
                    .alias
                    .as_ref()
                    .map(|a| a.aliasname.clone())
                    .unwrap_or_default(),
                columns: None,
                unqualified: true,
            }),
            _ => scope.push(Item {
                alias: String::new(),
                columns: None,
                unqualified: true,
            }),
        }
    }

    /// The columns of a table or view the model knows.
    fn relation_columns(&self, schema: &str, name: &str) -> Option<Vec<OutColumn>> {
        let as_out = |cols: &[crate::model::schema::Column]| {
            cols.iter()
                .map(|c| OutColumn {
                    name: c.name.clone(),
                    ty: Some(c.ty.clone()),
                })
                .collect()
        };
        if let Some(q) = self.resolve(schema, name, &self.schema.tables) {
            if self.schema.doubts(&q) {
                return None;
            }
            return Some(as_out(&self.schema.tables.get(&q)?.columns));
        }
        let q = self.resolve(schema, name, &self.schema.views)?;
        if self.schema.doubts(&q) {
            return None;
        }
        self.schema.views.get(&q)?.columns.as_deref().map(as_out)
    }

    /// The type of an expression of the select list, when the model can tell.
    fn expr_type(&self, node: Option<&pb::Node>, scope: &[Item]) -> Option<SqlType> {
        let b = SqlType::builtin;
        match node?.node.as_ref()? {
            NodeEnum::ColumnRef(cr) => {
                let path = strings(&cr.fields);
                let (rel, col) = match path.as_slice() {
                    [col] => (None, col),
                    [.., rel, col] => (Some(rel), col),
                    [] => return None,
                };
                let mut found = scope
                    .iter()
                    .filter(|i| rel.map_or(i.unqualified, |r| *r == i.alias))
                    .filter_map(|i| i.columns.as_ref()?.iter().find(|c| &c.name == col));
                let first = found.next()?;
                // An ambiguous name is PostgreSQL's error to report, not ours.
                if found.next().is_some() {
                    return None;
                }
                first.ty.clone()
            }
            NodeEnum::TypeCast(tc) => self.written_type(tc.type_name.as_ref()?),
            NodeEnum::AConst(c) => Some(b(match &c.val {
                Some(a_const::Val::Ival(_)) => "int4",
                Some(a_const::Val::Fval(f)) => float_literal_type(&f.fval),
                Some(a_const::Val::Boolval(_)) => "bool",
                Some(a_const::Val::Bsval(_)) => "bit",
                // A string or NULL of unknown type is text in a table (PostgreSQL 10+).
                Some(a_const::Val::Sval(_)) | None => "text",
            })),
            NodeEnum::BoolExpr(_) | NodeEnum::NullTest(_) | NodeEnum::BooleanTest(_) => {
                Some(b("bool"))
            }
            NodeEnum::SubLink(s) if s.sub_link_type == pb::SubLinkType::ExistsSublink as i32 => {
                Some(b("bool"))
            }
            NodeEnum::AExpr(e) => {
                use pb::AExprKind as K;
                let kind = K::try_from(e.kind).ok()?;
                if kind == K::AexprNullif {
                    let l = self.input(e.lexpr.as_deref(), scope)?;
                    let r = self.input(e.rexpr.as_deref(), scope)?;
                    return nullif_type(&l, &r);
                }
                // IN, LIKE, BETWEEN, IS DISTINCT FROM, op ANY / ALL.
                if kind != K::AexprOp {
                    return Some(b("bool"));
                }
                let op = strings(&e.name).join("");
                if matches!(
                    op.as_str(),
                    "=" | "<>" | "!=" | "<" | ">" | "<=" | ">=" | "~~" | "~~*" | "!~~" | "!~~*"
                ) {
                    return Some(b("bool"));
                }
                // text || anything but an array (text || text[] is an
                // array's: array_prepend).
                if op == "||" {
                    let left = self.expr_type(e.lexpr.as_deref(), scope);
                    let right = self.expr_type(e.rexpr.as_deref(), scope);
                    return Some(b("text")).filter(|_| {
                        left.is_some_and(|t| t.name == "text" && t.array_dims == 0)
                            && right.is_some_and(|t| t.array_dims == 0)
                    });
                }
                if !matches!(op.as_str(), "+" | "-" | "*" | "/") {
                    return None;
                }
                let l = self.expr_type(e.lexpr.as_deref(), scope)?;
                let r = self.expr_type(e.rexpr.as_deref(), scope)?;
                arithmetic_type(&l, &r)
            }
            NodeEnum::CoalesceExpr(c) => self.common(c.args.iter().map(Some), scope),
            NodeEnum::MinMaxExpr(m) => self.common(m.args.iter().map(Some), scope),
            NodeEnum::CaseExpr(c) => {
                let results = c.args.iter().map(|w| match w.node.as_ref() {
                    Some(NodeEnum::CaseWhen(cw)) => cw.result.as_deref(),
                    _ => None,
                });
                // Without ELSE the result may be NULL: an untyped branch.
                let null = pb::Node {
                    node: Some(NodeEnum::AConst(pb::AConst::default())),
                };
                let otherwise = c.defresult.as_deref().unwrap_or(&null);
                self.common(results.chain([Some(otherwise)]), scope)
            }
            NodeEnum::SqlvalueFunction(f) => {
                use pb::SqlValueFunctionOp as Op;
                Some(b(match Op::try_from(f.op).ok()? {
                    Op::SvfopCurrentDate => "date",
                    Op::SvfopCurrentTime | Op::SvfopCurrentTimeN => "timetz",
                    Op::SvfopCurrentTimestamp | Op::SvfopCurrentTimestampN => "timestamptz",
                    Op::SvfopLocaltime | Op::SvfopLocaltimeN => "time",
                    Op::SvfopLocaltimestamp | Op::SvfopLocaltimestampN => "timestamp",
                    _ => "name",
                }))
            }
            NodeEnum::FuncCall(f) => self.call_type(f, scope),
            _ => None,
        }
    }

    /// An input of CASE, COALESCE, NULLIF, ...: a literal without a type
    /// (`'x'`, `NULL`) takes the others'; `None` when the model cannot tell.
    fn input(&self, node: Option<&pb::Node>, scope: &[Item]) -> Option<Input> {
        if let Some(NodeEnum::AConst(c)) = node.and_then(|n| n.node.as_ref())
            && matches!(c.val, Some(a_const::Val::Sval(_)) | None)
        {
            return Some(Input::Unknown);
        }
        self.expr_type(node, scope).map(Input::Typed)
    }

    /// The common type of `inputs`; `None` when one of them has a type the
    /// model cannot tell.
    fn common<'n>(
        &self,
        inputs: impl Iterator<Item = Option<&'n pb::Node>>,
        scope: &[Item],
    ) -> Option<SqlType> {
        let inputs: Option<Vec<Input>> = inputs.map(|n| self.input(n, scope)).collect();
        common_type(&inputs?)
    }

    /// The base type under a domain (and a domain over a domain).
    fn through_domains(&self, mut t: SqlType) -> SqlType {
        // Bounded, though PostgreSQL allows no cycle of domains.
        for _ in 0..16 {
            let Some(schema) = &t.schema else {
                break;
            };
            let q = crate::model::schema::QualName::new(schema.clone(), t.name.clone());
            match self.schema.domains.get(&q) {
                Some(d) if t.array_dims == 0 => t = d.base.clone(),
                _ => break,
            }
        }
        t
    }

    /// Result types of aggregates and common functions that do not depend on
    /// overloads the model cannot see.
    fn call_type(&self, f: &pb::FuncCall, scope: &[Item]) -> Option<SqlType> {
        let names = strings(&f.funcname);
        if names.len() > 1 && names.first().map(String::as_str) != Some("pg_catalog") {
            return None;
        }
        let name = names.last()?.as_str();
        let b = |n: &str| Some(SqlType::builtin(n));
        let arg = |i: usize| self.expr_type(f.args.get(i), scope);
        match name {
            "count" => b("int8"),
            "row_number" | "rank" | "dense_rank" => b("int8"),
            "ntile" => b("int4"),
            "percent_rank" | "cume_dist" => b("float8"),
            // min and max have no varchar variant: varchar goes through text.
            // Their results, and the window functions' that return their
            // argument, have no modifier (numeric(10,2) gives numeric).
            // A domain's is its base type's (PostgreSQL resolves the call
            // on the base type); name and "char" go through text too, cidr
            // through inet.
            "min" | "max" => arg(0).map(|t| {
                let t = self.through_domains(t);
                let via = match t.name.as_str() {
                    "varchar" | "name" | "char" => Some("text"),
                    "cidr" => Some("inet"),
                    _ => None,
                };
                match via {
                    Some(via) if t.array_dims == 0 && t.schema.is_none() => SqlType::builtin(via),
                    _ => SqlType {
                        modifiers: Vec::new(),
                        ..t
                    },
                }
            }),
            "first_value" | "last_value" | "lag" | "lead" | "nth_value" => {
                arg(0).map(|t| SqlType {
                    modifiers: Vec::new(),
                    ..t
                })
            }
            "sum" => {
                let t = arg(0)?;
                match t.name.as_str() {
                    "int2" | "int4" => b("int8"),
                    "int8" | "numeric" => b("numeric"),
                    "float4" | "float8" | "interval" | "money" => Some(SqlType {
                        modifiers: Vec::new(),
                        ..t
                    }),
                    _ => None,
                }
            }
            "avg" => {
                let t = arg(0)?;
                match t.name.as_str() {
                    "int2" | "int4" | "int8" | "numeric" => b("numeric"),
                    "float4" | "float8" => b("float8"),
                    "interval" => Some(SqlType {
                        modifiers: Vec::new(),
                        ..t
                    }),
                    _ => None,
                }
            }
            "array_agg" => {
                let mut t = arg(0)?;
                (t.array_dims == 0).then(|| {
                    t.array_dims = 1;
                    t.modifiers.clear();
                    t
                })
            }
            // Overloaded on their argument: text's for strings, bytea's for
            // bytea (trims, string_agg), a range's element for lower and
            // upper, geometry's length: only the string case is followed.
            "string_agg" | "lower" | "upper" | "btrim" | "ltrim" | "rtrim" | "length" => {
                let t = self.through_domains(arg(0)?);
                let string = t.array_dims == 0
                    && t.schema.is_none()
                    && matches!(
                        t.name.as_str(),
                        "text" | "varchar" | "bpchar" | "name" | "char"
                    );
                let bytea = t.array_dims == 0 && t.schema.is_none() && t.name == "bytea";
                match name {
                    "length" if string || bytea => b("int4"),
                    "string_agg" | "btrim" | "ltrim" | "rtrim" if bytea => b("bytea"),
                    "length" => None,
                    _ if string => b("text"),
                    _ => None,
                }
            }
            "concat" | "concat_ws" | "md5" | "replace" | "initcap" | "left" | "right" | "lpad"
            | "rpad" | "repeat" | "reverse" | "to_char" | "format" => b("text"),
            "char_length" | "character_length" | "octet_length" | "strpos" => b("int4"),
            "bool_and" | "bool_or" | "every" => b("bool"),
            "now" | "transaction_timestamp" | "statement_timestamp" | "clock_timestamp" => {
                b("timestamptz")
            }
            "date_trunc" => {
                arg(1).filter(|t| matches!(t.name.as_str(), "timestamp" | "timestamptz"))
            }
            "json_agg" | "json_build_object" | "json_build_array" | "to_json"
            | "json_object_agg" => b("json"),
            "jsonb_agg" | "jsonb_build_object" | "jsonb_build_array" | "to_jsonb"
            | "jsonb_object_agg" => b("jsonb"),
            "gen_random_uuid" => b("uuid"),
            _ => None,
        }
    }

    /// A type as written in a cast, without reporting: built-ins and the user
    /// types the model knows.
    fn written_type(&self, tn: &pb::TypeName) -> Option<SqlType> {
        let (names, modifiers) = {
            let w = crate::lower::types::WrittenType::of(tn);
            (w.names, w.modifiers)
        };
        let array_dims = u32::try_from(tn.array_bounds.len()).ok()?;
        if let [one] = names.as_slice()
            && let Some(b) = types::resolve_builtin(one)
        {
            return Some(types::resolved_type(&b, modifiers, array_dims));
        }
        let q = self
            .resolve_list(&names, &self.schema.enums)
            .or_else(|| self.resolve_list(&names, &self.schema.domains))
            .or_else(|| self.resolve_list(&names, &self.schema.composites))
            .or_else(|| self.resolve_list(&names, &self.schema.other_types))?;
        Some(SqlType {
            schema: Some(q.schema),
            name: q.name,
            modifiers,
            array_dims,
        })
    }
}

/// The columns of a join with `USING (cols)` or `NATURAL`: the join
/// columns once (in `USING`'s order, or the left side's for `NATURAL`),
/// then the left side's others, then the right side's. A join column whose
/// sides' types differ has their common type, which is left unknown.
fn merged(
    left: Vec<OutColumn>,
    right: Vec<OutColumn>,
    using: &[String],
    natural: bool,
) -> Vec<OutColumn> {
    let names: Vec<String> = if natural {
        let mut names: Vec<String> = Vec::new();
        for c in &left {
            if right.iter().any(|r| r.name == c.name) && !names.contains(&c.name) {
                names.push(c.name.clone());
            }
        }
        names
    } else {
        using.to_vec()
    };
    let find = |side: &[OutColumn], n: &str| side.iter().find(|c| c.name == n).cloned();
    let joined = names.iter().map(|n| {
        let (l, r) = (find(&left, n), find(&right, n));
        OutColumn {
            name: n.clone(),
            ty: l
                .zip(r)
                .and_then(|(l, r)| (l.ty == r.ty).then_some(l.ty).flatten()),
        }
    });
    let rest = |side: Vec<OutColumn>| side.into_iter().filter(|c| !names.contains(&c.name));
    let out: Vec<OutColumn> = joined.collect();
    out.into_iter()
        .chain(rest(left))
        .chain(rest(right))
        .collect()
}

/// Column aliases (`AS t(a, b)`, `WITH c(a, b)`) rename the first columns.
fn rename(cols: &mut Option<Vec<OutColumn>>, aliases: &[String]) {
    if let Some(cols) = cols {
        for (c, a) in cols.iter_mut().zip(aliases) {
            c.name.clone_from(a);
        }
    }
}
