//! CREATE INDEX.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use super::colname::{columns_read, index_column_name};
use super::{Change, RelName};

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
    /// The names of the index's own columns.
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

/// Lowers CREATE INDEX; `None` without a relation (the parser always gives one).
pub(crate) fn create_index(s: &pb::IndexStmt) -> Option<Change<'_>> {
    let rv = s.relation.as_ref()?;
    let mut named = Vec::new();
    let mut uses = Vec::new();
    for p in s.index_params.iter().chain(&s.index_including_params) {
        let Some(NodeEnum::IndexElem(e)) = &p.node else {
            continue;
        };
        if e.name.is_empty() {
            columns_read(e.expr.as_deref(), &mut uses);
        } else {
            named.push(e.name.as_str());
            if !uses.contains(&e.name) {
                uses.push(e.name.clone());
            }
        }
    }
    let mut columns = Vec::new();
    let mut names = Vec::new();
    for p in &s.index_params {
        if let Some(NodeEnum::IndexElem(e)) = &p.node {
            columns.push(if e.name.is_empty() {
                "(expr)".to_owned()
            } else {
                e.name.clone()
            });
            names.push(index_column_name(e));
        }
    }
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
        definition: index_definition(s),
    }))
}

/// The index in PostgreSQL's own spelling, without what may differ between two
/// statements that build the same index (its name, schema, CONCURRENTLY, IF NOT
/// EXISTS, source positions).
pub(crate) fn index_definition(s: &pb::IndexStmt) -> String {
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
        }
    }
    if let Some(rv) = ix.relation.as_mut() {
        rv.schemaname.clear();
        rv.relname = "t".to_owned();
        rv.location = 0;
    }
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
