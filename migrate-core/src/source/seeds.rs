//! Finding seed files: the one discovery for the macro and the runtime's
//! `SEED_DIR` alike.

use std::borrow::Cow;
use std::path::Path;

use crate::diag::{Diagnostic, Diagnostics};
use crate::migration::{Seed, Seeds};
use crate::sql::parse::{Statement, parse};

/// The file that removes the seed rows; it runs on `clean`, not on `seed`.
pub const CLEAN_FILE: &str = "clean.sql";

/// One seed file as discovery parsed it, for checks that read its statements.
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
    let (mut seeds, mut clean) = (Vec::new(), None);
    // The one listing of .sql files: links followed (ConfigMap mounts), and a
    // file that cannot be read is reported, never skipped.
    let mut files = match crate::source::dir::sql_files(dir) {
        Ok(f) => f,
        Err(e) => {
            diags.push(Diagnostic::file(
                display,
                format!("cannot read the seeds directory: {e}"),
            ));
            return Seeds::new(Vec::new(), None);
        }
    };
    files.sort_by(|a, b| a.name.cmp(&b.name));
    for f in files {
        let name = f.name;
        let path = format!("{display}/{name}");
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
        let seed = Seed {
            name: Cow::Owned(file.name),
            path: Cow::Owned(file.path),
            sql: Cow::Owned(file.sql),
        };
        if name == CLEAN_FILE {
            clean = Some(seed);
        } else {
            seeds.push(seed);
        }
    }
    Seeds::new(seeds, clean)
}
