//! Checksums that change when the SQL changes, and only then.

use sha2::{Digest, Sha256};

use crate::sql::parse::{Lexeme, scan};

/// Hex SHA-256 over the file's tokens: line endings, comments and the whitespace
/// between tokens do not count, so re-indenting or fixing a comment in an applied
/// migration is not drift; any change PostgreSQL would see is.
pub fn checksum(sql: &str) -> String {
    checksum_scanned(sql, scan(sql).as_deref())
}

/// [`checksum`] reusing the tokens of `sql` that the parser already scanned
/// (`None`: the scanner refused the text).
pub fn checksum_scanned(sql: &str, tokens: Option<&[Lexeme]>) -> String {
    if sql.contains('\r') {
        // Token offsets into the CRLF text would not match the normalised one.
        let text = sql.replace("\r\n", "\n");
        return hash(&text, scan(&text).as_deref());
    }
    hash(sql, tokens)
}

fn hash(text: &str, tokens: Option<&[Lexeme]>) -> String {
    match tokens {
        Some(tokens) => {
            let mut h = TokenHash::default();
            h.update(text, tokens);
            h.finish()
        }
        // The scanner refuses unterminated literals; the parser reports those with a
        // place, so any stable hash will do here.
        None => hex(&Sha256::digest(text.trim().as_bytes())),
    }
}

/// [`checksum`] fed the tokens of a file in turn (a large file is scanned a
/// chunk at a time): the same digest as over all of them at once.
#[derive(Default)]
pub struct TokenHash(Sha256);

impl TokenHash {
    /// Adds these tokens of `text` (offsets into it), in order.
    pub fn update(&mut self, text: &str, tokens: &[Lexeme]) {
        for t in tokens.iter().filter(|t| !t.comment) {
            self.0
                .update(text.as_bytes().get(t.start()..t.end()).unwrap_or_default());
            // A separator keeps `ab` `c` apart from `a` `bc`.
            self.0.update([0u8]);
        }
    }

    /// The hex digest.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

/// Lower-case hex of `bytes`: how every digest of the project is spelled.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_layout_and_comments() {
        let a = checksum("CREATE TABLE a (id int);\n");
        assert_eq!(
            a,
            checksum("-- note\r\nCREATE  TABLE a\r\n  (id int); /* x */")
        );
        assert_eq!(a.len(), 64);
    }

    /// Checksums are recorded in databases: the definition may not drift. This is
    /// SHA-256 of the tokens, each followed by a NUL byte, computed independently.
    #[test]
    fn is_sha256_of_nul_separated_tokens() {
        assert_eq!(
            checksum("CREATE TABLE a (id int); -- note"),
            "33343f3a98e6e16e832785024c8d44359cbf4ad6023a46e0da2989390a56a429"
        );
    }

    #[test]
    fn sees_real_changes() {
        assert_ne!(
            checksum("CREATE TABLE a (id int);"),
            checksum("CREATE TABLE a (id bigint);")
        );
        assert_ne!(checksum("SELECT 'a b'"), checksum("SELECT 'a  b'"));
    }
}
