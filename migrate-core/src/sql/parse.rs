//! PostgreSQL's own parser (libpg_query) over a whole SQL file.

use std::ffi::{CStr, CString, c_char, c_int};

use pg_query::NodeEnum;
use pg_query::protobuf::{ParseResult, RawStmt, Token};

use crate::diag::Diagnostic;
use crate::sql::position::LineIndex;

/// One top-level statement of a file and the bytes it spans.
#[derive(Debug, Clone)]
pub struct Statement {
    /// libpg_query's parse tree of the statement.
    pub node: NodeEnum,
    /// Byte offset of the statement's first token (comments before it skipped).
    pub start: usize,
    /// Byte offset just past the statement (its semicolon excluded).
    pub end: usize,
    /// What to add to the parser's locations inside `node` to make them the
    /// file's byte offsets: where the chunk the statement was parsed in starts
    /// (see [`parse_chunked`](crate::sql::chunks::parse_chunked)), 0 for a file parsed whole.
    pub base: usize,
}

/// A lexical token of a file: its bytes and whether it is a comment. Offsets
/// are 32-bit, as libpg_query's are (a file is at most 1 GB, PostgreSQL's
/// limit on a query): a large file has millions of tokens, all kept at once.
#[derive(Debug, Clone, Copy)]
pub struct Lexeme {
    start: u32,
    end: u32,
    /// A comment (`--` or `/* */`).
    pub comment: bool,
}

impl Lexeme {
    /// Byte offset of the first byte.
    pub fn start(&self) -> usize {
        self.start as usize
    }

    /// Byte offset just past the last byte.
    pub fn end(&self) -> usize {
        self.end as usize
    }
}

/// The tokens of `sql`, comments included; `None` when the scanner rejects the
/// text (an unterminated literal), which the parser then reports with a place.
pub fn scan(sql: &str) -> Option<Vec<Lexeme>> {
    scan_bytes(CString::new(sql).ok()?.as_bytes_with_nul())
}

/// [`scan`] of a NUL-terminated buffer (its first NUL ends the input).
pub(super) fn scan_bytes(input: &[u8]) -> Option<Vec<Lexeme>> {
    let input = CStr::from_bytes_until_nul(input).ok()?;
    // pg_query::scan_tokens builds a slice from the C array without checking it:
    // for input with no token the array is NULL, and a slice from NULL is
    // undefined behaviour (debug builds abort the compiler on it). Only
    // PostgreSQL's whitespace (scan.l's `space`) yields no token at all: every
    // other character starts a token or is a scanner error.
    if input
        .to_bytes()
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0c | 0x0b))
    {
        return Some(Vec::new());
    }
    // libpg_query's C array of tokens, read directly: pg_query::scan would
    // encode and decode a protobuf message of them, and pg_query::scan_tokens
    // copies them into a vector of its own first (a large file has millions).
    let (sql_comment, c_comment) = (Token::SqlComment as c_int, Token::CComment as c_int);
    // SAFETY: `input` is a valid NUL-terminated string that outlives the call;
    // the array has `n_tokens` elements when there is no error (NULL when there
    // are none, ruled out above and checked again here), is read before it is
    // freed, and is freed exactly once.
    unsafe {
        let result = pg_query_scan_tokens(input.as_ptr());
        let out = if result.error.is_null() && !result.tokens.is_null() {
            let tokens = std::slice::from_raw_parts(result.tokens, result.n_tokens.max(0) as usize);
            Some(
                tokens
                    .iter()
                    .map(|t| Lexeme {
                        start: t.start.max(0) as u32,
                        end: t.end.max(0) as u32,
                        comment: t.token == sql_comment || t.token == c_comment,
                    })
                    .collect(),
            )
        } else {
            None
        };
        pg_query_free_scan_tokens_result(result);
        out
    }
}

/// The string values of a name list (`["public", "vms"]`).
pub(crate) fn strings(nodes: &[pg_query::protobuf::Node]) -> Vec<String> {
    nodes
        .iter()
        .filter_map(|n| match &n.node {
            Some(NodeEnum::String(s)) => Some(s.sval.clone()),
            _ => None,
        })
        .collect()
}

/// Parses a file into statements, or returns PostgreSQL's syntax error placed at
/// `path:line:col`.
pub fn parse(path: &str, sql: &str) -> Result<Vec<Statement>, Diagnostic> {
    parse_scanned(path, sql, scan(sql).as_deref().unwrap_or_default())
}

/// [`parse`] with the file's tokens already scanned (the checksum needs them too,
/// so a file is scanned once).
pub fn parse_scanned(
    path: &str,
    sql: &str,
    tokens: &[Lexeme],
) -> Result<Vec<Statement>, Diagnostic> {
    let stmts = match raw_parse(sql) {
        Ok(stmts) => stmts,
        Err(RawError::Nul) => return Err(nul_byte(path)),
        Err(RawError::Syntax { message, cursor }) => {
            return Err(syntax_error(path, sql, message, cursor));
        }
    };
    Ok(statements_of(stmts, sql, tokens, sql.len(), 0))
}

fn nul_byte(path: &str) -> Diagnostic {
    Diagnostic::file(path, "the file contains a NUL byte")
        .with_help("remove it; PostgreSQL cannot receive it")
}

/// The statements of a parse whose input ended at `input_end` (a location of
/// `sql`), each from its first real token to its end.
pub(super) fn statements_of(
    stmts: Vec<RawStmt>,
    sql: &str,
    tokens: &[Lexeme],
    input_end: usize,
    base: usize,
) -> Vec<Statement> {
    let mut out = Vec::with_capacity(stmts.len());
    for raw in stmts {
        let Some(node) = raw.stmt.and_then(|n| n.node) else {
            continue;
        };
        let loc = raw.stmt_location.max(0) as usize;
        let end = if raw.stmt_len > 0 {
            loc + raw.stmt_len as usize
        } else {
            // Zero length means "to the end of the input".
            tokens
                .iter()
                .rev()
                .skip_while(|t| t.end() > input_end)
                .find(|t| {
                    !t.comment && t.start() >= loc && sql.get(t.start()..t.end()) != Some(";")
                })
                .map(|t| t.end())
                .unwrap_or(input_end)
        };
        // The parser's location includes comments and blanks before the statement;
        // messages should point at its first real token.
        let first = tokens.partition_point(|t| t.start() < loc);
        let start = tokens
            .get(first..)
            .unwrap_or_default()
            .iter()
            .find(|t| !t.comment)
            .map(|t| t.start())
            .unwrap_or(loc)
            .min(end);
        out.push(Statement {
            node,
            start: base + start,
            end: base + end,
            base,
        });
    }
    out
}

/// Builds the diagnostic for a parse failure at PostgreSQL's 1-based character
/// cursor (0 when it gave none).
fn syntax_error(path: &str, sql: &str, message: String, cursor: usize) -> Diagnostic {
    let index = LineIndex::new(sql);
    let offset = if cursor > 0 {
        index.char_pos_to_offset(cursor)
    } else {
        sql.len()
    };
    let pos = index.pos(offset);
    let help = if message.contains("unterminated") {
        "close the quoted string, comment or dollar-quoted body".to_owned()
    } else if message.contains("at end of input") {
        "the last statement is incomplete".to_owned()
    } else {
        "the statement is not valid PostgreSQL; fix the SQL near the caret".to_owned()
    };
    Diagnostic {
        path: path.to_owned(),
        pos: Some(pos),
        message,
        snippet: Some(index.line(pos.line).to_owned()),
        help: Some(help),
    }
}

pub(super) enum RawError {
    Nul,
    Syntax { message: String, cursor: usize },
}

/// libpg_query's parse, called through its C API rather than `pg_query::parse`:
/// the Rust wrapper drops the error's cursor position and, on success, walks the
/// whole tree again to list tables and functions we never use (a third of the
/// parse time on a large migration set).
fn raw_parse(sql: &str) -> Result<Vec<RawStmt>, RawError> {
    let input = CString::new(sql).map_err(|_| RawError::Nul)?;
    raw_parse_bytes(input.as_bytes_with_nul())
}

/// [`raw_parse`] of a NUL-terminated buffer (its first NUL ends the input).
pub(super) fn raw_parse_bytes(input: &[u8]) -> Result<Vec<RawStmt>, RawError> {
    use prost::Message;

    let input = CStr::from_bytes_until_nul(input).map_err(|_| RawError::Nul)?;
    // SAFETY: `input` is a valid NUL-terminated string that outlives the call; the
    // result is read before it is freed, exactly once.
    unsafe {
        let result = pg_query_parse_protobuf(input.as_ptr());
        let out = if !result.error.is_null() {
            let err = &*result.error;
            Err(RawError::Syntax {
                message: CStr::from_ptr(err.message).to_string_lossy().into_owned(),
                cursor: err.cursorpos.max(0) as usize,
            })
        } else {
            let data = std::slice::from_raw_parts(
                result.parse_tree.data as *const u8,
                result.parse_tree.len,
            );
            match ParseResult::decode(data) {
                Ok(tree) => Ok(tree.stmts),
                // libpg_query encodes what it parsed; a tree it cannot decode is a
                // version mismatch, reported like a parse failure rather than a panic.
                Err(e) => Err(RawError::Syntax {
                    message: format!("cannot decode the parse tree: {e}"),
                    cursor: 0,
                }),
            }
        };
        pg_query_free_protobuf_parse_result(result);
        out
    }
}

#[repr(C)]
struct PgQueryError {
    message: *mut c_char,
    funcname: *mut c_char,
    filename: *mut c_char,
    lineno: c_int,
    cursorpos: c_int,
    context: *mut c_char,
}

#[repr(C)]
struct PgQueryProtobuf {
    len: usize,
    data: *mut c_char,
}

#[repr(C)]
struct PgQueryProtobufParseResult {
    parse_tree: PgQueryProtobuf,
    stderr_buffer: *mut c_char,
    error: *mut PgQueryError,
}

#[repr(C)]
struct PgQueryScanToken {
    start: c_int,
    end: c_int,
    /// PgQueryToken: the numbering of pg_query's protobuf `Token`.
    token: c_int,
    keyword_kind: c_int,
}

#[repr(C)]
struct PgQueryScanTokensResult {
    tokens: *mut PgQueryScanToken,
    n_tokens: c_int,
    error: *mut PgQueryError,
}

// Linked from the static libpg_query that the pg_query crate builds; the layouts
// match pg_query.h of the vendored libpg_query.
unsafe extern "C" {
    fn pg_query_scan_tokens(input: *const c_char) -> PgQueryScanTokensResult;
    fn pg_query_free_scan_tokens_result(result: PgQueryScanTokensResult);
    fn pg_query_parse_protobuf(input: *const c_char) -> PgQueryProtobufParseResult;
    fn pg_query_free_protobuf_parse_result(result: PgQueryProtobufParseResult);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourcePos;

    #[test]
    fn statements_point_at_their_first_token() {
        let sql = "-- header\nCREATE TABLE a (id int);\n\n/* c */ DROP TABLE a;";
        let stmts = parse("f.sql", sql).unwrap();
        assert_eq!(stmts.len(), 2);
        assert_eq!(
            &sql[stmts[0].start..stmts[0].end],
            "CREATE TABLE a (id int)"
        );
        assert_eq!(&sql[stmts[1].start..stmts[1].end], "DROP TABLE a");
    }

    #[test]
    fn syntax_error_has_line_and_column() {
        let sql = "CREATE TABLE a (id int);\nCREATE TABLE b (id int,, x int);\n";
        let d = parse("f.sql", sql).unwrap_err();
        assert_eq!(d.pos, Some(SourcePos { line: 2, col: 24 }));
        assert_eq!(d.message, "syntax error at or near \",\"");
        assert_eq!(
            d.snippet.as_deref(),
            Some("CREATE TABLE b (id int,, x int);")
        );
    }

    #[test]
    fn column_counts_characters_not_bytes() {
        let sql = "SELECT 'é', ,;";
        let d = parse("f.sql", sql).unwrap_err();
        assert_eq!(d.pos, Some(SourcePos { line: 1, col: 13 }));
    }
}
