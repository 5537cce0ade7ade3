//! One migration as the runtime sees it: already discovered, parsed and checked.

use std::borrow::Cow;
use std::fmt;

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
}

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
        }
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

    /// The checksum recorded in the history table: the up script's.
    pub fn checksum(&self) -> &str {
        &self.up.checksum
    }

    /// The down file's checksum, recorded beside the up's so an edited down
    /// is drift too.
    pub fn down_checksum(&self) -> Option<&str> {
        self.down.as_ref().map(|d| d.checksum.as_ref())
    }

    /// `000001_init_schema`, the way golang-migrate users name a migration.
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
