//! CREATE INDEX.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use super::colname::{columns_read, index_elem_names, index_elems};
use super::{Change, RelName, spelling};
use crate::sql::parse::strings;

/// `CREATE [UNIQUE] INDEX [name] ON table (...)`.
#[derive(Debug)]
pub(crate) struct CreateIndex<'a> {
    /// The table (or materialized view) indexed.
    pub table: RelName<'a>,
    /// The name written; `None`: PostgreSQL chooses one from the table, the
    /// index's column names and [`label`](Self::label).
    pub name: Option<&'a str>,
    /// ChooseIndexName's label: `pkey`, `key` only for a constraint's index,
    /// `idx` otherwise (a plain CREATE UNIQUE INDEX too).
    pub label: &'static str,
    /// The key columns; an expression is `(expr)`.
    pub columns: Vec<String>,
    /// The names of the index's own columns, keys then INCLUDE
    /// ([`index_elem_names`]).
    pub names: Vec<String>,
    /// The table columns named as keys or in INCLUDE, in order: each must exist.
    pub named: Vec<&'a str>,
    /// Every column the index reads (keys, expressions, INCLUDE, WHERE).
    pub uses: Vec<String>,
    /// `UNIQUE`.
    pub unique: bool,
    /// Has a `WHERE` clause.
    pub partial: bool,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `CONCURRENTLY`: writes go on while it builds.
    pub concurrent: bool,
    /// The definition in PostgreSQL's spelling ([`index_definition`]).
    pub definition: String,
}

/// The column an index element is: its name, or a parenthesised column
/// `((id))`, which PostgreSQL stores as that column, not an expression.
fn element_column(e: &pb::IndexElem) -> Option<&str> {
    if !e.name.is_empty() {
        return Some(&e.name);
    }
    match e.expr.as_deref().and_then(|x| x.node.as_ref()) {
        Some(NodeEnum::ColumnRef(c)) => match c.fields.as_slice() {
            [f] => match f.node.as_ref() {
                Some(NodeEnum::String(s)) => Some(&s.sval),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// An index element as PostgreSQL stores it (see `spelling`): its
/// expression in the one spelling, and a column when that is all it is
/// (`((id::int4))`, `(tx COLLATE "C")` with the collation).
fn stored_element(e: &mut pb::IndexElem) {
    if let Some(expr) = e.expr.as_deref_mut() {
        spelling::canonical_index(expr);
    }
    if let Some(NodeEnum::CollateClause(c)) = e.expr.as_deref().and_then(|x| x.node.as_ref())
        && e.collation.is_empty()
        && let Some(arg) = c.arg.as_deref()
        && matches!(arg.node.as_ref(), Some(NodeEnum::ColumnRef(_)))
    {
        e.collation = c.collname.clone();
        e.expr = Some(Box::new(arg.clone()));
    }
    if let Some(c) = element_column(e).map(str::to_owned) {
        e.name = c;
        e.expr = None;
    }
}

/// Lowers CREATE INDEX; `None` without a relation (the parser always gives one).
pub(crate) fn create_index(s: &pb::IndexStmt) -> Option<Change<'_>> {
    let rv = s.relation.as_ref()?;
    // Every column of the index: keys, then INCLUDE.
    let all = || index_elems(&s.index_params).chain(index_elems(&s.index_including_params));
    let mut named = Vec::new();
    let mut uses = Vec::new();
    for e in all() {
        match element_column(e) {
            Some(c) => {
                named.push(c);
                if !uses.iter().any(|u| u == c) {
                    uses.push(c.to_owned());
                }
            }
            None => columns_read(e.expr.as_deref(), &mut uses),
        }
    }
    // The key columns as stored: `((id::int4))` is the column id.
    let stored = stored_index(s);
    let columns = index_elems(&stored.index_params)
        .map(|e| element_column(e).unwrap_or("(expr)").to_owned())
        .collect();
    let names = index_elem_names(all());
    columns_read(s.where_clause.as_deref(), &mut uses);
    let label = if s.primary {
        "pkey"
    } else if s.isconstraint {
        "key"
    } else {
        "idx"
    };
    Some(Change::CreateIndex(CreateIndex {
        table: RelName::of(rv),
        name: (!s.idxname.is_empty()).then_some(s.idxname.as_str()),
        label,
        columns,
        names,
        named,
        uses,
        unique: s.unique,
        partial: s.where_clause.is_some(),
        if_not_exists: s.if_not_exists,
        concurrent: s.concurrent,
        definition: printed(stored),
    }))
}

/// The index in PostgreSQL's own spelling, without what may differ between two
/// statements that build the same index (its name, schema, CONCURRENTLY, IF NOT
/// EXISTS, source positions).
pub(crate) fn index_definition(s: &pb::IndexStmt) -> String {
    printed(stored_index(s))
}

/// The statement as PostgreSQL stores the index (see [`index_definition`]).
fn stored_index(s: &pb::IndexStmt) -> pb::IndexStmt {
    let mut ix = s.clone();
    ix.idxname.clear();
    ix.concurrent = false;
    ix.if_not_exists = false;
    if ix.access_method.is_empty() {
        ix.access_method = "btree".to_owned();
    }
    // ASC, NULLS LAST after ASC and NULLS FIRST after DESC are the defaults.
    for p in &mut ix.index_params {
        if let Some(NodeEnum::IndexElem(e)) = p.node.as_mut() {
            use pb::{SortByDir as D, SortByNulls as N};
            let dir = D::try_from(e.ordering).unwrap_or(D::SortbyDefault);
            let nulls = N::try_from(e.nulls_ordering).unwrap_or(N::SortbyNullsDefault);
            let dir = if dir == D::SortbyAsc {
                D::SortbyDefault
            } else {
                dir
            };
            let nulls = match (dir, nulls) {
                (D::SortbyDefault, N::SortbyNullsLast) | (D::SortbyDesc, N::SortbyNullsFirst) => {
                    N::SortbyNullsDefault
                }
                (_, n) => n,
            };
            e.ordering = dir as i32;
            e.nulls_ordering = nulls as i32;
            stored_element(e);
            if e.opclassopts.is_empty() && spelling::is_default_opclass(&strings(&e.opclass)) {
                e.opclass.clear();
            }
            if matches!(strings(&e.collation).as_slice(), [d] | [_, d] if d == "default") {
                e.collation.clear();
            }
        }
    }
    if let Some(w) = ix.where_clause.as_deref_mut() {
        spelling::canonical_index(w);
    }
    if let Some(rv) = ix.relation.as_mut() {
        rv.schemaname.clear();
        rv.relname = "t".to_owned();
        rv.location = 0;
        // `ON ONLY t` (pg_dump's) is `ON t` but on a partitioned table,
        // where it builds the parent's index alone: taken as one here.
        rv.inh = true;
    }
    ix
}

/// A stored index statement printed back.
fn printed(ix: pb::IndexStmt) -> String {
    let tree = pb::ParseResult {
        version: 0,
        stmts: vec![pb::RawStmt {
            stmt: Some(Box::new(pb::Node {
                node: Some(NodeEnum::IndexStmt(Box::new(ix))),
            })),
            stmt_location: 0,
            stmt_len: 0,
        }],
    };
    // A tree libpg_query cannot print back is compared by its debug form.
    pg_query::deparse(&tree, pg_query::DeparseOptions::default())
        .unwrap_or_else(|_| format!("{:?}", tree.stmts))
}

/// `definition` (an [`index_definition`]) with the table column `old` renamed
/// to `new`, as pg_get_indexdef would print it after `ALTER TABLE ... RENAME
/// COLUMN` (PostgreSQL keeps columns by number). Done on the scanner's tokens,
/// so that only identifiers standing for a column change: not the access
/// method (`USING btree`), the table placeholder (`ON t`), a type after `::`,
/// a collation, a function name, a field (`(c).a`), an operator class (the
/// word after an element), a storage parameter (`WITH (fillfactor=70)`) or a
/// string literal. The result is parsed and printed again, so its quoting is
/// the deparser's. A definition that does not scan (a tree libpg_query could
/// not print, kept in its debug form) is left as it is.
pub(crate) fn rename_column_in_definition(definition: &str, old: &str, new: &str) -> String {
    let Some(tokens) = crate::sql::parse::scan(definition) else {
        return definition.to_owned();
    };
    let tokens: Vec<(usize, usize)> = tokens
        .iter()
        .filter(|t| !t.comment)
        .map(|t| (t.start(), t.end()))
        .collect();
    let text = |i: usize| tokens.get(i).and_then(|&(a, b)| definition.get(a..b));
    // The deparser prints keywords in capitals and names in lower case or
    // quoted: a bare token can be `old` only when `old` has no capitals.
    let quoted = format!("\"{}\"", old.replace('"', "\"\""));
    let is_old = |s: &str| s == quoted || (s == old && !old.chars().any(char::is_uppercase));
    let is_name = |s: &str| {
        s.starts_with('"')
            || s.chars()
                .next()
                .is_some_and(|c| c.is_lowercase() || c == '_')
    };
    let mut out = String::with_capacity(definition.len() + new.len());
    let mut copied = 0;
    let (mut depth, mut in_with) = (0usize, 0usize);
    for (i, &(start, end)) in tokens.iter().enumerate() {
        let Some(tok) = text(i) else { continue };
        let prev = i.checked_sub(1).and_then(text);
        let next = text(i + 1);
        match tok {
            "(" => {
                depth += 1;
                if prev == Some("WITH") {
                    in_with = depth;
                }
            }
            ")" => {
                if in_with == depth {
                    in_with = 0;
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        let column = is_old(tok)
            && in_with == 0
            && !matches!(prev, Some("ON" | "USING" | "::" | "COLLATE" | "."))
            && !matches!(next, Some("(" | "."))
            && !prev.is_some_and(|p| p == ")" || is_name(p));
        if column {
            out.push_str(&definition[copied..start]);
            out.push('"');
            out.push_str(&new.replace('"', "\"\""));
            out.push('"');
            copied = end;
        }
    }
    if copied == 0 {
        return definition.to_owned();
    }
    out.push_str(&definition[copied..]);
    // Printed again: the new name quoted only where the deparser quotes it.
    match crate::sql::parse::parse("", &out).as_deref() {
        Ok(
            [
                crate::sql::parse::Statement {
                    node: NodeEnum::IndexStmt(ix),
                    ..
                },
            ],
        ) => index_definition(ix),
        _ => out,
    }
}
