//! DROP of every object the model keeps.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, DropBehavior, ObjectType};

use super::Change;
use super::types::WrittenType;
use crate::sql::parse::strings;

/// `DROP kind [IF EXISTS] name, ... [CASCADE]`.
#[derive(Debug)]
pub(crate) struct Drop {
    /// What kind of object.
    pub kind: DropKind,
    /// The objects' names as written (a trigger's: the table's, then its own).
    pub objects: Vec<Vec<String>>,
    /// A function's input argument types as written, object by object;
    /// `None` when the statement gives none (`DROP FUNCTION f`) or the
    /// object is no function.
    pub arguments: Vec<Option<Vec<WrittenType>>>,
    /// `IF EXISTS`.
    pub missing_ok: bool,
    /// `CASCADE`.
    pub cascade: bool,
}

/// The kinds of object a DROP the model follows removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DropKind {
    /// `TABLE`, `FOREIGN TABLE`.
    Table,
    /// `VIEW`, `MATERIALIZED VIEW`.
    View,
    /// `TYPE`, `DOMAIN`.
    Type,
    /// `INDEX`.
    Index,
    /// `SEQUENCE`.
    Sequence,
    /// `SCHEMA`.
    Schema,
    /// `EXTENSION`.
    Extension,
    /// `FUNCTION`, `PROCEDURE`, `ROUTINE`.
    Function,
    /// `TRIGGER name ON table`.
    Trigger,
    /// An object the model does not keep that objects it keeps may depend
    /// on: a collation (columns), an operator class or family, an operator,
    /// an access method (indexes), a text search configuration, a cast, a
    /// language (functions), a foreign server or wrapper (foreign tables).
    Untracked,
}

/// Lowers DROP; `None` for the objects the model does not keep (roles,
/// policies, rules, ...).
pub(crate) fn drop(s: &pb::DropStmt) -> Option<Change<'_>> {
    let kind = match s.remove_type() {
        ObjectType::ObjectTable | ObjectType::ObjectForeignTable => DropKind::Table,
        ObjectType::ObjectView | ObjectType::ObjectMatview => DropKind::View,
        ObjectType::ObjectType | ObjectType::ObjectDomain => DropKind::Type,
        ObjectType::ObjectIndex => DropKind::Index,
        ObjectType::ObjectSequence => DropKind::Sequence,
        ObjectType::ObjectSchema => DropKind::Schema,
        ObjectType::ObjectExtension => DropKind::Extension,
        ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine => {
            DropKind::Function
        }
        ObjectType::ObjectTrigger => DropKind::Trigger,
        ObjectType::ObjectCollation
        | ObjectType::ObjectOpclass
        | ObjectType::ObjectOpfamily
        | ObjectType::ObjectOperator
        | ObjectType::ObjectAccessMethod
        | ObjectType::ObjectTsconfiguration
        | ObjectType::ObjectTsdictionary
        | ObjectType::ObjectCast
        | ObjectType::ObjectLanguage
        | ObjectType::ObjectAggregate
        | ObjectType::ObjectForeignServer
        | ObjectType::ObjectFdw => DropKind::Untracked,
        _ => return None,
    };
    let objects = s
        .objects
        .iter()
        .map(|o| match &o.node {
            Some(NodeEnum::List(l)) => strings(&l.items),
            Some(NodeEnum::String(st)) => vec![st.sval.clone()],
            Some(NodeEnum::TypeName(tn)) => strings(&tn.names),
            Some(NodeEnum::ObjectWithArgs(owa)) => strings(&owa.objname),
            _ => Vec::new(),
        })
        .collect();
    let arguments = s
        .objects
        .iter()
        .map(|o| match &o.node {
            Some(NodeEnum::ObjectWithArgs(owa)) if !owa.args_unspecified => {
                Some(owa.objargs.iter().filter_map(type_name).collect())
            }
            _ => None,
        })
        .collect();
    Some(Change::Drop(Drop {
        kind,
        objects,
        arguments,
        missing_ok: s.missing_ok,
        cascade: s.behavior() == DropBehavior::DropCascade,
    }))
}

/// An argument type of DROP FUNCTION's list (OUT arguments are not in it).
pub(crate) fn type_name(n: &pb::Node) -> Option<WrittenType> {
    match &n.node {
        Some(NodeEnum::TypeName(tn)) => Some(WrittenType::of(tn)),
        _ => None,
    }
}
