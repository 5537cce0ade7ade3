//! Seed files must fit the schema the migrations build.

use std::path::Path;

use pg_query::NodeEnum;

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::lower::dml::{Dml, dml};
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
        if let NodeEnum::InsertStmt(_) = &stmt.node {
            check_insert(file, &index, stmt, &dml(&stmt.node), &scratch, diags);
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
    ins: &Dml,
    schema: &Schema,
    diags: &mut Diagnostics,
) {
    let Some(rv) = &ins.target else { return };
    let schema_name = if rv.schema.is_empty() {
        "public"
    } else {
        rv.schema
    };
    let Some(table) = schema.tables.get(&QualName::new(schema_name, rv.name)) else {
        return;
    };
    let named: Vec<&str> = if ins.written.is_empty() {
        table.columns.iter().map(|c| c.name.as_str()).collect()
    } else {
        ins.written.iter().map(|(n, _)| n.as_str()).collect()
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
    for row in ins.rows() {
        for (value, col_name) in row.into_iter().zip(&named) {
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
            if let Some((label, loc)) = value
                && !labels.iter().any(|l| l == label)
            {
                let help = match did_you_mean(label, labels.iter().map(String::as_str)) {
                    Some(s) => {
                        format!("did you mean '{s}'? the labels are: {}", labels.join(", "))
                    }
                    None => format!("the labels are: {}", labels.join(", ")),
                };
                diags.push(at(
                    file,
                    index,
                    stmt.base + loc,
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
