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
pub(super) fn stamp(dir: &Path, tool: &str, options: &str) -> Option<Stamp> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).ok()? {
            let entry = entry.ok()?;
            // A name that is not UTF-8 ends in .sql or not; the analysis
            // reports it, so stop trusting here.
            let name = entry.file_name().into_string().ok()?;
            if name.ends_with(".sql") {
                // Relative to the open directory (no path walk per file);
                // a link is followed to what it points at.
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
        let mut key = Key::default();
        key.field(FORMAT.as_bytes())
            .field(tool.as_bytes())
            .field(options.as_bytes());
        let mut newest_ns = 0i128;
        for (name, m) in &files {
            let mtime = i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec());
            let ctime = i128::from(m.ctime()) * 1_000_000_000 + i128::from(m.ctime_nsec());
            newest_ns = newest_ns.max(mtime).max(ctime);
            let meta = format!("{} {mtime} {ctime} {} {}", m.len(), m.ino(), m.dev());
            key.field(name.as_bytes()).field(meta.as_bytes());
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

pub(super) fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}
