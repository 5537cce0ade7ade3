//! `embed_migrations!` and the switches its expansion goes through.
//!
//! The proc-macro (`pgcheck-macros`) does the work; the wrapper here hands it
//! `$crate`, so generated code names this crate by the path the app reaches it
//! with (a renamed dependency works), and the features of this crate decide
//! what the generated code contains (the proc-macro cannot see them).

// The build.rs example is a whole `fn main`, as the file is.
#![allow(clippy::needless_doctest_main)]

/// Embeds a directory of PostgreSQL migrations, checked when the calling crate
/// compiles, and generates a Rust type for every table.
///
/// ```no_run
/// pgcheck::embed_migrations!("doc-fixtures/migrations");
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut client = pgcheck::connect::ConnectOptions::parse(
///     "postgres://postgres:postgres@localhost:5432/app?sslmode=disable",
/// )?
/// .connect()?;
/// pgcheck::Migrator::new(&MIGRATIONS).up(&mut client)?;
/// # Ok(()) }
/// ```
///
/// # The files
///
/// The directory holds golang-migrate's file names, `{version}_{name}.up.sql`
/// and `{version}_{name}.down.sql`:
///
/// - `version` is an unsigned integer that fits in a `bigint`; sequential
///   (`000001`) and timestamp (`20250101120000`) versions may be mixed and are
///   ordered numerically. Two names or two spellings (`2_x`, `0002_x`) of one
///   version are an error.
/// - `name` is letters, digits and `_`.
/// - Every up needs its down (unless `require_down = false`), every down its up.
/// - Files not ending in `.sql` are ignored; a `.sql` file with another name is
///   an error. Symbolic links are followed. A UTF-8 byte order mark is refused.
/// - An empty or comment-only file is a migration that does nothing.
///
/// Markers go in the comment lines at the top of a file (before the first
/// statement); an unknown `-- migrate:` marker is an error:
///
/// - `-- migrate:no-transaction`: the file runs outside a transaction, one
///   statement at a time. Needed for `CREATE INDEX CONCURRENTLY`, `VACUUM`,
///   `ALTER TYPE ... ADD VALUE` on old servers, ...; those statements in a
///   transactional file are an error. A failure leaves the database dirty.
/// - `-- migrate:irreversible` (on a down file): the up cannot be undone. The
///   reversal check skips it, the registry has no down for that version, and
///   reverting past it is refused.
/// - `-- migrate:unchecked [reason]`: the escape hatch for a statement the
///   model gets wrong. At the top of a file it covers the whole file; on the
///   comment line directly above a statement, that statement. The statement is
///   run as written but not checked, and from there on nothing is known to exist
///   or not, so every later existence check is off.
///
/// `-- lint:ignore <rule-id> <reason>` on the line above a statement silences a
/// lint rule there (see `deny_lints`).
///
/// # What fails the build
///
/// All findings at once, each as `path:line:col: message` with a hint: file
/// names and pairs; SQL syntax (PostgreSQL's own grammar, libpg_query);
/// statements that cannot run in a transaction in a transactional file, and
/// `BEGIN`/`COMMIT` inside a file; a table, column, type, index or constraint
/// that does not exist at that point (with "did you mean"), also inside `DO`
/// blocks and queries; an object created twice; a drop that others depend on
/// without `CASCADE`; syntax newer than the target PostgreSQL; a down that does
/// not bring the schema back to what it was before its up; with `seeds`, seed
/// rows that do not fit the schema; with `deny_lints`, lint errors.
///
/// # Arguments
///
/// The first argument is the directory, a string literal, relative to the root
/// of the package whose source calls the macro (the nearest directory above the
/// calling file with a `Cargo.toml`: `CARGO_MANIFEST_DIR` in an ordinary build).
/// Messages name files the way the argument names the directory. Then, in any
/// order, separated by commas:
///
/// | argument | default | meaning |
/// |---|---|---|
/// | `seeds = "dir"` | none | embed the seed files of `dir` (`*.sql` run in name order, `clean.sql` removes their rows) and check their `INSERT`s against the schema after the last migration; generates `SEEDS` |
/// | `require_down = false` | `true` | allow ups without a down (an up-only directory); such versions cannot be reverted |
/// | `deny_lints` | off | lint findings of level error (`CREATE INDEX` without `CONCURRENTLY` on an existing table, `NOT NULL` column without a default, ...) fail the build |
/// | `tables = false` | `true` | generate no `schema` module: the registry only, for a crate that only applies migrations (faster to compile) |
/// | `types("pg type" => RustType, ...)` | none | map a PostgreSQL type that has no built-in mapping (`money`, `timetz`, a range, an extension's type); `RustType` must implement `ToSql` and `FromSql` |
/// | `derive(Clone, PartialEq, ...)` | `Debug` only | what every `Row` and `Insert` derives besides `Debug`: any derive macro, by a path that resolves anywhere in the crate (`Clone`, `Eq`, `Hash`, `serde::Serialize` of the app's own serde, `crate::..`). Each derive costs compile time in every table, so a schema pays only for those its code uses |
/// | `postgres = "15"` | `"14"` | the oldest PostgreSQL the migrations must run on (14 to 18): newer syntax is an error, and the registry refuses an older server |
///
/// ```no_run
/// pgcheck::embed_migrations!(
///     "doc-fixtures/migrations",
///     seeds = "doc-fixtures/seeds",
///     deny_lints,
///     postgres = "15",
///     types("money" => i64),
///     derive(Clone, PartialEq),
/// );
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mut client = postgres::Client::connect(
///     "postgres://postgres:postgres@localhost:5432/app",
///     postgres::NoTls,
/// )?;
/// pgcheck::Migrator::new(&MIGRATIONS).up(&mut client)?;
/// pgcheck::Seeder::new(&SEEDS).seed(&mut client, &mut |seed, took| println!("{} {took:?}", seed.name))?;
/// # Ok(()) }
/// ```
///
/// Up-only, registry only:
///
/// ```
/// pgcheck::embed_migrations!("doc-fixtures/migrations", require_down = false, tables = false);
///
/// assert_eq!(MIGRATIONS.len(), 2);
/// ```
///
/// # What it generates
///
/// Where it is called (at module level):
///
/// - `pub static MIGRATIONS: `[`Registry`](crate::Registry): every migration,
///   oldest first (`iter()`, `get(version)`, `latest()`, `len()`), each with its
///   SQL (`include_str!`), checksum, statement boundaries and whether it runs
///   in a transaction.
/// - `pub mod versions`: one [`Version`](crate::Version) constant per migration,
///   named after the file (`versions::V000001_CREATE_HOSTS`), so code that names
///   a target version is checked by the compiler.
/// - `pub static SEEDS: `[`Seeds`](crate::Seeds), with `seeds = "dir"`.
/// - `pub mod schema` (unless `tables = false`), the schema after the last
///   migration:
///   - `schema::<table>` per table (tables of another schema under
///     `schema::<schema>::<table>`) with `TABLE`, `SCHEMA`, `columns::NAME`
///     constants; `Row` (every column, `Option` when nullable, decoded by
///     column name with `Row::from_row`); `Insert`: the columns an `INSERT`
///     writes, the optional ones (a default, an identity, NULL allowed) as
///     `Option`, built with `Insert::new(required columns, in table order)`
///     and struct update syntax for the optional ones
///     (`Insert { note: Some(..), ..Insert::new(..) }`), so code survives a
///     migration that adds an optional column (a struct literal that names
///     every field does not), and
///     `insert(&mut client)`, which runs `INSERT ... RETURNING *` (with the
///     `tokio-postgres` feature also `insert_async(&client).await`, on a
///     `tokio_postgres` client or transaction); `COLUMNS`, every column's
///     name in table order. The names are `&'static str`, which sea-query
///     (1.x) takes as identifiers as they are:
///     `Expr::col((hosts::TABLE, hosts::columns::NAME))`. `Row` and `Insert`
///     derive `Debug`, and what `derive(..)` asks for; with the `serde`
///     feature also `Serialize`/`Deserialize` (`types(...)` mappings must
///     then implement them too).
///   - `schema::enums`: a Rust enum per PostgreSQL enum with `ToSql`/`FromSql`
///     by label, `ALL`, `as_str()`, `FromStr`, `Display` (and serde by label
///     with `serde`).
///   - `schema::TABLES` and `schema::decode(schema, table, row)`.
///
///   Column names that are Rust keywords are raw identifiers (`r#type`). A
///   column whose type has no mapping is left out of `Row` (the table then has
///   no `Insert` if the column is required) and named in the module's docs.
///
/// ```
/// pgcheck::embed_migrations!("doc-fixtures/migrations");
///
/// use schema::{enums::HostState, hosts};
///
/// assert_eq!(MIGRATIONS.latest().unwrap().version, versions::V000002_INDEX_HOST_NAMES);
/// assert!(!MIGRATIONS.get(versions::V000002_INDEX_HOST_NAMES).unwrap().up.transactional);
/// assert_eq!(hosts::TABLE, "hosts");
/// assert_eq!(hosts::columns::NAME, "name");
/// assert_eq!(hosts::COLUMNS, ["id", "name", "state", "note"]);
/// assert_eq!("down".parse::<HostState>(), Ok(HostState::Down));
///
/// // Row: every column; `note` is nullable.
/// let row = hosts::Row { id: 1, name: "alpha".into(), state: HostState::Up, note: None };
/// assert_eq!(row.state.as_str(), "up");
///
/// // Insert: `new` takes the required columns (NOT NULL without a default), in
/// // table order; the defaulted `state` and the nullable `note` are left to
/// // PostgreSQL unless set (struct update syntax); the `GENERATED ALWAYS`
/// // identity `id` takes no value, so it has no field.
/// let new = hosts::Insert { note: Some("rack 4".into()), ..hosts::Insert::new("gamma") };
/// assert_eq!((new.state, new.note.as_deref()), (None, Some("rack 4")));
/// // `new.insert(&mut client)?` runs `INSERT ... RETURNING *` and decodes the row.
/// ```
///
/// # build.rs
///
/// Cargo does not see the files a proc-macro reads. The expansion
/// `include_str!`s every file, so an edited file rebuilds; for an added or
/// removed file, add a `build.rs`:
///
/// ```no_run
/// // build.rs
/// fn main() {
///     println!("cargo:rerun-if-changed=migrations");
///     println!("cargo:rerun-if-changed=seeds");
/// }
/// ```
///
/// # Build time
///
/// An expansion that checks parses every file and replays the whole history:
/// about 0.25 ms a migration with optimized proc-macros. A rebuild in which no
/// file changed reuses the last expansion, trusted on the files' metadata
/// (see the README's *Build time*). Cargo builds proc-macros unoptimized in
/// the dev profile, which makes checking (and libpg_query) several times
/// slower; optimize them in the app's `Cargo.toml`:
///
/// ```toml
/// [profile.dev.build-override]
/// opt-level = 3
/// ```
///
/// The table types cost compile time in proportion to the schema (a few ms a
/// table in a dev build): `tables = false` leaves them out. `MIGRATE_MACRO_TIMINGS=1 cargo
/// build` prints what the expansion took. The first build compiles libpg_query
/// (C; needs a C compiler and libclang), about a minute.
#[macro_export]
macro_rules! embed_migrations {
    ($($args:tt)*) => {
        $crate::__private::embed_migrations! { [$crate] $($args)* }
    };
}

/// The tokens with feature `tokio-postgres`, nothing without; for generated code.
#[cfg(feature = "tokio-postgres")]
#[doc(hidden)]
#[macro_export]
macro_rules! __pgcheck_if_tokio_postgres {
    ($($t:tt)*) => { $($t)* };
}

#[cfg(not(feature = "tokio-postgres"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __pgcheck_if_tokio_postgres {
    ($($t:tt)*) => {};
}

/// The tokens with feature `serde`, nothing without; for generated code.
#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __pgcheck_if_serde {
    ($($t:tt)*) => { $($t)* };
}

/// The tokens with feature `serde`, nothing without; for generated code.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __pgcheck_if_serde {
    ($($t:tt)*) => {};
}

/// Puts serde's derives on the struct with feature `serde`, and leaves it as it
/// is without; for generated code. The derives name serde as `__p::serde`:
/// `__p` is this crate's `__private`, which every generated module imports, so
/// the app need not depend on serde.
#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __pgcheck_serde_derive {
    ($($t:tt)*) => {
        #[derive(__p::serde::Serialize, __p::serde::Deserialize)]
        #[serde(crate = "__p::serde")]
        $($t)*
    };
}

/// Puts serde's derives on the struct with feature `serde`; without it, the
/// struct as it is.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __pgcheck_serde_derive {
    ($($t:tt)*) => { $($t)* };
}
