//! Reads a migrations directory into parsed, paired migrations.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::markers::IRREVERSIBLE;
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::filename::{self, Direction, NameError};
use crate::source::sql_file::{SqlFile, load_file};
use crate::sql::chunks::CHUNKED_FROM;

/// Options for [`discover`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoadOptions {
    /// Every up needs a down. Off only for up-only corpora (Harbor's).
    pub require_down: bool,
    /// Keep each file's parse trees (`SqlFile::statements`). Off: every file is
    /// still parsed (its syntax errors reported in order), then its statements
    /// are dropped, for a caller that parses a migration again when it needs it
    /// ([`crate::analyze::analyze_files_each`]): the trees are ~60 times the SQL,
    /// too much to hold for a whole directory.
    pub keep_trees: bool,
    /// Files at least this large are parsed a chunk of statements at a time
    /// and never keep their trees ([`CHUNKED_FROM`]; tests lower it).
    pub chunked_from: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            require_down: true,
            keep_trees: true,
            chunked_from: CHUNKED_FROM,
        }
    }
}

impl LoadOptions {
    /// See [`LoadOptions::require_down`] (the struct is `#[non_exhaustive]`:
    /// callers start from [`LoadOptions::default`]).
    #[must_use]
    pub fn with_require_down(mut self, v: bool) -> Self {
        self.require_down = v;
        self
    }
}

/// An up file and its down, under one version.
#[derive(Debug, Clone)]
pub struct SourceMigration {
    /// The version number.
    pub version: i64,
    /// The name from the file names.
    pub name: String,
    /// The up file.
    pub up: SqlFile,
    /// The down file; `None` in an up-only directory.
    pub down: Option<SqlFile>,
}

/// What [`discover`] found: the migrations that could be read, and everything
/// wrong with the directory. Both are filled: a bad file does not hide the others.
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    /// The migrations found, in version order.
    pub migrations: Vec<SourceMigration>,
    /// Every file read, for rebuild tracking.
    pub files: Vec<PathBuf>,
    /// What is wrong with the files.
    pub diagnostics: Diagnostics,
}

/// Reads `dir`, whose files are named for messages as `display/<file>`.
pub fn discover(dir: &Path, display: &str, opts: &LoadOptions) -> Discovered {
    let mut out = Discovered::default();
    let display = display.trim_end_matches('/');
    let listed = match crate::source::dir::sql_files(dir) {
        Ok(l) => l,
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
    let files: Vec<(String, std::io::Result<Vec<u8>>)> = listed
        .into_iter()
        .map(|f| {
            out.files.push(f.path);
            (f.name, f.bytes)
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
    // version -> the digits it was first written with, and that file.
    let mut spelled: BTreeMap<i64, (String, String)> = BTreeMap::new();
    // Versions refused for that: their pairing findings would be consequences.
    let mut misspelled = std::collections::BTreeSet::new();
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
        // `2_x.up.sql` and `0002_x.up.sql` are one version to the integer
        // parse; pairing them would keep one and drop the other unseen.
        let digits = file.split_once('_').map_or("", |(d, _)| d).to_owned();
        match spelled.get(&parsed.version) {
            Some((first_digits, first)) if *first_digits != digits => {
                named.push(Err(Diagnostic::file(
                    &path,
                    format!(
                        "version {} is spelled two ways: {first} and {path}",
                        parsed.version
                    ),
                )
                .with_help(format!(
                    "they are one version to the tool and to golang-migrate; give every file of it the same digits ({first_digits}_...), or give one of them a new version number"
                ))));
                misspelled.insert(parsed.version);
                continue;
            }
            Some(_) => {}
            None => {
                spelled.insert(parsed.version, (digits, path.clone()));
            }
        }
        named.push(Ok((path, parsed, bytes)));
    }
    let loaded = crate::par::map(named, |entry| {
        entry.map(|(path, parsed, bytes)| {
            let mut diags = Diagnostics::default();
            let mut file = load_file(bytes, &path, opts.chunked_from, &mut diags);
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
                if let Some(down) = down.filter(|_| !misspelled.contains(&version)) {
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
                if down.is_none() && opts.require_down && !misspelled.contains(&version) {
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
                .with_help("add a first migration, 000001_init_schema.up.sql and 000001_init_schema.down.sql (the CLI's `create init_schema --seq` writes both)"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, sql: &str) -> (String, std::io::Result<Vec<u8>>) {
        (name.to_owned(), Ok(sql.as_bytes().to_vec()))
    }

    #[test]
    fn a_byte_order_mark_is_named_and_nothing_else() {
        let found = discover_files(
            "m",
            vec![
                file("1_x.up.sql", "\u{feff}CREATE TABLE x (id int);"),
                file("1_x.down.sql", "DROP TABLE x;"),
            ],
            &LoadOptions::default(),
        );
        let msgs: Vec<String> = found.diagnostics.iter().map(|d| d.headline()).collect();
        assert_eq!(
            msgs,
            [
                "m/1_x.up.sql:1:1: the file starts with a UTF-8 byte order mark (BOM), which PostgreSQL rejects"
            ]
        );
    }

    /// A LATIN1 file (`SET client_encoding = 'LATIN1'` and an accented
    /// comment) is named, and its pair is not said to have no up.
    #[test]
    fn a_file_not_in_utf8_is_named_and_nothing_else() {
        let latin1 =
            b"SET client_encoding = 'LATIN1';\n-- caf\xe9\nCREATE TABLE x (id int);".to_vec();
        let found = discover_files(
            "m",
            vec![
                ("1_x.up.sql".to_owned(), Ok(latin1)),
                file("1_x.down.sql", "DROP TABLE x;"),
            ],
            &LoadOptions::default(),
        );
        let msgs: Vec<String> = found.diagnostics.iter().map(|d| d.headline()).collect();
        assert_eq!(msgs, ["m/1_x.up.sql: the file is not valid UTF-8"]);
    }

    #[test]
    fn two_spellings_of_one_version_name_both_files() {
        let found = discover_files(
            "m",
            vec![
                file("2_x.up.sql", "SELECT 1;"),
                file("2_x.down.sql", "SELECT 1;"),
                file("0002_x.up.sql", "SELECT 2;"),
            ],
            &LoadOptions::default(),
        );
        let msgs: Vec<String> = found.diagnostics.iter().map(|d| d.headline()).collect();
        assert_eq!(
            msgs,
            [
                "m/2_x.down.sql: version 2 is spelled two ways: m/0002_x.up.sql and m/2_x.down.sql",
                "m/2_x.up.sql: version 2 is spelled two ways: m/0002_x.up.sql and m/2_x.up.sql",
            ]
        );
    }

    /// The transaction control a file may hold: BEGIN first and COMMIT last
    /// in a file that runs in a transaction (left out of what is sent), and
    /// closed BEGIN ... COMMIT blocks in a no-transaction one; all else is
    /// refused where it is.
    #[test]
    fn begin_and_commit_that_wrap_a_file_or_close_a_block_are_accepted() {
        let notx = "-- migrate:no-transaction\n";
        let cases: [(String, &[&str]); 8] = [
            ("BEGIN;\nCREATE TABLE x (id int);\nCOMMIT;".into(), &[]),
            (
                format!("{notx}BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;"),
                &[],
            ),
            ("START TRANSACTION; SELECT 1; END;".into(), &[]),
            (
                format!("{notx}CREATE INDEX CONCURRENTLY i ON t (a);\nBEGIN;\nSELECT 1;\nCOMMIT;"),
                &[],
            ),
            (
                "CREATE TABLE x (id int);\nCOMMIT;\nSELECT 1;".into(),
                &["2:1: transaction control inside a migration"],
            ),
            (
                "BEGIN;\nSELECT 1;".into(),
                &["1:1: BEGIN without a COMMIT as the file's last statement"],
            ),
            (
                "BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;".into(),
                &[
                    "1:1: transaction control inside a migration",
                    "3:1: transaction control inside a migration",
                ],
            ),
            (
                format!("{notx}BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nROLLBACK;"),
                &[
                    "3:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
                    "4:1: transaction control inside a migration",
                    "2:1: BEGIN without a COMMIT before the end of the file",
                ],
            ),
        ];
        for (sql, want) in cases {
            let found = discover_files(
                "m",
                vec![file("1_x.up.sql", &sql), file("1_x.down.sql", "SELECT 1;")],
                &LoadOptions::default(),
            );
            let msgs: Vec<String> = (found.diagnostics.iter())
                .map(|d| d.headline().trim_start_matches("m/1_x.up.sql:").to_owned())
                .collect();
            assert_eq!(msgs, want, "{sql}");
            if want.is_empty() {
                let up = &found.migrations[0].up;
                let sent: Vec<&str> = up.spans.iter().map(|&(a, b)| &up.sql[a..b]).collect();
                assert!(
                    !sent
                        .iter()
                        .any(|s| s.starts_with("BEGIN") && !sql.starts_with(notx)),
                    "{sent:?}"
                );
            }
        }
    }

    /// `-- migrate:` then a space is prose, unless a marker follows (a space
    /// too many); dbmate's `migrate:up` is named as dbmate's.
    #[test]
    fn a_comment_that_starts_with_migrate_colon_space_is_prose() {
        let cases: [(&str, &[&str]); 4] = [
            (
                "-- migrate: split this file once the backfill is done\nSELECT 1;",
                &[],
            ),
            (
                "-- migrate: no-transaction\nSELECT 1;",
                &["1:4: marker \"migrate: no-transaction\" has a space after the colon"],
            ),
            (
                "-- migrate:up\nSELECT 1;",
                &["1:4: unknown marker \"migrate:up\""],
            ),
            (
                "-- migrate:no-transactions\nSELECT 1;",
                &["1:4: unknown marker \"migrate:no-transactions\""],
            ),
        ];
        for (sql, want) in cases {
            let found = discover_files(
                "m",
                vec![file("1_x.up.sql", sql), file("1_x.down.sql", "SELECT 1;")],
                &LoadOptions::default(),
            );
            let msgs: Vec<String> = (found.diagnostics.iter())
                .map(|d| d.headline().trim_start_matches("m/1_x.up.sql:").to_owned())
                .collect();
            assert_eq!(msgs, want, "{sql}");
        }
    }
}
