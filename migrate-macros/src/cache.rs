//! The expansion cache: in cargo's default dev profile the macro runs
//! unoptimized, and checking 1,000 migrations again costs most of a rebuild
//! after `touch src/lib.rs`, when nothing it reads has changed. The expansion
//! is kept beside the macro's own build (`<target>/<profile>/novacron-db-macro-cache/`)
//! and reused when a SHA-256 over everything it depends on matches: this build
//! of the macro (its library's path, size and mtime), the macro's arguments,
//! the package root they are relative to, and every file's name and bytes in
//! the migrations and seeds directories, read on every expansion. An entry is
//! written only for an expansion without errors, and read through
//! [`migrate_core::cache::read_verified`], so a corrupt one is a miss.
//! `NOVACRON_DB_NO_CACHE=1` turns it off.

use std::path::{Path, PathBuf};

use migrate_core::cache::{Key, read_verified, write_verified};

const FORMAT: &str = "novacron-db macro cache 1";

pub struct Cache {
    entry: PathBuf,
    key: String,
}

impl Cache {
    /// `None` when there is nowhere to keep it (not Linux, or turned off) or a
    /// file cannot be read (the expansion reports that).
    pub fn new(input: &str, root: &Path, dirs: &[PathBuf]) -> Option<Cache> {
        if std::env::var_os("NOVACRON_DB_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
            return None;
        }
        let (library, identity) = this_library()?;
        let mut key = Key::default();
        key.field(FORMAT.as_bytes())
            .field(identity.as_bytes())
            .field(env!("CARGO_PKG_VERSION").as_bytes())
            .field(input.as_bytes())
            .field(root.as_os_str().as_encoded_bytes());
        for dir in dirs {
            key.field(dir.as_os_str().as_encoded_bytes());
            for name in migrate_core::sql_file_names(dir).ok()? {
                let bytes = std::fs::read(dir.join(&name)).ok()?;
                key.field(name.as_bytes()).field(&bytes);
            }
        }
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
        Some(Cache {
            entry,
            key: key.finish(),
        })
    }

    /// The expansion stored for this key.
    pub fn get(&self) -> Option<String> {
        let body = String::from_utf8(read_verified(&self.entry, FORMAT)?).ok()?;
        let (key, tokens) = body.split_once('\n')?;
        (key == self.key).then(|| tokens.to_owned())
    }

    /// Best effort: a target directory that cannot be written means no cache.
    pub fn put(&self, tokens: &str) {
        let body = format!("{}\n{tokens}", self.key);
        let _ = write_verified(&self.entry, FORMAT, body.as_bytes());
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
