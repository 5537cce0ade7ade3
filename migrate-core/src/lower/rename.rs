//! Renames and moves: RENAME and SET SCHEMA of every object the model keeps.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, ObjectType};

use super::{Change, RelName};
use crate::sql::parse::strings;

/// `ALTER kind name RENAME [sub] TO new`.
#[derive(Debug)]
pub(crate) struct Rename<'a> {
    /// The kind of object the statement says (ALTER TABLE also renames views,
    /// sequences and indexes: the model decides what the name is).
    pub target: Target,
    /// The relation named (a relation, or the one a column, constraint or
    /// trigger belongs to).
    pub relation: Option<RelName<'a>>,
    /// A type's or domain's name as written.
    pub object: Vec<String>,
    /// A function's or procedure's name as written.
    pub function: Option<Vec<String>>,
    /// Its argument types as written, when the statement gives them.
    pub function_args: Option<Vec<super::types::WrittenType>>,
    /// The column, constraint, attribute, trigger or schema renamed.
    pub subname: &'a str,
    /// The new name.
    pub newname: &'a str,
    /// `IF EXISTS`.
    pub missing_ok: bool,
}

/// `ALTER kind name SET SCHEMA new`.
#[derive(Debug)]
pub(crate) struct SetSchema<'a> {
    /// The kind of object the statement says.
    pub target: Target,
    /// The relation moved.
    pub relation: Option<RelName<'a>>,
    /// A type's, domain's, function's or procedure's name as written.
    pub object: Vec<String>,
    /// The schema it moves to.
    pub new_schema: &'a str,
    /// `IF EXISTS`.
    pub missing_ok: bool,
}

/// The kinds of object renamed or moved that the model follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `TABLE`.
    Table,
    /// `FOREIGN TABLE`.
    ForeignTable,
    /// `VIEW`.
    View,
    /// `MATERIALIZED VIEW`.
    Matview,
    /// `SEQUENCE`.
    Sequence,
    /// `INDEX`.
    Index,
    /// `COLUMN`.
    Column,
    /// `CONSTRAINT` of a table.
    TabConstraint,
    /// `ATTRIBUTE` of a composite type.
    Attribute,
    /// `TYPE`.
    Type,
    /// `DOMAIN`.
    Domain,
    /// `SCHEMA`.
    Schema,
    /// `TRIGGER`.
    Trigger,
    /// `FUNCTION`.
    Function,
    /// `PROCEDURE`.
    Procedure,
    /// What the model keeps nothing of.
    Other,
}

impl Target {
    /// True for the kinds ALTER TABLE, VIEW, SEQUENCE and INDEX take for one
    /// another.
    pub(crate) fn is_relation(self) -> bool {
        matches!(
            self,
            Target::Table
                | Target::ForeignTable
                | Target::View
                | Target::Matview
                | Target::Sequence
                | Target::Index
        )
    }
}

fn target(t: ObjectType) -> Target {
    match t {
        ObjectType::ObjectTable => Target::Table,
        ObjectType::ObjectForeignTable => Target::ForeignTable,
        ObjectType::ObjectView => Target::View,
        ObjectType::ObjectMatview => Target::Matview,
        ObjectType::ObjectSequence => Target::Sequence,
        ObjectType::ObjectIndex => Target::Index,
        ObjectType::ObjectColumn => Target::Column,
        ObjectType::ObjectTabconstraint => Target::TabConstraint,
        ObjectType::ObjectAttribute => Target::Attribute,
        ObjectType::ObjectType => Target::Type,
        ObjectType::ObjectDomain => Target::Domain,
        ObjectType::ObjectSchema => Target::Schema,
        ObjectType::ObjectTrigger => Target::Trigger,
        ObjectType::ObjectFunction => Target::Function,
        ObjectType::ObjectProcedure => Target::Procedure,
        // ALTER ROUTINE: a function or a procedure, kept alike.
        ObjectType::ObjectRoutine => Target::Function,
        _ => Target::Other,
    }
}

/// The name of an object that is not a relation, as written.
fn object_names(node: Option<&pb::Node>) -> Vec<String> {
    match node.and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::List(l)) => strings(&l.items),
        Some(NodeEnum::TypeName(tn)) => strings(&tn.names),
        Some(NodeEnum::String(s)) => vec![s.sval.clone()],
        Some(NodeEnum::ObjectWithArgs(o)) => strings(&o.objname),
        _ => Vec::new(),
    }
}

/// Lowers RENAME.
pub(crate) fn rename(s: &pb::RenameStmt) -> Change<'_> {
    let (function, function_args) = match s.object.as_deref().and_then(|n| n.node.as_ref()) {
        Some(NodeEnum::ObjectWithArgs(o)) => (
            Some(strings(&o.objname)),
            (!o.args_unspecified).then(|| {
                o.objargs
                    .iter()
                    .filter_map(super::drop::type_name)
                    .collect()
            }),
        ),
        _ => (None, None),
    };
    Change::Rename(Rename {
        target: target(s.rename_type()),
        relation: s.relation.as_ref().map(RelName::of),
        object: object_names(s.object.as_deref()),
        function,
        function_args,
        subname: &s.subname,
        newname: &s.newname,
        missing_ok: s.missing_ok,
    })
}

/// Lowers SET SCHEMA.
pub(crate) fn set_schema(s: &pb::AlterObjectSchemaStmt) -> Change<'_> {
    Change::SetSchema(SetSchema {
        target: target(s.object_type()),
        relation: s.relation.as_ref().map(RelName::of),
        object: object_names(s.object.as_deref()),
        new_schema: &s.newschema,
        missing_ok: s.missing_ok,
    })
}
