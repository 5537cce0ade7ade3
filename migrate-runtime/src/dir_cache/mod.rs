//! Directory mode's analysis cache.
//!
//! `--dir` holds the files to the checks the macro runs (parse, replay,
//! reversal), which costs ~0.25 s for 1,000 migrations, and an `up` with
//! nothing to do would pay it on every run. What a run needs from the analysis
//! is small: each file's checksum (drift), its statement spans, its
//! transaction and irreversible markers, the findings on downs that are kept
//! as warnings, and the newest syntax the ups use. Those facts are stored, per
//! directory, under `$XDG_CACHE_HOME/novacron-db/analysis` (else
//! `~/.cache/...`) and reused when nothing they depend on changed: the key is
//! a SHA-256 of the tool's build, every option, and every file's name and
//! bytes. The SQL that runs is always the bytes read now, never the cache's.
//!
//! A run with nothing to do need not read the files at all: an entry also
//! records the files' metadata (name, size, mtime, ctime, inode, device, as
//! git's index and make do), and when every `.sql` file's metadata is what
//! it was, the entry is trusted without reading a byte; each file is then
//! read only when its step is about to run, and must hash to the checksum the
//! entry recorded, else nothing of it runs and the entry is removed
//! ([`crate::migration::Script::text`]). ctime cannot be set back by a user
//! (any write or `touch -d` moves it), and an entry is trusted this way only
//! for files whose last change is older than the entry by more than two
//! seconds, so an edit in the same clock tick as the check is read again.
//!
//! The cache is never trusted: a file whose own checksum or key does not match,
//! or that does not decode, is a miss. It is best effort: a cache directory
//! that cannot be created or written only means no caching, and a writer goes
//! through a temporary file renamed into place, so concurrent runs never see a
//! half-written entry. `NOVACRON_DB_NO_CACHE=1` turns it off.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use migrate_core::cache::{Key, read_verified, write_verified};
use serde::{Deserialize, Serialize};
use stamp::{Stamp, now_ns, stamps, ups_stamp};

/// Changes when the layout of an entry does: older entries are then misses.
const FORMAT: &str = "novacron-db analysis cache 4";

/// Where the cache lives and which build of the tool reads and writes it.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheConfig {
    /// `None`: no caching.
    pub dir: Option<PathBuf>,
    /// Part of every key: another build of the tool may check differently.
    pub tool: String,
}

impl CacheConfig {
    /// The user's cache directory, unless `NOVACRON_DB_NO_CACHE` is set (and not
    /// `0`).
    pub fn from_env() -> Self {
        let off =
            std::env::var_os("NOVACRON_DB_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0");
        CacheConfig {
            dir: if off { None } else { default_dir() },
            tool: tool_identity(),
        }
    }

    /// No caching: every run analyses the files.
    pub fn disabled() -> Self {
        CacheConfig {
            dir: None,
            tool: tool_identity(),
        }
    }
}

/// `$XDG_CACHE_HOME/novacron-db/analysis`, else `$HOME/.cache/...`. The XDG rule
/// is read directly rather than through the `dirs` crate: it is two variables,
/// and this tool runs on Linux servers and containers (macOS's
/// `~/Library/Caches` would be the one gain).
fn default_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let base = std::env::var_os("XDG_CACHE_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|h| h.join(".cache"))
        })?;
    Some(base.join("novacron-db").join("analysis"))
}

/// The tool's version and its executable's size and mtime: a rebuilt binary
/// with the same version number (a development build) may check differently,
/// so it does not reuse what the previous build found.
fn tool_identity() -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{} {mtime}", m.len())
        })
        .unwrap_or_default();
    format!("{} {exe}", env!("CARGO_PKG_VERSION"))
}

/// What a run needs from the analysis of a directory; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Facts {
    pub migrations: Vec<MigrationFacts>,
    /// Findings about down files: warnings, and those downs are left out.
    pub warnings: Vec<Finding>,
    /// The newest syntax the ups use: (PostgreSQL major, what and where).
    pub needs: Option<(u32, String)>,
}

impl Facts {
    fn new(
        migrations: Vec<MigrationFacts>,
        warnings: &[migrate_core::Diagnostic],
        needs: Option<(u32, String)>,
    ) -> Self {
        Facts {
            migrations,
            warnings: warnings.iter().map(Finding::from).collect(),
            needs,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MigrationFacts {
    pub version: i64,
    pub name: String,
    pub up: FileFacts,
    pub down: Option<FileFacts>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileFacts {
    /// As messages name it: `display/<file>`.
    pub path: String,
    pub checksum: String,
    pub transactional: bool,
    pub irreversible: bool,
    pub statements: Vec<(usize, usize)>,
}

/// [`migrate_core::Diagnostic`], which has no serde derive (migrate-core does
/// not depend on serde).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Finding {
    path: String,
    pos: Option<(u32, u32)>,
    message: String,
    snippet: Option<String>,
    help: Option<String>,
}

impl From<&migrate_core::Diagnostic> for Finding {
    fn from(d: &migrate_core::Diagnostic) -> Self {
        Finding {
            path: d.path.clone(),
            pos: d.pos.map(|p| (p.line, p.col)),
            message: d.message.clone(),
            snippet: d.snippet.clone(),
            help: d.help.clone(),
        }
    }
}

impl From<Finding> for migrate_core::Diagnostic {
    fn from(f: Finding) -> Self {
        let mut d = migrate_core::Diagnostic::file(f.path, f.message);
        d.pos = f
            .pos
            .map(|(line, col)| migrate_core::SourcePos { line, col });
        d.snippet = f.snippet;
        d.help = f.help;
        d
    }
}

impl FileFacts {
    fn of(f: &migrate_core::SqlFile) -> Self {
        FileFacts {
            path: f.path.clone(),
            checksum: f.checksum.clone(),
            transactional: f.transactional,
            irreversible: f.irreversible,
            statements: f.spans.clone(),
        }
    }
}

/// The facts of a directory and the text of its files by path (`display/<file>`).
pub(crate) type Loaded = (Facts, HashMap<String, String>);

/// Where the text of a directory's files comes from.
pub(crate) enum Texts {
    /// Read now, by path (`display/<file>`).
    Read(HashMap<String, String>),
    /// Not read: the entry was trusted on the files' metadata; each is read
    /// from `dir` when needed, and checked then (see the module docs).
    Deferred {
        /// The directory.
        dir: PathBuf,
        /// The entry that vouched for them.
        entry: PathBuf,
        /// The downs' metadata was looked at too ([`Trust::Ups`] does not).
        downs: bool,
    },
}

/// What a run may trust an entry on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub(crate) enum Trust {
    /// Only on the files' content: every file is read.
    Content,
    /// On every file's metadata (see the module docs).
    Metadata,
    /// On the metadata of the files other than downs: `up` with nothing to
    /// do runs no down and does not check them ([`crate::migrator`]'s
    /// `problems::Files`), so it need not look at them. The downs' facts
    /// may then be out of date: anything but proving that nothing is to be
    /// done loads again with [`Trust::Metadata`].
    Ups,
}

/// The facts of `dir`, from the cache when an entry matches what is on disk
/// now, else from [`crate::registry::analyze_dir`]'s analysis (then stored).
/// Beyond [`Trust::Content`], an entry that matches the files' metadata is
/// used without reading them (see the module docs).
///
/// # Errors
///
/// Every finding, when one is not about a down file (nothing is cached then).
pub(crate) fn load(
    dir: &Path,
    display: &str,
    opts: &crate::registry::DirOptions,
    cfg: &CacheConfig,
    trust: Trust,
) -> Result<(Facts, Texts), migrate_core::Diagnostics> {
    let read = |l: Loaded| (l.0, Texts::Read(l.1));
    let core = crate::registry::core_options(dir, opts);
    let entry = cfg
        .dir
        .as_deref()
        .map(|cache| cache.join(entry_name(dir, display, &core)));
    let options = options_text(display, &core);
    let deferred = |path: PathBuf, downs: bool| Texts::Deferred {
        dir: dir.to_path_buf(),
        entry: path,
        downs,
    };
    // Read once: whether it vouches by the metadata or by the content.
    let cached = entry.as_deref().and_then(read_entry);
    let ups_hit = trust == Trust::Ups
        && entry.is_some()
        && cached.as_ref().is_some_and(|c| {
            ups_stamp(dir, &cfg.tool, &options).is_some_and(|now| c.vouches_for_ups(&now))
        });
    let (cached, entry) = match (cached, entry) {
        (Some(c), Some(path)) if ups_hit => {
            tracing::debug!(entry = %path.display(), "analysis cache hit on the ups' metadata");
            return Ok((c.facts, deferred(path, false)));
        }
        other => other,
    };
    // Taken before the files are read: an edit after this is seen next time.
    let stamp = entry
        .as_ref()
        .and_then(|_| stamps(dir, &cfg.tool, &options));
    let stamped = cached
        .as_ref()
        .is_some_and(|c| stamp.as_ref().is_some_and(|(now, _)| c.vouches_for(now)));
    let (cached, entry) = match (cached, entry) {
        (Some(c), Some(path)) if trust != Trust::Content && stamped => {
            tracing::debug!(entry = %path.display(), "analysis cache hit on the files' metadata");
            return Ok((c.facts, deferred(path, true)));
        }
        other => other,
    };
    // A directory or file that cannot be read: the analysis reads it and
    // reports what is wrong, as without a cache.
    let Some(files) = read_sources(dir) else {
        return crate::registry::analyze_dir(dir, display, opts).map(|a| read(into_loaded(a)));
    };
    let Some(entry) = entry else {
        return analyze(display, files, &core).map(read);
    };
    let key = content_key(&cfg.tool, display, &core, &files);
    if let Some(Entry { facts, .. }) = cached.filter(|c| c.key == key) {
        let display = display.trim_end_matches('/');
        let texts: Option<HashMap<String, String>> = files
            .into_iter()
            .map(|(name, bytes)| {
                Some((format!("{display}/{name}"), String::from_utf8(bytes).ok()?))
            })
            .collect();
        // The key matched, so every file is the UTF-8 it was when analysed;
        // anything else is a collision and the analysis decides.
        return match texts.filter(|t| covers(&facts, t)) {
            Some(texts) => {
                tracing::debug!(entry = %entry.display(), "analysis cache hit");
                // The same files under new metadata (touched, copied), or
                // changed too close to the entry's writing: recorded again,
                // so the next run need not read them (once per change).
                if !stamped && stamp.is_some() {
                    store(&entry, &key, &facts, stamp.as_ref());
                }
                Ok((facts, Texts::Read(texts)))
            }
            None => crate::registry::analyze_dir(dir, display, opts).map(|a| read(into_loaded(a))),
        };
    }
    tracing::debug!(entry = %entry.display(), "analysis cache miss");
    let loaded = analyze(display, files, &core)?;
    store(&entry, &key, &loaded.0, stamp.as_ref());
    Ok(read(loaded))
}

/// Writes an entry, best effort.
fn store(entry: &Path, key: &str, facts: &Facts, stamp: Option<&(Stamp, Stamp)>) {
    if let Err(e) = write_entry(entry, key, facts, stamp) {
        tracing::debug!(entry = %entry.display(), error = %e, "analysis cache not written");
    }
}

/// The analysis, each migration turned into its facts as soon as it is
/// checked, so that its parse trees are dropped then (see
/// [`migrate_core::analyze_files_each`]).
fn analyze(
    display: &str,
    files: Vec<(String, Vec<u8>)>,
    core: &migrate_core::Options,
) -> Result<Loaded, migrate_core::Diagnostics> {
    let mut texts = HashMap::new();
    let mut migrations = Vec::new();
    let analysis = migrate_core::analyze_files_each(display, files, core, &mut |m| {
        migrations.push(facts_of(m, &mut texts));
    });
    let (analysis, warnings) = crate::registry::split_findings(analysis)?;
    Ok((Facts::new(migrations, &warnings, analysis.needs), texts))
}

/// Every file the facts name has its text.
fn covers(facts: &Facts, texts: &HashMap<String, String>) -> bool {
    facts
        .migrations
        .iter()
        .flat_map(|m| std::iter::once(&m.up).chain(m.down.as_ref()))
        .all(|f| texts.contains_key(&f.path))
}

/// The facts of one migration; its files' text goes to `texts`.
fn facts_of(
    m: migrate_core::SourceMigration,
    texts: &mut HashMap<String, String>,
) -> MigrationFacts {
    let facts = MigrationFacts {
        version: m.version,
        name: m.name,
        up: FileFacts::of(&m.up),
        down: m.down.as_ref().map(FileFacts::of),
    };
    for f in std::iter::once(m.up).chain(m.down) {
        texts.insert(f.path, f.sql);
    }
    facts
}

fn into_loaded(
    (analysis, warnings): (migrate_core::Analysis, Vec<migrate_core::Diagnostic>),
) -> Loaded {
    let mut texts = HashMap::new();
    let migrations = analysis
        .migrations
        .into_iter()
        .map(|m| facts_of(m, &mut texts))
        .collect();
    (Facts::new(migrations, &warnings, analysis.needs), texts)
}

/// The `.sql` files of `dir` as `discover` lists them (links followed: the one
/// listing both use), with their bytes; `None` when anything cannot be read,
/// and the uncached path then reports it. Every run reads them all (drift
/// needs their checksums), so this is most of what a run with nothing to do
/// costs.
fn read_sources(dir: &Path) -> Option<Vec<(String, Vec<u8>)>> {
    let mut files: Vec<(String, Vec<u8>)> = migrate_core::source::dir::sql_files(dir)
        .ok()?
        .into_iter()
        .map(|f| f.bytes.ok().map(|b| (f.name, b)))
        .collect::<Option<_>>()?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Some(files)
}

/// Everything the facts depend on.
fn content_key(
    tool: &str,
    display: &str,
    core: &migrate_core::Options,
    files: &[(String, Vec<u8>)],
) -> String {
    let mut key = Key::default();
    key.field(FORMAT.as_bytes())
        .field(tool.as_bytes())
        .field(options_text(display, core).as_bytes());
    for (name, bytes) in files {
        key.field(name.as_bytes()).field(bytes);
    }
    key.finish()
}

/// The options as text, for the keys. `Options` is plain data whose Debug form
/// names every field: one added later is part of the key without anyone
/// remembering to add it here.
fn options_text(display: &str, core: &migrate_core::Options) -> String {
    format!("{display:?} {core:?}")
}

/// One entry per directory and options, so that an edit replaces the entry
/// rather than adding one (the cache does not grow with edits).
fn entry_name(dir: &Path, display: &str, core: &migrate_core::Options) -> String {
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut key = Key::default();
    key.field(dir.as_os_str().as_encoded_bytes())
        .field(options_text(display, core).as_bytes());
    let digest = key.finish();
    format!("{}.entry", digest.get(..32).unwrap_or(&digest))
}

/// An entry's body (see [`migrate_core::cache`]): the key and the facts in
/// postcard's encoding (a run with nothing to do decodes it whole: a tenth of
/// the time JSON took).
#[derive(Deserialize)]
struct Entry {
    key: String,
    /// The files' metadata when the entry was written, and when that was.
    stamp: Option<Stamp>,
    /// The same of the files other than downs ([`Trust::Ups`]).
    ups_stamp: Option<Stamp>,
    written_ns: i128,
    facts: Facts,
}

/// [`Entry`] as written, borrowing the facts.
#[derive(Serialize)]
struct EntryRef<'a> {
    key: &'a str,
    stamp: Option<&'a Stamp>,
    ups_stamp: Option<&'a Stamp>,
    written_ns: i128,
    facts: &'a Facts,
}

impl Entry {
    /// The entry stands for files with this metadata: it recorded the same,
    /// and they had not changed for two seconds when it was written.
    fn vouches_for(&self, now: &Stamp) -> bool {
        self.stamp
            .as_ref()
            .is_some_and(|then| then.vouches_for(self.written_ns, now))
    }

    /// The same, for the files other than downs ([`Trust::Ups`]).
    fn vouches_for_ups(&self, now: &Stamp) -> bool {
        self.ups_stamp
            .as_ref()
            .is_some_and(|then| then.vouches_for(self.written_ns, now))
    }
}

/// The entry at `path`, when it is intact.
fn read_entry(path: &Path) -> Option<Entry> {
    let Some(body) = read_verified(path, FORMAT) else {
        if path.exists() {
            tracing::debug!(entry = %path.display(), "analysis cache entry is corrupt; ignored");
        }
        return None;
    };
    postcard::from_bytes(&body).ok()
}

fn write_entry(
    path: &Path,
    key: &str,
    facts: &Facts,
    stamp: Option<&(Stamp, Stamp)>,
) -> std::io::Result<()> {
    let body = postcard::to_stdvec(&EntryRef {
        key,
        stamp: stamp.map(|s| &s.0),
        ups_stamp: stamp.map(|s| &s.1),
        written_ns: now_ns(),
        facts,
    })
    .map_err(std::io::Error::other)?;
    write_verified(path, FORMAT, &body)?;
    // The same entry as earlier builds named it (JSON): never read again.
    let _ = std::fs::remove_file(path.with_extension("json"));
    Ok(())
}

mod stamp;
#[cfg(test)]
mod tests;
