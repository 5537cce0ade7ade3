//! ALTER TABLE: column and constraint commands, partitions and inheritance;
//! ALTER TYPE on a composite's attributes.

use std::sync::Arc;

use pg_query::NodeEnum;

use super::indexes::index_column_names;
use super::{Applier, absent_help};
use crate::lower::alter::{AlterCmd, AlterComposite, AlterTable, AttributeAction, ColumnChange};
use crate::lower::colname::columns_read;
use crate::lower::constraints::{Constraint, ConstraintDef};
use crate::model::schema::{Column, ConstraintKind, Index, QualName, Table};
use crate::model::types::{self, SqlType};
use crate::sql::parse::strings;

/// A command of an ALTER TABLE, or a constraint written on a column it adds.
enum Step<'c, 'a> {
    Cmd(&'c AlterCmd<'a>),
    Constraint(&'c Constraint<'a>),
}

/// ATController's passes (PostgreSQL 13 on, `AT_PASS_*`), in the order they run.
const DROP: u8 = 0;
const ALTER_TYPE: u8 = 1;
const ADD_COLUMN: u8 = 4;
const COLUMN_ATTRIBUTES: u8 = 6;
const ADD_INDEX_CONSTRAINT: u8 = 7;
const ADD_INDEX: u8 = 8;
const ADD_OTHER_CONSTRAINT: u8 = 9;
const MISC: u8 = 10;

/// The pass a command runs in (ATPrepCmd; an ADD CONSTRAINT is moved on to
/// its constraint's pass when it is transformed, ATParseTransformCmd).
fn pass(cmd: &AlterCmd<'_>) -> u8 {
    match cmd {
        AlterCmd::DropColumn { .. } | AlterCmd::DropConstraint { .. } => DROP,
        AlterCmd::AlterType { .. } => ALTER_TYPE,
        AlterCmd::AddColumn { .. } => ADD_COLUMN,
        AlterCmd::AlterColumn { change, .. } => match change {
            ColumnChange::Default(false)
            | ColumnChange::DropNotNull
            | ColumnChange::DropIdentity(_)
            | ColumnChange::DropExpression => DROP,
            ColumnChange::SetNotNull => COLUMN_ATTRIBUTES,
            // After an ADD GENERATED of the same statement.
            ColumnChange::SetIdentity(_) => MISC,
            // A default is an expression, NULL too (ATPrepCmd: a `def`).
            ColumnChange::Default(true)
            | ColumnChange::DefaultNull
            | ColumnChange::AddIdentity(_) => ADD_OTHER_CONSTRAINT,
        },
        AlterCmd::AddConstraint(c) => constraint_pass(c),
        _ => MISC,
    }
}

/// The pass an added constraint is made in: a key's or exclusion's index
/// (USING INDEX one earlier), a NOT NULL with the column attributes, checks
/// and foreign keys after every index.
fn constraint_pass(c: &Constraint<'_>) -> u8 {
    match c.kind {
        ConstraintDef::PrimaryKey | ConstraintDef::Unique | ConstraintDef::Exclusion { .. } => {
            if c.index.is_some() {
                ADD_INDEX_CONSTRAINT
            } else {
                ADD_INDEX
            }
        }
        ConstraintDef::NotNull { .. } => COLUMN_ATTRIBUTES,
        _ => ADD_OTHER_CONSTRAINT,
    }
}

impl Applier<'_> {
    /// The commands run in PostgreSQL's passes (ATController), not in the
    /// order written: every DROP first, then ALTER TYPE, ADD COLUMN, column
    /// attributes, indexes and keys, checks, foreign keys and defaults, the
    /// rest last. So `ADD UNIQUE (c), ADD COLUMN c int` is right and
    /// `ADD COLUMN c int, DROP COLUMN c` is not. The constraints written on
    /// an added column run in their own pass, before the table's of that
    /// pass (they are queued when the column is added).
    pub(crate) fn alter_table(&mut self, s: &AlterTable<'_>) {
        // ALTER TABLE takes an index's name too (`SET (fillfactor = 70)`,
        // `SET TABLESPACE`, `OWNER TO`): nothing the model keeps.
        let rv = &s.table;
        if self
            .resolve(rv.schema, rv.name, &self.schema.indexes)
            .is_some()
        {
            return;
        }
        let Some(table) = self.table_of(&s.table, s.missing_ok) else {
            return;
        };
        // Each ADD COLUMN's constraints are one transform: a second key on
        // the column is folded into the first, as in CREATE TABLE.
        for c in &s.cmds {
            if let AlterCmd::AddColumn { def, .. } = c {
                let keys: Vec<&Constraint<'_>> = (def.constraints.iter())
                    .filter_map(|c| match c {
                        crate::lower::tables::ColumnConstraint::Table(k) => Some(k),
                        _ => None,
                    })
                    .collect();
                self.redundant.extend(super::tables::redundant_among(&keys));
            }
        }
        let mut steps: Vec<(u8, Step<'_, '_>)> =
            (s.cmds.iter()).map(|c| (pass(c), Step::Cmd(c))).collect();
        steps.sort_by_key(|(p, _)| *p);
        let split = steps.partition_point(|(p, _)| *p <= ADD_COLUMN);
        let later_steps = steps.split_off(split);
        let mut on_columns = Vec::new();
        for (_, step) in steps {
            if let Step::Cmd(cmd) = step {
                self.alter_cmd(&table, cmd, s.only, &mut on_columns);
            }
        }
        let mut steps: Vec<(u8, Step<'_, '_>)> = (on_columns.into_iter())
            .map(|c| (constraint_pass(c), Step::Constraint(c)))
            .chain(later_steps)
            .collect();
        steps.sort_by_key(|(p, _)| *p);
        for (_, step) in steps {
            match step {
                Step::Cmd(cmd) => self.alter_cmd(&table, cmd, s.only, &mut Vec::new()),
                Step::Constraint(c) => self.add_constraint(&table, c),
            }
        }
        self.redundant.clear();
        let partitions = self.partitions_of(&table);
        for t in std::iter::once(table).chain(partitions) {
            self.sync_not_null(&t);
        }
    }

    /// Runs one command; the constraints written on a column it adds go to
    /// `on_columns`, for their own pass.
    fn alter_cmd<'c, 'a>(
        &mut self,
        table: &QualName,
        cmd: &'c AlterCmd<'a>,
        only: bool,
        on_columns: &mut Vec<&'c Constraint<'a>>,
    ) {
        let col_exists = |r: &Self, column: &str| {
            r.schema
                .tables
                .get(table)
                .is_some_and(|t| t.column(column).is_some())
        };
        match cmd {
            AlterCmd::AddColumn { def, if_not_exists } => {
                // IF NOT EXISTS that skips the column skips the children too.
                let existed = self
                    .schema
                    .tables
                    .get(table)
                    .is_some_and(|t| t.column(def.name).is_some());
                self.add_column(table, def, *if_not_exists, Some(on_columns));
                if existed {
                    return;
                }
                // A column added to a partitioned table reaches its partitions.
                let parent = self.schema.tables.get(table).cloned();
                if let Some(parent) = parent
                    && let Some(col) = parent.column(def.name)
                {
                    // A child's column of that name gets the NOT NULL from 18 on.
                    let merge = self.schema.target.0 >= 18;
                    let identity = self.schema.target.0 >= 17;
                    // As ATExecAddColumn recurses: to each child once per
                    // parent it has (a diamond's bottom counts two), and not
                    // below a child that had the column (it merges; its own
                    // children have theirs already).
                    let mut todo: Vec<(QualName, QualName)> = (self.direct_children(table))
                        .into_iter()
                        .map(|c| (table.clone(), c))
                        .collect();
                    while let Some((from, p)) = todo.pop() {
                        let Some(from) = self.schema.tables.get(&from).cloned() else {
                            continue;
                        };
                        let Some(col) = from.column(def.name).or(Some(col)).cloned() else {
                            continue;
                        };
                        let mut had = true;
                        if let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut) {
                            had = t.column(def.name).is_some();
                            let shared = identity && t.is_partition();
                            t.inherit_column(&from, &col, merge, shared);
                        }
                        if !had {
                            todo.extend(
                                self.direct_children(&p).into_iter().map(|c| (p.clone(), c)),
                            );
                        }
                    }
                }
            }
            AlterCmd::DropColumn {
                column,
                missing_ok,
                cascade,
            } => {
                if !col_exists(self, column) {
                    if !*missing_ok {
                        self.missing_column(table, column, None);
                    }
                    return;
                }
                if !self.drop_column_dependents(table, column, *cascade) {
                    return;
                }
                // The sequence a serial or identity column owns goes with it,
                // and with CASCADE what reads that sequence.
                let owned = (self.schema.tables.get(table))
                    .and_then(|t| t.column(column))
                    .and_then(|c| c.sequence.clone());
                if *cascade && let Some(seq) = owned {
                    self.doubt_sequence_defaults(&[QualName::new(table.schema.clone(), seq)]);
                }
                self.drop_column(table, column, only);
            }
            AlterCmd::AlterType { column, ty } => {
                if !col_exists(self, column) {
                    self.missing_column(table, column, None);
                    return;
                }
                // A view's query is kept analysed: its column cannot change type.
                let (reach, _) = self.column_reach(table, column);
                let (views, _) = self.views_reading(&reach, column);
                if let Some(v) = views.iter().find(|v| !self.schema.doubts(v)) {
                    self.error_at(
                        self.locate(column),
                        format!(
                            "cannot alter type of a column used by a view or rule: view {v} reads {table}.{column}"
                        ),
                        Some(format!(
                            "drop view {v} first and create it again after the ALTER"
                        )),
                    );
                    return;
                }
                if let Some(tn) = ty
                    && let Some((ty, _)) = self.resolve_type(tn)
                {
                    self.each_column(table, column, |c| c.ty = ty.clone());
                    let partitions = self.partitions_of(table);
                    for t in std::iter::once(table.clone()).chain(partitions) {
                        // PostgreSQL rebuilds the indexes on the column from their
                        // printed definition, which may then read differently: a cast
                        // to the column's new type (`date(date)` on a date column)
                        // becomes the plain column. Other expressions are opaque.
                        // Rebuilt, an index's own columns take today's names
                        // (which LIKE ... INCLUDING INDEXES names its copy after).
                        for q in self.schema.related().indexes(&t) {
                            let Some(ix) = self.schema.indexes.get(&q).cloned() else {
                                continue;
                            };
                            if ix.table != t || !ix.uses.iter().any(|u| u == column) {
                                continue;
                            }
                            // An expression the model cannot reprint is opaque;
                            // its name (what the names come from) stays.
                            let rebuilt = if ix.columns.iter().any(|c| c == "(expr)") {
                                retyped_index(&ix, column, &ty)
                            } else {
                                Some(ix.clone())
                            };
                            if rebuilt.is_none() {
                                self.schema.opaque.insert(q.clone());
                            }
                            let new = rebuilt.unwrap_or(ix);
                            let names = index_column_names(&Index {
                                names: Vec::new(),
                                ..new.clone()
                            });
                            self.schema.indexes.insert(q, Index { names, ..new });
                        }
                    }
                }
            }
            AlterCmd::AlterColumn { column, change } => {
                if !col_exists(self, column) {
                    if *change != ColumnChange::DropIdentity(true) {
                        self.missing_column(table, column, None);
                    }
                    return;
                }
                // A key's or identity's column stays NOT NULL.
                if *change == ColumnChange::DropNotNull
                    && !self.schema.doubts(table)
                    && let Some(t) = self.schema.tables.get(table)
                {
                    let why = if t
                        .primary_key()
                        .is_some_and(|k| k.iter().any(|c| c == column))
                    {
                        Some("is in a primary key")
                    } else if t.column(column).is_some_and(|c| c.identity.is_some()) {
                        Some("is an identity column")
                    } else {
                        None
                    };
                    if let Some(why) = why {
                        self.error_at(
                            self.locate(column),
                            format!("column \"{column}\" of relation \"{table}\" {why}"),
                            Some(
                                "drop the primary key or the identity first, or leave the column NOT NULL"
                                    .to_owned(),
                            ),
                        );
                        return;
                    }
                }
                let mut new_sequence = false;
                let mut dropped_sequence = None;
                // Column changes on a partitioned table reach its partitions
                // and children; DROP NOT NULL may stop short of some.
                let not_null =
                    matches!(change, ColumnChange::SetNotNull | ColumnChange::DropNotNull);
                let reach = if only && not_null {
                    // ONLY leaves the children's NOT NULL as it is before 18;
                    // 18 makes the parent's NO INHERIT, or refuses.
                    if self.schema.target.0 >= 18 || self.schema.any_server {
                        for child in self.partitions_of(table) {
                            self.make_opaque(
                                child,
                                "ALTER TABLE ONLY ... NOT NULL of a parent: PostgreSQL 18 changes what its children hold",
                            );
                        }
                    }
                    vec![table.clone()]
                } else if *change == ColumnChange::DropNotNull {
                    self.not_null_reach(table, column)
                } else if only
                    && matches!(change, ColumnChange::Default(_) | ColumnChange::DefaultNull)
                {
                    // ONLY: the children keep their defaults.
                    vec![table.clone()]
                } else if matches!(
                    change,
                    ColumnChange::AddIdentity(_)
                        | ColumnChange::SetIdentity(_)
                        | ColumnChange::DropIdentity(_)
                ) {
                    // An identity is never an inheritance child's (pg_dump
                    // adds it to the parent after the children exist).
                    let partitions = self.partitions_of(table);
                    let partitions = partitions
                        .into_iter()
                        .filter(|p| (self.schema.tables.get(p)).is_some_and(|t| t.is_partition()));
                    std::iter::once(table.clone()).chain(partitions).collect()
                } else {
                    let partitions = self.partitions_of(table);
                    std::iter::once(table.clone()).chain(partitions).collect()
                };
                for t in reach {
                    let Some(tbl) = self.schema.tables.get_mut(&t).map(Arc::make_mut) else {
                        continue;
                    };
                    if t == *table && *change == ColumnChange::SetNotNull {
                        tbl.own_not_null(column);
                    }
                    let Some(c) = tbl.column_mut(column) else {
                        continue;
                    };
                    match *change {
                        ColumnChange::Default(has) => c.has_default = has,
                        ColumnChange::DefaultNull => c.has_default = false,
                        ColumnChange::SetNotNull => c.nullable = false,
                        ColumnChange::DropNotNull => c.nullable = true,
                        ColumnChange::AddIdentity(identity) => {
                            c.identity = Some(identity);
                            c.nullable = false;
                            if t == *table {
                                new_sequence = true;
                            }
                        }
                        ColumnChange::DropIdentity(_) => {
                            // Of a column that is no identity (a serial, say), IF EXISTS
                            // drops nothing: its sequence stays.
                            if c.identity.take().is_some() && t == *table {
                                dropped_sequence = c.sequence.take();
                            }
                        }
                        ColumnChange::DropExpression => c.generated = false,
                        ColumnChange::SetIdentity(identity) => {
                            if c.identity.is_some() {
                                c.identity = Some(identity);
                            }
                        }
                    }
                }
                // A column that is no longer generated depends on nothing: dropping
                // what its expression read leaves it.
                if *change == ColumnChange::DropExpression {
                    for t in std::iter::once(table.clone()).chain(self.partitions_of(table)) {
                        if let Some(t) = self.schema.tables.get_mut(&t).map(Arc::make_mut) {
                            t.generated_from.remove(*column);
                        }
                    }
                }
                if let Some(seq) = dropped_sequence {
                    self.schema
                        .sequences
                        .remove(&QualName::new(table.schema.clone(), seq));
                }
                if new_sequence {
                    let seq = self.choose_sequence_name(table, column);
                    self.schema
                        .sequences
                        .insert(QualName::new(table.schema.clone(), seq.clone()));
                    if let Some(c) = self
                        .schema
                        .tables
                        .get_mut(table)
                        .map(Arc::make_mut)
                        .and_then(|t| t.column_mut(column))
                    {
                        c.sequence = Some(seq);
                    }
                }
            }
            AlterCmd::AddConstraint(c) => {
                // A CHECK is every child's too: ONLY cannot leave them out.
                let inherited_check = matches!(
                    c.kind,
                    ConstraintDef::Check {
                        no_inherit: false,
                        ..
                    }
                );
                if only && inherited_check {
                    let children = self.schema.related().partitions(table);
                    if children.iter().any(|t| !self.schema.doubts(t)) {
                        self.error_at(
                            Some(c.at),
                            format!(
                                "constraint must be added to child tables too: \"{table}\" has children"
                            ),
                            Some("leave out ONLY, or make the check NO INHERIT".to_owned()),
                        );
                        return;
                    }
                }
                self.add_constraint(table, c);
            }
            AlterCmd::DropConstraint {
                name,
                missing_ok,
                cascade,
            } => {
                let removed_kind = self
                    .schema
                    .tables
                    .get_mut(table)
                    .map(Arc::make_mut)
                    .and_then(|t| {
                        t.own_checks.remove(*name);
                        t.constraints.remove(*name)
                    });
                // Dropping a NOT NULL constraint (PostgreSQL 18) makes the column
                // nullable, on the partitions and children that do not keep it.
                if let Some(ConstraintKind::NotNull { column, .. }) = &removed_kind {
                    let reach = self.not_null_reach(table, column);
                    self.column_of_each(&reach, column, |c| c.nullable = true);
                }
                // An inherited CHECK goes from the partitions and children too
                // (a NO INHERIT one is not theirs); ONLY leaves them theirs.
                if !only
                    && matches!(
                        removed_kind,
                        Some(ConstraintKind::Check {
                            no_inherit: false,
                            ..
                        })
                    )
                {
                    // A child's copy that is its own too (written on it, or
                    // merged with one it had), or that another parent also
                    // gives it, stays (conislocal, coninhcount).
                    let held = |r: &Self, child: &Table| {
                        child.own_checks.contains(*name)
                            || child.inherits.iter().chain(&child.partition_of).any(|q| {
                                q != table
                                    && (r.schema.tables.get(q))
                                        .is_some_and(|o| o.constraints.contains_key(*name))
                            })
                    };
                    for p in self.partitions_of(table) {
                        let keep = self.schema.tables.get(&p).is_some_and(|c| held(self, c));
                        if !keep
                            && let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut)
                            && matches!(
                                t.constraints.get(*name),
                                Some(ConstraintKind::Check { .. })
                            )
                        {
                            t.constraints.remove(*name);
                        }
                    }
                }
                let removed = removed_kind.is_some();
                // Only a key's or exclusion constraint's index is the
                // constraint's (an index of the name may be another's, of
                // this table or another).
                let keyed = removed_kind.as_ref().is_some_and(ConstraintKind::has_index);
                let ix = QualName::new(table.schema.clone(), (*name).to_owned());
                if keyed
                    && self
                        .schema
                        .indexes
                        .get(&ix)
                        .is_some_and(|i| &i.table == table)
                {
                    self.schema.indexes.remove(&ix);
                }
                if removed {
                    if *cascade {
                        match &removed_kind {
                            Some(ConstraintKind::PrimaryKey { columns }) => {
                                self.drop_foreign_keys_on_key(table, columns, true)
                            }
                            Some(ConstraintKind::Unique { columns }) => {
                                self.drop_foreign_keys_on_key(table, columns, false)
                            }
                            _ => {}
                        }
                    }
                } else if !*missing_ok
                    // A partition's copies of its parent's keys and foreign
                    // keys, which the model does not keep (and whose names
                    // may have pushed one it chose to `_key1`): as RENAME
                    // CONSTRAINT, no error.
                    && !self.has_parents_constraint_copies(table)
                {
                    let names: Vec<String> = self
                        .schema
                        .tables
                        .get(table)
                        .map(|t| t.constraints.keys().cloned().collect())
                        .unwrap_or_default();
                    let help = absent_help(name, names.iter().map(String::as_str));
                    self.error_at(
                        self.locate(name),
                        format!(
                            "constraint \"{}\" of relation \"{table}\" does not exist",
                            name
                        ),
                        Some(help),
                    );
                }
            }
            AlterCmd::AttachPartition(prv) => {
                if let Some(p) = self.table_of(prv, false) {
                    self.inherit_from(&p, table);
                    let parents: Vec<Index> = self
                        .schema
                        .related()
                        .indexes(table)
                        .iter()
                        .filter_map(|q| self.schema.indexes.get(q))
                        .filter(|ix| &ix.table == table)
                        .cloned()
                        .collect();
                    let parent = self.schema.tables.get(table).cloned();
                    if let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut) {
                        t.partition_of = Some(table.clone());
                        // A partition's columns are never its own (attislocal is
                        // false): the parent's DROP COLUMN always reaches them.
                        // Nor are the NOT NULLs ATTACH merges with the
                        // parent's (PostgreSQL 18: conislocal is false).
                        for (c, i) in t.inherited.iter_mut() {
                            i.local = false;
                            if parent.as_ref().is_some_and(|p| p.gives_not_null(c)) {
                                i.not_null_local = false;
                            }
                        }
                    }
                    for ix in &parents {
                        self.doubt_adopted_indexes(ix, std::slice::from_ref(&p));
                    }
                }
            }
            AlterCmd::DetachPartition(prv, concurrent) => {
                // Asked before the partition leaves: it keeps its copies of the
                // parent's constraints, as constraints of its own.
                let found = self.table_of(prv, false);
                let copies = found
                    .as_ref()
                    .is_some_and(|p| self.has_parents_constraint_copies(p));
                if let Some(p) = found
                    && let Some(t) = self.schema.tables.get_mut(&p).map(Arc::make_mut)
                {
                    t.partition_of = None;
                    // A detached partition's columns are its own.
                    t.inherited.clear();
                    // It keeps its copies of the parent's indexes, named after what
                    // the partition was called when each was made: the model does
                    // not keep them.
                    if copies || self.has_own_index(table) {
                        self.make_opaque(
                        p,
                        "DETACH PARTITION: the partition keeps copies of its parent's indexes and constraints, which the model does not name",
                    );
                    }
                }
                if *concurrent && let Some(p) = self.table_of(prv, false) {
                    self.keep_partition_constraint(table, &p);
                }
            }
            AlterCmd::Of(names) => {
                let of =
                    (names.as_deref()).and_then(|n| self.resolve_list(n, &self.schema.composites));
                if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
                    t.of_type = of;
                }
            }
            AlterCmd::AddInherit(prv) => {
                if let Some(parent) = self.table_of(prv, false) {
                    self.inherit_from(table, &parent);
                    if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut)
                        && !t.inherits.contains(&parent)
                    {
                        t.inherits.push(parent);
                    }
                }
            }
            AlterCmd::DropInherit(prv) => {
                if let Some(parent) = self.table_of(prv, false) {
                    let columns: Vec<String> = self
                        .schema
                        .tables
                        .get(&parent)
                        .map(|t| t.columns.iter().map(|c| c.name.clone()).collect())
                        .unwrap_or_default();
                    if let Some(t) = self.schema.tables.get_mut(table).map(Arc::make_mut) {
                        t.inherits.retain(|p| *p != parent);
                        for c in &columns {
                            t.parent_lost(c);
                        }
                    }
                }
            }
            AlterCmd::AlterConstraintInheritance { name, no_inherit } => {
                self.alter_not_null_inheritance(table, name, *no_inherit);
            }
            AlterCmd::ValidateConstraint(_) | AlterCmd::ChangeOwner | AlterCmd::Other => {}
        }
    }

    /// ALTER TYPE composite ADD / DROP / ALTER ATTRIBUTE.
    pub(crate) fn alter_composite(&mut self, s: &AlterComposite<'_>) {
        let rv = &s.name;
        let Some(q) = self.resolve(rv.schema, rv.name, &self.schema.composites) else {
            return;
        };
        for cmd in &s.cmds {
            let resolved = match &cmd.def {
                Some((name, tn)) => self
                    .resolve_type(tn)
                    .map(|(ty, _)| ((*name).to_owned(), ty)),
                None => None,
            };
            let Some(cols) = self.schema.composites.get_mut(&q) else {
                return;
            };
            match cmd.action {
                AttributeAction::Add => {
                    if let Some((name, ty)) = resolved
                        && !cols.iter().any(|c| c.name == name)
                    {
                        cols.push(Column::plain(name, ty));
                    }
                }
                AttributeAction::Drop => cols.retain(|c| c.name != cmd.name),
                AttributeAction::AlterType => {
                    if let Some((_, ty)) = resolved
                        && let Some(c) = cols.iter_mut().find(|c| c.name == cmd.name)
                    {
                        c.ty = ty;
                    }
                }
                AttributeAction::Other => {}
            }
            self.retype_typed_tables(&q, cmd);
        }
    }

    /// The tables made `OF` composite type `q`, which PostgreSQL changes
    /// with it (ALTER TYPE ... CASCADE; without CASCADE it refuses).
    pub(crate) fn typed_tables(&self, q: &QualName) -> Vec<QualName> {
        (self.schema.tables.values())
            .filter(|t| t.of_type.as_ref() == Some(q))
            .map(|t| t.name.clone())
            .collect()
    }

    /// An attribute command of composite `q`, on the tables of its type.
    fn retype_typed_tables(&mut self, q: &QualName, cmd: &crate::lower::alter::AttributeCmd<'_>) {
        for t in self.typed_tables(q) {
            match cmd.action {
                AttributeAction::Add => {
                    let col = (self.schema.composites.get(q)).and_then(|cols| cols.last().cloned());
                    if let Some(col) = col
                        && let Some(table) = self.schema.tables.get_mut(&t).map(Arc::make_mut)
                        && table.column(&col.name).is_none()
                    {
                        table.columns.push(col);
                    }
                }
                AttributeAction::Drop => self.drop_column_cascade(&t, cmd.name),
                AttributeAction::AlterType => {
                    let ty = (self.schema.composites.get(q))
                        .and_then(|cols| cols.iter().find(|c| c.name == cmd.name))
                        .map(|c| c.ty.clone());
                    if let Some(ty) = ty
                        && let Some(table) = self.schema.tables.get_mut(&t).map(Arc::make_mut)
                        && let Some(c) = table.column_mut(cmd.name)
                    {
                        c.ty = ty;
                    }
                }
                AttributeAction::Other => {}
            }
        }
    }
}

/// The index as PostgreSQL rebuilds it after `column` became `ty`, when every
/// expression that reads the column is a cast to `ty` of the bare column;
/// `None` when the model cannot tell.
fn retyped_index(ix: &Index, column: &str, ty: &SqlType) -> Option<Index> {
    let stmts = crate::sql::parse::parse("", &ix.definition).ok()?;
    let NodeEnum::IndexStmt(mut stmt) = stmts.into_iter().next()?.node else {
        return None;
    };
    for p in &mut stmt.index_params {
        let Some(NodeEnum::IndexElem(e)) = p.node.as_mut() else {
            continue;
        };
        let Some(expr) = e.expr.as_deref() else {
            continue;
        };
        let mut read = Vec::new();
        columns_read(Some(expr), &mut read);
        if !read.iter().any(|c| c == column) {
            continue;
        }
        let Some(NodeEnum::FuncCall(f)) = expr.node.as_ref() else {
            return None;
        };
        let cast_to = strings(&f.funcname)
            .last()
            .and_then(|n| types::resolve_builtin(n));
        let [arg] = f.args.as_slice() else {
            return None;
        };
        let bare = matches!(arg.node.as_ref(), Some(NodeEnum::ColumnRef(c))
            if strings(&c.fields).last().map(String::as_str) == Some(column));
        if !(bare && ty.array_dims == 0 && cast_to.is_some_and(|b| b.name == ty.name)) {
            return None;
        }
        e.expr = None;
        e.name = column.to_owned();
    }
    let columns = stmt
        .index_params
        .iter()
        .filter_map(|p| match p.node.as_ref() {
            Some(NodeEnum::IndexElem(e)) if e.name.is_empty() => Some("(expr)".to_owned()),
            Some(NodeEnum::IndexElem(e)) => Some(e.name.clone()),
            _ => None,
        })
        .collect();
    Some(Index {
        columns,
        definition: crate::lower::indexes::index_definition(&stmt),
        ..ix.clone()
    })
}
