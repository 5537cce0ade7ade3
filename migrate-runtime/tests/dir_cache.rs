//! Directory mode's analysis cache: whatever happened to the files or to the
//! cache, a run gives exactly what a run without the cache gives.

use std::path::{Path, PathBuf};

use pgcheck::dir_cache::CacheConfig;
use pgcheck::registry::DirOptions;
use pgcheck::{Migrator, Registry};
use sha2::{Digest, Sha256};
use test_support::{MigrationsDir, TestDb};

/// Every kind of fact the cache keeps: a no-transaction file, an irreversible
/// down, a down with a finding (a warning, that down left out), PostgreSQL 15
/// syntax (`needs`), several statements in a file.
fn corpus() -> MigrationsDir {
    let d = MigrationsDir::new();
    d.add(
        "000001_a",
        "CREATE TABLE a (id int);\nCREATE TABLE a2 (id int UNIQUE NULLS NOT DISTINCT);",
        Some("DROP TABLE a2;\nDROP TABLE a;"),
    )
    .add(
        "000002_idx",
        "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);",
        Some("-- migrate:no-transaction\nDROP INDEX CONCURRENTLY a_id;"),
    )
    .add(
        "000003_b",
        "CREATE TABLE b (id int);",
        Some("DROP TABLE no_such_table;"),
    )
    .add(
        "000004_data",
        "INSERT INTO a VALUES (1);",
        Some("-- migrate:irreversible\n"),
    );
    d
}

/// A cache of its own for one test, with a fixed tool identity.
struct Cache {
    dir: tempfile::TempDir,
    tool: String,
}

impl Cache {
    fn new() -> Self {
        Cache {
            dir: tempfile::tempdir().unwrap(),
            tool: "test 1".to_owned(),
        }
    }

    fn config(&self) -> CacheConfig {
        CacheConfig {
            dir: Some(self.path()),
            tool: self.tool.clone(),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("analysis")
    }

    /// The one entry the tests' single directory makes.
    fn entry(&self) -> PathBuf {
        let entries: Vec<PathBuf> = std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(entries.len(), 1, "{entries:?}");
        entries.into_iter().next().unwrap()
    }
}

fn load(dir: &Path, cfg: &CacheConfig) -> Result<Registry, String> {
    Registry::from_dir_cached(dir, "m", &DirOptions::default(), cfg).map_err(|e| e.to_string())
}

fn uncached(dir: &Path) -> Result<Registry, String> {
    load(dir, &CacheConfig::disabled())
}

/// Loads through the cache and checks the result against a run without it.
fn assert_same(dir: &Path, cfg: &CacheConfig) -> Result<Registry, String> {
    let cached = load(dir, cfg);
    assert_eq!(cached, uncached(dir));
    cached
}

/// What [`forge`] puts in place of the first up's checksum: as long as a
/// real one, so the entry's encoding stays intact.
const FORGED: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

/// The header and the body of an entry.
fn split(bytes: &[u8]) -> (&[u8], &[u8]) {
    let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
    (&bytes[..nl], &bytes[nl + 1..])
}

/// `body` under a valid header of the entry's format.
fn sealed(header: &[u8], body: &[u8]) -> Vec<u8> {
    let header = std::str::from_utf8(header).unwrap();
    let format = header.rsplit_once(' ').unwrap().0;
    let sum = format!("{:x}", Sha256::digest(body));
    let mut out = format!("{format} {sum}\n").into_bytes();
    out.extend_from_slice(body);
    out
}

/// Rewrites the entry with the first up's checksum replaced and a valid header,
/// as a (hypothetical) stale but intact entry would be: a run that reads it
/// shows the forged checksum, which tells a hit from a miss.
fn forge(entry: &Path, dir: &Path) {
    let checksum = first_checksum(&uncached(dir).unwrap());
    let bytes = std::fs::read(entry).unwrap();
    let (header, body) = split(&bytes);
    let at = find(body, checksum.as_bytes()).expect("the checksum is in the entry");
    let mut body = body.to_vec();
    body[at..at + checksum.len()].copy_from_slice(FORGED.as_bytes());
    std::fs::write(entry, sealed(header, &body)).unwrap();
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn first_checksum(r: &Registry) -> String {
    r.iter().next().unwrap().up.checksum.to_string()
}

#[test]
fn a_hit_gives_the_uncached_registry() {
    let d = corpus();
    let cache = Cache::new();
    let first = assert_same(d.path(), &cache.config()).unwrap();
    assert!(cache.entry().exists());
    let second = assert_same(d.path(), &cache.config()).unwrap();
    assert_eq!(first, second);
    // Everything the cache must carry is in this corpus.
    assert_eq!(second.warnings().len(), 1, "{:?}", second.warnings());
    assert!(second.iter().any(|m| !m.up.transactional));
    assert!(second.iter().any(|m| m.irreversible));
    assert!(
        second.check_server(140_000).is_err(),
        "NULLS NOT DISTINCT needs 15"
    );
    // And the second run did read the entry.
    forge(&cache.entry(), d.path());
    assert_eq!(
        first_checksum(&load(d.path(), &cache.config()).unwrap()),
        FORGED
    );
}

#[test]
fn an_edited_file_is_analysed_again() {
    let d = corpus();
    let cache = Cache::new();
    let before = assert_same(d.path(), &cache.config()).unwrap();
    forge(&cache.entry(), d.path());
    // Same length, so neither size nor a coarse mtime would show the edit.
    d.add(
        "000003_b",
        "CREATE TABLE c (id int);",
        Some("DROP TABLE no_such_table;"),
    );
    let after = assert_same(d.path(), &cache.config()).unwrap();
    assert_ne!(before, after);
    // The miss replaced the entry: the next run hits it.
    assert_same(d.path(), &cache.config()).unwrap();
}

#[test]
fn an_added_file_is_analysed_again() {
    let d = corpus();
    let cache = Cache::new();
    assert_same(d.path(), &cache.config()).unwrap();
    forge(&cache.entry(), d.path());
    d.add(
        "000005_e",
        "CREATE TABLE e (id int);",
        Some("DROP TABLE e;"),
    );
    let after = assert_same(d.path(), &cache.config()).unwrap();
    assert_eq!(after.len(), 5);
}

#[test]
fn a_deleted_file_is_analysed_again() {
    let d = corpus();
    let cache = Cache::new();
    assert_same(d.path(), &cache.config()).unwrap();
    forge(&cache.entry(), d.path());
    d.remove("000004_data");
    let after = assert_same(d.path(), &cache.config()).unwrap();
    assert_eq!(after.len(), 3);
    // A deleted down alone: the directory now fails (an up without its down).
    std::fs::remove_file(d.path().join("000003_b.down.sql")).unwrap();
    let err = assert_same(d.path(), &cache.config()).unwrap_err();
    assert!(err.contains("no down migration"), "{err}");
}

#[test]
fn another_tool_version_does_not_reuse_the_entry() {
    let d = corpus();
    let mut cache = Cache::new();
    assert_same(d.path(), &cache.config()).unwrap();
    forge(&cache.entry(), d.path());
    assert_eq!(
        first_checksum(&load(d.path(), &cache.config()).unwrap()),
        FORGED
    );
    cache.tool = "test 2".to_owned();
    assert_same(d.path(), &cache.config()).unwrap();
    // The new version's entry replaced the old one (one entry per directory).
    assert_ne!(
        first_checksum(&load(d.path(), &cache.config()).unwrap()),
        FORGED
    );
}

#[test]
fn a_corrupt_entry_is_ignored_and_replaced() {
    let d = corpus();
    let cache = Cache::new();
    assert_same(d.path(), &cache.config()).unwrap();
    let entry = cache.entry();
    let good = std::fs::read(&entry).unwrap();
    let checksum = first_checksum(&uncached(d.path()).unwrap());
    let (header, body) = split(&good);
    let mut zeroed = good.clone();
    let at = find(&zeroed, checksum.as_bytes()).unwrap();
    zeroed[at..at + checksum.len()].fill(b'0');
    let corruptions = [
        // The facts changed under an unchanged header.
        zeroed,
        // Cut short, as by a full disk.
        good[..good.len() / 2].to_vec(),
        // No header.
        body.to_vec(),
        Vec::new(),
        b"\0garbage".to_vec(),
        // A valid header over a body that does not decode.
        sealed(header, b"\xff\xff\xff"),
    ];
    for bad in corruptions {
        std::fs::write(&entry, &bad).unwrap();
        assert_same(d.path(), &cache.config()).unwrap();
        let now = std::fs::read(&entry).unwrap();
        let (h, b) = split(&now);
        assert_eq!(sealed(h, b), now, "the rewritten entry is sealed");
        // The same entry but for when it was written (a varint of at most
        // 19 bytes): the rest of it is byte for byte the good one's.
        let prefix = body.iter().zip(b).take_while(|(x, y)| x == y).count();
        let suffix = body
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        assert!(
            prefix + suffix + 19 >= body.len().max(b.len()) && body.len().abs_diff(b.len()) <= 19,
            "the entry is rewritten"
        );
    }
    // Not UTF-8 at all.
    std::fs::write(&entry, [0xff, 0xfe, b'\n', 0xff]).unwrap();
    assert_same(d.path(), &cache.config()).unwrap();
}

#[test]
fn a_cache_that_cannot_be_written_only_means_no_caching() {
    let d = corpus();
    // A regular file where the cache directory would be created.
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let under_file = CacheConfig {
        dir: Some(blocker.path().join("analysis")),
        tool: "test 1".to_owned(),
    };
    assert_same(d.path(), &under_file).unwrap();
    assert_same(d.path(), &under_file).unwrap();

    // A read-only directory (root may write it anyway: then it caches).
    let ro = tempfile::tempdir().unwrap();
    set_mode(ro.path(), 0o555);
    let read_only = CacheConfig {
        dir: Some(ro.path().to_path_buf()),
        tool: "test 1".to_owned(),
    };
    assert_same(d.path(), &read_only).unwrap();
    assert_same(d.path(), &read_only).unwrap();
    set_mode(ro.path(), 0o755);
}

fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn errors_are_the_same_and_not_cached() {
    let d = corpus();
    d.add("000005_bad", "CREATE TABLE (;", Some("SELECT 1;"));
    let cache = Cache::new();
    let err = assert_same(d.path(), &cache.config()).unwrap_err();
    assert!(err.contains("000005_bad.up.sql"), "{err}");
    assert!(!cache.path().exists() || std::fs::read_dir(cache.path()).unwrap().next().is_none());
}

#[test]
fn concurrent_runs_leave_a_sound_entry() {
    let d = corpus();
    let cache = Cache::new();
    let expected = uncached(d.path());
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| assert_eq!(load(d.path(), &cache.config()), expected));
        }
    });
    forge(&cache.entry(), d.path());
    assert_eq!(
        first_checksum(&load(d.path(), &cache.config()).unwrap()),
        FORGED
    );
}

/// What a hit loads is what runs: applied to a real server, it leaves the
/// same database as the uncached registry's run, and the second `up` finds
/// nothing to do (checksums match what the first recorded).
#[test]
fn a_cached_registry_applies() {
    let d = corpus();
    let cache = Cache::new();
    load(d.path(), &cache.config()).unwrap();
    let hit = load(d.path(), &cache.config()).unwrap();
    let db = TestDb::new();
    let mut c = db.client();
    let r = Migrator::new(&hit).up(&mut c).unwrap();
    assert_eq!(r.steps.len(), 4);
    let again = uncached(d.path()).unwrap();
    assert!(Migrator::new(&again).up(&mut c).unwrap().steps.is_empty());
    let n: i64 = c.query_one("SELECT count(*) FROM a", &[]).unwrap().get(0);
    assert_eq!(n, 1);
}
