//! What the pipeline hands to the runtime: the migrations and seeds as values.
//!
//! `embed_migrations!` builds these from the files it checked and writes them
//! out as constants (through a `ToTokens` wrapper in the macro crate);
//! directory mode builds the same values at run time. One type each, so the
//! runtime sees one shape whatever built it.

mod script;
mod seeds;

use std::borrow::Cow;
use std::fmt;

pub use script::{Changed, Script};
pub use seeds::{InvalidSeeds, Seed, Seeds};

use crate::source::load::SourceMigration;
use crate::source::sql_file::SqlFile;

/// A migration version: golang-migrate's unsigned integer, kept as PostgreSQL's
/// `bigint` because that is what `schema_migrations.version` holds.
///
/// `embed_migrations!` generates one constant per migration (`V000001_INIT_SCHEMA`),
/// so code that names a target version is checked by the compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(i64);

impl Version {
    /// Wraps a raw version number.
    pub const fn new(v: i64) -> Self {
        Version(v)
    }

    /// The raw number, as stored in `schema_migrations`.
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A versioned migration: an up script and, unless it is irreversible, a down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The version number.
    pub version: Version,
    /// The name part of the file name (`init_schema` in `000001_init_schema.up.sql`).
    pub name: Cow<'static, str>,
    /// The up file.
    pub up: Script,
    /// `None` when there is no down file (allowed only in directory mode for
    /// up-only corpora) or the down is marked `-- migrate:irreversible`.
    pub down: Option<Script>,
    /// True when the down file is marked `-- migrate:irreversible`: `down` refuses
    /// to go past it.
    pub irreversible: bool,
}

impl Migration {
    /// A migration embedded by `embed_migrations!` (see [`Script::embedded`]).
    #[doc(hidden)]
    pub const fn embedded(
        version: i64,
        name: &'static str,
        up: Script,
        down: Option<Script>,
        irreversible: bool,
    ) -> Self {
        Migration {
            version: Version(version),
            name: Cow::Borrowed(name),
            up,
            down,
            irreversible,
        }
    }

    /// The one place a down file becomes the migration's down: `down` is the
    /// down's script and whether it is marked `-- migrate:irreversible`, in
    /// which case the migration has no down and refuses to be reverted.
    pub fn new(
        version: Version,
        name: impl Into<Cow<'static, str>>,
        up: Script,
        down: Option<(Script, bool)>,
    ) -> Self {
        let irreversible = down.as_ref().is_some_and(|(_, irreversible)| *irreversible);
        Migration {
            version,
            name: name.into(),
            up,
            down: down
                .filter(|(_, irreversible)| !irreversible)
                .map(|(s, _)| s),
            irreversible,
        }
    }

    /// The migration of files that were discovered and checked, texts copied.
    pub fn from_source(m: &SourceMigration) -> Self {
        let script = |f: &SqlFile| {
            Script::new(
                f.path.clone(),
                f.sql.clone(),
                f.checksum.clone(),
                f.transactional,
                f.spans.clone(),
            )
        };
        Migration::new(
            Version(m.version),
            m.name.clone(),
            script(&m.up),
            m.down.as_ref().map(|d| (script(d), d.irreversible)),
        )
    }

    /// The checksum recorded in the history table: the up script's.
    pub fn checksum(&self) -> &str {
        &self.up.checksum
    }

    /// The down file's checksum, recorded beside the up's so an edited down
    /// is drift too.
    pub fn down_checksum(&self) -> Option<&str> {
        self.down.as_ref().map(|d| d.checksum.as_ref())
    }

    /// `000001_init_schema`, the way golang-migrate users name a migration:
    /// the version with as many digits as the file name gives it.
    pub fn label(&self) -> String {
        let digits = self
            .up
            .path
            .rsplit('/')
            .next()
            .and_then(|f| f.split('_').next())
            .map(str::len)
            .unwrap_or(0);
        format!(
            "{:0width$}_{}",
            self.version.get(),
            self.name,
            width = digits
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(path: &str) -> Script {
        Script::new(path.into(), String::new(), String::new(), true, Vec::new())
    }

    #[test]
    fn an_irreversible_down_is_no_down() {
        let m = Migration::new(
            Version::new(1),
            "a",
            script("m/1_a.up.sql"),
            Some((script("m/1_a.down.sql"), true)),
        );
        assert!(m.irreversible);
        assert_eq!(m.down, None);
        let m = Migration::new(
            Version::new(1),
            "a",
            script("m/1_a.up.sql"),
            Some((script("m/1_a.down.sql"), false)),
        );
        assert!(!m.irreversible);
        assert!(m.down.is_some());
    }

    #[test]
    fn label_keeps_the_file_names_digits() {
        let m = Migration::new(
            Version::new(7),
            "init",
            script("m/000007_init.up.sql"),
            None,
        );
        assert_eq!(m.label(), "000007_init");
        let m = Migration::new(Version::new(7), "init", script("7_init.up.sql"), None);
        assert_eq!(m.label(), "7_init");
    }
}
