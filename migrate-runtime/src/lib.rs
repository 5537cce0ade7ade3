//! migrate-runtime: applies compile-time checked migrations to PostgreSQL.

pub mod migration;
pub mod registry;

pub use migrate_macros::embed_migrations;
pub use migration::{Migration, Script, Version};
pub use registry::Registry;

/// What generated code names; not a stable API.
#[doc(hidden)]
pub mod __private {
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
