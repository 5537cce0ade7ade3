//! Files that cache a result and are never trusted: directory mode's analysis
//! cache (migrate-runtime) and the macro's expansion cache. An entry is a
//! header line, `<format> <SHA-256 of the rest>`, then the body; one whose
//! format or checksum does not match is not read. Writers go through a
//! temporary file in the same directory renamed over the entry, so a reader
//! sees the old entry or the new one, never part of one, whatever runs at the
//! same time.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The body of the entry at `path` when its header names `format` and its
/// checksum matches; `None` for a missing, unreadable or corrupt entry.
pub fn read_verified(path: &Path, format: &str) -> Option<Vec<u8>> {
    let mut bytes = std::fs::read(path).ok()?;
    let newline = bytes.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(bytes.get(..newline)?).ok()?;
    let sum = header.strip_prefix(format)?.strip_prefix(' ')?;
    let body = bytes.get(newline + 1..)?;
    if sum != hex(&Sha256::digest(body)) {
        return None;
    }
    bytes.drain(..=newline);
    Some(bytes)
}

/// Writes the entry at `path` (its directory created if need be).
///
/// # Errors
///
/// The directory cannot be created or written: the caller goes on uncached.
pub fn write_verified(path: &Path, format: &str, body: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    writeln!(tmp, "{format} {}", hex(&Sha256::digest(body)))?;
    tmp.write_all(body)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A SHA-256 over fields, each preceded by its length so that no two different
/// sequences of fields hash the same stream.
#[derive(Default)]
pub struct Key(Sha256);

impl Key {
    /// Adds one field, preceded by its length.
    pub fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    /// Hex.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
