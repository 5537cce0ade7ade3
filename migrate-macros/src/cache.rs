//! The expansion cache: in cargo's default dev profile the macro runs
//! unoptimized, and checking 1,000 migrations again costs most of a rebuild
//! after `touch src/lib.rs`, when nothing it reads has changed. The expansion
//! is kept beside the macro's own build (`<target>/<profile>/novacron-db-macro-cache/`)
//! and reused when a SHA-256 over everything it depends on matches: this build
//! of the macro (its library's path, size and mtime), the macro's arguments,
//! the package root they are relative to, and every file's name and bytes in
//! the migrations and seeds directories.
//!
//! The files need not even be read: an entry also records their metadata
//! ([`Stamp`]: name, size, mtime, ctime, inode, device), and when that is what
//! it was and the files had not changed for two seconds when the entry was
//! written, the entry is used as it is (directory mode's analysis cache does
//! the same; the logic is migrate-core's). Otherwise every file is read and
//! hashed, and an entry for the same bytes is used and stamped anew, so the
//! next build need not read them. An entry is written only for an expansion
//! without errors, and read through [`migrate_core::cache::read_verified`],
//! so a corrupt one is a miss. `NOVACRON_DB_NO_CACHE=1` turns it off.

use std::cell::OnceCell;
use std::path::{Path, PathBuf};

use migrate_core::cache::{Key, Stamp, now_ns, read_verified, write_verified};

const FORMAT: &str = "novacron-db macro cache 2";

pub struct Cache {
    entry: PathBuf,
    /// What the entry depends on besides the files: the format, this build,
    /// the arguments, the package root and the directories.
    context: Vec<Vec<u8>>,
    dirs: Vec<PathBuf>,
    /// Taken before anything reads the files: an edit after it is seen by
    /// the next build.
    stamp: Option<Stamp>,
    /// The files' names and bytes, hashed once, when needed.
    content: OnceCell<Option<String>>,
}

/// A cached expansion: the part written against `::migrate_runtime` (the
/// registry and seeds) and the inside of `schema` (see `expand::tables::wrap`).
#[derive(Debug, PartialEq, Eq)]
pub struct Expansion {
    pub outer: String,
    pub tables: String,
}

impl Cache {
    /// `None` when there is nowhere to keep it (not Linux, or turned off).
    pub fn new(input: &str, root: &Path, dirs: &[PathBuf]) -> Option<Cache> {
        if std::env::var_os("NOVACRON_DB_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
            return None;
        }
        let (library, identity) = this_library()?;
        let mut context = vec![
            FORMAT.as_bytes().to_vec(),
            identity.into_bytes(),
            env!("CARGO_PKG_VERSION").as_bytes().to_vec(),
            input.as_bytes().to_vec(),
            root.as_os_str().as_encoded_bytes().to_vec(),
        ];
        context.extend(
            dirs.iter()
                .map(|d| d.as_os_str().as_encoded_bytes().to_vec()),
        );
        let mut name = Key::default();
        name.field(root.as_os_str().as_encoded_bytes())
            .field(input.as_bytes());
        let name = name.finish();
        // Next to the macro's library: the target directory and profile in use,
        // which `cargo clean` empties.
        let entry = library
            .parent()?
            .parent()?
            .join("novacron-db-macro-cache")
            .join(format!("{}.rs", name.get(..32).unwrap_or(&name)));
        let mut cache = Cache {
            entry,
            context,
            dirs: dirs.to_vec(),
            stamp: None,
            content: OnceCell::new(),
        };
        cache.stamp = cache.stamp_now();
        Some(cache)
    }

    fn stamp_now(&self) -> Option<Stamp> {
        let context: Vec<&[u8]> = self.context.iter().map(Vec::as_slice).collect();
        let dirs: Vec<&Path> = self.dirs.iter().map(PathBuf::as_path).collect();
        Stamp::of(&context, &dirs)
    }

    /// The SHA-256 of the context and every file's name and bytes; `None`
    /// when a directory or file cannot be read (the expansion reports that).
    fn content(&self) -> Option<&str> {
        self.content
            .get_or_init(|| {
                let mut key = Key::default();
                for field in &self.context {
                    key.field(field);
                }
                for dir in &self.dirs {
                    // The files the analysis reads, listed the one way it lists them.
                    for f in migrate_core::source::dir::sql_files(dir).ok()? {
                        key.field(f.name.as_bytes()).field(&f.bytes.ok()?);
                    }
                }
                Some(key.finish())
            })
            .as_deref()
    }

    /// The expansion stored for these inputs.
    pub fn get(&self) -> Option<Expansion> {
        let entry = Entry::read(&self.entry)?;
        if let (Some(then), Some(now)) = (&entry.stamp, &self.stamp)
            && then.vouches_for(entry.written_ns, now)
        {
            return Some(entry.expansion);
        }
        if self.content()? != entry.content {
            return None;
        }
        // The same bytes under other metadata (touched, checked out again) or
        // changed too close to the entry's writing: stamped anew, so that the
        // next build need not read them.
        self.put(&entry.expansion);
        Some(entry.expansion)
    }

    /// Best effort: a target directory that cannot be written means no cache.
    pub fn put(&self, expansion: &Expansion) {
        let Some(content) = self.content() else {
            return;
        };
        let stamp = self
            .stamp
            .as_ref()
            .map_or_else(|| "-".to_owned(), |s| format!("{} {}", s.key, s.newest_ns));
        let body = format!(
            "{content}\n{stamp}\n{}\n{}\n{}{}",
            now_ns(),
            expansion.outer.len(),
            expansion.outer,
            expansion.tables
        );
        let _ = write_verified(&self.entry, FORMAT, body.as_bytes());
    }
}

/// An entry's body: lines `<content key>`, `<stamp key> <newest ns>` (or `-`),
/// `<written ns>`, `<length of outer>`, then outer and tables.
struct Entry {
    content: String,
    stamp: Option<Stamp>,
    written_ns: i128,
    expansion: Expansion,
}

impl Entry {
    fn read(path: &Path) -> Option<Entry> {
        let body = String::from_utf8(read_verified(path, FORMAT)?).ok()?;
        let mut parts = body.splitn(5, '\n');
        let content = parts.next()?.to_owned();
        let stamp = match parts.next()?.split_once(' ') {
            Some((key, newest)) => Some(Stamp {
                key: key.to_owned(),
                newest_ns: newest.parse().ok()?,
            }),
            None => None,
        };
        let written_ns = parts.next()?.parse().ok()?;
        let outer_len: usize = parts.next()?.parse().ok()?;
        let rest = parts.next()?;
        let (outer, tables) = (rest.get(..outer_len)?, rest.get(outer_len..)?);
        Some(Entry {
            content,
            stamp,
            written_ns,
            expansion: Expansion {
                outer: outer.to_owned(),
                tables: tables.to_owned(),
            },
        })
    }
}

/// The file this macro was loaded from and its size and mtime, from the
/// process's memory map: a rebuilt macro (a development build with the same
/// version) does not reuse what another build expanded. Linux only; elsewhere
/// there is no cache.
fn this_library() -> Option<(PathBuf, String)> {
    let here = this_library as fn() -> Option<(PathBuf, String)> as usize;
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let path = maps.lines().find_map(|line| {
        let mut fields = line.split_whitespace();
        let (start, end) = fields.next()?.split_once('-')?;
        let (start, end) = (
            usize::from_str_radix(start, 16).ok()?,
            usize::from_str_radix(end, 16).ok()?,
        );
        let path = fields.nth(4)?;
        (start <= here && here < end && path.starts_with('/')).then(|| PathBuf::from(path))
    })?;
    let meta = std::fs::metadata(&path).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos();
    let identity = format!("{} {} {mtime}", path.display(), meta.len());
    Some((path, identity))
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
