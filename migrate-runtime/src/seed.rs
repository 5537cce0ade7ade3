//! Seed data: SQL files run in name order, each in its own transaction, and a
//! `clean.sql` that removes their rows.
//!
//! `embed_migrations!(..., seeds = "seeds")` embeds them as [`Seeds`] (checked
//! against the schema at compile time); [`Seeds::from_dir`] reads a directory at
//! run time (`SEED_DIR`).

use std::borrow::Cow;
use std::path::Path;
use std::time::{Duration, Instant};

use migrate_core::Diagnostics;
use migrate_core::check::seeds::{load, load_and_check};
use migrate_core::sql::position::LineIndex;
use postgres::Client;
use postgres::error::ErrorPosition;

use crate::error::{MigrateError, MigrationFailure, MigrationRef, Outcome};
use crate::migration::Version;
use crate::migrator::conn::{Blocking, Conn, block_on};
use crate::registry::Registry;

/// The file that removes the seed rows.
pub use migrate_core::check::seeds::CLEAN_FILE;

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
    /// [`MigrateError::InvalidSeeds`] when the directory or a file cannot be
    /// read, a file is not UTF-8 or does not parse.
    pub fn from_dir(dir: &Path) -> Result<Seeds, MigrateError> {
        let mut diags = Diagnostics::default();
        let read = load(dir, &display_of(dir), &mut diags, |_, _| {});
        Seeds::from_core(read, diags)
    }

    /// [`Seeds::from_dir`], and every file checked against the schema that
    /// `registry`'s migrations build, as `embed_migrations!` checks the seeds
    /// it embeds (the same `load_and_check`): the tables and columns named
    /// exist, every NOT NULL column without a default gets a value, enum
    /// values are labels.
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidSeeds`] with every finding.
    pub fn from_dir_checked(dir: &Path, registry: &Registry) -> Result<Seeds, MigrateError> {
        // The same replay as `verify-schema`'s: the registry was checked when
        // it was built (compile time or directory load); this rebuilds its model.
        let analysis = crate::verify::analysis_of(registry);
        let mut diags = Diagnostics::default();
        let read = load_and_check(dir, &display_of(dir), analysis.latest(), &mut diags);
        Seeds::from_core(read, diags)
    }

    /// The seeds read, unless reading or checking them found anything.
    fn from_core(
        read: migrate_core::check::seeds::Seeds,
        findings: Diagnostics,
    ) -> Result<Seeds, MigrateError> {
        if !findings.is_empty() {
            return Err(MigrateError::InvalidSeeds(findings));
        }
        let seed = |f: migrate_core::check::seeds::SeedFile| Seed {
            name: Cow::Owned(f.name),
            path: Cow::Owned(f.path),
            sql: Cow::Owned(f.sql),
        };
        Ok(Seeds::new(
            read.files.into_iter().map(seed).collect(),
            read.clean.map(seed),
        ))
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

/// Runs seed files.
#[derive(Debug, Clone, Copy)]
pub struct Seeder<'s> {
    seeds: &'s Seeds,
}

impl<'s> Seeder<'s> {
    /// A seeder of these seeds.
    pub fn new(seeds: &'s Seeds) -> Self {
        Seeder { seeds }
    }

    /// Runs every seed file, each in its own transaction, calling `done` after
    /// each. Stops at the first failure; the files before it stay.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Failed`] naming the file, line and column.
    pub fn seed(
        &self,
        client: &mut Client,
        done: &mut dyn FnMut(&Seed, Duration),
    ) -> Result<(), MigrateError> {
        block_on(self.seed_on(&mut Blocking(client), done))
    }

    /// Runs `clean.sql`; `Ok(None)` when there is none.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Failed`].
    pub fn clean(&self, client: &mut Client) -> Result<Option<Duration>, MigrateError> {
        block_on(self.clean_on(&mut Blocking(client)))
    }

    /// [`Seeder::seed`] on a `tokio_postgres` client (or a pooled connection,
    /// which derefs to one).
    ///
    /// # Errors
    ///
    /// As [`Seeder::seed`].
    #[cfg(feature = "tokio-postgres")]
    pub async fn seed_async(
        &self,
        client: &mut tokio_postgres::Client,
        done: &mut (dyn FnMut(&Seed, Duration) + Send),
    ) -> Result<(), MigrateError> {
        self.seed_on(&mut crate::migrator::conn::Tokio(client), done)
            .await
    }

    /// [`Seeder::clean`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Seeder::clean`].
    #[cfg(feature = "tokio-postgres")]
    pub async fn clean_async(
        &self,
        client: &mut tokio_postgres::Client,
    ) -> Result<Option<Duration>, MigrateError> {
        self.clean_on(&mut crate::migrator::conn::Tokio(client))
            .await
    }

    async fn seed_on<C, F>(&self, client: &mut C, done: &mut F) -> Result<(), MigrateError>
    where
        C: Conn,
        F: FnMut(&Seed, Duration) + ?Sized,
    {
        for s in self.seeds.files() {
            let d = run(client, s).await?;
            done(s, d);
        }
        Ok(())
    }

    async fn clean_on<C: Conn>(&self, client: &mut C) -> Result<Option<Duration>, MigrateError> {
        match self.seeds.clean() {
            Some(c) => run(client, c).await.map(Some),
            None => Ok(None),
        }
    }
}

const PREFIX: &str = "BEGIN;\n";

async fn run<C: Conn>(client: &mut C, seed: &Seed) -> Result<Duration, MigrateError> {
    let start = Instant::now();
    let msg = format!("{PREFIX}{}\n;COMMIT;", seed.sql);
    let Err(e) = client.batch(&msg).await else {
        return Ok(start.elapsed());
    };
    let _ = client.batch("ROLLBACK").await;
    let index = LineIndex::new(&seed.sql);
    let pos = e.as_db_error().and_then(|db| match db.position() {
        Some(ErrorPosition::Original(p)) => {
            let c = (*p as usize).checked_sub(PREFIX.len())?;
            Some(index.pos(index.char_pos_to_offset(c)))
        }
        _ => None,
    });
    let db = e.as_db_error();
    Err(MigrateError::Failed(Box::new(MigrationFailure {
        migration: MigrationRef {
            version: Version::new(0),
            name: seed.name.to_string(),
            label: format!("seed {}", seed.name),
        },
        direction: "seed",
        path: seed.path.to_string(),
        pos,
        snippet: pos.map(|p| index.line(p.line).to_owned()),
        statement: None,
        sqlstate: db.map(|d| d.code().code().to_owned()),
        message: db.map_or_else(
            || crate::migrator::apply::error_chain(&e),
            |d| d.message().to_owned(),
        ),
        detail: db.and_then(|d| d.detail()).map(str::to_owned),
        hint: db.and_then(|d| d.hint()).map(str::to_owned),
        context: db.and_then(|d| d.where_()).map(str::to_owned),
        in_bookkeeping: false,
        at_commit: false,
        outcome: Outcome::RolledBack { version: None },
    })))
}

/// How messages name the files of `dir`: as the user wrote it, without a
/// trailing slash.
fn display_of(dir: &Path) -> String {
    dir.display().to_string().trim_end_matches('/').to_owned()
}
