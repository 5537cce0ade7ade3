//! The `-- migrate:...` markers of a migration file: `no-transaction`,
//! `irreversible` and `unchecked` (the whole file, or the statement below).

use crate::diag::{Diagnostic, Diagnostics};

const NO_TRANSACTION: &str = "migrate:no-transaction";
pub(super) const IRREVERSIBLE: &str = "migrate:irreversible";
const UNCHECKED: &str = "migrate:unchecked";

/// Reads the `-- migrate:...` markers from the file's leading comment lines.
pub(super) fn markers(path: &str, sql: &str, diags: &mut Diagnostics) -> (bool, bool, bool) {
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
        } else if is_unchecked(word) {
            unchecked = true;
        } else if let Some(rest) = word.strip_prefix("migrate:") {
            // `migrate:` then a space is prose (`-- migrate: split this
            // later`), unless what follows is a marker with a space too many.
            let spaced = rest.starts_with(char::is_whitespace);
            let (message, help) = match rest.trim() {
                m if spaced && !is_marker(&format!("migrate:{m}")) => continue,
                m if spaced => (
                    format!("marker \"migrate: {m}\" has a space after the colon"),
                    format!("write it `-- migrate:{m}`"),
                ),
                "up" | "down" => (
                    format!("unknown marker \"migrate:{rest}\""),
                    "dbmate's layout (up and down in one file) is not read: split it into NNN_name.up.sql and NNN_name.down.sql".to_owned(),
                ),
                _ => (
                    format!("unknown marker \"migrate:{rest}\""),
                    format!(
                        "the markers are `-- {NO_TRANSACTION}`, `-- {IRREVERSIBLE}` and `-- {UNCHECKED}`"
                    ),
                ),
            };
            let col = line_col_of(sql, i, "migrate:");
            diags.push(Diagnostic {
                path: path.to_owned(),
                pos: Some(crate::diag::SourcePos {
                    line: i as u32 + 1,
                    col,
                }),
                message,
                snippet: Some(sql.lines().nth(i).unwrap_or_default().to_owned()),
                help: Some(help),
            });
        }
    }
    (transactional, irreversible, unchecked)
}

/// One of the markers (`migrate:unchecked` with or without its reason).
fn is_marker(word: &str) -> bool {
    word == NO_TRANSACTION || word == IRREVERSIBLE || is_unchecked(word)
}

/// `migrate:unchecked`, alone or followed by the reason.
fn is_unchecked(comment: &str) -> bool {
    comment
        .strip_prefix(UNCHECKED)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
}

/// The statements an `-- migrate:unchecked` line stands above (with only
/// comments and blanks between), or all of them when the file's header has it.
pub(super) fn unchecked_statements(
    sql: &str,
    spans: &[(usize, usize)],
    whole_file: bool,
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev_end = 0;
    for &(start, end) in spans {
        let gap = sql.get(prev_end..start).unwrap_or_default();
        let marked = gap.lines().any(|l| {
            l.trim()
                .strip_prefix("--")
                .is_some_and(|c| is_unchecked(c.trim()))
        });
        if whole_file || marked {
            out.push(start);
        }
        prev_end = end;
    }
    out
}

fn line_col_of(sql: &str, line: usize, needle: &str) -> u32 {
    let text = sql.lines().nth(line).unwrap_or_default();
    text.find(needle)
        .map(|b| text[..b].chars().count() as u32 + 1)
        .unwrap_or(1)
}
