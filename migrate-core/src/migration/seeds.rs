//! Seed data as the runtime runs it: files in name order and `clean.sql`.

use std::borrow::Cow;
use std::path::Path;

use crate::diag::Diagnostics;
use crate::model::schema::Schema;

/// Seed files read at run time cannot be read or parsed, or do not fit the
/// schema; every finding is kept.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the seed files have errors:\n{0}")]
pub struct InvalidSeeds(pub Diagnostics);

/// One seed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seed {
    /// The file name without `.sql` (`01_organizations`).
    pub name: Cow<'static, str>,
    /// As the user names the file, for messages.
    pub path: Cow<'static, str>,
    /// The file's content.
    pub sql: Cow<'static, str>,
}

impl Seed {
    /// A seed embedded by `embed_migrations!`.
    #[doc(hidden)]
    pub const fn embedded(name: &'static str, path: &'static str, sql: &'static str) -> Self {
        Seed {
            name: Cow::Borrowed(name),
            path: Cow::Borrowed(path),
            sql: Cow::Borrowed(sql),
        }
    }
}

/// The seed files in the order they run, and the clean file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeds {
    /// The seed files in the order they run.
    pub files: Cow<'static, [Seed]>,
    /// `clean.sql`: deletes exactly the seed rows.
    pub clean: Option<Seed>,
}

impl Seeds {
    /// Wraps seeds that the macro has checked (already in run order).
    #[doc(hidden)]
    pub const fn from_static(files: &'static [Seed], clean: Option<Seed>) -> Self {
        Seeds {
            files: Cow::Borrowed(files),
            clean,
        }
    }

    /// Seeds from files read at run time.
    pub fn new(files: Vec<Seed>, clean: Option<Seed>) -> Self {
        Seeds {
            files: Cow::Owned(files),
            clean,
        }
    }

    /// Reads every `*.sql` of `dir` in name order; `clean.sql` is kept apart.
    /// The files are parsed but not checked against a schema: see
    /// [`Seeds::from_dir_checked`].
    ///
    /// # Errors
    ///
    /// [`InvalidSeeds`] when the directory or a file cannot be read, a file is
    /// not UTF-8 or does not parse.
    pub fn from_dir(dir: &Path) -> Result<Seeds, InvalidSeeds> {
        let mut diags = Diagnostics::default();
        let read = crate::source::seeds::load(dir, &display_of(dir), &mut diags, |_, _| {});
        Self::found(read, diags)
    }

    /// [`Seeds::from_dir`], and every file checked against `schema` (the one
    /// the migrations build), as `embed_migrations!` checks the seeds it
    /// embeds: the tables and columns named exist, every NOT NULL column
    /// without a default gets a value, enum values are labels.
    ///
    /// # Errors
    ///
    /// [`InvalidSeeds`] with every finding.
    pub fn from_dir_checked(dir: &Path, schema: &Schema) -> Result<Seeds, InvalidSeeds> {
        let mut diags = Diagnostics::default();
        let read = crate::check::seeds::load_and_check(dir, &display_of(dir), schema, &mut diags);
        Self::found(read, diags)
    }

    /// The seeds discovery found, unless it or the checks found anything.
    fn found(found: Seeds, findings: Diagnostics) -> Result<Seeds, InvalidSeeds> {
        if findings.is_empty() {
            Ok(found)
        } else {
            Err(InvalidSeeds(findings))
        }
    }

    /// The seed files, in the order they run.
    pub fn files(&self) -> &[Seed] {
        &self.files
    }

    /// `clean.sql`, when there is one.
    pub fn clean(&self) -> Option<&Seed> {
        self.clean.as_ref()
    }
}

/// The directory as messages name it.
fn display_of(dir: &Path) -> String {
    dir.display().to_string().trim_end_matches('/').to_owned()
}
