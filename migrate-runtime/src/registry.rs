//! The ordered set of migrations an application ships.

use std::borrow::Cow;
use std::path::Path;

use crate::dir_cache::{CacheConfig, FileFacts, Texts, Trust};

use crate::error::MigrateError;
use crate::migration::{Migration, Script, Version};

/// The migrations, ordered by version, that `embed_migrations!` embeds or that
/// [`Registry::from_dir`] loads at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    migrations: Cow<'static, [Migration]>,
    /// Directory mode: findings about down files. They do not stop `up` (the
    /// downs do not run), but those downs are left out, so `down` refuses them.
    warnings: Vec<migrate_core::Diagnostic>,
    /// The oldest PostgreSQL major version the migrations were checked for; a
    /// command refuses an older server.
    target: u32,
    /// Directory mode (checked for the newest version the tool knows): the
    /// newest syntax the files use, as (version, what, where), so that an older
    /// server is refused before anything runs.
    needs: Option<(u32, String)>,
    /// Embedded: the directory the macro read, as an absolute path on the
    /// build machine (see [`Registry::source_dir`]).
    source: SourceDir,
}

/// Where the migrations came from: provenance, not content, so two registries
/// of the same migrations are equal wherever they were read.
#[derive(Debug, Clone, Copy, Default, Eq)]
struct SourceDir(Option<&'static str>);

impl PartialEq for SourceDir {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Registry {
    /// Wraps migrations that the macro has already checked and sorted.
    #[doc(hidden)]
    pub const fn from_static(migrations: &'static [Migration]) -> Self {
        Registry {
            migrations: Cow::Borrowed(migrations),
            warnings: Vec::new(),
            target: migrate_core::check::version::OLDEST,
            needs: None,
            source: SourceDir(None),
        }
    }

    /// The registry, checked for PostgreSQL `major` and later (the macro's
    /// `postgres = "..."`).
    #[doc(hidden)]
    pub const fn checked_for(mut self, major: u32) -> Self {
        self.target = major;
        self
    }

    /// The registry embedded from `dir` (absolute, on the build machine).
    #[doc(hidden)]
    pub const fn embedded_from(mut self, dir: &'static str) -> Self {
        self.source = SourceDir(Some(dir));
        self
    }

    /// For an embedded registry, the directory `embed_migrations!` read, as
    /// an absolute path on the machine that built it. The CLI compares it with
    /// the registry when it exists, to catch a binary built before a file was
    /// added (cargo only reruns the macro for files it already embeds).
    pub fn source_dir(&self) -> Option<&'static str> {
        self.source.0
    }

    /// Refuses a server older than the migrations were checked for, or older
    /// than the newest syntax a directory's files use.
    ///
    /// # Errors
    ///
    /// [`MigrateError::ServerTooOld`].
    pub fn check_server(&self, server_version_num: u32) -> Result<(), MigrateError> {
        let server = server_version_num / 10_000;
        if server < self.target {
            return Err(MigrateError::ServerTooOld {
                server,
                needed: self.target,
                why: format!(
                    "the migrations were checked for PostgreSQL {} and later",
                    self.target
                ),
            });
        }
        if let Some((v, why)) = &self.needs
            && server < *v
        {
            return Err(MigrateError::ServerTooOld {
                server,
                needed: *v,
                why: why.clone(),
            });
        }
        Ok(())
    }

    /// Builds a registry from migrations in any order; they are sorted by version.
    pub fn new(mut migrations: Vec<Migration>) -> Self {
        migrations.sort_by_key(|m| m.version);
        Registry {
            migrations: Cow::Owned(migrations),
            warnings: Vec::new(),
            target: migrate_core::check::version::OLDEST,
            needs: None,
            source: SourceDir(None),
        }
    }

    /// Findings about down files of a directory loaded at run time: those downs
    /// were left out (`down` refuses them); everything else runs.
    pub fn warnings(&self) -> &[migrate_core::Diagnostic] {
        &self.warnings
    }

    /// All migrations, oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, Migration> {
        self.migrations.iter()
    }

    /// The migration with exactly this version.
    pub fn get(&self, version: Version) -> Option<&Migration> {
        self.migrations
            .binary_search_by_key(&version, |m| m.version)
            .ok()
            .map(|i| &self.migrations[i])
    }

    /// The newest migration, `None` for an empty registry.
    pub fn latest(&self) -> Option<&Migration> {
        self.migrations.last()
    }

    /// How many migrations there are.
    pub fn len(&self) -> usize {
        self.migrations.len()
    }

    /// True when there are no migrations.
    pub fn is_empty(&self) -> bool {
        self.migrations.is_empty()
    }

    /// The migrations as a slice, oldest first.
    pub fn as_slice(&self) -> &[Migration] {
        &self.migrations
    }

    /// Loads and checks a migrations directory at run time (`--dir`,
    /// `MIGRATIONS_DIR`), with the checks `embed_migrations!` runs at compile time.
    /// Files are named `dir/<file>` in messages, `dir` as given.
    ///
    /// A directory without a single down file is taken as up-only (as Harbor's
    /// are); one where only some ups lack a down is an error.
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidFiles`] with every problem found in the files.
    pub fn from_dir(dir: &Path) -> Result<Registry, MigrateError> {
        Self::from_dir_with(dir, &dir.display().to_string(), None, "schema_migrations")
    }

    /// [`Registry::from_dir`] with the name files get in messages, and
    /// `require_down` forced on or off (`None`: decided as described there).
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidFiles`].
    /// `history_table` is golang-migrate's version table, which exists before the
    /// first migration runs (in the model too).
    pub fn from_dir_with(
        dir: &Path,
        display: &str,
        require_down: Option<bool>,
        history_table: &str,
    ) -> Result<Registry, MigrateError> {
        let opts = DirOptions {
            require_down,
            history_table: history_table.to_owned(),
            postgres: None,
        };
        Self::from_dir_opts(dir, display, &opts)
    }

    /// [`Registry::from_dir`] with every option of directory mode.
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidFiles`].
    pub fn from_dir_opts(
        dir: &Path,
        display: &str,
        opts: &DirOptions,
    ) -> Result<Registry, MigrateError> {
        Self::from_dir_cached(dir, display, opts, &CacheConfig::from_env())
    }

    /// [`Registry::from_dir_opts`] with the analysis cache of `cache` (see
    /// [`crate::dir_cache`]); the result is the same with any cache or none.
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidFiles`].
    #[doc(hidden)]
    pub fn from_dir_cached(
        dir: &Path,
        display: &str,
        opts: &DirOptions,
        cache: &CacheConfig,
    ) -> Result<Registry, MigrateError> {
        Self::load_dir(dir, display, opts, cache, Trust::Content).map(|(r, _)| r)
    }

    /// [`Registry::from_dir_opts`] for the CLI: when the analysis cache is
    /// trusted on the files' metadata, no file is read now, and each
    /// script's text is read when its step runs ([`Script::text`]; its `sql`
    /// field stays empty), so a run with nothing to do reads none. With
    /// [`Trust::Ups`] the downs' files may not have been looked at: the
    /// `bool` says whether they were (see [`Trust::Ups`]).
    #[cfg(feature = "cli")]
    pub(crate) fn from_dir_deferred(
        dir: &Path,
        display: &str,
        opts: &DirOptions,
        trust: Trust,
    ) -> Result<(Registry, bool), MigrateError> {
        Self::load_dir(dir, display, opts, &CacheConfig::from_env(), trust)
    }

    /// The registry of `dir`, and whether the downs' files were looked at.
    pub(crate) fn load_dir(
        dir: &Path,
        display: &str,
        opts: &DirOptions,
        cache: &CacheConfig,
        trust: Trust,
    ) -> Result<(Registry, bool), MigrateError> {
        let (facts, mut texts) = crate::dir_cache::load(dir, display, opts, cache, trust)
            .map_err(MigrateError::InvalidFiles)?;
        let downs_checked = !matches!(texts, Texts::Deferred { downs: false, .. });
        let warnings: Vec<migrate_core::Diagnostic> =
            facts.warnings.into_iter().map(Into::into).collect();
        let mut script = |f: FileFacts| match &mut texts {
            Texts::Read(texts) => {
                let sql = texts.remove(&f.path).unwrap_or_default();
                Script::new(f.path, sql, f.checksum, f.transactional, f.statements)
            }
            Texts::Deferred { dir, entry, .. } => {
                let name = f.path.rsplit('/').next().unwrap_or_default().to_owned();
                Script::deferred(
                    f.path,
                    dir.join(name),
                    Some(entry.clone()),
                    f.checksum,
                    f.transactional,
                    f.statements,
                )
            }
        };
        let migrations = facts
            .migrations
            .into_iter()
            .map(|m| {
                // Downs with findings are left out: `down` refuses them. Downs
                // whose files were not looked at are not built: such a
                // registry only proves that `up` has nothing to do, or is
                // loaded again (see [`Trust::Ups`]).
                let down = m
                    .down
                    .filter(|d| downs_checked && !warnings.iter().any(|w| w.path == d.path))
                    .map(|d| {
                        let irreversible = d.irreversible;
                        (script(d), irreversible)
                    });
                Migration::new(Version::new(m.version), m.name, script(m.up), down)
            })
            .collect();
        let mut r = Registry::new(migrations);
        r.warnings = warnings;
        match opts.postgres {
            Some(v) => r.target = v.0,
            // Checked for the newest version: the server decides at run time.
            None => r.needs = facts.needs,
        }
        Ok((r, downs_checked))
    }

    /// The seed files of `dir` (every `*.sql` in name order, `clean.sql`
    /// apart), each checked against the schema this registry's migrations
    /// build, as `embed_migrations!` checks the seeds it embeds (the same
    /// check): the tables and columns named exist, every NOT NULL column
    /// without a default gets a value, enum values are labels.
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidSeeds`] with every finding.
    pub fn seeds_from_dir(&self, dir: &Path) -> Result<crate::Seeds, MigrateError> {
        // The same replay as `verify-schema`'s: the registry was checked when
        // it was built (compile time or directory load); this rebuilds its model.
        let analysis = crate::verify::analysis_of(self);
        Ok(crate::Seeds::from_dir_checked(dir, analysis.latest())?)
    }
}

/// The one place the run-time directory mode calls migrate-core: the full
/// pipeline the macro runs (parse, transaction check, replay, reversal), so a
/// directory is held to the same rules at run time as at compile time.
///
/// `require_down: None` requires downs only when the directory has any: an
/// up-only corpus (Harbor's) loads, a directory with one forgotten down does not.
///
/// Findings about down files (a down that does not undo its up, or that names
/// what does not exist) do not stop `up`: those downs are left out and the
/// findings returned beside the migrations.
/// Options of directory mode.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DirOptions {
    /// `None`: downs are required when the directory has any (see
    /// [`Registry::from_dir`]).
    pub require_down: Option<bool>,
    /// golang-migrate's version table, which exists before the first migration.
    pub history_table: String,
    /// The oldest PostgreSQL the files must run on; `None`: the server's own,
    /// checked when a command connects (the files are checked for the newest).
    pub postgres: Option<migrate_core::check::version::PgVersion>,
}

impl Default for DirOptions {
    fn default() -> Self {
        DirOptions {
            require_down: None,
            history_table: "schema_migrations".to_owned(),
            postgres: None,
        }
    }
}

/// The analysis of a directory at run time, the one place that decides its
/// options; findings about down files (a down that does not undo its up, or
/// that names what does not exist) come back beside it: they do not stop `up`.
/// Every other finding is an error.
///
/// # Errors
///
/// Every finding, when one is not about a down file.
pub fn analyze_dir(
    dir: &Path,
    display: &str,
    opts: &DirOptions,
) -> Result<(migrate_core::Analysis, Vec<migrate_core::Diagnostic>), migrate_core::Diagnostics> {
    split_findings(migrate_core::analyze(
        dir,
        display,
        &core_options(dir, opts),
    ))
}

/// migrate-core's options for `dir` under `opts`: one place decides them, for
/// the analysis and for the cache's key alike.
pub(crate) fn core_options(dir: &Path, opts: &DirOptions) -> migrate_core::Options {
    let require_down = opts.require_down.unwrap_or_else(|| {
        std::fs::read_dir(dir).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .any(|e| e.file_name().to_string_lossy().ends_with(".down.sql"))
        })
    });
    let target = opts
        .postgres
        .unwrap_or(migrate_core::check::version::PgVersion(
            migrate_core::check::version::NEWEST,
        ));
    migrate_core::Options::default()
        .with_require_down(require_down)
        .with_history_table(opts.history_table.clone())
        .with_target(target)
        // Without --postgres the server's version is not known yet.
        .with_any_server(opts.postgres.is_none())
}

/// Findings about down files come back beside the analysis; any other is an
/// error.
pub(crate) fn split_findings(
    analysis: migrate_core::Analysis,
) -> Result<(migrate_core::Analysis, Vec<migrate_core::Diagnostic>), migrate_core::Diagnostics> {
    let (on_downs, blocking): (Vec<_>, Vec<_>) = analysis
        .errors
        .iter()
        .cloned()
        .partition(|d| d.path.ends_with(".down.sql"));
    if !blocking.is_empty() {
        return Err(analysis.errors);
    }
    Ok((analysis, on_downs))
}

impl<'a> IntoIterator for &'a Registry {
    type Item = &'a Migration;
    type IntoIter = std::slice::Iter<'a, Migration>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
