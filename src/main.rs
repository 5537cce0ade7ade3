//! `novacron-db`: the migration CLI over the migrations and seeds embedded in
//! this crate (`--dir` / `MIGRATIONS_DIR` and `--seed-dir` / `SEED_DIR` read
//! directories at run time instead). Linked or copied as `migrate`, it speaks
//! golang-migrate's command line.

fn main() -> std::process::ExitCode {
    migrate_runtime::cli::App::new("novacron-db")
        .version(env!("CARGO_PKG_VERSION"))
        .about(
            "PostgreSQL migrations for NovaCron, checked at compile time; a drop-in for golang-migrate",
        )
        .default_url(novacron_db::DEFAULT_URL)
        .migrations(&novacron_db::MIGRATIONS)
        .seeds(&novacron_db::SEEDS)
        .main()
}
