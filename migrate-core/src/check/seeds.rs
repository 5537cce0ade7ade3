//! Seed files must fit the schema the migrations build.

use std::path::Path;

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, a_const};

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::migration::Seeds;
use crate::model::schema::{QualName, Schema};
use crate::replay::{ReplayFindings, replay_statements};
use crate::source::seeds::{SeedFile, load};
use crate::sql::parse::Statement;
use crate::sql::position::LineIndex;

pub use crate::source::seeds::CLEAN_FILE;

/// Reads and checks every seed file against `schema` (the latest migration's).
pub fn load_and_check(
    dir: &Path,
    display: &str,
    schema: &Schema,
    diags: &mut Diagnostics,
) -> Seeds {
    load(dir, display, diags, |file, diags| {
        check(file, schema, diags)
    })
}

/// Checks one seed file: the tables and columns it names exist, INSERTs give
/// every NOT NULL column that has no default, and enum values are labels.
pub fn check(file: &SeedFile, schema: &Schema, diags: &mut Diagnostics) {
    let mut scratch = schema.clone();
    let mut findings = ReplayFindings::default();
    replay_statements(
        &mut scratch,
        &file.path,
        &file.sql,
        &file.statements,
        &mut findings,
    );
    let replay_failed = !findings.errors.is_empty();
    diags.extend(findings.errors);
    if replay_failed {
        return;
    }
    let index = LineIndex::new(&file.sql);
    for stmt in &file.statements {
        if let NodeEnum::InsertStmt(ins) = &stmt.node {
            check_insert(file, &index, stmt, ins, &scratch, diags);
        }
    }
}

fn at(
    file: &SeedFile,
    index: &LineIndex,
    offset: usize,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    let pos = index.pos(offset);
    Diagnostic {
        path: file.path.clone(),
        pos: Some(pos),
        message,
        snippet: Some(index.line(pos.line).to_owned()),
        help,
    }
}

fn check_insert(
    file: &SeedFile,
    index: &LineIndex,
    stmt: &Statement,
    ins: &pb::InsertStmt,
    schema: &Schema,
    diags: &mut Diagnostics,
) {
    let Some(rv) = &ins.relation else { return };
    let schema_name = if rv.schemaname.is_empty() {
        "public"
    } else {
        rv.schemaname.as_str()
    };
    let Some(table) = schema
        .tables
        .get(&QualName::new(schema_name, rv.relname.clone()))
    else {
        return;
    };
    let cols: Vec<(String, i32)> = ins
        .cols
        .iter()
        .filter_map(|c| match &c.node {
            Some(NodeEnum::ResTarget(rt)) => Some((rt.name.clone(), rt.location)),
            _ => None,
        })
        .collect();
    let named: Vec<&str> = if cols.is_empty() {
        table.columns.iter().map(|c| c.name.as_str()).collect()
    } else {
        cols.iter().map(|(n, _)| n.as_str()).collect()
    };
    for c in &table.columns {
        if !c.optional_on_insert() && !named.contains(&c.name.as_str()) {
            diags.push(at(
                file,
                index,
                stmt.start,
                format!("insert into \"{}\" leaves out column \"{}\", which is NOT NULL and has no default", table.name, c.name),
                Some(format!("add \"{}\" to the column list and give it a value", c.name)),
            ));
        }
    }
    // Enum labels in VALUES lists.
    let Some(NodeEnum::SelectStmt(sel)) = ins.select_stmt.as_ref().and_then(|s| s.node.as_ref())
    else {
        return;
    };
    for row in &sel.values_lists {
        let Some(NodeEnum::List(items)) = &row.node else {
            continue;
        };
        for (value, col_name) in items.items.iter().zip(&named) {
            let Some(col) = table.column(col_name) else {
                continue;
            };
            let Some(type_schema) = &col.ty.schema else {
                continue;
            };
            let Some(labels) = schema
                .enums
                .get(&QualName::new(type_schema.clone(), col.ty.name.clone()))
            else {
                continue;
            };
            if col.ty.array_dims > 0 {
                continue;
            }
            if let Some((label, loc)) = string_constant(value)
                && !labels.contains(&label)
            {
                let help = match did_you_mean(&label, labels.iter().map(String::as_str)) {
                    Some(s) => {
                        format!("did you mean '{s}'? the labels are: {}", labels.join(", "))
                    }
                    None => format!("the labels are: {}", labels.join(", ")),
                };
                diags.push(at(
                    file,
                    index,
                    loc,
                    format!(
                        "'{label}' is not a label of enum type \"{}\" (column {}.{})",
                        col.ty, table.name, col.name
                    ),
                    Some(help),
                ));
            }
        }
    }
}

/// A string literal, possibly cast (`'running'::vm_state`), with its offset.
fn string_constant(node: &pb::Node) -> Option<(String, usize)> {
    match node.node.as_ref()? {
        NodeEnum::AConst(c) => match &c.val {
            Some(a_const::Val::Sval(s)) => Some((s.sval.clone(), c.location.max(0) as usize)),
            _ => None,
        },
        NodeEnum::TypeCast(tc) => string_constant(tc.arg.as_deref()?),
        _ => None,
    }
}
