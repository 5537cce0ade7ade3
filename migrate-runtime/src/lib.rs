//! migrate-runtime: applies compile-time checked migrations to PostgreSQL.
//!
//! A [`Registry`] holds the migrations (embedded by `embed_migrations!`, or loaded
//! from a directory at run time with [`Registry::from_dir`]); a [`Migrator`]
//! applies and reverts them over a `postgres::Client`, keeping golang-migrate's
//! `schema_migrations` table and lock so that both tools can take turns on one
//! database; [`cli`] is the `novacron-db` command line over a registry.
//!
//! # Examples
//!
//! ```no_run
//! use migrate_runtime::{Migrator, Registry};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let registry = Registry::from_dir(std::path::Path::new("migrations"))?;
//! let mut client = migrate_runtime::connect::ConnectOptions::parse(
//!     "postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable",
//! )?
//! .connect()?;
//! let report = Migrator::new(&registry).up(&mut client)?;
//! println!("{} applied", report.steps.len());
//! # Ok(()) }
//! ```

pub mod cli;
pub mod connect;
pub mod dir_cache;
pub mod error;
pub mod migration;
pub mod migrator;
pub mod pgtypes;
#[cfg(feature = "refinery")]
pub mod refinery;
pub mod registry;
pub mod seed;
pub mod sql;
pub mod verify;

pub use error::{MigrateError, MigrationFailure, MigrationRef};
pub use migrate_macros::embed_migrations;
pub use migration::{Migration, Script, Version};
pub use migrator::{Event, Migrator, Options, Plan, Repaired, Report, Status, Target};
pub use pgtypes::{Cidr, Interval};
pub use registry::Registry;
pub use seed::{Seed, Seeder, Seeds};

/// What generated code names; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::pgtypes::{Cidr, Interval, insert_sql};
    pub use crate::{Migration, Registry, Script, Seed, Seeds, Version};
    pub use bytes;
    pub use chrono;
    pub use eui48;
    pub use postgres;
    pub use postgres_types;
    pub use rust_decimal;
    pub use sea_query;
    pub use serde_json;
    pub use std::borrow::Cow;
    pub use uuid;
}
