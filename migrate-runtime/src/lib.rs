//! migrate-runtime: applies compile-time checked migrations to PostgreSQL.

pub mod migration;
pub mod pgtypes;
pub mod registry;
pub mod seed;

pub use migrate_macros::embed_migrations;
pub use migration::{Migration, Script, Version};
pub use pgtypes::{Cidr, Interval};
pub use registry::Registry;
pub use seed::{Seed, Seeds};

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
