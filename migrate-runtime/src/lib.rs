//! pgcheck: PostgreSQL migrations checked at compile time, applied at run time.
//!
//! [`embed_migrations!`] reads a directory of golang-migrate style files when
//! the crate that calls it compiles, parses every file with PostgreSQL's own
//! grammar, replays the DDL, checks that each down undoes its up (and the seeds
//! against the schema), fails the build at `file:line:col` on what is wrong, and
//! expands to a [`Registry`] and a Rust type for every table.
//!
//! A [`Registry`] holds the migrations (embedded by `embed_migrations!`, or loaded
//! from a directory at run time with [`Registry::from_dir`]); a [`Migrator`]
//! applies and reverts them over a `postgres::Client` (or, with feature
//! `tokio-postgres`, a `tokio_postgres::Client`), keeping golang-migrate's
//! `schema_migrations` table and lock so that both tools can take turns on one
//! database; `cli` (feature `cli`) is the migration command line over a registry.
//!
//! # Features
//!
//! None is on by default: an app that embeds and applies migrations gets
//! `postgres` and the types of the generated rows, nothing else.
//!
//! - `cli`: `cli::App`, the command line (`up`, `down`, `status`, ...; clap,
//!   tracing-subscriber, signal-hook).
//! - `tls`: `sslmode=require`, `verify-ca`, `verify-full` (rustls; a trust
//!   store is read only by the modes that verify, as libpq does). Without
//!   it `prefer` connects without TLS and the others are refused with
//!   [`MigrateError::Tls`].
//! - `serde`: `Serialize`/`Deserialize` on the generated `Row`, `Insert` and enum
//!   types, and on [`Interval`] and [`Cidr`].
//! - `refinery`: the registry's ups as refinery migrations.
//! - `tokio-postgres`: the same commands on `tokio_postgres::Client` (and on
//!   pooled connections, which deref to it): `Migrator::up_async`,
//!   `Migrator::run_async`, ..., `Seeder::seed_async`, and the generated
//!   `Insert::insert_async`. One implementation serves both clients: the same
//!   checks, lock, messages and records. No new crates: `postgres` is built on
//!   `tokio-postgres`.
//!
//! # Examples
//!
//! ```no_run
//! use pgcheck::{Migrator, Registry};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let registry = Registry::from_dir(std::path::Path::new("migrations"))?;
//! let mut client = pgcheck::connect::ConnectOptions::parse(
//!     "postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable",
//! )?
//! .connect()?;
//! let report = Migrator::new(&registry).up(&mut client)?;
//! println!("{} applied", report.steps.len());
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

#[cfg(feature = "cli")]
pub mod cli;
pub mod connect;
pub mod conninfo;
pub mod dir_cache;
pub mod error;
pub mod migration;
pub mod migrator;
pub mod pgtypes;
#[cfg(feature = "refinery")]
pub mod refinery;
pub mod registry;
pub mod seed;
mod sql;
#[cfg(feature = "tls")]
mod tls;
pub mod verify;

pub use error::{MigrateError, MigrationFailure, MigrationRef};

mod embed;
mod generated;
pub use migration::{Migration, Script, Version};
pub use migrator::{Event, Migrator, Options, Plan, Repaired, Report, Status, Target};
pub use pgtypes::{Cidr, Interval};
pub use registry::Registry;
pub use seed::{Seed, Seeder, Seeds};
pub use sql::TableName;
// Types of pgcheck-core that pgcheck's own API hands out or takes
// (`Registry::warnings`, `MigrateError::InvalidFiles`, `DirOptions::postgres`),
// so that an app depends on this one crate.
pub use migrate_core::check::version::PgVersion;
pub use migrate_core::{Diagnostic, Diagnostics, SourcePos};

/// What generated code names; not a stable API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "tokio-postgres")]
    pub use crate::generated::insert_async;
    pub use crate::generated::{Decoder, boxed, decode, decode_table, insert, optional, required};
    pub use crate::pgtypes::{Cidr, Interval};
    pub use crate::{Migration, Registry, Script, Seed, Seeds, Version};
    pub use bytes;
    pub use chrono;
    pub use eui48;
    pub use migrate_macros::embed_migrations;
    pub use postgres;
    pub use postgres_types;
    pub use rust_decimal;
    pub use serde;
    pub use serde_json;
    pub use std::borrow::Cow;
    #[cfg(feature = "tokio-postgres")]
    pub use tokio_postgres;
    pub use uuid;
}
