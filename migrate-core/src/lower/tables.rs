//! CREATE TABLE (and CREATE FOREIGN TABLE): columns, inline and table
//! constraints, LIKE, INHERITS, PARTITION OF / BY, OF type.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ConstrType, PartitionStrategy};

use super::colname::columns_read;
use super::constraints::{Constraint, ConstraintDef, constraint};
use super::types::WrittenType;
use super::{Change, RelName};
use crate::sql::parse::strings;

// libpg_query's TableLikeOption bits (CREATE TABLE ... (LIKE t INCLUDING ...)).
const LIKE_CONSTRAINTS: u32 = 1 << 2;
const LIKE_DEFAULTS: u32 = 1 << 3;
const LIKE_GENERATED: u32 = 1 << 4;
const LIKE_IDENTITY: u32 = 1 << 5;
const LIKE_INDEXES: u32 = 1 << 6;

/// `CREATE TABLE`.
#[derive(Debug)]
pub(crate) struct CreateTable<'a> {
    /// Its name (`TEMP`: in `pg_temp`).
    pub name: RelName<'a>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// `INHERITS (...)`, or the one parent of `PARTITION OF`.
    pub parents: Vec<RelName<'a>>,
    /// `PARTITION OF parent FOR VALUES ...`.
    pub partition_of: bool,
    /// `OF type`: the type's name as written, and where.
    pub of_type: Option<(Vec<String>, i32)>,
    /// Columns, table constraints and LIKE clauses, in order.
    pub elements: Vec<Element<'a>>,
    /// `PARTITION BY strategy (key)`.
    pub partition_by: Option<(&'static str, Vec<String>)>,
}

impl CreateTable<'_> {
    /// The relations it copies columns from: its parents, then LIKE's sources.
    pub(crate) fn copied(&self) -> impl Iterator<Item = &RelName<'_>> {
        self.parents
            .iter()
            .chain(self.elements.iter().filter_map(|e| match e {
                Element::Like(l) => l.relation.as_ref(),
                Element::Column(_) | Element::Constraint(_) => None,
            }))
    }
}

/// One element of CREATE TABLE's list.
#[derive(Debug)]
pub(crate) enum Element<'a> {
    /// A column.
    Column(ColumnDef<'a>),
    /// A table constraint.
    Constraint(Constraint<'a>),
    /// `LIKE source INCLUDING ...`.
    Like(Like<'a>),
}

/// `LIKE source [INCLUDING ...]`.
#[derive(Debug)]
pub(crate) struct Like<'a> {
    /// The table or view copied.
    pub relation: Option<RelName<'a>>,
    /// What is copied besides the columns and NOT NULL.
    pub options: LikeOptions,
}

/// LIKE's `INCLUDING` options the model follows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LikeOptions {
    /// `INCLUDING DEFAULTS`.
    pub defaults: bool,
    /// `INCLUDING GENERATED`.
    pub generated: bool,
    /// `INCLUDING IDENTITY`.
    pub identity: bool,
    /// `INCLUDING INDEXES`.
    pub indexes: bool,
    /// `INCLUDING CONSTRAINTS`.
    pub constraints: bool,
}

/// A column definition (CREATE TABLE, ALTER TABLE ... ADD COLUMN).
#[derive(Debug)]
pub(crate) struct ColumnDef<'a> {
    /// Its name.
    pub name: &'a str,
    /// Where it is written.
    pub at: i32,
    /// Its type (the parser always gives one).
    pub ty: Option<WrittenType>,
    /// NOT NULL folded into the definition by the parser.
    pub not_null: bool,
    /// A DEFAULT folded into the definition by the parser.
    pub has_default: bool,
    /// The function its DEFAULT calls at the top (`DEFAULT now()`), folded in
    /// or written as a constraint (the last one written counts).
    pub default_calls: Option<String>,
    /// Its constraints, in order.
    pub constraints: Vec<ColumnConstraint<'a>>,
}

impl ColumnDef<'_> {
    /// Has a DEFAULT, folded in or as a constraint.
    pub(crate) fn any_default(&self) -> bool {
        self.has_default
            || self
                .constraints
                .iter()
                .any(|c| matches!(c, ColumnConstraint::Default))
    }

    /// NOT NULL, folded in, as a constraint or through PRIMARY KEY.
    pub(crate) fn any_not_null(&self) -> bool {
        self.not_null
            || self.constraints.iter().any(|c| match c {
                ColumnConstraint::NotNull(_) => true,
                ColumnConstraint::Table(c) => matches!(c.kind, ConstraintDef::PrimaryKey),
                _ => false,
            })
    }

    /// Of a `serial` type: the sequence gives it a default.
    pub(crate) fn serial(&self) -> bool {
        self.ty
            .as_ref()
            .and_then(|t| t.names.last())
            .is_some_and(|n| n.ends_with("serial"))
    }
}

/// A constraint written on a column, as far as the column is concerned.
#[derive(Debug)]
pub(crate) enum ColumnConstraint<'a> {
    /// `NOT NULL`; named or `NO INHERIT`, a constraint of its own from
    /// PostgreSQL 18 on (only then built: most are neither).
    NotNull(Option<Constraint<'a>>),
    /// `NULL`.
    Null,
    /// `DEFAULT expr`.
    Default,
    /// `GENERATED ALWAYS | BY DEFAULT AS IDENTITY` (true: always), and the
    /// `SEQUENCE NAME` of its options, as written.
    Identity(bool, Option<Vec<String>>),
    /// `GENERATED ALWAYS AS (expr) STORED`: the columns it reads.
    Generated(Vec<String>),
    /// PRIMARY KEY, UNIQUE, REFERENCES, CHECK, EXCLUDE: a table constraint on
    /// this column.
    Table(Constraint<'a>),
}

/// Lowers CREATE TABLE; `None` without a name (the parser always gives one).
pub(crate) fn create_table(s: &pb::CreateStmt) -> Option<Change<'_>> {
    let rv = s.relation.as_ref()?;
    let parents = s
        .inh_relations
        .iter()
        .filter_map(|p| match &p.node {
            Some(NodeEnum::RangeVar(prv)) => Some(RelName::of(prv)),
            _ => None,
        })
        .collect();
    let elements = s
        .table_elts
        .iter()
        .filter_map(|e| match &e.node {
            Some(NodeEnum::ColumnDef(cd)) => Some(Element::Column(column_def(cd))),
            Some(NodeEnum::Constraint(c)) => Some(Element::Constraint(constraint(c))),
            Some(NodeEnum::TableLikeClause(like)) => Some(Element::Like(Like {
                relation: like.relation.as_ref().map(RelName::of),
                options: LikeOptions {
                    defaults: like.options & LIKE_DEFAULTS != 0,
                    generated: like.options & LIKE_GENERATED != 0,
                    identity: like.options & LIKE_IDENTITY != 0,
                    indexes: like.options & LIKE_INDEXES != 0,
                    constraints: like.options & LIKE_CONSTRAINTS != 0,
                },
            })),
            _ => None,
        })
        .collect();
    let partition_by = s.partspec.as_ref().map(|spec| {
        let key = spec
            .part_params
            .iter()
            .filter_map(|p| match &p.node {
                Some(NodeEnum::PartitionElem(e)) => Some(if e.name.is_empty() {
                    "(expr)".to_owned()
                } else {
                    e.name.clone()
                }),
                _ => None,
            })
            .collect();
        let strategy = match spec.strategy() {
            PartitionStrategy::List => "list",
            PartitionStrategy::Range => "range",
            PartitionStrategy::Hash => "hash",
            PartitionStrategy::Undefined => "unknown",
        };
        (strategy, key)
    });
    Some(Change::CreateTable(CreateTable {
        name: RelName::of(rv),
        if_not_exists: s.if_not_exists,
        parents,
        partition_of: s.partbound.is_some(),
        of_type: s
            .of_typename
            .as_ref()
            .map(|tn| (strings(&tn.names), tn.location)),
        elements,
        partition_by,
    }))
}

/// Lowers a column definition.
pub(crate) fn column_def(cd: &pb::ColumnDef) -> ColumnDef<'_> {
    let mut constraints: Vec<ColumnConstraint<'_>> = cd
        .constraints
        .iter()
        .filter_map(|c| {
            let Some(NodeEnum::Constraint(c)) = &c.node else {
                return None;
            };
            let on_column = || constraint(c).on_column(&cd.colname);
            match c.contype() {
                ConstrType::ConstrNotnull => Some(ColumnConstraint::NotNull(
                    (!c.conname.is_empty() || c.is_no_inherit).then(on_column),
                )),
                ConstrType::ConstrNull => Some(ColumnConstraint::Null),
                // `DEFAULT NULL` makes no default (AddRelationNewConstraints
                // stores none for a NULL constant).
                ConstrType::ConstrDefault if is_null(c.raw_expr.as_deref()) => None,
                ConstrType::ConstrDefault => Some(ColumnConstraint::Default),
                ConstrType::ConstrIdentity => Some(ColumnConstraint::Identity(
                    c.generated_when == "a",
                    sequence_name(&c.options),
                )),
                ConstrType::ConstrGenerated => {
                    let mut reads = Vec::new();
                    columns_read(c.raw_expr.as_deref(), &mut reads);
                    Some(ColumnConstraint::Generated(reads))
                }
                ConstrType::ConstrPrimary
                | ConstrType::ConstrUnique
                | ConstrType::ConstrForeign
                | ConstrType::ConstrCheck
                | ConstrType::ConstrExclusion => Some(ColumnConstraint::Table(on_column())),
                ConstrType::Undefined
                | ConstrType::ConstrAttrDeferrable
                | ConstrType::ConstrAttrNotDeferrable
                | ConstrType::ConstrAttrDeferred
                | ConstrType::ConstrAttrImmediate
                | ConstrType::ConstrAttrEnforced
                | ConstrType::ConstrAttrNotEnforced => None,
            }
        })
        .collect();
    // A column's DEFERRABLE (and the like) is a node of its own after the
    // constraint it qualifies: that constraint's index is not plain.
    let qualified = cd.constraints.iter().any(|c| {
        matches!(&c.node, Some(NodeEnum::Constraint(k)) if matches!(
            k.contype(),
            ConstrType::ConstrAttrDeferrable | ConstrType::ConstrAttrDeferred
        ))
    });
    if qualified {
        for c in &mut constraints {
            if let ColumnConstraint::Table(k) = c {
                k.plain_index = false;
            }
        }
    }
    let default_calls = cd
        .constraints
        .iter()
        .rev()
        .find_map(|c| match &c.node {
            Some(NodeEnum::Constraint(c)) if c.contype() == ConstrType::ConstrDefault => {
                Some(c.raw_expr.as_deref())
            }
            _ => None,
        })
        .unwrap_or(cd.raw_default.as_deref())
        .and_then(top_call);
    ColumnDef {
        name: &cd.colname,
        at: cd.location,
        ty: cd.type_name.as_ref().map(WrittenType::of),
        not_null: cd.is_not_null,
        has_default: cd.raw_default.is_some() && !is_null(cd.raw_default.as_deref()),
        default_calls,
        constraints,
    }
}

/// The function an expression calls at its top, without its schema.
fn top_call(expr: &pb::Node) -> Option<String> {
    match expr.node.as_ref()? {
        NodeEnum::FuncCall(f) => strings(&f.funcname).pop(),
        _ => None,
    }
}

/// A NULL constant, cast or not (`NULL`, `NULL::int`).
fn is_null(expr: Option<&pb::Node>) -> bool {
    match expr.and_then(|e| e.node.as_ref()) {
        Some(NodeEnum::AConst(c)) => c.isnull,
        Some(NodeEnum::TypeCast(t)) => is_null(t.arg.as_deref()),
        _ => false,
    }
}

/// The `SEQUENCE NAME` of an identity's sequence options, as written.
pub(crate) fn sequence_name(options: &[pb::Node]) -> Option<Vec<String>> {
    options.iter().find_map(|o| match &o.node {
        Some(NodeEnum::DefElem(d)) if d.defname == "sequence_name" => {
            match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                Some(NodeEnum::List(l)) => Some(strings(&l.items)),
                _ => None,
            }
        }
        _ => None,
    })
}
