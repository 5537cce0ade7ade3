#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]
//! migrate-core: everything about migrations that needs no database.
//!
//! It discovers golang-migrate style files (`000001_init.up.sql` /
//! `.down.sql`), parses them with PostgreSQL's own grammar (libpg_query),
//! replays their DDL into a schema model, and checks the set as a whole: every up
//! has its down, each down undoes its up, statements that cannot run inside a
//! transaction are marked, seeds fit the schema. The proc-macro and the CLI both
//! call this crate, so the checks at compile time and at run time are one code path.
//!
//! Published as `pgcheck-core`; applications use it through `pgcheck` (the
//! `embed_migrations!` macro and the runtime), which re-exports what they need.
#![warn(missing_docs)]

// The modules in the order of the pipeline: discover the files, parse them,
// lower each statement to a typed change, apply it to the schema model (the
// replay drives both), check across statements and files, lint; `analyze`
// runs the whole of it, and `migration` holds what it hands to the runtime.

pub mod source {
    //! Discover: finding, reading and fingerprinting migration and seed files.
    pub mod checksum;
    pub mod dir;
    pub mod filename;
    pub mod load;
    mod markers;
    pub mod seeds;
    pub mod sql_file;
}
pub mod sql {
    //! Parse: SQL files through libpg_query, and offsets placed in them.
    pub mod chunks;
    pub(crate) mod leaves;
    pub mod parse;
    pub mod position;
    pub(crate) mod walk;
}
pub(crate) mod lower;
pub mod model {
    //! The schema model and PostgreSQL's types; `apply` applies a lowered
    //! change to it.
    pub(crate) mod apply;
    mod diff;
    pub mod function;
    pub mod inheritance;
    pub mod related;
    pub mod rust;
    pub mod schema;
    pub mod types;
    mod uncertain;
}
pub mod replay;
pub mod check {
    //! Rules that look across statements and files.
    pub mod reversal;
    pub mod seeds;
    pub mod tx;
    pub mod version;
}
pub mod analyze;
pub mod lint;
pub mod migration;

pub mod cache;
pub mod diag;
pub mod par;
pub mod render;

pub use analyze::{Analysis, Options, analyze, analyze_files, analyze_files_each};
pub use diag::{Diagnostic, Diagnostics, SourcePos};
pub use source::filename::Direction;
pub use source::load::{Discovered, LoadOptions, SourceMigration, discover, discover_files};
pub use source::sql_file::SqlFile;
