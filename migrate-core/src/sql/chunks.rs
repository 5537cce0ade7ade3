//! A large file parsed a chunk of statements at a time: where the chunks
//! are cut (libpg_query's scanner, a window at a time) and how each chunk's
//! statements keep the file's offsets.

use super::parse::{RawError, Statement, raw_parse_bytes, scan_bytes, statements_of};

/// Files at least this large are parsed a chunk of statements at a time (see
/// [`parse_chunked`]): a whole parse tree is ~100 times the SQL (2 GB for a
/// 20 MB file of INSERTs, 700 MB of it in libpg_query while it parses), and
/// its tokens alone take ~10 times (libpg_query's array of them).
pub const CHUNKED_FROM: usize = 4 << 20;

/// [`parse_scanned`](super::parse::parse_scanned) a chunk of statements at a time, for a large file that
/// parses: `each` gets every chunk's statements in order and drops them, so
/// memory is one chunk's tokens and trees, not the file's. The statements (and,
/// with their `base`, the locations in them) are [`parse_scanned`](super::parse::parse_scanned)'s; `hash`,
/// when given, is fed the file's tokens in turn. `false` when the file does
/// not parse this way (a scanner or syntax error): [`parse_scanned`](super::parse::parse_scanned) then says
/// why, the one place syntax errors are made; `each` may have seen chunks.
///
/// Chunks end where libpg_query's scanner splits statements, past
/// `size` bytes (128 KB for the default threshold). Each is scanned and
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse;
    use pg_query::NodeEnum;

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
        parse_chunked(sql, size, Some(&mut hash), &mut |s| {
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
}
