//! NovaCron's database: the migrations and seed data under `migrations/` and
//! `seeds/`, embedded and checked when this crate compiles, and a Rust type for
//! every table.
//!
//! ```no_run
//! use novacron_db::schema::vms;
//!
//! let mut client = postgres::Client::connect(
//!     "postgres://postgres:postgres@localhost:5432/novacron",
//!     postgres::NoTls,
//! )?;
//! for row in client.query("SELECT * FROM vms", &[])? {
//!     let vm = vms::Row::from_row(&row)?;
//!     println!("{} is {}", vm.name, vm.state);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

migrate_runtime::embed_migrations!("migrations", seeds = "seeds", deny_lints);

/// The database URL the `novacron-db` binary uses when neither
/// `--database-url`, `DB_URL` nor `DATABASE_URL` gives one: the old README's
/// Docker Compose database.
pub const DEFAULT_URL: &str =
    "postgres://postgres:postgres@localhost:5432/novacron?sslmode=disable";
