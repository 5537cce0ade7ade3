//! Lowering: one statement of libpg_query's tree becomes one typed [`Change`].
//!
//! Why two stages. The tree is PostgreSQL's grammar: `i32` enums, optional
//! nodes, names as lists of strings, one node kind serving many statements.
//! The model's rules are about objects: what a DROP ... CASCADE takes with it,
//! which partitions a column change reaches, what name an implicit constraint
//! gets. Written together, every rule also decodes the grammar, and a rule
//! cannot be read or tested apart from it. So:
//! - lowering (this module) reads only the tree and the statement's text, never
//!   the model: pure functions, one file per statement family, whose matches
//!   over the grammar's enums are typed (`pb::ObjectType::try_from`);
//! - applying (`model::apply`) reads and changes the model, resolves the names
//!   (the search path and what exists decide where `t` lives), and owns every
//!   dependency rule; its match over [`Change`] is exhaustive.
//!
//! Names stay as written ([`RelName`]): resolving them needs the model.
//! Positions are the parser's byte offsets (from the start of the text it
//! parsed, as libpg_query gives them); a name the parser gives no location is
//! found in the statement's text only when a diagnostic needs it
//! (`Applier::locate`), so the common path never scans.
//!
//! `replay/` drives the two: it follows session state (the search path) and
//! the statements that hold statements (CREATE SCHEMA's elements, DO blocks)
//! itself, and lowers and applies every other statement.

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

pub(crate) mod alter;
pub(crate) mod colname;
pub(crate) mod constraints;
pub(crate) mod dml;
pub(crate) mod drop;
pub(crate) mod functions;
pub(crate) mod indexes;
pub(crate) mod rename;
pub(crate) mod sequences;
pub(crate) mod spelling;
pub(crate) mod tables;
pub(crate) mod types;
pub(crate) mod views;

#[cfg(test)]
mod tests;

/// What one statement changes, as the model applies it.
#[derive(Debug)]
pub(crate) enum Change<'a> {
    /// `CREATE TABLE`, `CREATE FOREIGN TABLE`.
    CreateTable(tables::CreateTable<'a>),
    /// `ALTER [FOREIGN] TABLE`.
    AlterTable(alter::AlterTable<'a>),
    /// `ALTER TYPE` on a composite's attributes.
    AlterComposite(alter::AlterComposite<'a>),
    /// `ALTER INDEX parent ATTACH PARTITION child`: the child.
    AttachIndex(RelName<'a>),
    /// `CREATE [UNIQUE] INDEX`.
    CreateIndex(indexes::CreateIndex<'a>),
    /// `CREATE TYPE ... AS ENUM`.
    CreateEnum(types::CreateEnum),
    /// `ALTER TYPE ... ADD VALUE` / `RENAME VALUE`.
    AlterEnum(types::AlterEnum<'a>),
    /// `CREATE DOMAIN`.
    CreateDomain(types::CreateDomain),
    /// `ALTER DOMAIN`: NOT NULL set, dropped, or maybe dropped.
    AlterDomain(types::AlterDomain),
    /// `CREATE TYPE ... AS (...)`.
    CreateComposite(types::CreateComposite<'a>),
    /// A base, shell or range type.
    CreateOtherType(types::CreateOtherType),
    /// `CREATE FUNCTION` / `PROCEDURE`.
    CreateFunction(functions::CreateFunction),
    /// `CREATE TRIGGER`.
    CreateTrigger(functions::CreateTrigger<'a>),
    /// `ALTER ... RENAME`.
    Rename(rename::Rename<'a>),
    /// `ALTER ... SET SCHEMA`.
    SetSchema(rename::SetSchema<'a>),
    /// `CREATE EXTENSION`.
    CreateExtension {
        /// Its name.
        name: &'a str,
        /// `SCHEMA s`; else the creation schema.
        schema: Option<&'a str>,
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
    },
    /// `CREATE` / `ALTER SEQUENCE`.
    Sequence(sequences::Sequence<'a>),
    /// `DROP`.
    Drop(drop::Drop),
    /// A query or a data change: what it reads and writes must exist.
    Dml(dml::Dml<'a>),
    /// A view, materialized view or table made from a query (boxed: SELECT
    /// INTO's query is a tree of its own).
    CreateDerived(Box<views::CreateDerived<'a>>),
}

/// Lowers one statement from its tree alone; `None` for what the model keeps
/// nothing of.
pub(crate) fn lower(node: &NodeEnum) -> Option<Change<'_>> {
    match node {
        NodeEnum::CreateStmt(s) => tables::create_table(s),
        NodeEnum::CreateForeignTableStmt(s) => tables::create_table(s.base_stmt.as_ref()?),
        NodeEnum::AlterTableStmt(s) => alter::alter_table(s),
        NodeEnum::RenameStmt(s) => Some(rename::rename(s)),
        NodeEnum::AlterObjectSchemaStmt(s) => Some(rename::set_schema(s)),
        NodeEnum::DropStmt(s) => drop::drop(s),
        NodeEnum::IndexStmt(s) => indexes::create_index(s),
        NodeEnum::CreateEnumStmt(s) => Some(types::create_enum(s)),
        NodeEnum::AlterEnumStmt(s) => Some(types::alter_enum(s)),
        NodeEnum::CreateDomainStmt(s) => types::create_domain(s),
        NodeEnum::AlterDomainStmt(s) => types::alter_domain(s),
        NodeEnum::CompositeTypeStmt(s) => types::create_composite(s),
        NodeEnum::DefineStmt(s) => types::define(s),
        NodeEnum::CreateRangeStmt(s) => Some(types::create_range(s)),
        NodeEnum::ViewStmt(s) => views::create_view(s),
        NodeEnum::CreateTableAsStmt(s) => views::create_table_as(s),
        NodeEnum::SelectStmt(s) if s.into_clause.is_some() => views::select_into(s),
        NodeEnum::CreateExtensionStmt(s) => Some(Change::CreateExtension {
            name: &s.extname,
            if_not_exists: s.if_not_exists,
            schema: s.options.iter().find_map(|o| match &o.node {
                Some(NodeEnum::DefElem(d)) if d.defname == "schema" => {
                    match d.arg.as_ref().and_then(|a| a.node.as_ref()) {
                        Some(NodeEnum::String(v)) => Some(v.sval.as_str()),
                        _ => None,
                    }
                }
                _ => None,
            }),
        }),
        NodeEnum::CreateSeqStmt(s) => sequences::create_sequence(s),
        NodeEnum::AlterSeqStmt(s) => sequences::alter_sequence(s),
        NodeEnum::CreateFunctionStmt(s) => Some(functions::create_function(s)),
        NodeEnum::CreateTrigStmt(s) => functions::create_trigger(s),
        NodeEnum::InsertStmt(_)
        | NodeEnum::UpdateStmt(_)
        | NodeEnum::DeleteStmt(_)
        | NodeEnum::TruncateStmt(_)
        | NodeEnum::MergeStmt(_)
        | NodeEnum::SelectStmt(_) => Some(dml::change(node)),
        _ => None,
    }
}

/// A relation as a statement writes it: resolved against the search path when
/// the change is applied.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RelName<'a> {
    /// The schema written; empty when unqualified.
    pub schema: &'a str,
    /// The relation's own name.
    pub name: &'a str,
    /// False for `ONLY name`: the statement leaves partitions and children alone.
    pub inh: bool,
    /// `TEMP` / `TEMPORARY`: the relation lives in `pg_temp`.
    pub temp: bool,
    /// Where the name is written.
    pub at: i32,
}

impl<'a> RelName<'a> {
    /// The relation a `RangeVar` names.
    pub(crate) fn of(rv: &'a pb::RangeVar) -> Self {
        RelName {
            schema: &rv.schemaname,
            name: &rv.relname,
            inh: rv.inh,
            temp: rv.relpersistence == "t",
            at: rv.location,
        }
    }
}
