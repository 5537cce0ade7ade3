//! Types and domains: CREATE TYPE (enum, composite, range, base and shell),
//! ALTER TYPE ... ADD / RENAME VALUE, CREATE and ALTER DOMAIN, and types as
//! columns and casts write them.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ConstrType, a_const};

use super::{Change, RelName};
use crate::sql::parse::strings;

/// A type as written (`varchar(40)`, `public.mood[]`): resolved when applied.
#[derive(Debug, Clone)]
pub(crate) struct WrittenType {
    /// Its name, without `pg_catalog.`.
    pub names: Vec<String>,
    /// Its integer modifiers (`varchar(40)`, `numeric(10,2)`).
    pub modifiers: Vec<i64>,
    /// Whether array bounds follow it: 1 for `int[]` and `int[][]` alike,
    /// which are one type to PostgreSQL (it keeps the number of dimensions
    /// written, `attndims`, but never enforces it; pg_dump prints `int[]`).
    pub array_bounds: usize,
    /// `table.column%TYPE`: the model does not derive it.
    pub pct_type: bool,
    /// Where it is written.
    pub at: i32,
}

impl WrittenType {
    /// The type a `TypeName` writes.
    pub(crate) fn of(tn: &pb::TypeName) -> Self {
        let mut names = strings(&tn.names);
        if names.len() > 1 && names.first().map(String::as_str) == Some("pg_catalog") {
            names.remove(0);
        }
        let modifiers = tn
            .typmods
            .iter()
            .filter_map(|m| match &m.node {
                Some(NodeEnum::AConst(c)) => match &c.val {
                    Some(a_const::Val::Ival(i)) => Some(i64::from(i.ival)),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        WrittenType {
            names,
            modifiers,
            array_bounds: tn.array_bounds.len().min(1),
            pct_type: tn.pct_type,
            at: tn.location,
        }
    }
}

/// `CREATE TYPE name AS ENUM (...)`.
#[derive(Debug)]
pub(crate) struct CreateEnum {
    /// The type's name as written.
    pub names: Vec<String>,
    /// Its labels, in order.
    pub labels: Vec<String>,
}

/// `ALTER TYPE name ADD VALUE` / `RENAME VALUE`.
#[derive(Debug)]
pub(crate) struct AlterEnum<'a> {
    /// The type's name as written.
    pub names: Vec<String>,
    /// What changes.
    pub action: EnumAction<'a>,
}

/// What ALTER TYPE does to an enum's labels.
#[derive(Debug)]
pub(crate) enum EnumAction<'a> {
    /// `RENAME VALUE old TO new`.
    Rename {
        /// The label renamed.
        old: &'a str,
        /// Its new text.
        new: &'a str,
    },
    /// `ADD VALUE [IF NOT EXISTS] label [BEFORE | AFTER neighbour]`.
    Add {
        /// The new label.
        label: &'a str,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
        /// `BEFORE` / `AFTER` which label (true: after); `None`: at the end.
        neighbour: Option<(&'a str, bool)>,
    },
}

/// `CREATE DOMAIN name AS type [NOT NULL] ...`.
#[derive(Debug)]
pub(crate) struct CreateDomain {
    /// The domain's name as written.
    pub names: Vec<String>,
    /// The base type.
    pub base: WrittenType,
    /// Has a NOT NULL constraint.
    pub not_null: bool,
}

/// `ALTER DOMAIN name ...`, the commands that change what its columns allow.
#[derive(Debug)]
pub(crate) struct AlterDomain {
    /// The domain's name as written.
    pub names: Vec<String>,
    /// What changes.
    pub action: DomainAction,
}

/// What ALTER DOMAIN changes that the model keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DomainAction {
    /// `SET NOT NULL` or `ADD [CONSTRAINT c] NOT NULL` (true), `DROP NOT NULL` (false).
    NotNull(bool),
    /// `DROP CONSTRAINT c`: it may be the domain's NOT NULL.
    DropConstraint,
}

/// `CREATE TYPE name AS (column type, ...)`.
#[derive(Debug)]
pub(crate) struct CreateComposite<'a> {
    /// The type's name.
    pub name: RelName<'a>,
    /// Its attributes: name and type.
    pub columns: Vec<(&'a str, WrittenType)>,
}

/// `CREATE TYPE name (...)`, a shell `CREATE TYPE name`, `AS RANGE`.
#[derive(Debug)]
pub(crate) struct CreateOtherType {
    /// The type's name as written.
    pub names: Vec<String>,
    /// `AS RANGE`: brings its multirange.
    pub range: bool,
    /// `multirange_type_name = ...` of a range, as written.
    pub multirange: Option<Vec<String>>,
    /// `subtype = ...` of a range, as written.
    pub subtype: Option<Vec<String>>,
}

/// Lowers `CREATE TYPE ... AS ENUM`.
pub(crate) fn create_enum(s: &pb::CreateEnumStmt) -> Change<'_> {
    Change::CreateEnum(CreateEnum {
        names: strings(&s.type_name),
        labels: strings(&s.vals),
    })
}

/// Lowers `ALTER TYPE ... ADD VALUE` / `RENAME VALUE`.
pub(crate) fn alter_enum(s: &pb::AlterEnumStmt) -> Change<'_> {
    let action = if s.old_val.is_empty() {
        EnumAction::Add {
            label: &s.new_val,
            if_not_exists: s.skip_if_new_val_exists,
            neighbour: (!s.new_val_neighbor.is_empty())
                .then_some((s.new_val_neighbor.as_str(), s.new_val_is_after)),
        }
    } else {
        EnumAction::Rename {
            old: &s.old_val,
            new: &s.new_val,
        }
    };
    Change::AlterEnum(AlterEnum {
        names: strings(&s.type_name),
        action,
    })
}

fn is_not_null(node: Option<&pb::Node>) -> bool {
    matches!(node.and_then(|n| n.node.as_ref()),
        Some(NodeEnum::Constraint(c)) if c.contype() == ConstrType::ConstrNotnull)
}

/// Lowers `CREATE DOMAIN`; `None` without a base type (the parser always gives one).
pub(crate) fn create_domain(s: &pb::CreateDomainStmt) -> Option<Change<'_>> {
    Some(Change::CreateDomain(CreateDomain {
        names: strings(&s.domainname),
        base: WrittenType::of(s.type_name.as_ref()?),
        not_null: s.constraints.iter().any(|c| is_not_null(Some(c))),
    }))
}

/// Lowers `ALTER DOMAIN`; `None` for the commands the model keeps nothing of
/// (defaults, checks added, VALIDATE).
pub(crate) fn alter_domain(s: &pb::AlterDomainStmt) -> Option<Change<'_>> {
    let action = match s.subtype.as_str() {
        "O" => DomainAction::NotNull(true),
        "N" => DomainAction::NotNull(false),
        "C" if is_not_null(s.def.as_deref()) => DomainAction::NotNull(true),
        "X" => DomainAction::DropConstraint,
        _ => return None,
    };
    Some(Change::AlterDomain(AlterDomain {
        names: strings(&s.type_name),
        action,
    }))
}

/// Lowers `CREATE TYPE ... AS (...)`; attributes without a type are skipped.
pub(crate) fn create_composite(s: &pb::CompositeTypeStmt) -> Option<Change<'_>> {
    let rv = s.typevar.as_ref()?;
    let columns = s
        .coldeflist
        .iter()
        .filter_map(|c| match &c.node {
            Some(NodeEnum::ColumnDef(cd)) => cd
                .type_name
                .as_ref()
                .map(|tn| (cd.colname.as_str(), WrittenType::of(tn))),
            _ => None,
        })
        .collect();
    Some(Change::CreateComposite(CreateComposite {
        name: RelName::of(rv),
        columns,
    }))
}

/// Lowers `CREATE TYPE name (...)` (a base or shell type); `None` for the other
/// objects DefineStmt creates (aggregates, operators, collations ...).
pub(crate) fn define(s: &pb::DefineStmt) -> Option<Change<'_>> {
    (s.kind() == pb::ObjectType::ObjectType).then(|| {
        Change::CreateOtherType(CreateOtherType {
            names: strings(&s.defnames),
            range: false,
            multirange: None,
            subtype: None,
        })
    })
}

/// Lowers `CREATE TYPE ... AS RANGE`.
pub(crate) fn create_range(s: &pb::CreateRangeStmt) -> Change<'_> {
    let option = |name: &str| {
        s.params.iter().find_map(|p| match &p.node {
            Some(NodeEnum::DefElem(d)) if d.defname == name => {
                match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                    Some(NodeEnum::TypeName(t)) => Some(strings(&t.names)),
                    Some(NodeEnum::String(n)) => Some(vec![n.sval.clone()]),
                    _ => None,
                }
            }
            _ => None,
        })
    };
    Change::CreateOtherType(CreateOtherType {
        names: strings(&s.type_name),
        range: true,
        multirange: option("multirange_type_name"),
        subtype: option("subtype"),
    })
}
