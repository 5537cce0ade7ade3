//! Views, materialized views, CREATE TABLE AS and SELECT INTO: relations whose
//! columns come from a query.

use std::borrow::Cow;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ObjectType};

use super::{Change, RelName};
use crate::sql::parse::strings;

/// A relation made from a query.
#[derive(Debug)]
pub(crate) struct CreateDerived<'a> {
    /// Its name.
    pub name: RelName<'a>,
    /// Which statement makes it.
    pub how: Derived,
    /// The query, typed against the model when applied. SELECT INTO's is the
    /// statement without its INTO.
    pub query: Option<Cow<'a, pb::Node>>,
    /// The column names written (`CREATE VIEW v (a, b)`, `AS t(a, b)`).
    pub columns: Vec<String>,
}

/// The statements that make a relation from a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Derived {
    /// `CREATE [OR REPLACE] VIEW`.
    View {
        /// `OR REPLACE`.
        replace: bool,
    },
    /// `CREATE TABLE ... AS` / `CREATE MATERIALIZED VIEW`.
    TableAs {
        /// `MATERIALIZED VIEW`.
        materialized: bool,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
    },
    /// `SELECT ... INTO new_table`.
    SelectInto,
}

/// Lowers CREATE VIEW; `None` without a name (the parser always gives one).
pub(crate) fn create_view(s: &pb::ViewStmt) -> Option<Change<'_>> {
    Some(Change::CreateDerived(Box::new(CreateDerived {
        name: RelName::of(s.view.as_ref()?),
        how: Derived::View { replace: s.replace },
        query: s.query.as_deref().map(Cow::Borrowed),
        columns: strings(&s.aliases),
    })))
}

/// Lowers CREATE TABLE AS / CREATE MATERIALIZED VIEW.
pub(crate) fn create_table_as(s: &pb::CreateTableAsStmt) -> Option<Change<'_>> {
    let into = s.into.as_ref()?;
    Some(Change::CreateDerived(Box::new(CreateDerived {
        name: RelName::of(into.rel.as_ref()?),
        how: Derived::TableAs {
            materialized: s.objtype() == ObjectType::ObjectMatview,
            if_not_exists: s.if_not_exists,
        },
        query: s.query.as_deref().map(Cow::Borrowed),
        columns: strings(&into.col_names),
    })))
}

/// Lowers `SELECT ... INTO new_table FROM ...`: CREATE TABLE AS by another name.
pub(crate) fn select_into(s: &pb::SelectStmt) -> Option<Change<'_>> {
    let into = s.into_clause.as_ref()?;
    let rv = into.rel.as_ref()?;
    let mut query = s.clone();
    query.into_clause = None;
    Some(Change::CreateDerived(Box::new(CreateDerived {
        name: RelName::of(rv),
        how: Derived::SelectInto,
        query: Some(Cow::Owned(pb::Node {
            node: Some(NodeEnum::SelectStmt(Box::new(query))),
        })),
        columns: strings(&into.col_names),
    })))
}
