//! Seed files must fit the schema the migrations build.

use std::path::{Path, PathBuf};

use pg_query::NodeEnum;
use pg_query::protobuf::{self as pb, a_const};

use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::schema::{QualName, Schema};
use crate::replay::{ReplayFindings, replay_statements};
use crate::sql::parse::{Statement, parse};
use crate::sql::position::LineIndex;

/// The file that removes the seed rows; it runs on `clean`, not on `seed`.
pub const CLEAN_FILE: &str = "clean.sql";

/// One seed file.
#[derive(Debug, Clone)]
pub struct SeedFile {
    /// As the user names it: the seeds argument joined with the file name.
    pub path: String,
    /// The file name without `.sql`.
    pub name: String,
    /// The file's exact content.
    pub sql: String,
    /// Its top-level statements.
    pub statements: Vec<Statement>,
}

/// The seeds directory: files that run in name order, and `clean.sql`.
#[derive(Debug, Clone, Default)]
pub struct Seeds {
    /// The seed files, in name order (`clean.sql` excluded).
    pub files: Vec<SeedFile>,
    /// `clean.sql`, when there is one.
    pub clean: Option<SeedFile>,
    /// Every file read, for rebuild tracking.
    pub read: Vec<PathBuf>,
}

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

/// The one discovery of seed files, for the macro and the runtime's
/// `SEED_DIR` alike: every `.sql` of `dir` in name order (links followed),
/// read as UTF-8 and parsed; `each` sees every file that parsed, in name
/// order. A file that cannot be read, is not UTF-8 or does not parse is a
/// finding, never skipped in silence.
pub fn load(
    dir: &Path,
    display: &str,
    diags: &mut Diagnostics,
    mut each: impl FnMut(&SeedFile, &mut Diagnostics),
) -> Seeds {
    let display = display.trim_end_matches('/');
    let mut seeds = Seeds::default();
    // The one listing of .sql files: links followed (ConfigMap mounts), and a
    // file that cannot be read is reported, never skipped.
    let mut files = match crate::source::dir::sql_files(dir) {
        Ok(f) => f,
        Err(e) => {
            diags.push(Diagnostic::file(
                display,
                format!("cannot read the seeds directory: {e}"),
            ));
            return seeds;
        }
    };
    files.sort_by(|a, b| a.name.cmp(&b.name));
    for f in files {
        let name = f.name;
        let path = format!("{display}/{name}");
        seeds.read.push(f.path.clone());
        let sql = match f.bytes.map(String::from_utf8) {
            Ok(Ok(s)) => s,
            Ok(Err(_)) => {
                diags.push(
                    Diagnostic::file(&path, "the file is not valid UTF-8")
                        .with_help("save it as UTF-8"),
                );
                continue;
            }
            Err(e) => {
                diags.push(Diagnostic::file(
                    &path,
                    format!("cannot read the file: {e}"),
                ));
                continue;
            }
        };
        let statements = match parse(&path, &sql) {
            Ok(s) => s,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let file = SeedFile {
            path,
            name: name.trim_end_matches(".sql").to_owned(),
            sql,
            statements,
        };
        each(&file, diags);
        if name == CLEAN_FILE {
            seeds.clean = Some(file);
        } else {
            seeds.files.push(file);
        }
    }
    seeds
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
