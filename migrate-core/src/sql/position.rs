//! Byte offsets to `line:col`, the form every message uses.

use crate::diag::SourcePos;

/// Start offsets of the lines of one file, for turning offsets into positions.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text; a column counts chars).
    pub fn pos(&self, offset: usize) -> SourcePos {
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        // starts[0] is 0, so at least one start is <= offset.
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset)
            .map_or(0, |t| t.chars().count())
            + 1;
        SourcePos {
            line: line as u32 + 1,
            col: col as u32,
        }
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line(&self, line: u32) -> &'a str {
        let i = (line as usize)
            .saturating_sub(1)
            .min(self.starts.len().saturating_sub(1));
        let start = self.starts.get(i).copied().unwrap_or(0);
        let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
        self.text
            .get(start..end)
            .unwrap_or_default()
            .trim_end_matches(['\n', '\r'])
    }

    /// The byte offset of a 1-based character position (PostgreSQL's `cursorpos`
    /// counts characters, not bytes).
    pub fn char_pos_to_offset(&self, char_pos: usize) -> usize {
        self.text
            .char_indices()
            .nth(char_pos.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(self.text.len())
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_char_columns() {
        let idx = LineIndex::new("ab\ncdé f\n");
        assert_eq!(idx.pos(0), SourcePos { line: 1, col: 1 });
        assert_eq!(idx.pos(3), SourcePos { line: 2, col: 1 });
        // 'f' is byte 8 (é takes two bytes) but the 5th character.
        assert_eq!(idx.pos(8), SourcePos { line: 2, col: 5 });
        assert_eq!(idx.line(2), "cdé f");
        assert_eq!(idx.char_pos_to_offset(8), 8);
    }
}
