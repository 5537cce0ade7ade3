//! The files' metadata an analysis cache entry records, to be trusted
//! without reading them (see the parent module).

use std::path::Path;

use migrate_core::cache::Key;
use serde::{Deserialize, Serialize};

use super::FORMAT;

/// Files changed within this many nanoseconds before an entry was written
/// are not trusted on their metadata (a second edit in the same clock tick
/// would leave it as it was).
pub(super) const RACY_NS: i128 = 2_000_000_000;

/// The files' metadata, as an entry records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Stamp {
    /// SHA-256 of the tool, the options, and every `.sql` file's name, size,
    /// mtime, ctime, inode and device.
    pub(super) key: String,
    /// The latest mtime or ctime among the files, in ns since the epoch.
    pub(super) newest_ns: i128,
}

/// The metadata of every `.sql` file of `dir` (links followed); `None` when
/// one cannot be had or is not a regular file, or not on Unix: the files are
/// then read.
///
/// This is most of what a run with nothing to do costs (a `stat` per file,
/// whose time is the kernel's name lookup), so the files are looked at on
/// every core when there are many, and each one's metadata goes into the key
/// as bytes, not text.
pub(super) fn stamp(dir: &Path, tool: &str, options: &str) -> Option<Stamp> {
    #[cfg(unix)]
    {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).ok()? {
            let entry = entry.ok()?;
            // A name that is not UTF-8 ends in .sql or not; the analysis
            // reports it, so stop trusting here.
            let name = entry.file_name().into_string().ok()?;
            if name.ends_with(".sql") {
                files.push((name, entry));
            }
        }
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let metas = metadata_of(&files)?;
        let mut key = Key::default();
        key.field(FORMAT.as_bytes())
            .field(tool.as_bytes())
            .field(options.as_bytes());
        let mut newest_ns = 0i128;
        for ((name, _), (newest, meta)) in files.iter().zip(&metas) {
            newest_ns = newest_ns.max(*newest);
            key.field(name.as_bytes()).field(meta);
        }
        Some(Stamp {
            key: key.finish(),
            newest_ns,
        })
    }
    #[cfg(not(unix))]
    {
        let _ = (dir, tool, options);
        None
    }
}

/// A file's size, mtime, ctime, inode and device, as the key's bytes, and
/// its newer of mtime and ctime in ns.
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

pub(super) fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}
