//! The cache trusted on the files' metadata.

use super::*;
use crate::registry::{DirOptions, Registry};

const UP: &str = "CREATE TABLE a (id int);";

/// A directory with one migration, and a cache of its own.
fn setup() -> (tempfile::TempDir, tempfile::TempDir, CacheConfig) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("000001_a.up.sql"), UP).unwrap();
    std::fs::write(dir.path().join("000001_a.down.sql"), "DROP TABLE a;").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let cfg = CacheConfig {
        dir: Some(cache.path().to_path_buf()),
        tool: "test".to_owned(),
    };
    (dir, cache, cfg)
}

fn load_deferred(dir: &Path, cfg: &CacheConfig) -> Registry {
    Registry::load_dir(dir, "m", &DirOptions::default(), cfg, Trust::Metadata)
        .unwrap()
        .0
}

/// The one entry, rewritten as if written `secs` later: the files are
/// then older than it by more than the racy window.
fn age_entry(cfg: &CacheConfig, secs: i64) -> PathBuf {
    let cache = cfg.dir.as_deref().unwrap();
    let entry = std::fs::read_dir(cache)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let body = read_verified(&entry, FORMAT).unwrap();
    let e: Entry = postcard::from_bytes(&body).unwrap();
    let aged = EntryRef {
        key: &e.key,
        stamp: e.stamp.as_ref(),
        ups_stamp: e.ups_stamp.as_ref(),
        written_ns: e.written_ns + i128::from(secs) * 1_000_000_000,
        facts: &e.facts,
    };
    write_verified(&entry, FORMAT, &postcard::to_stdvec(&aged).unwrap()).unwrap();
    entry
}

/// A second migration in the directory.
fn add_b(dir: &Path) {
    std::fs::write(dir.join("000002_b.up.sql"), "CREATE TABLE b (id int);").unwrap();
    std::fs::write(dir.join("000002_b.down.sql"), "DROP TABLE b;").unwrap();
}

fn is_deferred(r: &Registry) -> bool {
    r.iter().next().unwrap().up.sql.is_empty()
}

#[test]
fn a_trusted_entry_reads_no_file_until_its_text_is_needed() {
    let (dir, _cache, cfg) = setup();
    let first = load_deferred(dir.path(), &cfg);
    assert!(!is_deferred(&first), "a miss reads the files");
    // Written in the same tick as the files: not trusted on metadata.
    assert!(!is_deferred(&load_deferred(dir.path(), &cfg)));
    age_entry(&cfg, 3);
    let trusted = load_deferred(dir.path(), &cfg);
    assert!(is_deferred(&trusted));
    let up = &trusted.iter().next().unwrap().up;
    assert_eq!(up.text().unwrap(), UP);
    assert_eq!(up.checksum, first.iter().next().unwrap().up.checksum);
    // The public constructors always read.
    let public = Registry::from_dir_cached(dir.path(), "m", &DirOptions::default(), &cfg).unwrap();
    assert_eq!(public, first);
}

#[test]
fn a_file_edited_after_a_trusted_load_does_not_run_and_drops_the_entry() {
    let (dir, _cache, cfg) = setup();
    load_deferred(dir.path(), &cfg);
    let entry = age_entry(&cfg, 3);
    let trusted = load_deferred(dir.path(), &cfg);
    std::fs::write(
        dir.path().join("000001_a.up.sql"),
        "CREATE TABLE b (id int);",
    )
    .unwrap();
    let err = trusted.iter().next().unwrap().up.text().unwrap_err();
    assert!(
        err.path == "m/000001_a.up.sql" && err.why == "changed",
        "{err}"
    );
    assert!(!entry.exists(), "the entry that vouched for it is gone");
    // The next run analyses the file as it is now.
    let again = load_deferred(dir.path(), &cfg);
    assert!(!is_deferred(&again));
    assert_eq!(
        again.iter().next().unwrap().up.sql,
        "CREATE TABLE b (id int);"
    );
}

#[test]
fn an_edit_changes_the_metadata_and_the_files_are_read_again() {
    let (dir, _cache, cfg) = setup();
    load_deferred(dir.path(), &cfg);
    age_entry(&cfg, 3);
    // Same size; the mtime could be set back, the ctime cannot.
    std::fs::write(
        dir.path().join("000001_a.up.sql"),
        "CREATE TABLE z (id int);",
    )
    .unwrap();
    let r = load_deferred(dir.path(), &cfg);
    assert!(!is_deferred(&r));
    assert_eq!(r.iter().next().unwrap().up.sql, "CREATE TABLE z (id int);");
    // An added file too.
    age_entry(&cfg, 3);
    add_b(dir.path());
    let r = load_deferred(dir.path(), &cfg);
    assert_eq!(r.len(), 2);
    assert!(!is_deferred(&r));
}

fn load_ups(dir: &Path, cfg: &CacheConfig) -> (Registry, bool) {
    Registry::load_dir(dir, "m", &DirOptions::default(), cfg, Trust::Ups).unwrap()
}

/// Trusted on the ups' metadata, an entry does not look at the downs (`up`
/// with nothing to do runs none) and says so; an up edited or added is
/// seen as with every file's metadata, and an edited down by the next load
/// that trusts all of them.
#[test]
fn trusting_the_ups_does_not_look_at_the_downs_and_says_so() {
    let (dir, _cache, cfg) = setup();
    let (first, downs) = load_ups(dir.path(), &cfg);
    assert!(downs && !is_deferred(&first), "a miss reads every file");
    age_entry(&cfg, 3);
    std::fs::write(
        dir.path().join("000001_a.down.sql"),
        "DROP TABLE a CASCADE;",
    )
    .unwrap();
    let (r, downs) = load_ups(dir.path(), &cfg);
    assert!(is_deferred(&r) && !downs, "the down was not looked at");
    let r = load_deferred(dir.path(), &cfg);
    assert!(
        !is_deferred(&r),
        "every file's metadata: the edited down is seen"
    );
    let down = r.iter().next().unwrap().down.as_ref().unwrap();
    assert_eq!(down.sql, "DROP TABLE a CASCADE;");
    // An edited up, or a new one, is a miss for the ups' trust too.
    age_entry(&cfg, 3);
    assert!(!load_ups(dir.path(), &cfg).1, "trusted again");
    std::fs::write(
        dir.path().join("000001_a.up.sql"),
        "CREATE TABLE q (id int);",
    )
    .unwrap();
    let (r, downs) = load_ups(dir.path(), &cfg);
    assert!(downs && !is_deferred(&r));
    age_entry(&cfg, 3);
    add_b(dir.path());
    let (r, downs) = load_ups(dir.path(), &cfg);
    assert!(downs && r.len() == 2);
}
