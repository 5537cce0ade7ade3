//! ALTER TABLE (and ALTER FOREIGN TABLE, ALTER TYPE on a composite's
//! attributes): the commands the model follows.

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, AlterTableType as At, DropBehavior, ObjectType};

use super::constraints::{Constraint, constraint};
use super::tables::{ColumnDef, column_def};
use super::types::WrittenType;
use super::{Change, RelName};
use crate::model::schema::Identity;
use crate::sql::parse::strings;

/// `ALTER TABLE name cmd, ...`.
#[derive(Debug)]
pub(crate) struct AlterTable<'a> {
    /// The table.
    pub table: RelName<'a>,
    /// `IF EXISTS`.
    pub missing_ok: bool,
    /// `ALTER FOREIGN TABLE`: no rows of its own, so nothing to scan or rewrite.
    pub foreign: bool,
    /// `ALTER TABLE ONLY`: the children are left as they are.
    pub only: bool,
    /// The commands, in order.
    pub cmds: Vec<AlterCmd<'a>>,
}

/// One ALTER TABLE command.
#[derive(Debug)]
pub(crate) enum AlterCmd<'a> {
    /// `ADD COLUMN [IF NOT EXISTS] def`.
    AddColumn {
        /// The column.
        def: ColumnDef<'a>,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
    },
    /// `DROP COLUMN [IF EXISTS] c [CASCADE]`.
    DropColumn {
        /// The column.
        column: &'a str,
        /// `IF EXISTS`.
        missing_ok: bool,
        /// `CASCADE`.
        cascade: bool,
    },
    /// `ALTER COLUMN c TYPE t`.
    AlterType {
        /// The column.
        column: &'a str,
        /// The new type (the parser always gives one).
        ty: Option<WrittenType>,
    },
    /// `ALTER COLUMN c` SET / DROP DEFAULT, NOT NULL, identity, expression.
    AlterColumn {
        /// The column.
        column: &'a str,
        /// What changes.
        change: ColumnChange,
    },
    /// `ADD constraint`.
    AddConstraint(Constraint<'a>),
    /// `DROP CONSTRAINT [IF EXISTS] name [CASCADE]`.
    DropConstraint {
        /// The constraint.
        name: &'a str,
        /// `IF EXISTS`.
        missing_ok: bool,
        /// `CASCADE`: the foreign keys that use a dropped key go with it.
        cascade: bool,
    },
    /// `ATTACH PARTITION p`.
    AttachPartition(RelName<'a>),
    /// `DETACH PARTITION p [CONCURRENTLY]` (true: CONCURRENTLY).
    DetachPartition(RelName<'a>, bool),
    /// `INHERIT parent`.
    AddInherit(RelName<'a>),
    /// `OF type` (the type's name as written) or `NOT OF` (`None`).
    Of(Option<Vec<String>>),
    /// `NO INHERIT parent`.
    DropInherit(RelName<'a>),
    /// `ALTER CONSTRAINT name INHERIT | NO INHERIT` (PostgreSQL 18, NOT NULL
    /// constraints): whether children get it.
    AlterConstraintInheritance {
        /// The constraint.
        name: &'a str,
        /// `NO INHERIT`.
        no_inherit: bool,
    },
    /// `VALIDATE CONSTRAINT name`: the model keeps no validity, the lint rules do.
    ValidateConstraint(&'a str),
    /// `OWNER TO role`: takes no lock worth a timeout.
    ChangeOwner,
    /// Storage, statistics, triggers, row security, ...: nothing the model keeps.
    Other,
}

/// What `ALTER COLUMN` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnChange {
    /// `SET DEFAULT expr` (true), `DROP DEFAULT` (false).
    Default(bool),
    /// `SET DEFAULT NULL`: no default, as DROP DEFAULT, but set with the
    /// defaults (after an ADD COLUMN of the same statement), as an
    /// expression is.
    DefaultNull,
    /// `SET NOT NULL`.
    SetNotNull,
    /// `DROP NOT NULL`.
    DropNotNull,
    /// `ADD GENERATED ... AS IDENTITY`.
    AddIdentity(Identity),
    /// `DROP IDENTITY [IF EXISTS]` (true: IF EXISTS).
    DropIdentity(bool),
    /// `SET GENERATED { ALWAYS | BY DEFAULT }` of an identity column.
    SetIdentity(Identity),
    /// `DROP EXPRESSION`.
    DropExpression,
}

/// `ALTER TYPE composite` ADD / DROP / ALTER ATTRIBUTE.
#[derive(Debug)]
pub(crate) struct AlterComposite<'a> {
    /// The type.
    pub name: RelName<'a>,
    /// Its commands, in order.
    pub cmds: Vec<AttributeCmd<'a>>,
}

/// One command on a composite type's attributes.
#[derive(Debug)]
pub(crate) struct AttributeCmd<'a> {
    /// What it does.
    pub action: AttributeAction,
    /// The attribute named (DROP, ALTER).
    pub name: &'a str,
    /// The definition given (ADD, ALTER ... TYPE): name and type.
    pub def: Option<(&'a str, WrittenType)>,
}

/// What a command does to a composite type's attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AttributeAction {
    /// `ADD ATTRIBUTE`.
    Add,
    /// `DROP ATTRIBUTE`.
    Drop,
    /// `ALTER ATTRIBUTE ... TYPE`.
    AlterType,
    /// What the model keeps nothing of.
    Other,
}

/// Lowers ALTER TABLE; `None` for the other relations it alters (indexes,
/// sequences, views) and without a name.
pub(crate) fn alter_table(s: &pb::AlterTableStmt) -> Option<Change<'_>> {
    let rv = s.relation.as_ref()?;
    let cmds = s.cmds.iter().filter_map(|c| match &c.node {
        Some(NodeEnum::AlterTableCmd(cmd)) => Some(&**cmd),
        _ => None,
    });
    match s.objtype() {
        ObjectType::ObjectType => Some(Change::AlterComposite(AlterComposite {
            name: RelName::of(rv),
            cmds: cmds.map(attribute_cmd).collect(),
        })),
        ObjectType::ObjectTable | ObjectType::ObjectForeignTable => {
            Some(Change::AlterTable(AlterTable {
                table: RelName::of(rv),
                missing_ok: s.missing_ok,
                foreign: s.objtype() == ObjectType::ObjectForeignTable,
                only: !rv.inh,
                cmds: cmds.map(alter_cmd).collect(),
            }))
        }
        ObjectType::ObjectIndex => cmds
            .filter(|c| c.subtype() == At::AtAttachPartition)
            .find_map(|c| partition(c.def.as_ref().and_then(|d| d.node.as_ref())))
            .map(Change::AttachIndex),
        _ => None,
    }
}

fn alter_cmd(cmd: &pb::AlterTableCmd) -> AlterCmd<'_> {
    known_cmd(cmd).unwrap_or(match cmd.subtype() {
        At::AtValidateConstraint => AlterCmd::ValidateConstraint(&cmd.name),
        At::AtChangeOwner => AlterCmd::ChangeOwner,
        _ => AlterCmd::Other,
    })
}

/// The commands the model follows; `None` for the others, and for one whose
/// definition the parser left out.
fn known_cmd(cmd: &pb::AlterTableCmd) -> Option<AlterCmd<'_>> {
    let def = cmd.def.as_ref().and_then(|d| d.node.as_ref());
    let column = cmd.name.as_str();
    let change = |change| Some(AlterCmd::AlterColumn { column, change });
    match cmd.subtype() {
        At::AtAddColumn => match def {
            Some(NodeEnum::ColumnDef(cd)) => Some(AlterCmd::AddColumn {
                def: column_def(cd),
                if_not_exists: cmd.missing_ok,
            }),
            _ => None,
        },
        At::AtDropColumn => Some(AlterCmd::DropColumn {
            column,
            missing_ok: cmd.missing_ok,
            cascade: cmd.behavior() == DropBehavior::DropCascade,
        }),
        At::AtAlterColumnType => Some(AlterCmd::AlterType {
            column,
            ty: match def {
                Some(NodeEnum::ColumnDef(cd)) => cd.type_name.as_ref().map(WrittenType::of),
                _ => None,
            },
        }),
        At::AtColumnDefault => change(match cmd.def.as_ref() {
            None => ColumnChange::Default(false),
            Some(d) if is_null(d) => ColumnChange::DefaultNull,
            Some(_) => ColumnChange::Default(true),
        }),
        At::AtSetNotNull => change(ColumnChange::SetNotNull),
        At::AtDropNotNull => change(ColumnChange::DropNotNull),
        At::AtAddIdentity => change(ColumnChange::AddIdentity(match def {
            Some(NodeEnum::Constraint(c)) if c.generated_when == "a" => Identity::Always,
            _ => Identity::ByDefault,
        })),
        At::AtDropIdentity => change(ColumnChange::DropIdentity(cmd.missing_ok)),
        // SET GENERATED is a "generated" option among SET INCREMENT, RESTART, ...
        At::AtSetIdentity => match def {
            Some(NodeEnum::List(l)) => l.items.iter().find_map(|o| match &o.node {
                Some(NodeEnum::DefElem(d)) if d.defname == "generated" => {
                    let always = matches!(
                        d.arg.as_ref().and_then(|a| a.node.as_ref()),
                        Some(NodeEnum::Integer(i)) if i.ival == i32::from(b'a')
                    );
                    change(ColumnChange::SetIdentity(if always {
                        Identity::Always
                    } else {
                        Identity::ByDefault
                    }))
                }
                _ => None,
            }),
            _ => None,
        },
        At::AtDropExpression => change(ColumnChange::DropExpression),
        At::AtAddConstraint => match def {
            Some(NodeEnum::Constraint(c)) => Some(AlterCmd::AddConstraint(constraint(c))),
            _ => None,
        },
        At::AtDropConstraint => Some(AlterCmd::DropConstraint {
            name: column,
            missing_ok: cmd.missing_ok,
            cascade: cmd.behavior() == DropBehavior::DropCascade,
        }),
        At::AtAlterConstraint => match def {
            Some(NodeEnum::AtalterConstraint(a)) if a.alter_inheritability => {
                Some(AlterCmd::AlterConstraintInheritance {
                    name: &a.conname,
                    no_inherit: a.noinherit,
                })
            }
            _ => None,
        },
        At::AtAttachPartition => partition(def).map(AlterCmd::AttachPartition),
        At::AtDetachPartition => {
            let concurrent = matches!(def, Some(NodeEnum::PartitionCmd(pc)) if pc.concurrent);
            partition(def).map(|p| AlterCmd::DetachPartition(p, concurrent))
        }
        At::AtAddInherit => relation(def).map(AlterCmd::AddInherit),
        At::AtAddOf => match def {
            Some(NodeEnum::TypeName(t)) => Some(AlterCmd::Of(Some(strings(&t.names)))),
            _ => None,
        },
        At::AtDropOf => Some(AlterCmd::Of(None)),
        At::AtDropInherit => relation(def).map(AlterCmd::DropInherit),
        _ => None,
    }
}

fn partition(def: Option<&NodeEnum>) -> Option<RelName<'_>> {
    match def {
        Some(NodeEnum::PartitionCmd(pc)) => pc.name.as_ref().map(RelName::of),
        _ => None,
    }
}

fn relation(def: Option<&NodeEnum>) -> Option<RelName<'_>> {
    match def {
        Some(NodeEnum::RangeVar(rv)) => Some(RelName::of(rv)),
        _ => None,
    }
}

fn attribute_cmd(cmd: &pb::AlterTableCmd) -> AttributeCmd<'_> {
    let def = match cmd.def.as_ref().and_then(|d| d.node.as_ref()) {
        Some(NodeEnum::ColumnDef(cd)) => cd
            .type_name
            .as_ref()
            .map(|tn| (cd.colname.as_str(), WrittenType::of(tn))),
        _ => None,
    };
    let action = match cmd.subtype() {
        At::AtAddColumn => AttributeAction::Add,
        At::AtDropColumn => AttributeAction::Drop,
        At::AtAlterColumnType => AttributeAction::AlterType,
        _ => AttributeAction::Other,
    };
    AttributeCmd {
        action,
        name: &cmd.name,
        def,
    }
}

/// `NULL` as written (a constant, possibly cast: `NULL::text`).
fn is_null(node: &pb::Node) -> bool {
    match node.node.as_ref() {
        Some(NodeEnum::AConst(c)) => c.isnull,
        Some(NodeEnum::TypeCast(t)) => t.arg.as_deref().is_some_and(is_null),
        _ => false,
    }
}
