//! The migrator on `tokio_postgres` (feature `tokio-postgres`): the same
//! commands as the blocking methods, through the same code, awaited on the
//! app's runtime.
//!
//! Each method takes `&mut tokio_postgres::Client`, as `Client::transaction`
//! does, and for the same reason: between the messages of one migration
//! (BEGIN rides with the first statement, COMMIT with the history row) nothing
//! else may use the session, or it would run inside the migration's
//! transaction. A pooled connection (deadpool-postgres, bb8) coerces to one as
//! it is (`&mut conn`), through `DerefMut`.
//!
//! **Cancellation.** A command's future must be driven to its end: dropped
//! half-way (a `select!`, a `timeout`), the session is left where it was, maybe
//! inside a migration's transaction and holding the migration lock until the
//! connection closes. Close such a connection rather than return it to a pool
//! (deadpool: `Object::take`). Stopping between migrations is what
//! [`Options::interrupt`](super::Options::interrupt) is for.
//!
//! Waiting for the lock sleeps with `tokio::time`, so the runtime needs its
//! timer (`#[tokio::main]` and `#[tokio::test]` have it).

use tokio_postgres::Client;

#[cfg(feature = "cli")]
use super::Options;
#[cfg(feature = "cli")]
use super::commands::{Prefetched, prefetch};
use super::conn::Tokio;
use super::{Event, Migrator, Plan, Repaired, Report, Status, Target, Tool};
use crate::error::MigrateError;
use crate::migration::Version;

impl<'r> Migrator<'r> {
    /// [`Migrator::up`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::run`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn demo(registry: &pgcheck::Registry) -> Result<(), Box<dyn std::error::Error>> {
    /// let (mut client, connection) = tokio_postgres::connect(
    ///     "postgres://postgres:postgres@localhost/app",
    ///     tokio_postgres::NoTls,
    /// )
    /// .await?;
    /// tokio::spawn(connection);
    /// let report = pgcheck::Migrator::new(registry).up_async(&mut client).await?;
    /// println!("now at {:?}", report.to);
    /// # Ok(()) }
    /// ```
    pub async fn up_async(&self, client: &mut Client) -> Result<Report, MigrateError> {
        self.run_async(client, Target::Up { limit: None }, &mut |_| {})
            .await
    }

    /// [`Migrator::run`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::run`].
    pub async fn run_async(
        &self,
        client: &mut Client,
        target: Target,
        progress: &mut (dyn FnMut(Event<'_>) + Send),
    ) -> Result<Report, MigrateError> {
        self.run_on(&mut Tokio(client), target, progress).await
    }

    /// What `up` reads of the database before it needs the migrations
    /// (see [`Prefetched`]), read with the options the migrator will have.
    #[cfg(feature = "cli")]
    pub(crate) async fn prefetch_async(
        client: &mut Client,
        options: &Options,
    ) -> Result<Prefetched, MigrateError> {
        prefetch(&mut Tokio(client), options).await
    }

    /// [`Migrator::run_async`] from what [`Self::prefetch_async`] read with
    /// this migrator's options.
    #[cfg(feature = "cli")]
    pub(crate) async fn run_prefetched_async(
        &self,
        client: &mut Client,
        target: Target,
        progress: &mut (dyn FnMut(Event<'_>) + Send),
        prefetched: Option<Prefetched>,
    ) -> Result<Report, MigrateError> {
        self.run_prefetched_on(&mut Tokio(client), target, progress, prefetched)
            .await
    }

    /// [`Migrator::plan`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::plan`].
    pub async fn plan_async(
        &self,
        client: &mut Client,
        target: Target,
    ) -> Result<Plan<'r>, MigrateError> {
        self.plan_on(&mut Tokio(client), target).await
    }

    /// [`Migrator::version`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::version`].
    pub async fn version_async(
        &self,
        client: &mut Client,
    ) -> Result<Option<(Version, bool)>, MigrateError> {
        self.version_on(&mut Tokio(client)).await
    }

    /// [`Migrator::status`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::status`].
    pub async fn status_async(&self, client: &mut Client) -> Result<Status, MigrateError> {
        self.status_on(&mut Tokio(client)).await
    }

    /// [`Migrator::force`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::force`].
    pub async fn force_async(
        &self,
        client: &mut Client,
        version: Option<Version>,
    ) -> Result<(), MigrateError> {
        self.force_on(&mut Tokio(client), version).await
    }

    /// [`Migrator::repair`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::repair`].
    pub async fn repair_async(&self, client: &mut Client) -> Result<Repaired, MigrateError> {
        self.repair_on(&mut Tokio(client)).await
    }

    /// [`Migrator::adopt`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::adopt`].
    pub async fn adopt_async(
        &self,
        client: &mut Client,
        tool: Tool,
    ) -> Result<Vec<Version>, MigrateError> {
        self.adopt_on(&mut Tokio(client), tool).await
    }

    /// [`Migrator::drop_all`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::drop_all`].
    pub async fn drop_all_async(&self, client: &mut Client) -> Result<usize, MigrateError> {
        self.drop_all_on(&mut Tokio(client)).await
    }

    /// [`Migrator::problems`] on a `tokio_postgres` client.
    ///
    /// # Errors
    ///
    /// As [`Migrator::problems`].
    pub async fn problems_async(
        &self,
        client: &mut Client,
    ) -> Result<Vec<MigrateError>, MigrateError> {
        self.problems_on(&mut Tokio(client)).await
    }
}

/// The futures are `Send`, so a command can run in `tokio::spawn`; checked
/// when the crate compiles rather than found by an app.
#[allow(dead_code)]
fn futures_are_send(m: &Migrator<'_>, c: &mut Client, s: &crate::Seeder<'_>) {
    fn send<T: Send>(_: T) {}
    send(m.run_async(c, Target::Up { limit: None }, &mut |_| {}));
    send(m.plan_async(c, Target::DownAll));
    send(m.status_async(c));
    send(m.force_async(c, None));
    send(m.repair_async(c));
    send(m.adopt_async(c, Tool::Sqlx));
    send(m.drop_all_async(c));
    send(m.problems_async(c));
    send(s.seed_async(c, &mut |_, _| {}));
    send(s.clean_async(c));
}
