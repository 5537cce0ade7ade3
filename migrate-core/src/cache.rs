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
        Self::of_some(context, dirs, &|_| true)
    }

    /// [`Stamp::of`] the files whose names `keep` keeps: a run that needs
    /// only some of the files looks at only those.
    pub fn of_some(
        context: &[&[u8]],
        dirs: &[&Path],
        keep: &dyn Fn(&str) -> bool,
    ) -> Option<Stamp> {
        let files = dirs_metadata(dirs, keep)?;
        Some(Self::from_files(context, &files, &|_| true))
    }

    /// [`Stamp::of`], and the stamp [`Stamp::of_some`] gives for `part`,
    /// from one look at each file.
    pub fn with_part(
        context: &[&[u8]],
        dirs: &[&Path],
        part: &dyn Fn(&str) -> bool,
    ) -> Option<(Stamp, Stamp)> {
        let files = dirs_metadata(dirs, &|_| true)?;
        Some((
            Self::from_files(context, &files, &|_| true),
            Self::from_files(context, &files, part),
        ))
    }

    /// The stamp of each directory's files (name order) that `keep` keeps.
    fn from_files(
        context: &[&[u8]],
        dirs: &[Vec<(String, Meta)>],
        keep: &dyn Fn(&str) -> bool,
    ) -> Stamp {
        let mut key = Key::default();
        for field in context {
            key.field(field);
        }
        let mut newest_ns = 0i128;
        for files in dirs {
            for (name, (newest, meta)) in files.iter().filter(|(n, _)| keep(n)) {
                newest_ns = newest_ns.max(*newest);
                key.field(name.as_bytes()).field(meta);
            }
        }
        Stamp {
            key: key.finish(),
            newest_ns,
        }
    }

    /// An entry that recorded `self` when it was written at `written_ns`
    /// stands for files whose stamp is `now`: the same metadata, and the files
    /// had not changed for [`RACY_NS`] when it was written.
    pub fn vouches_for(&self, written_ns: i128, now: &Stamp) -> bool {
        self == now && written_ns - self.newest_ns > RACY_NS
    }
}

/// The name and metadata of each `.sql` file of each of `dirs` that `keep`
/// keeps, in name order.
fn dirs_metadata(dirs: &[&Path], keep: &dyn Fn(&str) -> bool) -> Option<Vec<Vec<(String, Meta)>>> {
    dirs.iter().map(|d| files_metadata(d, keep)).collect()
}

/// The name and metadata of every `.sql` file of `dir` that `keep` keeps, in
/// name order.
///
/// This is most of what a directory-mode run with nothing to do costs (a
/// `stat` per file, whose time is the kernel's name lookup), so the files are
/// looked at on every core when there are many, and each one's metadata goes
/// into the key as bytes, not text.
#[cfg(unix)]
fn files_metadata(dir: &Path, keep: &dyn Fn(&str) -> bool) -> Option<Vec<(String, Meta)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        // A name that is not UTF-8 ends in .sql or not; the analysis reports
        // it, so stop trusting here.
        let name = entry.file_name().into_string().ok()?;
        if name.ends_with(".sql") && keep(&name) {
            files.push((name, entry));
        }
    }
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let metas = metadata_of(&files)?;
    Some(files.into_iter().map(|(n, _)| n).zip(metas).collect())
}

#[cfg(unix)]
type Meta = (i128, [u8; 56]);

/// Below this many files one thread does it: starting threads costs more
/// than the `stat`s they would share.
#[cfg(unix)]
const PARALLEL_FROM: usize = 512;

/// [`meta`] of every file, in order, on up to 4 threads.
#[cfg(unix)]
fn metadata_of(files: &[(String, std::fs::DirEntry)]) -> Option<Vec<Meta>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(4);
    if threads < 2 || files.len() < PARALLEL_FROM {
        return files.iter().map(|(_, e)| meta(e)).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(_, e)| meta(e))
                        .collect::<Option<Vec<_>>>()
                })
            })
            .collect();
        let mut all = Vec::with_capacity(files.len());
        for part in parts {
            all.extend(part.join().ok()??);
        }
        Some(all)
    })
}

#[cfg(unix)]
fn meta(entry: &std::fs::DirEntry) -> Option<Meta> {
    use std::os::unix::fs::MetadataExt;
    // Relative to the open directory (no path walk per file); a link is
    // followed to what it points at.
    let m = entry.metadata().ok()?;
    let m = if m.file_type().is_symlink() {
        std::fs::metadata(entry.path()).ok()?
    } else {
        m
    };
    if !m.is_file() {
        return None;
    }
    let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
    let newest = ns(m.mtime(), m.mtime_nsec()).max(ns(m.ctime(), m.ctime_nsec()));
    let mut bytes = [0u8; 56];
    let fields = [
        m.len(),
        m.mtime() as u64,
        m.mtime_nsec() as u64,
        m.ctime() as u64,
        m.ctime_nsec() as u64,
        m.ino(),
        m.dev(),
    ];
    for (out, v) in bytes.chunks_exact_mut(8).zip(fields) {
        out.copy_from_slice(&v.to_le_bytes());
    }
    Some((newest, bytes))
}

#[cfg(not(unix))]
type Meta = (i128, [u8; 56]);

#[cfg(not(unix))]
fn files_metadata(_dir: &Path, _keep: &dyn Fn(&str) -> bool) -> Option<Vec<(String, Meta)>> {
    None
}

/// Now, in ns since the epoch (0 before it).
pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

use crate::source::checksum::hex;
