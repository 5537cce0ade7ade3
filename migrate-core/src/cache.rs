//! Files that cache a result and are never trusted: directory mode's analysis
//! cache (migrate-runtime) and the macro's expansion cache. An entry is a
//! header line, `<format> <SHA-256 of the rest>`, then the body; one whose
//! format or checksum does not match is not read. Writers go through a
//! temporary file in the same directory renamed over the entry, so a reader
//! sees the old entry or the new one, never part of one, whatever runs at the
//! same time.
//!
//! [`Stamp`] lets a reader trust an entry without reading the files it was
//! computed from, on their metadata, as git's index and make do.

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

/// Files changed within this many nanoseconds before an entry was written are
/// not trusted on their metadata: a second edit in the same clock tick (file
/// times are as coarse as the kernel's tick) would leave it as it was.
pub const RACY_NS: i128 = 2_000_000_000;

/// The metadata of every `.sql` file of some directories: name, size, mtime,
/// ctime, inode and device (links followed). ctime cannot be set back by a
/// user: any write, `touch` or `touch -d` moves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// SHA-256 of the context fields, then each directory's files' names and
    /// metadata, in name order.
    pub key: String,
    /// The latest mtime or ctime among the files, in ns since the epoch.
    pub newest_ns: i128,
}

impl Stamp {
    /// The stamp of the `.sql` files of `dirs`, under `context` (what else the
    /// entry depends on: a tool's build, options). `None` when a file's
    /// metadata cannot be had, it is not a regular file, a name is not UTF-8,
    /// or not on Unix: the caller then reads the files.
    pub fn of(context: &[&[u8]], dirs: &[&Path]) -> Option<Stamp> {
        let mut key = Key::default();
        for field in context {
            key.field(field);
        }
        let mut newest_ns = 0i128;
        for dir in dirs {
            newest_ns = newest_ns.max(files_metadata(dir, &mut key)?);
        }
        Some(Stamp {
            key: key.finish(),
            newest_ns,
        })
    }

    /// An entry that recorded `self` when it was written at `written_ns`
    /// stands for files whose stamp is `now`: the same metadata, and the files
    /// had not changed for [`RACY_NS`] when it was written.
    pub fn vouches_for(&self, written_ns: i128, now: &Stamp) -> bool {
        self == now && written_ns - self.newest_ns > RACY_NS
    }
}

/// Adds the name and metadata of every `.sql` file of `dir` to `key`, in name
/// order; returns the newest mtime or ctime.
#[cfg(unix)]
fn files_metadata(dir: &Path, key: &mut Key) -> Option<i128> {
    use std::os::unix::fs::MetadataExt;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        // A name that is not UTF-8 ends in .sql or not; the analysis reports
        // it, so stop trusting here.
        let name = entry.file_name().into_string().ok()?;
        if name.ends_with(".sql") {
            // Relative to the open directory (no path walk per file); a link
            // is followed to what it points at.
            let m = entry.metadata().ok()?;
            let m = if m.file_type().is_symlink() {
                std::fs::metadata(entry.path()).ok()?
            } else {
                m
            };
            if !m.is_file() {
                return None;
            }
            files.push((name, m));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut newest_ns = 0i128;
    for (name, m) in &files {
        let mtime = i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec());
        let ctime = i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec());
        newest_ns = newest_ns.max(mtime).max(ctime);
        let meta = format!("{} {mtime} {ctime} {} {}", m.len(), m.ino(), m.dev());
        key.field(name.as_bytes()).field(meta.as_bytes());
    }
    Some(newest_ns)
}

#[cfg(not(unix))]
fn files_metadata(_dir: &Path, _key: &mut Key) -> Option<i128> {
    None
}

/// Now, in ns since the epoch (0 before it).
pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
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
