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
            // The files the analysis reads, listed the one way it lists them.
            let mut files = migrate_core::source::dir::sql_files(dir).ok()?;
            files.sort_by(|a, b| a.name.cmp(&b.name));
            for f in files {
                let bytes = f.bytes.ok()?;
                key.field(f.name.as_bytes()).field(&bytes);
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A migrations directory and a cache entry under a temporary root.
    fn setup() -> (tempfile::TempDir, PathBuf) {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("migrations");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("000001_a.up.sql"), "CREATE TABLE a (id int);").unwrap();
        std::fs::write(dir.join("000001_a.down.sql"), "DROP TABLE a;").unwrap();
        (root, dir)
    }

    fn cache(root: &Path, dir: &Path, input: &str) -> Cache {
        let mut c = Cache::new(input, root, &[dir.to_path_buf()]).unwrap();
        // Keep the test's entries out of the real target directory.
        c.entry = root.join("cache").join(c.entry.file_name().unwrap());
        c
    }

    #[test]
    fn an_expansion_is_reused_only_for_the_same_inputs() {
        let (root, dir) = setup();
        let c = cache(root.path(), &dir, "\"migrations\"");
        assert_eq!(c.get(), None);
        c.put("pub static X: u8 = 1;");
        assert_eq!(c.get().as_deref(), Some("pub static X: u8 = 1;"));

        // Other arguments: another entry.
        let other = cache(root.path(), &dir, "\"migrations\", tables = false");
        assert_eq!(other.get(), None);

        // An edited, an added and a removed file: the key changes.
        let edits: [&dyn Fn(); 3] = [
            &|| std::fs::write(dir.join("000001_a.up.sql"), "CREATE TABLE b (id int);").unwrap(),
            &|| std::fs::write(dir.join("000002_c.up.sql"), "SELECT 1;").unwrap(),
            &|| std::fs::remove_file(dir.join("000002_c.up.sql")).unwrap(),
        ];
        for edit in edits {
            let before = cache(root.path(), &dir, "\"migrations\"");
            before.put("before");
            edit();
            let after = cache(root.path(), &dir, "\"migrations\"");
            assert_eq!(after.entry, before.entry, "one entry per call site");
            assert_eq!(after.get(), None, "a changed directory is expanded again");
        }
    }

    #[test]
    fn a_corrupt_entry_is_a_miss() {
        let (root, dir) = setup();
        let c = cache(root.path(), &dir, "\"migrations\"");
        c.put("pub static X: u8 = 1;");
        let text = std::fs::read_to_string(&c.entry).unwrap();
        std::fs::write(&c.entry, text.replace("X: u8 = 1", "X: u8 = 2")).unwrap();
        assert_eq!(c.get(), None);
        std::fs::write(&c.entry, &text[..text.len() / 2]).unwrap();
        assert_eq!(c.get(), None);
    }

    #[test]
    fn this_build_is_found() {
        let (library, identity) = this_library().unwrap();
        assert!(library.is_file(), "{library:?}");
        assert!(identity.contains(&library.display().to_string()));
    }
}
