//! Constraints, written on a column or on the table (CREATE TABLE, ALTER TABLE
//! ... ADD).

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ConstrType};

use super::RelName;
use super::colname::{columns_read, distinct_names, index_column_name};
use crate::sql::parse::strings;

/// A constraint as written.
#[derive(Debug, Clone)]
pub(crate) struct Constraint<'a> {
    /// The name written; `None`: PostgreSQL chooses one.
    pub name: Option<&'a str>,
    /// Where it is written.
    pub at: i32,
    /// `USING INDEX idx`: an existing index becomes the constraint's.
    pub index: Option<&'a str>,
    /// The key columns (PRIMARY KEY, UNIQUE, NOT NULL; the column it is written
    /// on for a column constraint).
    pub keys: Vec<String>,
    /// The columns of `INCLUDE (...)` (PRIMARY KEY, UNIQUE, EXCLUDE): they are
    /// columns of the index and in its implicit name.
    pub including: Vec<String>,
    /// `NOT VALID`: existing rows are not checked (foreign keys and checks).
    pub not_valid: bool,
    /// Which constraint.
    pub kind: ConstraintDef<'a>,
    /// A primary key or unique constraint whose index is a plain one on its
    /// keys: no INCLUDE, WITH, tablespace, NULLS NOT DISTINCT, DEFERRABLE,
    /// USING INDEX. Two such on the same keys in one statement are one index
    /// (transformIndexConstraints).
    pub plain_index: bool,
}

/// The kinds of constraint and what each one names.
#[derive(Debug, Clone)]
pub(crate) enum ConstraintDef<'a> {
    /// `PRIMARY KEY`.
    PrimaryKey,
    /// `UNIQUE`.
    Unique,
    /// `FOREIGN KEY (columns) REFERENCES table (ref_columns)`.
    ForeignKey {
        /// The referencing columns.
        columns: Vec<String>,
        /// The referenced table (the parser always gives one).
        references: Option<RelName<'a>>,
        /// The referenced columns; empty: its primary key.
        ref_columns: Vec<String>,
    },
    /// `CHECK (expr)`.
    Check {
        /// The columns the expression reads.
        reads: Vec<String>,
        /// `NO INHERIT`: it stays off the partitions and children.
        no_inherit: bool,
        /// The column of a `CHECK (column IS NOT NULL)`: once validated,
        /// PostgreSQL 12+ sets the column NOT NULL without a scan.
        not_null_of: Option<String>,
    },
    /// `EXCLUDE USING ... (element WITH op, ...)`.
    Exclusion {
        /// The columns its elements name or read.
        columns: Vec<String>,
        /// Each element's and INCLUDE column's part of the implicit name:
        /// the column, or an expression's FigureColname, numbered when
        /// repeated (ChooseIndexColumnNames).
        name_parts: Vec<String>,
        /// Has a `WHERE` clause.
        partial: bool,
    },
    /// `NOT NULL` (a named constraint from PostgreSQL 18 on).
    NotNull {
        /// `NO INHERIT` (PostgreSQL 18): it stays off the children.
        no_inherit: bool,
    },
    /// What the model keeps nothing of: NULL, DEFAULT, identity, generation,
    /// DEFERRABLE and the other attributes.
    Other,
}

/// Lowers a constraint node.
pub(crate) fn constraint(c: &pb::Constraint) -> Constraint<'_> {
    let kind = match c.contype() {
        ConstrType::ConstrPrimary => ConstraintDef::PrimaryKey,
        ConstrType::ConstrUnique => ConstraintDef::Unique,
        ConstrType::ConstrForeign => ConstraintDef::ForeignKey {
            columns: strings(&c.fk_attrs),
            references: c.pktable.as_ref().map(RelName::of),
            ref_columns: strings(&c.pk_attrs),
        },
        ConstrType::ConstrCheck => {
            let mut reads = Vec::new();
            columns_read(c.raw_expr.as_deref(), &mut reads);
            ConstraintDef::Check {
                reads,
                no_inherit: c.is_no_inherit,
                not_null_of: not_null_of(c.raw_expr.as_deref()),
            }
        }
        ConstrType::ConstrExclusion => {
            let mut columns = Vec::new();
            let mut name_parts = Vec::new();
            for e in &c.exclusions {
                if let Some(NodeEnum::List(l)) = &e.node
                    && let Some(NodeEnum::IndexElem(ie)) =
                        l.items.first().and_then(|n| n.node.as_ref())
                {
                    name_parts.push(index_column_name(ie));
                    if ie.name.is_empty() {
                        columns_read(ie.expr.as_deref(), &mut columns);
                    } else {
                        columns.push(ie.name.clone());
                    }
                }
            }
            name_parts.extend(strings(&c.including));
            ConstraintDef::Exclusion {
                columns,
                name_parts: distinct_names(name_parts),
                partial: c.where_clause.is_some(),
            }
        }
        ConstrType::ConstrNotnull => ConstraintDef::NotNull {
            no_inherit: c.is_no_inherit,
        },
        ConstrType::Undefined
        | ConstrType::ConstrNull
        | ConstrType::ConstrDefault
        | ConstrType::ConstrIdentity
        | ConstrType::ConstrGenerated
        | ConstrType::ConstrAttrDeferrable
        | ConstrType::ConstrAttrNotDeferrable
        | ConstrType::ConstrAttrDeferred
        | ConstrType::ConstrAttrImmediate
        | ConstrType::ConstrAttrEnforced
        | ConstrType::ConstrAttrNotEnforced => ConstraintDef::Other,
    };
    Constraint {
        name: (!c.conname.is_empty()).then_some(c.conname.as_str()),
        at: c.location,
        index: (!c.indexname.is_empty()).then_some(c.indexname.as_str()),
        keys: strings(&c.keys),
        including: strings(&c.including),
        not_valid: c.skip_validation,
        kind,
        plain_index: !c.deferrable
            && !c.initdeferred
            && !c.nulls_not_distinct
            && c.including.is_empty()
            && c.options.is_empty()
            && c.indexspace.is_empty()
            && c.indexname.is_empty()
            && c.where_clause.is_none(),
    }
}

/// The column `expr` says IS NOT NULL, when that is all it says.
fn not_null_of(expr: Option<&pb::Node>) -> Option<String> {
    match expr?.node.as_ref()? {
        NodeEnum::NullTest(nt) if nt.nulltesttype() == pb::NullTestType::IsNotNull => {
            match nt.arg.as_ref()?.node.as_ref()? {
                NodeEnum::ColumnRef(cr) => strings(&cr.fields).last().cloned(),
                _ => None,
            }
        }
        _ => None,
    }
}

impl Constraint<'_> {
    /// A constraint written on `column`: that column is its key (the
    /// referencing column of a foreign key); a check names its columns itself.
    pub(crate) fn on_column(mut self, column: &str) -> Self {
        match &mut self.kind {
            ConstraintDef::ForeignKey { columns, .. } => {
                if columns.is_empty() {
                    columns.push(column.to_owned());
                }
            }
            ConstraintDef::Check { .. } => {}
            _ => {
                if self.keys.is_empty() {
                    self.keys.push(column.to_owned());
                }
            }
        }
        self
    }
}
