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
/// then read. With it, the stamp of the files other than downs, from the
/// same look at each file (see [`ups_stamp`]).
pub(super) fn stamps(dir: &Path, tool: &str, options: &str) -> Option<(Stamp, Stamp)> {
    let (all, ups) = migrate_core::cache::Stamp::with_part(
        &[FORMAT.as_bytes(), tool.as_bytes(), options.as_bytes()],
        &[dir],
        &|name| !is_down(name),
    )?;
    Some((all.into(), ups.into()))
}

/// The stamp of the `.sql` files of `dir` that are not downs (`*.down.sql`):
/// all that `up` with nothing to do needs to look at, half the `stat`s.
pub(super) fn ups_stamp(dir: &Path, tool: &str, options: &str) -> Option<Stamp> {
    migrate_core::cache::Stamp::of_some(
        &[FORMAT.as_bytes(), tool.as_bytes(), options.as_bytes()],
        &[dir],
        &|name| !is_down(name),
    )
    .map(Into::into)
}

/// A down file by golang-migrate's grammar.
fn is_down(name: &str) -> bool {
    use migrate_core::source::filename::{Direction, parse};
    parse(name)
        .and_then(Result::ok)
        .is_some_and(|f| f.direction == Direction::Down)
}

impl From<migrate_core::cache::Stamp> for Stamp {
    fn from(s: migrate_core::cache::Stamp) -> Self {
        Stamp {
            key: s.key,
            newest_ns: s.newest_ns,
        }
    }
}
