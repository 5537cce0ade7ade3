//! `novacron-db`: the migration CLI over the migrations and seeds embedded in
//! this crate (`--dir` / `MIGRATIONS_DIR` and `--seed-dir` / `SEED_DIR` read
//! directories at run time instead).

fn main() -> std::process::ExitCode {
    migrate_runtime::cli::App::new()
        .migrations(&novacron_db::MIGRATIONS)
        .seeds(&novacron_db::SEEDS)
        .main()
}
