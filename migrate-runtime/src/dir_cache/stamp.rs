//! The files' metadata an analysis cache entry records, to be trusted
//! without reading them (see the parent module): [`migrate_core::cache::Stamp`],
//! as the entry encodes it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::FORMAT;

pub(super) use migrate_core::cache::now_ns;

/// The files' metadata, as an entry records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Stamp {
    /// SHA-256 of the tool, the options, and every `.sql` file's name, size,
    /// mtime, ctime, inode and device.
    pub(super) key: String,
    /// The latest mtime or ctime among the files, in ns since the epoch.
    pub(super) newest_ns: i128,
}

impl Stamp {
    /// See [`migrate_core::cache::Stamp::vouches_for`].
    pub(super) fn vouches_for(&self, written_ns: i128, now: &Stamp) -> bool {
        migrate_core::cache::Stamp::from(self.clone()).vouches_for(written_ns, &now.clone().into())
    }
}

impl From<Stamp> for migrate_core::cache::Stamp {
    fn from(s: Stamp) -> Self {
        migrate_core::cache::Stamp {
            key: s.key,
            newest_ns: s.newest_ns,
        }
    }
}

/// The metadata of every `.sql` file of `dir` (links followed); `None` when
/// one cannot be had or is not a regular file, or not on Unix: the files are
/// then read.
pub(super) fn stamp(dir: &Path, tool: &str, options: &str) -> Option<Stamp> {
    let s = migrate_core::cache::Stamp::of(
        &[FORMAT.as_bytes(), tool.as_bytes(), options.as_bytes()],
        &[dir],
    )?;
    Some(Stamp {
        key: s.key,
        newest_ns: s.newest_ns,
    })
}
