//! One SQL file read and parsed: its statements (a large file's a chunk at a
//! time), checksum, markers and the transaction check.

use super::markers::{markers, unchecked_statements};
use crate::check::tx::TxCheck;
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::checksum::{TokenHash, checksum, checksum_scanned};
use crate::sql::chunks::parse_chunked;
use crate::sql::parse::{Statement, parse_scanned, scan};

/// One SQL file, read and parsed.
#[derive(Debug, Clone)]
pub struct SqlFile {
    /// As the user names it: the directory argument joined with the file name.
    pub path: String,
    /// The file's exact content, which is what runs.
    pub sql: String,
    /// The SHA-256 of the content, hex.
    pub checksum: String,
    /// False when the header says `-- migrate:no-transaction`.
    pub transactional: bool,
    /// True when the header says `-- migrate:irreversible`.
    pub irreversible: bool,
    /// Its top-level statements' parse trees, when they are kept (see
    /// [`SqlFile::statements_in_turn`]): not for a large file, nor after
    /// discovery when [`LoadOptions::keep_trees`](super::load::LoadOptions::keep_trees) is off.
    pub statements: Vec<Statement>,
    /// Where its top-level statements are (first token to end, byte offsets),
    /// whether or not the trees are kept.
    pub spans: Vec<(usize, usize)>,
    /// Where the statements marked `-- migrate:unchecked` start (all of them
    /// when the marker heads the file): the model treats them as opaque.
    pub unchecked: Vec<usize>,
    /// The file did not parse (its syntax error is reported); checks that need
    /// its statements skip it rather than report consequences of that error.
    pub parse_failed: bool,
    /// Large: parsed in chunks of at least this many bytes, its trees never
    /// kept (see [`SqlFile::statements_in_turn`]).
    pub chunked: Option<usize>,
}

impl SqlFile {
    /// The statements in turn: `each` gets them all at once when their trees
    /// are kept; else the file is parsed again (it parsed before, so the same
    /// statements come back), a chunk at a time when it is large. Nothing for
    /// a file that did not parse.
    pub fn statements_in_turn(&self, each: &mut dyn FnMut(&[Statement])) {
        if !self.statements.is_empty() || self.parse_failed || self.spans.is_empty() {
            each(&self.statements);
            return;
        }
        // Past the statements `each` has seen, should a chunked parse stop
        // where the whole parse goes on (it did not at load, or the file
        // would have been loaded whole): no statement is seen twice.
        let mut seen_to = 0;
        if let Some(size) = self.chunked
            && parse_chunked(&self.sql, size, None, &mut |chunk| {
                seen_to = chunk.last().map_or(seen_to, |s| s.end);
                each(&chunk);
            })
        {
            return;
        }
        if let Ok(mut statements) = crate::sql::parse::parse(&self.path, &self.sql) {
            statements.retain(|s| s.start >= seen_to);
            each(&statements);
        }
    }
}

/// A file refused before its parse (not UTF-8, a BOM), kept unparsed so that
/// its pair is not reported missing too.
fn unparsed(path: &str, sql: String) -> SqlFile {
    SqlFile {
        path: path.to_owned(),
        checksum: checksum_scanned(&sql, None),
        transactional: true,
        irreversible: false,
        statements: Vec::new(),
        spans: Vec::new(),
        unchecked: Vec::new(),
        parse_failed: true,
        chunked: None,
        sql,
    }
}

/// Reads and parses one file; problems go to `diags` and the file is still
/// returned when it could be read, so pairing checks see it.
pub(super) fn load_file(
    bytes: std::io::Result<Vec<u8>>,
    path: &str,
    chunked_from: usize,
    diags: &mut Diagnostics,
) -> Option<SqlFile> {
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) => {
            // Skipping it would apply the others and lose this one silently.
            diags.push(
                Diagnostic::file(path, format!("cannot read the file: {e}")).with_help(
                    "every .sql file of the directory is used: make it a readable file, or move it out",
                ),
            );
            return None;
        }
    };
    let sql = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => {
            diags.push(
                Diagnostic::file(path, "the file is not valid UTF-8").with_help("save it as UTF-8"),
            );
            return Some(unparsed(
                path,
                String::from_utf8_lossy(e.as_bytes()).into_owned(),
            ));
        }
    };
    // Refused rather than stripped: golang-migrate sends the file as it is and
    // PostgreSQL rejects the BOM (`syntax error at or near "\u{feff}CREATE"`),
    // so a file this tool applied would fail in the tool it replaces; and the
    // server's error would not say what is wrong. (psql -f strips it.)
    if sql.starts_with('\u{feff}') {
        diags.push(
            Diagnostic {
                path: path.to_owned(),
                pos: Some(crate::diag::SourcePos { line: 1, col: 1 }),
                message:
                    "the file starts with a UTF-8 byte order mark (BOM), which PostgreSQL rejects"
                        .to_owned(),
                snippet: None,
                help: None,
            }
            .with_help("save it as UTF-8 without a BOM (e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' FILE)"),
        );
        return Some(unparsed(path, sql));
    }
    let (transactional, irreversible, unchecked_file) = markers(path, &sql, diags);
    let span = |s: &Statement| (s.start, s.end);
    // The parse: the trees (kept for a file parsed whole), the spans, the
    // checksum, and the chunk size of a file parsed a chunk at a time.
    let (parsed, mut spans, checksum, chunked, wrapped) = {
        // A large file's tokens and trees are never all in memory at once:
        // only its spans are kept, and checks parse it again a chunk at a
        // time. One that does not parse so is parsed whole, which reports
        // its error.
        let mut in_chunks = None;
        if sql.len() >= chunked_from {
            // 128 KB at the default threshold: a chunk's trees are ~90 times
            // its SQL (12 MB), and a chunk costs nothing but its own bytes.
            // Tests that lower the threshold get smaller chunks, many to a file.
            let chunk = chunked_from / 32;
            let mut spans = Vec::new();
            let mut found = Diagnostics::default();
            let mut hash = TokenHash::default();
            let mut tx = TxCheck::new(path, &sql, transactional);
            if parse_chunked(&sql, chunk, Some(&mut hash), &mut |statements| {
                tx.statements(&statements, &mut found);
                spans.extend(statements.iter().map(span));
            }) {
                let wrapped = tx.finish(&mut found);
                diags.extend(found);
                // Token offsets into CRLF text would not match the normalised
                // text that checksum() hashes.
                let sum = if sql.contains('\r') {
                    checksum(&sql)
                } else {
                    hash.finish()
                };
                in_chunks = Some((spans, sum, chunk, wrapped));
            }
        }
        match in_chunks {
            Some((spans, sum, chunk, wrapped)) => {
                (Ok(Vec::new()), spans, sum, Some(chunk), wrapped)
            }
            None => {
                let tokens = scan(&sql);
                let parsed = parse_scanned(path, &sql, tokens.as_deref().unwrap_or_default());
                let mut wrapped = false;
                if let Ok(statements) = &parsed {
                    let mut tx = TxCheck::new(path, &sql, transactional);
                    tx.statements(statements, diags);
                    wrapped = tx.finish(diags);
                }
                let spans = parsed
                    .as_ref()
                    .map(|s| s.iter().map(span).collect())
                    .unwrap_or_default();
                (
                    parsed,
                    spans,
                    checksum_scanned(&sql, tokens.as_deref()),
                    None,
                    wrapped,
                )
            }
        }
    };
    let (mut statements, parse_failed) = match parsed {
        Ok(statements) => (statements, false),
        Err(d) => {
            diags.push(d);
            (Vec::new(), true)
        }
    };
    // A file wrapped in BEGIN ... COMMIT runs in the runner's transaction
    // (TxCheck): the two are not sent. (A chunked file's replay parses them
    // again, and passes over them.)
    if wrapped {
        spans.pop();
        spans.remove(0);
        if !statements.is_empty() {
            statements.pop();
            statements.remove(0);
        }
    }
    Some(SqlFile {
        unchecked: unchecked_statements(&sql, &spans, unchecked_file),
        path: path.to_owned(),
        checksum,
        transactional,
        irreversible,
        statements,
        spans,
        parse_failed,
        chunked,
        sql,
    })
}
