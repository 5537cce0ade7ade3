#![allow(clippy::unwrap_used)]

use super::*;

/// A migrations directory under a temporary root.
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

fn expansion(text: &str) -> Expansion {
    Expansion {
        outer: text.to_owned(),
        tables: "pub mod t {}".to_owned(),
    }
}

/// Sets the files' times back, as if the entry had been written long after
/// they last changed (mtime only: ctime stays now, so the entry must be
/// written after this for its stamp to vouch).
fn age(dir: &Path) {
    let then = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for e in std::fs::read_dir(dir).unwrap() {
        let f = std::fs::File::options()
            .write(true)
            .open(e.unwrap().path())
            .unwrap();
        f.set_modified(then).unwrap();
    }
}

/// The entry's record of when it was written, moved past the racy window.
fn settle(c: &Cache) {
    let mut entry = Entry::read(&c.entry).unwrap();
    entry.written_ns += 10 * migrate_core::cache::RACY_NS;
    let stamp = entry
        .stamp
        .as_ref()
        .map_or("-".to_owned(), |s| format!("{} {}", s.key, s.newest_ns));
    let body = format!(
        "{}\n{stamp}\n{}\n{}\n{}{}",
        entry.content,
        entry.written_ns,
        entry.expansion.outer.len(),
        entry.expansion.outer,
        entry.expansion.tables
    );
    write_verified(&c.entry, FORMAT, body.as_bytes()).unwrap();
}

#[test]
fn an_expansion_is_reused_only_for_the_same_inputs() {
    let (root, dir) = setup();
    let c = cache(root.path(), &dir, "\"migrations\"");
    assert_eq!(c.get(), None);
    c.put(&expansion("pub static X: u8 = 1;"));
    assert_eq!(c.get(), Some(expansion("pub static X: u8 = 1;")));

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
        before.put(&expansion("before"));
        edit();
        let after = cache(root.path(), &dir, "\"migrations\"");
        assert_eq!(after.entry, before.entry, "one entry per call site");
        assert_eq!(after.get(), None, "a changed directory is expanded again");
    }
}

#[test]
fn settled_files_are_trusted_on_their_metadata_and_any_change_is_seen() {
    let (root, dir) = setup();
    age(&dir);
    let c = cache(root.path(), &dir, "\"migrations\"");
    c.put(&expansion("old"));
    settle(&c);

    // Trusted without reading: the files' bytes are not hashed.
    let c = cache(root.path(), &dir, "\"migrations\"");
    assert_eq!(c.get(), Some(expansion("old")));
    assert!(c.content.get().is_none(), "the files were read");

    // Same size, same mtime (set back), other bytes: ctime and the content
    // give it away.
    std::fs::write(dir.join("000001_a.up.sql"), "CREATE TABLE z (id int);").unwrap();
    age(&dir);
    let c = cache(root.path(), &dir, "\"migrations\"");
    assert_eq!(c.get(), None);
    assert!(c.content.get().is_some());

    // An added and a removed file, under a settled entry each time.
    let edits: [&dyn Fn(); 2] = [
        &|| std::fs::write(dir.join("000002_c.up.sql"), "SELECT 1;").unwrap(),
        &|| std::fs::remove_file(dir.join("000002_c.up.sql")).unwrap(),
    ];
    for edit in edits {
        let before = cache(root.path(), &dir, "\"migrations\"");
        before.put(&expansion("before"));
        settle(&before);
        edit();
        assert_eq!(cache(root.path(), &dir, "\"migrations\"").get(), None);
    }
}

#[test]
fn files_changed_just_before_the_entry_are_read_and_then_stamped() {
    let (root, dir) = setup();
    let c = cache(root.path(), &dir, "\"migrations\"");
    c.put(&expansion("x"));
    // Written within two seconds of the files' last change: not trusted on
    // metadata, but the same bytes are a hit.
    let c = cache(root.path(), &dir, "\"migrations\"");
    assert_eq!(c.get(), Some(expansion("x")));
    assert!(c.content.get().is_some(), "the files were read");
}

#[test]
fn another_build_of_the_macro_does_not_reuse_an_entry() {
    let (root, dir) = setup();
    age(&dir);
    let c = cache(root.path(), &dir, "\"migrations\"");
    c.put(&expansion("x"));
    settle(&c);
    let mut other = cache(root.path(), &dir, "\"migrations\"");
    other.context[1] = b"another build 123 456".to_vec();
    other.stamp = other.stamp_now();
    assert_eq!(other.get(), None);
}

#[test]
fn a_corrupt_entry_is_a_miss() {
    let (root, dir) = setup();
    let c = cache(root.path(), &dir, "\"migrations\"");
    c.put(&expansion("pub static X: u8 = 1;"));
    let text = std::fs::read_to_string(&c.entry).unwrap();
    std::fs::write(&c.entry, text.replace("X: u8 = 1", "X: u8 = 2")).unwrap();
    assert_eq!(c.get(), None);
    std::fs::write(&c.entry, &text[..text.len() / 2]).unwrap();
    assert_eq!(c.get(), None);
    std::fs::write(&c.entry, b"\xff\xfe not even text").unwrap();
    assert_eq!(c.get(), None);
}

#[cfg(unix)]
#[test]
fn a_cache_directory_that_cannot_be_written_means_no_cache() {
    use std::os::unix::fs::PermissionsExt;
    let (root, dir) = setup();
    let mut c = cache(root.path(), &dir, "\"migrations\"");
    // Read-only (root writes there all the same, so also:) a file where the
    // directory would be, which no one can create a directory under.
    let read_only = root.path().join("read-only");
    std::fs::create_dir_all(&read_only).unwrap();
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o555)).unwrap();
    let in_the_way = root.path().join("a-file");
    std::fs::write(&in_the_way, "").unwrap();
    for parent in [&read_only, &in_the_way] {
        c.entry = parent.join("entry.rs");
        c.put(&expansion("x"));
        let got = c.get();
        assert!(got.is_none() || got == Some(expansion("x")));
    }
    assert_eq!(c.get(), None, "nothing under a file");
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn this_build_is_found() {
    let (library, identity) = this_library().unwrap();
    assert!(library.is_file(), "{library:?}");
    assert!(identity.contains(&library.display().to_string()));
}
