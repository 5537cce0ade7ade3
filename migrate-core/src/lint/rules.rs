//! The rules, one function per rule family.

use std::collections::BTreeSet;

use pg_query::NodeEnum;
use pg_query::protobuf as pb;

use super::{Atype, Context, Ctype, Level, Otype, Rule, is};
use crate::sql::parse::{Statement, strings};

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

/// The column a `CHECK (col IS NOT NULL)` is about.
fn not_null_check_column(c: &pb::Constraint) -> Option<String> {
    match c.raw_expr.as_ref()?.node.as_ref()? {
        NodeEnum::NullTest(nt) if nt.nulltesttype == pb::NullTestType::IsNotNull as i32 => {
            match nt.arg.as_ref()?.node.as_ref()? {
                NodeEnum::ColumnRef(cr) => strings(&cr.fields).last().cloned(),
                _ => None,
            }
        }
        _ => None,
    }
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

pub fn statement(cx: &mut Context, h: &mut History, stmt: &Statement) {
    match &stmt.node {
        NodeEnum::AlterTableStmt(s) if is(s.objtype, Otype::ObjectTable) => {
            let Some(rv) = &s.relation else { return };
            if !cx.existing(&rv.schemaname, &rv.relname) {
                return;
            }
            let table = rv.relname.clone();
            let mut locks = false;
            for cmd in &s.cmds {
                let Some(NodeEnum::AlterTableCmd(cmd)) = &cmd.node else {
                    continue;
                };
                locks |= alter_cmd(cx, h, &table, rv.location, cmd);
            }
            if locks {
                lock_check(cx, &table, rv.location);
            }
        }
        NodeEnum::IndexStmt(s) => {
            let Some(rv) = &s.relation else { return };
            if cx.existing(&rv.schemaname, &rv.relname) && !s.concurrent {
                cx.report(
                    &INDEX_NOT_CONCURRENT,
                    Some(rv.location),
                    format!("index on existing table \"{}\"", rv.relname),
                );
                lock_check(cx, &rv.relname, rv.location);
            }
        }
        NodeEnum::RenameStmt(s) => {
            let Some(rv) = &s.relation else { return };
            let what = if is(s.rename_type, Otype::ObjectColumn) {
                format!("renames column \"{}.{}\"", rv.relname, s.subname)
            } else if is(s.rename_type, Otype::ObjectTable) {
                format!("renames table \"{}\"", rv.relname)
            } else {
                return;
            };
            if cx.existing(&rv.schemaname, &rv.relname) {
                cx.report(&RENAME_OR_DROP, Some(rv.location), what);
            }
        }
        NodeEnum::DropStmt(s) if is(s.remove_type, Otype::ObjectTable) => {
            for o in &s.objects {
                let Some(NodeEnum::List(l)) = &o.node else {
                    continue;
                };
                let names = strings(&l.items);
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

/// Checks one ALTER TABLE action on an existing table; true when it takes a lock
/// worth a lock_timeout.
fn alter_cmd(
    cx: &mut Context,
    h: &mut History,
    table: &str,
    loc: i32,
    cmd: &pb::AlterTableCmd,
) -> bool {
    let st = cmd.subtype;
    let def = cmd.def.as_ref().and_then(|d| d.node.as_ref());
    if is(st, Atype::AtAddColumn) {
        let Some(NodeEnum::ColumnDef(cd)) = def else {
            return true;
        };
        let mut not_null = cd.is_not_null;
        let mut default = cd.raw_default.as_deref();
        for c in &cd.constraints {
            if let Some(NodeEnum::Constraint(c)) = &c.node {
                if is(c.contype, Ctype::ConstrNotnull) || is(c.contype, Ctype::ConstrPrimary) {
                    not_null = true;
                }
                if is(c.contype, Ctype::ConstrDefault) {
                    default = c.raw_expr.as_deref();
                }
                if (is(c.contype, Ctype::ConstrForeign) || is(c.contype, Ctype::ConstrCheck))
                    && !c.skip_validation
                {
                    cx.report(
                        &CONSTRAINT_NOT_VALID,
                        Some(c.location),
                        format!("column constraint on \"{table}.{}\"", cd.colname),
                    );
                }
            }
        }
        let identity_or_serial = cd.type_name.as_ref().is_some_and(|t| {
            strings(&t.names)
                .last()
                .is_some_and(|n| n.ends_with("serial"))
        });
        if not_null && default.is_none() && !identity_or_serial {
            cx.report(
                &ADD_COLUMN_NOT_NULL,
                Some(cd.location),
                format!(
                    "adds NOT NULL column \"{}\" to existing table \"{table}\" without a default",
                    cd.colname
                ),
            );
        }
        if let Some(d) = default
            && let Some(f) = volatile_call(d)
        {
            cx.report(
                &VOLATILE_DEFAULT,
                Some(cd.location),
                format!("column \"{table}.{}\" gets DEFAULT {f}()", cd.colname),
            );
        }
        true
    } else if is(st, Atype::AtAddConstraint) {
        let Some(NodeEnum::Constraint(c)) = def else {
            return true;
        };
        let is_fk = is(c.contype, Ctype::ConstrForeign);
        let is_check = is(c.contype, Ctype::ConstrCheck);
        if (is_fk || is_check) && !c.skip_validation {
            let kind = if is_fk { "foreign key" } else { "check" };
            cx.report(
                &CONSTRAINT_NOT_VALID,
                Some(c.location),
                format!("{kind} on existing table \"{table}\""),
            );
        }
        if is_check && let Some(col) = not_null_check_column(c) {
            if c.skip_validation {
                h.pending_checks
                    .push((table.to_owned(), col, c.conname.clone()));
            } else {
                h.not_null_checks.insert((table.to_owned(), col));
            }
        }
        true
    } else if is(st, Atype::AtValidateConstraint) {
        let done: Vec<(String, String, String)> = h
            .pending_checks
            .iter()
            .filter(|(t, _, n)| t == table && *n == cmd.name)
            .cloned()
            .collect();
        for (t, c, _) in done {
            h.not_null_checks.insert((t, c));
        }
        false
    } else if is(st, Atype::AtAlterColumnType) {
        cx.report(
            &COLUMN_TYPE_CHANGE,
            Some(loc),
            format!("changes the type of \"{table}.{}\"", cmd.name),
        );
        true
    } else if is(st, Atype::AtDropColumn) {
        cx.report(
            &RENAME_OR_DROP,
            Some(loc),
            format!("drops column \"{table}.{}\"", cmd.name),
        );
        true
    } else if is(st, Atype::AtSetNotNull) {
        if !h
            .not_null_checks
            .contains(&(table.to_owned(), cmd.name.clone()))
        {
            cx.report(
                &SET_NOT_NULL,
                Some(loc),
                format!("sets \"{table}.{}\" NOT NULL", cmd.name),
            );
        }
        true
    } else {
        !is(st, Atype::AtChangeOwner)
    }
}

/// The name of a volatile function a DEFAULT expression calls directly.
fn volatile_call(expr: &pb::Node) -> Option<String> {
    let NodeEnum::FuncCall(f) = expr.node.as_ref()? else {
        return None;
    };
    let name = strings(&f.funcname).last()?.clone();
    VOLATILE.contains(&name.as_str()).then_some(name)
}
