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
    /// (see [`parse_chunked`]), 0 for a file parsed whole.
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
fn scan_bytes(input: &[u8]) -> Option<Vec<Lexeme>> {
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

/// Files at least this large are parsed a chunk of statements at a time (see
/// [`parse_chunked`]): a whole parse tree is ~100 times the SQL (2 GB for a
/// 20 MB file of INSERTs, 700 MB of it in libpg_query while it parses), and
/// its tokens alone take ~10 times (libpg_query's array of them).
pub const CHUNKED_FROM: usize = 4 << 20;

/// [`parse_scanned`] a chunk of statements at a time, for a large file that
/// parses: `each` gets every chunk's statements in order and drops them, so
/// memory is one chunk's tokens and trees, not the file's. The statements (and,
/// with their `base`, the locations in them) are [`parse_scanned`]'s; `hash`,
/// when given, is fed the file's tokens in turn. `false` when the file does
/// not parse this way (a scanner or syntax error): [`parse_scanned`] then says
/// why, the one place syntax errors are made; `each` may have seen chunks.
///
/// Chunks end where libpg_query's scanner splits statements, past
/// `min_chunk` bytes (128 KB for the default threshold). Each is scanned and
/// parsed alone: its statements' `start` and `end` are the file's offsets, and
/// their `base`, the chunk's start, turns the locations in their trees into
/// the file's. (Parsing each chunk inside a blank buffer of the file's length,
/// so that libpg_query counted from the file's start, cost the file's length
/// twice over per chunk, in time and memory.) The scanner splits at every
/// `;`, also inside `BEGIN ATOMIC ... END` or the parenthesised actions of a
/// rule; a chunk cut there is unfinished, which the parser reports at the end
/// of its input, and it is parsed again together with the next.
pub fn parse_chunked(
    sql: &str,
    min_chunk: usize,
    hash: Option<&mut crate::source::checksum::TokenHash>,
    each: &mut dyn FnMut(Vec<Statement>),
) -> bool {
    chunked(sql, min_chunk, hash, each)
}

fn chunked(
    sql: &str,
    size: usize,
    mut hash: Option<&mut crate::source::checksum::TokenHash>,
    each: &mut dyn FnMut(Vec<Statement>),
) -> bool {
    if sql.as_bytes().contains(&0) {
        return false;
    }
    let Some(cuts) = cuts(sql, size) else {
        return false;
    };
    // Each chunk is parsed alone, with a NUL past its end, and its locations
    // are the chunk's (the statements carry the chunk's start as `base`).
    let mut input = Vec::new();
    let mut start = 0;
    for (i, &end) in cuts.iter().enumerate() {
        let Some(text) = sql.get(start..end) else {
            return false;
        };
        input.clear();
        input.extend_from_slice(text.as_bytes());
        input.push(0);
        let parsed = scan_bytes(&input).map(|tokens| (raw_parse_bytes(&input), tokens));
        match parsed {
            Some((Ok(raws), tokens)) => {
                if let Some(h) = hash.as_deref_mut() {
                    h.update(text, &tokens);
                }
                each(statements_of(raws, text, &tokens, text.len(), start));
                start = end;
            }
            // Unfinished at the cut: parse it again with the next chunk.
            Some((Err(RawError::Syntax { message, .. }), _))
                if message.contains("at end of input") && i + 1 < cuts.len() => {}
            _ => return false,
        }
    }
    true
}

/// Where the chunks end: the first statement start at least `size` past the
/// last cut, each time, then the file's end; `None` when the file does not
/// scan.
///
/// libpg_query's scanner finds the statements' starts a window at a time:
/// over the whole file at once it holds ~4 times the file (its copy of the
/// input, and token buffers grown to the file's size), which was the peak of
/// a large file's whole check. A window starts at a statement start, where
/// the scanner's state is known (nothing open), so every `;` it splits at is
/// one the whole file's scan splits at too, and the cuts are the same. A
/// window that ends inside a string, a comment or a dollar-quoted body does
/// not scan: it is doubled, up to the rest of the file, whose error is then
/// the file's own.
fn cuts(sql: &str, size: usize) -> Option<Vec<usize>> {
    let mut cuts = Vec::new();
    let mut from = 0usize;
    let mut window = size.saturating_mul(2).max(2);
    loop {
        let mut end = from.saturating_add(window).min(sql.len());
        while !sql.is_char_boundary(end) {
            end += 1;
        }
        let whole = end == sql.len();
        let text = sql.get(from..end)?;
        let Some((text, pieces)) = scan_window(text, size, whole) else {
            if whole {
                return None;
            }
            window = window.saturating_mul(2);
            continue;
        };
        // Offsets in the file: split_with_scanner returns slices of its input.
        let base = text.as_ptr() as usize;
        let at = |piece: &str| from + (piece.as_ptr() as usize).saturating_sub(base);
        // The window's last statement may be cut short by the window: its
        // start is used only once the window reaches the file's end.
        let trusted = if whole {
            pieces.len()
        } else {
            pieces.len().saturating_sub(1)
        };
        let next = pieces
            .iter()
            .take(trusted)
            .map(|p| at(p))
            .find(|&at| at > from && at - from >= size && sql.is_char_boundary(at));
        match next {
            Some(at) => {
                cuts.push(at);
                from = at;
                window = size.saturating_mul(2).max(2);
            }
            None if whole => break,
            None => window = window.saturating_mul(2),
        }
    }
    cuts.push(sql.len());
    Some(cuts)
}

/// Splits `text`, a window of the file from a statement's start, with
/// libpg_query's scanner; `None` when it does not scan. A window's end falls
/// inside a string more often than not in a file of data (and a string left
/// open does not scan), so one that does not scan is tried again ending just
/// past one of its last `;`s, as long as that leaves more than `size`
/// bytes; whatever the scanner then accepts, it splits exactly. The text
/// scanned is returned with its pieces.
fn scan_window(text: &str, size: usize, whole: bool) -> Option<(&str, Vec<&str>)> {
    if let Ok(pieces) = pg_query::split_with_scanner(text) {
        return Some((text, pieces));
    }
    if whole {
        return None;
    }
    let mut end = text.len();
    for _ in 0..16 {
        end = text
            .as_bytes()
            .get(..end)?
            .iter()
            .rposition(|&b| b == b';')?;
        if end <= size {
            return None;
        }
        let shorter = text.get(..=end)?;
        if let Ok(pieces) = pg_query::split_with_scanner(shorter) {
            return Some((shorter, pieces));
        }
    }
    None
}

fn nul_byte(path: &str) -> Diagnostic {
    Diagnostic::file(path, "the file contains a NUL byte")
        .with_help("remove it; PostgreSQL cannot receive it")
}

/// The statements of a parse whose input ended at `input_end` (a location of
/// `sql`), each from its first real token to its end.
fn statements_of(
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

enum RawError {
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
fn raw_parse_bytes(input: &[u8]) -> Result<Vec<RawStmt>, RawError> {
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

    /// Statements whose text holds `;` that ends no statement, comments,
    /// multibyte text: chunked at every `;`, the parse is the whole parse.
    const AWKWARD: &str = "-- héader\nCREATE TABLE t (id int, note text);\n\
        CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n\
        CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b);\n\
        /* c; */ INSERT INTO t VALUES (1, 'é;x');\n\
        DO $$ BEGIN PERFORM 1; END $$;\n\
        CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (2, 'ü'); END;\n\
        SELECT 1";

    fn chunked_parse(sql: &str, size: usize) -> Option<(Vec<Statement>, usize, String)> {
        let mut all = Vec::new();
        let mut chunks = 0;
        let mut hash = crate::source::checksum::TokenHash::default();
        chunked(sql, size, Some(&mut hash), &mut |s| {
            chunks += 1;
            all.extend(s);
        })
        .then(|| (all, chunks, hash.finish()))
    }

    #[test]
    fn a_chunked_parse_is_the_whole_parse() {
        let whole = parse("f.sql", AWKWARD).unwrap();
        let (chunked, chunks, hash) = chunked_parse(AWKWARD, 1).unwrap();
        assert_eq!(whole.len(), 7);
        assert!(chunks >= 5, "{chunks} chunks");
        assert_eq!(whole.len(), chunked.len());
        for (w, c) in whole.iter().zip(&chunked) {
            assert_eq!((w.start, w.end), (c.start, c.end));
            assert!(c.base > 0 || c.start == whole[0].start);
            let text = &AWKWARD[w.start..w.end];
            assert_eq!(located(&w.node, w.base), located(&c.node, c.base), "{text}");
        }
        assert_eq!(hash, crate::source::checksum::checksum(AWKWARD));
    }

    /// The tree with every `location` made the file's (`base` added). The
    /// other offsets (`arg_location`, `payload_location`, ...) are read by
    /// nothing here, and some are 0 for "none": left out.
    fn located(node: &NodeEnum, base: usize) -> serde_json::Value {
        fn shift(v: &mut serde_json::Value, base: i64) {
            match v {
                serde_json::Value::Object(map) => {
                    map.retain(|k, _| k == "location" || !k.ends_with("location"));
                    for (k, v) in map.iter_mut() {
                        match v.as_i64() {
                            Some(at) if k == "location" && at >= 0 => *v = (at + base).into(),
                            _ => shift(v, base),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(|v| shift(v, base)),
                _ => {}
            }
        }
        let mut v = serde_json::to_value(node).unwrap();
        shift(&mut v, base as i64);
        v
    }

    /// The cuts of one scan of the whole file, as they were made before the
    /// scan went a window at a time.
    fn cuts_of_one_scan(sql: &str, size: usize) -> Vec<usize> {
        let split = pg_query::split_with_scanner(sql).unwrap();
        let base = sql.as_ptr() as usize;
        let mut cuts = Vec::new();
        let mut from = 0;
        for s in split {
            let at = s.as_ptr() as usize - base;
            if at > from && at - from >= size {
                cuts.push(at);
                from = at;
            }
        }
        cuts.push(sql.len());
        cuts
    }

    #[test]
    fn the_windowed_scan_cuts_where_one_scan_of_the_file_does() {
        // Windows end inside strings, comments, dollar quotes and multibyte
        // characters at one size or another.
        let sql = format!(
            "{AWKWARD};\nSELECT $body$ a; b; $body$;\nSELECT 'x;\n;y', E'\\';';\n{AWKWARD}"
        );
        for size in [1, 2, 3, 7, 20, 50, 120, 300, sql.len()] {
            assert_eq!(
                cuts(&sql, size),
                Some(cuts_of_one_scan(&sql, size)),
                "size {size}"
            );
        }
        assert_eq!(cuts("SELECT 1; SELECT 'open", 1), None);
    }

    #[test]
    fn a_chunked_parse_leaves_errors_to_the_whole_parse() {
        for bad in [
            format!("{AWKWARD};\nCREATE TABLE b (id int,, x int);\nSELECT 2;"),
            format!("{AWKWARD};\nSELECT 'é', ,;\nSELECT 2;"),
            format!("{AWKWARD};\nCREATE TABLE b (id int"),
            format!("{AWKWARD};\nSELECT 'unterminated"),
            format!("{AWKWARD};\nSELECT 1\0;"),
        ] {
            assert!(parse("f.sql", &bad).is_err(), "{bad}");
            assert!(chunked_parse(&bad, 1).is_none(), "{bad}");
        }
    }

    #[test]
    fn column_counts_characters_not_bytes() {
        let sql = "SELECT 'é', ,;";
        let d = parse("f.sql", sql).unwrap_err();
        assert_eq!(d.pos, Some(SourcePos { line: 1, col: 13 }));
    }
}
