//! One SQL file of a migration, as the runtime runs it.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A directory-mode file read when its step was about to run is not the file
/// that was checked (edited without its metadata changing), or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path} {why}")]
pub struct Changed {
    /// The file, as messages name it.
    pub path: String,
    /// `changed` or `cannot be read (...)`.
    pub why: String,
}

/// One SQL file of a migration: its text and what the runtime needs to run it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    /// Path of the file relative to the crate (or the directory given at run time),
    /// used in error messages.
    pub path: Cow<'static, str>,
    /// The SQL, exactly as in the file.
    pub sql: Cow<'static, str>,
    /// Hex SHA-256 of the file's token stream (comments and whitespace ignored).
    pub checksum: Cow<'static, str>,
    /// False when the file starts with `-- migrate:no-transaction`.
    pub transactional: bool,
    /// Byte ranges of the file's statements, as PostgreSQL's parser split them.
    /// A no-transaction script is sent one statement at a time (a multi-statement
    /// message is an implicit transaction, which CREATE INDEX CONCURRENTLY refuses),
    /// and error positions are mapped back through them; the runtime never parses.
    pub statements: Cow<'static, [(usize, usize)]>,
    /// Directory mode, when the analysis cache was trusted on the files'
    /// metadata: `sql` is empty and the file is read when the text is first
    /// needed ([`Script::text`]), so a run with nothing to do reads no file.
    deferred: Option<Arc<Deferred>>,
}

/// A file whose text is read when first needed, and checked then against the
/// checksum the analysis recorded.
#[derive(Debug)]
struct Deferred {
    file: PathBuf,
    /// The cache entry that vouched for the file: removed when the file is
    /// not what it said, so the next run checks it again.
    entry: Option<PathBuf>,
    text: OnceLock<Result<String, String>>,
}

impl PartialEq for Deferred {
    fn eq(&self, other: &Self) -> bool {
        self.file == other.file
    }
}

impl Eq for Deferred {}

impl Script {
    /// A script embedded by `embed_migrations!`. The macro calls this rather than
    /// writing the struct out: one plain call per file type-checks in half the
    /// time of five `Cow::Borrowed` constructors whose types must be inferred.
    #[doc(hidden)]
    pub const fn embedded(
        path: &'static str,
        sql: &'static str,
        checksum: &'static str,
        transactional: bool,
        statements: &'static [(usize, usize)],
    ) -> Self {
        Script {
            path: Cow::Borrowed(path),
            sql: Cow::Borrowed(sql),
            checksum: Cow::Borrowed(checksum),
            transactional,
            statements: Cow::Borrowed(statements),
            deferred: None,
        }
    }

    /// A script of text read at run time.
    pub fn new(
        path: String,
        sql: String,
        checksum: String,
        transactional: bool,
        statements: Vec<(usize, usize)>,
    ) -> Self {
        Script {
            path: Cow::Owned(path),
            sql: Cow::Owned(sql),
            checksum: Cow::Owned(checksum),
            transactional,
            statements: Cow::Owned(statements),
            deferred: None,
        }
    }

    /// A script whose text is read from `file` when first needed (see
    /// [`Script::text`]); `entry` is the cache entry that vouched for it.
    #[doc(hidden)]
    pub fn deferred(
        path: String,
        file: PathBuf,
        entry: Option<PathBuf>,
        checksum: String,
        transactional: bool,
        statements: Vec<(usize, usize)>,
    ) -> Self {
        Script {
            deferred: Some(Arc::new(Deferred {
                file,
                entry,
                text: OnceLock::new(),
            })),
            ..Script::new(path, String::new(), checksum, transactional, statements)
        }
    }

    /// The SQL. Embedded and directory scripts have it in [`Script::sql`];
    /// a script of a directory whose analysis was trusted on the files'
    /// metadata reads its file now (once), and its tokens must hash to the
    /// checksum the analysis recorded.
    ///
    /// # Errors
    ///
    /// [`Changed`] when the file cannot be read or is not the file that was
    /// checked.
    pub fn text(&self) -> Result<&str, Changed> {
        let Some(d) = &self.deferred else {
            return Ok(&self.sql);
        };
        let read = d.text.get_or_init(|| {
            let text =
                std::fs::read_to_string(&d.file).map_err(|e| format!("cannot be read ({e})"))?;
            if crate::source::checksum::checksum(&text) == self.checksum {
                Ok(text)
            } else {
                if let Some(entry) = &d.entry {
                    // Best effort: a cache entry left behind is checked again
                    // (and found stale) on the next run anyway.
                    let _ = std::fs::remove_file(entry);
                }
                Err("changed".to_owned())
            }
        });
        read.as_deref().map_err(|why| Changed {
            path: self.path.to_string(),
            why: why.clone(),
        })
    }
}
