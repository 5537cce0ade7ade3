//! The rules, one function per rule family.

use std::collections::BTreeSet;

use super::{Context, Level, Rule};
use crate::lower::Change;
use crate::lower::alter::{AlterCmd, ColumnChange};
use crate::lower::constraints::ConstraintDef;
use crate::lower::drop::DropKind;
use crate::lower::rename::Target;
use crate::lower::tables::{ColumnConstraint, ColumnDef};

pub const ADD_COLUMN_NOT_NULL: Rule = Rule {
    id: "add-column-not-null-without-default",
    level: Level::Error,
    why: "PostgreSQL refuses it on a table that has rows",
    fix: "add the column nullable (or with a DEFAULT), backfill it, then SET NOT NULL in a later migration",
};
pub const INDEX_NOT_CONCURRENT: Rule = Rule {
    id: "create-index-not-concurrently",
    level: Level::Error,
    why: "building the index blocks every write to the table until it finishes",
    fix: "use CREATE INDEX CONCURRENTLY in a migration of its own marked `-- migrate:no-transaction`",
};
pub const CONSTRAINT_NOT_VALID: Rule = Rule {
    id: "add-constraint-without-not-valid",
    level: Level::Error,
    why: "checking every existing row holds a lock that blocks writes for the whole scan",
    fix: "add it with NOT VALID, then VALIDATE CONSTRAINT in a later migration (that takes a weaker lock)",
};
pub const COLUMN_TYPE_CHANGE: Rule = Rule {
    id: "change-column-type",
    level: Level::Warning,
    why: "most type changes rewrite the table under an exclusive lock, and running code may read the old type",
    fix: "add a new column, backfill it, switch the code, then drop the old one",
};
pub const RENAME_OR_DROP: Rule = Rule {
    id: "rename-or-drop-in-use",
    level: Level::Error,
    why: "running code that still uses the old name breaks the moment this commits",
    fix: "deploy code that no longer uses it first (additive first, then clean up in a later migration)",
};
pub const SET_NOT_NULL: Rule = Rule {
    id: "set-not-null-without-check",
    level: Level::Warning,
    why: "SET NOT NULL scans the whole table under an exclusive lock",
    fix: "first add CHECK (col IS NOT NULL) NOT VALID and VALIDATE it; PostgreSQL 12+ then skips the scan",
};
pub const LOCK_TIMEOUT: Rule = Rule {
    id: "missing-lock-timeout",
    level: Level::Warning,
    why: "waiting for its lock, the statement queues every other query on the table behind it",
    fix: "put `SET lock_timeout = '5s';` at the top of the migration, and retry when it times out",
};
pub const VOLATILE_DEFAULT: Rule = Rule {
    id: "volatile-default",
    level: Level::Warning,
    why: "a volatile DEFAULT is computed per row, so adding the column rewrites the whole table under an exclusive lock",
    fix: "add the column without a default (or with a constant one), set the default, then backfill in batches",
};
pub const MODEL_INCOMPLETE: Rule = Rule {
    id: "model-incomplete",
    level: Level::Warning,
    why: "the compile-time checks and generated types do not see what this statement changes",
    fix: "prefer plain DDL the model can follow, or check the result on a database with the CLI's `verify-schema`",
};

pub const EMPTY_MIGRATION: Rule = Rule {
    id: "empty-migration",
    level: Level::Warning,
    why: "the up file has no statement: the migration records a version and changes nothing",
    fix: "fine as a placeholder; write the change, or delete the pair if it is not needed",
};

pub const ALL: &[Rule] = &[
    ADD_COLUMN_NOT_NULL,
    INDEX_NOT_CONCURRENT,
    CONSTRAINT_NOT_VALID,
    COLUMN_TYPE_CHANGE,
    RENAME_OR_DROP,
    SET_NOT_NULL,
    LOCK_TIMEOUT,
    VOLATILE_DEFAULT,
    MODEL_INCOMPLETE,
    EMPTY_MIGRATION,
];

/// Functions whose result differs per row.
const VOLATILE: &[&str] = &[
    "random",
    "clock_timestamp",
    "timeofday",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v4",
    "nextval",
    "txid_current",
];

/// What earlier migrations established, across files.
#[derive(Debug, Default)]
pub struct History {
    /// (table, column) with a validated `CHECK (col IS NOT NULL)`.
    not_null_checks: BTreeSet<(String, String)>,
    /// Check constraints named after (table, column) that wait for VALIDATE.
    pending_checks: Vec<(String, String, String)>,
}

fn lock_check(cx: &mut Context, table: &str, loc: i32) {
    if !cx.lock_timeout_set {
        cx.report(
            &LOCK_TIMEOUT,
            Some(loc),
            format!("this statement locks table \"{table}\""),
        );
        // One reminder per file is enough.
        cx.lock_timeout_set = true;
    }
}

/// The rules over one statement, lowered as the replay lowers it.
pub fn statement(cx: &mut Context, h: &mut History, change: &Change<'_>) {
    match change {
        Change::AlterTable(s) if !s.foreign => {
            let rv = &s.table;
            if !cx.existing(rv.schema, rv.name) {
                return;
            }
            let mut locks = false;
            for cmd in &s.cmds {
                locks |= alter_cmd(cx, h, rv.name, rv.at, cmd);
            }
            if locks {
                lock_check(cx, rv.name, rv.at);
            }
        }
        Change::CreateIndex(s) => {
            let rv = &s.table;
            if cx.existing(rv.schema, rv.name) && !s.concurrent {
                cx.report(
                    &INDEX_NOT_CONCURRENT,
                    Some(rv.at),
                    format!("index on existing table \"{}\"", rv.name),
                );
                lock_check(cx, rv.name, rv.at);
            }
        }
        Change::Rename(s) => {
            let Some(rv) = &s.relation else { return };
            let what = match s.target {
                Target::Column => format!("renames column \"{}.{}\"", rv.name, s.subname),
                Target::Table => format!("renames table \"{}\"", rv.name),
                _ => return,
            };
            if cx.existing(rv.schema, rv.name) {
                cx.report(&RENAME_OR_DROP, Some(rv.at), what);
            }
        }
        Change::Drop(s) if s.kind == DropKind::Table => {
            for names in &s.objects {
                let (schema, name) = match names.as_slice() {
                    [schema, name] => (schema.as_str(), name.as_str()),
                    [name] => ("", name.as_str()),
                    _ => continue,
                };
                if cx.existing(schema, name) {
                    cx.report(&RENAME_OR_DROP, None, format!("drops table \"{name}\""));
                }
            }
        }
        _ => {}
    }
}

/// Checks one ALTER TABLE command on an existing table; true when it takes a
/// lock worth a lock_timeout.
fn alter_cmd(cx: &mut Context, h: &mut History, table: &str, loc: i32, cmd: &AlterCmd) -> bool {
    match cmd {
        AlterCmd::AddColumn { def, .. } => add_column(cx, table, def),
        AlterCmd::AddConstraint(c) => {
            let kind = match &c.kind {
                ConstraintDef::ForeignKey { .. } => Some("foreign key"),
                ConstraintDef::Check { .. } => Some("check"),
                _ => None,
            };
            // PostgreSQL 18's `ADD CONSTRAINT n NOT NULL c` is SET NOT NULL
            // (NOT VALID skips the scan).
            if matches!(c.kind, ConstraintDef::NotNull { .. }) && !c.not_valid {
                for k in &c.keys {
                    set_not_null(cx, h, table, c.at, k);
                }
            }
            if let Some(kind) = kind
                && !c.not_valid
            {
                cx.report(
                    &CONSTRAINT_NOT_VALID,
                    Some(c.at),
                    format!("{kind} on existing table \"{table}\""),
                );
            }
            if let ConstraintDef::Check {
                not_null_of: Some(col),
                ..
            } = &c.kind
            {
                if c.not_valid {
                    h.pending_checks.push((
                        table.to_owned(),
                        col.clone(),
                        c.name.unwrap_or_default().to_owned(),
                    ));
                } else {
                    h.not_null_checks.insert((table.to_owned(), col.clone()));
                }
            }
            true
        }
        AlterCmd::ValidateConstraint(name) => {
            let done: Vec<(String, String)> = h
                .pending_checks
                .iter()
                .filter(|(t, _, n)| t == table && n == name)
                .map(|(t, c, _)| (t.clone(), c.clone()))
                .collect();
            h.not_null_checks.extend(done);
            false
        }
        AlterCmd::AlterType { column, .. } => {
            cx.report(
                &COLUMN_TYPE_CHANGE,
                Some(loc),
                format!("changes the type of \"{table}.{column}\""),
            );
            true
        }
        AlterCmd::DropColumn { column, .. } => {
            cx.report(
                &RENAME_OR_DROP,
                Some(loc),
                format!("drops column \"{table}.{column}\""),
            );
            true
        }
        AlterCmd::AlterColumn {
            column,
            change: ColumnChange::SetNotNull,
        } => {
            set_not_null(cx, h, table, loc, column);
            true
        }
        AlterCmd::ChangeOwner => false,
        AlterCmd::AlterColumn { .. }
        | AlterCmd::AlterConstraintInheritance { .. }
        | AlterCmd::DropConstraint { .. }
        | AlterCmd::AttachPartition(_)
        | AlterCmd::DetachPartition(..)
        | AlterCmd::AddInherit(_)
        | AlterCmd::Of(_)
        | AlterCmd::DropInherit(_)
        | AlterCmd::Other => true,
    }
}

/// SET NOT NULL of `table.column`: a scan under an ACCESS EXCLUSIVE lock,
/// unless a validated `CHECK (column IS NOT NULL)` proves it first.
fn set_not_null(cx: &mut Context, h: &History, table: &str, loc: i32, column: &str) {
    if !h
        .not_null_checks
        .contains(&(table.to_owned(), column.to_owned()))
    {
        cx.report(
            &SET_NOT_NULL,
            Some(loc),
            format!("sets \"{table}.{column}\" NOT NULL"),
        );
    }
}

/// ADD COLUMN on an existing table.
fn add_column(cx: &mut Context, table: &str, def: &ColumnDef) -> bool {
    for c in &def.constraints {
        if let ColumnConstraint::Table(c) = c
            && matches!(
                c.kind,
                ConstraintDef::ForeignKey { .. } | ConstraintDef::Check { .. }
            )
            && !c.not_valid
        {
            cx.report(
                &CONSTRAINT_NOT_VALID,
                Some(c.at),
                format!("column constraint on \"{table}.{}\"", def.name),
            );
        }
    }
    if def.any_not_null() && !def.any_default() && !def.serial() {
        cx.report(
            &ADD_COLUMN_NOT_NULL,
            Some(def.at),
            format!(
                "adds NOT NULL column \"{}\" to existing table \"{table}\" without a default",
                def.name
            ),
        );
    }
    if let Some(f) = def
        .default_calls
        .as_deref()
        .filter(|f| VOLATILE.contains(f))
    {
        cx.report(
            &VOLATILE_DEFAULT,
            Some(def.at),
            format!("column \"{table}.{}\" gets DEFAULT {f}()", def.name),
        );
    }
    true
}
