//! Seed data: SQL files run in name order, each in its own transaction, and a
//! `clean.sql` that removes their rows.
//!
//! `embed_migrations!(..., seeds = "seeds")` embeds them as [`Seeds`] (checked
//! against the schema at compile time); [`Registry::seeds_from_dir`] reads a
//! directory at run time (`SEED_DIR`) and checks it the same way.
//!
//! [`Registry::seeds_from_dir`]: crate::Registry::seeds_from_dir

use std::time::{Duration, Instant};

use migrate_core::sql::position::LineIndex;
use postgres::Client;
use postgres::error::ErrorPosition;

use crate::error::{MigrateError, MigrationFailure, MigrationRef, Outcome};
use crate::migration::Version;
use crate::migrator::conn::{Blocking, Conn, block_on};

/// The file that removes the seed rows.
pub use migrate_core::check::seeds::CLEAN_FILE;
pub use migrate_core::migration::{InvalidSeeds, Seed, Seeds};

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
