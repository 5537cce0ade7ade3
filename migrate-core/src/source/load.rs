//! Reads a migrations directory into parsed, paired migrations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics};
use crate::source::checksum::checksum_scanned;
use crate::source::filename::{self, Direction, NameError};
use crate::sql::parse::{Statement, parse_scanned, scan};

/// Options for [`discover`].
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Every up needs a down. Off only for up-only corpora (Harbor's).
    pub require_down: bool,
    /// Keep each file's parse trees (`SqlFile::statements`). Off: every file is
    /// still parsed (its syntax errors reported in order), then its statements
    /// are dropped, for a caller that parses a migration again when it needs it
    /// ([`crate::analyze::analyze_files_each`]): the trees are ~60 times the SQL,
    /// too much to hold for a whole directory.
    pub keep_trees: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            require_down: true,
            keep_trees: true,
        }
    }
}

/// One SQL file, read and parsed.
#[derive(Debug, Clone)]
pub struct SqlFile {
    /// As the user names it: the directory argument joined with the file name.
    pub path: String,
    /// The file's exact content, which is what runs.
    pub sql: String,
    pub checksum: String,
    /// False when the header says `-- migrate:no-transaction`.
    pub transactional: bool,
    /// True when the header says `-- migrate:irreversible`.
    pub irreversible: bool,
    pub statements: Vec<Statement>,
    /// Where the statements marked `-- migrate:unchecked` start (all of them
    /// when the marker heads the file): the model treats them as opaque.
    pub unchecked: Vec<usize>,
    /// The file did not parse (its syntax error is reported); checks that need
    /// its statements skip it rather than report consequences of that error.
    pub parse_failed: bool,
}

/// An up file and its down, under one version.
#[derive(Debug, Clone)]
pub struct SourceMigration {
    pub version: i64,
    pub name: String,
    pub up: SqlFile,
    pub down: Option<SqlFile>,
}

/// What [`discover`] found: the migrations that could be read, and everything
/// wrong with the directory. Both are filled: a bad file does not hide the others.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub migrations: Vec<SourceMigration>,
    /// Every file read, for rebuild tracking.
    pub files: Vec<PathBuf>,
    pub diagnostics: Diagnostics,
}

const NO_TRANSACTION: &str = "migrate:no-transaction";
const IRREVERSIBLE: &str = "migrate:irreversible";
const UNCHECKED: &str = "migrate:unchecked";

/// The `.sql` files of `dir` that [`discover`] reads: regular files with UTF-8
/// names, in name order.
///
/// # Errors
///
/// The directory cannot be read.
pub fn sql_file_names(dir: &Path) -> std::io::Result<Vec<String>> {
    Ok(sql_names(std::fs::read_dir(dir)?))
}

fn sql_names(entries: std::fs::ReadDir) -> Vec<String> {
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

/// Reads `dir`, whose files are named for messages as `display/<file>`.
pub fn discover(dir: &Path, display: &str, opts: &LoadOptions) -> Discovered {
    let mut out = Discovered::default();
    let display = display.trim_end_matches('/');
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            // The OS's wording differs between systems; say the common case plainly.
            let why = if e.kind() == std::io::ErrorKind::NotFound {
                "the migrations directory does not exist".to_owned()
            } else {
                format!("cannot read the migrations directory: {e}")
            };
            out.diagnostics
                .push(Diagnostic::file(display, why).with_help(
                    "create it, or pass the directory that holds the .up.sql/.down.sql files",
                ));
            return out;
        }
    };
    let names = sql_names(entries);
    let files: Vec<(String, std::io::Result<Vec<u8>>)> = names
        .into_iter()
        .map(|n| {
            let full = dir.join(&n);
            out.files.push(full.clone());
            let bytes = std::fs::read(&full);
            (n, bytes)
        })
        .collect();
    let found = discover_files(display, files, opts);
    out.migrations = found.migrations;
    out.diagnostics.extend(found.diagnostics);
    out
}

/// The same as [`discover`] over files already read: (file name, contents).
/// The CLI uses it to check the migrations embedded in the binary.
pub fn discover_files(
    display: &str,
    mut files: Vec<(String, std::io::Result<Vec<u8>>)>,
    opts: &LoadOptions,
) -> Discovered {
    let mut out = Discovered::default();
    let display = display.trim_end_matches('/');
    files.sort_by(|a, b| a.0.cmp(&b.0));
    // version -> (name, up, down)
    type Slot = (String, Option<SqlFile>, Option<SqlFile>);
    let mut by_version: BTreeMap<i64, Slot> = BTreeMap::new();
    // Names first, in order; then the files are read into statements in
    // parallel; then paired, in order, so diagnostics come out as before.
    let mut named = Vec::new();
    for (file, bytes) in files {
        let path = format!("{display}/{file}");
        let parsed = match filename::parse(&file) {
            None => continue,
            Some(Ok(p)) => p,
            Some(Err(NameError::Pattern)) => {
                named.push(Err(
                    Diagnostic::file(&path, "file name does not match {version}_{name}.up.sql or {version}_{name}.down.sql")
                        .with_help("rename it, e.g. 000004_add_gpus.up.sql; files that do not end in .sql are ignored"),
                ));
                continue;
            }
            Some(Err(NameError::VersionTooLarge(digits))) => {
                named.push(Err(Diagnostic::file(
                    &path,
                    format!(
                        "version {digits} does not fit in a bigint (at most 9223372036854775807)"
                    ),
                )
                .with_help("use a sequential number or a YYYYMMDDHHMMSS timestamp")));
                continue;
            }
        };
        named.push(Ok((path, parsed, bytes)));
    }
    let loaded = crate::par::map(named, |entry| {
        entry.map(|(path, parsed, bytes)| {
            let mut diags = Diagnostics::default();
            let mut file = load_file(bytes, &path, &mut diags);
            if !opts.keep_trees
                && let Some(f) = file.as_mut()
            {
                f.statements = Vec::new();
            }
            (parsed, file, diags)
        })
    });
    for entry in loaded {
        let (parsed, sql_file, diags) = match entry {
            Ok(loaded) => loaded,
            Err(d) => {
                out.diagnostics.push(d);
                continue;
            }
        };
        out.diagnostics.extend(diags);
        let Some(sql_file) = sql_file else {
            continue;
        };
        let path = sql_file.path.clone();
        let slot = by_version
            .entry(parsed.version)
            .or_insert_with(|| (parsed.name.clone(), None, None));
        if slot.0 != parsed.name {
            out.diagnostics.push(
                Diagnostic::file(
                    &path,
                    format!(
                        "version {} has two names: \"{}\" and \"{}\"",
                        parsed.version, slot.0, parsed.name
                    ),
                )
                .with_help("each version is one migration; give one of them a new version number"),
            );
            continue;
        }
        match parsed.direction {
            Direction::Up => slot.1 = Some(sql_file),
            Direction::Down => slot.2 = Some(sql_file),
        }
    }

    for (version, (name, up, down)) in by_version {
        match up {
            None => {
                if let Some(down) = down {
                    out.diagnostics.push(
                        Diagnostic::file(
                            &down.path,
                            format!("down migration {version} has no up migration"),
                        )
                        .with_help(format!("add {}", down.path.replace(".down.sql", ".up.sql"))),
                    );
                }
            }
            Some(up) => {
                // An empty or comment-only up is a migration that does nothing:
                // golang-migrate, sqlx, refinery and dbmate all accept it, and
                // real projects ship them as placeholders (`lint` mentions them).
                if down.is_none() && opts.require_down {
                    out.diagnostics.push(
                        Diagnostic::file(&up.path, format!("up migration {version} has no down migration"))
                            .with_help(format!(
                                "add {} that undoes it (mark it `-- {IRREVERSIBLE}` if it cannot be undone)",
                                up.path.replace(".up.sql", ".down.sql")
                            )),
                    );
                }
                out.migrations.push(SourceMigration {
                    version,
                    name,
                    up,
                    down,
                });
            }
        }
    }

    if out.migrations.is_empty() && out.diagnostics.is_empty() {
        out.diagnostics.push(
            Diagnostic::file(display, "the migrations directory has no migrations")
                .with_help("create one: novacron-db create init_schema --seq"),
        );
    }
    out
}

/// Reads and parses one file; problems go to `diags` and the file is still
/// returned when it could be read, so pairing checks see it.
fn load_file(
    bytes: std::io::Result<Vec<u8>>,
    path: &str,
    diags: &mut Diagnostics,
) -> Option<SqlFile> {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            diags.push(Diagnostic::file(path, format!("cannot read the file: {e}")));
            return None;
        }
    };
    let sql = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => {
            diags.push(
                Diagnostic::file(path, "the file is not valid UTF-8").with_help("save it as UTF-8"),
            );
            return None;
        }
    };
    let (transactional, irreversible, unchecked_file) = markers(path, &sql, diags);
    let tokens = scan(&sql);
    let (statements, parse_failed) =
        match parse_scanned(path, &sql, tokens.as_deref().unwrap_or_default()) {
            Ok(s) => (s, false),
            Err(d) => {
                diags.push(d);
                (Vec::new(), true)
            }
        };
    let unchecked = unchecked_statements(&sql, &statements, unchecked_file);
    Some(SqlFile {
        unchecked,
        path: path.to_owned(),
        checksum: checksum_scanned(&sql, tokens.as_deref()),
        transactional,
        irreversible,
        statements,
        parse_failed,
        sql,
    })
}

/// Reads the `-- migrate:...` markers from the file's leading comment lines.
fn markers(path: &str, sql: &str, diags: &mut Diagnostics) -> (bool, bool, bool) {
    let mut transactional = true;
    let mut irreversible = false;
    let mut unchecked = false;
    for (i, line) in sql.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix("--") else {
            break;
        };
        let word = comment.trim();
        if word == NO_TRANSACTION {
            transactional = false;
        } else if word == IRREVERSIBLE {
            irreversible = true;
        } else if word == UNCHECKED {
            unchecked = true;
        } else if let Some(rest) = word.strip_prefix("migrate:") {
            let col = line_col_of(sql, i, "migrate:");
            diags.push(Diagnostic {
                path: path.to_owned(),
                pos: Some(crate::diag::SourcePos {
                    line: i as u32 + 1,
                    col,
                }),
                message: format!("unknown marker \"migrate:{rest}\""),
                snippet: Some(sql.lines().nth(i).unwrap_or_default().to_owned()),
                help: Some(format!(
                    "the markers are `-- {NO_TRANSACTION}`, `-- {IRREVERSIBLE}` and `-- {UNCHECKED}`"
                )),
            });
        }
    }
    (transactional, irreversible, unchecked)
}

/// The statements an `-- migrate:unchecked` line stands above (with only
/// comments and blanks between), or all of them when the file's header has it.
fn unchecked_statements(sql: &str, statements: &[Statement], whole_file: bool) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev_end = 0;
    for s in statements {
        let gap = sql.get(prev_end..s.start).unwrap_or_default();
        let marked = gap
            .lines()
            .any(|l| l.trim().strip_prefix("--").map(str::trim) == Some(UNCHECKED));
        if whole_file || marked {
            out.push(s.start);
        }
        prev_end = s.end;
    }
    out
}

fn line_col_of(sql: &str, line: usize, needle: &str) -> u32 {
    let text = sql.lines().nth(line).unwrap_or_default();
    text.find(needle)
        .map(|b| text[..b].chars().count() as u32 + 1)
        .unwrap_or(1)
}
