//! `dir-migrate`: the runtime's CLI with nothing of NovaCron's in it, as any
//! other app gets it from `migrate_runtime::cli::App::new`: directory mode only
//! (`./migrations`, `--dir`, `MIGRATIONS_DIR`), no seeds, no default database.
//! Linked or copied as `migrate`, a golang-migrate drop-in for a directory of
//! migrations. The tests run it as "someone else's app".

fn main() -> std::process::ExitCode {
    migrate_runtime::cli::App::new("dir-migrate")
        .version(env!("CARGO_PKG_VERSION"))
        .about("PostgreSQL migrations from a directory, checked before they run")
        .main()
}
